//! A LogQL subset, parsed by hand (promql-parser does not read LogQL):
//! stream selectors, line filters, `rate`/`count_over_time`/`bytes_*` over a
//! range, and `sum|avg|min|max|count [by|without (…)]`. Errors use Loki's
//! wording: `parse error at line 1, col N: syntax error: unexpected …`.

use regex::Regex;

use super::am_matchers::AmMatcher;
use super::spec::Labels;

#[derive(Debug, Clone)]
pub(crate) enum LineFilter {
    Contains(String),
    NotContains(String),
    Re(Regex),
    NotRe(Regex),
}

#[derive(Debug, Clone)]
pub(crate) struct LogSelector {
    pub matchers: Vec<AmMatcher>,
    pub filters: Vec<LineFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RangeFn {
    Rate,
    CountOverTime,
    BytesOverTime,
    BytesRate,
}

#[derive(Debug, Clone)]
pub(crate) enum MetricExpr {
    Range { func: RangeFn, sel: LogSelector, range_ns: i64 },
    Agg { op: String, without: bool, labels: Option<Vec<String>>, inner: Box<MetricExpr> },
}

#[derive(Debug, Clone)]
pub(crate) enum LogQuery {
    Log(LogSelector),
    Metric(MetricExpr),
}

impl LogSelector {
    pub(crate) fn matches_stream(&self, l: &Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(l))
    }

    pub(crate) fn matches_line(&self, line: &str) -> bool {
        self.filters.iter().all(|f| match f {
            LineFilter::Contains(s) => line.contains(s.as_str()),
            LineFilter::NotContains(s) => !line.contains(s.as_str()),
            LineFilter::Re(r) => r.is_match(line),
            LineFilter::NotRe(r) => !r.is_match(line),
        })
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

const AGGS: &[&str] = &["sum", "avg", "min", "max", "count"];

pub(crate) fn parse(src: &str) -> Result<LogQuery, String> {
    let mut p = Parser { src, pos: 0 };
    p.skip_ws();
    let q = if p.peek() == Some('{') { LogQuery::Log(p.log_selector()?) } else { LogQuery::Metric(p.metric()?) };
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.unexpected(""));
    }
    Ok(q)
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    /// Loki's message for the token at the current position.
    fn unexpected(&self, expecting: &str) -> String {
        let col = self.src[..self.pos].chars().count() + 1;
        let tok = match self.peek() {
            None => "$end".to_string(),
            Some('"') | Some('`') => "STRING".to_string(),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => "IDENTIFIER".to_string(),
            Some(c) if c.is_ascii_digit() => "NUMBER".to_string(),
            Some(c) => c.to_string(),
        };
        let exp = if expecting.is_empty() { String::new() } else { format!(", expecting {expecting}") };
        format!("parse error at line 1, col {col}: syntax error: unexpected {tok}{exp}")
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), String> {
        if self.eat(s) { Ok(()) } else { Err(self.unexpected(s)) }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let len = self.rest().find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(self.rest().len());
        if len == 0 || self.rest().starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let id = self.rest()[..len].to_string();
        self.pos += len;
        Some(id)
    }

    fn string(&mut self) -> Result<String, String> {
        self.skip_ws();
        let quote = match self.peek() {
            Some(q @ ('"' | '`')) => q,
            _ => return Err(self.unexpected("STRING")),
        };
        let mut out = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += i + 1;
                return Ok(out);
            }
            if c == '\\' && quote == '"' {
                match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => break,
                }
            } else {
                out.push(c);
            }
        }
        self.pos = self.src.len();
        Err(self.unexpected("STRING"))
    }

    fn log_selector(&mut self) -> Result<LogSelector, String> {
        self.expect("{")?;
        let mut matchers = Vec::new();
        loop {
            if matchers.is_empty() && self.eat("}") {
                break;
            }
            let name = self.ident().ok_or_else(|| self.unexpected("IDENTIFIER"))?;
            let (re, eq) = if self.eat("=~") {
                (true, true)
            } else if self.eat("!~") {
                (true, false)
            } else if self.eat("!=") {
                (false, false)
            } else if self.eat("=") {
                (false, true)
            } else {
                return Err(self.unexpected("=, !=, =~ or !~"));
            };
            let value = self.string()?;
            matchers.push(AmMatcher::new(&name, &value, re, eq).map_err(|e| format!("parse error : {e}"))?);
            if self.eat("}") {
                break;
            }
            self.expect(",").map_err(|_| self.unexpected(", or }"))?;
        }
        if matchers.iter().all(|m| m.matches_value("")) {
            return Err("parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will".into());
        }
        let mut filters = Vec::new();
        loop {
            let f = if self.eat("|=") {
                0
            } else if self.eat("!=") {
                1
            } else if self.eat("|~") {
                2
            } else if self.eat("!~") {
                3
            } else {
                break;
            };
            let s = self.string()?;
            let re =
                |s: &str| Regex::new(s).map_err(|e| format!("parse error : invalid regular expression {s:?}: {e}"));
            filters.push(match f {
                0 => LineFilter::Contains(s),
                1 => LineFilter::NotContains(s),
                2 => LineFilter::Re(re(&s)?),
                _ => LineFilter::NotRe(re(&s)?),
            });
        }
        self.skip_ws();
        if self.peek() == Some('|') {
            return Err(format!(
                "{} (the warroom drill simulator supports line filters |= != |~ !~ only)",
                self.unexpected("")
            ));
        }
        Ok(LogSelector { matchers, filters })
    }

    fn grouping(&mut self) -> Result<Option<(bool, Vec<String>)>, String> {
        let save = self.pos;
        let without = match self.ident().as_deref() {
            Some("by") => false,
            Some("without") => true,
            _ => {
                self.pos = save;
                return Ok(None);
            }
        };
        self.expect("(")?;
        let mut labels = Vec::new();
        while !self.eat(")") {
            labels.push(self.ident().ok_or_else(|| self.unexpected("IDENTIFIER"))?);
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(Some((without, labels)))
    }

    fn metric(&mut self) -> Result<MetricExpr, String> {
        let start = self.pos;
        let name = self.ident().ok_or_else(|| self.unexpected(""))?;
        if AGGS.contains(&name.as_str()) {
            let mut grouping = self.grouping()?;
            self.expect("(")?;
            let inner = self.metric()?;
            self.expect(")")?;
            if grouping.is_none() {
                grouping = self.grouping()?;
            }
            let (without, labels) = match grouping {
                Some((w, l)) => (w, Some(l)),
                None => (false, None),
            };
            return Ok(MetricExpr::Agg { op: name, without, labels, inner: Box::new(inner) });
        }
        let func = match name.as_str() {
            "rate" => RangeFn::Rate,
            "count_over_time" => RangeFn::CountOverTime,
            "bytes_over_time" => RangeFn::BytesOverTime,
            "bytes_rate" => RangeFn::BytesRate,
            _ => {
                self.pos = start;
                return Err(self.unexpected(""));
            }
        };
        self.expect("(")?;
        let sel = self.log_selector()?;
        self.expect("[")?;
        let end = self.rest().find(']').ok_or_else(|| self.unexpected("]"))?;
        let text = self.rest()[..end].trim().to_string();
        let range = humantime::parse_duration(&text).map_err(|_| self.unexpected("DURATION"))?;
        self.pos += end + 1;
        self.expect(")")?;
        Ok(MetricExpr::Range { func, sel, range_ns: range.as_nanos() as i64 })
    }
}

#[cfg(test)]
#[path = "logql_tests.rs"]
mod tests;
