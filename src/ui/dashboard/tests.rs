//! The dashboard view on ratatui's `TestBackend`: whole screens at the
//! sizes people use (snapshots), and what a panel says when its query fails
//! or its type is not drawn.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::model::SourceError;
use crate::model::metrics::Series;
use crate::msg::dashboard::VarAnswer;
use crate::msg::fetch::{Fetch, Purpose};
use crate::msg::{Cmd, Msg};
use crate::state::dashboard::tests::with_dashboards;
use crate::state::tests::{command, press};
use crate::state::{State, update};

pub(crate) fn render(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::super::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Series for a query, the same on every run: two instances for most,
/// routes for the table, one value for the stats.
pub(crate) fn series_for(f: &Fetch) -> Vec<Series> {
    let points = |base: f64, amp: f64| -> Vec<(f64, f64)> {
        let step = f.key.step_secs.max(1) as i64;
        (f.start..=f.end)
            .step_by(step as usize)
            // A wave over time, not over points: the same shape at any step.
            .map(|t| (t as f64, base + amp * (((t - f.start) as f64) / 900.0).sin()))
            .collect()
    };
    let labels = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let q = &f.key.query;
    if q.starts_with("sum by (le)") {
        // A histogram's cumulative buckets: most requests under 100 ms, a few slow.
        return [("0.1", 80.0), ("0.5", 95.0), ("1", 99.0), ("+Inf", 100.0)]
            .into_iter()
            .map(|(le, v)| Series { labels: labels(&[("le", le)]), samples: points(v, 0.0) })
            .collect();
    }
    if q.contains("by (route, code)") {
        return vec![
            Series { labels: labels(&[("route", "/api/pay"), ("code", "200")]), samples: points(1520.0, 0.0) },
            Series { labels: labels(&[("route", "/api/pay"), ("code", "500")]), samples: points(12.0, 0.0) },
            Series { labels: labels(&[("route", "/healthz"), ("code", "200")]), samples: points(360.0, 0.0) },
        ];
    }
    if q.starts_with("sum(rate(http_requests_total") && !q.contains('/') {
        return vec![Series { labels: labels(&[]), samples: points(240.0, 20.0) }];
    }
    if q.contains("process_cpu_seconds_total") {
        return vec![Series { labels: labels(&[]), samples: points(63.0, 5.0) }];
    }
    vec![
        Series { labels: labels(&[("instance", "pay-1:8080")]), samples: points(0.30, 0.1) },
        Series { labels: labels(&[("instance", "pay-2:8080")]), samples: points(0.12, 0.05) },
    ]
}

/// Answers every dashboard fetch in `cmds` (and those they lead to) with
/// [`series_for`], the memory bar gauge's with Prometheus' parse error.
pub(crate) fn answer_all(s: &mut State, mut cmds: Vec<Cmd>) {
    for _ in 0..10 {
        let fetches: Vec<Fetch> = cmds
            .iter()
            .filter_map(|c| match c {
                Cmd::FetchRange(f) if matches!(f.purpose, Purpose::Dashboard { .. }) => Some(f.clone()),
                _ => None,
            })
            .collect();
        if fetches.is_empty() {
            return;
        }
        cmds = Vec::new();
        for f in fetches {
            let result = if f.key.query.starts_with("topk") {
                Err(SourceError::Api {
                    status: 400,
                    kind: "bad_data".into(),
                    message: "1:5: parse error: unexpected character".into(),
                })
            } else {
                Ok(series_for(&f))
            };
            cmds.extend(update(s, Msg::Range(Box::new((f, result)))));
        }
    }
}

/// The service overview at `w`x`h`, its variables resolved, its panels answered.
fn overview(w: u16, h: u16) -> State {
    let mut s = with_dashboards();
    update(&mut s, Msg::Resize(w, h));
    let mut cmds = command(&mut s, "dash payments");
    // Variables first (the chained `instance` is asked again once `job` is known), then the panels.
    let mut all = Vec::new();
    for _ in 0..5 {
        let asks: Vec<_> = cmds
            .iter()
            .filter_map(|c| match c {
                Cmd::ResolveVar(a) => Some((**a).clone()),
                _ => None,
            })
            .collect();
        all.append(&mut cmds);
        for a in asks {
            let values = if a.name == "job" {
                vec!["payments".to_string()]
            } else {
                vec!["pay-1:8080".into(), "pay-2:8080".into()]
            };
            let answer = VarAnswer { view: a.view, name: a.name, result: Ok(values) };
            cmds.extend(update(&mut s, Msg::DashVar(Box::new(answer))));
        }
    }
    let cmds = all;
    answer_all(&mut s, cmds);
    s
}

#[test]
fn dashboard_80x24() {
    insta::assert_snapshot!(render(&overview(80, 24), 80, 24));
}

#[test]
fn dashboard_160x48() {
    insta::assert_snapshot!(render(&overview(160, 48), 160, 48));
}

#[test]
fn dashboard_240x70() {
    insta::assert_snapshot!(render(&overview(240, 70), 240, 70));
}

#[test]
fn picker_80x24() {
    let mut s = with_dashboards();
    press(&mut s, KeyCode::Char('D'));
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn panels_say_what_they_show_and_why_not() {
    let s = overview(160, 48);
    let screen = render(&s, 160, 48);
    for text in [
        "Payments service overview · last 3h",
        "Latency",
        "Requests/s",
        "req/s",
        "parse error",
        "█░",
        "/api/pay",
        "no Loki configured (--loki URL)",
        "▾ Logs",
        "▸ PostgreSQL",
    ] {
        assert!(screen.contains(text), "{text:?} missing:\n{screen}");
    }
    assert!(!screen.contains("**"), "markdown is stripped:\n{screen}");
}

#[test]
fn c_shows_the_selected_panel_full_size() {
    let mut s = overview(80, 24);
    let cmds = press(&mut s, KeyCode::Char('c'));
    answer_all(&mut s, cmds);
    let screen = render(&s, 80, 24);
    assert!(screen.contains("Latency") && !screen.contains("Error ratio"), "{screen}");
    assert!(screen.contains("p99") && screen.contains("p50"), "the legend, from legendFormat: {screen}");
}

#[test]
fn overrides_give_a_series_its_own_unit_and_colour() {
    let mut s = overview(160, 48);
    let open = s.dashboard.open.as_mut().expect("open");
    let table = open.dash.panels.iter_mut().find(|p| p.title == "Requests by route over the range").expect("table");
    // Not Grafana's table format: one row per series, its name and value.
    table.targets[0].table = false;
    table.overrides = vec![crate::dashboard::Override {
        matcher: "byRegexp".into(),
        pattern: "/CODE=500/i".into(),
        unit: Some("reqps".into()),
        color: Some("red".into()),
        ..Default::default()
    }];
    s.frame.dirty = true;
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| super::super::draw(f, &s)).unwrap();
    let buf = t.backend().buffer().clone();
    let rows: Vec<String> =
        (0..48).map(|y| (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>()).collect();
    let y = rows.iter().position(|r| r.contains("code=500,route=/api/pay")).expect("the 500 row");
    assert!(rows[y].trim_end().ends_with("12 req/s│"), "the override's unit: {}", rows[y]);
    let cells: Vec<char> = rows[y].chars().collect();
    let x = (0..cells.len() - 1).rev().find(|&i| cells[i] == '1' && cells[i + 1] == '2').expect("12");
    assert_eq!(buf[(x as u16, y as u16)].fg, ratatui::style::Color::Red, "the override's colour");
    let ok = rows.iter().find(|r| r.contains("code=200,route=/api/pay")).expect("the 200 row");
    assert!(ok.trim_end().ends_with("1.52 K│"), "no match: the panel's own unit: {ok}");
}

#[test]
fn a_table_panel_in_table_format_shows_label_columns_renamed_hidden_and_in_the_overrides_unit() {
    use crate::dashboard::{Override, Transformation};
    let mut s = overview(160, 48);
    let open = s.dashboard.open.as_mut().expect("open");
    let table = open.dash.panels.iter_mut().find(|p| p.title == "Requests by route over the range").expect("table");
    table.transformations = vec![Transformation::Organize {
        exclude: Default::default(),
        rename: [("route".to_string(), "Route".to_string())].into(),
        order: [("route".to_string(), 0)].into(),
    }];
    table.overrides = vec![
        Override {
            matcher: "byName".into(),
            pattern: "Value".into(),
            unit: Some("reqps".into()),
            color: Some("red".into()),
            display_name: Some("Requests".into()),
            ..Default::default()
        },
        Override { matcher: "byName".into(), pattern: "code".into(), hidden: true, ..Default::default() },
    ];
    s.frame.dirty = true;
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| super::super::draw(f, &s)).unwrap();
    let buf = t.backend().buffer().clone();
    let rows: Vec<String> =
        (0..48).map(|y| (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>()).collect();
    let head = rows.iter().position(|r| r.contains("Route") && r.contains("Requests")).expect("the header");
    assert!(!rows[head].contains("code"), "the hidden column: {}", rows[head]);
    let pay = &rows[head + 1];
    assert!(pay.contains("/api/pay 1.52 K req/s"), "renamed, first, right-aligned in the override's unit: {pay}");
    let x = pay.chars().position(|c| c == 'K').expect("K");
    assert_eq!(buf[(x as u16, (head + 1) as u16)].fg, ratatui::style::Color::Red, "the override's colour");
    assert!(rows[head + 3].contains("/healthz") && rows[head + 3].contains("360 req/s"), "{}", rows[head + 3]);
}

#[test]
fn a_pie_chart_lists_its_slices_largest_first_with_their_share() {
    let mut s = overview(160, 48);
    let open = s.dashboard.open.as_mut().expect("open");
    let pie = open.dash.panels.iter_mut().find(|p| p.title == "Requests by route over the range").expect("table");
    pie.kind = crate::dashboard::PanelKind::PieChart;
    pie.targets[0].table = false;
    s.frame.dirty = true;
    let screen = render(&s, 160, 48);
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("code=")).collect();
    assert_eq!(rows.len(), 3, "{screen}");
    assert!(rows[0].contains("code=200,route=/api/pay █") && rows[0].contains(" 80% 1.52 K"), "{}", rows[0]);
    assert!(rows[1].contains("/healthz") && rows[1].contains(" 19% 360"), "{}", rows[1]);
    assert!(rows[2].contains("code=500") && rows[2].contains("  1% 12"), "{}", rows[2]);
    let bar = |r: &str| r.matches('█').count();
    assert!(bar(rows[0]) > 4 * bar(rows[1]) && bar(rows[2]) <= 2, "bars as long as the shares:\n{screen}");
}

#[test]
fn a_series_override_colours_its_chart_line() {
    // The test data gives p99 and p50 the same points, so p50 (drawn last) is what shows.
    let mut s = overview(160, 48);
    let open = s.dashboard.open.as_mut().expect("open");
    let latency = open.dash.panels.iter_mut().find(|p| p.title == "Latency").expect("latency");
    latency.overrides = vec![crate::dashboard::Override {
        matcher: "byName".into(),
        pattern: "p50".into(),
        color: Some("blue".into()),
        ..Default::default()
    }];
    s.frame.dirty = true;
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| super::super::draw(f, &s)).unwrap();
    let buf = t.backend().buffer().clone();
    let braille =
        |x: u16, y: u16| buf[(x, y)].symbol().chars().next().is_some_and(|c| ('\u{2801}'..='\u{28ff}').contains(&c));
    let seen: std::collections::BTreeSet<String> = (0..80)
        .flat_map(|x| (3..20).map(move |y| (x, y)))
        .filter(|&(x, y)| braille(x, y))
        .map(|(x, y)| format!("{:?}", buf[(x, y)].fg))
        .collect();
    assert_eq!(seen, ["Blue".to_string()].into(), "both p50 lines in the override's blue, not the palette's");
}

