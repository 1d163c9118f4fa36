//! The log pipeline of a LogQL selector, run on one entry the way Loki's
//! `log.Pipeline` does: line filters on the line, `| json` extracting
//! labels, label filters over the stream labels, the structured metadata
//! and the extracted labels.
//!
//! `| json` follows Loki's `JSONParser`: nested objects are flattened with
//! `_` (`{"a":{"b":1}}` gives `a_b="1"`), keys are sanitized (characters
//! other than `[A-Za-z0-9_]` become `_`, a leading digit gets a `_`), a key
//! that is already a stream label gets the `_extracted` suffix, strings are
//! unescaped, numbers and booleans keep their text, `null` and arrays are
//! skipped. A line that is not a JSON object gets
//! `__error__="JSONParserErr"` and `__error_details__`, and is kept (a label
//! filter such as `| __error__=""` drops it). One difference: numbers are
//! printed by serde_json, so `1.50` reads back as `1.5`.

use regex::Regex;
use serde_json::Value as Json;

use super::am_matchers::AmMatcher;
use super::spec::Labels;

#[derive(Debug, Clone)]
pub(crate) enum LineFilter {
    Contains(String),
    NotContains(String),
    Re(Regex),
    NotRe(Regex),
}

impl LineFilter {
    fn matches(&self, line: &str) -> bool {
        match self {
            Self::Contains(s) => line.contains(s.as_str()),
            Self::NotContains(s) => !line.contains(s.as_str()),
            Self::Re(r) => r.is_match(line),
            Self::NotRe(r) => !r.is_match(line),
        }
    }
}

/// A label filter expression (`kind="declared"`, `a="1" and b!="2"`,
/// `a=~"x|y" or b="z"`): string matchers, anchored regexes, a missing label
/// being the empty string.
#[derive(Debug, Clone)]
pub(crate) enum LabelExpr {
    Match(AmMatcher),
    And(Box<LabelExpr>, Box<LabelExpr>),
    Or(Box<LabelExpr>, Box<LabelExpr>),
}

impl LabelExpr {
    fn eval(&self, get: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            Self::Match(m) => m.matches_value(get(&m.name).as_deref().unwrap_or("")),
            Self::And(a, b) => a.eval(get) && b.eval(get),
            Self::Or(a, b) => a.eval(get) || b.eval(get),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Stage {
    Line(LineFilter),
    Json,
    Label(LabelExpr),
}

/// Loki's suffix for an extracted label whose name is a stream label's.
const DUPLICATE_SUFFIX: &str = "_extracted";

/// The name under which a structured-metadata key is seen next to the
/// stream labels (`_extracted` when a stream label has that name, as
/// Loki's `LabelsBuilder` does).
pub(crate) fn metadata_name<'a>(stream: &Labels, name: &'a str) -> std::borrow::Cow<'a, str> {
    if stream.contains_key(name) { format!("{name}{DUPLICATE_SUFFIX}").into() } else { name.into() }
}

/// Runs `stages` on one entry: `None` when a filter drops it, otherwise
/// the labels the parsers extracted (empty without a parser).
pub(crate) fn run(stages: &[Stage], stream: &Labels, metadata: &Labels, line: &str) -> Option<Labels> {
    let mut parsed = Labels::new();
    for stage in stages {
        match stage {
            Stage::Line(f) if !f.matches(line) => return None,
            Stage::Line(_) => {}
            Stage::Json => parse_json(line, stream, &mut parsed),
            Stage::Label(e) => {
                let get = |name: &str| -> Option<String> {
                    if let Some(v) = parsed.get(name) {
                        return Some(v.clone());
                    }
                    let from_metadata = metadata.iter().find(|(k, _)| metadata_name(stream, k) == name);
                    from_metadata.map(|(_, v)| v.clone()).or_else(|| stream.get(name).cloned())
                };
                if !e.eval(&get) {
                    return None;
                }
            }
        }
    }
    Some(parsed)
}

