//! Tables: boxed with cells wrapped inside their column when the natural
//! layout is too wide; as `header: value` records when even that cannot fit.

use pulldown_cmark::Alignment;
use ratatui::text::Span;

use super::RunbookStyles;
use super::wrap::wrap_plain;

/// Narrowest column a shrunk boxed layout may give a wide cell; below
/// that, cells wrap every few characters and records read better.
const MIN_COL: usize = 8;

/// A table as collected from the parser: cells as cleaned plain text.
#[derive(Debug, Default)]
pub(super) struct Table {
    pub aligns: Vec<Alignment>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

type Row = Vec<Span<'static>>;

impl Table {
    fn columns(&self) -> usize {
        self.rows.iter().map(Vec::len).chain([self.header.len(), 1]).max().unwrap_or(1)
    }

    /// Lays the table out in `avail` columns.
    pub fn layout(&self, avail: usize, styles: &RunbookStyles) -> Vec<Row> {
        let n = self.columns();
        let overhead = 3 * n + 1;
        let natural: Vec<usize> = (0..n)
            .map(|i| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .filter_map(|r| r.get(i))
                    .map(|c| crate::text::width(c))
                    .max()
                    .unwrap_or(0)
                    .max(1)
            })
            .collect();
        let fits = overhead + natural.iter().sum::<usize>() <= avail;
        if !fits && avail < overhead + MIN_COL * n {
            return self.records(avail, styles);
        }
        let widths = fit(&natural, avail - overhead);
        self.boxed(&widths, styles)
    }

    fn boxed(&self, widths: &[usize], styles: &RunbookStyles) -> Vec<Row> {
        let border = |l: &str, m: &str, r: &str| -> Row {
            let inner: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
            vec![Span::styled(format!("{l}{}{r}", inner.join(m)), styles.table_border)]
        };
        let mut out = vec![border("┌", "┬", "┐")];
        if !self.header.is_empty() {
            out.extend(self.row(&self.header, widths, styles.text.patch(styles.table_header), styles));
            out.push(border("├", "┼", "┤"));
        }
        for row in &self.rows {
            out.extend(self.row(row, widths, styles.text, styles));
        }
        out.push(border("└", "┴", "┘"));
        out
    }

    fn row(
        &self,
        cells: &[String],
        widths: &[usize],
        style: ratatui::style::Style,
        styles: &RunbookStyles,
    ) -> Vec<Row> {
        let wrapped: Vec<Vec<String>> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| wrap_plain(cells.get(i).map_or("", String::as_str), style, w))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|line| {
                let mut spans = Vec::with_capacity(widths.len() * 2 + 1);
                for (i, &w) in widths.iter().enumerate() {
                    spans.push(Span::styled(if i == 0 { "│ " } else { " │ " }, styles.table_border));
                    let text = wrapped[i].get(line).map_or("", String::as_str);
                    let align = self.aligns.get(i).copied().unwrap_or(Alignment::None);
                    spans.push(Span::styled(pad(text, w, align), style));
                }
                spans.push(Span::styled(" │", styles.table_border));
                spans
            })
            .collect()
    }

    /// One `header: value` line group per row, for panes too narrow for
    /// columns.
    fn records(&self, avail: usize, styles: &RunbookStyles) -> Vec<Row> {
        let mut out: Vec<Row> = Vec::new();
        for row in &self.rows {
            if !out.is_empty() {
                out.push(vec![Span::styled("─".repeat(avail.min(8)), styles.table_border)]);
            }
            for (i, cell) in row.iter().enumerate() {
                let key = self.header.get(i).map_or(String::new(), |h| format!("{h}: "));
                let text = format!("{key}{cell}");
                for line in wrap_plain(&text, styles.text, avail) {
                    out.push(vec![Span::styled(line, styles.text)]);
                }
            }
        }
        if out.is_empty() && !self.header.is_empty() {
            let text = self.header.join(" | ");
            for line in wrap_plain(&text, styles.table_header, avail) {
                out.push(vec![Span::styled(line, styles.text.patch(styles.table_header))]);
            }
        }
        out
    }
}

/// Column widths summing to at most `target`: natural widths when they
/// fit, else every column capped at the largest cap that fits (wide
/// columns shrink first), the rest handed back one column at a time.
fn fit(natural: &[usize], target: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= target {
        return natural.to_vec();
    }
    let total = |cap: usize| natural.iter().map(|&w| w.min(cap)).sum::<usize>();
    let (mut lo, mut hi) = (1, natural.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total(mid) <= target {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut widths: Vec<usize> = natural.iter().map(|&w| w.min(lo).max(1)).collect();
    let mut spare = target.saturating_sub(widths.iter().sum());
    for (w, &nat) in widths.iter_mut().zip(natural) {
        if spare > 0 && *w < nat {
            *w += 1;
            spare -= 1;
        }
    }
    widths
}

fn pad(text: &str, width: usize, align: Alignment) -> String {
    let gap = width.saturating_sub(crate::text::width(text));
    let (left, right) = match align {
        Alignment::Right => (gap, 0),
        Alignment::Center => (gap / 2, gap - gap / 2),
        Alignment::Left | Alignment::None => (0, gap),
    };
    format!("{}{text}{}", " ".repeat(left), " ".repeat(right))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_shrinks_widest_columns_first() {
        assert_eq!(fit(&[3, 4], 10), vec![3, 4]);
        assert_eq!(fit(&[3, 40, 30], 30), vec![3, 14, 13]);
        assert!(fit(&[50, 50, 50], 12).iter().sum::<usize>() <= 12);
    }

    #[test]
    fn padding_respects_alignment() {
        assert_eq!(pad("ab", 5, Alignment::Right), "   ab");
        assert_eq!(pad("ab", 5, Alignment::Center), " ab  ");
        assert_eq!(pad("日本", 5, Alignment::None), "日本 ");
        // Lam and alef are two cells in ratatui's buffer (unicode-width's
        // `str::width` counts the ligature as one).
        assert_eq!(pad("\u{644}\u{627}", 3, Alignment::None), "\u{644}\u{627} ");
    }
}