#[test]
fn a_heatmap_shades_each_buckets_own_count_highest_bucket_on_top() {
    let mut s = overview(160, 48);
    let open = s.dashboard.open.as_mut().expect("open");
    let heat = open.dash.panels.iter_mut().find(|p| p.title == "Requests by route over the range").expect("table");
    heat.kind = crate::dashboard::PanelKind::Heatmap;
    heat.targets[0].expr = "sum by (le) (rate(http_request_duration_seconds_bucket[5m]))".into();
    heat.targets[0].table = false;
    heat.field.unit = Some("s".into());
    let t = s.clock.now;
    let cmds = update(&mut s, Msg::Tick(t));
    answer_all(&mut s, cmds);
    s.frame.dirty = true;
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| super::super::draw(f, &s)).unwrap();
    let buf = term.backend().buffer().clone();
    let rows: Vec<String> =
        (0..48).map(|y| (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>()).collect();
    let at = |label: &str| {
        rows.iter().position(|r| r.contains(&format!("{label} "))).unwrap_or_else(|| panic!("{label}: {rows:#?}"))
    };
    let (inf, one, half, tenth) = (at("+Inf"), at("1 s"), at("500 ms"), at("100 ms"));
    assert!(inf < one && one < half && half < tenth, "highest bucket on top");
    // Own counts 1, 4, 15, 80: the fastest bucket full, the others lighter.
    assert!(rows[tenth].contains("█████"), "{}", rows[tenth]);
    assert!(rows[half].contains("░░░░") && !rows[half].contains('█'), "{}", rows[half]);
    let x = rows[tenth].find('█').map(|b| rows[tenth][..b].chars().count()).expect("a full cell") as u16;
    assert_eq!(buf[(x, tenth as u16)].fg, ratatui::style::Color::Red, "the largest in the ramp's top colour");
}

