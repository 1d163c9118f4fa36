//! Horizontal scrolling of unwrapped lines (code blocks): the prefix stays,
//! the rest shifts left, and a cut is marked (`‹` left, `›` right) so that
//! nobody runs a command believing they saw all of it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

const CUT_LEFT: &str = "‹";
const CUT_RIGHT: &str = "›";

/// One character with the zero-width marks that follow it.
struct Cell {
    text: String,
    width: usize,
    style: Style,
}

fn cells(line: &Line<'_>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    for span in &line.spans {
        let style = line.style.patch(span.style);
        for c in span.content.chars() {
            let mut buf = [0; 4];
            let s: &str = c.encode_utf8(&mut buf);
            match out.last_mut() {
                Some(last) if s.width() == 0 => last.text.push(c),
                _ => out.push(Cell { text: s.to_string(), width: s.width(), style }),
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
            Some(first) if first.0.width() == 1 => first.0 = CUT_LEFT.into(),
            Some(first) => {
                let rest = first.0.width().saturating_sub(1);
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
            assert!(clip_line(&line, 2, 1, width).width() <= usize::from(width));
        }
    }

    #[test]
    fn wide_characters_are_never_split() {
        let line = Line::from("日本語テキスト");
        let out = clip_line(&line, 0, 1, 6);
        assert_eq!(text(&out), "‹本語›");
        assert!(out.width() <= 6);
        let out = clip_line(&line, 0, 0, 5);
        assert_eq!(text(&out), "日本›");
        assert_eq!(text(&clip_line(&line, 0, 0, 6)), "日本 ›");
    }
}
