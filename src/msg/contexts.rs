//! The runtime's answer to a context switch.

use super::SourceId;

/// The runtime's answer to [`super::Cmd::SwitchContext`].
#[derive(Debug, Clone, PartialEq)]
pub enum ContextMsg {
    /// The new context's sources run, tagged with `generation`.
    Switched(Box<Switched>),
    /// Its clients could not be built (a secret file missing, a bad CA):
    /// the old context keeps running.
    Failed { name: String, error: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Switched {
    pub name: String,
    pub generation: u64,
    pub read_only: bool,
    pub sources: Vec<(SourceId, String)>,
}
