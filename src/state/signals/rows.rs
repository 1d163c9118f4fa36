//! The detail pane's signal rows, one per series: a query that returns
//! several series (one per route, per pod…) shows its top N by current
//! value, each labelled with the labels that tell it apart. The detail pane
//! draws these rows, its selection points into them, and `p` pins them, so
//! all three agree on what "the selected signal" is.

use super::{Cached, SeriesKey, SignalsState, Unit};
use crate::model::Alert;
use crate::model::SourceError;
use crate::model::metrics::Series;
use crate::state::schedule::SignalLine;

pub use crate::model::settings::DEFAULT_TOP_N;

/// One row of the detail's signals.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalRow<'a> {
    /// The signal's name; empty on the second and later series of a signal.
    pub name: String,
    /// The labels that differ between the signal's series (`route=/api/upload`);
    /// empty when the query returned a single series.
    pub label: String,
    pub key: SeriesKey,
    pub unit: Unit,
    pub data: RowData<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowData<'a> {
    /// A series and the aligned end of the cached data.
    Series {
        series: &'a Series,
        end: i64,
    },
    NoData,
    Error(&'a SourceError),
}

/// The rows for `lines` (from `schedule::detail_lines`) as far as the cache
/// has them; a line not fetched yet has no row.
pub fn rows<'a>(signals: &'a SignalsState, alert: &Alert, lines: Vec<SignalLine>) -> Vec<SignalRow<'a>> {
    let mut out = Vec::new();
    for l in lines {
        let Some(cached) = signals.cache.get(&l.key) else { continue };
        let row = |name: String, label: String, data| SignalRow { name, label, key: l.key.clone(), unit: l.unit, data };
        if let Some(e) = &cached.tries.error {
            out.push(row(l.name.clone(), String::new(), RowData::Error(e)));
            continue;
        }
        let picked = if l.own {
            signals.alert_series(alert, &l.key).map(|s| vec![(s, String::new())]).unwrap_or_default()
        } else {
            top_series(cached, signals.top_n)
        };
        if picked.is_empty() {
            out.push(row(l.name.clone(), String::new(), RowData::NoData));
        }
        for (i, (series, label)) in picked.into_iter().enumerate() {
            let name = if i == 0 { l.name.clone() } else { String::new() };
            out.push(row(name, label, RowData::Series { series, end: cached.end }));
        }
    }
    out
}

/// The `n` series with the highest current value, each with its label.
pub fn top_series(cached: &Cached, n: usize) -> Vec<(&Series, String)> {
    let all: Vec<&Series> = cached.series.iter().collect();
    let labels = differing_labels(&all);
    let mut picked: Vec<(&Series, String)> = all.into_iter().zip(labels).collect();
    picked.sort_by(|a, b| current(b.0).total_cmp(&current(a.0)).then_with(|| a.1.cmp(&b.1)));
    picked.truncate(n.max(1));
    picked
}

/// The last finite value of a series; a series with none sorts last.
pub fn current(s: &Series) -> f64 {
    s.samples.iter().rev().map(|(_, v)| *v).find(|v| v.is_finite()).unwrap_or(f64::NEG_INFINITY)
}

/// For each series, `k=v,…` over the labels whose values are not the same
/// on every series (a label missing on some counts as differing). A single
/// series needs no label.
pub fn differing_labels(series: &[&Series]) -> Vec<String> {
    if series.len() < 2 {
        return vec![String::new(); series.len()];
    }
    let mut keys: Vec<&String> = series.iter().flat_map(|s| s.labels.keys()).filter(|k| *k != "__name__").collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| series.iter().any(|s| s.labels.get(*k) != series[0].labels.get(*k)));
    series
        .iter()
        .map(|s| {
            let parts: Vec<String> = keys.iter().filter_map(|k| s.labels.get(*k).map(|v| format!("{k}={v}"))).collect();
            parts.join(",")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], values: &[f64]) -> Series {
        Series {
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            samples: values.iter().enumerate().map(|(i, v)| (i as f64 * 60.0, *v)).collect(),
        }
    }

    #[test]
    fn labels_name_only_what_differs() {
        let a = series(&[("__name__", "x"), ("job", "api"), ("route", "/a")], &[1.0]);
        let b = series(&[("__name__", "x"), ("job", "api"), ("route", "/b")], &[2.0]);
        let c = series(&[("job", "api"), ("route", "/c"), ("pod", "p1")], &[3.0]);
        assert_eq!(differing_labels(&[&a, &b]), vec!["route=/a", "route=/b"]);
        assert_eq!(differing_labels(&[&a, &b, &c]), vec!["route=/a", "route=/b", "pod=p1,route=/c"]);
        assert_eq!(differing_labels(&[&a]), vec![""], "one series: no label");
    }

    #[test]
    fn top_n_by_current_value_with_gaps_last() {
        let cached = Cached {
            series: vec![
                series(&[("route", "/low")], &[9.0, 1.0]),
                series(&[("route", "/gone")], &[50.0, f64::NAN]),
                series(&[("route", "/high")], &[1.0, 7.0, f64::INFINITY]),
                series(&[("route", "/none")], &[f64::NAN]),
                series(&[("route", "/mid")], &[3.0]),
            ],
            end: 120,
            ..Cached::default()
        };
        let top: Vec<String> = top_series(&cached, 3).into_iter().map(|(_, l)| l).collect();
        assert_eq!(top, vec!["route=/gone", "route=/high", "route=/mid"]);
        let all: Vec<String> = top_series(&cached, 10).into_iter().map(|(_, l)| l).collect();
        assert_eq!(all.last().map(String::as_str), Some("route=/none"), "no finite value sorts last");
        assert_eq!(top_series(&cached, 0).len(), 1, "at least one");
    }
}
