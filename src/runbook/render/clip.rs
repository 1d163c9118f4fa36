//! Horizontal scrolling of unwrapped lines (code blocks): the prefix stays,
//! the rest shifts left, and a cut is marked (`‹` left, `›` right) so that
//! nobody runs a command believing they saw all of it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use crate::text::{cluster_width, width as text_width};

const CUT_LEFT: &str = "‹";
const CUT_RIGHT: &str = "›";

/// One grapheme cluster: what ratatui draws in one cell (two for a wide
/// one), measured as ratatui measures it.
struct Cell {
    text: String,
    width: usize,
    style: Style,
}

/// The clusters of each span, as ratatui segments them (span by span).
/// A cluster ratatui does not draw (zero width) stays with the one before,
/// so nothing of the text is lost and nothing is counted twice.
fn cells(line: &Line<'_>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    for span in &line.spans {
        let style = line.style.patch(span.style);
        for g in span.content.graphemes(true) {
            let width = cluster_width(g);
            match out.last_mut() {
                Some(last) if width == 0 => last.text.push_str(g),
                _ => out.push(Cell { text: g.to_string(), width, style }),
            }
        }
    }
    out
}

/// The part of `line` shown in `width` columns when scrolled `offset`
/// columns right, keeping the first `keep` columns in place.
pub fn clip_line(line: &Line<'_>, keep: u16, offset: u16, width: u16) -> Line<'static> {
    let (keep, offset, width) = (usize::from(keep), usize::from(offset), usize::from(width));
    let keep = keep.min(width);
    let all = cells(line);
    let mut out: Vec<(String, Style)> = Vec::new();
    let mut col = 0;
    let mut rest = all.iter().peekable();
    while let Some(cell) = rest.next_if(|c| col + c.width <= keep) {
        out.push((cell.text.clone(), cell.style));
        col += cell.width;
    }
    let pad_style = all.last().map_or(Style::new(), |c| c.style);
    out.extend(std::iter::repeat_n((" ".to_string(), pad_style), keep - col));
    let start = keep + offset;
    let avail = width - keep;
    let mut shown: Vec<(String, Style, usize)> = Vec::new();
    let mut pos = col;
    let mut total_after = 0;
    for cell in rest {
        let (from, to) = (pos, pos + cell.width);
        pos = to;
        if to <= start {
            continue;
        }
        total_after = to - start;
        if from < start {
            // A wide character cut by the left edge: show blanks.
            shown.push((" ".repeat(to - start), cell.style, to - start));
        } else {
            shown.push((cell.text.clone(), cell.style, cell.width));
        }
    }
    let mut used = 0;
    let mut visible: Vec<(String, Style)> = Vec::new();
    let overflow = total_after > avail;
    let limit = if overflow { avail.saturating_sub(1) } else { avail };
    for (text, style, w) in shown {
        if used + w > limit {
            break;
        }
        used += w;
        visible.push((text, style));
    }
    if offset > 0 && avail > 0 {
        let style = visible.first().map_or(pad_style, |v| v.1);
        match visible.first_mut() {
            Some(first) if text_width(&first.0) == 1 => first.0 = CUT_LEFT.into(),
            Some(first) => {
                let rest = text_width(&first.0).saturating_sub(1);
                first.0 = format!("{CUT_LEFT}{}", " ".repeat(rest));
            }
            None => visible.push((CUT_LEFT.into(), style)),
        }
        used = used.max(1);
    }
    if overflow && used < avail {
        let pad = limit.saturating_sub(used);
        visible.extend(std::iter::repeat_n((" ".to_string(), pad_style), pad));
        visible.push((CUT_RIGHT.into(), pad_style));
    }
    out.extend(visible);
    merge(out)
}

fn merge(parts: Vec<(String, Style)>) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (text, style) in parts {
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(&text),
            _ => spans.push(Span::styled(text, style)),
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn drawn(line: &Line<'_>) -> usize {
        line.spans.iter().map(|s| text_width(&s.content)).sum()
    }

    #[test]
    fn short_lines_are_unchanged() {
        let line = Line::from("  ab");
        assert_eq!(text(&clip_line(&line, 2, 0, 10)), "  ab");
    }

    #[test]
    fn long_lines_are_cut_and_marked() {
        let line = Line::from("> 0123456789");
        assert_eq!(text(&clip_line(&line, 2, 0, 8)), "> 01234›");
        assert_eq!(text(&clip_line(&line, 2, 3, 8)), "> ‹4567›");
        assert_eq!(text(&clip_line(&line, 2, 6, 8)), "> ‹789");
        assert_eq!(text(&clip_line(&line, 2, 50, 8)), "> ‹");
        for width in 0..4 {
            assert!(drawn(&clip_line(&line, 2, 1, width)) <= usize::from(width));
        }
    }

    #[test]
    fn wide_characters_are_never_split() {
        let line = Line::from("日本語テキスト");
        let out = clip_line(&line, 0, 1, 6);
        assert_eq!(text(&out), "‹本語›");
        assert!(drawn(&out) <= 6);
        let out = clip_line(&line, 0, 0, 5);
        assert_eq!(text(&out), "日本›");
        assert_eq!(text(&clip_line(&line, 0, 0, 6)), "日本 ›");
    }

    #[test]
    fn clusters_are_never_split() {
        let line = Line::from("🇫🇷🇩🇪🇮🇹");
        assert_eq!(text(&clip_line(&line, 0, 0, 5)), "🇫🇷🇩🇪›");
        assert_eq!(text(&clip_line(&line, 0, 2, 5)), "‹ 🇮🇹");
        let line = Line::from("*\u{fe0f}*\u{fe0f}*\u{fe0f}");
        assert!(drawn(&clip_line(&line, 0, 0, 5)) <= 5);
    }

    proptest::proptest! {
        #[test]
        fn clipped_lines_fit_for_any_unicode(
            s in crate::text::tests::unicode_text(),
            keep in 0u16..6,
            offset in 0u16..20,
            width in 0u16..30,
        ) {
            let line = Line::from(vec![Span::raw("> "), Span::raw(s.clone())]);
            let out = clip_line(&line, keep, offset, width);
            proptest::prop_assert!(drawn(&out) <= usize::from(width), "{:?} {} {} {}: {:?}", s, keep, offset, width, text(&out));
        }
    }
}
