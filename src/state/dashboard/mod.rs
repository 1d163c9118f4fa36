//! `:dash`: Grafana dashboards over the board. The runtime reads the
//! `dashboards` directories (at start, or on the first `:dash`) and sends
//! what it found ([`Msg::Dashboards`](crate::msg::Msg::Dashboards)); the
//! picker or `:dash NAME` opens one full screen: a header (title,
//! variables, time range) and its panels laid out by
//! [`crate::dashboard::layout`] at the terminal size.
//!
//! Only the panels on screen are queried, as range queries through the
//! console's range runner ([`Purpose::Dashboard`]) into this view's own
//! cache, refreshed as the signals are (a new aligned step, backoff after
//! a failure). Every answer carries the view's number; one for a view no
//! longer shown (another dashboard, other variable values) is dropped.

use std::collections::{BTreeMap, BTreeSet};

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::State;
use super::signals::{Fetch, Purpose, SeriesKey, SignalsState};
use crate::dashboard::interpolate::{Builtins, Scope, interpolate, references};
use crate::dashboard::layout::{self, PanelRef, Slot};
use crate::dashboard::{Dashboard, Panel, PanelKind, Variable, VariableKind};
use crate::keymap::{Action, Scope as KeyScope};
use crate::model::dashboard::DashFile;
use crate::msg::Cmd;
use crate::msg::dashboard::{VarAnswer, VarAsk};
use crate::msg::live::{LiveAnswer, LiveAsk, LiveResult, LiveTag};
use crate::text::{clean, truncate_width};

mod pick;
pub use pick::{Picker, ValueEdit, ValueList, ValuePicker, kept_files, shown, words};

/// Lines of the view's header (title and time; variables).
pub const HEADER_LINES: u16 = 2;
/// The scrape interval `$__rate_interval` assumes (Prometheus' default is
/// 1m, most setups scrape every 15 s as Grafana assumes).
pub const SCRAPE_MS: u64 = 15_000;
/// Values kept per variable.
pub const MAX_VALUES: usize = 1000;

/// The dashboards found, the picker, and the dashboard open.
#[derive(Debug, Clone)]
pub struct DashboardState {
    /// What the runtime found (`None`: not read yet).
    pub files: Option<Vec<DashFile>>,
    /// A read was asked and not answered yet.
    pub loading: bool,
    /// Any `dashboards` directory is configured.
    pub configured: bool,
    /// `:dash NAME` before the files were read: opened when they are.
    pub pending: Option<String>,
    /// The picker, when open: its selection and filter.
    pub picker: Option<Picker>,
    pub open: Option<Open>,
    /// Numbers the view: bumped on every open, close and variable change.
    pub view: u64,
    /// Numbers variable asks: an answer not for a variable's last ask is dropped.
    pub asks: u64,
    /// The open dashboard's series (its window is the dashboard's range).
    pub cache: SignalsState,
}

/// A variable's state in the open view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarStatus {
    /// Values known (from the file or Prometheus).
    Ready,
    /// Asked of Prometheus (the ask's number).
    Pending(u64),
    /// Never resolved: why (the saved value, if any, is used).
    Failed(String),
}

/// The dashboard shown.
#[derive(Debug, Clone)]
pub struct Open {
    pub file: String,
    /// The dashboard, its variables' `current` and `options` kept current.
    pub dash: Dashboard,
    pub status: Vec<VarStatus>,
    pub selected_var: usize,
    /// The selected slot (index into [`Open::slots`]).
    pub selected: usize,
    /// Grid lines scrolled past.
    pub scroll: u32,
    /// Rows the user opened or closed (the file's `collapsed` flipped).
    pub toggled: BTreeSet<usize>,
    /// A panel shown full size (`c`).
    pub full: Option<PanelRef>,
    /// The time range in seconds, ending now.
    pub window_secs: u64,
    /// The range as shown (`last 6h`), and what of it is not supported.
    pub range_text: String,
    /// The alert the dashboard was opened from (its name), if any.
    pub from_alert: Option<String>,
    /// The Loki panels' answers, by filled LogQL query.
    pub logs: BTreeMap<String, LokiPanel>,
    /// The selected variable's value picker (`V`), when open.
    pub values: Option<ValuePicker>,
    /// The file's panels, repeats not made: [`Open::dash`]'s panels are
    /// these with every repeat made for the variables' values ([`Open::expand`]).
    pub source: Vec<Panel>,
    /// Each of `dash.panels`' index in `source` (a copy: its source's).
    pub origins: Vec<usize>,
    /// Repeated copies not made (the panel cap).
    pub cut: usize,
}

