//! Reading Grafana's loose JSON: typed getters that clean and cap strings,
//! and the collector of diagnostics.

use serde_json::{Map, Value};

use super::{Diagnostic, MAX_LONG_TEXT, MAX_TEXT, Severity};

/// The diagnostics of one parse, and the panel budget left.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    pub diags: Vec<Diagnostic>,
    pub panels: usize,
    /// The dashboard's variables, for checking queries filled with them.
    pub vars: Vec<super::model::Variable>,
}

impl Ctx {
    pub fn warn(&mut self, path: &str, reason: impl Into<String>) {
        self.push(Severity::Warning, path, reason);
    }

    pub fn note(&mut self, path: &str, reason: impl Into<String>) {
        self.push(Severity::Note, path, reason);
    }

    pub fn error(&mut self, path: &str, reason: impl Into<String>) {
        self.push(Severity::Error, path, reason);
    }

    fn push(&mut self, severity: Severity, path: &str, reason: impl Into<String>) {
        let reason = crate::text::clean(&reason.into()).chars().take(MAX_TEXT).collect();
        self.diags.push(Diagnostic { severity, path: clean(path), reason });
    }

    /// Notes every key of `obj` that is neither `used` nor `quiet` (keys
    /// that change nothing in a terminal, such as `editable` or `gnetId`):
    /// Grafana ignores fields it does not know too (a removed plugin's, an
    /// older version's), so an unknown one is a note, not a warning.
    pub fn unknown_keys(&mut self, obj: &Map<String, Value>, path: &str, used: &[&str], quiet: &[&str]) {
        for key in obj.keys() {
            if !used.contains(&key.as_str()) && !quiet.contains(&key.as_str()) {
                self.note(&self::key(path, key), "unknown field, ignored");
            }
        }
    }
}

/// `path.a.b` for a literal relative path `a.b` written in our code.
pub(crate) fn join(path: &str, rel: &str) -> String {
    rel.split('.').fold(path.to_string(), |p, k| key(&p, k))
}

/// `path.key`, or `key` at the root, for one key from the file: a key that
/// is not an identifier (`panel-1`, `a.b`) is quoted.
pub(crate) fn key(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let key = if plain { key.to_string() } else { format!("[{:?}]", clean(key)) };
    match (path.is_empty(), plain) {
        (true, _) => key,
        (false, true) => format!("{path}.{key}"),
        (false, false) => format!("{path}{key}"),
    }
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// Clean, single line, at most [`MAX_TEXT`] characters.
pub(crate) fn clean(s: &str) -> String {
    crate::text::clean(s).chars().take(MAX_TEXT).collect()
}

/// Clean with its newlines, at most [`MAX_LONG_TEXT`] characters.
pub(crate) fn clean_long(s: &str) -> String {
    crate::text::clean_multiline(s).chars().take(MAX_LONG_TEXT).collect()
}

pub(crate) fn str_of(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(clean)
}

pub(crate) fn bool_of(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A number Grafana may write as a number or a numeric string.
pub(crate) fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
        _ => None,
    }
}

/// Any scalar as text (a mapping's value may be `1` or `"1"`).
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(clean(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string or a list of strings, as a list (a variable's `current.value`).
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(scalar_text).take(super::MAX_ITEMS).collect(),
        Some(v) => scalar_text(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A datasource reference: `"Prometheus"`, `{"type": "prometheus", "uid": …}`.
pub(crate) fn datasource(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(clean(s)),
        Value::Object(o) => str_of(o, "type").or_else(|| str_of(o, "uid")).or_else(|| str_of(o, "name")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_json_paths() {
        assert_eq!(join("", "panels"), "panels");
        assert_eq!(join("panels[3]", "fieldConfig"), "panels[3].fieldConfig");
        assert_eq!(key("spec.elements", "panel-1"), "spec.elements[\"panel-1\"]");
        assert_eq!(key("a", "b.c"), "a[\"b.c\"]");
        assert_eq!(join("panels[0]", "fieldConfig.defaults"), "panels[0].fieldConfig.defaults");
        assert_eq!(index("panels", 2), "panels[2]");
    }

    #[test]
    fn strings_are_cleaned_and_capped() {
        assert_eq!(clean("a\u{1b}]0;x\u{7}b"), "ab");
        assert_eq!(clean(&"x".repeat(MAX_TEXT * 2)).len(), MAX_TEXT);
        assert_eq!(num(&Value::from("80")), Some(80.0));
        assert_eq!(num(&Value::from("NaN")), None);
    }
}
