//! Line prefixes from the open containers (quote bars, list markers,
//! indentation) and the blank lines between blocks.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::{BULLETS, Builder, Container};

impl Builder<'_> {
    pub(super) fn list_depth(&self) -> usize {
        self.containers.iter().filter(|c| matches!(c, Container::List { .. })).count()
    }

    pub(super) fn next_marker(&mut self) -> String {
        let Some(Container::List { next, depth }) =
            self.containers.iter_mut().rev().find(|c| matches!(c, Container::List { .. }))
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
    pub(super) fn block_start(&mut self) {
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
    pub(super) fn prefix(&mut self, consume: bool) -> Vec<Span<'static>> {
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

    pub(super) fn prefix_width(&self) -> usize {
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
    pub(super) fn emit(&mut self, body: Vec<Span<'static>>) -> usize {
        let mut spans = self.prefix(true);
        let prefix_w = spans.iter().map(Span::width).sum();
        spans.extend(body);
        self.out.lines.push(Line::from(spans));
        prefix_w
    }

    pub(super) fn in_quote(&self) -> bool {
        self.containers.iter().any(|c| matches!(c, Container::Quote))
    }
}
