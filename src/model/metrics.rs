//! What Prometheus-compatible servers answer, as the console keeps it: the
//! alerting rules and the series of a range query.

use std::time::Duration;

use super::Labels;

/// An alerting rule, for its expression and `for:`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub group: String,
    pub name: String,
    pub query: String,
    pub duration: Duration,
    pub labels: Labels,
    pub annotations: Labels,
    pub health: String,
    /// Its group's evaluation interval (zero when the server does not say):
    /// how far apart the points of its `ALERTS` series are.
    pub interval: Duration,
}

/// One series of a range query. Values may be NaN or ±Inf: the drawing
/// treats those as gaps, never as zeros.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    /// (unix seconds, value)
    pub samples: Vec<(f64, f64)>,
}
