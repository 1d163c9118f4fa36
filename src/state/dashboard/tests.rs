//! `:dash` as messages in, state and commands out.

use crossterm::event::KeyCode;

use super::*;
use crate::model::SourceError;
use crate::model::dashboard::DashFile;
use crate::model::metrics::Series;
use crate::msg::{Msg, Payload, SourceId, SourceKind};
use crate::state::tests::{alert, now, poll, state};
use crate::state::tests::{command, press};
use crate::state::update;

const OVERVIEW: &[u8] = include_bytes!("../../../tests/fixtures/dashboards/service-overview.json");

pub(crate) fn files() -> Vec<DashFile> {
    let p = crate::dashboard::parse(OVERVIEW).expect("the fixture parses");
    vec![
        DashFile {
            file: "service-overview.json".into(),
            title: p.dashboard.title.clone(),
            dashboard: Ok(Box::new(p.dashboard)),
            warnings: p.diagnostics.len(),
        },
        DashFile {
            file: "broken.json".into(),
            title: "broken.json".into(),
            dashboard: Err("not JSON".into()),
            warnings: 0,
        },
    ]
}

/// A console at 80x24 with the fixtures read.
pub(crate) fn with_dashboards() -> State {
    let mut s = state();
    s.dashboard = DashboardState::new(true, true, std::time::Duration::from_secs(5));
    update(&mut s, Msg::Resize(80, 24));
    update(&mut s, Msg::Dashboards(files()));
    s
}

fn asks(cmds: &[Cmd]) -> Vec<VarAsk> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::ResolveVar(a) => Some((**a).clone()),
            _ => None,
        })
        .collect()
}

fn fetches(cmds: &[Cmd]) -> Vec<Fetch> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::FetchRange(f) if matches!(f.purpose, Purpose::Dashboard { .. }) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

/// Answers every variable ask in `cmds` (and those they lead to): `job`
/// with api and node, any other with a:1; what the answers led to.
pub(crate) fn resolve_all(s: &mut State, mut cmds: Vec<Cmd>) -> Vec<Cmd> {
    let mut out = Vec::new();
    for _ in 0..10 {
        let pending = asks(&cmds);
        out.append(&mut cmds);
        if pending.is_empty() {
            break;
        }
        for a in pending {
            let values = if a.name == "job" { vec!["api".into(), "node".into()] } else { vec!["a:1".to_string()] };
            let answer = VarAnswer { view: a.view, name: a.name, result: Ok(values) };
            cmds.extend(update(s, Msg::DashVar(Box::new(answer))));
        }
    }
    out
}

fn var<'a>(s: &'a State, name: &str) -> &'a Variable {
    s.dashboard.open.as_ref().unwrap().dash.variables.iter().find(|v| v.name == name).unwrap()
}

#[test]
fn dash_opens_by_title_and_asks_the_query_variables() {
    let mut s = with_dashboards();
    let cmds = command(&mut s, "dash payments service");
    let open = s.dashboard.open.as_ref().expect("open");
    assert_eq!(open.dash.title, "Payments service overview");
    assert_eq!(open.range_text, "last 3h");
    let asked = asks(&cmds);
    let names: Vec<&str> = asked.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["job", "instance"]);
    assert_eq!(asked[0].path, "/api/v1/label/job/values");
    assert_eq!(asked[0].params, vec![("match[]".to_string(), "up".to_string())]);
    // The chained variable's selector is filled with All's alternation (no options yet: empty).
    assert_eq!(asked[1].path, "/api/v1/label/instance/values");
    assert!(matches!(open.status[1], VarStatus::Pending(_)));
    assert!(fetches(&cmds).is_empty(), "panels wait for their variables");
    // Only Prometheus panels on screen are fetched, tagged with the view.
    let answer = |a: &VarAsk, v: &[&str]| VarAnswer {
        view: a.view,
        name: a.name.clone(),
        result: Ok(v.iter().map(|s| s.to_string()).collect()),
    };
    let again = asks(&update(&mut s, Msg::DashVar(Box::new(answer(&asked[0], &["api"])))));
    assert!(fetches(&update(&mut s, Msg::DashVar(Box::new(answer(&asked[1], &["a:1"]))))).is_empty(), "stale");
    let cmds = update(&mut s, Msg::DashVar(Box::new(answer(&again[0], &["a:1"]))));
    let f = fetches(&cmds);
    assert!(!f.is_empty());
    assert!(f.iter().all(|f| f.purpose == Purpose::Dashboard { view: s.dashboard.view }));
    assert!(f.iter().all(|f| !f.key.query.contains("|= \"error\"")), "the logs panel is not queried");
    assert!(f.iter().all(|f| !f.key.query.contains("$__rate_interval")), "built-ins are filled: {f:?}");
}

