//! The supporting-information sections: alerts with their runbooks, pinned
//! graphs and log lines. Every string is remote, so all of it is cleaned.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::md::{cell, code, code_cell, fence, text, todo};
use crate::incident::charts::{CHARTS_DIR, Index};
use crate::incident::describe::{duration, range, utc};
use crate::incident::record::{Event, Record};
use crate::incident::timeline::Timeline;
use crate::model::history::{self, Firing};
use crate::text::clean;

/// A chart of the export, as the draft shows it: the picture, or why
/// there is none.
fn chart(charts: &Index, key: &str) -> Option<String> {
    let e = charts.get(key)?;
    Some(match (&e.file, &e.missing) {
        (Some(file), _) => format!("![{}]({CHARTS_DIR}/{file})", text(&e.title)),
        (None, Some(why)) => format!("_Chart not drawn: {}._", text(why)),
        (None, None) => return None,
    })
}

pub fn alerts(t: &Timeline, records: &[Record], charts: &Index) -> String {
    if t.alerts.is_empty() {
        return todo("no alert was recorded: list the signals that mattered");
    }
    let mut s = String::from(
        "| Alert | Severity | Started | Ended | Runbook | Summary |\n| --- | --- | --- | --- | --- | --- |",
    );
    for a in &t.alerts {
        s.push_str(&format!(
            "\n| {} | {} | {} | {} | {} | {} |",
            cell(&a.alertname),
            cell(&a.severity),
            utc(a.started),
            a.ended.map_or("still firing".to_string(), utc),
            a.runbook_url.as_deref().map_or("—".to_string(), code_cell),
            cell(&a.summary),
        ));
    }
    let overviews: Vec<String> =
        t.alerts.iter().filter_map(|a| chart(charts, &format!("alert/{}", a.fingerprint))).collect();
    if !overviews.is_empty() {
        s.push_str("\n\n");
        s.push_str(&overviews.join("\n\n"));
    }
    s.push_str("\n\n");
    s.push_str(&previous_occurrences(t, records));
    let runbooks = runbooks_used(records);
    if !runbooks.is_empty() {
        s.push_str("\n\nRunbooks used:\n");
        s.push_str(&runbooks);
    }
    s
}

/// Previous firings listed per alert at most (the newest).
const LISTED: usize = 10;

/// Each alert's firings before the incident's, as the console read them
/// from Prometheus' `ALERTS` (an `alert_history` record per firing; the
/// first one of each alert is the incident's first firing).
fn previous_occurrences(t: &Timeline, records: &[Record]) -> String {
    let mut found: BTreeMap<&str, Recorded> = BTreeMap::new();
    for r in records {
        if let Event::AlertHistory { fingerprint, starts_at, window_secs, previous, omitted, .. } = &r.event {
            let rec = Recorded { before: *starts_at, window: *window_secs, previous, omitted: *omitted };
            let e = found.entry(fingerprint.as_str()).or_insert(rec);
            if *starts_at < e.before {
                *e = rec;
            }
        }
    }
    if found.is_empty() {
        return "Previous occurrences: not recorded (no Prometheus `ALERTS` history was read while the incident was open)."
            .to_string();
    }
    let mut s = String::from("Previous occurrences (from Prometheus' `ALERTS`, before each alert's firing):");
    for a in &t.alerts {
        let labels: Vec<String> = a
            .labels
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        let name = match labels.is_empty() {
            true => text(&a.alertname),
            false => format!("{} {}", text(&a.alertname), code(&format!("{{{}}}", labels.join(", ")))),
        };
        let line = match found.get(a.fingerprint.as_str()) {
            None => "not recorded (its history was not read while the incident was open)".to_string(),
            Some(r) if r.previous.is_empty() && r.omitted == 0 => {
                format!("none in the {} before (first time)", history::window(r.window))
            }
            Some(r) => occurrences(r),
        };
        s.push_str(&format!("\n- {name}: {line}"));
    }
    s
}

/// One alert's `alert_history` record.
#[derive(Clone, Copy)]
struct Recorded<'a> {
    /// The firing it precedes.
    before: DateTime<Utc>,
    window: u64,
    previous: &'a [Firing],
    omitted: usize,
}

