//! The LogQL stream selector for an alert: its labels that Loki also knows,
//! picked through a configurable template, values escaped for LogQL.

use crate::model::Labels;

pub use crate::model::logs::DEFAULT_TEMPLATE;

/// Builds `{service="api", namespace="prod"}` from the alert's labels.
///
/// Each template entry is a label name (`service`), or `loki=alert`
/// (`namespace=kubernetes_namespace`) when the two sides spell it
/// differently. An entry is used when Loki knows the label (`loki_labels`,
/// from `/loki/api/v1/labels`) and the alert has a non-empty value for it:
/// asking Loki for a label it does not index would match nothing. `None`
/// when no entry applies: there is no selector that would not be a guess.
pub fn selector_for(alert_labels: &Labels, loki_labels: &[String], template: &[String]) -> Option<String> {
    let mut matchers: Vec<String> = Vec::new();
    for entry in template {
        let (loki, alert) = entry.split_once('=').map(|(l, a)| (l.trim(), a.trim())).unwrap_or((entry, entry));
        if !is_label_name(loki) || !loki_labels.iter().any(|l| l == loki) {
            continue;
        }
        let Some(value) = alert_labels.get(alert).filter(|v| !v.is_empty()) else {
            continue;
        };
        let m = format!("{loki}=\"{}\"", escape(value));
        if !matchers.contains(&m) {
            matchers.push(m);
        }
    }
    if matchers.is_empty() { None } else { Some(format!("{{{}}}", matchers.join(", "))) }
}

/// Escapes a value for a LogQL double-quoted string (Go syntax): backslash
/// and quote, and control characters, which would otherwise end the query or
/// change its meaning.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`, what Loki accepts as a label name.
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn default_template() -> Vec<String> {
        strings(DEFAULT_TEMPLATE)
    }

    #[test]
    fn picks_alert_labels_loki_knows_in_template_order() {
        let alert = labels(&[("alertname", "HighErrorRate"), ("service", "api"), ("job", "api"), ("env", "prod")]);
        let loki = strings(&["job", "service", "filename"]);
        assert_eq!(selector_for(&alert, &loki, &default_template()).as_deref(), Some(r#"{service="api", job="api"}"#));
    }

    #[test]
    fn none_when_nothing_applies() {
        let alert = labels(&[("alertname", "X"), ("service", "api")]);
        assert_eq!(selector_for(&alert, &strings(&["job"]), &default_template()), None);
        assert_eq!(selector_for(&alert, &strings(&["service"]), &[]), None);
        let empty_value = labels(&[("service", "")]);
        assert_eq!(selector_for(&empty_value, &strings(&["service"]), &default_template()), None);
    }

    #[test]
    fn renamed_labels_and_invalid_names() {
        let alert = labels(&[("kubernetes_namespace", "prod"), ("bad-name", "x")]);
        let loki = strings(&["namespace", "bad-name"]);
        let template = strings(&["namespace=kubernetes_namespace", "bad-name"]);
        assert_eq!(selector_for(&alert, &loki, &template).as_deref(), Some(r#"{namespace="prod"}"#));
    }

    #[test]
    fn values_are_escaped() {
        let alert = labels(&[("job", "a\"b\\c\nd\u{1}")]);
        let sel = selector_for(&alert, &strings(&["job"]), &strings(&["job"])).unwrap();
        assert_eq!(sel, r#"{job="a\"b\\c\nd\u0001"}"#);
    }

    #[test]
    fn label_names() {
        assert!(is_label_name("_a1") && is_label_name("service"));
        assert!(!is_label_name("1a") && !is_label_name("") && !is_label_name("a-b") && !is_label_name("é"));
    }
}
