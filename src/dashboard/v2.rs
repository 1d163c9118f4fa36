//! The v2 resource Grafana 12 writes (`apiVersion: dashboard.grafana.app/v2…`):
//! panels in `spec.elements` by name, placed by `spec.layout`, variables as
//! `{kind: QueryVariable, spec}`. Both v2alpha1 (`vizConfig.kind` is the
//! panel type) and v2beta1 (`vizConfig.group`, queries as `DataQuery`).

use serde_json::{Map, Value};

use super::MAX_PANELS;
use super::model::{Dashboard, GridPos, Panel, PanelKind, TimeRange};
use super::panel::{field_config, overrides, target};
use super::parse::{query_text, variable};
use super::values::{Ctx, bool_of, datasource, index, join, key, num, str_of, strings};

const SPEC_USED: &[&str] = &["title", "tags", "timeSettings", "variables", "elements", "layout", "annotations"];
const SPEC_QUIET: &[&str] = &["description", "cursorSync", "liveNow", "preload", "editable", "links", "revision", "id"];

pub(crate) fn dashboard(spec: &Map<String, Value>, ctx: &mut Ctx) -> Dashboard {
    ctx.unknown_keys(spec, "spec", SPEC_USED, SPEC_QUIET);
    let time = spec.get("timeSettings").and_then(Value::as_object);
    ctx.vars = variables(spec.get("variables"), "spec.variables", ctx);
    let elements = spec.get("elements").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut placed = Vec::new();
    layout(spec.get("layout"), "spec.layout", 0, &elements, &mut placed, ctx);
    Dashboard {
        title: str_of(spec, "title").unwrap_or_default(),
        uid: None,
        tags: strings(spec.get("tags")),
        time: TimeRange {
            from: time.and_then(|t| str_of(t, "from")).unwrap_or_else(|| TimeRange::default().from),
            to: time.and_then(|t| str_of(t, "to")).unwrap_or_else(|| TimeRange::default().to),
        },
        refresh: time.and_then(|t| str_of(t, "autoRefresh")).filter(|r| !r.is_empty()),
        variables: ctx.vars.clone(),
        panels: placed,
    }
}

