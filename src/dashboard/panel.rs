//! Panels of the classic model: type, place, targets, field config.

use serde_json::{Map, Value};

pub(crate) use super::field::{field_config, overrides};
use super::model::{GridPos, Panel, PanelKind, Target, Transformation};
use super::values::{Ctx, bool_of, clean, clean_long, datasource, index, join, num, str_of};
use super::{MAX_PANELS, MAX_TARGETS};

const PANEL_USED: &[&str] = &[
    "id",
    "type",
    "title",
    "gridPos",
    "targets",
    "fieldConfig",
    "options",
    "panels",
    "collapsed",
    "libraryPanel",
    "content",
    "mode",
    "transformations",
    "repeat",
    "repeatDirection",
    "maxPerRow",
    "timeFrom",
    "timeShift",
    "hideTimeOverride",
    "yaxes",
    "format",
    "datasource",
];
/// Fields that only change how a browser draws (or that warroom does not need).
const PANEL_QUIET: &[&str] = &[
    "description",
    "pluginVersion",
    "transparent",
    "links",
    "interval",
    "maxDataPoints",
    "cacheTimeout",
    "queryCachingTTL",
    "repeatPanelId",
    "scopedVars",
    "legend",
    "lines",
    "linewidth",
    "fill",
    "fillGradient",
    "nullPointMode",
    "xaxis",
    "yaxis",
    "seriesOverrides",
    "tooltip",
    "aliasColors",
    "bars",
    "points",
    "pointradius",
    "stack",
    "percentage",
    "steppedLine",
    "dashes",
    "dashLength",
    "spaceLength",
    "renderer",
    "thresholds",
    "timeRegions",
    "hiddenSeries",
    "decimals",
    "error",
    "isNew",
    "span",
    "height",
    "colorBackground",
    "colorValue",
    "colors",
    "gauge",
    "sparkline",
    "valueName",
    "valueFontSize",
    "prefix",
    "postfix",
    "prefixFontSize",
    "postfixFontSize",
    "mappingType",
    "mappingTypes",
    "valueMaps",
    "rangeMaps",
    "tableColumn",
    "nullText",
    "styles",
    "columns",
    "sort",
    "showHeader",
    "transform",
    "fontSize",
    "pageSize",
    "scroll",
    "editable",
    "alert",
    "options_",
    "minSpan",
    "hideZeroBackend",
    "datasource_",
    // The pre-5.0 rows' fields, on the row panels made of them.
    "collapse",
    "showTitle",
    "titleSize",
    "repeatIteration",
    "repeatRowId",
    super::legacy::ORIGIN,
];

/// A `panels` list, rows' nested panels included.
pub(crate) fn panels(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Panel> {
    list(v, path, ctx, true)
}

fn list(v: Option<&Value>, path: &str, ctx: &mut Ctx, top: bool) -> Vec<Panel> {
    let Some(items) = v.and_then(Value::as_array) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // A panel migrated from an older form says where it was in the file.
        let at = item.get(super::legacy::ORIGIN).and_then(Value::as_str).map_or_else(|| index(path, i), clean);
        if ctx.panels == MAX_PANELS {
            ctx.warn(&at, format!("more than {MAX_PANELS} panels: the rest are ignored"));
            break;
        }
        let Some(obj) = item.as_object() else {
            ctx.warn(&at, "not an object, ignored");
            continue;
        };
        if saved_copy(obj, items) {
            ctx.note(&at, "a repeated copy Grafana saved: the copies are made again from the variable's values");
            continue;
        }
        ctx.panels += 1;
        let p = panel(obj, &at, ctx, top);
        if !top && p.kind == PanelKind::Row {
            ctx.warn(&at, "a row inside a row, ignored");
            continue;
        }
        out.push(p);
    }
    out
}

fn panel(obj: &Map<String, Value>, at: &str, ctx: &mut Ctx, top: bool) -> Panel {
    let type_name = str_of(obj, "type").unwrap_or_default();
    let library = obj.get("libraryPanel").is_some_and(Value::is_object);
    if let (PanelKind::Unsupported(t), false) = (PanelKind::from_type(&type_name), library) {
        // Its box says the type is not drawn: its own fields, queries and
        // options would only bury that one line in `dash check`.
        ctx.warn(&join(at, "type"), format!("panel type {t:?} is not supported: its box says so"));
        let mut scratch = Ctx { vars: ctx.vars.clone(), panels: ctx.panels, ..Ctx::default() };
        let mut p = panel_fields(obj, at, &mut scratch, top);
        ctx.panels = scratch.panels;
        p.kind = PanelKind::Unsupported(t);
        return p;
    }
    panel_fields(obj, at, ctx, top)
}

