//! Walks pulldown-cmark events and lays out lines.
//!
//! Inline text accumulates as [`Piece`]s until its block ends, then is
//! wrapped to the width left after the container prefixes (quote bars,
//! list markers and indentation) and emitted.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::table::Table;
use super::wrap::{Piece, wrap};
use super::{CodeBlock, Heading, Link, Rendered, RunbookStyles, Task};
use crate::text::clean;

const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];

enum Container {
    Quote,
    List { next: Option<u64>, depth: usize },
    Item { marker: String, first: bool },
}

struct Code {
    lang: Option<String>,
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
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t)
            }
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
                self.containers.push(Container::Quote);
            }
            Tag::CodeBlock(kind) => {
                self.block_start();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|l| clean(l).into_owned()),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some(Code {
                    lang,
                    text: String::new(),
                });
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
                self.containers.push(Container::List { next: start, depth });
            }
            Tag::Item => {
                self.flush();
                let marker = self.next_marker();
                self.containers.push(Container::Item {
                    marker,
                    first: true,
                });
            }
            Tag::Table(aligns) => {
                self.block_start();
                self.table = Some(Table {
                    aligns,
                    ..Table::default()
                });
            }
            Tag::TableHead | Tag::TableRow => self.table_row.clear(),
            Tag::TableCell => self.pieces.clear(),
            Tag::Emphasis => self.inline.push(self.styles.emphasis),
            Tag::Strong => self.inline.push(self.styles.strong),
            Tag::Strikethrough => self.inline.push(self.styles.strikethrough),
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
                self.containers.pop();
                self.need_gap = true;
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::HtmlBlock => self.end_html(),
            TagEnd::List(_) => {
                self.flush();
                self.containers.pop();
                if !self
                    .containers
                    .iter()
                    .any(|c| matches!(c, Container::Item { .. }))
                {
                    self.need_gap = true;
                }
            }
            TagEnd::Item => {
                if self.task.is_some() && self.pieces.is_empty() {
                    // A step with no text still shows (and ticks) its box.
                    self.pieces.push(Piece::new(" ", Style::new(), None));
                }
                self.flush();
                self.containers.pop();
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
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.inline.pop();
            }
            TagEnd::Link => self.close_link(""),
            TagEnd::Image => self.close_link("]"),
            _ => {}
        }
    }

    /// Raw text joins the previous piece when it can, and is cleaned only
    /// when taken: the parser splits text at `[` and `]`, which would cut an
    /// escape sequence in two and leave half of it visible.
    fn text(&mut self, t: &str) {
        let style = self.inline_style();
        let link = self.links_open.last().map(|&(i, _)| i);
        match self.pieces.last_mut() {
            Some(last) if last.style == style && last.link == link && last.text != "\n" => {
                last.text.push_str(t);
            }
            _ => self.push(t.to_string(), style),
        }
    }

    /// The pending pieces, cleaned.
    fn take_pieces(&mut self) -> Vec<Piece> {
        let mut pieces = std::mem::take(&mut self.pieces);
        for p in &mut pieces {
            if p.text != "\n" {
                p.text = clean(&p.text).into_owned();
            }
        }
        pieces.retain(|p| !p.text.is_empty());
        pieces
    }

    /// `<br>` breaks the line; other inline tags are dropped (their text
    /// arrives as ordinary text events).
    fn inline_html(&mut self, t: &str) {
        let tag = t.trim().to_ascii_lowercase();
        if tag.starts_with("<br") {
            self.push("\n".into(), Style::new());
        }
    }

    fn push(&mut self, text: String, style: Style) {
        if text.is_empty() {
            return;
        }
        let link = self.links_open.last().map(|&(i, _)| i);
        self.pieces.push(Piece::new(text, style, link));
    }

    fn inline_style(&self) -> Style {
        let base = match self.links_open.is_empty() {
            true => Style::new(),
            false => self.styles.link,
        };
        self.inline.iter().fold(base, |acc, s| acc.patch(*s))
    }

    fn open_link(&mut self, url: &str, label: &str) {
        self.link_urls.push(clean(url).into_owned());
        let start = self.pieces.len();
        self.links_open.push((self.link_urls.len() - 1, start));
        if !label.is_empty() {
            let style = self.inline_style();
            self.push(label.into(), style);
        }
    }

    /// Shows the URL after the link text, unless the text already is it.
    fn close_link(&mut self, suffix: &str) {
        if !suffix.is_empty() {
            let style = self.inline_style();
            self.push(suffix.into(), style);
        }
        let Some((idx, start)) = self.links_open.pop() else {
            return;
        };
        let url = self.link_urls[idx].clone();
        let text = clean(&plain(&self.pieces[start.min(self.pieces.len())..])).into_owned();
        let same = text == url || url.strip_prefix("mailto:") == Some(text.as_str());
        if !url.is_empty() && !same {
            self.pieces.push(Piece::new(
                format!(" <{url}>"),
                self.styles.link_url,
                Some(idx),
            ));
        }
    }

    fn list_depth(&self) -> usize {
        self.containers
            .iter()
            .filter(|c| matches!(c, Container::List { .. }))
            .count()
    }

    fn next_marker(&mut self) -> String {
        let Some(Container::List { next, depth }) = self
            .containers
            .iter_mut()
            .rev()
            .find(|c| matches!(c, Container::List { .. }))
        else {
            return BULLETS[0].into();
        };
        match next {
            Some(n) => {
                let marker = format!("{n}. ");
                *n = n.saturating_add(1);
                marker
            }
            None => BULLETS[*depth % BULLETS.len()].into(),
        }
    }

    /// Before a block: emit pending inline text, then a blank line if the
    /// previous block asked for one.
    fn block_start(&mut self) {
        self.flush();
        if self.need_gap && !self.out.lines.is_empty() {
            let prefix = self.prefix(false);
            self.out.lines.push(Line::from(prefix));
        }
        self.need_gap = false;
    }

    /// The prefix of the next line. `consume` marks the item markers as
    /// printed (continuation lines get spaces instead). Deep nesting is cut
    /// from the left so that text keeps at least half the width.
    fn prefix(&mut self, consume: bool) -> Vec<Span<'static>> {
        let mut spans: Vec<Span<'static>> = Vec::new();
        for c in &mut self.containers {
            match c {
                Container::Quote => spans.push(Span::styled("│ ", self.styles.quote_bar)),
                Container::Item { marker, first } => {
                    if *first && consume {
                        spans.push(Span::styled(marker.clone(), self.styles.list_marker));
                        *first = false;
                    } else {
                        spans.push(Span::raw(" ".repeat(marker.width())));
                    }
                }
                Container::List { .. } => {}
            }
        }
        let limit = self.width / 2;
        let mut total: usize = spans.iter().map(Span::width).sum();
        while total > limit && !spans.is_empty() {
            total -= spans.remove(0).width();
        }
        spans
    }

    fn prefix_width(&self) -> usize {
        let total: usize = self
            .containers
            .iter()
            .map(|c| match c {
                Container::Quote => 2,
                Container::Item { marker, .. } => marker.width(),
                Container::List { .. } => 0,
            })
            .sum();
        total.min(self.width / 2)
    }

    /// Emits one line after the container prefix; returns the prefix width.
    fn emit(&mut self, body: Vec<Span<'static>>) -> usize {
        let mut spans = self.prefix(true);
        let prefix_w = spans.iter().map(Span::width).sum();
        spans.extend(body);
        self.out.lines.push(Line::from(spans));
        prefix_w
    }

    fn in_quote(&self) -> bool {
        self.containers
            .iter()
            .any(|c| matches!(c, Container::Quote))
    }

    /// Wraps and emits the pending inline text as a paragraph, heading or
    /// list item text.
    fn flush(&mut self) {
        if self.pieces.is_empty() {
            // A task marker stays pending until its text arrives.
            self.heading = None;
            return;
        }
        let task = self.task.take();
        let mut pieces = self.take_pieces();
        let text = plain(&pieces).trim().to_string();
        let mut base = self.styles.text;
        if self.in_quote() {
            base = base.patch(self.styles.quote);
        }
        if let Some(level) = self.heading {
            base = base.patch(self.styles.headings[usize::from(level.clamp(1, 6)) - 1]);
        }
        if let Some(checked) = task {
            let (mark, style) = match checked {
                true => ("[x] ", self.styles.task_done),
                false => ("[ ] ", self.styles.task_open),
            };
            pieces.insert(0, Piece::new(mark, style, None));
        }
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        let first_line = self.out.lines.len();
        let mut first_col = 0;
        for (i, line) in wrap(&pieces, avail).into_iter().enumerate() {
            let col = self.emit_pieces(line, base);
            if i == 0 {
                first_col = col as u16;
            }
        }
        if let Some(checked) = task {
            let col = first_col;
            let index = self.out.tasks.len();
            self.out.tasks.push(Task {
                index,
                line: first_line,
                col,
                text,
                checked,
            });
        } else if let Some(level) = self.heading.take() {
            self.out.headings.push(Heading {
                level,
                text,
                line: first_line,
            });
            if level <= 2 {
                let ch = if level == 1 { "═" } else { "─" };
                let w = self.out.lines[first_line..]
                    .iter()
                    .map(Line::width)
                    .max()
                    .unwrap_or(0);
                let rule_w = w.saturating_sub(self.prefix_width()).clamp(1, avail);
                self.emit(vec![Span::styled(ch.repeat(rule_w), base)]);
            }
        }
    }

    /// Emits a wrapped line; returns the prefix width.
    fn emit_pieces(&mut self, line: Vec<Piece>, base: Style) -> usize {
        let mut spans = self.prefix(true);
        let prefix_w: usize = spans.iter().map(Span::width).sum();
        let mut col = prefix_w;
        let index = self.out.lines.len();
        for piece in line {
            let w = piece.width();
            if let Some(link) = piece.link {
                self.out.links.push(Link {
                    line: index,
                    col: col as u16,
                    width: w as u16,
                    url: self.link_urls[link].clone(),
                });
            }
            col += w;
            spans.push(Span::styled(piece.text, base.patch(piece.style)));
        }
        self.out.lines.push(Line::from(spans));
        prefix_w
    }

    fn end_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let cleaned: Vec<String> = code.text.lines().map(|l| clean(l).into_owned()).collect();
        let first_line = self.out.lines.len();
        let style = self.styles.code_block;
        let mut indent = 0;
        if cleaned.is_empty() {
            indent = self.emit(vec![Span::styled(" ", style)]);
        }
        for (i, line) in cleaned.iter().enumerate() {
            let w = self.emit(vec![Span::styled(format!(" {line}"), style)]);
            if i == 0 {
                indent = w;
            }
        }
        let indent = indent as u16;
        self.out.code_blocks.push(CodeBlock {
            first_line,
            last_line: self.out.lines.len() - 1,
            indent,
            lang: code.lang,
            text: cleaned.join("\n"),
        });
        self.need_gap = true;
    }

    /// A raw HTML block: its text, without tags, as plain paragraphs.
    fn end_html(&mut self) {
        let Some(html) = self.html.take() else { return };
        let text = super::super::html::to_markdown(&html);
        for (i, para) in text
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .enumerate()
        {
            if i > 0 {
                self.need_gap = true;
                self.block_start();
            }
            self.text(&para.replace('\n', " "));
            self.flush();
        }
        self.need_gap = true;
    }

    fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        for row in table.layout(avail, self.styles) {
            self.emit(row);
        }
        self.need_gap = true;
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
    pieces
        .iter()
        .map(|p| if p.text == "\n" { " " } else { p.text.as_str() })
        .collect()
}