#[test]
fn a_loki_panel_shows_its_lines_through_the_live_runner() {
    let mut s = overview(160, 48);
    s.logs.follow.enabled = true;
    let t = s.clock.now;
    let cmds = update(&mut s, Msg::Tick(t));
    let asks: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::LiveQuery(a) => Some((**a).clone()),
            _ => None,
        })
        .collect();
    assert_eq!(asks.len(), 1, "the one Loki panel on screen: {cmds:?}");
    let ask = &asks[0];
    assert_eq!(ask.tag.query, "{job=~\"payments\"} |= \"error\"", "the variable filled (All: its values)");
    assert_eq!(ask.lang, crate::model::runbook::Lang::LogQl);
    assert_eq!(ask.tag.dashboard, Some(s.dashboard.view));
    assert!(render(&s, 160, 48).contains("loading…"));
    let again = update(&mut s, Msg::Tick(t));
    assert!(!again.iter().any(|c| matches!(c, Cmd::LiveQuery(_))), "one ask in flight per query");

    let line = |sec: i64, text: &str| crate::msg::live::LiveLine {
        ts_ns: (s.clock.now.timestamp() - sec) * 1_000_000_000,
        line: text.into(),
    };
    let answer = crate::msg::live::LiveAnswer::Logs {
        count: 42,
        lines: vec![line(30, "level=error msg=\"pool exhausted\""), line(5, "level=error msg=\"timeout\x1b[31m\"")],
    };
    let stale = crate::msg::live::LiveResult {
        tag: crate::msg::live::LiveTag { dashboard: Some(s.dashboard.view + 1), ..ask.tag.clone() },
        at: s.clock.now,
        result: Ok(answer.clone()),
    };
    update(&mut s, Msg::Live(Box::new(stale)));
    assert!(render(&s, 160, 48).contains("loading…"), "an answer for another view is dropped");
    let result = crate::msg::live::LiveResult { tag: ask.tag.clone(), at: s.clock.now, result: Ok(answer) };
    update(&mut s, Msg::Live(Box::new(result)));
    let screen = render(&s, 160, 48);
    assert!(screen.contains("42 lines · newest 2"), "{screen}");
    assert!(screen.contains("pool exhausted") && screen.contains("timeout"), "{screen}");
    assert!(!screen.contains('\x1b'), "escapes never reach the screen");
    assert!(s.runbook.view.is_none(), "a dashboard's answer is not a runbook's");

    let failed = crate::msg::live::LiveResult {
        tag: ask.tag.clone(),
        at: s.clock.now,
        result: Err("parse error at line 1, col 5: syntax error".into()),
    };
    update(&mut s, Msg::Live(Box::new(failed)));
    assert!(render(&s, 160, 48).contains("parse error at line 1"), "Loki's own words in the box");
}

