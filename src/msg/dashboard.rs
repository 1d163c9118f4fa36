//! A dashboard variable's values asked of Prometheus, and the answer.

use crate::model::SourceError;

/// Values for variable `name` of the dashboard view numbered `view`: a GET
/// of the Prometheus API at `path` with `params` (`match[]`), through the
/// one HTTP layer (its timeout), answered by [`VarAnswer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarAsk {
    pub view: u64,
    pub name: String,
    pub path: String,
    pub params: Vec<(String, String)>,
}

/// What Prometheus answered for a [`VarAsk`] (values raw: the state
/// filters them by the variable's regex and cleans them for display).
#[derive(Debug, Clone, PartialEq)]
pub struct VarAnswer {
    pub view: u64,
    pub name: String,
    pub result: Result<Vec<String>, SourceError>,
}