/// A Loki query of a panel on screen: when it was last asked, and its answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LokiPanel {
    /// Unix seconds of the last ask.
    pub asked: i64,
    pub in_flight: bool,
    /// `None` until the first answer.
    pub answer: Option<Result<LiveAnswer, String>>,
}

/// Lines a Loki panel keeps (the live runner's newest few).
pub const LOKI_LINES: usize = 20;

/// One query of a panel, filled: what to fetch and how to name its series.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelQuery {
    pub ref_id: String,
    pub legend: Option<String>,
    pub key: SeriesKey,
}

impl DashboardState {
    pub fn new(configured: bool, enabled: bool, refresh: std::time::Duration) -> Self {
        let mut cache = SignalsState::new(Vec::new(), std::time::Duration::from_secs(6 * 3600), enabled);
        cache.refresh = refresh;
        Self {
            files: None,
            loading: configured,
            configured,
            pending: None,
            picker: None,
            open: None,
            view: 0,
            asks: 0,
            cache,
        }
    }

    pub fn is_shown(&self) -> bool {
        self.open.is_some() || self.picker.is_some()
    }

    /// Every answer before this is stale.
    fn bump(&mut self) {
        self.view += 1;
        self.cache.in_flight.clear();
    }
}

impl Open {
    /// The slots that show: rows as headers, a row's panels unless it is
    /// closed (by the file, or by the user).
    pub fn slots(&self) -> Vec<Slot> {
        let toggled = |i: usize| self.toggled.contains(&i);
        let all = layout::slots(&self.dash, toggled);
        // An open row the user closed hides the top-level panels after it, up to the next row.
        let mut hidden = false;
        all.into_iter()
            .filter(|s| {
                if s.panel.child.is_none() {
                    let p = &self.dash.panels[s.panel.top];
                    if p.kind == PanelKind::Row {
                        hidden = !p.collapsed && toggled(s.panel.top);
                        return true;
                    }
                }
                !(hidden && s.panel.child.is_none())
            })
            .collect()
    }

    /// The panels' rects in `area` (the panels' part of the body).
    /// Makes the repeated panels and rows again for the variables' values
    /// (on open and after every change of a value): the rows the user
    /// opened or closed stay so (a copy by the value it is bound to), the
    /// selection stays in range, a full-size panel no longer there closes.
    pub fn expand(&mut self) {
        let builtins = Builtins::new(self.window_secs * 1000, 100, SCRAPE_MS);
        let e = crate::dashboard::repeat::expand(&self.source, &self.dash.variables, builtins);
        let key =
            |origins: &[usize], panels: &[Panel], i: usize| Some((*origins.get(i)?, panels.get(i)?.scoped.clone()));
        let toggled: BTreeSet<_> =
            self.toggled.iter().filter_map(|&i| key(&self.origins, &self.dash.panels, i)).collect();
        let full = self.full.and_then(|r| Some((key(&self.origins, &self.dash.panels, r.top)?, r.child)));
        self.toggled = (0..e.panels.len())
            .filter(|&i| key(&e.origins, &e.panels, i).is_some_and(|k| toggled.contains(&k)))
            .collect();
        self.full = full.and_then(|(k, child)| {
            let top = (0..e.panels.len()).find(|&i| key(&e.origins, &e.panels, i).as_ref() == Some(&k))?;
            let fits = child.is_none_or(|c| c < e.panels[top].children.len());
            fits.then_some(PanelRef { top, child })
        });
        (self.dash.panels, self.origins, self.cut) = (e.panels, e.origins, e.cut);
        self.selected = self.selected.min(self.slots().len().saturating_sub(1));
    }

    pub fn placed(&self, area: Rect) -> Vec<(PanelRef, Rect)> {
        if let Some(full) = self.full {
            return vec![(full, area)];
        }
        layout::place(&self.slots(), area, self.scroll)
    }

    pub fn panel(&self, r: PanelRef) -> Option<&Panel> {
        let top = self.dash.panels.get(r.top)?;
        match r.child {
            None => Some(top),
            Some(c) => top.children.get(c),
        }
    }

    pub fn selected_ref(&self) -> Option<PanelRef> {
        self.slots().get(self.selected).map(|s| s.panel)
    }

