//! Loki 3's `discover_log_levels` (on by default): every pushed entry gets
//! a `detected_level` structured-metadata label, from a level label or
//! metadata field, from a level field of a JSON or logfmt line, or from
//! words in the line, `unknown` when nothing says (the distributor's
//! `FieldDetector`). A reader of pushed lines therefore sees a metadata key
//! it did not push.

use serde_json::Value as Json;

use super::spec::Labels;

pub(crate) const LEVEL_LABEL: &str = "detected_level";

/// The field names a level is read from (`log_level_fields`' default).
const LEVEL_FIELDS: &[&str] = &[
    "level",
    "LEVEL",
    "Level",
    "log.level",
    "severity",
    "SEVERITY",
    "Severity",
    "SeverityText",
    "lvl",
    "LVL",
    "Lvl",
    "severity_text",
    "Severity_Text",
    "SEVERITY_TEXT",
];

/// Adds `detected_level` to `metadata` (or normalizes the one pushed).
pub(crate) fn add_detected_level(stream: &Labels, metadata: &mut Labels, line: &str) {
    if let Some(v) = metadata.get_mut(LEVEL_LABEL) {
        *v = normalize(v).unwrap_or_else(|| v.clone());
        return;
    }
    let from = |l: &Labels| LEVEL_FIELDS.iter().find_map(|f| l.get(*f).filter(|v| !v.is_empty()).cloned());
    let level = match from(stream).or_else(|| from(metadata)) {
        Some(v) => normalize(&v).unwrap_or(v),
        None => from_line(line),
    };
    metadata.insert(LEVEL_LABEL.into(), level);
}

/// The standard spelling of a known level, case-insensitively.
fn normalize(v: &str) -> Option<String> {
    let level = match v.to_ascii_lowercase().as_str() {
        "trace" | "trc" => "trace",
        "debug" | "dbg" => "debug",
        "info" | "inf" | "information" => "info",
        "warn" | "wrn" | "warning" => "warn",
        "error" | "err" => "error",
        "critical" => "critical",
        "fatal" => "fatal",
        _ => return None,
    };
    Some(level.into())
}

fn from_line(line: &str) -> String {
    let trimmed = line.trim();
    let field = if trimmed.starts_with('{') && trimmed.ends_with('}') {
        serde_json::from_str::<Json>(trimmed).ok().and_then(|v| json_level(&v, 0))
    } else if line.contains('=') {
        logfmt_level(line)
    } else {
        return from_words(line);
    };
    field.and_then(|v| normalize(&v)).unwrap_or_else(|| from_words(line))
}

/// A string level field in the first two levels of a JSON object.
fn json_level(v: &Json, depth: usize) -> Option<String> {
    let Json::Object(map) = v else { return None };
    if depth >= 2 {
        return None;
    }
    for (k, v) in map {
        match v {
            Json::String(s) if LEVEL_FIELDS.contains(&k.as_str()) => return Some(s.clone()),
            Json::Object(_) => {
                if let Some(found) = json_level(v, depth + 1) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// The value of the first level key (case-insensitive) of a logfmt line.
fn logfmt_level(line: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for pair in line.split_whitespace() {
        let Some((k, v)) = pair.split_once('=') else { continue };
        let Some(rank) = LEVEL_FIELDS.iter().position(|f| f.eq_ignore_ascii_case(k)) else { continue };
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, v.trim_matches('"').to_string()));
        }
    }
    best.map(|(_, v)| v)
}

/// `detectLevelFromLogLine`: words in the line, in Loki's order.
fn from_words(line: &str) -> String {
    let any = |words: &[&str]| words.iter().any(|w| line.contains(w));
    let level = if any(&["info", "INFO"]) {
        "info"
    } else if any(&["err:", "ERR:", "[err]", "[ERR]", "[error]", "[ERROR]"]) {
        "error"
    } else if any(&["warn:", "WARN:", "[warn]", "[WARN]", "warning", "WARNING"]) {
        "warn"
    } else if any(&["critical:", "CRITICAL:", "[critical]", "[CRITICAL]"]) {
        "critical"
    } else if any(&["debug", "DEBUG"]) {
        "debug"
    } else {
        "unknown"
    };
    level.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::spec::labels;

    fn level(stream: &[(&str, &str)], meta: &[(&str, &str)], line: &str) -> String {
        let stream = labels(stream);
        let mut meta = labels(meta);
        add_detected_level(&stream, &mut meta, line);
        meta[LEVEL_LABEL].clone()
    }

    #[test]
    fn levels_come_from_labels_metadata_fields_or_words() {
        assert_eq!(level(&[("level", "WARNING")], &[], "x"), "warn");
        assert_eq!(level(&[], &[("severity", "Err")], "x"), "error");
        assert_eq!(level(&[], &[("detected_level", "INFO")], "x"), "info");
        assert_eq!(level(&[], &[], r#"{"msg":"x","meta":{"level":"debug"}}"#), "debug");
        assert_eq!(level(&[], &[], "ts=1 lvl=fatal msg=boom"), "fatal");
        assert_eq!(level(&[], &[], r#"{"v":2,"kind":"note","text":"[ERROR] db"}"#), "error");
        assert_eq!(level(&[], &[], r#"{"v":2,"kind":"note","text":"failover done"}"#), "unknown");
        assert_eq!(level(&[], &[], "see the information page"), "info");
        assert_eq!(level(&[("level", "notice")], &[], "x"), "notice", "unknown values are kept");
    }
}