fn panel_fields(obj: &Map<String, Value>, at: &str, ctx: &mut Ctx, top: bool) -> Panel {
    ctx.unknown_keys(obj, at, PANEL_USED, PANEL_QUIET);
    let type_name = str_of(obj, "type").unwrap_or_default();
    let kind = match obj.get("libraryPanel").and_then(Value::as_object) {
        Some(lib) => {
            let name = str_of(lib, "name").or_else(|| str_of(lib, "uid")).unwrap_or_default();
            ctx.warn(
                &join(at, "libraryPanel"),
                format!("library panel {name:?}: its model is kept in Grafana, not in the file"),
            );
            PanelKind::Library(name)
        }
        None => PanelKind::from_type(&type_name),
    };
    let options = obj.get("options").and_then(Value::as_object);
    let defaults = obj.get("fieldConfig").and_then(|f| f.get("defaults"));
    let mut field = field_config(defaults, &join(at, "fieldConfig.defaults"), ctx);
    if field.unit.is_none() && kind == PanelKind::Graph {
        // The old graph panel keeps its unit on the left y axis.
        field.unit =
            obj.get("yaxes").and_then(|y| y.get(0)).and_then(|y| y.get("format")).and_then(Value::as_str).map(clean);
    }
    if field.unit.is_none() {
        field.unit = str_of(obj, "format");
    }
    if field.decimals.is_none() {
        // The old graph panel's decimals are the panel's own.
        field.decimals = obj.get("decimals").and_then(num).map(|d| d.clamp(0.0, 20.0) as u32);
    }
    let content = match kind {
        PanelKind::Text => options
            .and_then(|o| o.get("content"))
            .or_else(|| obj.get("content"))
            .and_then(Value::as_str)
            .map(clean_long),
        _ => None,
    };
    if kind == PanelKind::Text {
        let mode = options.and_then(|o| o.get("mode")).or_else(|| obj.get("mode")).and_then(Value::as_str);
        if mode == Some("html") {
            ctx.warn(&join(at, "options.mode"), "html text panels are shown as their source text");
        }
    }
    let panel_ds = datasource(obj.get("datasource"));
    Panel {
        id: obj.get("id").and_then(Value::as_u64),
        title: str_of(obj, "title").unwrap_or_default(),
        grid: grid(obj.get("gridPos")),
        targets: targets(obj.get("targets"), &join(at, "targets"), panel_ds.as_deref(), kind == PanelKind::Logs, ctx),
        field,
        overrides: overrides(
            obj.get("fieldConfig").and_then(|f| f.get("overrides")),
            &join(at, "fieldConfig.overrides"),
            ctx,
        ),
        calcs: super::values::strings(options.and_then(|o| o.get("reduceOptions")).and_then(|r| r.get("calcs"))),
        content,
        children: if top { list(obj.get("panels"), &join(at, "panels"), ctx, false) } else { Vec::new() },
        collapsed: bool_of(obj, "collapsed"),
        transformations: transformations(obj.get("transformations"), &join(at, "transformations"), ctx),
        alerts: (kind == PanelKind::AlertList).then(|| alert_list(options, &join(at, "options"), ctx)),
        repeat: repeat(
            str_of(obj, "repeat").as_deref(),
            str_of(obj, "repeatDirection").as_deref(),
            obj.get("maxPerRow"),
            &join(at, "repeat"),
            ctx,
        ),
        scoped: Vec::new(),
        time: panel_time(obj, at, ctx),
        kind,
    }
}

/// A copy Grafana made of a repeated panel or row and saved with the file
/// (`repeatPanelId` naming a panel of the same list that repeats): made
/// again from the variable, so not read twice.
fn saved_copy(obj: &Map<String, Value>, items: &[Value]) -> bool {
    let Some(source) = obj.get("repeatPanelId").and_then(Value::as_u64) else { return false };
    items.iter().any(|p| {
        p.get("id").and_then(Value::as_u64) == Some(source)
            && p.get("repeat").and_then(Value::as_str).is_some_and(|r| !r.is_empty())
            && p.get("repeatPanelId").is_none()
    })
}