#[test]
fn grafana_colours_by_name_hex_and_rgba() {
    let theme = crate::theme::Theme::default();
    let fg = |c: &str| super::colour(Some(c), &theme).fg;
    use ratatui::style::Color;
    assert_eq!(fg("semi-dark-red"), Some(Color::Red));
    assert_eq!(fg("#EAB839"), Some(Color::Rgb(0xEA, 0xB8, 0x39)));
    assert_eq!(fg("rgba(50, 172, 45, 0.97)"), Some(Color::Rgb(50, 172, 45)));
    assert_eq!(fg("rgb(1,2,3)"), Some(Color::Rgb(1, 2, 3)));
    assert_eq!(fg("rgba(300, 0, 0, 1)"), theme.base().fg, "out of range: the theme's own");
    assert_eq!(fg("rgba(1, 2)"), theme.base().fg);
}

/// The picker over the fixtures and two tagged dashboards, `/pay` typed.
fn filtered_picker(w: u16, h: u16) -> State {
    let mut s = with_dashboards();
    update(&mut s, Msg::Resize(w, h));
    let mut files = crate::state::dashboard::tests::files();
    for (file, title, tags) in
        [("node.json", "Node exporter", ["linux", "infra"]), ("pay.json", "Pay queues", ["payments", "queues"])]
    {
        let dash = crate::dashboard::Dashboard {
            title: title.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        files.push(crate::model::dashboard::DashFile {
            file: file.into(),
            title: title.into(),
            dashboard: Ok(Box::new(dash)),
            warnings: 2,
        });
    }
    update(&mut s, Msg::Dashboards(files));
    press(&mut s, KeyCode::Char('D'));
    for c in "/PAY".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Down);
    s
}

