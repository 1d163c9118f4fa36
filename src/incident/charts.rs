//! The post-mortem's charts: SVG pictures of the pinned graphs and of each
//! alert's expression over the incident, with the firing intervals shaded
//! and the incident's milestones and decisions marked.
//!
//! Pure: [`plan`] says which charts an incident wants (from its records),
//! [`svg`] draws one from the series the exporter fetched (plotters' SVG
//! backend: no system library, no font to install; the viewer renders the
//! text). The exporter (`app::export`) fetches once and writes the files
//! and an index (`charts/index.json`) that the post-mortem links from, so
//! the draft keeps its pictures whatever Prometheus' retention does later.
//!
//! Every label value and note is untrusted: cleaned (no control
//! characters, which XML cannot hold) and cut before plotters writes it,
//! and plotters escapes it for XML.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::intent::TimeDisplay;
use super::record::{Event, NoteTag, Record, Status};
use super::timeline::Timeline;
use crate::model::Labels;
use crate::model::units::{Unit, format_value, unit_name};
use crate::text::{clean, truncate_width};

/// The folder beside the post-mortem that holds its charts.
pub const CHARTS_DIR: &str = "charts";
/// What the exporter drew and what it could not, in [`CHARTS_DIR`].
pub const INDEX_FILE: &str = "index.json";
/// Lines per chart (the highest ones).
pub const MAX_SERIES: usize = 5;
/// Points per line: the step is the window over this (and at least 1 s).
pub const MAX_POINTS: u32 = 1_000;
/// Charts per post-mortem.
pub const MAX_CHARTS: usize = 40;
const SIZE: (u32, u32) = (960, 400);
/// Widest legend entry, caption and mark label, in columns.
const LABEL_WIDTH: usize = 60;

/// What a chart is of.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A pinned graph: its query over its window.
    Pin { query: String },
    /// An alert: its rule's expression (looked up at export).
    Alert { alertname: String, labels: Labels },
}

/// A vertical mark: a milestone or a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub label: String,
}

/// One chart the post-mortem wants.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// What the post-mortem looks it up by: `pin/<record id>`, `alert/<fingerprint>`.
    pub key: String,
    /// `pin-1.svg`, `alert-2.svg`: never made of remote text.
    pub file: String,
    pub title: String,
    pub subject: Subject,
    pub unit: Unit,
    /// The unit as the record names it (`conns`), for the value axis.
    pub unit_label: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Shaded: when the alert fired.
    pub firing: Vec<Interval>,
    pub marks: Vec<Mark>,
}

/// From, to.
pub type Interval = (DateTime<Utc>, DateTime<Utc>);

impl Plan {
    /// The range query's step: the window in at most [`MAX_POINTS`] steps.
    pub fn step(&self) -> std::time::Duration {
        let span = (self.to - self.from).num_milliseconds().max(0) as u64;
        std::time::Duration::from_millis((span / u64::from(MAX_POINTS)).max(1_000))
    }
}

/// A fetched line: its labels and (unix seconds, value) samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub labels: Labels,
    pub samples: Vec<(f64, f64)>,
}

