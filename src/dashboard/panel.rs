//! Panels of the classic model: type, place, targets, field config.

use serde_json::{Map, Value};

use super::model::{
    FieldConfig, GridPos, Mapping, MappingKind, Override, Panel, PanelKind, Target, Threshold, ThresholdMode,
};
use super::values::{Ctx, bool_of, clean, clean_long, datasource, index, join, num, scalar_text, str_of};
use super::{MAX_ITEMS, MAX_PANELS, MAX_TARGETS};

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
    "timeFrom",
    "timeShift",
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
    "hideTimeOverride",
    "cacheTimeout",
    "queryCachingTTL",
    "repeatDirection",
    "maxPerRow",
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
];

/// A `panels` list, rows' nested panels included.
pub(crate) fn panels(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Panel> {
    list(v, path, ctx, true)
}

fn list(v: Option<&Value>, path: &str, ctx: &mut Ctx, top: bool) -> Vec<Panel> {
    let Some(items) = v.and_then(Value::as_array) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = index(path, i);
        if ctx.panels == MAX_PANELS {
            ctx.warn(&at, format!("more than {MAX_PANELS} panels: the rest are ignored"));
            break;
        }
        let Some(obj) = item.as_object() else {
            ctx.warn(&at, "not an object, ignored");
            continue;
        };
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
    if let PanelKind::Unsupported(t) = &kind {
        ctx.warn(&join(at, "type"), format!("panel type {t:?} is not supported: its box says so"));
    }
    unsupported(obj, at, ctx);
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
        kind,
    }
}

/// Fields warroom reads but cannot honour, each reported where it is set.
pub(crate) fn unsupported(obj: &Map<String, Value>, at: &str, ctx: &mut Ctx) {
    if obj.get("transformations").and_then(Value::as_array).is_some_and(|t| !t.is_empty()) {
        ctx.warn(&join(at, "transformations"), "transformations are not applied");
    }
    if obj.get("repeat").and_then(Value::as_str).is_some_and(|r| !r.is_empty()) {
        ctx.warn(&join(at, "repeat"), "repeated panels are shown once, for the variable's current value");
    }
    for key in ["timeFrom", "timeShift"] {
        if obj.get(key).and_then(Value::as_str).is_some_and(|t| !t.is_empty()) {
            ctx.warn(&join(at, key), "a panel's own time range is not applied: the dashboard's is used");
        }
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
    };
    let loki = logs || target.datasource.as_deref().is_some_and(|d| d.to_ascii_lowercase().contains("loki"));
    if let Some(e) = (!loki).then(|| super::promql::check(&target.expr, &ctx.vars).err()).flatten() {
        ctx.error(&join(at, "expr"), e);
    }
    Some(target)
}

const DEFAULTS_QUIET: &[&str] =
    &["color", "custom", "links", "displayName", "noValue", "filterable", "fieldMinMax", "description", "path"];

