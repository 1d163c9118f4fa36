//! Grafana dashboards: the typed model of a dashboard file, parsed leniently
//! from what Grafana writes, with one [`Diagnostic`] per field that is
//! ignored or not supported, so that `warroom dash check` (and later the
//! console's `:dash`) can say what will show and what will not.
//!
//! A dashboard file is untrusted input (anyone who can drop a file in a
//! dashboards directory, or export one from a Grafana they do not run):
//! [`parse`] caps its size, its panel and variable counts and its nesting,
//! and every string kept for display goes through [`crate::text::clean`].
//! This module does no I/O: the caller reads the file (within
//! [`MAX_FILE_BYTES`]) and hands over the bytes.

mod field;
pub mod heatmap;
pub mod interpolate;
pub mod layout;
mod legacy;
mod matchers;
mod model;
mod panel;
mod parse;
mod promql;
pub mod query;
pub mod repeat;
pub mod report;
pub mod table;
pub mod units;
mod v2;
mod values;

pub use model::{
    AlertListOptions, Dashboard, FieldConfig, GridPos, Mapping, MappingKind, Override, Panel, PanelKind, PanelTime,
    Repeat, Target, Threshold, ThresholdMode, TimeRange, Transformation, Variable, VariableKind,
};
pub use parse::{Fatal, Parsed, parse};

/// The largest dashboard file read (Node Exporter Full, 125 panels, is ~500 KiB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Panels kept, rows and their nested panels included; the rest is reported.
pub const MAX_PANELS: usize = 1000;
/// Variables kept.
pub const MAX_VARIABLES: usize = 100;
/// Targets kept per panel (Grafana names them A…Z, then AA…).
pub const MAX_TARGETS: usize = 52;
/// Options kept per variable, mappings and threshold steps per panel.
pub const MAX_ITEMS: usize = 1000;
/// The longest display string (title, legend, mapping text) in characters.
pub const MAX_TEXT: usize = 512;
/// The longest query or text-panel content in characters.
pub const MAX_LONG_TEXT: usize = 64 * 1024;

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A field warroom does not read that changes nothing it shows (a
    /// plugin's leftovers, how a browser lays out a table column): listed
    /// by `dash check --verbose`, counted otherwise.
    Note,
    /// Something is shown differently than in Grafana, or not at all.
    Warning,
    /// Part of the dashboard cannot be used (a query that does not parse).
    Error,
}

/// One field that is ignored or unsupported: where (a JSON path such as
/// `panels[3].fieldConfig.defaults.mappings[0]`) and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}: {}", self.path, self.reason)
    }
}
