//! Alertmanager label matchers: the `filter` query syntax (`name=~"re"`,
//! `{a="b",c!="d"}`) and the silence API form, with Alertmanager's
//! semantics (regexes fully anchored, a missing label is the empty string).

use regex::Regex;
use serde_json::{Value as Json, json};

use super::spec::Labels;

#[derive(Debug, Clone)]
pub(crate) enum Op {
    Eq,
    Ne,
    Re(Regex),
    NotRe(Regex),
}

#[derive(Debug, Clone)]
pub(crate) struct AmMatcher {
    pub name: String,
    pub value: String,
    pub op: Op,
}

impl PartialEq for AmMatcher {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.value == o.value
            && self.is_regex() == o.is_regex()
            && self.is_equal() == o.is_equal()
    }
}

impl AmMatcher {
    pub(crate) fn new(name: &str, value: &str, is_regex: bool, is_equal: bool) -> Result<AmMatcher, String> {
        let op = match (is_regex, is_equal) {
            (false, true) => Op::Eq,
            (false, false) => Op::Ne,
            (true, eq) => {
                let re = Regex::new(&format!("^(?:{value})$"))
                    .map_err(|e| format!("invalid regular expression {value:?}: {e}"))?;
                if eq { Op::Re(re) } else { Op::NotRe(re) }
            }
        };
        Ok(AmMatcher { name: name.to_string(), value: value.to_string(), op })
    }

    pub(crate) fn is_regex(&self) -> bool {
        matches!(self.op, Op::Re(_) | Op::NotRe(_))
    }

    pub(crate) fn is_equal(&self) -> bool {
        matches!(self.op, Op::Eq | Op::Re(_))
    }

    pub(crate) fn matches_value(&self, v: &str) -> bool {
        match &self.op {
            Op::Eq => v == self.value,
            Op::Ne => v != self.value,
            Op::Re(r) => r.is_match(v),
            Op::NotRe(r) => !r.is_match(v),
        }
    }

    pub(crate) fn matches(&self, labels: &Labels) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }

    pub(crate) fn to_json(&self) -> Json {
        json!({"isEqual": self.is_equal(), "isRegex": self.is_regex(), "name": self.name, "value": self.value})
    }
}

/// Parses one `filter` parameter, which may hold several comma-separated
/// matchers, optionally in braces (`labels.ParseMatchers`).
pub(crate) fn parse_matchers(input: &str) -> Result<Vec<AmMatcher>, String> {
    let s = input.trim();
    let s = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(s);
    let mut out = Vec::new();
    let (mut start, mut in_quotes, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            '\\' if in_quotes => escaped = !escaped,
            '"' if !escaped => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                out.push(parse_matcher(&s[start..i])?);
                start = i + 1;
            }
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    if !s[start..].trim().is_empty() || out.is_empty() {
        out.push(parse_matcher(&s[start..])?);
    }
    Ok(out)
}

fn parse_matcher(s: &str) -> Result<AmMatcher, String> {
    let s = s.trim();
    let name_len = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(s.len());
    let (name, rest) = s.split_at(name_len);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("bad matcher format: {s}"));
    }
    let rest = rest.trim_start();
    let (is_regex, is_equal, value) = if let Some(v) = rest.strip_prefix("=~") {
        (true, true, v)
    } else if let Some(v) = rest.strip_prefix("!~") {
        (true, false, v)
    } else if let Some(v) = rest.strip_prefix("!=") {
        (false, false, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (false, true, v)
    } else {
        return Err(format!("bad matcher format: {s}"));
    };
    let raw = value.trim();
    let unquoted =
        if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') { &raw[1..raw.len() - 1] } else { raw };
    let mut value = String::with_capacity(unquoted.len());
    let mut chars = unquoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => value.push('\n'),
                Some(other) => value.push(other),
                None => value.push('\\'),
            },
            '"' => {
                return Err(format!("matcher value contains unescaped double quote: {raw}"));
            }
            _ => value.push(c),
        }
    }
    AmMatcher::new(name, &value, is_regex, is_equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::spec::labels;

    #[test]
    fn parses_the_filter_forms() {
        let ms = parse_matchers(r#"{alertname="DatabaseDown", severity=~"crit.*"}"#).expect("parse");
        assert_eq!(ms.len(), 2);
        let l = labels(&[("alertname", "DatabaseDown"), ("severity", "critical")]);
        assert!(ms.iter().all(|m| m.matches(&l)));
        let ne = parse_matchers("service!=api").expect("parse");
        assert!(!ne[0].matches(&labels(&[("service", "api")])));
        assert!(ne[0].matches(&labels(&[])));
        let commas = parse_matchers(r#"msg="a,b""#).expect("parse");
        assert_eq!(commas[0].value, "a,b");
    }

    #[test]
    fn errors_like_alertmanager() {
        let err = parse_matchers(r#"alertname=~"(["#).unwrap_err();
        assert_eq!(err, r#"matcher value contains unescaped double quote: "(["#);
        assert!(parse_matchers("=x").is_err());
        assert!(parse_matchers(r#"a=~"(""#).unwrap_err().contains("regular expression"));
    }

    #[test]
    fn regexes_are_anchored() {
        let m = AmMatcher::new("severity", "page|critical", true, true).expect("valid");
        assert!(m.matches_value("critical"));
        assert!(!m.matches_value("critical2"));
    }
}