    /// The panel's queries at `width` columns: variables filled, each at a
    /// step of about one point per column over the range — for a panel that
    /// shows a current value (stat, gauge, table, pie), at most
    /// [`VALUE_STEP_SECS`]: a range ends at its last whole step, and a
    /// day's range over 18 columns would leave the value 80 minutes old
    /// (and no value at all for a series younger than that).
    pub fn queries(&self, panel: &Panel, width: u16) -> Vec<PanelQuery> {
        if !queried(&panel.kind) {
            return Vec::new();
        }
        let points = u64::from(width.max(1));
        let window = self.window_of(panel);
        let scope =
            Scope::new(&self.dash.variables, Builtins::new(window * 1000, points, SCRAPE_MS)).bind(&panel.scoped);
        let step = match panel.kind {
            PanelKind::Timeseries | PanelKind::Graph | PanelKind::Heatmap => step_for(window, width),
            _ => value_step(window, width),
        };
        // A panel's own range is part of its key; the dashboard's is the cache's.
        let window_secs = if panel.time.from_secs.is_some() { window } else { 0 };
        let shift_secs = panel.time.shift_secs.unwrap_or(0);
        panel
            .targets
            .iter()
            .filter(|t| !t.expr.trim().is_empty() && !is_foreign(t.datasource.as_deref()))
            .map(|t| PanelQuery {
                ref_id: t.ref_id.clone(),
                legend: t.legend_format.clone(),
                key: SeriesKey { window_secs, shift_secs, ..SeriesKey::new(interpolate(&t.expr, &scope), step) },
            })
            .collect()
    }

    /// The seconds a panel shows: its own relative time, else the dashboard's.
    pub fn window_of(&self, panel: &Panel) -> u64 {
        panel.time.from_secs.unwrap_or(self.window_secs)
    }

    /// A Loki panel's LogQL queries, filled (a `logs` panel, or targets of
    /// a Loki datasource); empty for any other panel.
    pub fn loki_queries(&self, panel: &Panel) -> Vec<String> {
        let loki = |t: &crate::dashboard::Target| {
            t.datasource.as_deref().is_some_and(|d| d.to_ascii_lowercase().contains("loki"))
        };
        if panel.kind != PanelKind::Logs && !panel.targets.iter().any(loki) {
            return Vec::new();
        }
        let scope = Scope::new(&self.dash.variables, Builtins::new(self.window_of(panel) * 1000, 100, SCRAPE_MS))
            .bind(&panel.scoped);
        panel
            .targets
            .iter()
            .filter(|t| !t.expr.trim().is_empty() && (panel.kind == PanelKind::Logs || loki(t)))
            .map(|t| interpolate(&t.expr, &scope))
            .collect()
    }

    /// A target's datasource that is not Prometheus (Loki, a test data
    /// source): its name, to say so in the box.
    pub fn foreign(&self, panel: &Panel) -> Option<String> {
        panel.targets.iter().find_map(|t| t.datasource.clone().filter(|d| is_foreign(Some(d))))
    }
}

/// Panel kinds whose targets are fetched.
pub fn queried(kind: &PanelKind) -> bool {
    matches!(
        kind,
        PanelKind::Timeseries
            | PanelKind::Graph
            | PanelKind::Stat
            | PanelKind::Gauge
            | PanelKind::BarGauge
            | PanelKind::PieChart
            | PanelKind::Heatmap
            | PanelKind::Table
    )
}

/// A datasource warroom does not query (it queries the context's Prometheus).
fn is_foreign(ds: Option<&str>) -> bool {
    let Some(ds) = ds else { return false };
    let d = ds.to_ascii_lowercase();
    ["loki", "elasticsearch", "influx", "tempo", "testdata", "mysql", "postgres", "cloudwatch", "graphite"]
        .iter()
        .any(|n| d.contains(n))
}

/// The finest step of a value panel (its value at most this old).
pub const VALUE_STEP_SECS: u64 = 60;
/// Points Prometheus answers per series at most (it refuses over 11,000).
const MAX_POINTS: u64 = 10_000;

/// A value panel's step: a column's, but at most [`VALUE_STEP_SECS`]
/// unless the range would then need more than [`MAX_POINTS`].
pub fn value_step(window_secs: u64, width: u16) -> u64 {
    let floor = step_for(window_secs.div_ceil(MAX_POINTS).max(1), 1);
    step_for(window_secs, width).min(VALUE_STEP_SECS).max(floor)
}

/// One point per column over the window, rounded up to 5 s (whole
/// seconds below that), as the signals' steps are.
pub fn step_for(window_secs: u64, width: u16) -> u64 {
    let raw = (window_secs.max(1) / u64::from(width.max(1))).max(1);
    if raw < 5 { raw } else { raw.div_ceil(5) * 5 }
}

/// The panels' part of the body: below the header.
pub fn panels_area(body: Rect) -> Rect {
    let h = HEADER_LINES.min(body.height);
    Rect { y: body.y + h, height: body.height - h, ..body }
}