fn parse_json(line: &str, stream: &Labels, out: &mut Labels) {
    match serde_json::from_str::<Json>(line) {
        Ok(Json::Object(map)) => flatten(&map, "", stream, out),
        Ok(_) => set_error(out, "Value is not an object"),
        Err(e) => set_error(out, &e.to_string()),
    }
}

fn set_error(out: &mut Labels, details: &str) {
    out.insert("__error__".into(), "JSONParserErr".into());
    out.insert("__error_details__".into(), details.into());
}

fn flatten(map: &serde_json::Map<String, Json>, prefix: &str, stream: &Labels, out: &mut Labels) {
    for (key, value) in map {
        let part = sanitize_key(key);
        if part.is_empty() {
            continue;
        }
        let name = if prefix.is_empty() { part } else { format!("{prefix}_{part}") };
        let text = match value {
            Json::Object(inner) => {
                flatten(inner, &name, stream, out);
                continue;
            }
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            Json::Null | Json::Array(_) => continue,
        };
        let name = if stream.contains_key(&name) { format!("{name}{DUPLICATE_SUFFIX}") } else { name };
        out.insert(name, text);
    }
}

/// Loki's `sanitizeLabelKey`: trimmed, `[A-Za-z0-9_]` kept, anything else
/// `_`, a `_` before a leading digit.
fn sanitize_key(key: &str) -> String {
    let key = key.trim();
    let mut out = String::with_capacity(key.len() + 1);
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::spec::labels;

    #[test]
    fn json_flattens_sanitizes_and_renames_like_loki() {
        let stream = labels(&[("app", "warroom")]);
        let line = r#"{"v":2,"kind":"note","app":"x","origin":{"host-name":"b1","port":22},"ok":true,"n":null,"a":[1],"1st":"y"}"#;
        let parsed = run(&[Stage::Json], &stream, &Labels::new(), line).expect("kept");
        let expected = labels(&[
            ("v", "2"),
            ("kind", "note"),
            ("app_extracted", "x"),
            ("origin_host_name", "b1"),
            ("origin_port", "22"),
            ("ok", "true"),
            ("_1st", "y"),
        ]);
        assert_eq!(parsed, expected);
    }

    #[test]
    fn invalid_json_is_kept_with_an_error_label() {
        let parsed = run(&[Stage::Json], &Labels::new(), &Labels::new(), "not json").expect("kept");
        assert_eq!(parsed.get("__error__").map(String::as_str), Some("JSONParserErr"));
        assert!(parsed.contains_key("__error_details__"));
        let drop_errors = Stage::Label(LabelExpr::Match(AmMatcher::new("__error__", "", false, true).expect("m")));
        assert!(run(&[Stage::Json, drop_errors], &Labels::new(), &Labels::new(), "[1]").is_none());
    }

    #[test]
    fn label_filters_see_stream_labels_metadata_and_parsed_labels() {
        let m = |n: &str, v: &str| LabelExpr::Match(AmMatcher::new(n, v, false, true).expect("m"));
        let stream = labels(&[("app", "warroom")]);
        let meta = labels(&[("author", "alice")]);
        let line = r#"{"kind":"declared"}"#;
        let all = LabelExpr::And(Box::new(m("kind", "declared")), Box::new(m("author", "alice")));
        assert!(run(&[Stage::Json, Stage::Label(all)], &stream, &meta, line).is_some());
        let either = LabelExpr::Or(Box::new(m("kind", "resolved")), Box::new(m("app", "warroom")));
        assert!(run(&[Stage::Json, Stage::Label(either)], &stream, &meta, line).is_some());
        assert!(run(&[Stage::Label(m("kind", "declared"))], &stream, &meta, line).is_none(), "no parser, no kind");
        let contains = Stage::Line(LineFilter::Contains("declared".into()));
        assert!(run(&[contains], &stream, &meta, line).is_some());
    }
}
