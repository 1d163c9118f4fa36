//! Each post-mortem section from the folded timeline. A section the journal
//! says nothing about is a `TODO:` for the author, never invented text.

use super::md::{cell, code, note, text, todo};
use super::support;
use crate::incident::charts::Index;
use crate::incident::describe::{describe, duration, utc};
use crate::incident::milestones::Milestones;
use crate::incident::record::{Event, NoteTag, Record};
use crate::incident::stats::Targets;
use crate::incident::timeline::{Note, Timeline};

/// The markdown for placeholder `name`, `None` if it is not one.
pub fn section(name: &str, t: &Timeline, records: &[Record], targets: &Targets, charts: &Index) -> Option<String> {
    let s = match name {
        "title" => or_todo(text(&t.title), "title"),
        "date" => t.declared.as_ref().map_or_else(|| todo("date"), |(at, _)| at.format("%Y-%m-%d").to_string()),
        "authors" => authors(records),
        "status" => t.status.map_or_else(|| todo("status"), |s| s.to_string()),
        "severity" => or_todo(text(&t.severity), "severity"),
        "commander" => or_todo(text(&t.commander), "commander"),
        "summary" => summary(t),
        "impact" => tagged(t, NoteTag::Impact, "who and what was affected, for how long"),
        "root_causes" => tagged(t, NoteTag::Cause, "why it happened (tag notes `!cause`)"),
        "trigger" => todo("what set it off (a deploy, a traffic spike, a config change)"),
        "resolution" => resolution(t),
        "detection" => detection(t),
        "durations" => durations(&t.milestones(), targets),
        "action_items" => action_items(t),
        "lessons_learned" => lessons(),
        "timeline" => timeline_table(t, records),
        "alerts" => support::alerts(t, records, charts),
        "graphs" => support::graphs(records, charts),
        "logs" => support::logs(records),
        _ => return None,
    };
    Some(s)
}

fn or_todo(s: String, what: &str) -> String {
    if s.trim().is_empty() { todo(what) } else { s }
}

