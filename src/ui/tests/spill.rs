//! Arbitrary Unicode through every pane: emoji with VS15/VS16 and ZWJ,
//! flags, skin tones, Hangul jamo, combining marks, CJK, tabs, and the
//! characters that once shifted rows (see `crate::text::tests::TRICKY`),
//! in labels, annotations, log lines, runbooks, silences, titles and flash
//! messages. Each pane is drawn into a rectangle inside a larger buffer
//! filled with a sentinel, and then
//!
//! - no cell outside the rectangle changed,
//! - a bordered pane's left and right borders and its corners are still
//!   box-drawing characters (text never overwrote them),
//! - every cell holds at most one grapheme cluster of clean text (or is a
//!   hyperlink cell of known width), and a wide cell ends inside the pane's
//!   text area: in a terminal it would otherwise cover the border or the
//!   neighbouring pane.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::{Position, Rect};
use unicode_segmentation::UnicodeSegmentation;

use crate::model::logs::{BatchKind, FollowMode, LogBatch};
use crate::model::share;
use crate::msg::{Msg, Payload, SourceId, SourceKind};
use crate::state::tests::{alert, now, poll, state};
use crate::state::{State, update};
use crate::text::tests::unicode_text;
use crate::text::{clean, cluster_width, is_clean};

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };
/// What the buffer around the pane holds; no pane draws it.
const SENTINEL: &str = "¤";
const MARGIN: u16 = 2;

/// The hostile strings a state is built from.
#[derive(Debug, Clone)]
struct Texts(Vec<String>);

impl Texts {
    fn get(&self, i: usize) -> &str {
        &self.0[i % self.0.len()]
    }
}

fn texts() -> impl Strategy<Value = Texts> {
    prop::collection::vec(unicode_text(), 12).prop_map(Texts)
}

fn key(s: &mut State, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// A board of alerts whose labels, annotations and source say `t`, with
/// their logs, silences and a flash message.
fn hostile(t: &Texts) -> State {
    let mut s = state();
    let mut alerts = Vec::new();
    for i in 0..3 {
        let mut a = alert(
            t.get(i),
            ["critical", "warning", "info"][i],
            &[("service", t.get(i + 1)), ("pod", t.get(i + 2))],
            3,
            "am0",
        );
        a.annotations.insert("summary".into(), t.get(i + 3).into());
        a.annotations.insert("description".into(), format!("{}\n{}\t{}", t.get(i + 4), t.get(i + 5), t.get(i + 6)));
        a.annotations.insert("runbook_url".into(), format!("https://runbooks.invalid/{}", t.get(i + 7)));
        alerts.push(a);
    }
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(alerts)))));
    let silence = crate::model::Silence {
        id: t.get(8).into(),
        matchers: vec![crate::model::Matcher {
            name: t.get(9).into(),
            value: t.get(10).into(),
            is_regex: false,
            is_equal: true,
        }],
        starts_at: now() - chrono::Duration::minutes(10),
        ends_at: now() + chrono::Duration::minutes(50),
        updated_at: None,
        created_by: t.get(11).into(),
        comment: t.get(0).into(),
        state: crate::model::SilenceState::Active,
    };
    update(&mut s, poll(AM0, Ok(Payload::AmSilences(vec![silence]))));
    s.logs.follow.enabled = true;
    let g = s.logs.view.begin(Some(t.get(1).into()), Some(t.get(2).into()));
    // Log lines arrive cleaned (the Loki client's contract).
    let lines = (0..8)
        .map(|i| {
            let mut l = crate::state::logs::tests::line(1_795_348_800_000_000_000 + i, "");
            l.line = clean(&format!("level=error {}", t.get(i as usize))).into_owned();
            l
        })
        .collect();
    s.logs.view.push_batch(LogBatch {
        generation: g,
        kind: BatchKind::Initial,
        lines,
        mode: Some(FollowMode::Tail),
        ..LogBatch::default()
    });
    s.flash_error(t.get(3).to_string());
    s
}

fn markdown(t: &Texts) -> String {
    format!(
        "# {}\n\n{} {}\n\n- [ ] {}\n- {}\n\n| {} | b |\n|---|---|\n| {} | {} |\n\n```\n{}\n```\n\n> {}\n\n[{}](https://x.invalid/{})\n",
        t.get(0),
        t.get(1),
        t.get(2),
        t.get(3),
        t.get(4),
        t.get(5),
        t.get(6),
        t.get(7),
        t.get(8),
        t.get(9),
        t.get(10),
        t.get(11),
    )
}

/// Draws with `draw` into `Rect(MARGIN, MARGIN, w, h)` of a sentinel-filled
/// buffer and checks the properties above.
fn ok(r: Result<(), String>) -> Result<(), TestCaseError> {
    r.map_err(TestCaseError::fail)
}