/// Grafana's `now-6h` … `now` as seconds back from now, and how to say it;
/// a range warroom cannot show (absolute times, an end before now) is
/// shown as the last 6 h, and says so.
pub fn time_range(from: &str, to: &str) -> (u64, String) {
    let back = from.trim().strip_prefix("now-").and_then(crate::dashboard::interpolate::parse_span);
    match (back, to.trim()) {
        (Some(s), "now") => (s, format!("last {}", crate::dashboard::interpolate::duration(s * 1000))),
        (Some(s), to) => (
            s,
            format!(
                "last {} (to {} not supported: up to now)",
                crate::dashboard::interpolate::duration(s * 1000),
                truncate_width(&clean(to), 20)
            ),
        ),
        (None, _) => {
            (6 * 3600, format!("last 6h ({} not supported)", truncate_width(&clean(&format!("{from} to {to}")), 40)))
        }
    }
}

/// The dashboards were read: kept, and the one `:dash NAME` asked for opened.
pub fn loaded(state: &mut State, files: Vec<DashFile>) -> Vec<Cmd> {
    state.dashboard.loading = false;
    state.dashboard.files = Some(files);
    state.frame.dirty = true;
    match state.dashboard.pending.take() {
        Some(name) if name.is_empty() => {
            open_picker(state);
            Vec::new()
        }
        Some(name) => open_named(state, &name),
        None => Vec::new(),
    }
}

/// `:dash [NAME]`.
pub fn command(state: &mut State, name: &str) -> Vec<Cmd> {
    if !state.dashboard.configured {
        state.flash_error("no dashboards configured (dashboards = [\"DIR\"] or --dashboards DIR)");
        return Vec::new();
    }
    if state.dashboard.files.is_none() {
        state.dashboard.pending = Some(name.to_string());
        state.flash_info("reading the dashboards…");
        if !std::mem::replace(&mut state.dashboard.loading, true) {
            return vec![Cmd::LoadDashboards];
        }
        return Vec::new();
    }
    if name.is_empty() {
        open_picker(state);
        return Vec::new();
    }
    open_named(state, name)
}

/// The key that opens the picker.
pub fn open_picker(state: &mut State) {
    if !state.dashboard.configured {
        state.flash_error("no dashboards configured (dashboards = [\"DIR\"] or --dashboards DIR)");
        return;
    }
    if state.dashboard.files.is_none() {
        state.dashboard.pending = Some(String::new());
        state.flash_info("reading the dashboards…");
        return;
    }
    state.dashboard.picker = Some(Picker::default());
}

/// The titles and file names `:dash` completes.
pub fn names(state: &State) -> Vec<String> {
    let Some(files) = &state.dashboard.files else { return Vec::new() };
    let mut out: Vec<String> = files.iter().flat_map(|f| [f.title.clone(), f.file.clone()]).collect();
    out.sort();
    out.dedup();
    out
}

/// The file `name` stands for: its title or file name (any case), else
/// the one title or file name it starts or is contained in.
fn find(files: &[DashFile], name: &str) -> Result<usize, String> {
    let n = name.to_lowercase();
    if let Some(i) = files.iter().position(|f| f.title.to_lowercase() == n || f.file.to_lowercase() == n) {
        return Ok(i);
    }
    let hits: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.title.to_lowercase().contains(&n) || f.file.to_lowercase().contains(&n))
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!("no dashboard {:?} (:dash and Tab lists them)", truncate_width(&clean(name), 40))),
        _ => Err(format!("{:?} matches {} dashboards: be more precise", truncate_width(&clean(name), 40), hits.len())),
    }
}

fn open_named(state: &mut State, name: &str) -> Vec<Cmd> {
    let files = state.dashboard.files.as_deref().unwrap_or_default();
    match find(files, name) {
        Ok(i) => open_index(state, i),
        Err(e) => {
            state.flash_error(e);
            Vec::new()
        }
    }
}

