//! Word wrapping of styled text to a column width.
//!
//! Breaks at spaces; a word wider than the line (a long URL) is cut
//! between grapheme clusters, never inside a wide character, an accented
//! letter or a flag, so no line ever exceeds the width. Widths are
//! [`crate::text::width`]'s, the cells ratatui fills. The text is clean
//! (the renderer cleans the runbook first); on any other text the lines
//! still fit.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

/// A run of text with one style, optionally part of link number `link`.
/// A piece whose text is `"\n"` is a hard line break.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Piece {
    pub text: String,
    pub style: Style,
    pub link: Option<usize>,
}

impl Piece {
    pub fn new(text: impl Into<String>, style: Style, link: Option<usize>) -> Self {
        Self { text: text.into(), style, link }
    }

    pub fn width(&self) -> usize {
        crate::text::width(&self.text)
    }

    fn same_kind(&self, other: &Piece) -> bool {
        self.style == other.style && self.link == other.link
    }
}

enum Token {
    Word(Vec<Piece>),
    Space(Piece),
    Break,
}

/// Splits pieces into words (which may span pieces: `**a**b` is one word),
/// spaces and hard breaks.
fn tokenize(pieces: &[Piece]) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    for piece in pieces {
        if piece.text == "\n" {
            tokens.push(Token::Break);
            continue;
        }
        let mut rest = piece.text.as_str();
        while let Some(first) = rest.chars().next() {
            let space = first == ' ';
            let end = rest.find(|c: char| (c == ' ') != space).unwrap_or(rest.len());
            let frag = Piece::new(&rest[..end], piece.style, piece.link);
            rest = &rest[end..];
            match (space, tokens.last_mut()) {
                (true, _) => tokens.push(Token::Space(frag)),
                (false, Some(Token::Word(parts))) => push_merged(parts, frag),
                (false, _) => tokens.push(Token::Word(vec![frag])),
            }
        }
    }
    tokens
}

fn push_merged(line: &mut Vec<Piece>, piece: Piece) {
    match line.last_mut() {
        Some(last) if last.same_kind(&piece) => last.text.push_str(&piece.text),
        _ => line.push(piece),
    }
}

#[derive(Default)]
struct Lines {
    done: Vec<Vec<Piece>>,
    cur: Vec<Piece>,
    width: usize,
}

impl Lines {
    fn push(&mut self, piece: Piece) {
        self.width += piece.width();
        push_merged(&mut self.cur, piece);
    }

    fn newline(&mut self) {
        self.done.push(std::mem::take(&mut self.cur));
        self.width = 0;
    }
}

/// Wraps `pieces` into lines of at most `width` columns (at least 1).
pub(super) fn wrap(pieces: &[Piece], width: usize) -> Vec<Vec<Piece>> {
    let width = width.max(1);
    let mut lines = Lines::default();
    let mut pending_space: Option<Piece> = None;
    for token in tokenize(pieces) {
        match token {
            Token::Break => {
                lines.newline();
                pending_space = None;
            }
            Token::Space(s) => {
                if lines.width > 0 {
                    pending_space = Some(s);
                }
            }
            Token::Word(parts) => {
                let word_w: usize = parts.iter().map(Piece::width).sum();
                let space_w = pending_space.as_ref().map_or(0, Piece::width);
                if lines.width + space_w + word_w <= width {
                    if let Some(s) = pending_space.take() {
                        lines.push(s);
                    }
                    parts.into_iter().for_each(|p| lines.push(p));
                } else {
                    pending_space = None;
                    if lines.width > 0 {
                        lines.newline();
                    }
                    if word_w <= width {
                        parts.into_iter().for_each(|p| lines.push(p));
                    } else {
                        hard_split(parts, width, &mut lines);
                    }
                }
            }
        }
    }
    if !lines.cur.is_empty() || lines.done.is_empty() {
        lines.newline();
    }
    lines.done
}

