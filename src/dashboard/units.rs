//! A panel's values as Grafana shows them: `fieldConfig.defaults.unit`
//! (`percent`, `percentunit`, `s`, `ms`, `bytes`, `reqps`…) and `decimals`,
//! then the value mappings and the threshold colour.

use super::model::{FieldConfig, MappingKind, Override, ThresholdMode};

/// `v` in `unit`, with `decimals` when set (else as many as make sense).
/// Non-finite values read as Grafana's `No data`-like `–`, `NaN` as `NaN`.
pub fn format(v: f64, unit: Option<&str>, decimals: Option<u32>) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if !v.is_finite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let num = |x: f64| number(x, decimals);
    match unit.unwrap_or("none") {
        "none" | "short" | "" => scaled(v, decimals, &["", " K", " Mil", " Bil", " Tri"], 1000.0),
        "percent" => format!("{}%", num(v)),
        "percentunit" => format!("{}%", num(v * 100.0)),
        "s" => time(v, decimals),
        "ms" => time(v / 1000.0, decimals),
        "µs" | "us" => time(v / 1e6, decimals),
        "ns" => time(v / 1e9, decimals),
        "bytes" => scaled(v, decimals, &[" B", " KiB", " MiB", " GiB", " TiB", " PiB"], 1024.0),
        "decbytes" => scaled(v, decimals, &[" B", " kB", " MB", " GB", " TB", " PB"], 1000.0),
        "bits" => scaled(v, decimals, &[" b", " Kib", " Mib", " Gib", " Tib"], 1024.0),
        "Bps" | "binBps" => scaled(v, decimals, &[" B/s", " KiB/s", " MiB/s", " GiB/s", " TiB/s"], 1024.0),
        "bps" | "binbps" => scaled(v, decimals, &[" b/s", " Kib/s", " Mib/s", " Gib/s"], 1024.0),
        "reqps" => format!("{} req/s", scaled(v, decimals, &["", " K", " Mil"], 1000.0)),
        "ops" => format!("{} ops/s", scaled(v, decimals, &["", " K", " Mil"], 1000.0)),
        "rps" => format!("{} rd/s", scaled(v, decimals, &["", " K", " Mil"], 1000.0)),
        "wps" => format!("{} wr/s", scaled(v, decimals, &["", " K", " Mil"], 1000.0)),
        "iops" => format!("{} io/s", scaled(v, decimals, &["", " K", " Mil"], 1000.0)),
        "hertz" => scaled(v, decimals, &[" Hz", " kHz", " MHz", " GHz"], 1000.0),
        "celsius" => format!("{}°C", num(v)),
        "bool" => (if v != 0.0 { "True" } else { "False" }).into(),
        "dateTimeAsIso" | "dateTimeFromNow" => num(v),
        other => {
            // `suffix:X`, `prefix:X`, or a unit warroom does not know: said as written.
            let other = crate::text::truncate_width(&crate::text::clean(other), 12);
            if let Some(s) = other.strip_prefix("suffix:") {
                format!("{}{s}", num(v))
            } else if let Some(p) = other.strip_prefix("prefix:") {
                format!("{p}{}", num(v))
            } else {
                format!("{} {other}", num(v))
            }
        }
    }
}

/// A number with `decimals`, else up to 2 significant decimals (none for
/// integers and large values).
fn number(v: f64, decimals: Option<u32>) -> String {
    match decimals {
        Some(d) => format!("{v:.*}", d.min(10) as usize),
        None if v == v.trunc() && v.abs() < 1e15 => format!("{v:.0}"),
        None if v.abs() >= 100.0 => format!("{v:.0}"),
        None if v.abs() >= 10.0 => format!("{v:.1}"),
        None if v.abs() >= 0.01 => trim(format!("{v:.2}")),
        None => trim(format!("{v:.3e}")),
    }
}

