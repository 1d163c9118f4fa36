//! State transitions as plain unit tests: messages in, state out.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::alerts::Row;
use super::*;
use crate::model::SourceError;
use crate::model::{Alert, AlertState, Labels, share};
use crate::msg::{Cmd, Msg, Payload, PollResult, SourceId, SourceKind};

pub(crate) fn alert(name: &str, severity: &str, extra: &[(&str, &str)], mins_ago: i64, source: &str) -> Alert {
    let mut labels: Labels = [("alertname", name), ("severity", severity)]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    labels.retain(|_, v| !v.is_empty());
    Alert {
        annotations: [("summary".to_string(), format!("{name} summary"))].into(),
        ..Alert::firing(labels, now() - chrono::Duration::minutes(mins_ago), source)
    }
}

pub(crate) fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

const PROM: SourceId = SourceId { kind: SourceKind::Prometheus, index: 0 };
pub(crate) const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };
const AM1: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 1 };

pub(crate) fn state() -> State {
    let setup = Setup {
        sources: vec![(PROM, "prom".into()), (AM0, "am0".into()), (AM1, "am1".into())],
        group_by: "alertname".into(),
        ..Setup::default()
    };
    State::new(setup, crate::keymap::Keymap::default(), crate::theme::Theme::default(), now())
}

/// One key, as the terminal sends it.
pub(crate) fn press(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// `:LINE` typed and run.
pub(crate) fn command(s: &mut State, line: &str) -> Vec<Cmd> {
    press(s, KeyCode::Char(':'));
    for c in line.chars() {
        press(s, KeyCode::Char(c));
    }
    press(s, KeyCode::Enter)
}

pub(crate) fn poll(source: SourceId, result: Result<Payload, SourceError>) -> Msg {
    Msg::Poll(Box::new(PollResult { source, at: now(), latency: Duration::from_millis(3), result }))
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn names(s: &State) -> Vec<String> {
    s.alerts
        .rows
        .iter()
        .map(|r| match r {
            Row::Group { key, count, .. } => format!("[{key} {count}]"),
            Row::Alert(i) => s.alerts.alerts[*i].alert.name().to_string(),
        })
        .collect()
}

pub(crate) fn board() -> Vec<Alert> {
    vec![
        alert("HighLatency", "warning", &[("service", "api")], 5, "am0"),
        alert("DatabaseDown", "critical", &[("service", "db")], 10, "am0"),
        alert("HighErrorRate", "critical", &[("service", "api")], 2, "am0"),
        alert("Watchdog", "none", &[], 600, "am0"),
        alert("DiskFilling", "info", &[("service", "db")], 1, "am0"),
    ]
}

#[test]
fn board_sorts_critical_first_then_newest() {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    assert_eq!(
        names(&s),
        [
            "[HighErrorRate 1]",
            "HighErrorRate",
            "[DatabaseDown 1]",
            "DatabaseDown",
            "[HighLatency 1]",
            "HighLatency",
            "[DiskFilling 1]",
            "DiskFilling",
            "[Watchdog 1]",
            "Watchdog"
        ]
    );
    update(&mut s, key('b')); // by service
    assert_eq!(
        names(&s),
        [
            "[api 2]",
            "HighErrorRate",
            "HighLatency",
            "[db 2]",
            "DatabaseDown",
            "DiskFilling",
            "[(no service) 1]",
            "Watchdog"
        ]
    );
    update(&mut s, key('b')); // by severity
    update(&mut s, key('b')); // none
    assert_eq!(names(&s), ["HighErrorRate", "DatabaseDown", "HighLatency", "DiskFilling", "Watchdog"]);
}

#[test]
fn ha_alertmanagers_are_deduplicated_and_prometheus_adds_pending() {
    let mut s = state();
    let mut other = board();
    for a in &mut other {
        a.sources = vec!["am1".into()];
    }
    other[0].state = AlertState::Silenced;
    other[0].silenced_by = vec!["s1".into()];
    let mut pending = alert("SlowBurn", "warning", &[], 0, "prom");
    pending.state = AlertState::Pending;
    let firing_in_prom = alert("HighLatency", "warning", &[("service", "api")], 5, "prom");
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    update(&mut s, poll(AM1, Ok(Payload::AmAlerts(share(other)))));
    update(&mut s, poll(PROM, Ok(Payload::PromAlerts(share(vec![pending, firing_in_prom])))));
    assert_eq!(s.alerts.alerts.len(), 6, "5 deduplicated + 1 pending");
    let hl = s.alerts.alerts.iter().find(|b| b.alert.name() == "HighLatency").unwrap();
    assert_eq!(hl.alert.sources, ["am0", "am1"]);
    assert_eq!(hl.alert.state, AlertState::Silenced, "a silence seen by one member wins");
    assert_eq!(s.alerts.counts.muted_hidden, 1);
    assert!(!names(&s).contains(&"HighLatency".to_string()), "muted hidden by default");
    update(&mut s, key('m'));
    assert!(names(&s).contains(&"HighLatency".to_string()));
}

#[test]
fn down_source_keeps_data_marked_stale_and_recovers() {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    update(&mut s, poll(AM0, Err(SourceError::Refused)));
    assert!(s.source(AM0).unwrap().is_down());
    assert_eq!(s.alerts.alerts.len(), 5, "data stays");
    assert!(s.alerts.alerts.iter().all(|b| b.stale));
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    assert!(s.alerts.alerts.iter().all(|b| !b.stale));
}

#[test]
fn selection_follows_the_alert_across_refreshes() {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    assert_eq!(s.alerts.selected().unwrap().alert.name(), "HighErrorRate");
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    assert_eq!(s.alerts.selected().unwrap().alert.name(), "HighLatency");
    let mut newer = board();
    newer.push(alert("ApiDown", "critical", &[("service", "api")], 0, "am0"));
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(newer)))));
    assert_eq!(s.alerts.selected().unwrap().alert.name(), "HighLatency");
    update(&mut s, key('G'));
    assert_eq!(s.alerts.selected().unwrap().alert.name(), "Watchdog");
    update(&mut s, key('g'));
    assert_eq!(s.alerts.selected().unwrap().alert.name(), "ApiDown");
}

