//! Which form a file is in (classic JSON model, the HTTP API's wrapper, the
//! v2 resource), and the classic model's dashboard and variables.

use serde_json::{Map, Value};

use super::model::{Dashboard, TimeRange, Variable, VariableKind};
use super::values::{Ctx, bool_of, clean, clean_long, index, join, str_of, strings};
use super::{Diagnostic, MAX_FILE_BYTES, MAX_ITEMS, MAX_VARIABLES, Severity};

/// A dashboard and what was ignored in it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub dashboard: Dashboard,
    /// `classic`, `api` (the `{"dashboard": …}` wrapper) or `v2`.
    pub form: &'static str,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has(&self, severity: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity == severity)
    }
}

/// Why a file is no dashboard at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fatal {
    #[error("larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not YAML: {0}")]
    NotYaml(String),
    #[error("not a Grafana dashboard: {0}")]
    NotDashboard(String),
}

/// Parses a dashboard file's bytes: JSON (any of Grafana's forms), or
/// YAML (as Grafana 12 exports its resources) when it does not start as
/// JSON does.
pub fn parse(bytes: &[u8]) -> Result<Parsed, Fatal> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Fatal::TooLarge);
    }
    let json = bytes.iter().find(|b| !b.is_ascii_whitespace()).is_none_or(|b| matches!(b, b'{' | b'['));
    // serde_json refuses nesting deeper than 128 levels.
    let root: Value = if json {
        serde_json::from_slice(bytes).map_err(|e| Fatal::NotJson(clean(&e.to_string())))?
    } else {
        yaml(bytes)?
    };
    let Value::Object(root) = root else {
        return Err(Fatal::NotDashboard("the top level is not an object".into()));
    };
    let mut ctx = Ctx::default();
    let (dashboard, form) = if let Some(api) = root.get("apiVersion").and_then(Value::as_str) {
        (resource(&root, api, &mut ctx)?, "v2")
    } else if let Some(Value::Object(inner)) = root.get("dashboard") {
        ctx.unknown_keys(&root, "", &["dashboard"], &["meta"]);
        (classic(inner, "dashboard", &mut ctx)?, "api")
    } else {
        (classic(&root, "", &mut ctx)?, "classic")
    };
    Ok(Parsed { dashboard, form, diagnostics: ctx.diags })
}

/// Limits on a YAML file beyond its size: events (nodes, read once or
/// through an alias), aliases and anchors, nesting — a few aliases must not
/// expand into gigabytes ("billion laughs").
fn yaml(bytes: &[u8]) -> Result<Value, Fatal> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 2_000_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_recorded_anchor_events = 100_000;
    budget.max_depth = 128;
    budget.max_nodes = 2_000_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_slice_with_options(bytes, options).map_err(|e| {
        // The first line: the crate's error carries a snippet of the file after it.
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        Fatal::NotYaml(clean(first.strip_prefix("error: ").unwrap_or(first)))
    })
}

/// A Kubernetes-style resource: `kind: Dashboard`, v2 (`spec.elements`) or
/// v0/v1 (the classic model in `spec`).
fn resource(root: &Map<String, Value>, api: &str, ctx: &mut Ctx) -> Result<Dashboard, Fatal> {
    if !api.starts_with("dashboard.grafana.app/") || root.get("kind").and_then(Value::as_str) != Some("Dashboard") {
        return Err(Fatal::NotDashboard(format!("apiVersion {:?} kind {:?}", clean(api), root.get("kind"))));
    }
    let Some(Value::Object(spec)) = root.get("spec") else {
        return Err(Fatal::NotDashboard("a Dashboard resource without spec".into()));
    };
    ctx.unknown_keys(root, "", &["apiVersion", "kind", "spec", "metadata"], &["status"]);
    let uid = root.get("metadata").and_then(Value::as_object).and_then(|m| str_of(m, "name"));
    let mut dash = if spec.contains_key("elements") || spec.contains_key("layout") {
        super::v2::dashboard(spec, ctx)
    } else {
        classic(spec, "spec", ctx)?
    };
    dash.uid = dash.uid.or(uid);
    Ok(dash)
}

const DASHBOARD_USED: &[&str] =
    &["title", "uid", "tags", "time", "refresh", "templating", "panels", "annotations", "rows"];
