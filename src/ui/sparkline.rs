//! Text sparklines: one column per time bucket, eight levels of block
//! characters, a space where there is no sample (NaN, ±Inf and missing
//! samples are gaps, never zeros). Also used for graphs pinned into the
//! incident record, so they read the same in a terminal and in markdown.

const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One value per column: the last finite sample of each bucket
/// `[start + i*step, start + (i+1)*step)`, or `None` for a gap.
pub fn bucket(samples: &[(f64, f64)], start: f64, step: f64, width: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; width];
    if step <= 0.0 {
        return out;
    }
    for &(t, v) in samples {
        if !v.is_finite() || t < start {
            continue;
        }
        let i = ((t - start) / step).floor() as usize;
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(v);
        }
    }
    out
}

/// The finite (min, max) of the buckets.
pub fn range(values: &[Option<f64>]) -> Option<(f64, f64)> {
    values.iter().flatten().fold(None, |acc, &v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The sparkline for `values`, scaled to their own range (a flat line sits
/// on the bottom level).
pub fn render(values: &[Option<f64>]) -> String {
    let Some((lo, hi)) = range(values) else { return " ".repeat(values.len()) };
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => LEVELS[0],
            Some(v) => {
                let level = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                LEVELS[level.min(7)]
            }
        })
        .collect()
}

/// A sparkline as styled spans, the column holding `mark` (the alert's
/// start) drawn in `mark_style`. The last column holds `end`.
pub fn spans(
    samples: &[(f64, f64)],
    end: f64,
    step: f64,
    width: usize,
    mark: Option<f64>,
    style: ratatui::style::Style,
    mark_style: ratatui::style::Style,
) -> (Vec<ratatui::text::Span<'static>>, Vec<Option<f64>>) {
    use ratatui::text::Span;
    let start = end - step * (width.saturating_sub(1)) as f64;
    let values = bucket(samples, start, step, width);
    let text: Vec<char> = render(&values).chars().collect();
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
}