fn check(
    name: &str,
    w: u16,
    h: u16,
    bordered: bool,
    draw: impl FnOnce(&mut ratatui::Frame, Rect),
) -> Result<(), String> {
    let area = Rect::new(MARGIN, MARGIN, w, h);
    let mut t = Terminal::new(TestBackend::new(w + 2 * MARGIN, h + 2 * MARGIN)).unwrap();
    t.draw(|f| {
        for cell in &mut f.buffer_mut().content {
            cell.set_symbol(SENTINEL);
        }
        draw(f, area);
    })
    .unwrap();
    let buf = t.backend().buffer();
    check_buffer(buf, area, bordered).map_err(|e| format!("{name} at {w}x{h}: {e}\n{}", text(buf)))
}

fn text(buf: &Buffer) -> String {
    let a = buf.area;
    (0..a.height).map(|y| (0..a.width).map(|x| buf[(x, y)].symbol()).collect::<String>()).collect::<Vec<_>>().join("\n")
}

fn is_box(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    matches!((chars.next(), chars.next()), (Some('\u{2500}'..='\u{257f}'), None))
}

fn check_buffer(buf: &Buffer, area: Rect, bordered: bool) -> Result<(), String> {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if !area.contains(Position { x, y }) && buf[(x, y)].symbol() != SENTINEL {
                return Err(format!("({x},{y}) outside the pane holds {:?}", buf[(x, y)].symbol()));
            }
        }
    }
    check_inside(buf, area, bordered)
}

