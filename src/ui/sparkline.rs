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