#[test]
fn unknown_names_and_unread_files_say_so() {
    let mut s = with_dashboards();
    command(&mut s, "dash nothing-like-it");
    assert!(s.dashboard.open.is_none());
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text.contains("no dashboard")), "{:?}", s.view.flash);
    command(&mut s, "dash broken.json");
    assert!(s.dashboard.open.is_none());
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text.contains("not JSON")), "{:?}", s.view.flash);

    let mut none = state();
    command(&mut none, "dash x");
    assert!(
        none.view.flash.as_ref().is_some_and(|f| f.text.contains("no dashboards configured")),
        "{:?}",
        none.view.flash
    );
}

#[test]
fn dash_before_the_files_are_read_asks_once_and_opens_when_they_come() {
    let mut s = state();
    s.dashboard = DashboardState::new(true, true, std::time::Duration::from_secs(5));
    s.dashboard.loading = false;
    let cmds = command(&mut s, "dash payments");
    assert!(cmds.contains(&Cmd::LoadDashboards));
    assert!(!command(&mut s, "dash payments").contains(&Cmd::LoadDashboards), "asked once");
    update(&mut s, Msg::Dashboards(files()));
    assert!(s.dashboard.open.is_some());
}

#[test]
fn completion_offers_titles_and_file_names() {
    let s = with_dashboards();
    let c = crate::state::prompt::complete::candidates(&s, "dash serv");
    assert_eq!(c.words, vec!["service-overview.json"]);
    let c = crate::state::prompt::complete::candidates(&s, "dash P");
    assert_eq!(c.words, vec!["Payments service overview"]);
}

#[test]
fn the_picker_key_opens_the_list_and_enter_opens_the_dashboard() {
    let mut s = with_dashboards();
    press(&mut s, KeyCode::Char('D'));
    assert_eq!(s.dashboard.picker, Some(Picker::default()));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Enter);
    assert!(s.dashboard.picker.is_none());
    assert_eq!(s.dashboard.open.as_ref().unwrap().file, "service-overview.json");
    press(&mut s, KeyCode::Esc);
    assert!(s.dashboard.open.is_none(), "Esc closes");
}

#[test]
fn answers_fill_values_and_chained_variables_are_asked_again() {
    let mut s = with_dashboards();
    let cmds = command(&mut s, "dash payments");
    let a = asks(&cmds);
    let view = s.dashboard.view;
    // A stale answer (an older ask) is dropped.
    let stale = VarAnswer { view: a[0].view - 1, name: "job".into(), result: Ok(vec!["x".into()]) };
    update(&mut s, Msg::DashVar(Box::new(stale)));
    assert!(var(&s, "job").options.is_empty());
    let answer = VarAnswer { view: a[0].view, name: "job".into(), result: Ok(vec!["api".into(), "node".into()]) };
    let cmds = update(&mut s, Msg::DashVar(Box::new(answer)));
    assert_eq!(var(&s, "job").options, ["api", "node"]);
    assert_eq!(var(&s, "job").current, ["$__all"], "All stays selected");
    let again = asks(&cmds);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].name, "instance");
    assert_eq!(again[0].params[0].1, r#"up{job=~"(api|node)"}"#);
    assert!(s.dashboard.view > view, "the panels' queries changed: a new view");
    // The first ask of `instance` is now stale; a failure of the last one says why.
    let old = VarAnswer { view: a[1].view, name: "instance".into(), result: Ok(vec!["a:1".into()]) };
    update(&mut s, Msg::DashVar(Box::new(old)));
    assert!(var(&s, "instance").options.is_empty());
    let failed = VarAnswer { view: again[0].view, name: "instance".into(), result: Err(SourceError::Refused) };
    update(&mut s, Msg::DashVar(Box::new(failed)));
    let open = s.dashboard.open.as_ref().unwrap();
    assert!(matches!(&open.status[2], VarStatus::Failed(w) if w.contains("refused")), "{:?}", open.status);
}

