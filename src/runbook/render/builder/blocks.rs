//! Emitting blocks: wrapped paragraphs, headings and steps, code blocks,
//! raw HTML blocks and tables, each after the container prefix.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::super::wrap::{Piece, wrap};
use super::super::{CodeBlock, Heading, Link, Task};
use super::{Builder, plain};
use crate::text::clean;

impl Builder<'_> {
    /// Wraps and emits the pending inline text as a paragraph, heading or
    /// list item text.
    pub(super) fn flush(&mut self) {
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
            self.out.tasks.push(Task { index, line: first_line, col, text, checked });
        } else if let Some(level) = self.heading.take() {
            self.out.headings.push(Heading { level, text, line: first_line });
            if level <= 2 {
                let ch = if level == 1 { "═" } else { "─" };
                let w = self.out.lines[first_line..].iter().map(Line::width).max().unwrap_or(0);
                let rule_w = w.saturating_sub(self.prefix_width()).clamp(1, avail);
                self.emit(vec![Span::styled(ch.repeat(rule_w), base)]);
            }
        }
    }

    /// Emits a wrapped line; returns the prefix width.
    pub(super) fn emit_pieces(&mut self, line: Vec<Piece>, base: Style) -> usize {
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

    pub(super) fn end_code(&mut self) {
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
        let text = cleaned.join("\n");
        self.out.code_blocks.push(CodeBlock {
            first_line,
            last_line: self.out.lines.len() - 1,
            indent,
            live: crate::runbook::live::detect(code.lang.as_deref(), &text),
            unit: code.unit,
            lang: code.lang,
            text,
        });
        self.need_gap = true;
    }

    /// A raw HTML block: its text, without tags, as plain paragraphs.
    pub(super) fn end_html(&mut self) {
        let Some(html) = self.html.take() else { return };
        let text = crate::runbook::html::to_markdown(&html);
        for (i, para) in text.split("\n\n").filter(|p| !p.trim().is_empty()).enumerate() {
            if i > 0 {
                self.need_gap = true;
                self.block_start();
            }
            self.text(&para.replace('\n', " "));
            self.flush();
        }
        self.need_gap = true;
    }

    pub(super) fn end_table(&mut self) {
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