#[test]
fn filter_prompt_filters_as_you_type() {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    update(&mut s, key('/'));
    for c in "service=db".chars() {
        update(&mut s, key(c));
    }
    assert_eq!(names(&s), ["[DatabaseDown 1]", "DatabaseDown", "[DiskFilling 1]", "DiskFilling"]);
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(s.view.prompt.open.is_none());
    assert_eq!(s.alerts.counts.filtered_out, 3);
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert_eq!(s.alerts.filter, "");
    update(&mut s, key('/'));
    for c in "latency".chars() {
        update(&mut s, key(c));
    }
    assert_eq!(names(&s), ["[HighLatency 1]", "HighLatency"], "free text matches names case-insensitively");
}

#[test]
fn commands_and_unknown_commands() {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    let run = |s: &mut State, line: &str| {
        update(s, key(':'));
        for c in line.chars() {
            update(s, key(c));
        }
        update(s, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)))
    };
    run(&mut s, "group service");
    assert_eq!(s.alerts.grouping.name(), "service");
    run(&mut s, "theme light");
    assert_eq!(s.prefs.theme.name, "light");
    run(&mut s, "frobnicate");
    assert!(s.view.flash.as_ref().unwrap().error);
    assert_eq!(run(&mut s, "q"), vec![crate::msg::Cmd::Quit]);
}

#[test]
fn idle_ticks_do_not_dirty_until_a_minute_turns() {
    let mut s = state();
    s.frame.dirty = false;
    update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(20)));
    assert!(!s.frame.dirty);
    update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(61)));
    assert!(s.frame.dirty);
    s.frame.dirty = false;
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(vec![])))));
    assert!(s.frame.dirty, "first poll changes health");
    s.frame.dirty = false;
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(vec![])))));
    assert!(!s.frame.dirty, "an identical poll draws nothing");
}

