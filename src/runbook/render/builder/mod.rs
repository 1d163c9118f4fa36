//! Walks pulldown-cmark events and lays out lines.
//!
//! Inline text accumulates as [`Piece`]s until its block ends, then is
//! wrapped to the width left after the container prefixes (quote bars,
//! list markers and indentation) and emitted.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::Span;

mod blocks;
mod inline;
mod layout;

use super::table::Table;
use super::wrap::Piece;
use super::{Rendered, RunbookStyles};
use crate::text::clean;

const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];

/// Quotes, lists and items nested deeper than this are laid out at this
/// depth (said once, where it happens). Without a cap, N nested `>` cost
/// O(N²): every line walks every open container.
pub const MAX_NESTING: usize = 32;

/// Emphasis, strong, strikethrough and links nested deeper than this add no
/// style: every piece of text folds the open styles.
const MAX_INLINE: usize = 32;

enum Container {
    Quote,
    List { next: Option<u64>, depth: usize },
    Item { marker: String, first: bool },
}

struct Code {
    lang: Option<String>,
    /// `unit=…` in the fence's info string (`promql unit=ratio`).
    unit: Option<String>,
    text: String,
}

pub(super) struct Builder<'s> {
    width: usize,
    styles: &'s RunbookStyles,
    out: Rendered,
    pieces: Vec<Piece>,
    inline: Vec<Style>,
    link_urls: Vec<String>,
    /// Open links: (url index, pieces.len() at start).
    links_open: Vec<(usize, usize)>,
    containers: Vec<Container>,
    heading: Option<u8>,
    task: Option<bool>,
    code: Option<Code>,
    html: Option<String>,
    table: Option<Table>,
    table_row: Vec<String>,
    need_gap: bool,
    /// Containers opened beyond [`MAX_NESTING`], not pushed: their ends
    /// are matched by this count.
    too_deep: usize,
    said_too_deep: bool,
    /// Inline styles opened beyond [`MAX_INLINE`], not pushed.
    inline_too_deep: usize,
}

impl<'s> Builder<'s> {
    pub fn new(width: usize, styles: &'s RunbookStyles) -> Self {
        Self {
            width,
            styles,
            out: Rendered::default(),
            pieces: Vec::new(),
            inline: Vec::new(),
            link_urls: Vec::new(),
            links_open: Vec::new(),
            containers: Vec::new(),
            heading: None,
            task: None,
            code: None,
            html: None,
            table: None,
            table_row: Vec::new(),
            need_gap: false,
            too_deep: 0,
            said_too_deep: false,
            inline_too_deep: 0,
        }
    }

    pub fn finish(mut self) -> Rendered {
        self.flush();
        self.out
    }

