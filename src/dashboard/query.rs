//! A query variable's definition (`label_values(up, job)`…) in a typed form,
//! and the Prometheus API request that answers it.

pub use crate::model::dashboard::VarQuery;

/// The request to Prometheus' HTTP API that answers a [`VarQuery`]: path and
/// query parameters (the caller URL-encodes and sends them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub path: String,
    pub params: Vec<(String, String)>,
}

impl VarQuery {
    /// Parses a definition; `None` for anything else (the variable then keeps
    /// its saved value).
    pub fn parse(definition: &str) -> Option<Self> {
        let d = definition.trim();
        let (func, args) = call(d)?;
        let args = split_args(args)?;
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        match (func, args.as_slice()) {
            ("label_values", [label]) if is_label(label) => {
                Some(Self::LabelValues { label: label.to_string(), selector: None })
            }
            ("label_values", [selector, label]) if is_label(label) && !selector.is_empty() => {
                Some(Self::LabelValues { label: label.to_string(), selector: Some(selector.to_string()) })
            }
            ("label_names", []) => Some(Self::LabelNames { selector: None }),
            ("label_names", [selector]) => Some(Self::LabelNames { selector: nonempty(selector) }),
            ("query_result", [_, ..]) => {
                Some(Self::QueryResult { expr: args.join(", ") }).filter(|_| !args[0].is_empty())
            }
            ("metrics", [regex]) => Some(Self::Metrics { regex: regex.to_string() }),
            ("metrics", []) => Some(Self::Metrics { regex: String::new() }),
            _ => None,
        }
    }

    /// The API call, once variables in the definition are filled.
    pub fn request(&self) -> ApiRequest {
        let matches = |s: &Option<String>| s.iter().map(|m| ("match[]".to_string(), m.clone())).collect();
        match self {
            Self::LabelValues { label, selector } => {
                ApiRequest { path: format!("/api/v1/label/{label}/values"), params: matches(selector) }
            }
            Self::LabelNames { selector } => ApiRequest { path: "/api/v1/labels".into(), params: matches(selector) },
            Self::QueryResult { expr } => {
                ApiRequest { path: "/api/v1/query".into(), params: vec![("query".into(), expr.clone())] }
            }
            // Filtered here by `regex`: Prometheus has no regex on names.
            Self::Metrics { .. } => ApiRequest { path: "/api/v1/label/__name__/values".into(), params: Vec::new() },
        }
    }
}

/// `name(args)` → (`name`, `args`).
fn call(s: &str) -> Option<(&str, &str)> {
    let open = s.find('(')?;
    let inner = s[open + 1..].strip_suffix(')')?;
    Some((s[..open].trim(), inner))
}

/// Splits at top-level commas (not inside `{}`, `()`, `[]` or quotes);
/// `None` when the brackets or quotes do not balance.
fn split_args(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut quote, mut escaped) = (0i32, 0, None, false);
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    if depth != 0 || quote.is_some() {
        return None;
    }
    let last = s[start..].trim();
    if !(out.is_empty() && last.is_empty()) {
        out.push(last);
    }
    Some(out)
}

/// A Prometheus label name: it goes into the URL path.
fn is_label(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(label: &str, selector: Option<&str>) -> Option<VarQuery> {
        Some(VarQuery::LabelValues { label: label.into(), selector: selector.map(Into::into) })
    }

    #[test]
    fn label_values_with_and_without_a_metric() {
        assert_eq!(VarQuery::parse("label_values(job)"), lv("job", None));
        assert_eq!(VarQuery::parse(" label_values(node_uname_info, job) "), lv("job", Some("node_uname_info")));
        assert_eq!(
            VarQuery::parse(r#"label_values(node_uname_info{job="$job", x=~"a,b"}, instance)"#),
            lv("instance", Some(r#"node_uname_info{job="$job", x=~"a,b"}"#))
        );
    }

    #[test]
    fn the_other_functions() {
        assert_eq!(
            VarQuery::parse("query_result(topk(5, sum by (job) (up)))"),
            Some(VarQuery::QueryResult { expr: "topk(5, sum by (job) (up))".into() })
        );
        assert_eq!(VarQuery::parse("metrics(node_.*)"), Some(VarQuery::Metrics { regex: "node_.*".into() }));
        assert_eq!(VarQuery::parse("label_names()"), Some(VarQuery::LabelNames { selector: None }));
    }

    #[test]
    fn anything_else_is_not_understood() {
        for bad in [
            "",
            "up",
            "label_values()",
            "label_values(up, bad-label)",
            "label_values(up{, job)",
            "foo(x)",
            "label_values(up, job",
        ] {
            assert_eq!(VarQuery::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn requests_name_the_prometheus_api() {
        let r = VarQuery::parse("label_values(node_uname_info, job)").unwrap().request();
        assert_eq!(r.path, "/api/v1/label/job/values");
        assert_eq!(r.params, vec![("match[]".to_string(), "node_uname_info".to_string())]);
        assert_eq!(VarQuery::parse("label_values(job)").unwrap().request().params, vec![]);
        let q = VarQuery::parse("query_result(up)").unwrap().request();
        assert_eq!((q.path.as_str(), q.params[0].1.as_str()), ("/api/v1/query", "up"));
        assert_eq!(VarQuery::parse("metrics(x)").unwrap().request().path, "/api/v1/label/__name__/values");
    }
}