#[test]
fn picker_filtered_80x24() {
    insta::assert_snapshot!(render(&filtered_picker(80, 24), 80, 24));
}

#[test]
fn picker_filtered_160x48() {
    insta::assert_snapshot!(render(&filtered_picker(160, 48), 160, 48));
}

#[test]
fn the_filter_is_shown_and_its_words_underlined_and_no_match_says_so() {
    let s = filtered_picker(80, 24);
    let screen = render(&s, 80, 24);
    assert!(screen.contains("/PAY█ · 2 of 4"), "{screen}");
    assert!(!screen.contains("Node exporter") && screen.contains("Pay queues"), "{screen}");
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| super::super::draw(f, &s)).unwrap();
    let buf = t.backend().buffer().clone();
    let y = (0..24u16)
        .find(|&y| (0..80u16).map(|x| buf[(x, y)].symbol()).collect::<String>().contains("Payments service"))
        .unwrap();
    let x = (0..80u16).find(|&x| buf[(x, y)].symbol() == "P").unwrap();
    let underlined = |x: u16| buf[(x, y)].modifier.contains(ratatui::style::Modifier::UNDERLINED);
    assert!((x..x + 3).all(underlined), "Pay of Payments underlined");
    assert!(!underlined(x + 3), "and no more");
    let mut s = s;
    for c in "zz".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert!(render(&s, 80, 24).contains("no dashboard matches"));
}

/// The overview with `$job`'s list open, api marked, the list on node.
fn job_values(w: u16, h: u16) -> State {
    let mut s = overview(w, h);
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char('V'));
    s
}

#[test]
fn values_80x24() {
    let mut s = overview(80, 24);
    // `instance`: one value or All, the current one marked.
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char('V'));
    press(&mut s, KeyCode::Char('j'));
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn values_multi_160x48() {
    let mut s = job_values(160, 48);
    let open = s.dashboard.open.as_mut().unwrap();
    open.dash.variables[1].options = vec!["payments".into(), "checkout".into(), "ledger".into()];
    // All's alternation changed with the options: the panels are fetched again.
    let now = s.clock.now;
    let cmds = update(&mut s, Msg::Tick(now));
    answer_all(&mut s, cmds);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char(' '));
    for c in "/e".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    insta::assert_snapshot!(render(&s, 160, 48));
}

#[test]
fn a_textbox_shows_its_text_and_cursor() {
    let mut s = overview(80, 24);
    for _ in 0..6 {
        press(&mut s, KeyCode::Tab);
    }
    press(&mut s, KeyCode::Char('V'));
    press(&mut s, KeyCode::Left);
    let screen = render(&s, 80, 24);
    assert!(
        screen.contains("$route") && screen.contains("/api") && screen.contains("Enter apply · Esc cancel"),
        "{screen}"
    );
}

