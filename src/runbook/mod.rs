//! Runbooks: find the one an alert points to, load it safely, render it.
//!
//! An alert's `runbook_url` is remote input: it must never make warroom read
//! a file outside the configured runbook directories, nor fetch something
//! huge or slow. [`resolve`] turns the URL into a [`Location`] (a checked
//! local path, or a remote URL after rewrite rules had their chance so that a
//! bastion without egress still finds its local copy); [`load`] reads it
//! within the size cap; [`render`] turns the markdown into ratatui lines.

pub mod clipboard;
mod config;
mod error;
pub mod fallback;
mod fetch;
pub mod html;
pub mod live;
mod load;
pub mod render;
pub mod resolve;

pub use config::RunbookConfig;
pub use error::RunbookError;
pub use load::{Document, RunbookCache, load};
pub use resolve::{Location, resolve};