fn check_inside(buf: &Buffer, area: Rect, bordered: bool) -> Result<(), String> {
    let (left, right) = (area.left(), area.right());
    if bordered && area.width >= 2 && area.height >= 2 {
        for (x, y) in
            [(left, area.top()), (right - 1, area.top()), (left, area.bottom() - 1), (right - 1, area.bottom() - 1)]
        {
            if !is_box(buf[(x, y)].symbol()) {
                return Err(format!("corner ({x},{y}) holds {:?}", buf[(x, y)].symbol()));
            }
        }
        for y in area.top() + 1..area.bottom() - 1 {
            for x in [left, right - 1] {
                if !is_box(buf[(x, y)].symbol()) {
                    return Err(format!("border ({x},{y}) holds {:?}", buf[(x, y)].symbol()));
                }
            }
        }
    }
    for y in area.top()..area.bottom() {
        // Text ends before the right border (the title row's too).
        let limit = if bordered && area.width >= 2 { right - 1 } else { right };
        let mut x = left;
        while x < right {
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            let width = match cell.diff_option {
                // A hyperlink: an OSC 8 sequence around text of known width.
                CellDiffOption::ForcedWidth(w) => w.get(),
                _ => {
                    if symbol != SENTINEL && !(symbol == " " || is_clean(symbol) && symbol.graphemes(true).count() == 1)
                    {
                        return Err(format!("({x},{y}) holds {symbol:?}, not one clean cluster"));
                    }
                    cluster_width(symbol).max(1) as u16
                }
            };
            if width > 1 && x + width > limit {
                return Err(format!("({x},{y}) {symbol:?} is {width} wide and crosses column {limit}"));
            }
            x += width;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_pane_spills_hostile_text(t in texts(), w in 12u16..150, h in 3u16..40) {
        let mut s = hostile(&t);
        let board = |f: &mut ratatui::Frame, a| crate::ui::alerts::draw(f, a, &s);
        ok(check("board", w, h, true, board))?;
        ok(check("detail", w, h, true, |f, a| crate::ui::detail::draw(f, a, &s)))?;
        ok(check("logs", w, h, true, |f, a| crate::ui::logs::draw(f, a, &s.logs.view, &s.prefs.theme, true, s.clock.now, s.clock.local_offset)))?;
        s.logs.view.wrap = true;
        ok(check("logs wrapped", w, h, true, |f, a| crate::ui::logs::draw(f, a, &s.logs.view, &s.prefs.theme, false, s.clock.now, s.clock.local_offset)))?;
        ok(check("header", w, 1, false, |f, a| crate::ui::status_bar::draw_header(f, a, &s)))?;
        ok(check("status", w, 1, false, |f, a| crate::ui::status_bar::draw_status(f, a, &s)))?;
        let doc = crate::runbook::Document { source: t.get(4).into(), markdown: markdown(&t) };
        let mut view = crate::state::runbook::RunbookView::new(
            Arc::new(doc),
            w.saturating_sub(2).max(20),
            crate::runbook::render::RunbookStyles::default(),
        );
        view.hyperlinks = true;
        ok(check("runbook", w, h, true, |f, a| crate::ui::runbook::draw(f, a, &view, true, &s.prefs.theme)))?;
        ok(check("help", w, h, false, |f, a| crate::ui::help::draw(f, a, &s)))?;
        let mut silences = hostile(&t);
        key(&mut silences, KeyCode::Char('S'));
        let view = silences.silences.view.clone().expect("S opens the silences");
        ok(check("silences", w, h, false, |f, a| crate::ui::silences::draw(f, a, &silences, &view)))?;
        let mut form = hostile(&t);
        key(&mut form, KeyCode::Char('s'));
        let sf = form.silences.form.clone().expect("s opens the silence form");
        ok(check("silence form", w, h, false, |f, a| crate::ui::silence_form::draw(f, a, &form, &sf)))?;
        let mut picker = hostile(&t);
        picker.contexts.known = vec![crate::state::contexts::ContextSummary {
            name: t.get(5).into(),
            read_only: true,
            prometheus: 1,
            alertmanager: 1,
            loki: 0,
        }];
        crate::state::contexts::open_picker(&mut picker);
        let p = picker.contexts.picker.clone().expect("picker");
        ok(check("context picker", w, h, false, |f, a| crate::ui::context_picker::draw(f, a, &picker, &p)))?;
    }

    /// The whole screen, panes side by side and stacked: each pane's border
    /// survives its neighbour's text.
    #[test]
    fn whole_screen_keeps_every_border(t in texts(), w in 20u16..160, h in 5u16..50) {
        let s = hostile(&t);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| crate::ui::draw(f, &s)).unwrap();
        let buf = term.backend().buffer();
        let screen = Rect::new(0, 0, w, h);
        ok(check_buffer(buf, screen, false).map_err(|e| format!("screen at {w}x{h}: {e}\n{}", text(buf))))?;
        let list = crate::state::layout(screen, &s).list;
        if w >= 20 && h >= 5 && !list.is_empty() {
            ok(check_inside(buf, list, true).map_err(|e| format!("board in the screen at {w}x{h}: {e}\n{}", text(buf))))?;
        }
    }
}

/// A dashboard whose title, variables, panel titles, text, legends and
/// series labels say `t`, answered, and drawn at `w`x`h`.
fn hostile_dashboard(t: &Texts, w: u16, h: u16) -> State {
    use crate::dashboard::{Dashboard, FieldConfig, GridPos, Panel, PanelKind, Target, Variable, VariableKind};
    let panel = |kind: PanelKind, i: usize, grid: GridPos, expr: &str| Panel {
        id: Some(i as u64),
        kind: kind.clone(),
        // The gauge repeats by $pod: a copy per hostile value, each in its title.
        title: if kind == PanelKind::Gauge { format!("{} $pod", t.get(i)) } else { t.get(i).into() },
        grid,
        targets: vec![Target {
            ref_id: "A".into(),
            expr: expr.into(),
            legend_format: Some(format!("{} {{{{pod}}}}", t.get(i + 1))),
            datasource: None,
            table: kind == PanelKind::Table,
        }],
        field: FieldConfig { unit: Some(t.get(i + 2).into()), ..FieldConfig::default() },
        overrides: Vec::new(),
        calcs: Vec::new(),
        content: Some(format!("# {}\n**{}** [{}](x)", t.get(i + 3), t.get(i + 4), t.get(i + 5))),
        children: Vec::new(),
        collapsed: false,
        transformations: Vec::new(),
        alerts: (kind == PanelKind::AlertList).then(|| crate::dashboard::AlertListOptions {
            name: String::new(),
            labels: Vec::new(),
            firing: true,
            pending: true,
            max: 0,
            sort: 3,
            stat: false,
        }),
        repeat: (kind == PanelKind::Gauge).then(|| crate::dashboard::Repeat {
            var: "pod".into(),
            vertical: false,
            max_per_row: None,
        }),
        scoped: Vec::new(),
        time: Default::default(),
    };
    let g = |x, y, w, h| GridPos { x, y, w, h };
    let dash = Dashboard {
        title: t.get(0).into(),
        variables: vec![Variable {
            name: "pod".into(),
            label: Some(t.get(6).into()),
            kind: VariableKind::Custom,
            current: vec![t.get(7).into(), t.get(8).into()],
            multi: true,
            include_all: false,
            all_value: None,
            options: vec![t.get(7).into(), t.get(8).into()],
        }],
        panels: vec![
            panel(PanelKind::Timeseries, 1, g(0, 0, 12, 6), "rate(a[5m])"),
            panel(PanelKind::Stat, 2, g(12, 0, 6, 6), "b"),
            panel(PanelKind::Table, 3, g(18, 0, 6, 6), "c"),
            panel(PanelKind::Text, 4, g(0, 6, 8, 4), ""),
            panel(PanelKind::Row, 5, g(0, 10, 24, 1), ""),
            panel(PanelKind::Unsupported(t.get(9).into()), 6, g(8, 6, 8, 4), "d"),
            panel(PanelKind::Gauge, 7, g(16, 6, 8, 4), "e"),
            panel(PanelKind::PieChart, 8, g(0, 11, 12, 4), "f"),
            panel(PanelKind::Heatmap, 9, g(12, 11, 12, 4), "g"),
            panel(PanelKind::AlertList, 10, g(0, 1, 24, 4), ""),
        ],
        tags: vec![t.get(2).into(), t.get(3).into()],
        ..Dashboard::default()
    };
    let file = crate::model::dashboard::DashFile {
        file: t.get(10).into(),
        title: t.get(11).into(),
        dashboard: Ok(Box::new(dash)),
        warnings: 0,
    };
    let mut s = hostile(t);
    s.dashboard = crate::state::dashboard::DashboardState::new(true, true, std::time::Duration::from_secs(5));
    update(&mut s, Msg::Resize(w, h));
    update(&mut s, Msg::Dashboards(vec![file]));
    let cmds = crate::state::dashboard::open_index(&mut s, 0);
    let mut cmds: Vec<crate::msg::Cmd> = cmds;
    cmds.extend(update(&mut s, Msg::Tick(now())));
    for c in cmds {
        if let crate::msg::Cmd::FetchRange(f) = c {
            let labels = [("pod".to_string(), t.get(1).to_string()), (t.get(2).to_string(), t.get(3).to_string())];
            let series = crate::model::metrics::Series {
                labels: labels.into_iter().collect(),
                samples: (0..20).map(|i| (f.end as f64 - 60.0 * f64::from(i), f64::from(i))).rev().collect(),
            };
            let result = if f.key.query == "e" {
                Err(crate::model::SourceError::Api { status: 400, kind: t.get(4).into(), message: t.get(5).into() })
            } else {
                Ok(vec![series])
            };
            update(&mut s, Msg::Range(Box::new((f, result))));
        }
    }
    s
}

fn open_text(s: &mut State, line: crate::state::prompt::LineEdit) {
    let open = s.dashboard.open.as_mut().unwrap();
    open.values =
        Some(crate::state::dashboard::ValuePicker { var: 0, edit: crate::state::dashboard::ValueEdit::Text(line) });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The dashboard view and its picker keep every cell clean and inside.
    #[test]
    fn dashboards_do_not_spill(t in texts(), w in 20u16..160, h in 5u16..50) {
        let s = hostile_dashboard(&t, w, h);
        ok(check("dashboard", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &s)))?;
        let mut picker = hostile_dashboard(&t, w, h);
        picker.dashboard.files.as_mut().unwrap().push(crate::model::dashboard::DashFile {
            file: t.get(3).into(),
            title: t.get(4).into(),
            dashboard: Err(t.get(5).into()),
            warnings: 3,
        });
        picker.dashboard.open = None;
        picker.dashboard.picker = Some(crate::state::dashboard::Picker { selected: 1, ..Default::default() });
        ok(check("dashboard picker", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &picker)))?;
        // Filtered by hostile text (one title's: its words highlighted), then by one nothing holds.
        let p = picker.dashboard.picker.as_mut().unwrap();
        p.filtering = true;
        p.filter = t.get(4).into();
        ok(check("dashboard picker filtered", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &picker)))?;
        picker.dashboard.picker.as_mut().unwrap().filter = format!("{}\u{7f}zz", t.get(6));
        ok(check("dashboard picker, no match", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &picker)))?;
        // The value picker over the dashboard: hostile options, marked and filtered, then a hostile text edited.
        use crate::state::dashboard::{ValueEdit, ValueList, ValuePicker};
        let mut values = hostile_dashboard(&t, w, h);
        let open = values.dashboard.open.as_mut().unwrap();
        open.dash.variables[0].multi = true;
        open.dash.variables[0].include_all = true;
        let list = ValueList { multi: true, marked: vec![t.get(8).into()], list: crate::state::picker::ListFilter { selected: 1, filter: String::new(), filtering: true } };
        open.values = Some(ValuePicker { var: 0, edit: ValueEdit::List(list) });
        ok(check("value picker", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &values)))?;
        let open = values.dashboard.open.as_mut().unwrap();
        if let Some(ValuePicker { edit: ValueEdit::List(l), .. }) = open.values.as_mut() {
            l.list.filter = t.get(7).chars().take(3).collect();
        }
        ok(check("value picker filtered", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &values)))?;
        let mut line = crate::state::prompt::LineEdit::new(format!("{}{}", t.get(9), t.get(10)));
        line.cursor = Some(t.get(9).chars().count());
        open_text(&mut values, line);
        ok(check("textbox", w, h, false, |f, a| crate::ui::dashboard::draw(f, a, &values)))?;
    }
}
