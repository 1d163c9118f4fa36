//! `warroom stats`: the team's numbers over a period — per incident and in
//! all, time to detect (first alert → declared), to mitigate and to resolve,
//! against the targets (`mttd_target`, `mttr_target`).
//!
//! Pure: incidents (their records) in, a [`Report`] out, rendered as a
//! table, JSON or CSV. [`load`] reads the incident directory (every
//! incident in it, the shared ones joined from Loki included).

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::describe::duration;
use super::milestones::Milestones;
use super::record::{Record, Status};
use super::timeline::Timeline;
use crate::text::{clean, fit_width};

/// The targets the durations are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// First alert → declared.
    pub mttd: Duration,
    /// First alert (or the declaration) → resolved.
    pub mttr: Duration,
}

impl Default for Targets {
    /// The ops notes' targets: detect within 5 minutes, resolve within 30.
    fn default() -> Self {
        Targets { mttd: Duration::from_secs(5 * 60), mttr: Duration::from_secs(30 * 60) }
    }
}

/// Whether one incident met one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    Missed,
    /// Not there yet, and still within the target.
    Pending,
    /// No alert fired before the declaration: nothing to detect from.
    NotApplicable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::Pending => "pending",
            Verdict::NotApplicable => "n/a",
        }
    }

    /// The verdict of a duration against `target`; `open` is how long the
    /// incident has run so far when the duration is not known yet.
    fn of(d: Option<chrono::Duration>, open: Option<chrono::Duration>, target: Duration) -> Verdict {
        let target = chrono::Duration::from_std(target).unwrap_or(chrono::TimeDelta::MAX);
        match (d, open) {
            (Some(d), _) if d <= target => Verdict::Met,
            (Some(_), _) => Verdict::Missed,
            (None, Some(open)) if open > target => Verdict::Missed,
            (None, Some(_)) => Verdict::Pending,
            (None, None) => Verdict::NotApplicable,
        }
    }
}

/// One incident's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentStats {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub status: Status,
    pub first_alert: Option<DateTime<Utc>>,
    pub declared: DateTime<Utc>,
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
    /// Seconds.
    pub time_to_detect: Option<i64>,
    pub time_to_mitigate: Option<i64>,
    pub time_to_resolve: Option<i64>,
    pub mttd: Verdict,
    pub mttr: Verdict,
}

/// Mean and median of one duration over the incidents that have it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// How many incidents have this duration.
    pub count: usize,
    /// Seconds.
    pub mean: Option<i64>,
    pub median: Option<i64>,
    /// Incidents that missed the target (for detect and resolve).
    pub missed: Option<usize>,
}

/// The period's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Seconds.
    pub mttd_target: u64,
    pub mttr_target: u64,
    pub incidents: Vec<IncidentStats>,
    pub detect: Summary,
    pub mitigate: Summary,
    pub resolve: Summary,
}

/// The numbers of `incidents` (id and records) declared in
/// `[now - since, now]`, oldest first. An incident with no declaration (a
/// journal torn at its first line) is not one.
pub fn report(incidents: &[(String, Vec<Record>)], since: Duration, now: DateTime<Utc>, targets: Targets) -> Report {
    let from = now - chrono::Duration::from_std(since).unwrap_or(chrono::TimeDelta::MAX / 2);
    let mut out: Vec<IncidentStats> = incidents
        .iter()
        .filter_map(|(id, records)| one(id, records, now, targets))
        .filter(|s| s.declared >= from && s.declared <= now)
        .collect();
    out.sort_by(|a, b| (a.declared, &a.id).cmp(&(b.declared, &b.id)));
    let summary = |pick: fn(&IncidentStats) -> Option<i64>, verdict: Option<fn(&IncidentStats) -> Verdict>| {
        let mut v: Vec<i64> = out.iter().filter_map(pick).collect();
        v.sort_unstable();
        let mean = (!v.is_empty()).then(|| v.iter().sum::<i64>() / v.len() as i64);
        let median = match v.len() {
            0 => None,
            n if n % 2 == 1 => Some(v[n / 2]),
            n => Some((v[n / 2 - 1] + v[n / 2]) / 2),
        };
        let missed = verdict.map(|f| out.iter().filter(|s| f(s) == Verdict::Missed).count());
        Summary { count: v.len(), mean, median, missed }
    };
    let detect = summary(|s| s.time_to_detect, Some(|s| s.mttd));
    let mitigate = summary(|s| s.time_to_mitigate, None);
    let resolve = summary(|s| s.time_to_resolve, Some(|s| s.mttr));
    Report {
        since: from,
        until: now,
        mttd_target: targets.mttd.as_secs(),
        mttr_target: targets.mttr.as_secs(),
        incidents: out,
        detect,
        mitigate,
        resolve,
    }
}