pub(crate) fn field_config(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> FieldConfig {
    let Some(obj) = v.and_then(Value::as_object) else { return FieldConfig::default() };
    ctx.unknown_keys(obj, path, &["unit", "decimals", "min", "max", "thresholds", "mappings"], DEFAULTS_QUIET);
    let thresholds = obj.get("thresholds").and_then(Value::as_object);
    let mode = match thresholds.and_then(|t| t.get("mode")).and_then(Value::as_str) {
        Some("percentage") => ThresholdMode::Percentage,
        _ => ThresholdMode::Absolute,
    };
    let steps = thresholds.and_then(|t| t.get("steps")).and_then(Value::as_array);
    FieldConfig {
        unit: str_of(obj, "unit").filter(|u| !u.is_empty()),
        decimals: obj.get("decimals").and_then(num).map(|d| d.clamp(0.0, 20.0) as u32),
        min: obj.get("min").and_then(num),
        max: obj.get("max").and_then(num),
        thresholds_mode: mode,
        thresholds: steps
            .into_iter()
            .flatten()
            .take(MAX_ITEMS)
            .map(|s| Threshold {
                value: s.get("value").and_then(num),
                color: s.get("color").and_then(Value::as_str).map(clean).unwrap_or_default(),
            })
            .collect(),
        mappings: mappings(obj.get("mappings"), &join(path, "mappings"), ctx),
    }
}

/// Value mappings, in Grafana 8+'s form (`{type, options}`) and 7's (`{type: 1|2, value, from, to, text}`).
fn mappings(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Mapping> {
    let mut out = Vec::new();
    for (i, m) in v.and_then(Value::as_array).into_iter().flatten().enumerate().take(MAX_ITEMS) {
        let at = index(path, i);
        let opts = m.get("options");
        let result = |r: Option<&Value>| {
            let text = r.and_then(|r| r.get("text")).and_then(scalar_text);
            let color = r.and_then(|r| r.get("color")).and_then(Value::as_str).map(clean);
            (text, color)
        };
        let ty = m.get("type");
        match ty.and_then(Value::as_str) {
            Some("value") => {
                for (value, r) in opts.and_then(Value::as_object).into_iter().flatten() {
                    let (text, color) = result(Some(r));
                    out.push(Mapping { kind: MappingKind::Value { value: clean(value) }, text, color });
                }
            }
            Some("range") => {
                let (text, color) = result(opts.and_then(|o| o.get("result")));
                let end = |k: &str| opts.and_then(|o| o.get(k)).and_then(num);
                out.push(Mapping { kind: MappingKind::Range { from: end("from"), to: end("to") }, text, color });
            }
            Some("regex") => {
                let pattern = opts.and_then(|o| o.get("pattern")).and_then(Value::as_str).map(clean);
                match pattern.filter(|p| regex::Regex::new(p).is_ok()) {
                    Some(pattern) => {
                        let (text, color) = result(opts.and_then(|o| o.get("result")));
                        out.push(Mapping { kind: MappingKind::Regex { pattern }, text, color });
                    }
                    None => ctx.warn(&join(&at, "options.pattern"), "missing or invalid regex, mapping ignored"),
                }
            }
            Some("special") => {
                let matches = opts.and_then(|o| o.get("match")).and_then(Value::as_str).map(clean).unwrap_or_default();
                let (text, color) = result(opts.and_then(|o| o.get("result")));
                if matches!(matches.as_str(), "null" | "nan" | "null+nan" | "true" | "false" | "empty") {
                    out.push(Mapping { kind: MappingKind::Special { matches }, text, color });
                } else {
                    ctx.warn(
                        &join(&at, "options.match"),
                        format!("special match {matches:?} is not known, mapping ignored"),
                    );
                }
            }
            _ => match ty.and_then(Value::as_u64) {
                Some(1) => out.push(Mapping {
                    kind: MappingKind::Value { value: m.get("value").and_then(scalar_text).unwrap_or_default() },
                    text: m.get("text").and_then(scalar_text),
                    color: None,
                }),
                Some(2) => out.push(Mapping {
                    kind: MappingKind::Range { from: m.get("from").and_then(num), to: m.get("to").and_then(num) },
                    text: m.get("text").and_then(scalar_text),
                    color: None,
                }),
                _ => ctx.warn(&join(&at, "type"), "unknown mapping type, ignored"),
            },
        }
    }
    out
}

/// Overrides: their matcher, and the unit and colour they set.
pub(crate) fn overrides(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Override> {
    let mut out = Vec::new();
    for (i, o) in v.and_then(Value::as_array).into_iter().flatten().enumerate().take(MAX_ITEMS) {
        let at = index(path, i);
        let matcher = o.get("matcher");
        let mut ov = Override {
            matcher: matcher.and_then(|m| m.get("id")).and_then(Value::as_str).map(clean).unwrap_or_default(),
            pattern: matcher.and_then(|m| m.get("options")).and_then(scalar_text).unwrap_or_default(),
            unit: None,
            color: None,
        };
        if !matches!(ov.matcher.as_str(), "byName" | "byRegexp" | "byFrameRefID" | "byDisplayName") {
            ctx.warn(&join(&at, "matcher"), format!("matcher {:?} is not applied", ov.matcher));
            continue;
        }
        for (j, p) in o.get("properties").and_then(Value::as_array).into_iter().flatten().enumerate().take(MAX_ITEMS) {
            let value = p.get("value");
            match p.get("id").and_then(Value::as_str) {
                Some("unit") => ov.unit = value.and_then(Value::as_str).map(clean),
                Some("color") => {
                    ov.color = value
                        .and_then(|c| c.get("fixedColor").or_else(|| c.get("mode")))
                        .and_then(Value::as_str)
                        .map(clean);
                }
                other => ctx.warn(
                    &index(&join(&at, "properties"), j),
                    format!("override property {:?} is not applied (only unit and color are)", other.unwrap_or("")),
                ),
            }
        }
        if ov.unit.is_some() || ov.color.is_some() {
            out.push(ov);
        }
    }
    out
}