fn trim(s: String) -> String {
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn scaled(v: f64, decimals: Option<u32>, suffixes: &[&str], base: f64) -> String {
    let mut x = v;
    let mut i = 0;
    while x.abs() >= base && i + 1 < suffixes.len() {
        x /= base;
        i += 1;
    }
    format!("{}{}", number(x, decimals), suffixes[i])
}

fn time(secs: f64, decimals: Option<u32>) -> String {
    let a = secs.abs();
    let (x, u) = if a == 0.0 {
        (0.0, " s")
    } else if a < 1e-6 {
        (secs * 1e9, " ns")
    } else if a < 1e-3 {
        (secs * 1e6, " µs")
    } else if a < 1.0 {
        (secs * 1e3, " ms")
    } else if a < 60.0 {
        (secs, " s")
    } else if a < 3600.0 {
        (secs / 60.0, " min")
    } else if a < 86_400.0 {
        (secs / 3600.0, " hour")
    } else {
        (secs / 86_400.0, " day")
    };
    format!("{}{u}", number(x, decimals))
}

/// What a value shows as: its text (mapped, or formatted) and colour name
/// (the mapping's, else the threshold step's).
pub fn display(v: Option<f64>, field: &FieldConfig) -> (String, Option<String>) {
    let text = match v {
        Some(x) => format(x, field.unit.as_deref(), field.decimals),
        None => field.no_value.clone().unwrap_or_else(|| "No data".to_string()),
    };
    if let Some((t, c)) = mapped(v, field) {
        return (t.unwrap_or(text), c.or_else(|| v.and_then(|x| threshold(x, field))));
    }
    (text, v.and_then(|x| threshold(x, field)))
}

/// The first mapping that matches `v`: its text and colour.
fn mapped(v: Option<f64>, field: &FieldConfig) -> Option<(Option<String>, Option<String>)> {
    let raw = v.map(|x| if x == x.trunc() && x.is_finite() { format!("{x:.0}") } else { x.to_string() });
    field
        .mappings
        .iter()
        .find(|m| match &m.kind {
            MappingKind::Value { value } => raw.as_deref() == Some(value.as_str()),
            MappingKind::Range { from, to } => {
                v.is_some_and(|x| from.is_none_or(|f| x >= f) && to.is_none_or(|t| x <= t))
            }
            MappingKind::Regex { pattern } => match (&raw, regex::Regex::new(pattern)) {
                (Some(r), Ok(re)) => re.is_match(r),
                _ => false,
            },
            MappingKind::Special { matches } => match matches.as_str() {
                "null" => v.is_none(),
                "nan" => v.is_some_and(f64::is_nan),
                "null+nan" => v.is_none_or(f64::is_nan),
                "true" => v == Some(1.0),
                "false" => v == Some(0.0),
                _ => false,
            },
        })
        .map(|m| (m.text.clone(), m.color.clone()))
}

/// The colour of the threshold step `v` falls in (percentage steps over
/// `min`..`max`, 0..100 by default).
pub fn threshold(v: f64, field: &FieldConfig) -> Option<String> {
    let x = match field.thresholds_mode {
        ThresholdMode::Absolute => v,
        ThresholdMode::Percentage => {
            let (lo, hi) = (field.min.unwrap_or(0.0), field.max.unwrap_or(100.0));
            if hi > lo { (v - lo) / (hi - lo) * 100.0 } else { v }
        }
    };
    field.thresholds.iter().rfind(|t| t.value.is_none_or(|s| x >= s)).map(|t| t.color.clone())
}

/// What a field (a chart's series, a table's column) is, for `byType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Number,
    String,
}

/// One series' (or column's) look after the panel's overrides.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Look {
    /// The panel's field config with what the overrides set.
    pub field: FieldConfig,
    /// A fixed colour, which wins over thresholds and mappings.
    pub color: Option<String>,
    /// The name to show, if an override (or the defaults) renames it.
    pub name: Option<String>,
    pub hidden: bool,
}

