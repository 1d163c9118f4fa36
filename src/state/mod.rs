//! state
pub mod runbook;