#[test]
fn a_dashboard_opened_on_an_alert_takes_its_label_values() {
    let mut s = with_dashboards();
    let a = alert("HighLatency", "critical", &[("job", "payments-api")], 5, "am0");
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    update(&mut s, poll(am, Ok(Payload::AmAlerts(crate::model::share(vec![a])))));
    let cmds = command(&mut s, "dash payments");
    assert_eq!(var(&s, "job").current, ["payments-api"]);
    assert_eq!(s.dashboard.open.as_ref().unwrap().from_alert.as_deref(), Some("HighLatency"));
    let a = asks(&cmds);
    assert_eq!(a[1].params[0].1, r#"up{job=~"payments-api"}"#);
    // Prometheus offers it: kept.
    let answer =
        VarAnswer { view: a[0].view, name: "job".into(), result: Ok(vec!["other".into(), "payments-api".into()]) };
    update(&mut s, Msg::DashVar(Box::new(answer)));
    assert_eq!(var(&s, "job").current, ["payments-api"]);
}

#[test]
fn v_cycles_the_selected_variable_and_stale_ranges_are_dropped() {
    let mut s = with_dashboards();
    let cmds = command(&mut s, "dash payments");
    let cmds = resolve_all(&mut s, cmds);
    let first = fetches(&cmds);
    assert!(!first.is_empty());
    // Tab to `job` (datasource is first), then v: All → api; `instance` is asked again.
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.dashboard.open.as_ref().unwrap().selected_var, 1);
    let cmds = press(&mut s, KeyCode::Char('v'));
    assert_eq!(var(&s, "job").current, ["api"]);
    let cmds = resolve_all(&mut s, cmds);
    let now_fetches = fetches(&cmds);
    assert!(now_fetches.iter().any(|f| f.key.query.contains(r#"job=~"api""#)), "{now_fetches:?}");
    // The first view's answer comes late: dropped.
    let late = first[0].clone();
    let series = Series { labels: Default::default(), samples: vec![(late.end as f64, 1.0)] };
    update(&mut s, Msg::Range(Box::new((late.clone(), Ok(vec![series.clone()])))));
    assert!(!s.dashboard.cache.cache.contains_key(&late.key));
    // The current view's is kept.
    let current = now_fetches[0].clone();
    update(&mut s, Msg::Range(Box::new((current.clone(), Ok(vec![series])))));
    assert!(s.dashboard.cache.cache.contains_key(&current.key));
    // Refreshed only when a new step begins.
    assert!(fetches(&update(&mut s, Msg::Tick(now()))).iter().all(|f| f.key != current.key));
}

#[test]
fn selection_scrolls_rows_toggle_and_c_opens_a_panel_full_size() {
    let mut s = with_dashboards();
    command(&mut s, "dash payments");
    let slots = s.dashboard.open.as_ref().unwrap().slots().len();
    for _ in 0..slots {
        press(&mut s, KeyCode::Down);
    }
    let open = s.dashboard.open.as_ref().unwrap();
    assert_eq!(open.selected, slots - 1);
    assert!(open.scroll > 0, "the last panel is scrolled into view");
    let area = panels_area(s.body_area());
    let want = open.selected_ref().unwrap();
    assert!(open.placed(area).iter().any(|(r, _)| *r == want));
    // The last slot is the logs panel under the open Logs row: Enter on the row closes it.
    assert_eq!(open.panel(want).unwrap().kind, PanelKind::Logs);
    press(&mut s, KeyCode::Up);
    assert_eq!(
        s.dashboard
            .open
            .as_ref()
            .unwrap()
            .panel(s.dashboard.open.as_ref().unwrap().selected_ref().unwrap())
            .unwrap()
            .kind,
        PanelKind::Row
    );
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.dashboard.open.as_ref().unwrap().slots().len(), slots - 1);
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.dashboard.open.as_ref().unwrap().slots().len(), slots, "and opens it again");
    press(&mut s, KeyCode::Char('g'));
    press(&mut s, KeyCode::Char('c'));
    let open = s.dashboard.open.as_ref().unwrap();
    assert_eq!(open.full, Some(PanelRef { top: 0, child: None }));
    assert_eq!(open.placed(area), vec![(PanelRef { top: 0, child: None }, area)]);
    press(&mut s, KeyCode::Esc);
    assert!(s.dashboard.open.as_ref().unwrap().full.is_none(), "Esc leaves full size first");
}

#[test]
fn p_without_an_incident_says_so_and_with_one_pins_the_panel() {
    use crate::incident::{Event, ReadOutcome, Record};
    let mut s = with_dashboards();
    let cmds = command(&mut s, "dash payments");
    let cmds = resolve_all(&mut s, cmds);
    press(&mut s, KeyCode::Char('p'));
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text.contains("no incident")), "{:?}", s.view.flash);
    // `i` declares one from the dashboard (the form opens over it).
    press(&mut s, KeyCode::Char('i'));
    assert!(s.incident.editor.is_some() && s.dashboard.open.is_some());
    press(&mut s, KeyCode::Esc);
    let declared = Record::new(
        s.clock.now,
        "alice",
        Event::Declared { title: "payments slow".into(), severity: "critical".into(), commander: "alice".into() },
    )
    .with_id("01JDX3ZC8Q4M5T0V6B7N8P9R2S@h", "h");
    let read = ReadOutcome { records: vec![declared], warnings: Vec::new() };
    update(&mut s, Msg::Incident(crate::msg::IncidentMsg::Loaded { id: "i-1".into(), read }));
    press(&mut s, KeyCode::Char('p'));
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text.contains("no data yet")), "{:?}", s.view.flash);
    // The selected panel (Latency, the first) answers: p pins its series.
    let p99 = |f: &Fetch| f.key.query.starts_with("histogram_quantile(0.99");
    let f = fetches(&cmds).into_iter().find(p99).expect("the Latency panel was fetched");
    let labels = [("instance".to_string(), "a:1".to_string())].into_iter().collect();
    let samples = (0..30).map(|i| ((f.end - 60 * (29 - i)) as f64, 0.1 * i as f64)).collect();
    update(&mut s, Msg::Range(Box::new((f, Ok(vec![Series { labels, samples }])))));
    let pinned: Vec<String> = press(&mut s, KeyCode::Char('p'))
        .into_iter()
        .filter_map(|c| match c {
            Cmd::Capture(r) => match r.event {
                Event::PinnedGraph { title, .. } => Some(title),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(pinned, vec!["Payments service overview · Latency".to_string()], "{:?}", s.view.flash);
    assert!(s.dashboard.open.is_some(), "p keeps the dashboard open");
}

#[test]
fn a_context_switch_closes_the_dashboard_and_forgets_its_series() {
    let mut s = with_dashboards();
    let cmds = command(&mut s, "dash payments");
    let cmds = resolve_all(&mut s, cmds);
    let f = fetches(&cmds);
    assert!(!f.is_empty() && !s.dashboard.cache.in_flight.is_empty());
    let switched = crate::msg::contexts::Switched {
        name: "staging".into(),
        generation: 1,
        read_only: false,
        sources: vec![(SourceId { kind: SourceKind::Prometheus, index: 0 }, "prom".into())],
    };
    update(&mut s, Msg::Context(crate::msg::contexts::ContextMsg::Switched(Box::new(switched))));
    assert!(s.dashboard.open.is_none());
    assert!(s.dashboard.cache.in_flight.is_empty() && s.dashboard.cache.cache.is_empty());
    assert!(s.dashboard.files.is_some(), "the files are kept");
    // Opened again in the new context: fetched again, not waiting on the old in-flight queries.
    let cmds = command(&mut s, "dash payments");
    let cmds = resolve_all(&mut s, cmds);
    assert_eq!(fetches(&cmds).len(), f.len());
}

#[test]
fn time_ranges() {
    assert_eq!(time_range("now-6h", "now"), (21_600, "last 6h".into()));
    assert_eq!(time_range("now-7d", "now").0, 7 * 86_400);
    assert_eq!(time_range("now-30m/m", "now").0, 1800);
    let (secs, text) = time_range("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z");
    assert_eq!(secs, 21_600);
    assert!(text.contains("not supported"), "{text}");
    assert!(time_range("now-1h", "now-5m").1.contains("not supported"));
}

#[test]
fn variable_regexes_filter_and_capture() {
    let v = vec!["node-1:9100".to_string(), "node-2:9100".into(), "db:5432".into()];
    assert_eq!(filter(v.clone(), Some("/node-(\\d+)/")).unwrap(), ["1", "2"]);
    assert_eq!(filter(v.clone(), Some("/DB/i")).unwrap(), ["db:5432"]);
    assert!(filter(v, Some("/(/")).is_err());
    assert_eq!(filter(vec!["a\u{1b}[31m".into()], None).unwrap().len(), 1, "cleaned, kept");
}

/// The fixtures and three more dashboards with tags, for the filter.
fn many() -> State {
    let mut s = with_dashboards();
    let mut more = files();
    for (file, title, tags) in [
        ("node.json", "Node exporter", &["linux", "infra"][..]),
        ("pg.json", "PostgreSQL", &["db"][..]),
        ("k8s.json", "Kubernetes pods", &["infra", "cluster"][..]),
    ] {
        let dash = crate::dashboard::Dashboard {
            title: title.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        more.push(DashFile { file: file.into(), title: title.into(), dashboard: Ok(Box::new(dash)), warnings: 0 });
    }
    update(&mut s, Msg::Dashboards(more));
    s
}

fn typed(s: &mut State, text: &str) -> Vec<Cmd> {
    text.chars().flat_map(|c| press(s, KeyCode::Char(c))).collect()
}

fn shown_files(s: &State) -> Vec<String> {
    let p = s.dashboard.picker.as_ref().expect("the picker is open");
    let files = s.dashboard.files.as_deref().unwrap();
    crate::state::dashboard::kept_files(p, files).into_iter().map(|i| files[i].file.clone()).collect()
}

#[test]
fn slash_filters_the_picker_by_every_word_of_title_file_or_tags() {
    let mut s = many();
    press(&mut s, KeyCode::Char('D'));
    assert_eq!(shown_files(&s).len(), 5);
    // j still moves before `/`; the last row is selected.
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(s.dashboard.picker.as_ref().unwrap().selected, 4);
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "INFRA");
    assert_eq!(shown_files(&s), ["node.json", "k8s.json"], "a tag, any case");
    let p = s.dashboard.picker.as_ref().unwrap();
    assert_eq!((p.filter.as_str(), p.selected), ("INFRA", 1), "k8s.json was selected and still is");
    typed(&mut s, " node");
    assert_eq!(shown_files(&s), ["node.json"], "every word: a tag and the title");
    assert_eq!(s.dashboard.picker.as_ref().unwrap().selected, 0, "the selection stays in range as the list shrinks");
    typed(&mut s, "zz");
    assert!(shown_files(&s).is_empty());
    press(&mut s, KeyCode::Enter);
    assert!(s.dashboard.open.is_none() && s.dashboard.picker.is_some(), "nothing to open");
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text.contains("no dashboard matches")), "{:?}", s.view.flash);
    press(&mut s, KeyCode::Backspace);
    press(&mut s, KeyCode::Backspace);
    assert_eq!(shown_files(&s), ["node.json"], "Backspace edits");
    // The file name matches too; j types while filtering, the arrows move.
    for _ in 0.."infra node".len() {
        press(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, ".json");
    assert_eq!(shown_files(&s).len(), 5, "every file name matches");
    assert_eq!(s.dashboard.picker.as_ref().unwrap().selected, 2, "node.json stays selected as the list grows");
    press(&mut s, KeyCode::Down);
    assert_eq!(s.dashboard.picker.as_ref().unwrap().selected, 3, "the arrows move while typing");
    // Esc clears the filter (the picker stays), then closes.
    press(&mut s, KeyCode::Esc);
    let p = s.dashboard.picker.as_ref().expect("still open");
    assert!(p.filter.is_empty() && !p.filtering);
    press(&mut s, KeyCode::Esc);
    assert!(s.dashboard.picker.is_none());
}

#[test]
fn enter_opens_the_selected_match() {
    let mut s = many();
    press(&mut s, KeyCode::Char('D'));
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "golden pay");
    assert_eq!(shown_files(&s), ["service-overview.json"]);
    let cmds = press(&mut s, KeyCode::Enter);
    assert!(s.dashboard.picker.is_none());
    assert_eq!(s.dashboard.open.as_ref().unwrap().file, "service-overview.json");
    assert!(!asks(&cmds).is_empty(), "opened as Enter always opens: its variables asked");
}