/// One series' look: the panel's field config, then every override that
/// matches the series (`byName`/`byDisplayName`: its name, `byNames`: one
/// of its list, `byRegexp`: a regular expression found in the name,
/// `byFrameRefID`: its query's refId, `byType`: its type), the later
/// winning as in Grafana. A colour *mode* (`thresholds`,
/// `palette-classic`…) leaves the panel's colours as they are.
pub fn for_series(field: &FieldConfig, overrides: &[Override], names: &[&str], ref_id: &str, ty: FieldType) -> Look {
    let mut look = Look { field: field.clone(), name: field.display_name.clone(), ..Look::default() };
    for o in overrides.iter().filter(|o| names.iter().any(|n| matches(o, n, ref_id, ty))) {
        let f = &mut look.field;
        if let Some(u) = &o.unit {
            f.unit = Some(u.clone());
        }
        if let Some(c) = o.color.as_deref().filter(|c| !is_colour_mode(c)) {
            look.color = Some(c.to_string());
        }
        f.decimals = o.decimals.or(f.decimals);
        f.min = o.min.or(f.min);
        f.max = o.max.or(f.max);
        if let Some((mode, steps)) = &o.thresholds {
            (f.thresholds_mode, f.thresholds) = (*mode, steps.clone());
        }
        if let Some(m) = &o.mappings {
            f.mappings = m.clone();
        }
        if o.no_value.is_some() {
            f.no_value = o.no_value.clone();
        }
        if o.display_name.is_some() {
            look.name = o.display_name.clone();
        }
        look.hidden |= o.hidden;
    }
    look
}

