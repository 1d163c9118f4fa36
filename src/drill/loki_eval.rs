//! Evaluation of parsed LogQL over the log store: log selections with a
//! global limit and direction, metric queries at instants.

use std::collections::BTreeMap;

use super::logql::{LogSelector, MetricExpr, RangeFn};
use super::logs::LogStore;
use super::spec::Labels;

/// Entries of one stream, in the order they are returned.
pub(crate) type StreamResult = (Labels, Vec<(i64, String)>);

/// Lines matching `sel` with `start <= ts < end`, the `limit` first in
/// `direction` (backward = newest first) across all streams.
pub(crate) fn select_logs(
    store: &LogStore,
    sel: &LogSelector,
    start: i64,
    end: i64,
    limit: usize,
    backward: bool,
) -> (Vec<StreamResult>, usize) {
    let mut hits: Vec<(i64, usize, &str)> = Vec::new();
    let mut scanned = 0;
    for (i, s) in store.streams.iter().enumerate().filter(|(_, s)| sel.matches_stream(&s.labels)) {
        let lo = s.entries.partition_point(|e| e.ts_ns < start);
        // An empty or inverted window (start >= end, as a tail can ask for
        // when its cursor is ahead of the clock) selects nothing.
        let hi = s.entries.partition_point(|e| e.ts_ns < end).max(lo);
        for e in s.entries.range(lo..hi) {
            scanned += 1;
            if sel.matches_line(&e.line) {
                hits.push((e.ts_ns, i, e.line.as_str()));
            }
        }
    }
    if backward {
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    } else {
        hits.sort_by_key(|h| h.0);
    }
    hits.truncate(limit);
    let mut by_stream: BTreeMap<&Labels, Vec<(i64, String)>> = BTreeMap::new();
    for (ts, i, line) in hits {
        by_stream.entry(&store.streams[i].labels).or_default().push((ts, line.to_string()));
    }
    (by_stream.into_iter().map(|(l, v)| (l.clone(), v)).collect(), scanned)
}

/// Value of a metric query at `ts` (ns), one sample per output label set.
pub(crate) fn eval_metric(store: &LogStore, e: &MetricExpr, ts: i64) -> Vec<(Labels, f64)> {
    match e {
        MetricExpr::Range { func, sel, range_ns } => {
            let secs = *range_ns as f64 / 1e9;
            let mut out = Vec::new();
            for s in store.streams.iter().filter(|s| sel.matches_stream(&s.labels)) {
                let lo = s.entries.partition_point(|x| x.ts_ns <= ts - range_ns);
                let hi = s.entries.partition_point(|x| x.ts_ns <= ts).max(lo);
                let lines: Vec<&str> =
                    s.entries.range(lo..hi).map(|x| x.line.as_str()).filter(|l| sel.matches_line(l)).collect();
                if lines.is_empty() {
                    continue;
                }
                let bytes: f64 = lines.iter().map(|l| l.len() as f64).sum();
                let v = match func {
                    RangeFn::CountOverTime => lines.len() as f64,
                    RangeFn::Rate => lines.len() as f64 / secs,
                    RangeFn::BytesOverTime => bytes,
                    RangeFn::BytesRate => bytes / secs,
                };
                out.push((s.labels.clone(), v));
            }
            out
        }
        MetricExpr::Agg { op, without, labels, inner } => {
            let mut groups: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
            for (l, v) in eval_metric(store, inner, ts) {
                let key: Labels = match labels {
                    None => Labels::new(),
                    Some(names) => l.into_iter().filter(|(k, _)| names.contains(k) != *without).collect(),
                };
                groups.entry(key).or_default().push(v);
            }
            groups
                .into_iter()
                .map(|(l, vs)| {
                    let v = match op.as_str() {
                        "avg" => vs.iter().sum::<f64>() / vs.len() as f64,
                        "min" => vs.iter().copied().fold(f64::INFINITY, f64::min),
                        "max" => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        "count" => vs.len() as f64,
                        _ => vs.iter().sum(),
                    };
                    (l, v)
                })
                .collect()
        }
    }
}