/// Opens file `i`: variables from the file, those named like one of the
/// selected alert's labels set to its value, the rest asked of Prometheus.
pub fn open_index(state: &mut State, i: usize) -> Vec<Cmd> {
    let Some(file) = state.dashboard.files.as_ref().and_then(|f| f.get(i)).cloned() else { return Vec::new() };
    let dash = match file.dashboard {
        Ok(d) => *d,
        Err(e) => {
            state.flash_error(format!("{}: {e}", file.file));
            return Vec::new();
        }
    };
    let alert = state.alerts.selected().map(|a| (a.alert.name().to_string(), a.alert.labels.clone()));
    let mut dash = dash;
    let mut from_alert = None;
    if let Some((name, labels)) = &alert {
        for v in &mut dash.variables {
            if let Some(value) = labels.get(&v.name) {
                v.current = vec![value.clone()];
                from_alert = Some(name.clone());
            }
        }
    }
    let (window_secs, range_text) = time_range(&dash.time.from, &dash.time.to);
    let status = vec![VarStatus::Ready; dash.variables.len()];
    let d = &mut state.dashboard;
    d.picker = None;
    d.bump();
    d.cache.cache.clear();
    d.cache.window = std::time::Duration::from_secs(window_secs);
    d.open = Some(Open {
        file: file.file,
        dash,
        status,
        selected_var: 0,
        selected: 0,
        scroll: 0,
        toggled: BTreeSet::new(),
        full: None,
        window_secs,
        range_text,
        from_alert,
        logs: BTreeMap::new(),
        values: None,
        source: Vec::new(),
        origins: Vec::new(),
        cut: 0,
    });
    state.frame.dirty = true;
    let enabled = state.dashboard.cache.enabled;
    let Some(open) = state.dashboard.open.as_mut() else { return Vec::new() };
    let mut asks = Vec::new();
    for i in 0..open.dash.variables.len() {
        if let Some(ask) = resolve(open, i, &mut state.dashboard.asks, enabled) {
            asks.push(ask);
        }
    }
    open.source = std::mem::take(&mut open.dash.panels);
    open.expand();
    asks
}

/// What variable `i` takes its values from: the file's, or an ask of
/// Prometheus (`None` then marks it pending, or failed when it cannot be asked).
fn resolve(open: &mut Open, i: usize, asks: &mut u64, enabled: bool) -> Option<Cmd> {
    let var = &open.dash.variables[i];
    let VariableKind::Query { parsed, definition, .. } = &var.kind else {
        if let VariableKind::Datasource { .. } = &var.kind {
            open.dash.variables[i].current = vec!["prometheus".into()];
            open.dash.variables[i].options = vec!["prometheus".into()];
        }
        open.status[i] = VarStatus::Ready;
        return None;
    };
    let Some(query) = parsed else {
        open.status[i] = VarStatus::Failed(format!("query {} not understood", truncate_width(&clean(definition), 40)));
        return None;
    };
    if !enabled {
        open.status[i] = VarStatus::Failed("no Prometheus configured".into());
        return None;
    }
    // A selector may name other variables (chained variables): filled now.
    let scope = Scope::new(&open.dash.variables, Builtins::new(open.window_secs * 1000, 100, SCRAPE_MS));
    let request = query.request();
    let params = request.params.into_iter().map(|(k, v)| (k, interpolate(&v, &scope))).collect();
    *asks += 1;
    open.status[i] = VarStatus::Pending(*asks);
    Some(Cmd::ResolveVar(Box::new(VarAsk { view: *asks, name: var.name.clone(), path: request.path, params })))
}

/// A variable's values came back: filtered by its regex, its value kept
/// when still offered (else the first), and the variables that depend on
/// it asked again.
pub fn var_answer(state: &mut State, answer: VarAnswer) -> Vec<Cmd> {
    let enabled = state.dashboard.cache.enabled;
    let d = &mut state.dashboard;
    let Some(open) = d.open.as_mut() else { return Vec::new() };
    let Some(i) = open.dash.variables.iter().position(|v| v.name == answer.name) else { return Vec::new() };
    if open.status[i] != VarStatus::Pending(answer.view) {
        return Vec::new();
    }
    state.frame.dirty = true;
    let values = match answer.result {
        Ok(v) => v,
        Err(e) => {
            open.status[i] = VarStatus::Failed(crate::text::brief(&e));
            return Vec::new();
        }
    };
    let var = &mut open.dash.variables[i];
    let regex = match &var.kind {
        VariableKind::Query {
            regex, parsed: Some(crate::dashboard::query::VarQuery::Metrics { regex: m }), ..
        } => regex.clone().or_else(|| Some(m.clone()).filter(|m| !m.is_empty())),
        VariableKind::Query { regex, .. } => regex.clone(),
        _ => None,
    };
    let options = match filter(values, regex.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            open.status[i] = VarStatus::Failed(e);
            return Vec::new();
        }
    };
    if options.is_empty() {
        open.status[i] = VarStatus::Failed("no values".into());
        var.options = options;
        return Vec::new();
    }
    let all = var.current.iter().any(|c| c == "$__all");
    let kept: Vec<String> = var.current.iter().filter(|c| options.contains(c)).cloned().collect();
    let current = if all && var.include_all {
        vec!["$__all".to_string()]
    } else if kept.is_empty() {
        vec![options[0].clone()]
    } else {
        kept
    };
    let changed = var.current != current || var.options != options;
    var.current = current;
    var.options = options;
    open.status[i] = VarStatus::Ready;
    if !changed {
        return Vec::new();
    }
    open.expand();
    let name = answer.name;
    let cmds = dependents(open, &name, &mut d.asks, enabled);
    d.bump();
    cmds
}

