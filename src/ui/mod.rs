//! ui
pub mod runbook;