fn one(id: &str, records: &[Record], now: DateTime<Utc>, targets: Targets) -> Option<IncidentStats> {
    let t = Timeline::build(records);
    let declared = t.declared.as_ref()?.0;
    let m: Milestones = t.milestones();
    let open = m.start().map(|s| now - s);
    let ttd = m.time_to_detect();
    Some(IncidentStats {
        id: clean(id).into_owned(),
        title: clean(&t.title).into_owned(),
        severity: clean(&t.severity).into_owned(),
        status: t.status.unwrap_or(Status::Investigating),
        first_alert: m.first_alert,
        declared,
        mitigated: m.mitigated,
        resolved: m.resolved,
        time_to_detect: ttd.map(|d| d.num_seconds()),
        time_to_mitigate: m.time_to_mitigate().map(|d| d.num_seconds()),
        time_to_resolve: m.time_to_resolve().map(|d| d.num_seconds()),
        // Detection is known at the declaration: no alert before it, no
        // time to detect.
        mttd: Verdict::of(ttd, None, targets.mttd),
        mttr: Verdict::of(m.time_to_resolve(), open.filter(|_| m.resolved.is_none()), targets.mttr),
    })
}

/// Every incident of the incident directory, with its records. Unreadable
/// journals are skipped (and logged), as `warroom` itself does.
pub fn load(dir: &Path) -> Result<Vec<(String, Vec<Record>)>, super::IncidentError> {
    let mut out = Vec::new();
    for meta in super::list(dir)? {
        match super::Journal::read_all(&meta.journal) {
            Ok(read) => out.push((meta.id, read.records)),
            Err(err) => tracing::warn!(%err, "stats: skipping unreadable incident"),
        }
    }
    Ok(out)
}

fn secs(s: Option<i64>) -> String {
    s.map_or("—".to_string(), |s| duration(chrono::Duration::seconds(s)))
}

fn target(secs: u64) -> String {
    duration(chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)))
}

/// The report as a terminal table, then the period's lines.
pub fn table(r: &Report) -> String {
    const TITLE: usize = 28;
    let idw = r.incidents.iter().map(|i| crate::text::width(&i.id)).max().unwrap_or(0).max(8);
    let mut s = format!(
        "{}  {}  {:<8}  {:<13}  {:>8}  {:>8}  {:>8}  {:<7}  {:<7}\n",
        fit_width("INCIDENT", idw),
        fit_width("TITLE", TITLE),
        "SEVERITY",
        "STATUS",
        "DETECT",
        "MITIGATE",
        "RESOLVE",
        "MTTD",
        "MTTR"
    );
    for i in &r.incidents {
        s.push_str(&format!(
            "{}  {}  {}  {:<13}  {:>8}  {:>8}  {:>8}  {:<7}  {:<7}\n",
            fit_width(&i.id, idw),
            fit_width(&i.title, TITLE),
            fit_width(&i.severity, 8),
            i.status.as_str(),
            secs(i.time_to_detect),
            secs(i.time_to_mitigate),
            secs(i.time_to_resolve),
            i.mttd.as_str(),
            i.mttr.as_str(),
        ));
    }
    let n = r.incidents.len();
    s.push_str(&format!(
        "\n{n} incident{} declared {} – {}\n",
        if n == 1 { "" } else { "s" },
        super::describe::utc(r.since),
        super::describe::utc(r.until)
    ));
    let line = |name: &str, sum: &Summary, t: Option<u64>| {
        let mut l = format!("{name:<17} mean {:>7}  median {:>7}", secs(sum.mean), secs(sum.median));
        l.push_str(&format!("  ({} of {n} measured)", sum.count));
        if let (Some(t), Some(missed)) = (t, sum.missed) {
            l.push_str(&format!("  target {}: {missed} missed", target(t)));
        }
        l.push('\n');
        l
    };
    s.push_str(&line("time to detect", &r.detect, Some(r.mttd_target)));
    s.push_str(&line("time to mitigate", &r.mitigate, None));
    s.push_str(&line("time to resolve", &r.resolve, Some(r.mttr_target)));
    let missed: Vec<&str> = r
        .incidents
        .iter()
        .filter(|i| i.mttd == Verdict::Missed || i.mttr == Verdict::Missed)
        .map(|i| i.id.as_str())
        .collect();
    if !missed.is_empty() {
        s.push_str(&format!("missed a target: {}\n", missed.join(", ")));
    }
    s.lines().map(str::trim_end).map(|l| format!("{l}\n")).collect()
}

