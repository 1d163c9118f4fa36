//! Markdown → ratatui lines, wrapped to a width, with the positions the
//! pane needs: headings (table of contents), task-list steps (ticking),
//! code blocks (copying, horizontal scroll) and links (OSC 8).
//!
//! Pure: the same markdown and width always give the same lines, so the
//! state re-renders on a width change and tests render into buffers. Every
//! piece of text goes through [`crate::text::clean`] on its way in.

mod builder;
mod clip;
mod search;
mod table;
mod wrap;

pub use crate::model::runbook::{CodeBlock, Cut, Heading, Link, Prepared, Rendered, Task};
pub use clip::clip_line;
use pulldown_cmark::{Options, Parser};
use ratatui::style::{Color, Modifier, Style};
pub use search::SearchMatch;
pub use wrap::wrap_lines;

/// Narrowest width laid out; a narrower pane clips.
pub const MIN_WIDTH: u16 = 16;

/// Named styles of the runbook pane (the theme fills them in).
#[derive(Debug, Clone, PartialEq)]
pub struct RunbookStyles {
    pub text: Style,
    /// Levels 1 to 6.
    pub headings: [Style; 6],
    pub code_block: Style,
    pub inline_code: Style,
    pub emphasis: Style,
    pub strong: Style,
    pub strikethrough: Style,
    pub link: Style,
    pub link_url: Style,
    pub quote: Style,
    pub quote_bar: Style,
    pub list_marker: Style,
    pub task_open: Style,
    pub task_done: Style,
    pub table_border: Style,
    pub table_header: Style,
    pub rule: Style,
    /// A live block's answer under it, and its error.
    pub live: Style,
    pub live_error: Style,
}

impl Default for RunbookStyles {
    fn default() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            text: Style::new(),
            headings: [
                bold.fg(Color::Cyan),
                bold.fg(Color::Cyan),
                bold.fg(Color::LightBlue),
                bold,
                bold,
                bold.add_modifier(Modifier::DIM),
            ],
            code_block: Style::new().fg(Color::Indexed(252)).bg(Color::Indexed(236)),
            inline_code: Style::new().fg(Color::Yellow),
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: bold,
            strikethrough: Style::new().add_modifier(Modifier::CROSSED_OUT),
            link: Style::new().fg(Color::LightBlue).add_modifier(Modifier::UNDERLINED),
            link_url: Style::new().fg(Color::DarkGray),
            quote: Style::new().add_modifier(Modifier::ITALIC),
            quote_bar: Style::new().fg(Color::DarkGray),
            list_marker: Style::new().fg(Color::Yellow),
            task_open: Style::new().fg(Color::Yellow),
            task_done: Style::new().fg(Color::Green),
            table_border: Style::new().fg(Color::DarkGray),
            table_header: bold,
            rule: Style::new().fg(Color::DarkGray),
            live: Style::new().fg(Color::Green),
            live_error: Style::new().fg(Color::LightRed),
        }
    }
}

/// How long [`render_within`] may lay out a runbook, off the event loop.
pub const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// When a layout stops early.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    /// Lay out everything.
    None,
    /// Stop after this many parser events: a new width lays out the part
    /// an earlier timed layout reached, so the work on the event loop is
    /// never more than what was done off it.
    Events(usize),
    /// Stop when this instant passes (checked every [`CHECK_EVERY`] events).
    Until(std::time::Instant),
}

/// How many events pass between two looks at the clock.
const CHECK_EVERY: usize = 1024;

impl Limit {
    /// The limit that lays out what `cut` reached (no limit when uncut).
    pub fn reaching(cut: Option<Cut>) -> Self {
        cut.map_or(Limit::None, |c| Limit::Events(c.events))
    }

    fn reached(&self, events: usize) -> bool {
        match self {
            Limit::None => false,
            Limit::Events(n) => events >= *n,
            Limit::Until(t) => events.is_multiple_of(CHECK_EVERY) && events > 0 && std::time::Instant::now() >= *t,
        }
    }
}