fn variables(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<super::Variable> {
    let mut out = Vec::new();
    for (i, item) in v.and_then(Value::as_array).into_iter().flatten().enumerate().take(super::MAX_VARIABLES) {
        let at = index(path, i);
        let kind = item.get("kind").and_then(Value::as_str).unwrap_or("");
        let Some(spec) = item.get("spec").and_then(Value::as_object) else {
            ctx.warn(&at, "a variable without spec, ignored");
            continue;
        };
        let classic_type = match kind {
            "QueryVariable" => "query",
            "CustomVariable" => "custom",
            "ConstantVariable" => "constant",
            "IntervalVariable" => "interval",
            "DatasourceVariable" => "datasource",
            "TextVariable" => "textbox",
            other => {
                ctx.warn(&join(&at, "kind"), format!("variable kind {other:?} is not supported, ignored"));
                continue;
            }
        };
        // The classic reader takes it from here, `query` flattened.
        let mut obj = spec.clone();
        obj.insert("type".into(), classic_type.into());
        let query = match (classic_type, spec.get("query")) {
            ("query", Some(Value::Object(q))) => {
                let inner = q.get("spec").and_then(Value::as_object);
                let text = inner.map(|s| query_text(s.get("query"))).filter(|s| !s.is_empty());
                text.or_else(|| inner.and_then(|s| str_of(s, "expr"))).unwrap_or_default()
            }
            ("datasource", _) => str_of(spec, "pluginId").unwrap_or_default(),
            (_, q) => query_text(q),
        };
        obj.insert("query".into(), query.into());
        if let Some(var) = variable(&obj, &at, ctx) {
            out.push(var);
        }
    }
    out
}

/// Places the elements a layout names, rows as row panels with their items
/// nested; `y0` is where a nested layout starts.
fn layout(v: Option<&Value>, path: &str, y0: u32, elements: &Map<String, Value>, out: &mut Vec<Panel>, ctx: &mut Ctx) {
    let Some(obj) = v.and_then(Value::as_object) else { return };
    let spec = obj.get("spec");
    match obj.get("kind").and_then(Value::as_str).unwrap_or("") {
        "GridLayout" => {
            let items = spec.and_then(|s| s.get("items")).and_then(Value::as_array);
            for (i, item) in items.into_iter().flatten().enumerate() {
                let at = index(&join(path, "spec.items"), i);
                match item.get("kind").and_then(Value::as_str) {
                    Some("GridLayoutRow") => {
                        let rs = item.get("spec");
                        let mut row = row_panel(rs, y0);
                        row.repeat = repeat_of(rs, &at, ctx);
                        let kids = rs.and_then(|s| s.get("elements")).and_then(Value::as_array);
                        for (j, k) in kids.into_iter().flatten().enumerate() {
                            let kat = index(&join(&at, "spec.elements"), j);
                            row.children.extend(grid_item(k, &kat, y0, elements, ctx));
                        }
                        out.push(row);
                    }
                    _ => out.extend(grid_item(item, &at, y0, elements, ctx)),
                }
            }
        }
        "RowsLayout" => {
            let rows = spec.and_then(|s| s.get("rows")).and_then(Value::as_array);
            let mut y = y0;
            for (i, r) in rows.into_iter().flatten().enumerate() {
                let at = index(&join(path, "spec.rows"), i);
                let rs = r.get("spec");
                let mut row = row_panel(rs, y);
                row.repeat = repeat_of(rs, &at, ctx);
                row.collapsed = rs.and_then(|s| s.get("collapse")).and_then(Value::as_bool).unwrap_or(false);
                let mut kids = Vec::new();
                layout(rs.and_then(|s| s.get("layout")), &join(&at, "spec.layout"), y + 1, elements, &mut kids, ctx);
                let bottom = kids.iter().map(|p| p.grid.y.saturating_add(p.grid.h)).max().unwrap_or(y + 1);
                y = bottom.max(y + 1);
                row.children = kids.into_iter().filter(|p| p.kind != PanelKind::Row).collect();
                out.push(row);
            }
        }
        other => ctx.warn(&join(path, "kind"), format!("layout {other:?} is not supported: its panels are not shown")),
    }
}

fn row_panel(spec: Option<&Value>, y: u32) -> Panel {
    let spec = spec.and_then(Value::as_object);
    let y = spec.and_then(|s| s.get("y")).and_then(num).map_or(y, |v| v.max(0.0) as u32);
    Panel {
        collapsed: spec.is_some_and(|s| bool_of(s, "collapsed")),
        ..Panel::new(
            PanelKind::Row,
            spec.and_then(|s| str_of(s, "title")).unwrap_or_default(),
            GridPos { x: 0, y, w: 24, h: 1 },
        )
    }
}

/// A layout item's or row's `repeat: {mode: variable, value, direction, maxPerRow}`.
fn repeat_of(spec: Option<&Value>, at: &str, ctx: &mut Ctx) -> Option<super::model::Repeat> {
    let r = spec.and_then(|s| s.get("repeat")).and_then(Value::as_object)?;
    let at = join(at, "spec.repeat");
    if let Some(mode) = r.get("mode").and_then(Value::as_str).filter(|m| *m != "variable") {
        ctx.warn(&at, format!("repeat mode {:?} is not supported: shown once", super::values::clean(mode)));
        return None;
    }
    let value = r.get("value").and_then(Value::as_str);
    let direction = r.get("direction").and_then(Value::as_str);
    super::panel::repeat(value, direction, r.get("maxPerRow"), &at, ctx)
}

/// A `GridLayoutItem`: its place, and the element it names.
fn grid_item(item: &Value, at: &str, y0: u32, elements: &Map<String, Value>, ctx: &mut Ctx) -> Option<Panel> {
    let spec = item.get("spec")?;
    let name = spec.get("element").and_then(|e| e.get("name")).and_then(Value::as_str).unwrap_or("");
    let Some(element) = elements.get(name) else {
        ctx.warn(&join(at, "spec.element"), format!("element {name:?} is not in spec.elements"));
        return None;
    };
    if ctx.panels == MAX_PANELS {
        ctx.warn(at, format!("more than {MAX_PANELS} panels: the rest are ignored"));
        return None;
    }
    ctx.panels += 1;
    let n = |k: &str| spec.get(k).and_then(num).map_or(0, |f| f.clamp(0.0, f64::from(u32::MAX)) as u32);
    let grid = GridPos { x: n("x"), y: n("y").saturating_add(y0), w: n("width"), h: n("height") };
    let mut panel = element_panel(element, &key("spec.elements", name), grid, ctx);
    panel.repeat = repeat_of(Some(spec), at, ctx);
    Some(panel)
}

fn element_panel(element: &Value, at: &str, grid: GridPos, ctx: &mut Ctx) -> Panel {
    let spec = element.get("spec").and_then(Value::as_object).cloned().unwrap_or_default();
    let viz = spec.get("vizConfig");
    let viz_spec = viz.and_then(|v| v.get("spec"));
    let viz_kind = viz.and_then(|v| v.get("group").or_else(|| v.get("kind"))).and_then(Value::as_str).unwrap_or("");
    let kind = match element.get("kind").and_then(Value::as_str) {
        Some("LibraryPanel") => {
            let lib = spec.get("libraryPanel").and_then(Value::as_object);
            let name = lib.and_then(|l| str_of(l, "name").or_else(|| str_of(l, "uid"))).unwrap_or_default();
            ctx.warn(
                &join(at, "spec.libraryPanel"),
                format!("library panel {name:?}: its model is kept in Grafana, not in the file"),
            );
            PanelKind::Library(name)
        }
        _ => PanelKind::from_type(viz_kind),
    };
    if let PanelKind::Unsupported(t) = &kind {
        ctx.warn(&join(at, "spec.vizConfig"), format!("panel type {t:?} is not supported: its box says so"));
    }
    let data = spec.get("data").and_then(|d| d.get("spec"));
    let time = match data.and_then(|d| d.get("queryOptions")).and_then(Value::as_object) {
        Some(o) => super::panel::panel_time(o, &join(at, "spec.data.spec.queryOptions"), ctx),
        None => Default::default(),
    };
    let queries = data.and_then(|d| d.get("queries")).and_then(Value::as_array);
    let mut targets = Vec::new();
    for (i, q) in queries.into_iter().flatten().enumerate().take(super::MAX_TARGETS) {
        let qat = index(&join(at, "spec.data.spec.queries"), i);
        let Some(qs) = q.get("spec").and_then(Value::as_object) else { continue };
        if bool_of(qs, "hidden") {
            continue;
        }
        let query = qs.get("query");
        let mut t = query.and_then(|q| q.get("spec")).and_then(Value::as_object).cloned().unwrap_or_default();
        let ds = query
            .and_then(|q| q.get("group").or_else(|| q.get("kind")))
            .and_then(Value::as_str)
            .filter(|k| *k != "DataQuery")
            .map(str::to_string)
            .or_else(|| datasource(qs.get("datasource")));
        t.retain(|k, _| k != "datasource" && k != "refId");
        if let Some(ds) = ds {
            t.insert("datasource".into(), ds.into());
        }
        if let Some(r) = qs.get("refId") {
            t.insert("refId".into(), r.clone());
        }
        targets.extend(target(&t, &join(&qat, "spec.query.spec"), i, None, kind == PanelKind::Logs, ctx));
    }
    let fc = viz_spec.and_then(|v| v.get("fieldConfig"));
    let fc_at = join(at, "spec.vizConfig.spec.fieldConfig");
    let options = viz_spec.and_then(|v| v.get("options"));
    Panel {
        id: spec.get("id").and_then(Value::as_u64),
        title: str_of(&spec, "title").unwrap_or_default(),
        grid,
        targets,
        field: field_config(fc.and_then(|f| f.get("defaults")), &join(&fc_at, "defaults"), ctx),
        overrides: overrides(fc.and_then(|f| f.get("overrides")), &join(&fc_at, "overrides"), ctx),
        calcs: strings(options.and_then(|o| o.get("reduceOptions")).and_then(|r| r.get("calcs"))),
        content: (kind == PanelKind::Text)
            .then(|| options.and_then(|o| o.get("content")).and_then(Value::as_str).map(super::values::clean_long))
            .flatten(),
        children: Vec::new(),
        collapsed: false,
        transformations: super::panel::transformations(
            spec.get("data").and_then(|d| d.get("spec")).and_then(|d| d.get("transformations")),
            &join(at, "spec.data.spec.transformations"),
            ctx,
        ),
        alerts: (kind == PanelKind::AlertList).then(|| {
            super::panel::alert_list(options.and_then(Value::as_object), &join(at, "spec.vizConfig.spec.options"), ctx)
        }),
        repeat: None,
        scoped: Vec::new(),
        time,
        kind,
    }
}
