//! `:handoff`: the incident in one page for the next shift or the chat
//! channel — status, impact so far, what is known, what was tried, open
//! action items, active silences and acks with their expiry, who is in.
//! Markdown, from the journal's records and the silences Alertmanager
//! reports; every remote string escaped as in the post-mortem. Pure.

use chrono::{DateTime, Utc};

use super::describe::utc;
use super::postmortem::md::{note, text};
use super::record::{Event, NoteTag, Record};
use super::timeline::Timeline;
use crate::model::{Silence, SilenceState};

/// The handoff's file name in the incident's directory.
pub const HANDOFF_FILE: &str = "handoff.md";
/// Untagged notes shown under "Latest notes".
const LATEST: usize = 5;

/// The handoff of incident `id` at `now`.
pub fn render(id: &str, records: &[Record], silences: &[Silence], people: &[String], now: DateTime<Utc>) -> String {
    let t = Timeline::build(records);
    let mut out = String::new();
    let status = t.status.map_or_else(|| "investigating".to_string(), |s| s.to_string());
    out.push_str(&format!("# Handoff: {}\n\n", text(&t.title)));
    out.push_str(&format!(
        "`{}` · {} · status **{status}** · severity {} · commander {}\n\n",
        text(id),
        utc(now),
        text(&t.severity),
        text(&t.commander)
    ));
    if let Some((at, by)) = &t.declared {
        let mins = (now - *at).num_minutes().max(0);
        out.push_str(&format!("Declared {} by {} ({}h{:02}m ago).\n", utc(*at), text(by), mins / 60, mins % 60));
    }
    let people: Vec<String> = people.iter().map(|p| text(p)).collect();
    out.push_str(&format!(
        "In the room: {}.\n",
        if people.is_empty() { "nobody yet".into() } else { people.join(", ") }
    ));

    section(&mut out, "Impact so far", tagged(&t, NoteTag::Impact), "nothing noted (tag notes `!impact`)");

    let mut known = tagged(&t, NoteTag::Cause);
    for a in &t.alerts {
        let state = match a.ended {
            Some(end) => format!("resolved {}", utc(end)),
            None => format!("firing since {}", utc(a.started)),
        };
        known.push(format!("alert {} ({}): {state}", text(&a.alertname), text(&a.severity)));
    }
    section(&mut out, "What is known", known, "nothing yet (tag notes `!cause`)");

    let mut tried = Vec::new();
    for r in records {
        match &r.event {
            Event::RunbookStep { runbook, step, text: step_text, done: true, .. } => tried.push(format!(
                "{} runbook {} step {}: {} ({})",
                utc(r.at),
                text(runbook),
                step + 1,
                note(step_text),
                text(&r.author)
            )),
            Event::Status { status } => tried.push(format!("{} status {status} ({})", utc(r.at), text(&r.author))),
            _ => {}
        }
    }
    tried.extend(tagged(&t, NoteTag::Decision).into_iter().map(|d| format!("decision: {d}")));
    section(&mut out, "What was tried", tried, "nothing recorded (tick runbook steps, tag notes `!decision`)");

    let actions: Vec<String> = tagged(&t, NoteTag::Action).into_iter().map(|a| format!("[ ] {a}")).collect();
    section(&mut out, "Open action items", actions, "none (tag notes `!action`)");

    let active: Vec<String> = silences
        .iter()
        .filter(|s| s.state == SilenceState::Active && s.ends_at > now)
        .map(|s| {
            let matchers: Vec<String> = s.matchers.iter().map(|m| format!("`{}`", text(&m.to_string()))).collect();
            let left = (s.ends_at - now).num_minutes().max(0);
            format!(
                "{} until {} ({}h{:02}m left), by {}: {}",
                matchers.join(" "),
                utc(s.ends_at),
                left / 60,
                left % 60,
                text(&s.created_by),
                note(&s.comment)
            )
        })
        .collect();
    section(&mut out, "Active silences and acks", active, "none");

    let mut latest: Vec<&super::timeline::Note> =
        t.notes.values().filter(|n| n.struck.is_none() && n.tagged().0.is_none()).collect();
    latest.sort_by_key(|n| n.created().at);
    let latest: Vec<String> = latest
        .iter()
        .rev()
        .take(LATEST)
        .rev()
        .map(|n| format!("{} {}: {}", utc(n.current().at), text(&n.created().author), note(&n.current().text)))
        .collect();
    section(&mut out, "Latest notes", latest, "none");
    out
}

/// The current text of the notes tagged `tag` (struck ones left out).
fn tagged(t: &Timeline, tag: NoteTag) -> Vec<String> {
    t.tagged_notes(tag)
        .into_iter()
        .filter(|n| n.struck.is_none())
        .map(|n| format!("{} ({})", note(n.tagged().1), text(&n.created().author)))
        .collect()
}

fn section(out: &mut String, title: &str, items: Vec<String>, empty: &str) {
    out.push_str(&format!("\n## {title}\n\n"));
    if items.is_empty() {
        out.push_str(&format!("_{empty}_\n"));
    }
    for i in items {
        out.push_str(&format!("- {i}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Matcher;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).expect("time")
    }

    fn rec(min: i64, who: &str, event: Event) -> Record {
        Record::new(at(min), who, event).with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P9R{min:02}@h"), "h")
    }

    fn note_ev(text: &str) -> Event {
        Event::Note { id: String::new(), text: text.into() }
    }

    #[test]
    fn the_handoff_says_what_the_next_shift_needs() {
        let records = vec![
            rec(
                0,
                "alice",
                Event::Declared { title: "DB down".into(), severity: "critical".into(), commander: "alice".into() },
            ),
            rec(1, "alice", note_ev("!impact checkout fails for 30% of users")),
            rec(2, "bob", note_ev("!cause pgbouncer pool <b>exhausted</b> @everyone")),
            rec(
                3,
                "bob",
                Event::RunbookStep {
                    runbook: "db.md".into(),
                    step: 1,
                    text: "restart pgbouncer".into(),
                    done: true,
                    values: Vec::new(),
                },
            ),
            rec(4, "alice", note_ev("!action add a pool alert")),
            rec(5, "alice", note_ev("!decision keep writes paused")),
            rec(6, "bob", note_ev("replica lag 0")),
            rec(7, "alice", Event::Status { status: crate::incident::Status::Mitigated }),
        ];
        let silence = Silence {
            id: "s1".into(),
            matchers: vec![Matcher {
                name: "alertname".into(),
                value: "DatabaseDown".into(),
                is_regex: false,
                is_equal: true,
            }],
            starts_at: at(3),
            ends_at: at(90),
            updated_at: None,
            created_by: "bob".into(),
            comment: "ack by bob".into(),
            state: SilenceState::Active,
        };
        let md = render("2026-12-02-db-down", &records, &[silence], &["alice".into(), "bob".into()], at(30));
        for want in [
            "# Handoff: DB down",
            "status **mitigated**",
            "In the room: alice, bob.",
            "checkout fails for 30% of users (alice)",
            "runbook db.md step 2: restart pgbouncer (bob)",
            "[ ] add a pool alert",
            "decision: keep writes paused",
            "`alertname=\"DatabaseDown\"` until",
            "(1h00m left), by bob: ack by bob",
            "replica lag 0",
        ] {
            assert!(md.contains(want), "{want:?} missing from:\n{md}");
        }
        assert!(!md.contains("<b>") && !md.contains("@everyone "), "remote markup escaped:\n{md}");
        let empty = render("x", &records[..1], &[], &[], at(1));
        assert!(empty.contains("_none (tag notes `!action`)_"), "{empty}");
    }
}
