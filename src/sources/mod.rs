//! Typed async clients, one per API, over one HTTP layer. Nothing here
//! knows about the terminal: results go back to the app as messages.

pub mod endpoint;
pub mod error;
pub mod http;

pub use endpoint::{Endpoint, EndpointError, SecretRef};
pub use error::SourceError;
pub use http::{Body, HttpClient};