const DASHBOARD_QUIET: &[&str] = &[
    "id",
    "editable",
    "fiscalYearStartMonth",
    "graphTooltip",
    "links",
    "liveNow",
    "schemaVersion",
    "style",
    "timepicker",
    "timezone",
    "version",
    "weekStart",
    "gnetId",
    "revision",
    "description",
    "__inputs",
    "__requires",
    "__elements",
    "hideControls",
    "iteration",
    "preload",
    "folderId",
    "folderUid",
    "overwrite",
];

/// The classic JSON model ("Export → Save to file").
fn classic(obj: &Map<String, Value>, path: &str, ctx: &mut Ctx) -> Result<Dashboard, Fatal> {
    if !obj.contains_key("panels") && !obj.contains_key("rows") && !obj.contains_key("schemaVersion") {
        return Err(Fatal::NotDashboard("no panels, rows or schemaVersion".into()));
    }
    ctx.unknown_keys(obj, path, DASHBOARD_USED, DASHBOARD_QUIET);
    let mut migrated = obj.clone();
    super::legacy::migrate(&mut migrated, path);
    let obj = &migrated;
    if obj.get("rows").and_then(Value::as_array).is_some_and(|r| !r.is_empty()) {
        ctx.warn(&join(path, "rows"), "both the pre-5.0 rows and panels: the panels are shown, the rows are not");
    }
    annotations(obj.get("annotations"), &join(path, "annotations"), ctx);
    let time = obj.get("time").and_then(Value::as_object);
    ctx.vars = variables(obj.get("templating"), &join(path, "templating"), ctx);
    let dash = Dashboard {
        title: str_of(obj, "title").unwrap_or_default(),
        uid: str_of(obj, "uid"),
        tags: strings(obj.get("tags")),
        time: TimeRange {
            from: time.and_then(|t| str_of(t, "from")).unwrap_or_else(|| TimeRange::default().from),
            to: time.and_then(|t| str_of(t, "to")).unwrap_or_else(|| TimeRange::default().to),
        },
        refresh: str_of(obj, "refresh").filter(|r| !r.is_empty()),
        variables: ctx.vars.clone(),
        panels: super::panel::panels(obj.get("panels"), &join(path, "panels"), ctx),
    };
    Ok(dash)
}

/// Annotations other than Grafana's built-in one are not drawn.
fn annotations(v: Option<&Value>, path: &str, ctx: &mut Ctx) {
    let Some(list) = v.and_then(|a| a.get("list")).and_then(Value::as_array) else { return };
    for (i, a) in list.iter().enumerate() {
        let builtin = a.get("builtIn").and_then(Value::as_u64) == Some(1);
        let enabled = a.get("enable").and_then(Value::as_bool).unwrap_or(true);
        if !builtin && enabled {
            ctx.warn(&index(&join(path, "list"), i), "annotation queries are not shown");
        }
    }
}

const VARIABLE_USED: &[&str] = &[
    "name",
    "label",
    "type",
    "query",
    "definition",
    "current",
    "multi",
    "includeAll",
    "allValue",
    "options",
    "regex",
    "auto",
];
const VARIABLE_QUIET: &[&str] = &[
    "datasource",
    "hide",
    "refresh",
    "sort",
    "skipUrlSync",
    "description",
    "error",
    "tagValuesQuery",
    "tags",
    "tagsQuery",
    "useTags",
    "auto_count",
    "auto_min",
    "queryValue",
    "id",
    "global",
    "index",
    "state",
    "rootStateKey",
    "allowCustomValue",
];

fn variables(templating: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Variable> {
    let path = join(path, "list");
    let Some(list) = templating.and_then(|t| t.get("list")).and_then(Value::as_array) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let at = index(&path, i);
        if out.len() == MAX_VARIABLES {
            ctx.warn(&at, format!("more than {MAX_VARIABLES} variables: the rest are ignored"));
            break;
        }
        let Some(obj) = v.as_object() else {
            ctx.warn(&at, "not an object, ignored");
            continue;
        };
        ctx.unknown_keys(obj, &at, VARIABLE_USED, VARIABLE_QUIET);
        if let Some(var) = variable(obj, &at, ctx) {
            out.push(var);
        }
    }
    out
}