/// The report as JSON (times RFC 3339, durations in seconds).
pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// One row per incident, for a spreadsheet. A cell that a spreadsheet
/// would read as a formula (`=`, `+`, `-`, `@`…) is quoted with `'`.
pub fn csv(r: &Report) -> Result<String, csv::Error> {
    let t = |x: Option<DateTime<Utc>>| x.map(|t| t.to_rfc3339()).unwrap_or_default();
    let n = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "title",
        "severity",
        "status",
        "first_alert",
        "declared",
        "mitigated",
        "resolved",
        "time_to_detect_s",
        "time_to_mitigate_s",
        "time_to_resolve_s",
        "mttd",
        "mttr",
    ])?;
    for i in &r.incidents {
        w.write_record([
            inert(&i.id),
            inert(&i.title),
            inert(&i.severity),
            i.status.as_str().to_string(),
            t(i.first_alert),
            t(Some(i.declared)),
            t(i.mitigated),
            t(i.resolved),
            n(i.time_to_detect),
            n(i.time_to_mitigate),
            n(i.time_to_resolve),
            i.mttd.as_str().to_string(),
            i.mttr.as_str().to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Text a spreadsheet shows as text, never runs as a formula (OWASP's CSV
/// injection advice).
fn inert(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::record::Event;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn rec(min: i64, event: Event) -> Record {
        Record::new(at(min), "alice", event)
            .with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P9R{:02}@h", min.rem_euclid(100)), "h")
    }

    fn fired(min: i64) -> Record {
        rec(
            min,
            Event::AlertFired {
                fingerprint: "f1".into(),
                alertname: "HighErrorRate".into(),
                severity: "critical".into(),
                labels: Default::default(),
                summary: String::new(),
                runbook_url: None,
            },
        )
    }

    fn declared(min: i64, title: &str) -> Record {
        rec(min, Event::Declared { title: title.into(), severity: "critical".into(), commander: "alice".into() })
    }

    fn status(min: i64, status: Status) -> Record {
        rec(min, Event::Status { status })
    }

    /// Three incidents: one on target, one detected late and resolved late,
    /// one still open past the resolve target; and one from before the period.
    fn fixtures() -> Vec<(String, Vec<Record>)> {
        vec![
            (
                "2026-11-02-fast".into(),
                vec![fired(0), declared(3, "fast"), status(10, Status::Mitigated), status(20, Status::Resolved)],
            ),
            (
                "2026-11-02-slow".into(),
                vec![
                    fired(100),
                    declared(112, "=HYPERLINK(\"x\")"),
                    status(130, Status::Mitigated),
                    status(160, Status::Resolved),
                ],
            ),
            ("2026-11-02-open".into(), vec![declared(200, "still open")]),
            (
                "2026-01-01-old".into(),
                vec![rec(
                    -400_000,
                    Event::Declared { title: "old".into(), severity: "".into(), commander: "a".into() },
                )],
            ),
        ]
    }

    #[test]
    fn durations_and_misses_of_known_incidents() {
        let r = report(&fixtures(), Duration::from_secs(90 * 86_400), at(300), Targets::default());
        let ids: Vec<&str> = r.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["2026-11-02-fast", "2026-11-02-slow", "2026-11-02-open"], "the old one is before the period");
        let [fast, slow, open] = &r.incidents[..] else { panic!() };
        assert_eq!(
            (fast.time_to_detect, fast.time_to_mitigate, fast.time_to_resolve),
            (Some(180), Some(600), Some(1200))
        );
        assert_eq!((fast.mttd, fast.mttr), (Verdict::Met, Verdict::Met));
        assert_eq!((slow.time_to_detect, slow.time_to_resolve), (Some(720), Some(3600)));
        assert_eq!((slow.mttd, slow.mttr), (Verdict::Missed, Verdict::Missed));
        // Declared with no alert: nothing to detect; open for 100 minutes.
        assert_eq!((open.time_to_detect, open.mttd, open.mttr), (None, Verdict::NotApplicable, Verdict::Missed));
        assert_eq!(r.detect, Summary { count: 2, mean: Some(450), median: Some(450), missed: Some(1) });
        assert_eq!(r.resolve, Summary { count: 2, mean: Some(2400), median: Some(2400), missed: Some(2) });
        assert_eq!(r.mitigate.missed, None, "no target for mitigation");

        let young = report(&fixtures(), Duration::from_secs(90 * 86_400), at(210), Targets::default());
        assert_eq!(young.incidents[2].mttr, Verdict::Pending, "open 10 minutes: within the target still");
    }

    #[test]
    fn the_table_says_the_numbers_and_who_missed() {
        let r = report(&fixtures(), Duration::from_secs(90 * 86_400), at(300), Targets::default());
        let t = table(&r);
        assert!(t.contains("3 incidents declared"), "{t}");
        assert!(
            t.contains("time to detect    mean   7m30s  median   7m30s  (2 of 3 measured)  target 5m00s: 1 missed"),
            "{t}"
        );
        assert!(t.contains("missed a target: 2026-11-02-slow, 2026-11-02-open"), "{t}");
        let row = t.lines().find(|l| l.starts_with("2026-11-02-fast")).expect("a row");
        assert!(row.contains("3m00s") && row.contains("20m00s") && row.contains("met"), "{row}");
    }

    #[test]
    fn json_and_csv_hold_every_incident_and_no_formula() {
        let r = report(&fixtures(), Duration::from_secs(90 * 86_400), at(300), Targets::default());
        let v: serde_json::Value = serde_json::from_str(&json(&r)).expect("json");
        assert_eq!(v["incidents"].as_array().map(Vec::len), Some(3));
        assert_eq!(v["incidents"][1]["mttd"], "missed");
        assert_eq!(v["mttr_target"], 1800);
        let c = csv(&r).expect("csv");
        let mut rd = csv::Reader::from_reader(c.as_bytes());
        let rows: Vec<csv::StringRecord> = rd.records().collect::<Result<_, _>>().expect("csv parses");
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[1][1], "'=HYPERLINK(\"x\")", "a title is never a formula");
        assert_eq!(&rows[0][8], "180");
    }
}
