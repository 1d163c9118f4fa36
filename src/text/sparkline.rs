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

/// A range narrower than this fraction of the values' magnitude is noise
/// (a 19.0–19.1 ms latency): drawn flat, not stretched to full height.
pub const FLAT_FRACTION: f64 = 0.01;

/// Whether `lo..hi` is too narrow to draw as anything but a flat line: empty,
/// or within [`FLAT_FRACTION`] of the larger magnitude. A range around zero
/// (0 to 0.001 errors/s) is not flat: any change from nothing is news.
pub fn is_flat(lo: f64, hi: f64) -> bool {
    hi <= lo || hi - lo <= FLAT_FRACTION * lo.abs().max(hi.abs())
}

/// The sparkline for `values`, scaled to their own range (a flat line sits
/// on the bottom level; so does a range [`is_flat`] calls noise).
pub fn render(values: &[Option<f64>]) -> String {
    render_unless(values, |_, _| false)
}

/// [`render`], also drawn flat when `same(lo, hi)` says the range does not
/// show in the figures printed beside it (min and max read the same at the
/// displayed precision): the picture never contradicts the numbers.
pub fn render_unless(values: &[Option<f64>], same: impl Fn(f64, f64) -> bool) -> String {
    let Some((lo, hi)) = range(values) else { return " ".repeat(values.len()) };
    let flat = is_flat(lo, hi) || same(lo, hi);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if flat => LEVELS[0],
            Some(v) => {
                let level = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                LEVELS[level.min(7)]
            }
        })
        .collect()
}