/// Issue 15 item 2: with Prometheus up and every Alertmanager refusing, the
/// board showed "no alert firing". Prometheus' firing alerts are shown,
/// marked unconfirmed, until an Alertmanager answers and its view (with
/// silences and inhibitions) replaces them.
#[test]
fn prometheus_firing_alerts_show_unconfirmed_while_no_alertmanager_answers() {
    let mut s = state();
    let mut pending = alert("SlowBurn", "warning", &[], 0, "prom");
    pending.state = AlertState::Pending;
    let firing = alert("HighLatency", "warning", &[("service", "api")], 5, "prom");
    let prom = || Payload::PromAlerts(share(vec![pending.clone(), firing.clone()]));
    // Before any Alertmanager answered: not yet confirmed, still shown.
    update(&mut s, poll(PROM, Ok(prom())));
    let hl = s.alerts.alerts.iter().find(|b| b.alert.name() == "HighLatency").expect("firing alert shown");
    assert!(hl.unconfirmed && hl.alert.state == AlertState::Firing);
    // Both Alertmanagers refuse: still shown, still unconfirmed.
    update(&mut s, poll(AM0, Err(SourceError::Refused)));
    update(&mut s, poll(AM1, Err(SourceError::Refused)));
    update(&mut s, poll(PROM, Ok(prom())));
    assert_eq!(s.alerts.alerts.len(), 2, "{:?}", names(&s));
    let hl = s.alerts.alerts.iter().find(|b| b.alert.name() == "HighLatency").unwrap();
    assert!(hl.unconfirmed);
    assert!(names(&s).contains(&"HighLatency".to_string()), "firing alert on the board: {:?}", names(&s));
    let sb = s.alerts.alerts.iter().find(|b| b.alert.name() == "SlowBurn").unwrap();
    assert!(!sb.unconfirmed, "pending alerts never reach Alertmanager");
    // One Alertmanager comes back: its view, silence included, replaces Prometheus' firing one.
    let mut am = alert("HighLatency", "warning", &[("service", "api")], 5, "am0");
    am.state = AlertState::Silenced;
    am.silenced_by = vec!["s1".into()];
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(vec![am])))));
    assert_eq!(s.alerts.alerts.len(), 2);
    assert!(s.alerts.alerts.iter().all(|b| !b.unconfirmed));
    let hl = s.alerts.alerts.iter().find(|b| b.alert.name() == "HighLatency").unwrap();
    assert_eq!((hl.alert.state, hl.alert.sources.clone()), (AlertState::Silenced, vec!["am0".to_string()]));
}

#[test]
fn an_alertmanager_going_down_does_not_hide_what_prometheus_fires_since() {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    update(&mut s, poll(AM1, Err(SourceError::Refused)));
    let new = alert("ApiDown", "critical", &[("service", "api")], 0, "prom");
    let known = alert("HighLatency", "warning", &[("service", "api")], 5, "prom");
    update(&mut s, poll(PROM, Ok(Payload::PromAlerts(share(vec![new.clone(), known.clone()])))));
    assert_eq!(s.alerts.alerts.len(), 5, "am0 is live: its view is the board");
    update(&mut s, poll(AM0, Err(SourceError::Refused)));
    assert_eq!(s.alerts.alerts.len(), 6, "{:?}", names(&s));
    let api = s.alerts.alerts.iter().find(|b| b.alert.name() == "ApiDown").expect("new firing alert shown");
    assert!(api.unconfirmed && !api.stale);
    let hl = s.alerts.alerts.iter().find(|b| b.alert.name() == "HighLatency").unwrap();
    assert!(!hl.unconfirmed, "Alertmanager's (stale) view of it is kept");
    assert_eq!(hl.alert.sources, ["am0", "prom"]);
    assert!(!hl.stale, "Prometheus still reports it");
}