/// `3× in the 7d before 2026-11-22 10:02:00Z (median 12m00s): …, 2026-11-21
/// 03:10:00Z for 12m00s`, the newest [`LISTED`].
fn occurrences(r: &Recorded) -> String {
    let Recorded { before, window, previous, omitted } = *r;
    let mut s = format!("{}× in the {} before {}", previous.len() + omitted, history::window(window), utc(before));
    if let Some(m) = history::median(previous) {
        s.push_str(&format!(" (median {})", duration(m)));
    }
    let shown = &previous[previous.len().saturating_sub(LISTED)..];
    let list: Vec<String> = shown.iter().map(|f| format!("{} for {}", utc(f.start), duration(f.duration()))).collect();
    s.push_str(": ");
    let earlier = previous.len() - shown.len() + omitted;
    if earlier > 0 {
        s.push_str(&format!("{earlier} earlier, "));
    }
    s.push_str(&list.join(", "));
    s
}

/// Each runbook opened, and the steps whose last tick was "done" (with
/// what their live blocks showed then).
fn runbooks_used(records: &[Record]) -> String {
    type Steps<'a> = BTreeMap<usize, (bool, &'a [String])>;
    let mut used: BTreeMap<String, (String, Steps)> = BTreeMap::new();
    for r in records {
        match &r.event {
            Event::RunbookOpened { runbook } => {
                used.entry(runbook.clone()).or_insert_with(|| (utc(r.at), BTreeMap::new()));
            }
            Event::RunbookStep { runbook, step, done, values, .. } => {
                let e = used.entry(runbook.clone()).or_insert_with(|| (utc(r.at), BTreeMap::new()));
                e.1.insert(*step, (*done, values));
            }
            _ => {}
        }
    }
    let lines: Vec<String> = used
        .iter()
        .map(|(rb, (opened, steps))| {
            let done: Vec<String> = steps
                .iter()
                .filter(|(_, (d, _))| *d)
                .map(|(n, (_, values))| match values.is_empty() {
                    true => n.to_string(),
                    false => format!("{n} ({})", text(&values.join("; "))),
                })
                .collect();
            let done = if done.is_empty() { "none".to_string() } else { done.join(", ") };
            format!("- {} opened {opened}; steps done: {done}", code(rb))
        })
        .collect();
    lines.join("\n")
}

pub fn graphs(records: &[Record], charts: &Index) -> String {
    let parts: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::PinnedGraph { title, query, sparkline, min, max, unit, from, to } => {
                let mut s = format!(
                    "**{}** — {} from {} to {}, range {}\n\n{}",
                    text(title),
                    code(query),
                    utc(*from),
                    utc(*to),
                    range(*min, *max, &text(unit)),
                    fence(&clean(sparkline))
                );
                if let Some(c) = chart(charts, &format!("pin/{}", r.id)) {
                    s.push_str("\n\n");
                    s.push_str(&c);
                }
                Some(s)
            }
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return todo("none pinned: add the graphs that tell the story");
    }
    parts.join("\n\n")
}

pub fn logs(records: &[Record]) -> String {
    let lines: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::PinnedLog { ts, labels, line } => {
                let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
                Some(clean(&format!("{} {{{}}} {line}", utc(*ts), l.join(", "))).into_owned())
            }
            _ => None,
        })
        .collect();
    if lines.is_empty() {
        return todo("none pinned: add the log lines that tell the story");
    }
    fence(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journal written before live runbooks (no `values`) still reads,
    /// and a step's values go into the post-mortem beside its number.
    #[test]
    fn steps_done_list_what_their_live_blocks_showed() {
        let old = r#"{"kind":"runbook_step","runbook":"errors","step":1,"text":"look","done":true}"#;
        let Ok(Event::RunbookStep { values, .. }) = serde_json::from_str::<Event>(old) else {
            panic!("an old step reads")
        };
        assert!(values.is_empty());
        let at = chrono::DateTime::from_timestamp(1_764_730_800, 0).unwrap();
        let step = |step, values: Vec<String>| Record {
            event: Event::RunbookStep { runbook: "errors".into(), step, text: "x".into(), done: true, values },
            ..Record::new(at, "ana", Event::RunbookOpened { runbook: "errors".into() })
        };
        let out = runbooks_used(&[step(1, vec!["service=api 7.30%".into()]), step(2, vec![])]);
        assert!(out.contains("steps done: 1 (service=api 7.30%), 2"), "{out}");
    }
}
