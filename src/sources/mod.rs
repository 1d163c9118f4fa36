//! Typed async clients, one per API, over one HTTP layer. Nothing here
//! knows about the terminal: results go back to the app as messages.

pub mod alertmanager;
pub mod answer;
pub mod backoff;
pub mod capped;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod loki;
pub mod probe;
pub mod prometheus;

pub use alertmanager::AlertmanagerClient;
pub use answer::AnswerCache;
pub use endpoint::{Endpoint, EndpointError, HeaderSpec, SecretRef};
pub use error::SourceError;
pub use http::{Body, HttpClient, Reply};
pub use probe::Probe;
pub use prometheus::PrometheusClient;