/// Asks again every query variable whose definition names `name`.
fn dependents(open: &mut Open, name: &str, asks: &mut u64, enabled: bool) -> Vec<Cmd> {
    let deps: Vec<usize> = open
        .dash
        .variables
        .iter()
        .enumerate()
        .filter(|(_, v)| match &v.kind {
            VariableKind::Query { definition, .. } => {
                v.name != name && references(definition).iter().any(|r| r == name)
            }
            _ => false,
        })
        .map(|(i, _)| i)
        .collect();
    deps.into_iter().filter_map(|i| resolve(open, i, asks, enabled)).collect()
}

/// Values through a Grafana variable regex (`/pattern/flags`): those that
/// match, as their first capture group when it has one; clean, capped,
/// sorted as the server gave them, each once.
fn filter(values: Vec<String>, regex: Option<&str>) -> Result<Vec<String>, String> {
    let re = match regex.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => {
            let (body, flags) = match r.strip_prefix('/').and_then(|r| r.rsplit_once('/')) {
                Some((b, f)) => (b, f),
                None => (r, ""),
            };
            let pattern = if flags.contains('i') { format!("(?i){body}") } else { body.to_string() };
            Some(regex::Regex::new(&pattern).map_err(|_| format!("regex {} invalid", truncate_width(&clean(r), 30)))?)
        }
    };
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let picked = match &re {
            None => Some(v),
            Some(re) => re.captures(&v).map(|c| c.get(1).map_or_else(|| v.clone(), |m| m.as_str().to_string())),
        };
        if let Some(p) = picked.map(|p| truncate_width(&clean(&p), crate::dashboard::MAX_TEXT))
            && !out.contains(&p)
        {
            out.push(p);
            if out.len() >= MAX_VALUES {
                break;
            }
        }
    }
    Ok(out)
}

/// What the runtime should fetch for the panels on screen, once no
/// variable is still being asked for.
pub fn schedule(state: &mut State) -> Vec<Cmd> {
    let mut cmds = schedule_loki(state);
    cmds.extend(schedule_prometheus(state));
    cmds
}

/// The Loki panels on screen, asked through the live-query runner (its
/// concurrency cap and timeout) at the console's cadence, one ask in flight
/// per query.
fn schedule_loki(state: &mut State) -> Vec<Cmd> {
    let area = panels_area(state.body_area());
    let now = state.clock.now.timestamp();
    let has_loki = state.logs.follow.enabled;
    let refresh = state.dashboard.cache.refresh.as_secs().max(1) as i64;
    let view = state.dashboard.view;
    let Some(open) = state.dashboard.open.as_mut() else { return Vec::new() };
    if !has_loki || area.height == 0 || open.status.iter().any(|s| matches!(s, VarStatus::Pending(_))) {
        return Vec::new();
    }
    // Each query with its panel's range (the first panel's, for a query two panels share).
    let mut queries: Vec<(String, u64, u64)> = Vec::new();
    for p in open.placed(area).into_iter().filter_map(|(r, _)| open.panel(r)) {
        let (window, shift) = (open.window_of(p), p.time.shift_secs.unwrap_or(0));
        for q in open.loki_queries(p) {
            if !queries.iter().any(|(have, _, _)| *have == q) {
                queries.push((q, window, shift));
            }
        }
    }
    queries.sort();
    let mut cmds = Vec::new();
    for (query, window_secs, shift) in queries {
        let entry = open.logs.entry(query.clone()).or_default();
        if entry.in_flight || (entry.answer.is_some() && now < entry.asked + refresh) {
            continue;
        }
        (entry.in_flight, entry.asked) = (true, now);
        cmds.push(Cmd::LiveQuery(Box::new(LiveAsk {
            tag: LiveTag { runbook: open.file.clone(), block: 0, query, dashboard: Some(view) },
            lang: crate::model::runbook::Lang::LogQl,
            end: now - shift.min(i64::MAX as u64 / 2) as i64,
            window_secs,
            step_secs: (window_secs / 60).max(1),
            lines: LOKI_LINES,
        })));
    }
    cmds
}

/// A Loki panel's answer: kept if it is for the view shown, dropped otherwise.
pub fn live_answer(state: &mut State, view: u64, result: LiveResult) {
    if view != state.dashboard.view {
        return;
    }
    let Some(open) = state.dashboard.open.as_mut() else { return };
    if let Some(entry) = open.logs.get_mut(&result.tag.query) {
        entry.in_flight = false;
        entry.answer = Some(result.result.map(|a| match a {
            LiveAnswer::Logs { count, mut lines } => {
                let keep = lines.len().saturating_sub(LOKI_LINES);
                lines.drain(..keep);
                LiveAnswer::Logs { count, lines }
            }
            other => other,
        }));
        state.frame.dirty = true;
    }
}

