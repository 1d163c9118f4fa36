//! A panel's `fieldConfig`: unit, decimals, min/max, thresholds, value
//! mappings, display name, no-value text; and the overrides that change
//! any of them, a fixed colour, or hide a series or column.

use serde_json::Value;

use super::MAX_ITEMS;
use super::model::{FieldConfig, Mapping, MappingKind, Override, Threshold, ThresholdMode};
use super::values::{Ctx, clean, index, join, num, scalar_text, str_of};

const DEFAULTS_QUIET: &[&str] = &[
    "color",
    "custom",
    "links",
    "filterable",
    "fieldMinMax",
    "description",
    "path",
    "unitScale",
    "displayNameFromDS",
    "writeable",
    "actions",
    "interval",
];

pub(crate) fn field_config(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> FieldConfig {
    let Some(obj) = v.and_then(Value::as_object) else { return FieldConfig::default() };
    ctx.unknown_keys(
        obj,
        path,
        &["unit", "decimals", "min", "max", "thresholds", "mappings", "displayName", "noValue"],
        DEFAULTS_QUIET,
    );
    let (thresholds_mode, thresholds) = thresholds(obj.get("thresholds"));
    FieldConfig {
        unit: str_of(obj, "unit").filter(|u| !u.is_empty()),
        decimals: decimals(obj.get("decimals")),
        min: obj.get("min").and_then(num),
        max: obj.get("max").and_then(num),
        thresholds_mode,
        thresholds,
        mappings: mappings(obj.get("mappings"), &join(path, "mappings"), ctx),
        display_name: str_of(obj, "displayName").filter(|d| !d.is_empty()),
        no_value: str_of(obj, "noValue").filter(|d| !d.is_empty()),
    }
}

fn decimals(v: Option<&Value>) -> Option<u32> {
    v.and_then(num).map(|d| d.clamp(0.0, 20.0) as u32)
}

/// `{mode, steps: [{value, color}]}`.
fn thresholds(v: Option<&Value>) -> (ThresholdMode, Vec<Threshold>) {
    let t = v.and_then(Value::as_object);
    let mode = match t.and_then(|t| t.get("mode")).and_then(Value::as_str) {
        Some("percentage") => ThresholdMode::Percentage,
        _ => ThresholdMode::Absolute,
    };
    let steps = t.and_then(|t| t.get("steps")).and_then(Value::as_array);
    let steps = steps
        .into_iter()
        .flatten()
        .take(MAX_ITEMS)
        .map(|s| Threshold {
            value: s.get("value").and_then(num),
            color: s.get("color").and_then(Value::as_str).map(clean).unwrap_or_default(),
        })
        .collect();
    (mode, steps)
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
                } else if matches.is_empty() {
                    ctx.note(&join(&at, "options.match"), "a special mapping without match: it matches nothing");
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

/// Override properties that only change how a browser draws (column
/// width and alignment, line style, links): no note for these.
const PROPERTY_QUIET: &[&str] =
    &["links", "filterable", "description", "unitScale", "fieldMinMax", "actions", "interval", "displayNameFromDS"];

/// Overrides: their matcher and every property that changes what shows.
pub(crate) fn overrides(v: Option<&Value>, path: &str, ctx: &mut Ctx) -> Vec<Override> {
    let mut out = Vec::new();
    for (i, o) in v.and_then(Value::as_array).into_iter().flatten().enumerate().take(MAX_ITEMS) {
        let at = index(path, i);
        let matcher = o.get("matcher");
        let options = matcher.and_then(|m| m.get("options"));
        let mut ov = Override {
            matcher: matcher.and_then(|m| m.get("id")).and_then(Value::as_str).map(clean).unwrap_or_default(),
            pattern: options.and_then(scalar_text).unwrap_or_default(),
            names: super::values::strings(options.and_then(|o| o.get("names"))),
            ..Override::default()
        };
        if !matches!(
            ov.matcher.as_str(),
            "byName" | "byNames" | "byRegexp" | "byFrameRefID" | "byDisplayName" | "byType"
        ) {
            ctx.warn(&join(&at, "matcher"), format!("matcher {:?} is not applied", ov.matcher));
            continue;
        }
        for (j, p) in o.get("properties").and_then(Value::as_array).into_iter().flatten().enumerate().take(MAX_ITEMS) {
            let value = p.get("value");
            let here = index(&join(&at, "properties"), j);
            match p.get("id").and_then(Value::as_str).unwrap_or("") {
                "unit" => ov.unit = value.and_then(Value::as_str).map(clean),
                "color" => {
                    ov.color = value
                        .and_then(|c| c.get("fixedColor").or_else(|| c.get("mode")))
                        .and_then(Value::as_str)
                        .map(clean);
                }
                "decimals" => ov.decimals = decimals(value),
                "displayName" => ov.display_name = value.and_then(Value::as_str).map(clean),
                "min" => ov.min = value.and_then(num),
                "max" => ov.max = value.and_then(num),
                "noValue" => ov.no_value = value.and_then(scalar_text),
                "thresholds" => ov.thresholds = Some(thresholds(value)),
                "mappings" => ov.mappings = Some(mappings(value, &join(&here, "value"), ctx)),
                "custom.hidden" => ov.hidden = value.and_then(Value::as_bool).unwrap_or(false),
                "custom.hideFrom" => {
                    ov.hidden = value.and_then(|h| h.get("viz")).and_then(Value::as_bool).unwrap_or(false);
                }
                id if PROPERTY_QUIET.contains(&id) || id.starts_with("custom.") => {}
                other => ctx.warn(&here, format!("override property {other:?} is not applied")),
            }
        }
        out.push(ov);
    }
    out
}