/// `repeat` (a variable's name, `$` or not), its direction (`h`, `v`) and
/// `maxPerRow`; a variable the dashboard does not have is reported and
/// the panel shown once.
pub(crate) fn repeat(
    var: Option<&str>,
    direction: Option<&str>,
    max_per_row: Option<&Value>,
    at: &str,
    ctx: &mut Ctx,
) -> Option<super::model::Repeat> {
    let var = var.map(|v| v.trim().trim_start_matches('$')).filter(|v| !v.is_empty())?;
    let var = var.strip_prefix('{').and_then(|v| v.strip_suffix('}')).unwrap_or(var);
    if !ctx.vars.iter().any(|v| v.name == var) {
        ctx.warn(at, format!("repeated by ${var}, which is no variable of this dashboard: shown once"));
        return None;
    }
    Some(super::model::Repeat {
        var: var.to_string(),
        vertical: direction == Some("v"),
        max_per_row: max_per_row.and_then(num).filter(|n| *n >= 1.0).map(|n| n.min(24.0) as u32),
    })
}

/// An alert list's options: the unified panel's (`alertName`,
/// `alertInstanceLabelFilter`, `stateFilter: {firing, pending}`,
/// `maxItems`, `sortOrder`, `viewMode`) or the older one's (`nameFilter`,
/// `stateFilter: ["alerting", "pending"]`, `limit`).
pub(crate) fn alert_list(
    options: Option<&Map<String, Value>>,
    at: &str,
    ctx: &mut Ctx,
) -> super::model::AlertListOptions {
    let o = options.cloned().unwrap_or_default();
    let name = str_of(&o, "alertName").or_else(|| str_of(&o, "nameFilter")).unwrap_or_default();
    let filter = str_of(&o, "alertInstanceLabelFilter").unwrap_or_default();
    let labels = match super::matchers::parse(&filter) {
        Ok(m) => m,
        Err(e) => {
            ctx.warn(&join(at, "alertInstanceLabelFilter"), format!("{e}: the label filter is not applied"));
            Vec::new()
        }
    };
    let (firing, pending) = match o.get("stateFilter") {
        Some(Value::Object(f)) => (bool_of(f, "firing"), bool_of(f, "pending")),
        Some(Value::Array(list)) => {
            let has = |s: &str| list.iter().any(|v| v.as_str() == Some(s));
            (has("alerting") || has("firing"), has("pending"))
        }
        _ => (false, false),
    };
    let max = o.get("maxItems").or_else(|| o.get("limit")).and_then(num).map_or(0, |n| n.clamp(0.0, 1000.0) as usize);
    super::model::AlertListOptions {
        name,
        labels,
        // Neither asked: Grafana shows every state.
        firing: firing || !pending,
        pending: pending || !firing,
        max,
        sort: o.get("sortOrder").and_then(num).map_or(1, |n| n.clamp(1.0, 5.0) as u8),
        stat: o.get("viewMode").and_then(Value::as_str) == Some("stat"),
    }
}

/// The transformations warroom applies; the others are reported.
pub(crate) fn transformations(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Transformation> {
    let mut out = Vec::new();
    for (i, t) in v.and_then(Value::as_array).into_iter().flatten().enumerate().take(super::MAX_ITEMS) {
        if t.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let opts = t.get("options");
        let names = |key: &str| -> Vec<String> {
            let o = opts.and_then(|o| o.get(key));
            super::values::strings(o.and_then(|o| o.get("names")))
        };
        let map = |key: &str| -> Vec<(String, &Value)> {
            let o = opts.and_then(|o| o.get(key)).and_then(Value::as_object);
            o.into_iter().flatten().take(super::MAX_ITEMS).map(|(k, v)| (clean(k), v)).collect()
        };
        match t.get("id").and_then(Value::as_str).unwrap_or("") {
            "merge" => out.push(Transformation::Merge),
            "joinByField" | "seriesToColumns" => out.push(Transformation::JoinByField {
                field: opts.and_then(|o| o.get("byField")).and_then(Value::as_str).map(clean),
            }),
            "organize" => out.push(Transformation::Organize {
                exclude: map("excludeByName")
                    .into_iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| k)
                    .collect(),
                rename: map("renameByName")
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_str().map(clean).filter(|n| !n.is_empty())?)))
                    .collect(),
                order: map("indexByName")
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_u64()?.min(u64::from(u32::MAX)) as u32)))
                    .collect(),
            }),
            "groupBy" => {
                let (mut by, mut aggregate) = (Vec::new(), Vec::new());
                for (field, conf) in map("fields") {
                    match conf.get("operation").and_then(Value::as_str) {
                        Some("groupby") => by.push(field),
                        Some("aggregate") => {
                            let calcs = super::values::strings(conf.get("aggregations"));
                            aggregate.push((field, if calcs.is_empty() { vec!["lastNotNull".into()] } else { calcs }));
                        }
                        _ => {}
                    }
                }
                out.push(Transformation::GroupBy { by, aggregate });
            }
            "filterFieldsByName" => {
                out.push(Transformation::FilterByName { include: names("include"), exclude: names("exclude") })
            }
            other => ctx.warn(&index(path, i), format!("transformation {:?} is not applied", clean(other))),
        }
    }
    out
}