fn schedule_prometheus(state: &mut State) -> Vec<Cmd> {
    let area = panels_area(state.body_area());
    let now = state.clock.now;
    let d = &mut state.dashboard;
    let Some(open) = &d.open else { return Vec::new() };
    // Queries wait for the variables asked of Prometheus (as Grafana's do):
    // filled with a value about to change, they would be asked for nothing.
    let waiting = open.status.iter().any(|s| matches!(s, VarStatus::Pending(_)));
    if !d.cache.enabled || area.height == 0 || waiting {
        return Vec::new();
    }
    let mut keys: Vec<SeriesKey> = Vec::new();
    for (r, rect) in open.placed(area) {
        if let Some(p) = open.panel(r) {
            keys.extend(open.queries(p, rect.width.saturating_sub(2)).into_iter().map(|q| q.key));
        }
    }
    keys.sort();
    keys.dedup();
    let view = d.view;
    keys.into_iter()
        .filter_map(|k| d.cache.plan(k, now))
        .map(|f| Cmd::FetchRange(Fetch { purpose: Purpose::Dashboard { view }, ..f }))
        .collect()
}

/// Another context's sources: the dashboard shown was the old cluster's
/// (its series and variable values with it) and closes; the files stay.
pub fn context_switched(state: &mut State, has_prometheus: bool) {
    let d = &mut state.dashboard;
    d.open = None;
    d.picker = None;
    d.bump();
    let (window, refresh) = (d.cache.window, d.cache.refresh);
    d.cache = SignalsState::new(Vec::new(), window, has_prometheus);
    d.cache.refresh = refresh;
}

/// A range answer for `view`: merged if it is the view shown, dropped otherwise.
pub fn range_answer(
    state: &mut State,
    view: u64,
    fetch: &Fetch,
    result: Result<Vec<crate::model::metrics::Series>, crate::model::SourceError>,
) {
    if state.dashboard.open.is_none() || view != state.dashboard.view {
        return;
    }
    state.dashboard.cache.merge(fetch, result, state.clock.now);
    state.frame.dirty = true;
}

/// A key while the picker or a dashboard is shown; `None` lets the board's
/// handler take it (`:`, `?`, `q` to quit…).
pub fn on_key(state: &mut State, key: KeyEvent) -> Option<Vec<Cmd>> {
    if state.dashboard.picker.is_some() {
        return Some(pick::picker_key(state, key));
    }
    if state.dashboard.open.as_ref()?.values.is_some() {
        return Some(pick::values_key(state, key));
    }
    let local = state.prefs.keymap.local(&key, KeyScope::Dashboard);
    let global = state.prefs.keymap.action(&key);
    let area = panels_area(state.body_area());
    let enabled = state.dashboard.cache.enabled;
    let d = &mut state.dashboard;
    let open = d.open.as_mut()?;
    match local.or(global)? {
        Action::DashClose if open.full.is_some() => open.full = None,
        Action::DashClose => {
            d.open = None;
            d.bump();
            d.cache.cache.clear();
        }
        Action::DashVar if !open.dash.variables.is_empty() => {
            open.selected_var = (open.selected_var + 1) % open.dash.variables.len();
        }
        Action::DashValue => return Some(cycle_value(state)),
        Action::DashPick => pick::open_values(state),
        Action::DashRow => {
            let slots = open.slots();
            match slots.get(open.selected) {
                Some(s) if s.header => {
                    toggle(&mut open.toggled, s.panel.top);
                }
                Some(s) => open.full = Some(s.panel),
                None => {}
            }
        }
        Action::Chart => open.full = open.selected_ref(),
        Action::Pin => return Some(pin(state)),
        Action::Down => select(open, area, 1),
        Action::Up => select(open, area, -1),
        Action::PageDown => open.scroll = open.scroll.saturating_add(8),
        Action::PageUp => open.scroll = open.scroll.saturating_sub(8),
        Action::Top => {
            open.selected = 0;
            open.scroll = 0;
        }
        Action::Bottom => {
            open.selected = open.slots().len().saturating_sub(1);
            reveal(open, area, true);
        }
        // What works over any view: quit, help, the prompt, polling now,
        // switching context, and the incident (declare one to pin into, a note).
        Action::Quit
        | Action::Help
        | Action::Command
        | Action::Refresh
        | Action::Contexts
        | Action::Incident
        | Action::Note => return None,
        _ => {}
    }
    let _ = enabled;
    Some(Vec::new())
}

fn toggle(set: &mut BTreeSet<usize>, i: usize) {
    if !set.remove(&i) {
        set.insert(i);
    }
}