/// A display name's `${__field.labels.x}`, `${__field.name}` and
/// `${__series.name}` filled from the series (Grafana's field variables);
/// anything else as written.
pub fn fill_display_name(template: &str, name: &str, labels: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let var = &rest[start + 2..start + end];
        match var.strip_prefix("__field.labels.") {
            Some(l) => out.push_str(labels.get(l).map_or("", String::as_str)),
            None if matches!(var, "__field.name" | "__series.name" | "__field.displayName") => out.push_str(name),
            None => out.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn matches(o: &Override, name: &str, ref_id: &str, ty: FieldType) -> bool {
    match o.matcher.as_str() {
        "byName" | "byDisplayName" => o.pattern == name,
        "byNames" => o.names.iter().any(|n| n == name),
        "byFrameRefID" => o.pattern == ref_id,
        "byType" => match o.pattern.as_str() {
            "number" => ty == FieldType::Number,
            "string" => ty == FieldType::String,
            _ => false,
        },
        "byRegexp" => {
            // Grafana takes `/pattern/flags` or a bare pattern, unanchored.
            let (pattern, insensitive) = match o.pattern.strip_prefix('/').and_then(|p| p.rsplit_once('/')) {
                Some((p, flags)) => (p, flags.contains('i')),
                None => (o.pattern.as_str(), false),
            };
            regex::RegexBuilder::new(pattern)
                .case_insensitive(insensitive)
                .size_limit(1 << 20)
                .build()
                .is_ok_and(|re| re.is_match(name))
        }
        _ => false,
    }
}

fn is_colour_mode(c: &str) -> bool {
    c == "thresholds"
        || c == "fixed"
        || c.starts_with("palette-")
        || c.starts_with("continuous-")
        || c.starts_with("shades")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{Mapping, Threshold};

    #[test]
    fn units_as_grafana_writes_them() {
        assert_eq!(format(42.0, Some("percent"), None), "42%");
        assert_eq!(format(0.423, Some("percentunit"), Some(1)), "42.3%");
        assert_eq!(format(0.25, Some("s"), None), "250 ms");
        assert_eq!(format(1500.0, Some("ms"), None), "1.5 s");
        assert_eq!(format(3.0 * 1024.0 * 1024.0, Some("bytes"), None), "3 MiB");
        assert_eq!(format(1234.0, Some("reqps"), Some(1)), "1.2 K req/s");
        assert_eq!(format(7.0, Some("short"), None), "7");
        assert_eq!(format(f64::NAN, Some("s"), None), "NaN");
        assert_eq!(format(2.0, Some("widgets"), None), "2 widgets");
    }

    #[test]
    fn mappings_then_thresholds() {
        let field = FieldConfig {
            thresholds: vec![
                Threshold { value: None, color: "green".into() },
                Threshold { value: Some(80.0), color: "red".into() },
            ],
            mappings: vec![Mapping {
                kind: MappingKind::Value { value: "0".into() },
                text: Some("down".into()),
                color: Some("dark-red".into()),
            }],
            unit: Some("percent".into()),
            ..FieldConfig::default()
        };
        assert_eq!(display(Some(0.0), &field), ("down".into(), Some("dark-red".into())));
        assert_eq!(display(Some(50.0), &field), ("50%".into(), Some("green".into())));
        assert_eq!(display(Some(95.0), &field), ("95%".into(), Some("red".into())));
        assert_eq!(display(None, &field).0, "No data");
    }

    #[test]
    fn overrides_set_a_series_unit_and_fixed_colour() {
        let field = FieldConfig { unit: Some("short".into()), ..FieldConfig::default() };
        let ov = |matcher: &str, pattern: &str, unit: Option<&str>, color: Option<&str>| Override {
            matcher: matcher.into(),
            pattern: pattern.into(),
            unit: unit.map(Into::into),
            color: color.map(Into::into),
            ..Override::default()
        };
        let overrides = [
            ov("byName", "p99", Some("ms"), Some("red")),
            ov("byRegexp", "/^P5/i", Some("s"), None),
            ov("byFrameRefID", "B", Some("bytes"), Some("thresholds")),
            ov("byValue", "x", Some("percent"), None),
        ];
        let n = FieldType::Number;
        let l = for_series(&field, &overrides, &["p99"], "A", n);
        assert_eq!((l.field.unit.as_deref(), l.color.as_deref()), (Some("ms"), Some("red")));
        let l = for_series(&field, &overrides, &["p50"], "A", n);
        assert_eq!((l.field.unit.as_deref(), l.color), (Some("s"), None), "a case-insensitive /regex/i");
        let l = for_series(&field, &overrides, &["p50"], "B", n);
        assert_eq!(
            (l.field.unit.as_deref(), l.color),
            (Some("bytes"), None),
            "the later wins; a colour mode is no colour"
        );
        let l = for_series(&field, &overrides, &["other"], "C", n);
        assert_eq!((l.field.unit.as_deref(), l.color), (Some("short"), None), "no match: the panel's own");
        let bad = [ov("byRegexp", "(", Some("ms"), None)];
        assert_eq!(
            for_series(&field, &bad, &["("], "A", n).field.unit.as_deref(),
            Some("short"),
            "an invalid regex matches nothing"
        );
    }

    #[test]
    fn overrides_rename_hide_and_change_decimals_thresholds_mappings_and_no_value() {
        let field = FieldConfig { decimals: Some(0), ..FieldConfig::default() };
        let overrides = [
            Override {
                matcher: "byNames".into(),
                names: vec!["Value #A".into(), "Value #B".into()],
                decimals: Some(2),
                display_name: Some("Read IOPS".into()),
                thresholds: Some((ThresholdMode::Absolute, vec![Threshold { value: None, color: "blue".into() }])),
                mappings: Some(vec![Mapping {
                    kind: MappingKind::Value { value: "7".into() },
                    text: Some("seven".into()),
                    color: None,
                }]),
                no_value: Some("–".into()),
                ..Override::default()
            },
            Override { matcher: "byType".into(), pattern: "string".into(), hidden: true, ..Override::default() },
        ];
        let l = for_series(&field, &overrides, &["Value #B"], "B", FieldType::Number);
        assert_eq!((l.name.as_deref(), l.field.decimals, l.hidden), (Some("Read IOPS"), Some(2), false));
        assert_eq!(display(Some(7.0), &l.field), ("seven".into(), Some("blue".into())));
        assert_eq!(display(Some(1.5), &l.field).0, "1.50");
        assert_eq!(display(None, &l.field).0, "–");
        let label = for_series(&field, &overrides, &["instance"], "A", FieldType::String);
        assert!(label.hidden && label.name.is_none(), "byType string: the label columns");
        let labels = [("instance".to_string(), "db-1".to_string())].into_iter().collect();
        assert_eq!(fill_display_name("${__field.labels.instance} ${__field.name} ${x}", "up", &labels), "db-1 up ${x}");
    }
}
