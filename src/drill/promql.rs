//! The simulator's PromQL evaluator: real PromQL parsed by `promql-parser`,
//! evaluated over the sample store for a documented subset. Anything outside
//! the subset is an error, never a silently wrong answer.

use std::time::UNIX_EPOCH;

use promql_parser::parser::{AtModifier, Expr, Offset, VectorSelector};

use super::series::Store;
use super::spec::Labels;

/// How far back an instant selector looks for the latest sample.
const LOOKBACK_MS: i64 = 5 * 60 * 1000;

pub(crate) const SUPPORTED_FUNCS: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "last_over_time",
    "predict_linear",
    "histogram_quantile",
    "vector",
    "scalar",
    "time",
    "abs",
    "ceil",
    "floor",
    "round",
    "clamp",
    "clamp_min",
    "clamp_max",
    "absent",
];
pub(crate) const SUPPORTED_AGGS: &[&str] = &["sum", "avg", "max", "min", "count", "group"];

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub labels: Labels,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RangeSeries {
    pub labels: Labels,
    pub points: Vec<(i64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Scalar(f64),
    Str(String),
    Vector(Vec<Sample>),
    Matrix(Vec<RangeSeries>),
}

/// Unsupported → HTTP 400 `bad_data`; execution → HTTP 422 `execution`,
/// the way Prometheus splits query errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum EvalError {
    #[error("{0}")]
    BadData(String),
    #[error("{0}")]
    Execution(String),
}

/// One evaluation at one instant.
pub(crate) struct Evaluator<'a> {
    pub store: &'a Store,
    /// Evaluation instant, wall-clock ms.
    pub ts: i64,
    /// Start and end of the enclosing range query (for `@ start()`/`end()`).
    pub start: i64,
    pub end: i64,
    /// Multiplies range and offset durations: alert rules run with
    /// `1/speed` so `rate(x[5m])` spans five scenario minutes.
    pub range_scale: f64,
}

fn unsupported(what: &str) -> EvalError {
    EvalError::BadData(format!("{what} is not supported by the warroom drill simulator"))
}

/// Rejects, before any evaluation, what the evaluator cannot do.
pub(crate) fn check_supported(e: &Expr) -> Result<(), EvalError> {
    match e {
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            if !SUPPORTED_AGGS.contains(&op.as_str()) || a.param.is_some() {
                return Err(unsupported(&format!("aggregation {op:?}")));
            }
            check_supported(&a.expr)
        }
        Expr::Unary(u) => check_supported(&u.expr),
        Expr::Binary(b) => {
            if b.modifier.as_ref().is_some_and(|m| m.fill_values != Default::default()) {
                return Err(unsupported("fill modifier"));
            }
            check_supported(&b.lhs)?;
            check_supported(&b.rhs)
        }
        Expr::Paren(p) => check_supported(&p.expr),
        Expr::Subquery(_) => Err(unsupported("subquery")),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Ok(()),
        Expr::VectorSelector(_) | Expr::MatrixSelector(_) => Ok(()),
        Expr::Call(c) => {
            if !SUPPORTED_FUNCS.contains(&c.func.name) {
                return Err(unsupported(&format!("function {:?}", c.func.name)));
            }
            c.args.args.iter().try_for_each(|a| check_supported(a))
        }
        Expr::Extension(_) => Err(unsupported("extension expression")),
    }
}

fn selector_matches(vs: &VectorSelector, labels: &Labels) -> bool {
    let get = |n: &str| labels.get(n).map_or("", String::as_str);
    if vs.name.as_deref().is_some_and(|n| get("__name__") != n) {
        return false;
    }
    let all = |ms: &[promql_parser::label::Matcher]| ms.iter().all(|m| m.is_match(get(&m.name)));
    all(&vs.matchers.matchers) && (vs.matchers.or_matchers.is_empty() || vs.matchers.or_matchers.iter().any(|g| all(g)))
}

pub(crate) fn drop_name(mut l: Labels) -> Labels {
    l.remove("__name__");
    l
}

impl Evaluator<'_> {
    pub(crate) fn eval(&self, e: &Expr) -> Result<Value, EvalError> {
        match e {
            Expr::NumberLiteral(n) => Ok(Value::Scalar(n.val)),
            Expr::StringLiteral(s) => Ok(Value::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Unary(u) => Ok(match self.eval(&u.expr)? {
                Value::Scalar(v) => Value::Scalar(-v),
                Value::Vector(v) => Value::Vector(
                    v.into_iter().map(|s| Sample { labels: drop_name(s.labels), value: -s.value }).collect(),
                ),
                _ => return Err(unsupported("unary minus on this type")),
            }),
            Expr::VectorSelector(vs) => Ok(Value::Vector(self.instant(vs)?)),
            Expr::MatrixSelector(ms) => Ok(Value::Matrix(self.matrix(&ms.vs, ms.range.as_millis() as i64)?)),
            Expr::Aggregate(a) => self.aggregate(a),
            Expr::Binary(b) => self.binary(b),
            Expr::Call(c) => self.call(c),
            Expr::Subquery(_) => Err(unsupported("subquery")),
            Expr::Extension(_) => Err(unsupported("extension expression")),
        }
    }

    /// The instant a selector reads at, after `@` and `offset`.
    fn selector_time(&self, vs: &VectorSelector) -> i64 {
        let base = match &vs.at {
            None => self.ts,
            Some(AtModifier::Start) => self.start,
            Some(AtModifier::End) => self.end,
            Some(AtModifier::At(t)) => match t.duration_since(UNIX_EPOCH) {
                Ok(d) => d.as_millis() as i64,
                Err(e) => -(e.duration().as_millis() as i64),
            },
        };
        let scaled = |d: &std::time::Duration| (d.as_millis() as f64 * self.range_scale) as i64;
        match &vs.offset {
            None => base,
            Some(Offset::Pos(d)) => base - scaled(d),
            Some(Offset::Neg(d)) => base + scaled(d),
        }
    }

    fn instant(&self, vs: &VectorSelector) -> Result<Vec<Sample>, EvalError> {
        let at = self.selector_time(vs);
        Ok(self
            .store
            .series
            .iter()
            .filter(|s| selector_matches(vs, &s.labels))
            .filter_map(|s| s.latest(at, LOOKBACK_MS).map(|(_, v)| Sample { labels: s.labels.clone(), value: v }))
            .collect())
    }

    pub(crate) fn matrix(&self, vs: &VectorSelector, range_ms: i64) -> Result<Vec<RangeSeries>, EvalError> {
        let at = self.selector_time(vs);
        let range = ((range_ms as f64) * self.range_scale).round() as i64;
        Ok(self
            .store
            .series
            .iter()
            .filter(|s| selector_matches(vs, &s.labels))
            .map(|s| RangeSeries { labels: s.labels.clone(), points: s.range(at - range, at) })
            .filter(|r| !r.points.is_empty())
            .collect())
    }

    /// Range length of a matrix argument after scaling, in seconds.
    pub(crate) fn scaled_range_secs(&self, range: std::time::Duration) -> f64 {
        range.as_secs_f64() * self.range_scale
    }
}

/// Parses and evaluates `query` at `ts` (API entry point for instant queries).
pub(crate) fn parse_checked(query: &str) -> Result<Expr, EvalError> {
    let expr = promql_parser::parser::parse(query).map_err(EvalError::BadData)?;
    check_supported(&expr)?;
    Ok(expr)
}

#[cfg(test)]
mod tests;