fn values(s: &State) -> &ValuePicker {
    s.dashboard.open.as_ref().unwrap().values.as_ref().expect("the value picker is open")
}

fn list(s: &State) -> &ValueList {
    match &values(s).edit {
        ValueEdit::List(l) => l,
        ValueEdit::Text(t) => panic!("a list, not a text: {t:?}"),
    }
}

/// The overview open, its variables answered, variable `i` selected.
fn overview_on(i: usize) -> State {
    let mut s = with_dashboards();
    let cmds = command(&mut s, "dash payments");
    resolve_all(&mut s, cmds);
    for _ in 0..i {
        press(&mut s, KeyCode::Tab);
    }
    s
}

#[test]
fn a_single_value_variable_picks_one_with_enter() {
    let mut s = overview_on(3);
    assert_eq!(var(&s, "db").current, ["payments"]);
    press(&mut s, KeyCode::Char('V'));
    assert_eq!(list(&s).list.selected, 0, "on the current value");
    assert!(!list(&s).multi);
    press(&mut s, KeyCode::Char('j'));
    let view = s.dashboard.view;
    let cmds = press(&mut s, KeyCode::Enter);
    assert_eq!(var(&s, "db").current, ["ledger"]);
    assert!(s.dashboard.open.as_ref().unwrap().values.is_none(), "Enter closes the list");
    assert!(s.dashboard.view > view, "a new view, as v makes");
    assert!(asks(&cmds).is_empty(), "nothing depends on $db");
    // Esc closes without a change; v still cycles.
    press(&mut s, KeyCode::Char('V'));
    press(&mut s, KeyCode::Char('k'));
    let view = s.dashboard.view;
    press(&mut s, KeyCode::Esc);
    assert!(s.dashboard.open.as_ref().unwrap().values.is_none() && s.dashboard.open.is_some());
    assert_eq!((var(&s, "db").current.as_slice(), s.dashboard.view), (&["ledger".to_string()][..], view));
    press(&mut s, KeyCode::Char('v'));
    assert_eq!(var(&s, "db").current, ["payments"]);
    // The same value again is no change: no new view.
    press(&mut s, KeyCode::Char('V'));
    let view = s.dashboard.view;
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.dashboard.view, view);
}