/// The charts an incident wants: each pinned graph over its window, and
/// each alert involved from a margin before its first firing to a margin
/// after its last resolution (`now` while it still fires).
pub fn plan(records: &[Record], now: DateTime<Utc>) -> Vec<Plan> {
    let t = Timeline::build(records);
    let marks = marks(&t);
    let within = |from: DateTime<Utc>, to: DateTime<Utc>| -> Vec<Mark> {
        marks.iter().filter(|m| m.at >= from && m.at <= to).cloned().collect()
    };
    let mut out = Vec::new();
    for r in records {
        if let Event::PinnedGraph { title, query, unit, from, to, .. } = &r.event {
            let n = out.len() + 1;
            out.push(Plan {
                key: format!("pin/{}", r.id),
                file: format!("pin-{n}.svg"),
                title: label(title),
                subject: Subject::Pin { query: query.clone() },
                unit: Unit::from_name(unit),
                unit_label: label(unit),
                from: *from,
                to: *to,
                firing: Vec::new(),
                marks: within(*from, *to),
            });
        }
    }
    // An alert still firing in the journal ends with the incident, if it
    // ended: its chart does not run on to the export's time.
    let end = t.milestones().resolved.unwrap_or(now);
    let firings = firings(records, end);
    for (i, a) in t.alerts.iter().enumerate() {
        let runs = firings.get(&a.fingerprint).cloned().unwrap_or_default();
        let first = runs.first().map_or(a.started, |r| r.0);
        let last = runs.iter().map(|r| r.1).max().unwrap_or_else(|| a.ended.unwrap_or(end));
        let margin = chrono::Duration::minutes(15).max((last - first) / 10);
        let (from, to) = (first - margin, (last + margin).min(now.max(last)));
        out.push(Plan {
            key: format!("alert/{}", a.fingerprint),
            file: format!("alert-{}.svg", i + 1),
            title: label(&format!("{} ({})", a.alertname, a.severity)),
            subject: Subject::Alert { alertname: a.alertname.clone(), labels: a.labels.clone() },
            unit: Unit::None,
            unit_label: String::new(),
            from,
            to,
            firing: runs,
            marks: within(from, to),
        });
    }
    out.truncate(MAX_CHARTS);
    out
}

/// Declared, mitigated and resolved, and each live `!decision` and
/// `!action` note, in time order.
fn marks(t: &Timeline) -> Vec<Mark> {
    let mut out = Vec::new();
    if let Some((at, _)) = &t.declared {
        out.push(Mark { at: *at, label: "declared".into() });
    }
    let m = t.milestones();
    if let Some(at) = m.mitigated.filter(|_| t.status_changes.iter().any(|(_, s, _)| *s == Status::Mitigated)) {
        out.push(Mark { at, label: "mitigated".into() });
    }
    if let Some(at) = m.resolved {
        out.push(Mark { at, label: "resolved".into() });
    }
    for (tag, name) in [(NoteTag::Decision, "decision"), (NoteTag::Action, "action")] {
        for (i, n) in t.tagged_notes(tag).iter().enumerate() {
            out.push(Mark { at: n.created().at, label: format!("{name} {}", i + 1) });
        }
    }
    out.sort_by_key(|m| m.at);
    out
}

/// Each alert's firing intervals, by fingerprint: from each `alert_fired`
/// to the `alert_resolved` after it (or `now`).
fn firings(records: &[Record], now: DateTime<Utc>) -> BTreeMap<String, Vec<Interval>> {
    let mut events: Vec<(&DateTime<Utc>, &str, bool)> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::AlertFired { fingerprint, .. } => Some((&r.at, fingerprint.as_str(), true)),
            Event::AlertResolved { fingerprint, .. } => Some((&r.at, fingerprint.as_str(), false)),
            _ => None,
        })
        .collect();
    events.sort_by_key(|e| *e.0);
    let mut open: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<Interval>> = BTreeMap::new();
    for (at, fp, fired) in events {
        match (fired, open.get(fp)) {
            (true, None) => {
                open.insert(fp, *at);
            }
            (false, Some(start)) => {
                out.entry(fp.to_string()).or_default().push((*start, *at));
                open.remove(fp);
            }
            _ => {}
        }
    }
    for (fp, start) in open {
        out.entry(fp.to_string()).or_default().push((start, now.max(start)));
    }
    out
}

/// Untrusted text as a chart may show it: one clean line, cut.
fn label(s: &str) -> String {
    let one = clean(&s.replace(['\n', '\r', '\t'], " ")).into_owned();
    let cut = truncate_width(&one, LABEL_WIDTH);
    if cut.len() < one.len() { format!("{cut}…") } else { cut }
}

