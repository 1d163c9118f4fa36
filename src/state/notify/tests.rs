use super::*;
use crate::model::Alert;
use crate::msg::{Msg, Payload, SourceKind};
use crate::state::tests::{alert, now, poll, state};
use crate::state::update;

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };
const AM1: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 1 };

fn with(config: NotifyConfig) -> State {
    let mut s = state();
    s.alerts.notify = Notifier::new(config);
    s
}

fn bell() -> State {
    with(NotifyConfig { bell: true, ..NotifyConfig::default() })
}

fn am(s: &mut State, alerts: Vec<Alert>) -> Vec<Cmd> {
    notifications(update(s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(alerts))))))
}

fn notifications(cmds: Vec<Cmd>) -> Vec<Cmd> {
    cmds.into_iter().filter(|c| matches!(c, Cmd::Notify { .. })).collect()
}

fn tick(s: &mut State, secs: i64) -> Vec<Cmd> {
    notifications(update(s, Msg::Tick(now() + chrono::Duration::seconds(secs))))
}

fn desktop_text(cmds: &[Cmd]) -> String {
    match cmds {
        [Cmd::Notify { desktop: Some(d), .. }] => d.clone(),
        other => panic!("expected one desktop notification, got {other:?}"),
    }
}

#[test]
fn already_firing_at_start_is_silent_and_a_new_critical_rings_once() {
    let mut s = bell();
    let old = alert("DiskFull", "critical", &[], 30, "am0");
    assert!(am(&mut s, vec![old.clone()]).is_empty(), "the first poll never rings");
    let new = alert("HighErrorRate", "critical", &[], 1, "am0");
    let cmds = am(&mut s, vec![old.clone(), new.clone()]);
    assert_eq!(cmds, vec![Cmd::Notify { bell: true, desktop: None }]);
    tick(&mut s, 30);
    assert!(am(&mut s, vec![old, new]).is_empty(), "still firing is not new");
}

#[test]
fn first_poll_of_each_source_and_after_a_context_switch_is_silent() {
    let mut s = bell();
    am(&mut s, vec![]);
    // AM1 answers later with alerts of its own: its first poll, silent.
    let other = alert("Other", "critical", &[], 30, "am1");
    assert!(
        notifications(update(&mut s, poll(AM1, Ok(Payload::AmAlerts(crate::model::share(vec![other.clone()]))))))
            .is_empty()
    );
    // A new context: every source starts over.
    s.contexts.generation += 1;
    s.alerts = crate::state::alerts::AlertsState::new(s.alerts.grouping, false, true);
    assert!(am(&mut s, vec![alert("Known", "critical", &[], 5, "am0")]).is_empty());
}

#[test]
fn an_empty_first_poll_still_lets_the_next_alert_ring() {
    let mut s = bell();
    am(&mut s, vec![]);
    assert_eq!(am(&mut s, vec![alert("New", "critical", &[], 0, "am0")]).len(), 1);
}

#[test]
fn warnings_muted_and_off_do_not_ring() {
    let mut s = bell();
    am(&mut s, vec![]);
    assert!(am(&mut s, vec![alert("Slow", "warning", &[], 1, "am0")]).is_empty(), "below min_severity");
    let mut muted = alert("Muted", "critical", &[], 1, "am0");
    muted.state = crate::model::AlertState::Silenced;
    muted.silenced_by = vec!["s1".into()];
    assert!(am(&mut s, vec![muted]).is_empty(), "silenced or acked");
    let mut off = state();
    am(&mut off, vec![]);
    assert!(am(&mut off, vec![alert("New", "critical", &[], 1, "am0")]).is_empty(), "off by default");

    let mut warn = with(NotifyConfig { bell: true, min_severity: MinSeverity::Warning, ..NotifyConfig::default() });
    am(&mut warn, vec![]);
    assert_eq!(am(&mut warn, vec![alert("Slow", "warning", &[], 1, "am0")]).len(), 1);
}

#[test]
fn rate_limited_to_one_per_gap_with_the_rest_summarised() {
    let mut s = with(NotifyConfig { desktop: Desktop::Osc9, ..NotifyConfig::default() });
    am(&mut s, vec![]);
    let a = alert("A", "critical", &[], 0, "am0");
    let b = alert("B", "critical", &[], 0, "am0");
    let c = alert("C", "critical", &[], 0, "am0");
    assert_eq!(am(&mut s, vec![a.clone()]).len(), 1);
    tick(&mut s, 3);
    assert!(am(&mut s, vec![a.clone(), b.clone()]).is_empty(), "held within 10 s");
    assert!(am(&mut s, vec![a.clone(), b, c]).is_empty());
    assert!(tick(&mut s, 9).is_empty());
    let cmds = tick(&mut s, 10);
    assert_eq!(desktop_text(&cmds), "\x1b]9;2 new critical alerts: B, C\x07");
    assert!(tick(&mut s, 30).is_empty(), "nothing left to say");
}

#[test]
fn texts_are_clean_short_and_summarise_several() {
    let one = [Fired { severity: Severity::Critical, name: "HighErrorRate".into(), summary: "5xx above 5%".into() }];
    assert_eq!(message(&one), "CRITICAL HighErrorRate: 5xx above 5%");
    let evil = [Fired {
        severity: Severity::Critical,
        name: "Evil\x07Name".into(),
        summary: "a\x1b]52;c;aGk=\x07b\u{9c}\nc".into(),
    }];
    let text = message(&evil);
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.starts_with("CRITICAL EvilName: a"), "{text:?}");
    let long = [Fired { severity: Severity::Warning, name: "Long".into(), summary: "é".repeat(300) }];
    let text = message(&long);
    assert!(text.len() <= MAX_TEXT && text.ends_with('…'), "{} bytes", text.len());
    let mixed: Vec<Fired> = ["A", "B", "A"]
        .iter()
        .zip([Severity::Critical, Severity::Warning, Severity::Critical])
        .map(|(n, severity)| Fired { severity, name: n.to_string(), summary: String::new() })
        .collect();
    assert_eq!(message(&mixed), "3 new alerts: A, B");
}

#[test]
fn osc777_and_the_notify_command() {
    let mut s = with(NotifyConfig { desktop: Desktop::Osc777, ..NotifyConfig::default() });
    am(&mut s, vec![]);
    let cmds = am(&mut s, vec![alert("HighErrorRate", "critical", &[], 0, "am0")]);
    assert_eq!(desktop_text(&cmds), "\x1b]777;notify;warroom;CRITICAL HighErrorRate: HighErrorRate summary\x07");

    command(&mut s, "off");
    tick(&mut s, 60);
    assert!(am(&mut s, vec![alert("X", "critical", &[], 0, "am0")]).is_empty());
    command(&mut s, "bogus");
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error));
    let mut quiet = state();
    command(&mut quiet, "on");
    assert!(
        quiet.alerts.notify.enabled && quiet.alerts.notify.config.bell,
        "on with nothing configured rings the bell"
    );
}