/// Cuts an over-long word between grapheme clusters. A cluster wider than
/// the whole line still gets a line of its own, so wrapping always
/// progresses.
fn hard_split(parts: Vec<Piece>, width: usize, lines: &mut Lines) {
    for part in parts {
        for cluster in part.text.graphemes(true) {
            let cluster_w = crate::text::cluster_width(cluster);
            if lines.width > 0 && lines.width + cluster_w > width {
                lines.newline();
            }
            lines.push(Piece::new(cluster, part.style, part.link));
        }
    }
}

/// Wraps one plain string (table cells).
pub(super) fn wrap_plain(text: &str, style: Style, width: usize) -> Vec<String> {
    wrap(&[Piece::new(text, style, None)], width)
        .into_iter()
        .map(|line| line.into_iter().map(|p| p.text).collect())
        .collect()
}

/// Wraps ratatui lines to `width` columns for a `Paragraph` drawn without
/// its own wrapping. ratatui 0.30's `Wrap` checks the overflow before adding
/// the character at hand, so a wide character ending a long line lands in
/// the column past the width: over the pane's border in the terminal. A line
/// that fits is kept as it is; a longer one is wrapped at spaces (a word
/// wider than the line between grapheme clusters), its leading indentation
/// repeated on every row while it leaves room for text.
pub fn wrap_lines<'a>(lines: Vec<Line<'a>>, width: u16) -> Vec<Line<'a>> {
    let width = usize::from(width).max(1);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.spans.iter().map(|s| crate::text::width(&s.content)).sum::<usize>() <= width {
            out.push(line);
            continue;
        }
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let indent = text.len() - text.trim_start_matches(' ').len();
        let indent = if indent * 2 <= width && width - indent >= 2 { indent } else { 0 };
        let mut skip = indent;
        let pieces: Vec<Piece> = line
            .spans
            .iter()
            .filter_map(|s| {
                let content = s.content.as_ref();
                let cut = skip.min(content.len());
                skip -= cut;
                let rest = &content[cut..];
                (!rest.is_empty()).then(|| Piece::new(rest.replace('\n', " "), s.style, None))
            })
            .collect();
        for row in wrap(&pieces, width - indent) {
            let mut spans: Vec<Span<'a>> = Vec::with_capacity(row.len() + 1);
            if indent > 0 {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            spans.extend(row.into_iter().map(|p| Span::styled(p.text, p.style)));
            out.push(Line { spans, style: line.style, alignment: line.alignment });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Vec<Piece>]) -> Vec<String> {
        lines.iter().map(|l| l.iter().map(|p| p.text.as_str()).collect()).collect()
    }

    #[test]
    fn wraps_at_spaces_and_keeps_styled_words_whole() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let pieces = vec![
            Piece::new("restart the ", Style::new(), None),
            Piece::new("pg", bold, None),
            Piece::new("bouncer pool now", Style::new(), None),
        ];
        assert_eq!(texts(&wrap(&pieces, 12)), vec!["restart the", "pgbouncer", "pool now"]);
    }

    #[test]
    fn long_words_are_cut_without_exceeding_width() {
        let lines = wrap(&[Piece::new("abcdefghij", Style::new(), None)], 4);
        assert_eq!(texts(&lines), vec!["abcd", "efgh", "ij"]);
        let wide = wrap(&[Piece::new("日本語のテキスト", Style::new(), None)], 5);
        assert!(wide.iter().all(|l| l.iter().map(Piece::width).sum::<usize>() <= 5));
        assert_eq!(texts(&wide).concat(), "日本語のテキスト");
        let narrow = wrap(&[Piece::new("日本", Style::new(), None)], 1);
        assert_eq!(texts(&narrow), vec!["日", "本"]);
    }

    #[test]
    fn breaks_and_empty_input() {
        let pieces = vec![
            Piece::new("a", Style::new(), None),
            Piece::new("\n", Style::new(), None),
            Piece::new("b", Style::new(), None),
        ];
        assert_eq!(texts(&wrap(&pieces, 10)), vec!["a", "b"]);
        assert_eq!(texts(&wrap(&[], 10)), vec![""]);
        assert_eq!(wrap_plain("e\u{301}e\u{301}", Style::new(), 1), vec!["e\u{301}", "e\u{301}"]);
    }

    #[test]
    fn clusters_are_never_split_and_measured_as_drawn() {
        // Flags and Hangul jamo are clusters of several characters.
        assert_eq!(wrap_plain("🇫🇷🇩🇪", Style::new(), 3), vec!["🇫🇷", "🇩🇪"]);
        assert_eq!(wrap_plain("\u{1100}\u{1161}\u{1100}\u{1161}", Style::new(), 2).len(), 2);
        // `*` + VS16 is one cluster two columns wide (arbitrary input).
        let lines = wrap(&[Piece::new("*\u{fe0f}*\u{fe0f}", Style::new(), None)], 3);
        assert_eq!(texts(&lines), vec!["*\u{fe0f}", "*\u{fe0f}"]);
    }

    #[test]
    fn wrapped_lines_keep_wide_characters_inside_the_width() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        use ratatui::widgets::{Paragraph, Widget, Wrap};
        let draw = |p: Paragraph<'_>| {
            let mut buf = Buffer::empty(Rect::new(0, 0, 17, 2));
            p.render(Rect::new(0, 0, 15, 2), &mut buf);
            buf
        };
        // Why: ratatui's own wrapping puts the wide `～` in column 14, so it
        // covers column 15, past the width (the pane's border).
        let theirs = draw(Paragraph::new("abcdefghijklmn～").wrap(Wrap { trim: false }));
        assert_eq!(theirs[(14, 0)].symbol(), "～");
        let ours = draw(Paragraph::new(wrap_lines(vec![Line::from("abcdefghijklmn～")], 15)));
        assert_eq!(ours[(14, 0)].symbol(), " ");
        assert_eq!(ours[(0, 1)].symbol(), "～");
        // Lines that fit are kept whole; indentation hangs.
        let fit = Line::styled("  fits", Style::new().add_modifier(ratatui::style::Modifier::BOLD));
        assert_eq!(wrap_lines(vec![fit.clone()], 15), vec![fit]);
        let rows: Vec<String> = wrap_lines(vec![Line::from("  key value more words")], 12)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(rows, vec!["  key value", "  more words"]);
    }

    proptest::proptest! {
        #[test]
        fn wrapped_lines_fit_for_any_unicode(
            parts in proptest::collection::vec(crate::text::tests::unicode_text(), 1..4),
            width in 1u16..30,
        ) {
            let line = Line::from(parts.iter().map(|p| ratatui::text::Span::raw(crate::text::clean(p).into_owned())).collect::<Vec<_>>());
            for row in wrap_lines(vec![line], width) {
                let text: String = row.spans.iter().map(|s| s.content.as_ref()).collect();
                let w: usize = row.spans.iter().map(|s| crate::text::width(&s.content)).sum();
                let drawn = text.trim_start_matches(' ').graphemes(true).filter(|g| crate::text::cluster_width(g) > 0).count();
                proptest::prop_assert!(w <= usize::from(width) || drawn == 1, "{:?} at {}: {:?}", parts, width, text);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn lines_fit_for_any_unicode(s in crate::text::tests::unicode_text(), width in 1usize..30) {
            let pieces = [Piece::new(s.clone(), Style::new(), None)];
            for line in wrap(&pieces, width) {
                let text: String = line.iter().map(|p| p.text.as_str()).collect();
                let w: usize = line.iter().map(Piece::width).sum();
                // A line over the width holds one drawn cluster, wider than the line.
                let drawn = text.graphemes(true).filter(|g| crate::text::cluster_width(g) > 0).count();
                proptest::prop_assert!(w <= width || drawn == 1, "{:?} at {}: {:?}", s, width, text);
            }
        }
    }
}