/// The highest [`MAX_SERIES`] lines (by their largest value), each with
/// its legend: the labels in which the lines differ.
fn top(lines: &[Line]) -> Vec<(String, &Line)> {
    let peak = |l: &Line| l.samples.iter().map(|s| s.1).filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by(|a, b| peak(b).total_cmp(&peak(a)));
    sorted.truncate(MAX_SERIES);
    let differ: Vec<&String> = {
        let mut keys: Vec<&String> = sorted.iter().flat_map(|l| l.labels.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter().filter(|k| sorted.iter().any(|l| l.labels.get(*k) != sorted[0].labels.get(*k))).collect()
    };
    sorted
        .into_iter()
        .map(|l| {
            let shown: Vec<String> = if differ.is_empty() {
                l.labels.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| format!("{k}={v}")).collect()
            } else {
                differ.iter().map(|k| format!("{k}={}", l.labels.get(*k).map_or("", String::as_str))).collect()
            };
            let legend = if shown.is_empty() { "value".to_string() } else { shown.join(", ") };
            (label(&legend), l)
        })
        .collect()
}

/// Colours that read on white, colour-blind safe (Okabe–Ito).
const PALETTE: [(u8, u8, u8); 5] = [(0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233)];

/// The chart of `plan` from the fetched `lines`, as an SVG document on a
/// white ground (readable on light and dark pages alike). Times on the
/// axis are UTC or local, as the console shows them (`time`).
pub fn svg(plan: &Plan, lines: &[Line], time: TimeDisplay) -> Result<String, String> {
    use plotters::prelude::*;
    let shown = top(lines);
    let (x0, x1) = (plan.from.timestamp() as f64, plan.to.timestamp().max(plan.from.timestamp() + 1) as f64);
    let values = shown.iter().flat_map(|(_, l)| l.samples.iter().map(|s| s.1)).filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (y0, y1) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) if hi > lo => (lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05),
        (true, true) => (lo - lo.abs().max(1.0) * 0.1, hi + hi.abs().max(1.0) * 0.1),
        _ => (0.0, 1.0),
    };
    let long = plan.to - plan.from > chrono::Duration::hours(24);
    let unit = plan.unit;
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", plan.file);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&plan.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| err(&e))?;
        let (offset, zone) = match time {
            TimeDisplay::Utc => (chrono::FixedOffset::east_opt(0).expect("UTC"), "UTC".to_string()),
            TimeDisplay::Local(o) => (o, format!("UTC{o}")),
        };
        let x_desc = format!("time ({zone})");
        let time = |x: &f64| {
            DateTime::from_timestamp(*x as i64, 0)
                .map(|t| t.with_timezone(&offset).format(if long { "%m-%d %H:%M" } else { "%H:%M" }).to_string())
                .unwrap_or_default()
        };
        let y_desc = match unit_name(unit) {
            "" => plan.unit_label.clone(),
            u => u.to_string(),
        };
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(6)
            .x_label_formatter(&time)
            .y_label_formatter(&|y| format_value(*y, unit))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;
        let firing = RGBAColor(213, 94, 0, 0.15);
        for (a, b) in &plan.firing {
            let (a, b) = ((a.timestamp() as f64).max(x0), (b.timestamp() as f64).min(x1));
            if a < b {
                chart
                    .draw_series(std::iter::once(Rectangle::new([(a, y0), (b, y1)], firing.filled())))
                    .map_err(|e| err(&e))?;
            }
        }
        for (i, (legend, line)) in shown.iter().enumerate() {
            let (r, g, b) = PALETTE[i % PALETTE.len()];
            let colour = RGBColor(r, g, b);
            // A gap (NaN) breaks the line: one path per run of values.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for &(x, y) in &line.samples {
                if y.is_finite() {
                    if let Some(run) = runs.last_mut() {
                        run.push((x, y));
                    }
                } else if runs.last().is_some_and(|run| !run.is_empty()) {
                    runs.push(Vec::new());
                }
            }
            for (j, run) in runs.into_iter().filter(|r| !r.is_empty()).enumerate() {
                let drawn = chart.draw_series(LineSeries::new(run, colour.stroke_width(2))).map_err(|e| err(&e))?;
                if j == 0 {
                    drawn
                        .label(legend.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
                }
            }
        }
        let ink = RGBColor(60, 60, 60);
        for (i, m) in plan.marks.iter().enumerate() {
            let x = m.at.timestamp() as f64;
            // Labels of marks close together would overlap: three rows.
            let y = y1 - (y1 - y0) * 0.045 * (i % 3) as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(x, y0), (x, y1)], ink.stroke_width(1))))
                .map_err(|e| err(&e))?;
            chart
                .draw_series(std::iter::once(Text::new(
                    label(&m.label),
                    (x, y),
                    ("sans-serif", 12).into_font().color(&ink),
                )))
                .map_err(|e| err(&e))?;
        }
        if !shown.is_empty() {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(ink)
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(buf)
}

