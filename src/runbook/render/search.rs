//! Finding text in rendered lines, in display columns so that the pane can
//! highlight hits exactly where they are drawn.

use unicode_width::UnicodeWidthChar;

use super::Rendered;

/// One search hit on a rendered line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchMatch {
    pub line: usize,
    pub col: u16,
    pub width: u16,
}

/// Each char lower-cased to one char, so that columns stay aligned.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl Rendered {
    /// Case-insensitive, non-overlapping matches of `query` in every line.
    pub fn find(&self, query: &str) -> Vec<SearchMatch> {
        let needle: Vec<char> = query.chars().map(fold).collect();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for line in 0..self.lines.len() {
            let hay: Vec<(char, usize)> =
                self.plain_line(line).chars().map(|c| (fold(c), c.width().unwrap_or(0))).collect();
            let (mut i, mut col) = (0, 0);
            while i + needle.len() <= hay.len() {
                let window = &hay[i..i + needle.len()];
                if window.iter().map(|h| h.0).eq(needle.iter().copied()) {
                    let width: usize = window.iter().map(|h| h.1).sum();
                    out.push(SearchMatch { line, col: col as u16, width: width as u16 });
                    col += width;
                    i += needle.len();
                } else {
                    col += hay[i].1;
                    i += 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RunbookStyles, render};

    #[test]
    fn finds_case_insensitively_in_columns() {
        let r = render("Pool pool\n\n日本 POOL", 40, &RunbookStyles::default());
        let hits = r.find("pool");
        let at: Vec<(usize, u16, u16)> = hits.iter().map(|m| (m.line, m.col, m.width)).collect();
        assert_eq!(at, vec![(0, 0, 4), (0, 5, 4), (2, 5, 4)]);
        assert!(r.find("").is_empty());
        assert!(r.find("absent").is_empty());
    }
}