#[test]
fn a_multi_value_variable_marks_with_space_all_excludes_the_others_and_enter_reasks() {
    let mut s = overview_on(1);
    press(&mut s, KeyCode::Char('V'));
    let l = list(&s);
    assert!(l.multi);
    assert_eq!(l.marked, ["$__all"], "the current value is marked");
    // api: All unmarked; node too.
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(list(&s).marked, ["api"]);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(list(&s).marked, ["api", "node"]);
    // All again clears them; and a value clears All.
    press(&mut s, KeyCode::Char('g'));
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(list(&s).marked, ["$__all"]);
    press(&mut s, KeyCode::Char('G'));
    press(&mut s, KeyCode::Char(' '));
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(list(&s).marked, ["node", "api"]);
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(list(&s).marked, ["node"], "space again unmarks");
    press(&mut s, KeyCode::Char(' '));
    let view = s.dashboard.view;
    let cmds = press(&mut s, KeyCode::Enter);
    assert_eq!(var(&s, "job").current, ["api", "node"], "in the options' order");
    assert!(s.dashboard.view > view);
    let again = asks(&cmds);
    assert_eq!(again.len(), 1, "the chained variable is asked again: {cmds:?}");
    assert_eq!(again[0].name, "instance");
    assert_eq!(again[0].params[0].1, r#"up{job=~"(api|node)"}"#, "several values: an alternation");
    assert!(matches!(s.dashboard.open.as_ref().unwrap().status[2], VarStatus::Pending(_)));
    // Marks no longer offered (the options changed under the list) are not applied: the selected row is.
    press(&mut s, KeyCode::Char('V'));
    assert_eq!(list(&s).marked, ["api", "node"]);
    s.dashboard.open.as_mut().unwrap().dash.variables[1].options = vec!["web".into()];
    press(&mut s, KeyCode::Char('G'));
    press(&mut s, KeyCode::Enter);
    assert_eq!(var(&s, "job").current, ["web"]);
}

#[test]
fn the_value_list_filters_as_the_picker_does() {
    let mut s = overview_on(1);
    press(&mut s, KeyCode::Char('V'));
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "NO");
    let choices = choices(var(&s, "job"));
    let kept: Vec<&str> = list(&s).visible(&choices).into_iter().map(|i| choices[i].as_str()).collect();
    assert_eq!(kept, ["node"]);
    assert_eq!(list(&s).list.selected, 0);
    // Space marks while typing (multi); Esc clears the filter, then closes.
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(list(&s).marked, ["node"]);
    press(&mut s, KeyCode::Esc);
    assert!(list(&s).list.filter.is_empty());
    assert_eq!(list(&s).marked, ["node"], "the marks stay");
    typed(&mut s, "/all");
    let kept = list(&s).visible(&choices);
    assert_eq!(kept, [0], "All is matched by its name");
    press(&mut s, KeyCode::Backspace);
    typed(&mut s, "zz");
    press(&mut s, KeyCode::Enter);
    assert_eq!(var(&s, "job").current, ["node"], "marks apply even when the filter hides them");
    // A single-value list with nothing left to pick says so.
    let mut s = overview_on(3);
    press(&mut s, KeyCode::Char('V'));
    typed(&mut s, "/nothing");
    press(&mut s, KeyCode::Enter);
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text.contains("no value matches")), "{:?}", s.view.flash);
    assert_eq!(var(&s, "db").current, ["payments"]);
}

