//! A heatmap panel's cells: time across, buckets up. A Prometheus histogram
//! (`…_bucket` series with `le`, cumulative) is de-accumulated into each
//! bucket's own count, as Grafana does for its heatmap format; series
//! without `le` are a row each. More buckets than rows are summed into
//! neighbouring groups, each named by its upper bound.
//!
//! Pure: the view hands the series in, draws the cells.

use crate::model::Labels;
use crate::text::sparkline::bucket;

/// The rows, top (highest bucket) first, and the largest cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heat {
    /// Each row's name (its upper bound) and one value per column.
    pub rows: Vec<(String, Vec<Option<f64>>)>,
    pub max: f64,
}

/// `series` over `cols` columns of `step` seconds from `start`, in at most
/// `max_rows` rows; `bound` names a bucket's upper bound (in the panel's unit).
pub fn build(
    series: &[(&Labels, &[(f64, f64)])],
    (start, step, cols): (f64, f64, usize),
    max_rows: usize,
    bound: &dyn Fn(f64) -> String,
) -> Heat {
    let le = |l: &Labels| -> Option<f64> {
        let v = l.get("le")?;
        if v == "+Inf" { Some(f64::INFINITY) } else { v.parse().ok().filter(|f: &f64| !f.is_nan()) }
    };
    let mut rows: Vec<(String, Vec<Option<f64>>)> = if !series.is_empty() && series.iter().all(|(l, _)| le(l).is_some())
    {
        let mut by_le: Vec<(f64, Vec<Option<f64>>)> =
            series.iter().map(|(l, s)| (le(l).unwrap_or(f64::INFINITY), bucket(s, start, step, cols))).collect();
        by_le.sort_by(|a, b| a.0.total_cmp(&b.0));
        by_le.dedup_by(|b, a| a.0 == b.0);
        // Cumulative counts: each bucket's own is its count minus the one below.
        let mut own = Vec::with_capacity(by_le.len());
        for i in 0..by_le.len() {
            let values = (0..cols)
                .map(|c| {
                    let v = by_le[i].1[c]?;
                    let below = if i == 0 { Some(0.0) } else { by_le[i - 1].1[c] };
                    Some((v - below.unwrap_or(0.0)).max(0.0))
                })
                .collect();
            let name = if by_le[i].0.is_infinite() { "+Inf".to_string() } else { bound(by_le[i].0) };
            own.push((name, values));
        }
        own
    } else {
        series
            .iter()
            .map(|(l, s)| {
                let name = l.iter().filter(|(k, _)| *k != "__name__").map(|(_, v)| v.as_str()).collect::<Vec<_>>();
                (name.join(","), bucket(s, start, step, cols))
            })
            .collect()
    };
    if max_rows > 0 && rows.len() > max_rows {
        let group = rows.len().div_ceil(max_rows);
        rows = rows
            .chunks(group)
            .map(|chunk| {
                let values = (0..cols).map(|c| chunk.iter().filter_map(|(_, v)| v[c]).reduce(|a, b| a + b)).collect();
                (chunk[chunk.len() - 1].0.clone(), values)
            })
            .collect();
    }
    rows.reverse();
    let max = rows.iter().flat_map(|(_, v)| v.iter().flatten()).fold(0.0f64, |m, v| m.max(*v));
    Heat { rows, max }
}

/// A cell's shade, 0 (empty) to 4 (the largest).
pub fn level(v: Option<f64>, max: f64) -> usize {
    match v {
        Some(v) if v > 0.0 && max > 0.0 => ((v / max) * 4.0).ceil().clamp(1.0, 4.0) as usize,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(v: &str) -> Labels {
        [("le".to_string(), v.to_string())].into_iter().collect()
    }

    #[test]
    fn cumulative_buckets_become_each_buckets_own_count_highest_on_top() {
        let (a, b, inf) = (le("0.1"), le("0.5"), le("+Inf"));
        // Two columns: 10 s each from t=0.
        let s01 = [(1.0, 2.0), (11.0, 0.0)];
        let s05 = [(1.0, 5.0), (11.0, 4.0)];
        let sinf = [(1.0, 5.0), (11.0, 10.0)];
        let series: Vec<(&Labels, &[(f64, f64)])> = vec![(&inf, &sinf), (&a, &s01), (&b, &s05)];
        let h = build(&series, (0.0, 10.0, 2), 10, &|v| format!("{v}s"));
        assert_eq!(
            h.rows,
            [
                ("+Inf".to_string(), vec![Some(0.0), Some(6.0)]),
                ("0.5s".to_string(), vec![Some(3.0), Some(4.0)]),
                ("0.1s".to_string(), vec![Some(2.0), Some(0.0)]),
            ]
        );
        assert_eq!(h.max, 6.0);
        assert_eq!(
            (level(Some(6.0), 6.0), level(Some(1.0), 6.0), level(Some(0.0), 6.0), level(None, 6.0)),
            (4, 1, 0, 0)
        );
    }

    #[test]
    fn more_buckets_than_rows_are_summed_in_groups_named_by_their_upper_bound() {
        let labels: Vec<Labels> = (1..=5).map(|i| le(&i.to_string())).collect();
        let samples: Vec<[(f64, f64); 1]> = (1..=5).map(|i| [(0.0, f64::from(i))]).collect();
        let series: Vec<(&Labels, &[(f64, f64)])> = labels.iter().zip(&samples).map(|(l, s)| (l, &s[..])).collect();
        let h = build(&series, (0.0, 10.0, 1), 2, &|v| format!("{v}"));
        // Own counts are 1 each; groups of three: (1,2,3) and (4,5).
        assert_eq!(h.rows, [("5".to_string(), vec![Some(2.0)]), ("3".to_string(), vec![Some(3.0)])]);
    }

    #[test]
    fn series_without_le_are_a_row_each() {
        let l: Labels = [("pod".to_string(), "a".to_string())].into_iter().collect();
        let s = [(0.0, 1.0)];
        let h = build(&[(&l, &s[..])], (0.0, 10.0, 3), 5, &|v| v.to_string());
        assert_eq!(h.rows, [("a".to_string(), vec![Some(1.0), None, None])]);
    }
}
