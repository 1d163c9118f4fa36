//! A LogQL subset, parsed by hand (promql-parser does not read LogQL):
//! stream selectors, a pipeline of line filters, `| json` and label filters
//! (see [`logql_pipeline`](super::logql_pipeline)),
//! `rate`/`count_over_time`/`bytes_*` over a range, and
//! `sum|avg|min|max|count [by|without (…)]`. Errors use Loki's wording:
//! `parse error at line 1, col N: syntax error: unexpected …`.

use regex::Regex;

use super::am_matchers::AmMatcher;
pub(crate) use super::logql_pipeline::{LabelExpr, LineFilter, Stage};
use super::spec::Labels;

#[derive(Debug, Clone)]
pub(crate) struct LogSelector {
    pub matchers: Vec<AmMatcher>,
    pub stages: Vec<Stage>,
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

    /// Runs the pipeline on one entry: `None` when it is filtered out,
    /// otherwise the labels `| json` extracted (empty without a parser).
    pub(crate) fn pipeline(&self, stream: &Labels, metadata: &Labels, line: &str) -> Option<Labels> {
        super::logql_pipeline::run(&self.stages, stream, metadata, line)
    }
}

/// Stages Loki has that the simulator does not evaluate: refused with a
/// clear message rather than answered wrongly.
const UNSUPPORTED_STAGES: &[&str] =
    &["logfmt", "regexp", "pattern", "unpack", "line_format", "label_format", "drop", "keep", "decolorize", "unwrap"];

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
        let stages = self.pipeline()?;
        Ok(LogSelector { matchers, stages })
    }

    /// Line filters, `| json` and label filters, until something else.
    fn pipeline(&mut self) -> Result<Vec<Stage>, String> {
        let mut stages = Vec::new();
        loop {
            let op = ["|=", "!=", "|~", "!~"].into_iter().position(|op| self.eat(op));
            if let Some(op) = op {
                let s = self.string()?;
                let re =
                    |s: &str| Regex::new(s).map_err(|e| format!("parse error : invalid regular expression {s:?}: {e}"));
                stages.push(Stage::Line(match op {
                    0 => LineFilter::Contains(s),
                    1 => LineFilter::NotContains(s),
                    2 => LineFilter::Re(re(&s)?),
                    _ => LineFilter::NotRe(re(&s)?),
                }));
                continue;
            }
            self.skip_ws();
            if self.peek() != Some('|') {
                return Ok(stages);
            }
            self.pos += 1;
            let save = self.pos;
            match self.ident().as_deref() {
                Some("json") => {
                    self.skip_ws();
                    if self.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                        return Err(self.unsupported());
                    }
                    stages.push(Stage::Json);
                }
                Some(name) if UNSUPPORTED_STAGES.contains(&name) => {
                    self.pos = save;
                    return Err(self.unsupported());
                }
                Some(_) => {
                    self.pos = save;
                    stages.push(Stage::Label(self.label_or()?));
                }
                None => {
                    self.skip_ws();
                    if self.peek() != Some('(') {
                        return Err(self.unsupported());
                    }
                    stages.push(Stage::Label(self.label_or()?));
                }
            }
        }
    }

    fn unsupported(&self) -> String {
        format!(
            "{} (the warroom drill simulator supports line filters |= != |~ !~, | json and string label filters only)",
            self.unexpected("")
        )
    }

    /// `a or b`, where each side is an `and` chain.
    fn label_or(&mut self) -> Result<LabelExpr, String> {
        let mut left = self.label_and()?;
        while self.keyword("or") {
            left = LabelExpr::Or(Box::new(left), Box::new(self.label_and()?));
        }
        Ok(left)
    }

    /// `a and b`, `a, b`.
    fn label_and(&mut self) -> Result<LabelExpr, String> {
        let mut left = self.label_atom()?;
        while self.keyword("and") || self.eat(",") {
            left = LabelExpr::And(Box::new(left), Box::new(self.label_atom()?));
        }
        Ok(left)
    }

    fn label_atom(&mut self) -> Result<LabelExpr, String> {
        if self.eat("(") {
            let e = self.label_or()?;
            self.expect(")")?;
            return Ok(e);
        }
        let name = self.ident().ok_or_else(|| self.unexpected("IDENTIFIER"))?;
        let (re, eq) = self.matcher_op().ok_or_else(|| self.unsupported())?;
        self.skip_ws();
        if self.peek() != Some('"') && self.peek() != Some('`') {
            return Err(self.unsupported());
        }
        let value = self.string()?;
        AmMatcher::new(&name, &value, re, eq).map(LabelExpr::Match).map_err(|e| format!("parse error : {e}"))
    }

    /// `=~`, `!~`, `!=`, `=` as (regex, equal); `==` and numeric
    /// comparisons are not string matchers.
    fn matcher_op(&mut self) -> Option<(bool, bool)> {
        if self.eat("=~") {
            Some((true, true))
        } else if self.eat("!~") {
            Some((true, false))
        } else if self.eat("!=") {
            Some((false, false))
        } else if self.rest().trim_start().starts_with("==") {
            None
        } else if self.eat("=") {
            Some((false, true))
        } else {
            None
        }
    }

    /// A whole word (`or` but not `order`).
    fn keyword(&mut self, word: &str) -> bool {
        self.skip_ws();
        let rest = self.rest();
        let whole =
            rest.starts_with(word) && !rest[word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if whole {
            self.pos += word.len();
        }
        whole
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
mod tests;
