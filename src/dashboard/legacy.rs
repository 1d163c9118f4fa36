//! Grafana's older forms, brought to the current model before it is read —
//! as Grafana itself does when it opens them, so a dashboard exported years
//! ago (many on grafana.com still are) shows as it does there:
//!
//! - the pre-5.0 `rows` layout (panels sized by `span` in twelfths, rows by
//!   pixel `height`) becomes panels on the 24-column grid, under row panels
//!   when the rows had visible titles or could collapse;
//! - the `singlestat` panel (removed in Grafana 8) becomes a `stat`, or a
//!   `gauge` when it drew one, with its unit, decimals, thresholds and their
//!   colours, value or range maps (whichever `mappingType` chose) and reducer
//!   in `fieldConfig` and `options`;
//! - a datasource named by an import input (`${DS_PROMETHEUS}` in a file
//!   exported "for sharing externally") becomes the input's plugin type.
//!
//! A migrated panel remembers where it was in the file ([`ORIGIN`]), so a
//! diagnostic names the path a user can find.

use serde_json::{Map, Value, json};

use super::values::{index, join, num};

/// The key a migrated panel carries its original JSON path in.
pub(crate) const ORIGIN: &str = "__warroomOrigin";

/// Grafana's grid: 24 columns; a row of the old layout counted 12 spans.
const COLUMNS: u64 = 24;
/// A grid unit is 30 px high with an 8 px margin.
const CELL_PX: f64 = 38.0;
/// An old row without a height: Grafana's default of 250 px.
const DEFAULT_ROW_PX: f64 = 250.0;

/// Migrates `dash` (the classic model's object) in place.
pub(crate) fn migrate(dash: &mut Map<String, Value>, path: &str) {
    let inputs = inputs(dash.get("__inputs"));
    let has_panels = dash.get("panels").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
    if !has_panels && let Some(Value::Array(rows)) = dash.remove("rows") {
        let panels = from_rows(&rows, &join(path, "rows"));
        dash.insert("panels".into(), Value::Array(panels));
    }
    if let Some(Value::Array(panels)) = dash.get_mut("panels") {
        for p in panels.iter_mut() {
            panel(p, &inputs);
        }
    }
    if !inputs.is_empty()
        && let Some(Value::Array(list)) = dash.get_mut("templating").and_then(|t| t.get_mut("list"))
    {
        for v in list.iter_mut().filter_map(Value::as_object_mut) {
            resolve_datasource(v, &inputs);
        }
    }
}

/// `__inputs`: `{name: DS_X, type: datasource, pluginId: prometheus}`.
fn inputs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("datasource"))
        .filter_map(|i| {
            let name = i.get("name").and_then(Value::as_str)?;
            let plugin = i.get("pluginId").and_then(Value::as_str)?;
            Some((name.to_string(), plugin.to_string()))
        })
        .collect()
}

/// `"${DS_X}"` (or `"$DS_X"`) as a datasource becomes the input's plugin type.
fn resolve_datasource(obj: &mut Map<String, Value>, inputs: &[(String, String)]) {
    let Some(Value::String(ds)) = obj.get("datasource") else { return };
    let name = ds.strip_prefix("${").and_then(|d| d.strip_suffix('}')).or_else(|| ds.strip_prefix('$'));
    if let Some((_, plugin)) = name.and_then(|n| inputs.iter().find(|(i, _)| i == n)) {
        obj.insert("datasource".into(), Value::String(plugin.clone()));
    }
}

/// One panel (and a row's nested ones): singlestat, datasources.
fn panel(p: &mut Value, inputs: &[(String, String)]) {
    let Some(obj) = p.as_object_mut() else { return };
    resolve_datasource(obj, inputs);
    if let Some(Value::Array(targets)) = obj.get_mut("targets") {
        for t in targets.iter_mut().filter_map(Value::as_object_mut) {
            resolve_datasource(t, inputs);
        }
    }
    if matches!(obj.get("type").and_then(Value::as_str), Some("singlestat" | "grafana-singlestat-panel")) {
        singlestat(obj);
    }
    if let Some(Value::Array(children)) = obj.get_mut("panels") {
        for c in children.iter_mut() {
            panel(c, inputs);
        }
    }
}

