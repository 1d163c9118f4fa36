//! The dashboard as warroom shows it: only what changes the view, every
//! string clean. A domain type (parsed by `crate::dashboard`, carried by
//! messages, drawn by the UI), so it lives with the model.

use serde::Serialize;

/// One dashboard, from any of the forms Grafana writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dashboard {
    pub title: String,
    pub uid: Option<String>,
    pub tags: Vec<String>,
    pub time: TimeRange,
    /// Grafana's auto-refresh (`"30s"`), if set; the console keeps its own cadence.
    pub refresh: Option<String>,
    pub variables: Vec<Variable>,
    /// Top-level panels in file order; a row holds its collapsed panels in
    /// [`Panel::children`], an open row's panels follow it at the top level.
    pub panels: Vec<Panel>,
}

impl Dashboard {
    /// Every panel, rows' nested ones included, depth first.
    pub fn all_panels(&self) -> impl Iterator<Item = &Panel> {
        self.panels.iter().flat_map(|p| std::iter::once(p).chain(p.children.iter()))
    }
}

/// The dashboard's time picker, as Grafana writes it (`now-6h`, `now`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeRange {
    pub from: String,
    pub to: String,
}

impl Default for TimeRange {
    fn default() -> Self {
        Self { from: "now-6h".into(), to: "now".into() }
    }
}

/// A template variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    pub name: String,
    pub label: Option<String>,
    pub kind: VariableKind,
    /// The selected value(s); `$__all` when All is selected.
    pub current: Vec<String>,
    pub multi: bool,
    pub include_all: bool,
    /// What All stands for in a query (default: the options as `(a|b)`).
    pub all_value: Option<String>,
    /// The values offered (custom, interval, or a query's saved options).
    pub options: Vec<String>,
}

/// What a variable's values come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum VariableKind {
    /// A datasource query: `label_values(...)` and friends.
    Query {
        definition: String,
        parsed: Option<VarQuery>,
        regex: Option<String>,
    },
    /// Comma-separated values written in the dashboard.
    Custom,
    Constant,
    /// Intervals such as `1m,5m,1h`; `auto` when Grafana picks one.
    Interval {
        auto: bool,
    },
    /// A datasource picker: warroom uses the configured Prometheus.
    Datasource {
        plugin: String,
    },
    /// Free text.
    Textbox,
}

impl VariableKind {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Query { .. } => "query",
            Self::Custom => "custom",
            Self::Constant => "constant",
            Self::Interval { .. } => "interval",
            Self::Datasource { .. } => "datasource",
            Self::Textbox => "textbox",
        }
    }
}

/// A panel's place on Grafana's 24-column grid (`h` in grid rows of ~30 px).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GridPos {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// The panel types warroom draws; the rest are shown as unsupported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelKind {
    Timeseries,
    Graph,
    Stat,
    Gauge,
    BarGauge,
    Table,
    /// Drawn as its slices' shares, a bar each.
    PieChart,
    /// Buckets up, time across, each cell shaded by its count.
    Heatmap,
    /// The console's own alerts, filtered as the panel's options say.
    AlertList,
    Text,
    Row,
    Logs,
    /// A type warroom does not draw (its box says so), as the file names it.
    Unsupported(String),
    /// A library panel reference: its model lives in Grafana, not the file.
    Library(String),
}

impl PanelKind {
    pub fn from_type(t: &str) -> Self {
        match t {
            "timeseries" => Self::Timeseries,
            "graph" => Self::Graph,
            "stat" | "singlestat" => Self::Stat,
            "gauge" => Self::Gauge,
            "bargauge" => Self::BarGauge,
            "table" | "table-old" => Self::Table,
            "piechart" | "grafana-piechart-panel" => Self::PieChart,
            "heatmap" => Self::Heatmap,
            "alertlist" => Self::AlertList,
            "text" => Self::Text,
            "row" => Self::Row,
            "logs" => Self::Logs,
            other => Self::Unsupported(other.to_string()),
        }
    }