#[test]
fn a_textbox_is_edited_as_the_prompt_edits() {
    let mut s = overview_on(6);
    assert_eq!(var(&s, "route").current, ["/api"]);
    press(&mut s, KeyCode::Char('V'));
    assert!(matches!(&values(&s).edit, ValueEdit::Text(t) if t.text == "/api"));
    // Home, a character; End, Backspace, more text: "//ap" then "//apx"… as the prompt does.
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Char('x'));
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::Backspace);
    typed(&mut s, "p/v1");
    assert!(matches!(&values(&s).edit, ValueEdit::Text(t) if t.text == "x/app/v1"), "{:?}", values(&s));
    let view = s.dashboard.view;
    press(&mut s, KeyCode::Enter);
    assert_eq!(var(&s, "route").current, ["x/app/v1"]);
    assert_eq!(var(&s, "route").options, ["x/app/v1"]);
    assert!(s.dashboard.view > view);
    // Esc cancels an edit.
    press(&mut s, KeyCode::Char('V'));
    update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::new(KeyCode::Char('u'), crossterm::event::KeyModifiers::CONTROL)),
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(var(&s, "route").current, ["x/app/v1"]);
    // A constant has nothing to choose.
    let mut s = overview_on(4);
    press(&mut s, KeyCode::Char('V'));
    assert!(s.dashboard.open.as_ref().unwrap().values.is_none());
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text.contains("constant")), "{:?}", s.view.flash);
}