pub(crate) fn variable(obj: &Map<String, Value>, at: &str, ctx: &mut Ctx) -> Option<Variable> {
    let Some(name) = str_of(obj, "name").filter(|n| !n.is_empty()) else {
        ctx.warn(at, "a variable without a name, ignored");
        return None;
    };
    let kind_name = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let query = query_text(obj.get("query"));
    let kind = match kind_name {
        "query" => {
            let definition = str_of(obj, "definition").filter(|d| !d.is_empty()).unwrap_or_else(|| query.clone());
            query_kind(definition, str_of(obj, "regex").filter(|r| !r.is_empty()), &join(at, "query"), ctx)
        }
        "custom" => VariableKind::Custom,
        "constant" => VariableKind::Constant,
        "interval" => VariableKind::Interval { auto: bool_of(obj, "auto") },
        "datasource" => datasource_kind(&query, &join(at, "query"), ctx),
        "textbox" => VariableKind::Textbox,
        other => {
            ctx.warn(&join(at, "type"), format!("variable type {other:?} is not supported, ignored"));
            return None;
        }
    };
    let current = obj.get("current").and_then(Value::as_object);
    let mut var = Variable {
        name,
        label: str_of(obj, "label").filter(|l| !l.is_empty()),
        current: strings(current.and_then(|c| c.get("value"))),
        multi: bool_of(obj, "multi"),
        include_all: bool_of(obj, "includeAll"),
        all_value: str_of(obj, "allValue").filter(|a| !a.is_empty()),
        options: options(obj.get("options")),
        kind,
    };
    fill_from_query(&mut var, &query);
    Some(var)
}

/// `query` is a string, or `{query, refId}` in newer Prometheus variables.
pub(crate) fn query_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => clean_long(s),
        Some(Value::Object(o)) => o.get("query").and_then(Value::as_str).map(clean_long).unwrap_or_default(),
        _ => String::new(),
    }
}

pub(crate) fn query_kind(definition: String, regex: Option<String>, at: &str, ctx: &mut Ctx) -> VariableKind {
    let parsed = super::query::VarQuery::parse(&definition);
    if parsed.is_none() && !definition.is_empty() {
        ctx.warn(
            at,
            format!("query {definition:?} is not label_values, query_result or metrics: the saved value is kept"),
        );
    }
    VariableKind::Query { definition, parsed, regex }
}

pub(crate) fn datasource_kind(plugin: &str, at: &str, ctx: &mut Ctx) -> VariableKind {
    if !matches!(plugin, "prometheus" | "loki" | "") {
        ctx.warn(at, format!("datasource type {plugin:?}: warroom uses the configured Prometheus"));
    }
    VariableKind::Datasource { plugin: plugin.to_string() }
}

/// `options: [{text, value, selected}]`, values only.
pub(crate) fn options(v: Option<&Value>) -> Vec<String> {
    let Some(list) = v.and_then(Value::as_array) else { return Vec::new() };
    list.iter()
        .filter_map(|o| o.get("value").and_then(super::values::scalar_text))
        .filter(|v| v != "$__all")
        .take(MAX_ITEMS)
        .collect()
}

/// Custom, constant, interval and textbox variables carry their values in
/// `query`; the saved options and current value may be missing.
pub(crate) fn fill_from_query(var: &mut Variable, query: &str) {
    let from_query: Vec<String> = match var.kind {
        VariableKind::Custom | VariableKind::Interval { .. } => split_custom(query),
        VariableKind::Constant | VariableKind::Textbox if !query.is_empty() => vec![query.to_string()],
        _ => Vec::new(),
    };
    if var.options.is_empty() {
        var.options = from_query;
    }
    if var.current.is_empty() {
        var.current = var.options.first().cloned().into_iter().collect();
    }
}

/// `a, b, c` or `label : value` pairs (the value is what queries get).
fn split_custom(query: &str) -> Vec<String> {
    query
        .split(',')
        .map(|p| p.rsplit_once(" : ").map_or(p, |(_, v)| v).trim().to_string())
        .filter(|p| !p.is_empty())
        .take(MAX_ITEMS)
        .collect()
}