    pub fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match (&mut self.code, &mut self.html) {
                (Some(code), _) => code.text.push_str(&t),
                (_, Some(html)) => html.push_str(&t),
                _ => self.text(&t),
            },
            Event::Code(t) => {
                let style = self.inline_style().patch(self.styles.inline_code);
                self.push(clean(&t).into_owned(), style);
            }
            Event::Html(t) => match &mut self.html {
                Some(html) => html.push_str(&t),
                None => self.inline_html(&t),
            },
            Event::InlineHtml(t) => self.inline_html(&t),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.push("\n".into(), Style::new()),
            Event::Rule => {
                self.block_start();
                let avail = self.width.saturating_sub(self.prefix_width()).max(1);
                self.emit(vec![Span::styled("─".repeat(avail), self.styles.rule)]);
                self.need_gap = true;
            }
            Event::TaskListMarker(checked) => self.task = Some(checked),
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.block_start(),
            Tag::Heading { level, .. } => {
                self.block_start();
                self.heading = Some(heading_level(level));
            }
            Tag::BlockQuote(_) => {
                self.block_start();
                if self.may_nest() {
                    self.containers.push(Container::Quote);
                }
            }
            Tag::CodeBlock(kind) => {
                self.block_start();
                let (lang, unit) = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let lang = info.split_whitespace().next().map(|l| clean(l).into_owned());
                        let unit = info.split_whitespace().find_map(|w| w.strip_prefix("unit="));
                        (lang, unit.map(|u| crate::text::clean_truncated(u, 16)))
                    }
                    CodeBlockKind::Indented => (None, None),
                };
                self.code = Some(Code { lang, unit, text: String::new() });
            }
            Tag::HtmlBlock => {
                self.block_start();
                self.html = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                let depth = self.list_depth();
                if depth == 0 {
                    self.block_start();
                }
                if self.may_nest() {
                    self.containers.push(Container::List { next: start, depth });
                }
            }
            Tag::Item => {
                self.flush();
                if self.may_nest() {
                    let marker = self.next_marker();
                    self.containers.push(Container::Item { marker, first: true });
                }
            }
            Tag::Table(aligns) => {
                self.block_start();
                self.table = Some(Table { aligns, ..Table::default() });
            }
            Tag::TableHead | Tag::TableRow => self.table_row.clear(),
            Tag::TableCell => self.pieces.clear(),
            Tag::Emphasis => self.push_inline(self.styles.emphasis),
            Tag::Strong => self.push_inline(self.styles.strong),
            Tag::Strikethrough => self.push_inline(self.styles.strikethrough),
            Tag::Link { dest_url, .. } => self.open_link(&dest_url, ""),
            Tag::Image { dest_url, .. } => self.open_link(&dest_url, "[image: "),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                self.need_gap = true;
            }
            TagEnd::Heading(_) => {
                self.flush();
                self.need_gap = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.unnest();
                self.need_gap = true;
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::HtmlBlock => self.end_html(),
            TagEnd::List(_) => {
                self.flush();
                self.unnest();
                if !self.containers.iter().any(|c| matches!(c, Container::Item { .. })) {
                    self.need_gap = true;
                }
            }
            TagEnd::Item => {
                if self.task.is_some() && self.pieces.is_empty() {
                    // A step with no text still shows (and ticks) its box.
                    self.pieces.push(Piece::new(" ", Style::new(), None));
                }
                self.flush();
                self.unnest();
            }
            TagEnd::TableCell => {
                let cell = plain(&self.take_pieces());
                self.table_row.push(cell);
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.header = std::mem::take(&mut self.table_row);
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    t.rows.push(std::mem::take(&mut self.table_row));
                }
            }
            TagEnd::Table => self.end_table(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => match self.inline_too_deep {
                0 => drop(self.inline.pop()),
                _ => self.inline_too_deep -= 1,
            },
            TagEnd::Link => self.close_link(""),
            TagEnd::Image => self.close_link("]"),
            _ => {}
        }
    }
}

impl Builder<'_> {
    /// Whether one more container may open; past [`MAX_NESTING`] it is
    /// counted instead, and the reader told once.
    fn may_nest(&mut self) -> bool {
        if self.containers.len() < MAX_NESTING {
            return true;
        }
        self.too_deep += 1;
        if !self.said_too_deep {
            self.said_too_deep = true;
            // A task box waiting for its text stays with its text.
            let task = self.task.take();
            self.flush();
            let note = format!("⋯ nested deeper than {MAX_NESTING} levels: the rest is shown at level {MAX_NESTING}");
            self.push(note, self.styles.rule);
            self.flush();
            self.task = task;
        }
        false
    }

    /// The layout stopped at byte `offset` of `len`: what is laid out stays,
    /// and the reader is told where the rest begins.
    pub fn stopped(&mut self, offset: usize, len: usize) {
        self.flush();
        self.containers.clear();
        (self.too_deep, self.inline_too_deep, self.heading, self.task) = (0, 0, None, None);
        (self.code, self.html, self.table) = (None, None, None);
        self.inline.clear();
        self.links_open.clear();
        self.need_gap = true;
        self.block_start();
        let note = format!(
            "⋯ the rest of this runbook (from byte {offset} of {len}) is not shown: it took over {} s to lay out; \
             open the file itself to read it",
            super::TIME_LIMIT.as_secs()
        );
        self.push(note, self.styles.rule);
        self.flush();
    }

    /// Closes the innermost container (or one that was not opened).
    fn unnest(&mut self) {
        match self.too_deep {
            0 => drop(self.containers.pop()),
            _ => self.too_deep -= 1,
        }
    }

    fn push_inline(&mut self, style: Style) {
        match self.inline.len() < MAX_INLINE {
            true => self.inline.push(style),
            false => self.inline_too_deep += 1,
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The text of pieces, hard breaks as spaces.
fn plain(pieces: &[Piece]) -> String {
    pieces.iter().map(|p| if p.text == "\n" { " " } else { p.text.as_str() }).collect()
}