#[test]
fn a_value_panel_asks_a_fine_enough_step_to_show_a_current_value() {
    use super::{VALUE_STEP_SECS, step_for, value_step};
    // A day over 18 columns: 4800 s a point, the value up to 80 minutes old.
    assert_eq!(step_for(86_400, 18), 4800);
    assert_eq!(value_step(86_400, 18), VALUE_STEP_SECS);
    assert_eq!(value_step(900, 18), 50, "a short range keeps its columns' step");
    // Thirty days at one point a minute would be 43,200 points: Prometheus refuses over 11,000.
    let month = 30 * 86_400;
    assert!(month / value_step(month, 18) <= 10_000 && value_step(month, 18) < step_for(month, 18));
}

const REPEATED: &[u8] = br#"{"title": "Hosts",
  "templating": {"list": [{"name": "host", "type": "custom", "query": "a,b.c,d", "multi": true,
    "includeAll": true, "current": {"value": ["$__all"]}}]},
  "panels": [
    {"type": "stat", "title": "up $host", "repeat": "host", "gridPos": {"x": 0, "y": 0, "w": 8, "h": 4},
     "targets": [{"expr": "up{instance=~\"$host\"}"}]},
    {"type": "row", "title": "Disk $host", "repeat": "host", "collapsed": false, "gridPos": {"x": 0, "y": 4, "w": 24, "h": 1}},
    {"type": "timeseries", "title": "io", "gridPos": {"x": 0, "y": 5, "w": 24, "h": 6},
     "targets": [{"expr": "rate(io{instance=~\"$host\"}[5m])"}]}
  ]}"#;

pub(crate) fn repeated() -> State {
    with_file(REPEATED, "hosts.json", (160, 48))
}

/// A console at `size` with one dashboard file read (it parses without warnings).
fn with_file(body: &[u8], file: &str, size: (u16, u16)) -> State {
    let mut s = state();
    s.dashboard = DashboardState::new(true, true, std::time::Duration::from_secs(5));
    update(&mut s, Msg::Resize(size.0, size.1));
    let p = crate::dashboard::parse(body).expect("parses");
    assert!(!p.has(crate::dashboard::Severity::Warning), "{:?}", p.diagnostics);
    let title = p.dashboard.title.clone();
    let file = DashFile { file: file.into(), title, dashboard: Ok(Box::new(p.dashboard)), warnings: 0 };
    update(&mut s, Msg::Dashboards(vec![file]));
    s
}