/// A pixel height (`250`, `"250px"`) in grid units, at least 3.
fn grid_height(v: Option<&Value>) -> u64 {
    let px = match v {
        Some(Value::String(s)) => s.trim().trim_end_matches("px").trim().parse().ok(),
        Some(v) => num(v),
        None => None,
    }
    .filter(|px: &f64| px.is_finite() && *px > 0.0)
    .unwrap_or(DEFAULT_ROW_PX);
    ((px.max(90.0) / CELL_PX).ceil() as u64).min(1000)
}

/// The old rows as grid panels: each row's panels left to right, a new line
/// when the next does not fit; a row panel above them when any row showed
/// its title, could collapse or repeat (else the rows were invisible).
fn from_rows(rows: &[Value], path: &str) -> Vec<Value> {
    let titled = rows.iter().any(|r| {
        ["collapse", "showTitle"].iter().any(|k| r.get(*k).and_then(Value::as_bool) == Some(true))
            || r.get("repeat").and_then(Value::as_str).is_some_and(|s| !s.is_empty())
    });
    let mut out = Vec::new();
    let mut y = 0u64;
    for (r, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else { continue };
        // A repeated row's copies are made again from its variable.
        if row.get("repeatIteration").is_some_and(|v| !v.is_null()) {
            continue;
        }
        let at = index(path, r);
        let collapsed = row.get("collapse").and_then(Value::as_bool) == Some(true);
        let height = grid_height(row.get("height"));
        let mut header = titled.then(|| {
            let mut h = Map::new();
            h.insert("type".into(), "row".into());
            h.insert("title".into(), row.get("title").cloned().unwrap_or_else(|| "".into()));
            h.insert("collapsed".into(), collapsed.into());
            h.insert("gridPos".into(), json!({"x": 0, "y": y, "w": COLUMNS, "h": 1}));
            h.insert("panels".into(), Value::Array(Vec::new()));
            if let Some(rep) = row.get("repeat").filter(|v| v.is_string()) {
                h.insert("repeat".into(), rep.clone());
            }
            h.insert(ORIGIN.into(), at.clone().into());
            h
        });
        if header.is_some() {
            y += 1;
        }
        let (mut x, mut line_y, mut line_h) = (0u64, y, 0u64);
        let mut inside = Vec::new();
        for (j, p) in row.get("panels").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let Some(p) = p.as_object() else { continue };
            let span = p.get("span").and_then(num).filter(|s| s.is_finite()).unwrap_or(4.0);
            let w = ((span.floor().clamp(1.0, 12.0) as u64) * COLUMNS / 12).max(1);
            let h = if p.contains_key("height") { grid_height(p.get("height")) } else { height };
            if x + w > COLUMNS {
                (x, line_y, line_h) = (0, line_y + line_h, 0);
            }
            let mut p = p.clone();
            p.insert("gridPos".into(), json!({"x": x, "y": line_y, "w": w, "h": h}));
            p.insert(ORIGIN.into(), index(&join(&at, "panels"), j).into());
            for k in ["span", "height", "minSpan"] {
                p.remove(k);
            }
            x += w;
            line_h = line_h.max(h);
            inside.push(Value::Object(p));
        }
        // A collapsed row takes its header's line only (Grafana's own
        // collapsed rows keep their panels' places for when they open).
        if !(collapsed && header.is_some()) {
            y = line_y + line_h;
        }
        match header.as_mut() {
            Some(h) if collapsed => {
                h.insert("panels".into(), Value::Array(inside));
                out.push(Value::Object(header.take().unwrap_or_default()));
            }
            Some(_) => {
                out.push(Value::Object(header.take().unwrap_or_default()));
                out.extend(inside);
            }
            None => out.extend(inside),
        }
    }
    out
}

/// What the singlestat's `valueName` reduces a series to, as a stat calc.
fn calc(value_name: &str) -> &'static str {
    match value_name {
        "avg" => "mean",
        "total" => "sum",
        "min" => "min",
        "max" => "max",
        "first" => "firstNotNull",
        "delta" => "delta",
        "diff" => "diff",
        "range" => "range",
        "count" => "count",
        _ => "lastNotNull",
    }
}

