//! A runbook as every layer speaks of it: the document loaded, its layout
//! for the pane (made off the event loop), and what its live blocks are
//! filled from. The runbook module loads, renders and fills them; the
//! state keeps them; messages carry them.

use std::collections::BTreeMap;

use ratatui::text::Line;

/// A loaded runbook. `markdown` is raw (untrusted) text: the renderer
/// cleans everything it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The path or URL it came from, for the pane title.
    pub source: String,
    pub markdown: String,
}

/// A rendered runbook. Line indices in the records index `lines`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub lines: Vec<Line<'static>>,
    pub headings: Vec<Heading>,
    pub tasks: Vec<Task>,
    pub code_blocks: Vec<CodeBlock>,
    pub links: Vec<Link>,
    /// The width this was laid out for.
    pub width: u16,
    /// Set when the layout stopped before the end (see `runbook::render::Limit`).
    pub cut: Option<Cut>,
}

/// Where a layout stopped: after `events` parser events, at byte `offset`
/// of the markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub events: usize,
    pub offset: usize,
}

/// A loaded runbook and its layout, made off the event loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub doc: std::sync::Arc<Document>,
    pub rendered: Rendered,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub line: usize,
}

/// A task-list step (`- [ ] …`). `index` counts steps from 0 in document
/// order; `col` is where its `[ ]` box starts on `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub index: usize,
    pub line: usize,
    pub col: u16,
    pub text: String,
    pub checked: bool,
}

/// A fenced or indented code block. Its lines are not wrapped: they may be
/// wider than the layout width, and the pane scrolls them horizontally
/// while the first `indent` columns (list or quote prefix) stay put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub first_line: usize,
    pub last_line: usize,
    pub indent: u16,
    pub lang: Option<String>,
    /// The cleaned code, for copying.
    pub text: String,
    /// A query the console runs (see `runbook::live`).
    pub live: Option<Lang>,
    /// `unit=…` from the fence (`seconds`, `ratio`, `bytes`, `reqps`).
    pub unit: Option<String>,
}

/// One on-screen segment of a link (a link wrapped over two lines has two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub line: usize,
    pub col: u16,
    pub width: u16,
    pub url: String,
}

/// The query language of a live block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    PromQl,
    LogQl,
}

/// What placeholders are filled with: the selected alert's labels and value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    pub labels: BTreeMap<String, String>,
    /// The alert's `value` as its source gave it (Prometheus' `$value`).
    pub value: Option<String>,
}