/// Everyone who wrote to the journal, in order of first appearance.
fn authors(records: &[Record]) -> String {
    let mut names: Vec<String> = Vec::new();
    for r in records {
        let name = text(&r.author);
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    or_todo(names.join(", "), "authors")
}

fn summary(t: &Timeline) -> String {
    let Some((at, by)) = &t.declared else {
        return todo("summary (the journal has no declaration)");
    };
    let mut s = format!(
        "{} — severity {}, declared {} by {}, commander {}. Status: {}.",
        text(&t.title),
        text(&t.severity),
        utc(*at),
        text(by),
        text(&t.commander),
        t.status.map_or("investigating".into(), |s| s.to_string()),
    );
    if !t.alerts.is_empty() {
        let names: Vec<String> = t.alerts.iter().map(|a| code(&a.alertname)).collect();
        s.push_str(&format!(" {} alert(s) involved: {}.", t.alerts.len(), names.join(", ")));
    }
    s
}

fn note_line(n: &Note) -> String {
    let v = n.current();
    let (_, words) = n.tagged();
    format!("- {} ({}, {})", note(words), text(&v.author), utc(n.created().at))
}

fn tagged(t: &Timeline, tag: NoteTag, hint: &str) -> String {
    let notes = t.tagged_notes(tag);
    if notes.is_empty() {
        return todo(&format!("{hint} — notes tagged `{}` land here", tag.word()));
    }
    notes.into_iter().map(note_line).collect::<Vec<_>>().join("\n")
}

fn resolution(t: &Timeline) -> String {
    let mut lines: Vec<String> =
        t.status_changes.iter().map(|(at, status, by)| format!("- {} {} by {}", utc(*at), status, text(by))).collect();
    lines.extend(t.tagged_notes(NoteTag::Decision).into_iter().map(note_line));
    if lines.is_empty() {
        return todo("how it was mitigated and fixed — `!decision` notes land here");
    }
    lines.join("\n")
}

fn detection(t: &Timeline) -> String {
    let Some((declared, by)) = &t.declared else {
        return todo("how the problem was noticed");
    };
    let first = t.alerts.iter().min_by_key(|a| a.started);
    match first {
        Some(a) if a.started <= *declared => format!(
            "Alert {} ({}) started {}; the incident was declared {} by {}, {} later.",
            code(&a.alertname),
            text(&a.severity),
            utc(a.started),
            utc(*declared),
            text(by),
            duration(*declared - a.started)
        ),
        _ => format!(
            "Declared {} by {} with no alert firing before. {}",
            utc(*declared),
            text(by),
            todo("how was it noticed, and which alert should have caught it?")
        ),
    }
}

/// `met (target 5m00s)`, `missed (target 30m00s)`, `—` for a measure
/// with no target or nothing to measure.
fn against(d: Option<chrono::Duration>, target: Option<std::time::Duration>) -> String {
    let (Some(d), Some(t)) = (d, target) else { return "—".to_string() };
    let t = chrono::Duration::from_std(t).unwrap_or(chrono::TimeDelta::MAX);
    let verdict = if d <= t { "met" } else { "missed" };
    format!("{verdict} (target {})", duration(t))
}

fn durations(m: &Milestones, targets: &Targets) -> String {
    let start_label =
        if m.first_alert.is_some_and(|a| m.declared.is_none_or(|d| a <= d)) { "first alert" } else { "declared" };
    let at = |x: Option<chrono::DateTime<chrono::Utc>>| x.map_or("—".to_string(), utc);
    let rows = [
        (
            "Time to detect",
            against(m.time_to_detect(), Some(targets.mttd)),
            "first alert",
            at(m.first_alert),
            "declared",
            at(m.declared),
            m.time_to_detect().map_or("n/a (no alert before the declaration)".into(), duration),
        ),
        (
            "Time to mitigate",
            against(m.time_to_mitigate(), None),
            start_label,
            at(m.start()),
            "mitigated",
            at(m.mitigated),
            m.time_to_mitigate().map_or("not mitigated yet".into(), duration),
        ),
        (
            "Time to resolve",
            against(m.time_to_resolve(), Some(targets.mttr)),
            start_label,
            at(m.start()),
            "resolved",
            at(m.resolved),
            m.time_to_resolve().map_or("not resolved yet".into(), duration),
        ),
    ];
    let mut s = String::from("| Measure | From | To | Duration | Target |\n| --- | --- | --- | --- | --- |");
    for (name, target, from_l, from, to_l, to, d) in rows {
        s.push_str(&format!("\n| {name} | {from_l} {from} | {to_l} {to} | {d} | {target} |"));
    }
    s
}

/// `@name` in the text names the owner, otherwise the note's author owns
/// it. A leading `@name` is taken out of the text (it is in the owner part).
fn owner<'a>(text: &'a str, author: &'a str) -> (&'a str, &'a str) {
    let mention = |w: &'a str| {
        w.strip_prefix('@').map(|n| n.trim_end_matches(|c: char| !c.is_alphanumeric())).filter(|n| !n.is_empty())
    };
    let text = text.trim_start();
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if let Some(name) = mention(first) {
        return (name, rest.trim_start());
    }
    let name = text.split_whitespace().find_map(mention).unwrap_or(author);
    (name, text)
}

fn action_items(t: &Timeline) -> String {
    let notes = t.tagged_notes(NoteTag::Action);
    if notes.is_empty() {
        return todo("follow-ups to prevent a recurrence — notes tagged `!action` land here");
    }
    notes
        .into_iter()
        .map(|n| {
            let (_, words) = n.tagged();
            let (who, what) = owner(words, &n.created().author);
            format!("- [ ] {} — owner: {} (noted {})", note(what), text(who), utc(n.created().at))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn lessons() -> String {
    [
        ("What went well", "what helped"),
        ("What went wrong", "what hurt or slowed us down"),
        ("Where we got lucky", "what could have made it worse"),
    ]
    .iter()
    .map(|(title, hint)| format!("#### {title}\n\n{}", todo(hint)))
    .collect::<Vec<_>>()
    .join("\n\n")
}

fn timeline_table(t: &Timeline, records: &[Record]) -> String {
    let mut s = String::from("| Time (UTC) | Who | Event |\n| --- | --- | --- |");
    for e in &t.entries {
        let Some(rec) = records.get(e.record) else {
            continue;
        };
        let mut text = cell(&describe(rec, t));
        let struck = e
            .note_id
            .as_ref()
            .and_then(|id| t.notes.get(id))
            .is_some_and(|n| n.struck.is_some() && matches!(rec.event, Event::Note { .. }));
        if struck {
            text = format!("~~{text}~~ (struck out)");
        }
        s.push_str(&format!("\n| {} | {} | {} |", utc(e.at), cell(&e.author), text));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_comes_from_a_mention_or_the_author() {
        assert_eq!(owner("@bob: add alembic upgrade", "alice"), ("bob", "add alembic upgrade"));
        assert_eq!(owner("add a pool alert", "alice"), ("alice", "add a pool alert"));
        assert_eq!(owner("ask @carol.", "alice"), ("carol", "ask @carol."));
        assert_eq!(owner("ask @ the team", "alice"), ("alice", "ask @ the team"));
    }
}