    /// The name `dash check` counts panels by.
    pub fn name(&self) -> String {
        match self {
            Self::Timeseries => "timeseries".into(),
            Self::Graph => "graph".into(),
            Self::Stat => "stat".into(),
            Self::Gauge => "gauge".into(),
            Self::BarGauge => "bargauge".into(),
            Self::Table => "table".into(),
            Self::PieChart => "piechart".into(),
            Self::Heatmap => "heatmap".into(),
            Self::AlertList => "alertlist".into(),
            Self::Text => "text".into(),
            Self::Row => "row".into(),
            Self::Logs => "logs".into(),
            Self::Unsupported(t) => format!("{t} (unsupported)"),
            Self::Library(_) => "library panel (unsupported)".into(),
        }
    }
}

/// One panel (or row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Panel {
    pub id: Option<u64>,
    pub kind: PanelKind,
    pub title: String,
    pub grid: GridPos,
    pub targets: Vec<Target>,
    pub field: FieldConfig,
    pub overrides: Vec<Override>,
    /// `options.reduceOptions.calcs` (stat, gauge, bargauge): `lastNotNull`, `mean`…
    pub calcs: Vec<String>,
    /// A text panel's content (markdown), multi-line clean.
    pub content: Option<String>,
    /// A row's own collapsed panels (Grafana keeps them inside the row).
    pub children: Vec<Panel>,
    /// A row: whether it is collapsed.
    pub collapsed: bool,
    /// The transformations warroom applies (a table's), in order.
    pub transformations: Vec<Transformation>,
    /// An alert list's options.
    pub alerts: Option<AlertListOptions>,
    /// Grafana's `repeat`: one copy of the panel (or of the row and its
    /// panels) per selected value of a variable.
    pub repeat: Option<Repeat>,
    /// The variables a repeated copy is bound to (Grafana's `scopedVars`),
    /// each to one value: its queries and title take that value.
    pub scoped: Vec<(String, String)>,
    /// The panel's own relative time and time shift, if set.
    pub time: PanelTime,
}

/// A panel's query options `timeFrom` (`24h`: the last 24 hours, whatever
/// the dashboard's range) and `timeShift` (`1d`: the range ending a day
/// ago), in seconds; `hideTimeOverride` leaves them out of its title.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PanelTime {
    pub from_secs: Option<u64>,
    pub shift_secs: Option<u64>,
    pub hidden: bool,
}

impl PanelTime {
    pub fn is_set(&self) -> bool {
        self.from_secs.is_some() || self.shift_secs.is_some()
    }
}

impl Panel {
    /// A panel of `kind` at `grid` with nothing else set.
    pub fn new(kind: PanelKind, title: impl Into<String>, grid: GridPos) -> Self {
        Self {
            id: None,
            kind,
            title: title.into(),
            grid,
            targets: Vec::new(),
            field: FieldConfig::default(),
            overrides: Vec::new(),
            calcs: Vec::new(),
            content: None,
            children: Vec::new(),
            collapsed: false,
            transformations: Vec::new(),
            alerts: None,
            repeat: None,
            scoped: Vec::new(),
            time: PanelTime::default(),
        }
    }
}

/// How a panel or row repeats (`repeat`, `repeatDirection`, `maxPerRow`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repeat {
    /// The variable repeated over (without `$`).
    pub var: String,
    /// `repeatDirection: v`: copies one below the other (a row: always).
    pub vertical: bool,
    /// Copies side by side at most (Grafana's default 4); horizontal only.
    pub max_per_row: Option<u32>,
}

/// What an `alertlist` panel shows of the console's alerts (Grafana's
/// unified alert list options, or the older panel's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertListOptions {
    /// Alert names containing this (any case).
    pub name: String,
    /// Label matchers (`severity="critical", team=~"db.*"`) an alert must meet.
    #[serde(skip)]
    pub labels: Vec<crate::model::Matcher>,
    pub firing: bool,
    pub pending: bool,
    /// At most this many (0: as many as fit).
    pub max: usize,
    /// Grafana's `sortOrder`: 1 name ascending, 2 descending, 3 importance, 4 oldest first, 5 newest first.
    pub sort: u8,
    /// `viewMode: stat`: the count of matching alerts, not the list.
    pub stat: bool,
}