fn shown_titles(s: &State) -> Vec<String> {
    let open = s.dashboard.open.as_ref().unwrap();
    open.slots().iter().map(|slot| open.panel(slot.panel).unwrap().title.clone()).collect()
}

#[test]
fn repeated_panels_and_rows_are_made_per_value_and_again_when_the_value_changes() {
    let mut s = repeated();
    let cmds = command(&mut s, "dash hosts");
    let cmds = [cmds, update(&mut s, Msg::Tick(now()))].concat();
    assert_eq!(
        shown_titles(&s),
        ["up a", "up b.c", "up d", "Disk a", "io", "Disk b.c", "io", "Disk d", "io"],
        "All: a copy per option, each row with its panel"
    );
    // Each copy queries its own value, regex-escaped as Grafana does.
    let queries: Vec<String> = fetches(&cmds).into_iter().map(|f| f.key.query).collect();
    for q in [r#"up{instance=~"a"}"#, r#"up{instance=~"b\\.c"}"#, r#"rate(io{instance=~"a"}[5m])"#] {
        assert!(queries.iter().any(|x| x == q), "{q} in {queries:?}");
    }
    assert!(!queries.iter().any(|q| q.contains('|')), "no copy asks for every value: {queries:?}");
    // Close the row of `a` (slot 3), then v: All → a. The row of `a` stays closed.
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Enter);
    assert_eq!(shown_titles(&s).len(), 8);
    let cmds = press(&mut s, KeyCode::Char('v'));
    assert_eq!(var(&s, "host").current, ["a"]);
    assert_eq!(shown_titles(&s), ["up a", "Disk a"], "one copy each; the closed row stays closed");
    let open = s.dashboard.open.as_ref().unwrap();
    assert!(open.selected < open.slots().len(), "the selection stays on a panel that is there");
    let cmds = [cmds, update(&mut s, Msg::Tick(now()))].concat();
    assert!(fetches(&cmds).iter().all(|f| !f.key.query.contains("b\\\\.c")), "{:?}", fetches(&cmds));
    press(&mut s, KeyCode::Enter);
    assert_eq!(shown_titles(&s), ["up a", "Disk a", "io"]);
}

const OWN_TIME: &[u8] = br#"{"title": "Own time", "time": {"from": "now-6h", "to": "now"}, "panels": [
    {"type": "stat", "title": "today", "timeFrom": "24h", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 4},
     "targets": [{"expr": "sum(up)"}]},
    {"type": "timeseries", "title": "a week ago", "timeShift": "7d", "hideTimeOverride": true,
     "gridPos": {"x": 12, "y": 0, "w": 12, "h": 4}, "targets": [{"expr": "rate(x[$__range])"}]},
    {"type": "timeseries", "title": "plain", "gridPos": {"x": 0, "y": 4, "w": 24, "h": 4},
     "targets": [{"expr": "rate(x[$__range])"}]}]}"#;

pub(crate) fn own_time() -> State {
    with_file(OWN_TIME, "own.json", (120, 30))
}

#[test]
fn a_panel_with_its_own_time_asks_its_own_range() {
    let mut s = own_time();
    let cmds = [command(&mut s, "dash own"), update(&mut s, Msg::Tick(now()))].concat();
    let f = fetches(&cmds);
    let by = |q: &str, shifted: bool| f.iter().find(|f| f.key.query == q && (f.key.shift_secs > 0) == shifted).cloned();
    let today = by("sum(up)", false).expect("the stat's fetch");
    assert_eq!(
        (today.key.window_secs, today.end - today.start),
        (86_400, 86_400),
        "the last 24 h, not the dashboard's 6"
    );
    assert!(today.key.step_secs <= VALUE_STEP_SECS);
    let week = by("rate(x[6h])", true).expect("the shifted chart's fetch: the dashboard's range, $__range 6h");
    assert_eq!(week.key.window_secs, 0, "the dashboard's range");
    assert_eq!(week.key.shift_secs, 7 * 86_400);
    let now = now().timestamp();
    assert!(week.end <= now - 7 * 86_400 && week.end > now - 7 * 86_400 - week.key.step_secs as i64 - 1, "{week:?}");
    let plain = by("rate(x[6h])", false).expect("the plain chart");
    assert!(plain.end > now - plain.key.step_secs as i64 - 1, "{plain:?}");
}