/// A full disk: the alert's firing and resolution are refused by the
/// journal. They stay in memory, the status bar says how many wait, every
/// tick writes them again, and once the disk has room they are written
/// and the notice goes.
#[test]
fn captured_events_refused_by_the_journal_are_kept_and_retried() {
    use crate::incident::{Event, ReadOutcome};
    use crate::msg::{Cmd, IncidentMsg};
    let mut s = state();
    s.incident.load("2026-11-22-api", ReadOutcome::default());
    let captured = |cmds: &[Cmd]| -> Vec<crate::incident::Record> {
        cmds.iter().filter_map(|c| if let Cmd::Capture(r) = c { Some(r.clone()) } else { None }).collect()
    };
    let fired = captured(&update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board()[..1].to_vec()))))));
    assert_eq!(fired.len(), 1);
    let resolved = captured(&update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(Vec::new()))))));
    assert!(matches!(resolved[..], [crate::incident::Record { event: Event::AlertResolved { .. }, .. }]));
    let enospc = "No space left on device (os error 28): cannot write to /inc/journal.jsonl".to_string();
    for rec in fired.iter().chain(&resolved) {
        let failed = IncidentMsg::CaptureFailed { record: Box::new(rec.clone()), error: enospc.clone() };
        update(&mut s, Msg::Incident(failed));
    }
    // The status bar says so (ui::status_bar::unwritten, tested there).
    assert_eq!(s.incident.unwritten().len(), 2);
    assert!(s.incident.unwritten_error.as_deref().is_some_and(|e| e.starts_with("No space left on device")));

    // Still full at the next tick: both written again, both refused again.
    let retry = captured(&update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(1))));
    assert_eq!(retry, [fired.clone(), resolved.clone()].concat());
    for rec in retry {
        update(&mut s, Msg::Incident(IncidentMsg::CaptureFailed { record: Box::new(rec), error: enospc.clone() }));
    }
    assert_eq!(s.incident.unwritten().len(), 2);

    // Room again: written, read back, notice gone, nothing more to retry.
    let retry = captured(&update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(2))));
    assert_eq!(retry.len(), 2);
    let read = ReadOutcome { records: retry, warnings: Vec::new() };
    update(&mut s, Msg::Incident(IncidentMsg::Saved { read, from_editor: false }));
    assert!(s.incident.unwritten().is_empty(), "nothing left to write: no notice");
    assert!(captured(&update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(3)))).is_empty());
    let t = s.incident.timeline();
    assert_eq!(t.alerts.len(), 1);
    assert!(t.alerts[0].ended.is_some(), "resolved, not still firing");
}

/// `:time local` shows times at the offset the runtime last sent: `update`
/// reads no clock and no time zone of its own.
#[test]
fn time_local_uses_the_offset_the_runtime_sent() {
    let mut s = state();
    s.incident.load("2026-11-22-api", crate::incident::ReadOutcome { records: Vec::new(), warnings: Vec::new() });
    let plus2 = chrono::FixedOffset::east_opt(2 * 3600).expect("offset");
    update(&mut s, Msg::LocalOffset(plus2));
    update(&mut s, key(':'));
    for c in "time local".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(s.incident.time, incident::TimeDisplay::Local(plus2));
}

#[test]
fn the_share_status_says_what_the_outbox_and_the_stream_are_doing() {
    use crate::model::{ShareMsg, SharePush, ShareReceived};
    use crate::msg::Cmd;
    let mut s = state();
    assert!(s.incident.share.is_none(), "not shared: nothing said");
    let cmds = update(&mut s, Msg::Share(ShareMsg::Push(SharePush::default())));
    assert!(cmds.iter().all(|c| *c != Cmd::ReadJournal));
    assert_eq!(s.incident.share.as_ref().map(|v| v.summary()), Some(("shared ✓".to_string(), false)));

    let unsent = SharePush { unsent: 3, error: Some("401 unauthorized".into()), ..SharePush::default() };
    update(&mut s, Msg::Share(ShareMsg::Push(unsent)));
    let (text, bad) = s.incident.share.as_ref().expect("shared").summary();
    assert_eq!(text, "share: 401 unauthorized · 3 unsent");
    assert!(bad);

    let got = ShareReceived { added: 2, foreign: 1, ..ShareReceived::default() };
    let cmds = update(&mut s, Msg::Share(ShareMsg::Received(got)));
    assert!(cmds.contains(&Cmd::ReadJournal), "received records are read from the journal at once");
    update(&mut s, Msg::Share(ShareMsg::Received(ShareReceived { foreign: 2, ..ShareReceived::default() })));
    update(&mut s, Msg::Share(ShareMsg::Push(SharePush { refused: 1, ..SharePush::default() })));
    let (text, _) = s.incident.share.as_ref().expect("shared").summary();
    assert_eq!(text, "shared ✓ · 1 refused by Loki · 3 foreign lines ignored");
    s.frame.dirty = false;
    update(&mut s, Msg::Share(ShareMsg::Push(SharePush { refused: 1, ..SharePush::default() })));
    assert!(!s.frame.dirty, "the same status again repaints nothing");
}