/// `timeFrom` (`24h`, `now-24h`) and `timeShift` (`1d`) of a panel (or of
/// a v2 panel's `queryOptions`); one warroom cannot apply (a rounding such
/// as `now/d`, a variable, an absolute time) is reported, the dashboard's
/// range used for it.
pub(crate) fn panel_time(obj: &Map<String, Value>, at: &str, ctx: &mut Ctx) -> super::model::PanelTime {
    let mut span = |key: &str, prefix: bool| -> Option<u64> {
        let text = obj.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty())?;
        let body = if prefix { text.strip_prefix("now-").unwrap_or(text) } else { text };
        let secs = (!body.contains(['/', '$'])).then(|| super::interpolate::parse_span(body)).flatten();
        if secs.is_none() {
            ctx.warn(
                &join(at, key),
                format!("{:?} is not applied (a span such as 24h is): the dashboard's range is used", clean(text)),
            );
        }
        secs
    };
    super::model::PanelTime {
        from_secs: span("timeFrom", true),
        shift_secs: span("timeShift", false),
        hidden: bool_of(obj, "hideTimeOverride"),
    }
}

pub(crate) fn grid(v: Option<&Value>) -> GridPos {
    let n = |k: &str| v.and_then(|g| g.get(k)).and_then(num).map_or(0, |f| f.clamp(0.0, f64::from(u32::MAX)) as u32);
    GridPos { x: n("x"), y: n("y"), w: n("w"), h: n("h") }
}

const TARGET_QUIET: &[&str] = &[
    "interval",
    "intervalFactor",
    "format",
    "instant",
    "range",
    "exemplar",
    "editorMode",
    "step",
    "queryType",
    "key",
    "metric",
    "hide",
    "intervalMs",
    "maxLines",
    "datasourceId",
    "useBackend",
    "disableTextWrap",
    "fullMetaSearch",
    "includeNullMetadata",
    "resolution",
];

/// The visible targets; Prometheus ones (not Loki, not a logs panel's) are
/// checked as PromQL.
pub(crate) fn targets(v: Option<&Value>, path: &str, panel_ds: Option<&str>, logs: bool, ctx: &mut Ctx) -> Vec<Target> {
    let Some(items) = v.and_then(Value::as_array) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, t) in items.iter().enumerate() {
        let at = index(path, i);
        let Some(obj) = t.as_object() else { continue };
        if bool_of(obj, "hide") {
            continue;
        }
        if out.len() == MAX_TARGETS {
            ctx.warn(&at, format!("more than {MAX_TARGETS} targets: the rest are ignored"));
            break;
        }
        if let Some(t) = target(obj, &at, i, panel_ds, logs, ctx) {
            out.push(t);
        }
    }
    out
}

/// One target, its query checked as PromQL unless it goes to Loki.
pub(crate) fn target(
    obj: &Map<String, Value>,
    at: &str,
    i: usize,
    panel_ds: Option<&str>,
    logs: bool,
    ctx: &mut Ctx,
) -> Option<Target> {
    let Some(expr) = obj.get("expr").and_then(Value::as_str).map(clean_long) else {
        ctx.warn(at, "a target without expr (not a Prometheus or Loki query), ignored");
        return None;
    };
    ctx.unknown_keys(obj, at, &["expr", "legendFormat", "refId", "datasource"], TARGET_QUIET);
    let target = Target {
        ref_id: str_of(obj, "refId").unwrap_or_else(|| format!("{}", (b'A' + (i % 26) as u8) as char)),
        expr,
        legend_format: str_of(obj, "legendFormat").filter(|l| !l.is_empty() && l != "__auto"),
        datasource: datasource(obj.get("datasource")).or_else(|| panel_ds.map(str::to_string)),
        table: obj.get("format").and_then(Value::as_str) == Some("table"),
    };
    let loki = logs || target.datasource.as_deref().is_some_and(|d| d.to_ascii_lowercase().contains("loki"));
    for name in super::interpolate::references(&target.expr) {
        // `$1` is label_replace's capture group, not a variable.
        let capture = name.starts_with(|c: char| c.is_ascii_digit());
        if !capture && !super::interpolate::is_builtin(&name) && !ctx.vars.iter().any(|v| v.name == name) {
            ctx.warn(&join(at, "expr"), format!("${name} is no variable of this dashboard: it stays as written"));
        }
    }
    if let Some(e) = (!loki).then(|| super::promql::check(&target.expr, &ctx.vars).err()).flatten() {
        ctx.error(&join(at, "expr"), e);
    }
    Some(target)
}
