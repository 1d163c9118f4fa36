//! One line of text per timeline event, shared by the pane and the
//! post-mortem table. Everything returned is cleaned (the journal is a file
//! anyone with access could have edited).

use chrono::{DateTime, Utc};

use super::record::{Event, Record};
use super::timeline::Timeline;
use crate::text::clean;

/// Separator that stands for a newline in single-line text.
const NEWLINE: &str = " / ";

/// `2026-11-22 10:02:13Z`: the one time format of files.
pub fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// A multi-line text on one line.
pub fn one_line(text: &str) -> String {
    let joined = text.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(NEWLINE);
    clean(&joined).into_owned()
}

/// What the record says, on one line. Notes show their current text; the
/// edit and strike records show what they changed.
pub fn describe(rec: &Record, t: &Timeline) -> String {
    let s = match &rec.event {
        Event::Declared { title, severity, commander } => {
            format!("declared \"{title}\" (severity {severity}, commander {commander})")
        }
        Event::Status { status } => format!("status → {status}"),
        Event::Commander { name } => format!("commander → {name}"),
        Event::Joined => "joined the room".to_string(),
        Event::Left => "left the room".to_string(),
        Event::Note { id, text } => match t.notes.get(id) {
            Some(n) if n.is_edited() => format!("{} (edited)", one_line(&n.current().text)),
            _ => one_line(text),
        },
        Event::NoteEdited { text, .. } => format!("edited note: {}", one_line(text)),
        Event::NoteStruck { id } => match t.notes.get(id) {
            Some(n) => format!("struck out note: {}", one_line(&n.current().text)),
            None => format!("struck out note {id}"),
        },
        ev => describe_capture(ev),
    };
    clean(&s).into_owned()
}

fn describe_capture(ev: &Event) -> String {
    match ev {
        Event::AlertFired { alertname, severity, summary, .. } => {
            let mut s = format!("alert firing: {alertname}");
            if !severity.is_empty() {
                s.push_str(&format!(" ({severity})"));
            }
            if !summary.is_empty() {
                s.push_str(&format!(" — {summary}"));
            }
            s
        }
        Event::AlertResolved { alertname, .. } => format!("alert resolved: {alertname}"),
        Event::AlertSilenced { alertname, silence_id, .. } => {
            format!("alert silenced: {alertname} (silence {silence_id})")
        }
        Event::SilenceCreated { id, matchers, comment, ends_at, created_by } => {
            format!("silence {id} by {created_by} until {}: {{{}}} — {comment}", utc(*ends_at), matchers.join(", "))
        }
        Event::SilenceExpired { id } => format!("silence expired: {id}"),
        Event::RunbookOpened { runbook } => format!("runbook opened: {runbook}"),
        Event::RunbookStep { runbook, step, text, done, values } => {
            let what = if *done { "done" } else { "unticked" };
            let values = if values.is_empty() { String::new() } else { format!(" — {}", values.join("; ")) };
            format!("runbook step {step} {what}: {text} ({runbook}){values}")
        }
        Event::PinnedGraph { title, sparkline, min, max, unit, .. } => {
            format!("pinned graph: {title} {sparkline} {}", range(*min, *max, unit))
        }
        Event::PinnedLog { labels, line, .. } => {
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            format!("pinned log {{{}}}: {line}", labels.join(", "))
        }
        // Incident and note events are described by `describe`.
        other => other.kind_name().to_string(),
    }
}

/// `0.2–14 s`, or `no data` when the series had no finite sample.
pub fn range(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{}–{} {unit}", number(lo), number(hi)).trim_end().to_string(),
        _ => "no data".to_string(),
    }
}

/// A value with at most 3 significant decimals and no trailing zeros.
pub fn number(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// `1h05m`, `5m12s`, `42s`, `2d03h`: short enough for a table cell.
pub fn duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    let (sign, secs) = if secs < 0 { ("-", -secs) } else { ("", secs) };
    let (days, hours, mins, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let body = if days > 0 {
        format!("{days}d{hours:02}h")
    } else if hours > 0 {
        format!("{hours}h{mins:02}m")
    } else if mins > 0 {
        format!("{mins}m{s:02}s")
    } else {
        format!("{s}s")
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_short() {
        let d = chrono::Duration::seconds;
        assert_eq!(duration(d(42)), "42s");
        assert_eq!(duration(d(312)), "5m12s");
        assert_eq!(duration(d(3900)), "1h05m");
        assert_eq!(duration(d(2 * 86_400 + 3 * 3600)), "2d03h");
        assert_eq!(duration(d(-60)), "-1m00s");
    }

    #[test]
    fn numbers_and_ranges() {
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(14.0), "14");
        assert_eq!(number(1.0 / 3.0), "0.333");
        assert_eq!(range(Some(0.2), Some(14.0), "s"), "0.2–14 s");
        assert_eq!(range(Some(1.0), Some(2.0), ""), "1–2");
        assert_eq!(range(None, Some(2.0), "s"), "no data");
    }

    #[test]
    fn one_line_joins_and_cleans() {
        assert_eq!(one_line("a\n\nb\x1b[31m \n"), "a / b");
    }
}