/// One chart of the index: drawn (its file) or missing (why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// What the last export drew, read by every regeneration of the draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub charts: Vec<Entry>,
}

impl Index {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.charts.iter().find(|e| e.key == key)
    }

    /// The index in `dir` (the post-mortem's folder), or an empty one. The
    /// file is ours but on disk: an entry whose file name is not one the
    /// exporter makes (`pin-N.svg`, `alert-N.svg`) or does not exist is
    /// dropped, so a link never points out of the folder.
    pub fn read(dir: &Path) -> Index {
        let charts = dir.join(CHARTS_DIR);
        let Ok(text) = std::fs::read_to_string(charts.join(INDEX_FILE)) else { return Index::default() };
        let Ok(mut index) = serde_json::from_str::<Index>(&text) else {
            tracing::warn!(dir = %charts.display(), "charts index unreadable; the draft links no chart");
            return Index::default();
        };
        index.charts.retain(|e| match &e.file {
            Some(f) => is_chart_file(f) && charts.join(f).is_file(),
            None => e.missing.is_some(),
        });
        index
    }
}

/// `pin-12.svg`, `alert-3.svg`.
pub fn is_chart_file(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".svg") else { return false };
    let digits = stem.strip_prefix("pin-").or_else(|| stem.strip_prefix("alert-"));
    digits.is_some_and(|d| !d.is_empty() && d.len() <= 4 && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn rec(n: u32, min: i64, event: Event) -> Record {
        Record::new(at(min), "alice", event).with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P9R{n:02}@h"), "h")
    }

    fn fired(n: u32, min: i64, fp: &str) -> Record {
        rec(
            n,
            min,
            Event::AlertFired {
                fingerprint: fp.into(),
                alertname: "HighErrorRate</text><script>x</script>".into(),
                severity: "critical".into(),
                labels: Default::default(),
                summary: String::new(),
                runbook_url: None,
            },
        )
    }

    fn incident() -> Vec<Record> {
        vec![
            fired(1, 0, "f1"),
            rec(2, 5, Event::Declared { title: "DB".into(), severity: "critical".into(), commander: "alice".into() }),
            rec(3, 10, Event::Note { id: String::new(), text: "!decision fail over".into() }),
            rec(
                4,
                20,
                Event::AlertResolved { fingerprint: "f1".into(), alertname: "x".into(), starts_at: Some(at(0)) },
            ),
            fired(5, 30, "f1"),
            rec(
                6,
                40,
                Event::AlertResolved { fingerprint: "f1".into(), alertname: "x".into(), starts_at: Some(at(30)) },
            ),
            rec(7, 45, Event::Status { status: Status::Mitigated }),
            rec(
                8,
                46,
                Event::PinnedGraph {
                    title: "errors \u{1b}[31m".into(),
                    query: "rate(errors[5m])".into(),
                    sparkline: "▁▂".into(),
                    min: Some(0.0),
                    max: Some(1.0),
                    unit: "ratio".into(),
                    from: at(0),
                    to: at(46),
                },
            ),
        ]
    }

    #[test]
    fn an_incident_wants_its_pins_and_one_overview_per_alert() {
        let plans = plan(&incident(), at(60));
        let files: Vec<&str> = plans.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files, ["pin-1.svg", "alert-1.svg"]);
        let (pin, alert) = (&plans[0], &plans[1]);
        assert_eq!(pin.key, "pin/01JDX3ZC8Q4M5T0V6B7N8P9R08@h");
        assert_eq!(pin.unit, Unit::Ratio);
        assert_eq!(pin.title, "errors ", "no escape sequence: {:?}", pin.title);
        assert_eq!(alert.firing, vec![(at(0), at(20)), (at(30), at(40))], "two firings, both shaded");
        assert_eq!((alert.from, alert.to), (at(-15), at(55)), "a 15-minute margin each side");
        let labels: Vec<&str> = alert.marks.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["declared", "decision 1", "mitigated"]);
        assert_eq!(alert.step(), std::time::Duration::from_millis(4_200), "70 minutes in 1 000 steps");
    }

    #[test]
    fn a_chart_is_svg_with_its_lines_shading_marks_and_no_foreign_markup() {
        let plans = plan(&incident(), at(60));
        let alert = &plans[1];
        let line = |svc: &str, k: f64| Line {
            labels: [("service".to_string(), svc.to_string()), ("job".to_string(), "api".to_string())].into(),
            samples: (0..50).map(|i| (alert.from.timestamp() as f64 + f64::from(i) * 60.0, k * f64::from(i))).collect(),
        };
        let svg = svg(alert, &[line("a\"><script>", 1.0), line("b", 2.0)], TimeDisplay::Utc).expect("drawn");
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let mut names: Vec<&str> = doc.descendants().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect();
        names.sort();
        names.dedup();
        assert!(
            names.iter().all(|n| ["svg", "rect", "line", "polyline", "polygon", "text", "circle"].contains(n)),
            "{names:?}"
        );
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).map(str::trim).collect();
        assert!(texts.iter().any(|t| t.starts_with("HighErrorRate</text><script>")), "the title as text: {texts:?}");
        assert!(
            texts.contains(&"service=b") && texts.iter().any(|t| t.starts_with("service=a\"><script>")),
            "{texts:?}"
        );
        assert!(texts.contains(&"declared") && texts.contains(&"decision 1"), "{texts:?}");
        assert!(texts.contains(&"time (UTC)"), "{texts:?}");
        let shaded = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "rect" && n.attribute("fill") == Some("#D55E00"))
            .count();
        assert_eq!(shaded, 2, "two firings shaded");
        let lines = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke-width") == Some("2"))
            .count();
        assert!(lines >= 2, "a line per series (and the legend's): {lines}");

        let paris = chrono::FixedOffset::east_opt(3600).expect("offset");
        let ticks = |svg: &str| -> Vec<String> {
            let doc = roxmltree::Document::parse(svg).expect("xml");
            let texts = doc.descendants().filter_map(|n| n.text()).map(|t| t.trim().to_string());
            texts.filter(|t| t.len() == 5 && t.as_bytes()[2] == b':').collect()
        };
        let local = super::svg(alert, &[line("b", 2.0)], TimeDisplay::Local(paris)).expect("drawn");
        assert!(local.contains("time (UTC+01:00)"), "{local}");
        let (utc, local) = (ticks(&svg), ticks(&local));
        let hour_later = |t: &str| format!("{:02}{}", (t[..2].parse::<u32>().expect("hour") + 1) % 24, &t[2..]);
        assert!(!utc.is_empty(), "time ticks");
        assert_eq!(local, utc.iter().map(|t| hour_later(t)).collect::<Vec<_>>(), "the same ticks, an hour on");
    }

    #[test]
    fn the_index_links_only_files_the_exporter_makes() {
        let dir = tempfile::tempdir().expect("dir");
        let charts = dir.path().join(CHARTS_DIR);
        std::fs::create_dir_all(&charts).expect("dir");
        std::fs::write(charts.join("pin-1.svg"), "<svg/>").expect("svg");
        let index = Index {
            charts: vec![
                Entry { key: "pin/a".into(), title: "a".into(), file: Some("pin-1.svg".into()), missing: None },
                Entry { key: "pin/b".into(), title: "b".into(), file: Some("../../etc/passwd".into()), missing: None },
                Entry { key: "pin/c".into(), title: "c".into(), file: Some("pin-2.svg".into()), missing: None },
                Entry { key: "alert/d".into(), title: "d".into(), file: None, missing: Some("down".into()) },
            ],
        };
        std::fs::write(charts.join(INDEX_FILE), serde_json::to_string(&index).expect("json")).expect("index");
        let read = Index::read(dir.path());
        let keys: Vec<&str> = read.charts.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["pin/a", "alert/d"], "no path out of the folder, no file that is not there");
        assert!(!is_chart_file("pin-.svg") && !is_chart_file("x.svg") && is_chart_file("alert-12.svg"));
    }
}
