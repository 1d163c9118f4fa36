//! state
pub mod incident;