#[test]
fn teammates_are_in_the_room_while_their_heartbeats_come_and_away_after() {
    use crate::model::{ShareMsg, ShareReceived};
    let mut s = state();
    let t0 = s.clock.now;
    let beat = |who: &str, at| ShareReceived {
        present: vec![(who.to_string(), "h".to_string(), at)],
        ..ShareReceived::default()
    };
    update(&mut s, Msg::Share(ShareMsg::Received(beat("dave", t0))));
    assert!(s.incident.people().contains(&"dave".to_string()), "in the room before writing anything");
    assert!(s.incident.share.as_ref().expect("shared").away.is_empty());
    update(&mut s, Msg::Tick(t0 + chrono::Duration::minutes(4)));
    assert!(s.incident.share.as_ref().expect("shared").away.contains("dave"), "silent for 4 minutes");
    update(&mut s, Msg::Share(ShareMsg::Received(beat("dave", t0 + chrono::Duration::minutes(4)))));
    assert!(s.incident.share.as_ref().expect("shared").away.is_empty(), "back");
}

#[test]
fn joining_a_shared_room_writes_joined_once_and_quitting_writes_left() {
    use crate::incident::{Event, ReadOutcome, Record};
    use crate::model::{ShareMsg, ShareReceived};
    use crate::msg::{Cmd, IncidentMsg};
    let mut s = state();
    let me = s.incident.user().to_string();
    let id = "2026-12-03-db-down";
    let rec = |author: &str, n: u32, event| {
        Record::new(s.clock.now, author, event).with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P9R{n:02}@h"), "h")
    };
    let declared = Event::Declared { title: "DB down".into(), severity: "critical".into(), commander: "alice".into() };
    let read = ReadOutcome { records: vec![rec("alice", 1, declared)], warnings: Vec::new() };
    update(&mut s, Msg::Incident(IncidentMsg::Loaded { id: id.into(), read }));
    assert!(!s.incident.in_room(), "{me} has written nothing in alice's incident");
    assert_eq!(s.incident.leave_record(s.clock.now), None, "not shared: nothing to leave");

    let cmds = update(&mut s, Msg::Share(ShareMsg::Started(id.into())));
    let [Cmd::Append { record, from_editor: false }] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!((record.author.as_str(), &record.event), (me.as_str(), &Event::Joined));
    let joined = record.clone().with_id("01JDX3ZC8Q4M5T0V6B7N8P9R03@h", "h");
    update(
        &mut s,
        Msg::Incident(IncidentMsg::Loaded {
            id: id.into(),
            read: ReadOutcome { records: vec![joined], warnings: Vec::new() },
        }),
    );
    assert!(s.incident.in_room());
    assert!(update(&mut s, Msg::Share(ShareMsg::Started(id.into()))).is_empty(), "in already: no second join");
    assert!(update(&mut s, Msg::Share(ShareMsg::Started("2026-12-03-other".into()))).is_empty(), "not this incident");
    update(&mut s, Msg::Share(ShareMsg::Started(id.into())));
    let left = s.incident.leave_record(s.clock.now).expect("in a shared room: a left record on quit");
    assert_eq!(left.event, Event::Left);

    // Bob left: out of the header, until a heartbeat after it says he is back.
    let later = s.clock.now + chrono::Duration::seconds(30);
    let bob = vec![
        Record::new(s.clock.now, "bob", Event::Joined).with_id("01JDX3ZC8Q4M5T0V6B7N8P9R04@b", "b"),
        Record::new(later, "bob", Event::Left).with_id("01JDX3ZC8Q4M5T0V6B7N8P9R05@b", "b"),
    ];
    update(
        &mut s,
        Msg::Incident(IncidentMsg::Loaded { id: id.into(), read: ReadOutcome { records: bob, warnings: Vec::new() } }),
    );
    assert!(!s.incident.people().contains(&"bob".to_string()), "{:?}", s.incident.people());
    let beat =
        |at| ShareReceived { present: vec![("bob".to_string(), "b".to_string(), at)], ..ShareReceived::default() };
    let before = s.clock.now;
    update(&mut s, Msg::Share(ShareMsg::Received(beat(before))));
    assert!(!s.incident.people().contains(&"bob".to_string()), "a heartbeat from before he left");
    update(&mut s, Msg::Share(ShareMsg::Received(beat(later + chrono::Duration::seconds(1)))));
    assert!(s.incident.people().contains(&"bob".to_string()), "back in");
}

