//! Template variables in queries, the way Grafana's Prometheus datasource
//! fills them: `$var`, `${var}`, `${var:format}`, `[[var]]`, and the
//! built-ins `$__interval`, `$__rate_interval`, `$__range`…
//!
//! A multi-value or All selection becomes a regex alternation `(a|b)` with
//! each value regex-escaped for a PromQL string (`a.b` → `a\\.b`), unless
//! the variable has an `allValue` (taken as written, e.g. `.*`).

use std::collections::BTreeMap;

use super::model::Variable;

/// What a variable stands for now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Value {
    /// The selected values (`$__all` for All).
    pub selected: Vec<String>,
    /// Whether it is multi-value or has All (then values are regex-escaped).
    pub regex: bool,
    pub all_value: Option<String>,
    /// What All expands to without an `allValue`.
    pub options: Vec<String>,
}

impl Value {
    pub fn of(var: &Variable) -> Self {
        Self {
            selected: var.current.clone(),
            regex: var.multi || var.include_all,
            all_value: var.all_value.clone(),
            options: var.options.clone(),
        }
    }

    fn values(&self) -> Vec<String> {
        if self.is_all() {
            return self.options.clone();
        }
        self.selected.clone()
    }

    fn is_all(&self) -> bool {
        self.selected.iter().any(|s| s == "$__all")
    }
}

/// The variables by name, and the built-ins of the current view.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub vars: BTreeMap<String, Value>,
    pub builtins: Builtins,
}

impl Scope {
    pub fn new(vars: &[Variable], builtins: Builtins) -> Self {
        Self { vars: vars.iter().map(|v| (v.name.clone(), Value::of(v))).collect(), builtins }
    }

    /// The variables a repeated copy is bound to, each to its one value
    /// (as multi-value still: regex-escaped in a query, as Grafana does).
    pub fn bind(mut self, bound: &[(String, String)]) -> Self {
        for (name, value) in bound {
            self.vars.entry(name.clone()).or_default().selected = vec![value.clone()];
        }
        self
    }
}

/// `$__interval` and friends, computed from the view's range and width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builtins {
    pub interval_ms: u64,
    pub rate_interval_ms: u64,
    pub range_ms: u64,
}

impl Default for Builtins {
    /// A 6-hour range, 15 s scrapes, 1000 points.
    fn default() -> Self {
        Self::new(6 * 3_600_000, 1000, 15_000)
    }
}

impl Builtins {
    /// Grafana's rules: the interval is the range over the points, at least
    /// the scrape interval; `$__rate_interval` is max(interval + scrape, 4 × scrape).
    pub fn new(range_ms: u64, points: u64, scrape_ms: u64) -> Self {
        let interval = (range_ms / points.max(1)).max(scrape_ms).max(1);
        Self { interval_ms: interval, rate_interval_ms: (interval + scrape_ms).max(4 * scrape_ms), range_ms }
    }

    fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "__interval" => duration(self.interval_ms),
            "__interval_ms" => self.interval_ms.to_string(),
            "__rate_interval" => duration(self.rate_interval_ms),
            "__range" => duration(self.range_ms),
            "__range_s" => (self.range_ms / 1000).to_string(),
            "__range_ms" => self.range_ms.to_string(),
            _ => return None,
        })
    }
}

