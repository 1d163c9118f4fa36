//! An alert list's label filter, written as Grafana's panel takes it:
//! `severity=critical`, `{severity="critical", team=~"db.*"}`, with `=`,
//! `!=`, `=~`, `!~` and values quoted or bare.

use crate::model::Matcher;

/// The matchers of `text` (none for an empty filter), or why it is no filter.
pub(crate) fn parse(text: &str) -> Result<Vec<Matcher>, String> {
    let inner = text.trim();
    let inner = inner.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(inner);
    let mut out = Vec::new();
    for part in split(inner)? {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let at = part.find(['=', '!']).ok_or_else(|| format!("no operator in {part:?}"))?;
        let (name, rest) = part.split_at(at);
        let (op, value) = ["=~", "!~", "!=", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)))
            .ok_or_else(|| format!("no operator in {part:?}"))?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("{name:?} is no label name"));
        }
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value
                .strip_prefix(q)
                .and_then(|v| v.strip_suffix(q))
                .ok_or_else(|| format!("unclosed quote in {part:?}"))?,
            _ => value,
        };
        let is_regex = op.ends_with('~');
        if is_regex && regex::Regex::new(value).is_err() {
            return Err(format!("invalid regex {value:?}"));
        }
        out.push(Matcher { name: name.into(), value: value.into(), is_regex, is_equal: op.starts_with('=') });
    }
    Ok(out)
}

/// Splits on commas outside quotes.
fn split(s: &str) -> Result<Vec<&str>, String> {
    let (mut out, mut start, mut quote) = (Vec::new(), 0, None);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    out.push(&s[start..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grafanas_filter_forms() {
        let m = parse(r#"{severity="critical", team=~"db.*", env!='dev, test'}"#).unwrap();
        let shown: Vec<String> = m.iter().map(|m| format!("{}{}{}", m.name, m.operator(), m.value)).collect();
        assert_eq!(shown, ["severity=critical", "team=~db.*", "env!=dev, test"]);
        assert_eq!(parse("severity=warning").unwrap()[0].value, "warning");
        assert!(parse("").unwrap().is_empty());
        assert!(parse("  ").unwrap().is_empty());
        assert!(parse("severity").unwrap_err().contains("no operator"));
        assert!(parse(r#"a="x"#).unwrap_err().contains("unclosed"));
        assert!(parse("a=~(").unwrap_err().contains("invalid regex"));
        assert!(parse("a-b=c").unwrap_err().contains("no label name"));
    }
}
