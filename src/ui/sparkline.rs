//! Sparklines drawn on the screen: the text ones ([`crate::text::sparkline`])
//! as styled spans, with the alert's start marked.

pub use crate::text::sparkline::{FLAT_FRACTION, bucket, is_flat, range, render, render_unless};

/// How a sparkline is drawn: its style, the column holding `mark` (the
/// alert's start) in `mark_style`, and when its range counts as flat.
pub struct Look<'a> {
    pub style: ratatui::style::Style,
    pub mark: Option<f64>,
    pub mark_style: ratatui::style::Style,
    /// Whether min and max read the same where they are printed (see
    /// [`render_unless`]); `None` when no figures are printed beside it.
    pub same: Option<&'a dyn Fn(f64, f64) -> bool>,
}

/// A sparkline as styled spans. The last column holds `end`.
pub fn spans(
    samples: &[(f64, f64)],
    end: f64,
    step: f64,
    width: usize,
    look: &Look<'_>,
) -> (Vec<ratatui::text::Span<'static>>, Vec<Option<f64>>) {
    use ratatui::text::Span;
    let Look { style, mark, mark_style, same } = *look;
    let start = end - step * (width.saturating_sub(1)) as f64;
    let values = bucket(samples, start, step, width);
    let text: Vec<char> = match same {
        Some(same) => render_unless(&values, same),
        None => render(&values),
    }
    .chars()
    .collect();
    let mark_col = mark.filter(|m| *m >= start).map(|m| ((m - start) / step).floor() as usize).filter(|c| *c < width);
    let out = match mark_col {
        Some(c) => vec![
            Span::styled(text[..c].iter().collect::<String>(), style),
            Span::styled(text[c].to_string(), mark_style),
            Span::styled(text[c + 1..].iter().collect::<String>(), style),
        ],
        None => vec![Span::styled(text.into_iter().collect::<String>(), style)],
    };
    (out, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rising_flat_and_gaps() {
        let rising: Vec<(f64, f64)> = (0..8).map(|i| (i as f64 * 10.0, i as f64)).collect();
        assert_eq!(render(&bucket(&rising, 0.0, 10.0, 8)), "▁▂▃▄▅▆▇█");
        let flat: Vec<(f64, f64)> = (0..4).map(|i| (i as f64, 5.0)).collect();
        assert_eq!(render(&bucket(&flat, 0.0, 1.0, 4)), "▁▁▁▁");
        let gappy = [(0.0, 1.0), (1.0, f64::NAN), (3.0, f64::INFINITY), (4.0, 2.0)];
        assert_eq!(render(&bucket(&gappy, 0.0, 1.0, 6)), "▁   █ ");
        assert_eq!(render(&bucket(&[], 0.0, 1.0, 3)), "   ");
        assert_eq!(bucket(&[(5.0, 1.0)], 10.0, 1.0, 2), vec![None, None], "before the window");
    }

    /// The demo's `latency p50 ▄▄▅█▇▇▁▁▁▁▁▁ 19ms (min 19ms max 19ms)`: a
    /// 0.1 ms wobble on 19 ms is a flat line, not a sawtooth.
    #[test]
    fn a_wobble_below_a_hundredth_is_flat() {
        let wobble = [19.04e-3, 19.05e-3, 19.07e-3, 19.12e-3, 19.11e-3, 19.1e-3, 19.0e-3, 19.0e-3];
        let values: Vec<Option<f64>> = wobble.iter().map(|v| Some(*v)).collect();
        assert_eq!(render(&values), "▁▁▁▁▁▁▁▁");
        let with_gap = [Some(100.0), None, Some(100.5), Some(99.8)];
        assert_eq!(render(&with_gap), "▁ ▁▁", "gaps stay gaps");
        assert!(is_flat(-50.0, -49.8), "negative values: by magnitude");
        assert!(!is_flat(100.0, 102.0), "2 % is a change");
        assert_eq!(render(&[Some(100.0), Some(102.0)]), "▁█");
    }

    #[test]
    fn a_change_from_zero_is_never_flat() {
        assert!(!is_flat(0.0, 0.001));
        assert_eq!(render(&[Some(0.0), Some(0.0), Some(0.001)]), "▁▁█");
        assert!(is_flat(0.0, 0.0));
    }

    #[test]
    fn flat_when_min_and_max_print_the_same() {
        // 12 to 12.4 ms: 3 % of the value, but "12ms" both.
        let values = [Some(12.0e-3), Some(12.4e-3), Some(12.1e-3)];
        let ms = |v: f64| format!("{:.0}ms", v * 1000.0);
        assert_eq!(render(&values), "▁█▃", "no printed figures: scaled");
        assert_eq!(render_unless(&values, |lo, hi| ms(lo) == ms(hi)), "▁▁▁");
        let wide = [Some(12.0e-3), Some(14.0e-3)];
        assert_eq!(render_unless(&wide, |lo, hi| ms(lo) == ms(hi)), "▁█", "12ms vs 14ms: drawn");
    }

    #[test]
    fn spans_keep_the_mark_on_a_flat_line() {
        let samples: Vec<(f64, f64)> = (0..6).map(|i| (i as f64, 5.0 + (i % 2) as f64 * 1e-4)).collect();
        let same = |_: f64, _: f64| false;
        let bold = ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let look = Look { style: ratatui::style::Style::new(), mark: Some(2.0), mark_style: bold, same: Some(&same) };
        let (spans, values) = spans(&samples, 5.0, 1.0, 6, &look);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "▁▁▁▁▁▁");
        assert_eq!(spans[1].content, "▁");
        assert_eq!(spans[1].style, bold, "the alert's start is still marked");
        assert_eq!(values.len(), 6);
    }
}