/// Up/Down: the previous or next panel, scrolled into view.
fn select(open: &mut Open, area: Rect, delta: isize) {
    let n = open.slots().len();
    if n == 0 {
        return;
    }
    open.full = None;
    open.selected = open.selected.saturating_add_signed(delta).min(n - 1);
    reveal(open, area, delta > 0);
}

/// Scrolls until the selected slot shows (down when `down`), a grid line at a time.
fn reveal(open: &mut Open, area: Rect, down: bool) {
    let Some(want) = open.selected_ref() else { return };
    let slots = open.slots();
    for _ in 0..10_000 {
        if layout::place(&slots, area, open.scroll).iter().any(|(r, _)| *r == want) {
            return;
        }
        if down {
            open.scroll += 1;
        } else if open.scroll == 0 {
            return;
        } else {
            open.scroll -= 1;
        }
    }
}

/// The selected variable's next value (All first when offered); the
/// panels are fetched again, the variables depending on it asked again.
fn cycle_value(state: &mut State) -> Vec<Cmd> {
    let enabled = state.dashboard.cache.enabled;
    let d = &mut state.dashboard;
    let Some(open) = d.open.as_mut() else { return Vec::new() };
    let Some(var) = open.dash.variables.get_mut(open.selected_var) else {
        state.flash_error("this dashboard has no variables");
        return Vec::new();
    };
    let choices = choices(var);
    if choices.is_empty() {
        let why = format!("${} has no values to choose from", var.name);
        state.flash_error(why);
        return Vec::new();
    }
    let at = choices.iter().position(|c| var.current.first() == Some(c));
    let next = at.map_or(0, |i| (i + 1) % choices.len());
    var.current = vec![choices[next].clone()];
    let name = var.name.clone();
    open.expand();
    let cmds = dependents(open, &name, &mut d.asks, enabled);
    d.bump();
    cmds
}

/// What `v` cycles through: `$__all` when All is offered, then the options.
pub fn choices(var: &Variable) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if var.include_all {
        out.push("$__all".into());
    }
    out.extend(var.options.iter().cloned());
    out
}

/// A variable's value as the header shows it.
pub fn shown_value(var: &Variable) -> String {
    if var.current.iter().any(|c| c == "$__all") || (var.include_all && var.current.is_empty()) {
        return "All".into();
    }
    if var.current.is_empty() {
        return "none".into();
    }
    var.current.join("+")
}

/// `p` on a panel: its series go into the incident timeline as the chart's do.
fn pin(state: &mut State) -> Vec<Cmd> {
    if state.incident.id().is_none() {
        state.flash_error("no incident: declare one with i");
        return Vec::new();
    }
    let area = panels_area(state.body_area());
    let Some(open) = &state.dashboard.open else { return Vec::new() };
    let Some(r) = open.full.or_else(|| open.selected_ref()) else { return Vec::new() };
    let Some(panel) = open.panel(r) else { return Vec::new() };
    let width = open.placed(area).iter().find(|(p, _)| *p == r).map_or(area.width, |(_, rect)| rect.width);
    let queries = open.queries(panel, width.saturating_sub(2));
    let Some(q) = queries.first() else {
        state.flash_error("nothing to pin: this panel has no query");
        return Vec::new();
    };
    let cache = &state.dashboard.cache;
    let Some(cached) = cache.cache.get(&q.key) else {
        state.flash_error("nothing to pin: the panel has no data yet");
        return Vec::new();
    };
    if let Some(e) = &cached.tries.error {
        state.flash_error(format!("nothing to pin: {}", crate::text::brief(e)));
        return Vec::new();
    }
    let top = super::signals::rows::top_series(cached, state.signals.top_n);
    if top.is_empty() {
        state.flash_error("nothing to pin: no data in the window");
        return Vec::new();
    }
    let base = format!("{} · {}", open.dash.title, panel.title);
    let events: Vec<crate::incident::Event> = top
        .into_iter()
        .map(|(s, label)| {
            let title = if label.is_empty() { base.clone() } else { format!("{base} · {label}") };
            super::pin::event(title, &q.key, crate::model::units::Unit::None, s, cached.end, open.window_of(panel))
        })
        .collect();
    let now = state.clock.now;
    let cmds: Vec<Cmd> = events.into_iter().filter_map(|e| state.incident.capture(now, e)).map(Cmd::Capture).collect();
    match cmds.len() {
        0 => state.flash_info("already pinned"),
        1 => state.flash_info("graph pinned to the timeline"),
        n => state.flash_info(format!("{n} graphs pinned to the timeline")),
    }
    cmds
}

#[cfg(test)]
pub(crate) mod tests;