/// A singlestat as the stat (or gauge) Grafana 8 turns it into. Fields the
/// file already has in the new form are kept.
fn singlestat(obj: &mut Map<String, Value>) {
    let gauge = obj.get("gauge").and_then(|g| g.get("show")).and_then(Value::as_bool) == Some(true);
    obj.insert("type".into(), if gauge { "gauge" } else { "stat" }.into());
    let mut defaults = Map::new();
    if let Some(unit) = obj.get("format").and_then(Value::as_str).filter(|u| !u.is_empty()) {
        defaults.insert("unit".into(), unit.into());
    }
    if let Some(d) = obj.get("decimals").and_then(num) {
        defaults.insert("decimals".into(), d.into());
    }
    if gauge {
        for (from, to) in [("minValue", "min"), ("maxValue", "max")] {
            if let Some(v) = obj.get("gauge").and_then(|g| g.get(from)).and_then(num) {
                defaults.insert(to.into(), v.into());
            }
        }
    }
    let coloured =
        gauge || ["colorValue", "colorBackground"].iter().any(|k| obj.get(*k).and_then(Value::as_bool) == Some(true));
    let colors: Vec<Value> = obj.get("colors").and_then(Value::as_array).cloned().unwrap_or_default();
    let levels: Vec<f64> = match obj.get("thresholds") {
        Some(Value::String(s)) => {
            s.split(',').filter_map(|t| t.trim().parse().ok()).filter(|f: &f64| f.is_finite()).collect()
        }
        Some(Value::Array(a)) => a.iter().filter_map(num).collect(),
        _ => Vec::new(),
    };
    if coloured && !colors.is_empty() {
        let mut steps = vec![json!({"value": null, "color": colors[0]})];
        for (level, color) in levels.iter().zip(colors.iter().skip(1)).take(super::MAX_ITEMS) {
            steps.push(json!({"value": level, "color": color}));
        }
        defaults.insert("thresholds".into(), json!({"mode": "absolute", "steps": steps}));
    }
    let ranges = obj.get("mappingType").and_then(num) == Some(2.0);
    let mut mappings = Vec::new();
    let list = obj.get(if ranges { "rangeMaps" } else { "valueMaps" }).and_then(Value::as_array).cloned();
    for m in list.unwrap_or_default().iter().take(super::MAX_ITEMS) {
        let text = m.get("text").cloned().unwrap_or(Value::Null);
        let is_null = |k: &str| m.get(k).and_then(Value::as_str) == Some("null");
        let mapping = if ranges {
            if is_null("from") && is_null("to") {
                json!({"type": "special", "options": {"match": "null", "result": {"text": text}}})
            } else {
                let end = |k: &str| m.get(k).and_then(num).map_or(Value::Null, Value::from);
                json!({"type": "range", "options": {"from": end("from"), "to": end("to"), "result": {"text": text}}})
            }
        } else if is_null("value") {
            json!({"type": "special", "options": {"match": "null", "result": {"text": text}}})
        } else {
            let Some(value) = super::values::scalar_text(m.get("value").unwrap_or(&Value::Null)) else { continue };
            let mut opts = Map::new();
            opts.insert(value, json!({"text": text}));
            json!({"type": "value", "options": opts})
        };
        mappings.push(mapping);
    }
    if !mappings.is_empty() {
        defaults.insert("mappings".into(), Value::Array(mappings));
    }
    let reducer = calc(obj.get("valueName").and_then(Value::as_str).unwrap_or("avg"));
    let field = obj.entry("fieldConfig").or_insert_with(|| json!({"defaults": {}, "overrides": []}));
    if let Some(Value::Object(existing)) = field.get_mut("defaults") {
        for (k, v) in defaults {
            existing.entry(k).or_insert(v);
        }
    } else if let Some(f) = field.as_object_mut() {
        f.insert("defaults".into(), Value::Object(defaults));
    }
    let options = obj.entry("options").or_insert_with(|| json!({}));
    if let Some(o) = options.as_object_mut() {
        o.entry("reduceOptions").or_insert_with(|| json!({"calcs": [reducer]}));
    }
    for k in ["format", "decimals", "thresholds", "colors", "valueMaps", "rangeMaps", "mappingType", "valueName"] {
        obj.remove(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrated(v: Value) -> Map<String, Value> {
        let Value::Object(mut m) = v else { panic!() };
        migrate(&mut m, "");
        m
    }

    #[test]
    fn old_rows_become_grid_panels_under_row_panels() {
        let d = migrated(json!({"rows": [
            {"title": "CPU", "showTitle": true, "height": "250px", "panels": [
                {"type": "graph", "span": 6}, {"type": "graph", "span": 6}, {"type": "graph", "span": 12, "height": 100}]},
            {"title": "Disk", "collapse": true, "height": 150, "panels": [{"type": "graph"}]},
            {"title": "copy", "repeatIteration": 123, "panels": [{"type": "graph"}]},
            {"title": "Net", "panels": []}
        ]}));
        let panels = d["panels"].as_array().unwrap();
        let grid = |p: &Value| {
            let g = &p["gridPos"];
            (g["x"].as_u64().unwrap(), g["y"].as_u64().unwrap(), g["w"].as_u64().unwrap(), g["h"].as_u64().unwrap())
        };
        assert_eq!(panels.len(), 6, "row, three panels, the collapsed row (its panel inside), row; no repeated copy");
        assert_eq!((panels[0]["type"].as_str(), grid(&panels[0])), (Some("row"), (0, 0, 24, 1)));
        assert_eq!(grid(&panels[1]), (0, 1, 12, 7), "250 px is 7 grid units");
        assert_eq!(grid(&panels[2]), (12, 1, 12, 7));
        assert_eq!(grid(&panels[3]), (0, 8, 24, 3), "a full line wraps; 100 px is at least 3 units");
        assert_eq!(panels[3][ORIGIN], "rows[0].panels[2]");
        let disk = &panels[4];
        assert_eq!((disk["collapsed"].as_bool(), grid(disk).1), (Some(true), 11));
        assert_eq!(disk["panels"][0]["gridPos"]["w"], 8, "no span: Grafana's default of 4 twelfths");
        assert_eq!(grid(&panels[5]).1, 12, "below a collapsed row's header");
        assert!(d.get("rows").is_none());
    }

    #[test]
    fn rows_without_titles_leave_no_row_panels() {
        let d =
            migrated(json!({"rows": [{"panels": [{"type": "graph", "span": 12}]}, {"panels": [{"type": "text"}]}]}));
        let panels = d["panels"].as_array().unwrap();
        assert_eq!(panels.len(), 2);
        assert_eq!(panels[1]["gridPos"]["y"], 7, "the second row below the first");
    }

    #[test]
    fn a_singlestat_becomes_a_stat_or_gauge_with_its_colours_maps_and_reducer() {
        let d = migrated(json!({"__inputs": [{"name": "DS_P", "type": "datasource", "pluginId": "prometheus"}],
            "panels": [
            {"type": "singlestat", "datasource": "${DS_P}", "format": "percent", "decimals": 1, "colorValue": true,
             "colors": ["green", "orange", "red"], "thresholds": "85, 95", "valueName": "current",
             "mappingType": 1, "valueMaps": [{"op": "=", "value": "null", "text": "N/A"}, {"op": "=", "value": "0", "text": "off"}],
             "targets": [{"expr": "up", "datasource": "$DS_P"}]},
            {"type": "singlestat", "gauge": {"show": true, "minValue": 0, "maxValue": 200}, "valueName": "avg",
             "mappingType": 2, "rangeMaps": [{"from": "1", "to": "10", "text": "low"}], "valueMaps": [{"value": "5", "text": "x"}]},
            {"type": "singlestat", "thresholds": "1,2", "colors": ["a", "b", "c"]}
        ]}));
        let p = &d["panels"][0];
        assert_eq!((p["type"].as_str(), p["datasource"].as_str()), (Some("stat"), Some("prometheus")));
        assert_eq!(p["targets"][0]["datasource"], "prometheus");
        let def = &p["fieldConfig"]["defaults"];
        assert_eq!((def["unit"].as_str(), def["decimals"].as_f64()), (Some("percent"), Some(1.0)));
        assert_eq!(def["thresholds"]["steps"][2], json!({"value": 95.0, "color": "red"}));
        assert_eq!(def["mappings"][0]["options"]["match"], "null");
        assert_eq!(def["mappings"][1]["options"]["0"]["text"], "off");
        assert_eq!(p["options"]["reduceOptions"]["calcs"][0], "lastNotNull");
        let g = &d["panels"][1];
        assert_eq!(g["type"], "gauge");
        assert_eq!(
            (g["fieldConfig"]["defaults"]["min"].as_f64(), g["fieldConfig"]["defaults"]["max"].as_f64()),
            (Some(0.0), Some(200.0))
        );
        let maps = g["fieldConfig"]["defaults"]["mappings"].as_array().unwrap();
        assert_eq!((maps.len(), maps[0]["type"].as_str()), (1, Some("range")), "mappingType 2: the range maps only");
        assert_eq!(g["options"]["reduceOptions"]["calcs"][0], "mean", "singlestat's default reducer is avg");
        let plain = &d["panels"][2]["fieldConfig"]["defaults"];
        assert!(plain.get("thresholds").is_none(), "no colouring asked: no threshold colours");
    }
}