impl Rendered {
    /// The text of one line, without styles.
    pub fn plain_line(&self, index: usize) -> String {
        self.lines.get(index).map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).unwrap_or_default()
    }

    /// The code block that contains `line`, if any.
    pub fn code_block_at(&self, line: usize) -> Option<&CodeBlock> {
        self.code_blocks.iter().find(|b| (b.first_line..=b.last_line).contains(&line))
    }

    /// The task whose text starts on, or wraps onto, `line`: the nearest
    /// task starting at or above `line` within the same paragraph.
    pub fn task_at(&self, line: usize) -> Option<&Task> {
        let task = self.tasks.iter().rev().find(|t| t.line <= line)?;
        let same_block = (task.line..=line).all(|l| !self.plain_line(l).trim().is_empty());
        (same_block && self.code_block_at(line).is_none()).then_some(task)
    }
}

pub use builder::MAX_NESTING;

/// Container markers (`>`, `-`, `*`, `+`, `1.`, `1)`) a line may open
/// before pulldown-cmark sees it; the ones past this are dropped. Its block
/// pass walks every open container on every line, so 100 000 nested quotes
/// followed by 30 000 lines took seconds before any event came out (and the
/// time limit is checked between events). One more than [`MAX_NESTING`], so
/// the layout still says that it flattened something.
const MAX_MARKERS: usize = MAX_NESTING + 1;

/// `markdown` with every line's leading container markers cut to
/// [`MAX_MARKERS`]. Linear; borrows when no line nests that deep.
fn cap_markers(markdown: &str) -> std::borrow::Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut done = 0;
    let mut at = 0;
    for line in markdown.split_inclusive('\n') {
        if let Some((from, to)) = excess_markers(line) {
            let o = out.get_or_insert_with(|| String::with_capacity(markdown.len()));
            o.push_str(&markdown[done..at + from]);
            done = at + to;
        }
        at += line.len();
    }
    match out {
        None => std::borrow::Cow::Borrowed(markdown),
        Some(mut o) => {
            o.push_str(&markdown[done..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

/// The byte range of `line`'s container markers past [`MAX_MARKERS`].
fn excess_markers(line: &str) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    let (mut pos, mut count, mut cut) = (0, 0, None);
    loop {
        let start = pos;
        let mut p = pos;
        while p < b.len() && p - start < 3 && b[p] == b' ' {
            p += 1;
        }
        let spaced = |i: usize| i >= b.len() || matches!(b[i], b' ' | b'\t' | b'\n' | b'\r');
        let end = match b.get(p) {
            Some(b'>') => p + 1 + usize::from(b.get(p + 1) == Some(&b' ')),
            Some(b'-' | b'*' | b'+') if spaced(p + 1) => (p + 2).min(b.len()),
            Some(b'0'..=b'9') => {
                let digits = b[p..].iter().take(10).take_while(|c| c.is_ascii_digit()).count();
                match b.get(p + digits) {
                    Some(b'.' | b')') if digits <= 9 && spaced(p + digits + 1) => (p + digits + 2).min(b.len()),
                    _ => break,
                }
            }
            _ => break,
        };
        count += 1;
        if count == MAX_MARKERS + 1 {
            cut = Some(start);
        }
        pos = end;
    }
    cut.map(|from| (from, pos))
}

/// Renders `markdown` for a pane `width` columns wide.
pub fn render(markdown: &str, width: u16, styles: &RunbookStyles) -> Rendered {
    render_limited(markdown, width, styles, Limit::None)
}

/// [`render`] within [`TIME_LIMIT`] from now: for a worker thread, never the
/// event loop (the clock is read here).
pub fn render_within(markdown: &str, width: u16, styles: &RunbookStyles) -> Rendered {
    render_limited(markdown, width, styles, Limit::Until(std::time::Instant::now() + TIME_LIMIT))
}

/// [`render`], stopping at `limit`; what was not laid out is said at the end.
pub fn render_limited(markdown: &str, width: u16, styles: &RunbookStyles, limit: Limit) -> Rendered {
    let markdown = &*cap_markers(markdown);
    let width = width.max(MIN_WIDTH);
    let options = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let mut b = builder::Builder::new(usize::from(width), styles);
    let mut cut = None;
    for (events, (event, range)) in Parser::new_ext(markdown, options).into_offset_iter().enumerate() {
        if limit.reached(events) {
            cut = Some(Cut { events, offset: range.start });
            break;
        }
        b.event(event);
    }
    if let Some(c) = cut {
        b.stopped(c.offset, markdown.len());
    }
    let mut out = b.finish();
    out.width = width;
    out.cut = cut;
    out
}

#[cfg(test)]
mod tests;