/// A PromQL duration in its largest exact unit: `15s`, `1m`, `6h`, `250ms`.
pub fn duration(ms: u64) -> String {
    const UNITS: &[(u64, &str)] = &[(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")];
    UNITS
        .iter()
        .find(|(n, _)| ms >= *n && ms.is_multiple_of(*n))
        .map_or_else(|| format!("{ms}ms"), |(n, u)| format!("{}{u}", ms / n))
}

/// `6h`, `30m`, `7d`, `1w`, `1M`, `1y` (a `/d` rounding is ignored) in seconds.
pub fn parse_span(s: &str) -> Option<u64> {
    let s = s.split('/').next()?.trim();
    let unit_at = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = s[..unit_at].parse().ok()?;
    let mult = match &s[unit_at..] {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "M" => 30 * 86_400,
        "y" => 365 * 86_400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|s| (1..=5 * 365 * 86_400).contains(s))
}

/// Fills every known variable of `query`; unknown ones stay as written.
pub fn interpolate(query: &str, scope: &Scope) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(pos) = rest.find(['$', '[']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        match reference(rest).and_then(|(len, name, fmt)| Some((len, expand(name, fmt, scope)?))) {
            Some((len, text)) => {
                out.push_str(&text);
                rest = &rest[len..];
            }
            None => {
                let c = rest.chars().next().map_or(1, char::len_utf8);
                out.push_str(&rest[..c]);
                rest = &rest[c..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names a query refers to (`$a`, `${b:csv}`, `[[c]]`), built-ins
/// included, in order, each once.
pub fn references(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = query;
    while let Some(pos) = rest.find(['$', '[']) {
        rest = &rest[pos..];
        let len = match reference(rest) {
            Some((len, name, _)) => {
                if !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
                len
            }
            None => 1,
        };
        rest = &rest[len..];
    }
    out
}

/// Whether `name` is one of Grafana's built-ins that [`interpolate`] fills.
pub fn is_builtin(name: &str) -> bool {
    Builtins::default().get(name).is_some()
}

/// A reference at the start of `s`: its length, name and format.
fn reference(s: &str) -> Option<(usize, &str, Option<&str>)> {
    let ident = |t: &str| t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(t.len());
    if let Some(body) = s.strip_prefix("${") {
        let end = body.find('}')?;
        let (name, fmt) = split_format(&body[..end]);
        return (!name.is_empty() && ident(name) == name.len()).then_some((end + 3, name, fmt));
    }
    if let Some(body) = s.strip_prefix("[[") {
        let end = body.find("]]")?;
        let (name, fmt) = split_format(&body[..end]);
        return (!name.is_empty() && ident(name) == name.len()).then_some((end + 4, name, fmt));
    }
    let body = s.strip_prefix('$')?;
    let n = ident(body);
    (n > 0).then_some((n + 1, &body[..n], None))
}

fn split_format(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once(':') {
        Some((name, fmt)) => (name, Some(fmt)),
        None => (inner, None),
    }
}

fn expand(name: &str, fmt: Option<&str>, scope: &Scope) -> Option<String> {
    if let Some(b) = scope.builtins.get(name) {
        return Some(b);
    }
    let var = scope.vars.get(name)?;
    if let Some(all) = var.all_value.as_ref().filter(|_| var.is_all() && fmt.is_none()) {
        return Some(all.clone());
    }
    let values = var.values();
    Some(match fmt {
        None if var.regex => alternation(&values),
        None | Some("raw" | "text") => values.join(","),
        Some("regex") => alternation(&values),
        Some("pipe") => values.join("|"),
        Some("csv") => values.join(","),
        Some("glob") if values.len() > 1 => format!("{{{}}}", values.join(",")),
        Some("glob") => values.join(","),
        Some("json") => serde_json::to_string(&values).unwrap_or_default(),
        Some("doublequote") => values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(","),
        Some("singlequote") => values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(","),
        Some(_) if var.regex => alternation(&values),
        Some(_) => values.join(","),
    })
}

/// One escaped value, or `(a|b)` for several.
fn alternation(values: &[String]) -> String {
    let escaped: Vec<String> = values.iter().map(|v| regex_escape(v)).collect();
    match escaped.as_slice() {
        [one] => one.clone(),
        many => format!("({})", many.join("|")),
    }
}

/// Escapes regex metacharacters for a regex inside a PromQL string (the
/// backslash doubled, as the string literal takes one away).
pub fn regex_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if c == '\\' {
            out.push_str("\\\\\\\\");
        } else if "$^*+?.()|[]{}'".contains(c) {
            out.push_str("\\\\");
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(vars: &[(&str, &[&str], bool)]) -> Scope {
        let mut s = Scope::default();
        for (name, values, regex) in vars {
            let value = Value {
                selected: values.iter().map(|v| v.to_string()).collect(),
                regex: *regex,
                all_value: None,
                options: vec!["a".into(), "b.c".into()],
            };
            s.vars.insert(name.to_string(), value);
        }
        s
    }

    #[test]
    fn every_reference_form_is_filled() {
        let s = scope(&[("job", &["node"], false)]);
        assert_eq!(interpolate(r#"up{job="$job"}"#, &s), r#"up{job="node"}"#);
        assert_eq!(interpolate(r#"up{job="${job}"}"#, &s), r#"up{job="node"}"#);
        assert_eq!(interpolate(r#"up{job="[[job]]"}"#, &s), r#"up{job="node"}"#);
        assert_eq!(interpolate("${job}_x $jobs", &s), "node_x $jobs", "unknown names stay");
    }

    #[test]
    fn multi_and_all_become_an_escaped_alternation() {
        let s = scope(&[("i", &["a:9100", "b.c"], true), ("all", &["$__all"], true), ("one", &["x.y"], true)]);
        assert_eq!(interpolate(r#"up{instance=~"$i"}"#, &s), r#"up{instance=~"(a:9100|b\\.c)"}"#);
        assert_eq!(interpolate(r#"up{x=~"$all"}"#, &s), r#"up{x=~"(a|b\\.c)"}"#);
        assert_eq!(interpolate(r#"up{x=~"$one"}"#, &s), r#"up{x=~"x\\.y"}"#);
        let mut with_all = s.clone();
        with_all.vars.get_mut("all").unwrap().all_value = Some(".*".into());
        assert_eq!(interpolate(r#"up{x=~"$all"}"#, &with_all), r#"up{x=~".*"}"#);
    }

    #[test]
    fn formats_follow_grafana() {
        let s = scope(&[("v", &["a", "b"], true)]);
        assert_eq!(interpolate("${v:pipe}", &s), "a|b");
        assert_eq!(interpolate("${v:regex}", &s), "(a|b)");
        assert_eq!(interpolate("${v:csv}", &s), "a,b");
        assert_eq!(interpolate("${v:raw}", &s), "a,b");
        assert_eq!(interpolate("${v:glob}", &s), "{a,b}");
        assert_eq!(interpolate("${v:json}", &s), r#"["a","b"]"#);
        assert_eq!(interpolate("${v:doublequote}", &s), r#""a","b""#);
        assert_eq!(interpolate("[[v:pipe]]", &s), "a|b");
    }

    #[test]
    fn builtins_follow_the_range_and_the_scrape_interval() {
        let s = Scope { builtins: Builtins::new(3_600_000, 240, 15_000), ..Scope::default() };
        assert_eq!(interpolate("rate(x[$__interval])", &s), "rate(x[15s])");
        assert_eq!(interpolate("rate(x[$__rate_interval])", &s), "rate(x[1m])");
        assert_eq!(interpolate("increase(x[$__range]) / $__range_s", &s), "increase(x[1h]) / 3600");
        assert_eq!(interpolate("${__range}", &s), "1h");
        let wide = Builtins::new(7 * 86_400_000, 1000, 15_000);
        assert_eq!(duration(wide.interval_ms), "604800ms");
        assert_eq!(duration(90_000), "90s");
        assert_eq!(duration(250), "250ms");
    }

    #[test]
    fn regex_metacharacters_are_escaped_for_a_promql_string() {
        assert_eq!(regex_escape("a.b*"), r"a\\.b\\*");
        assert_eq!(regex_escape(r"c:\x"), r"c:\\\\x");
        assert_eq!(regex_escape("plain-value_1"), "plain-value_1");
    }

    #[test]
    fn references_are_listed_once_each() {
        let q = r#"rate(x{a="$a", b=~"${b:pipe}", c="[[c]]", d="$a"}[$__rate_interval]) $"#;
        assert_eq!(references(q), ["a", "b", "c", "__rate_interval"]);
        assert!(is_builtin("__rate_interval") && !is_builtin("a"));
    }

    #[test]
    fn a_dollar_or_bracket_alone_is_kept() {
        let s = scope(&[]);
        assert_eq!(interpolate("a $ b [5m] ${ [[x", &s), "a $ b [5m] ${ [[x");
        assert_eq!(interpolate("é$", &s), "é$");
    }
}