#[test]
fn the_charts_of_an_export_are_reported_drawn_or_why_not() {
    use crate::msg::IncidentMsg;
    let mut s = state();
    use crate::msg::ChartsDrawn;
    let draft = std::path::PathBuf::from("/inc/x/postmortem.md");
    let drawn = |drawn, missing| ChartsDrawn { draft: draft.clone(), drawn, missing };
    update(&mut s, Msg::Incident(IncidentMsg::ChartsDrawn(Ok(drawn(3, Vec::new())))));
    let f = s.view.flash.clone().expect("flash");
    assert_eq!((f.text.as_str(), f.error), ("post-mortem draft: /inc/x/postmortem.md · charts: 3 drawn", false));
    let missing = vec!["HighErrorRate: prom: connection refused".to_string()];
    update(&mut s, Msg::Incident(IncidentMsg::ChartsDrawn(Ok(drawn(2, missing)))));
    let f = s.view.flash.clone().expect("flash");
    assert!(
        f.error
            && f.text
                == "post-mortem draft: /inc/x/postmortem.md · charts: 2 drawn, 1 not: HighErrorRate: prom: connection refused",
        "{f:?}"
    );
    update(&mut s, Msg::Incident(IncidentMsg::ChartsDrawn(Err("disk full".into()))));
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text.contains("disk full")));
}

#[test]
fn only_the_runbook_load_awaited_is_shown() {
    use crate::msg::Cmd;
    use crate::runbook::Document;
    use crate::runbook::render::{Prepared, RunbookStyles, render};
    let prepared = |title: &str| {
        let md = format!("# {title}\n\nsteps\n");
        let rendered = render(&md, 80, &RunbookStyles::default());
        Box::new(Prepared {
            doc: std::sync::Arc::new(Document { source: format!("{title}.md"), markdown: md }),
            rendered,
        })
    };
    let r = || Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE));
    let esc = || Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    let request = |cmds: &[Cmd]| {
        cmds.iter()
            .find_map(|c| match c {
                Cmd::OpenRunbook { request, .. } => Some(*request),
                _ => None,
            })
            .expect("a load asked")
    };
    let mut s = state();
    update(&mut s, Msg::Resize(120, 40));
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    update(&mut s, poll(am, Ok(Payload::AmAlerts(share(board())))));

    // `r` twice (the user moved on to another alert): the first answer,
    // arriving last, does not replace the second.
    let first = request(&update(&mut s, r()));
    let second = request(&update(&mut s, r()));
    assert_ne!(first, second);
    update(&mut s, Msg::Runbook { request: second, prepared: prepared("second") });
    update(&mut s, Msg::Runbook { request: first, prepared: prepared("first") });
    assert_eq!(s.runbook.view.as_ref().expect("open").document().source, "second.md");

    // Closed with Esc: an answer still on its way does not reopen it.
    update(&mut s, esc());
    assert!(!s.runbook.is_open());
    let third = request(&update(&mut s, r()));
    update(&mut s, esc()); // over "opening the runbook…": walked away
    update(&mut s, Msg::Runbook { request: third, prepared: prepared("third") });
    assert!(!s.runbook.is_open(), "a load given up does not pop up later");

    // The same answer twice (a retry in the runtime) is shown once.
    let fourth = request(&update(&mut s, r()));
    let opened = |s: &State| {
        s.incident.records().iter().filter(|r| matches!(r.event, crate::incident::Event::RunbookOpened { .. })).count()
    };
    update(&mut s, Msg::Runbook { request: fourth, prepared: prepared("fourth") });
    let before = opened(&s);
    update(&mut s, Msg::Runbook { request: fourth, prepared: prepared("fourth") });
    assert_eq!(opened(&s), before);
    assert_eq!(s.runbook.view.as_ref().expect("open").document().source, "fourth.md");
}