#[test]
fn an_alert_list_shows_the_consoles_alerts_that_its_options_keep() {
    use crate::dashboard::{AlertListOptions, PanelKind};
    use crate::model::{AlertState, Matcher, share};
    use crate::state::tests::{AM0, alert, poll};
    let mut s = overview(160, 48);
    let mut pending = alert("PaymentsQueue", "warning", &[("team", "pay")], 1, "am0");
    pending.state = AlertState::Pending;
    let mut muted = alert("PaymentsMuted", "critical", &[("team", "pay")], 1, "am0");
    muted.state = AlertState::Silenced;
    let alerts = vec![
        alert("PaymentsDown", "critical", &[("team", "pay"), ("instance", "pay-1")], 20, "am0"),
        alert("LedgerLag", "warning", &[("team", "ledger")], 5, "am0"),
        alert("PaymentsSlow", "warning", &[("team", "pay"), ("route", "/api")], 2, "am0"),
        alert("PaymentsForOthers", "warning", &[("team", "web")], 2, "am0"),
        pending,
        muted,
    ];
    update(&mut s, poll(AM0, Ok(crate::msg::Payload::AmAlerts(share(alerts)))));
    let options = AlertListOptions {
        name: "payments".into(),
        labels: vec![Matcher { name: "team".into(), value: "pay".into(), is_regex: false, is_equal: true }],
        firing: true,
        pending: false,
        max: 0,
        sort: 5,
        stat: false,
    };
    let set = |s: &mut State, options: AlertListOptions| {
        let open = s.dashboard.open.as_mut().expect("open");
        let p = open.dash.panels.iter_mut().find(|p| p.title == "Requests by route over the range").expect("panel");
        p.kind = PanelKind::AlertList;
        p.alerts = Some(options);
        s.frame.dirty = true;
    };
    set(&mut s, options.clone());
    let screen = render(&s, 160, 48);
    let rows: Vec<&str> =
        screen.lines().filter(|l| ["WARN ", "CRIT ", "PEND "].iter().any(|t| l.contains(t))).collect();
    assert_eq!(rows.len(), 2, "name, team and firing only, no muted one:\n{screen}");
    assert!(rows[0].contains("WARN PaymentsSlow route=/api") && rows[0].contains(" 2m"), "newest first: {}", rows[0]);
    assert!(rows[1].contains("CRIT PaymentsDown instance=pay-1,team=pay") && rows[1].contains(" 20m"), "{}", rows[1]);
    set(&mut s, AlertListOptions { pending: true, firing: false, ..options.clone() });
    let screen = render(&s, 160, 48);
    assert!(screen.contains("PEND PaymentsQueue") && !screen.contains("PaymentsDown"), "{screen}");
    set(&mut s, AlertListOptions { stat: true, ..options });
    let screen = render(&s, 160, 48);
    let count = screen.lines().skip_while(|l| !l.contains("Requests by route")).nth(1).unwrap_or_default();
    assert!(count.contains("│2 "), "viewMode stat: how many: {count}");
}

/// A panel and an open row repeated by `$host` (All of three values): each
/// copy titled and queried with its own value.
#[test]
fn repeated_panels_and_rows_120x30() {
    let mut s = crate::state::dashboard::tests::repeated();
    update(&mut s, Msg::Resize(120, 30));
    let cmds = [command(&mut s, "dash hosts"), update(&mut s, Msg::Tick(crate::state::tests::now()))].concat();
    for c in cmds {
        if let Cmd::FetchRange(f) = c {
            let value = if f.key.query.contains(r#""a""#) { 1.0 } else { 0.0 };
            let samples =
                (f.start..=f.end).step_by(f.key.step_secs.max(1) as usize).map(|t| (t as f64, value)).collect();
            let series = Series { labels: Default::default(), samples };
            update(&mut s, Msg::Range(Box::new((f, Ok(vec![series])))));
        }
    }
    let screen = render(&s, 120, 30);
    for title in ["up a", "up b.c", "up d", "Disk a", "Disk b.c"] {
        assert!(screen.contains(title), "{title} in\n{screen}");
    }
    insta::assert_snapshot!(screen);
}

/// A panel's own time is in its title (`hideTimeOverride` leaves it out),
/// and its chart's axis ends when its range does.
#[test]
fn a_panel_with_its_own_time_says_so_in_its_title() {
    let mut s = crate::state::dashboard::tests::own_time();
    let cmds = [command(&mut s, "dash own"), update(&mut s, Msg::Tick(crate::state::tests::now()))].concat();
    for c in cmds {
        if let Cmd::FetchRange(f) = c {
            let samples = (f.start..=f.end).step_by(f.key.step_secs.max(1) as usize).map(|t| (t as f64, 1.0)).collect();
            update(&mut s, Msg::Range(Box::new((f, Ok(vec![Series { labels: Default::default(), samples }])))));
        }
    }
    let screen = render(&s, 120, 30);
    assert!(screen.contains("┌ today · last 1d "), "{screen}");
    assert!(screen.contains("┌ a week ago ─"), "hidden: {screen}");
    assert!(screen.contains("┌ plain ─"), "{screen}");
}
