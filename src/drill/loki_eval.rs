//! Evaluation of parsed LogQL over the streams a tenant sees (the
//! generated ones and its pushed ones): log selections with a global limit
//! and direction, metric queries at instants, and the `streams` result in
//! both of Loki's encodings.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::logql::{LogSelector, MetricExpr, RangeFn};
use super::logql_pipeline::metadata_name;
use super::logs::LogStream;
use super::loki_store::TenantLogs;
use super::prom_format::labels_json;
use super::spec::Labels;

/// The streams one request reads: the scenario's (every tenant's) and the
/// lines its tenant pushed.
#[derive(Clone, Copy)]
pub(crate) struct LogView<'a> {
    pub generated: &'a [LogStream],
    pub pushed: Option<&'a TenantLogs>,
}

impl<'a> LogView<'a> {
    pub(crate) fn streams(&self) -> impl Iterator<Item = &'a LogStream> + 'a {
        let pushed = self.pushed.into_iter().flat_map(|t| t.streams.values().map(|p| &p.stream));
        self.generated.iter().chain(pushed)
    }

    /// Only the pushed streams (the live tail follows them by event).
    pub(crate) fn pushed_only(&self) -> LogView<'a> {
        LogView { generated: &[], pushed: self.pushed }
    }

    /// Only the generated streams.
    pub(crate) fn generated_only(&self) -> LogView<'a> {
        LogView { generated: self.generated, pushed: None }
    }
}

/// One entry a query selected.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit<'a> {
    pub ts: i64,
    pub labels: &'a Labels,
    pub line: &'a str,
    pub metadata: &'a Labels,
    /// What the query's parsers extracted.
    pub parsed: Labels,
}

/// Entries matching `sel` with `start <= ts < end`, the `limit` first in
/// `direction` (backward = newest first) across all streams, and how many
/// entries were looked at.
pub(crate) fn select_logs<'a>(
    view: LogView<'a>,
    sel: &LogSelector,
    start: i64,
    end: i64,
    limit: usize,
    backward: bool,
) -> (Vec<Hit<'a>>, usize) {
    let mut hits: Vec<Hit<'a>> = Vec::new();
    let mut scanned = 0;
    for s in view.streams().filter(|s| sel.matches_stream(&s.labels)) {
        let lo = s.entries.partition_point(|e| e.ts_ns < start);
        // An empty or inverted window (start >= end, as a tail can ask for
        // when its cursor is ahead of the clock) selects nothing.
        let hi = s.entries.partition_point(|e| e.ts_ns < end).max(lo);
        for e in s.entries.range(lo..hi) {
            scanned += 1;
            if let Some(parsed) = sel.pipeline(&s.labels, &e.metadata, &e.line) {
                hits.push(Hit { ts: e.ts_ns, labels: &s.labels, line: &e.line, metadata: &e.metadata, parsed });
            }
        }
    }
    if backward {
        hits.sort_by_key(|h| std::cmp::Reverse(h.ts));
    } else {
        hits.sort_by_key(|h| h.ts);
    }
    hits.truncate(limit);
    (hits, scanned)
}

/// The labels an entry is shown with when labels are not categorized:
/// its stream's, its structured metadata and what the parsers extracted.
fn folded(h: &Hit) -> Labels {
    let mut all = h.labels.clone();
    for (k, v) in h.metadata {
        all.insert(metadata_name(h.labels, k).into_owned(), v.clone());
    }
    all.extend(h.parsed.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// The `streams` result, entries in the order given. Without
/// `categorize-labels`, structured metadata and extracted labels are
/// folded into the stream labels (so an entry with other metadata is in
/// another stream); with it, each entry has a third element
/// `{structuredMetadata, parsed}` (`{}` when it has neither).
pub(crate) fn streams_json(hits: &[Hit], categorize: bool) -> Vec<Json> {
    let mut groups: BTreeMap<Labels, Vec<Json>> = BTreeMap::new();
    for h in hits {
        let ts = h.ts.to_string();
        if categorize {
            let mut cats = serde_json::Map::new();
            if !h.metadata.is_empty() {
                cats.insert("structuredMetadata".into(), labels_json(h.metadata));
            }
            if !h.parsed.is_empty() {
                cats.insert("parsed".into(), labels_json(&h.parsed));
            }
            groups.entry(h.labels.clone()).or_default().push(json!([ts, h.line, cats]));
        } else {
            groups.entry(folded(h)).or_default().push(json!([ts, h.line]));
        }
    }
    groups.into_iter().map(|(l, v)| json!({"stream": labels_json(&l), "values": v})).collect()
}

/// Value of a metric query at `ts` (ns), one sample per output label set
/// (the stream's labels with its metadata and extracted labels, as Loki
/// groups them).
pub(crate) fn eval_metric(view: LogView, e: &MetricExpr, ts: i64) -> Vec<(Labels, f64)> {
    match e {
        MetricExpr::Range { func, sel, range_ns } => {
            let secs = *range_ns as f64 / 1e9;
            let mut series: BTreeMap<Labels, (f64, f64)> = BTreeMap::new();
            for s in view.streams().filter(|s| sel.matches_stream(&s.labels)) {
                let lo = s.entries.partition_point(|x| x.ts_ns <= ts - range_ns);
                let hi = s.entries.partition_point(|x| x.ts_ns <= ts).max(lo);
                for x in s.entries.range(lo..hi) {
                    let Some(parsed) = sel.pipeline(&s.labels, &x.metadata, &x.line) else { continue };
                    let hit = Hit { ts: x.ts_ns, labels: &s.labels, line: &x.line, metadata: &x.metadata, parsed };
                    let acc = series.entry(folded(&hit)).or_default();
                    acc.0 += 1.0;
                    acc.1 += x.line.len() as f64;
                }
            }
            let value = |(count, bytes): (f64, f64)| match func {
                RangeFn::CountOverTime => count,
                RangeFn::Rate => count / secs,
                RangeFn::BytesOverTime => bytes,
                RangeFn::BytesRate => bytes / secs,
            };
            series.into_iter().map(|(l, acc)| (l, value(acc))).collect()
        }
        MetricExpr::Agg { op, without, labels, inner } => {
            let mut groups: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
            for (l, v) in eval_metric(view, inner, ts) {
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