/// A panel transformation warroom applies to a table's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "id", rename_all = "camelCase")]
pub enum Transformation {
    /// The queries' rows that agree on their shared labels become one row.
    Merge,
    /// Rows that agree on `field` (else on the shared labels) become one.
    JoinByField { field: Option<String> },
    /// Columns hidden, renamed, and placed by index.
    Organize {
        exclude: std::collections::BTreeSet<String>,
        rename: std::collections::BTreeMap<String, String>,
        order: std::collections::BTreeMap<String, u32>,
    },
    /// Only the columns named (`include`), without those in `exclude`.
    FilterByName { include: Vec<String>, exclude: Vec<String> },
    /// One row per distinct value of the `by` columns, the `aggregate`
    /// columns reduced by their calcs (`Value (sum)`), the rest dropped.
    GroupBy { by: Vec<String>, aggregate: Vec<(String, Vec<String>)> },
}

/// One query of a panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub ref_id: String,
    pub expr: String,
    pub legend_format: Option<String>,
    /// The datasource's type (`prometheus`, `loki`) or uid/name, if set.
    pub datasource: Option<String>,
    /// `format: table`: a table panel shows its labels as columns.
    pub table: bool,
}

/// `fieldConfig.defaults`: how values are shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FieldConfig {
    pub unit: Option<String>,
    pub decimals: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub thresholds_mode: ThresholdMode,
    pub thresholds: Vec<Threshold>,
    pub mappings: Vec<Mapping>,
    /// `displayName`: every series' name as shown (`${__field.labels.x}` filled).
    pub display_name: Option<String>,
    /// `noValue`: what shows instead of "No data".
    pub no_value: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdMode {
    #[default]
    Absolute,
    Percentage,
}

/// A threshold step: from `value` (None: the base, minus infinity) on, `color`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub value: Option<f64>,
    pub color: String,
}

/// A value mapping: what matches, and the text and colour it shows as.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub kind: MappingKind,
    pub text: Option<String>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MappingKind {
    /// The value as text equals `value`.
    Value { value: String },
    /// `from <= v <= to`, either end open.
    Range { from: Option<f64>, to: Option<f64> },
    /// The value as text matches `pattern`.
    Regex { pattern: String },
    /// `null`, `nan`, `null+nan`, `true`, `false`, `empty`.
    Special { matches: String },
}

/// A per-series (or per-column) override: what it matches, and each
/// property it sets that changes what warroom shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Override {
    /// `byName`, `byNames`, `byRegexp`, `byFrameRefID`, `byDisplayName`, `byType`.
    pub matcher: String,
    pub pattern: String,
    /// `byNames`: the names it lists.
    pub names: Vec<String>,
    pub unit: Option<String>,
    /// A fixed colour (a colour *mode* is kept as written and sets none).
    pub color: Option<String>,
    pub decimals: Option<u32>,
    /// The series' (or column's) name as shown.
    pub display_name: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub thresholds: Option<(ThresholdMode, Vec<Threshold>)>,
    pub mappings: Option<Vec<Mapping>>,
    /// What shows when there is no value (`noValue`).
    pub no_value: Option<String>,
    /// `custom.hidden` (a table column) or `custom.hideFrom.viz` (a series).
    pub hidden: bool,
}

/// What a Prometheus query variable asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "function", rename_all = "snake_case")]
pub enum VarQuery {
    /// `label_values(label)` or `label_values(metric_or_selector, label)`.
    LabelValues { label: String, selector: Option<String> },
    /// `label_names()` or `label_names(selector)`.
    LabelNames { selector: Option<String> },
    /// `query_result(expr)`: the instant query's series, as text.
    QueryResult { expr: String },
    /// `metrics(regex)`: metric names matching `regex`.
    Metrics { regex: String },
}

/// One file of the `dashboards` directories, as the runtime read it: its
/// title and parsed dashboard, or why it cannot be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct DashFile {
    /// The file's name (no directory), clean.
    pub file: String,
    /// The dashboard's title (the file name when it has none), clean.
    pub title: String,
    pub dashboard: Result<Box<Dashboard>, String>,
    /// Fields ignored or unsupported (`warroom dash check` lists them).
    pub warnings: usize,
}
