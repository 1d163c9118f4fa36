//! Inline content: text, code spans, links and inline HTML accumulate as
//! pieces; raw text is cleaned when the pieces are taken.

use ratatui::style::Style;

use super::super::wrap::Piece;
use super::{Builder, plain};
use crate::text::clean;

impl Builder<'_> {
    /// Raw text joins the previous piece when it can, and is cleaned only
    /// when taken: the parser splits text at `[` and `]`, which would cut an
    /// escape sequence in two and leave half of it visible.
    pub(super) fn text(&mut self, t: &str) {
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
    pub(super) fn take_pieces(&mut self) -> Vec<Piece> {
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
    pub(super) fn inline_html(&mut self, t: &str) {
        let tag = t.trim().to_ascii_lowercase();
        if tag.starts_with("<br") {
            self.push("\n".into(), Style::new());
        }
    }

    pub(super) fn push(&mut self, text: String, style: Style) {
        if text.is_empty() {
            return;
        }
        let link = self.links_open.last().map(|&(i, _)| i);
        self.pieces.push(Piece::new(text, style, link));
    }

    pub(super) fn inline_style(&self) -> Style {
        let base = match self.links_open.is_empty() {
            true => Style::new(),
            false => self.styles.link,
        };
        self.inline.iter().fold(base, |acc, s| acc.patch(*s))
    }

    pub(super) fn open_link(&mut self, url: &str, label: &str) {
        self.link_urls.push(clean(url).into_owned());
        let start = self.pieces.len();
        self.links_open.push((self.link_urls.len() - 1, start));
        if !label.is_empty() {
            let style = self.inline_style();
            self.push(label.into(), style);
        }
    }

    /// Shows the URL after the link text, unless the text already is it.
    pub(super) fn close_link(&mut self, suffix: &str) {
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
            self.pieces.push(Piece::new(format!(" <{url}>"), self.styles.link_url, Some(idx)));
        }
    }
}
