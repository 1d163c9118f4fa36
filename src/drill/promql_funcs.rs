//! PromQL functions and aggregations, following Prometheus' own algorithms
//! (`promql/functions.go`, `promql/quantile.go`) so results match a real server.

use std::collections::BTreeMap;

use promql_parser::parser::{AggregateExpr, Call, Expr, LabelModifier};

use super::promql::{EvalError, Evaluator, RangeSeries, Sample, Value, drop_name};
use super::spec::Labels;

impl Evaluator<'_> {
    pub(crate) fn call(&self, c: &Call) -> Result<Value, EvalError> {
        let name = c.func.name;
        let args = &c.args.args;
        match name {
            "time" => Ok(Value::Scalar(self.ts as f64 / 1000.0)),
            "vector" => Ok(Value::Vector(vec![Sample { labels: Labels::new(), value: self.scalar_arg(args, 0)? }])),
            "scalar" => {
                let v = self.vector_arg(args, 0)?;
                Ok(Value::Scalar(if v.len() == 1 { v[0].value } else { f64::NAN }))
            }
            "histogram_quantile" => {
                let q = self.scalar_arg(args, 0)?;
                Ok(Value::Vector(histogram_quantile(q, self.vector_arg(args, 1)?)))
            }
            "absent" => {
                let present = !self.vector_arg(args, 0)?.is_empty();
                let labels = absent_labels(args.first().map(|a| a.as_ref()));
                Ok(Value::Vector(if present { vec![] } else { vec![Sample { labels, value: 1.0 }] }))
            }
            "abs" | "ceil" | "floor" | "round" | "clamp" | "clamp_min" | "clamp_max" => {
                let f: Box<dyn Fn(f64) -> f64> = match name {
                    "abs" => Box::new(f64::abs),
                    "ceil" => Box::new(f64::ceil),
                    "floor" => Box::new(f64::floor),
                    "round" => Box::new(|v: f64| (v + 0.5).floor()),
                    "clamp_min" => {
                        let lo = self.scalar_arg(args, 1)?;
                        Box::new(move |v: f64| v.max(lo))
                    }
                    "clamp_max" => {
                        let hi = self.scalar_arg(args, 1)?;
                        Box::new(move |v: f64| v.min(hi))
                    }
                    _ => {
                        let (lo, hi) = (self.scalar_arg(args, 1)?, self.scalar_arg(args, 2)?);
                        if lo > hi {
                            return Ok(Value::Vector(vec![]));
                        }
                        Box::new(move |v: f64| v.max(lo).min(hi))
                    }
                };
                let v = self.vector_arg(args, 0)?;
                Ok(Value::Vector(
                    v.into_iter().map(|s| Sample { labels: drop_name(s.labels), value: f(s.value) }).collect(),
                ))
            }
            _ => self.range_function(name, args),
        }
    }

    fn range_function(&self, name: &str, args: &[Box<Expr>]) -> Result<Value, EvalError> {
        let Some(Expr::MatrixSelector(ms)) = args.first().map(|a| a.as_ref()) else {
            return Err(EvalError::BadData(format!("{name}: expected a range vector selector argument")));
        };
        let range_secs = self.scaled_range_secs(ms.range);
        let end = self.ts as f64 / 1000.0;
        let ahead = match name {
            "predict_linear" => self.scalar_arg(args, 1)?,
            _ => 0.0,
        };
        let mut out = Vec::new();
        for RangeSeries { labels, points } in self.matrix(&ms.vs, ms.range.as_millis() as i64)? {
            let vals = || points.iter().map(|&(_, v)| v);
            let value = match name {
                "rate" => extrapolated(&points, end - range_secs, end, true, true),
                "increase" => extrapolated(&points, end - range_secs, end, true, false),
                "delta" => extrapolated(&points, end - range_secs, end, false, false),
                "irate" | "idelta" => instant_delta(&points, name == "irate"),
                "avg_over_time" => Some(vals().sum::<f64>() / points.len() as f64),
                "min_over_time" => vals().reduce(f64::min),
                "max_over_time" => vals().reduce(f64::max),
                "sum_over_time" => Some(vals().sum()),
                "count_over_time" => Some(points.len() as f64),
                "last_over_time" => points.last().map(|&(_, v)| v),
                "predict_linear" => predict_linear(&points, end + ahead),
                other => {
                    return Err(EvalError::BadData(format!(
                        "function {other:?} is not supported by the warroom drill simulator"
                    )));
                }
            };
            if let Some(value) = value {
                let labels = if name == "last_over_time" { labels } else { drop_name(labels) };
                out.push(Sample { labels, value });
            }
        }
        Ok(Value::Vector(out))
    }

    fn scalar_arg(&self, args: &[Box<Expr>], i: usize) -> Result<f64, EvalError> {
        match args.get(i).map(|a| self.eval(a)).transpose()? {
            Some(Value::Scalar(v)) => Ok(v),
            _ => Err(EvalError::BadData(format!("expected a scalar as argument {}", i + 1))),
        }
    }

    fn vector_arg(&self, args: &[Box<Expr>], i: usize) -> Result<Vec<Sample>, EvalError> {
        match args.get(i).map(|a| self.eval(a)).transpose()? {
            Some(Value::Vector(v)) => Ok(v),
            _ => Err(EvalError::BadData(format!("expected an instant vector as argument {}", i + 1))),
        }
    }

    pub(crate) fn aggregate(&self, a: &AggregateExpr) -> Result<Value, EvalError> {
        let Value::Vector(input) = self.eval(&a.expr)? else {
            return Err(EvalError::BadData("aggregation expects an instant vector".into()));
        };
        let op = a.op.to_string();
        let mut groups: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
        for s in input {
            groups.entry(group_labels(&s.labels, a.modifier.as_ref())).or_default().push(s.value);
        }
        let out = groups
            .into_iter()
            .map(|(labels, vals)| {
                let n = vals.len() as f64;
                let value = match op.as_str() {
                    "sum" => vals.iter().sum(),
                    "avg" => vals.iter().sum::<f64>() / n,
                    "max" => {
                        vals.iter().copied().reduce(|a, b| if a >= b || b.is_nan() { a } else { b }).unwrap_or(f64::NAN)
                    }
                    "min" => {
                        vals.iter().copied().reduce(|a, b| if a <= b || b.is_nan() { a } else { b }).unwrap_or(f64::NAN)
                    }
                    "count" => n,
                    _ => 1.0,
                };
                Sample { labels, value }
            })
            .collect();
        Ok(Value::Vector(out))
    }
}

/// `by` keeps only the listed labels, `without` drops them and the name.
pub(crate) fn group_labels(l: &Labels, m: Option<&LabelModifier>) -> Labels {
    match m {
        None => Labels::new(),
        Some(LabelModifier::Include(keep)) => {
            l.iter().filter(|(k, _)| keep.labels.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
        }
        Some(LabelModifier::Exclude(drop)) => l
            .iter()
            .filter(|(k, _)| *k != "__name__" && !drop.labels.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

/// `absent(x{a="b"})` returns `{a="b"}` from the equality matchers.
fn absent_labels(arg: Option<&Expr>) -> Labels {
    let vs = match arg {
        Some(Expr::VectorSelector(vs)) => vs,
        _ => return Labels::new(),
    };
    vs.matchers
        .matchers
        .iter()
        .filter(|m| matches!(m.op, promql_parser::label::MatchOp::Equal) && m.name != "__name__")
        .map(|m| (m.name.clone(), m.value.clone()))
        .collect()
}

/// Prometheus' `extrapolatedRate`: extends the sampled interval towards the
/// range boundaries (at most half a sample interval beyond the samples).
fn extrapolated(points: &[(i64, f64)], start: f64, end: f64, counter: bool, is_rate: bool) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (first_t, first_v) = (points[0].0 as f64 / 1000.0, points[0].1);
    let (last_t, last_v) = (points[points.len() - 1].0 as f64 / 1000.0, points[points.len() - 1].1);
    let mut result = last_v - first_v;
    if counter {
        let mut prev = first_v;
        for &(_, v) in &points[1..] {
            if v < prev {
                result += prev;
            }
            prev = v;
        }
    }
    let sampled = last_t - first_t;
    let avg_step = sampled / (points.len() - 1) as f64;
    let mut to_start = first_t - start;
    let to_end = end - last_t;
    if counter && result > 0.0 && first_v >= 0.0 {
        to_start = to_start.min(sampled * (first_v / result));
    }
    let threshold = avg_step * 1.1;
    let mut interval = sampled;
    interval += if to_start < threshold { to_start } else { avg_step / 2.0 };
    interval += if to_end < threshold { to_end } else { avg_step / 2.0 };
    result *= interval / sampled;
    Some(if is_rate { result / (end - start) } else { result })
}

/// `irate` / `idelta`: the last two samples only.
/// The least-squares line through `points`, read at `at` (unix seconds), as
/// Prometheus' `predict_linear` does; fewer than two points: none.
fn predict_linear(points: &[(i64, f64)], at: f64) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let xs = || points.iter().map(|&(t, _)| t as f64 / 1000.0 - at);
    let (sx, sy) = (xs().sum::<f64>(), points.iter().map(|p| p.1).sum::<f64>());
    let sxy: f64 = xs().zip(points.iter().map(|p| p.1)).map(|(x, y)| x * y).sum();
    let sxx: f64 = xs().map(|x| x * x).sum();
    let cov = sxy - sx * sy / n;
    let var = sxx - sx * sx / n;
    let slope = if var == 0.0 { 0.0 } else { cov / var };
    // With x measured from `at`, the intercept is the value at `at`.
    Some(sy / n - slope * sx / n)
}

fn instant_delta(points: &[(i64, f64)], is_rate: bool) -> Option<f64> {
    let &[.., (t0, v0), (t1, v1)] = points else {
        return None;
    };
    let mut d = v1 - v0;
    if is_rate {
        if v1 < v0 {
            d = v1;
        }
        let secs = (t1 - t0) as f64 / 1000.0;
        if secs <= 0.0 {
            return None;
        }
        d /= secs;
    }
    Some(d)
}

/// Prometheus' `bucketQuantile` over classic `_bucket{le}` series, grouped by
/// all labels but `le` (and the metric name).
pub(crate) fn histogram_quantile(q: f64, input: Vec<Sample>) -> Vec<Sample> {
    let mut groups: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
    for s in input {
        let mut labels = drop_name(s.labels);
        let Some(le) = labels.remove("le").and_then(|le| parse_le(&le)) else {
            continue;
        };
        groups.entry(labels).or_default().push((le, s.value));
    }
    groups.into_iter().map(|(labels, buckets)| Sample { labels, value: bucket_quantile(q, buckets) }).collect()
}

fn parse_le(s: &str) -> Option<f64> {
    match s.trim() {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        other => other.parse().ok(),
    }
}

fn bucket_quantile(q: f64, mut b: Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    if b.len() < 2 || b.last().is_none_or(|l| !l.0.is_infinite()) {
        return f64::NAN;
    }
    for i in 1..b.len() {
        if b[i].1 < b[i - 1].1 {
            b[i].1 = b[i - 1].1;
        }
    }
    let observations = b[b.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    let i = b.iter().position(|&(_, c)| c >= rank).unwrap_or(b.len() - 1);
    if i == b.len() - 1 {
        return b[b.len() - 2].0;
    }
    if i == 0 && b[0].0 <= 0.0 {
        return b[0].0;
    }
    let (mut start, end, mut count) = (0.0, b[i].0, b[i].1);
    if i > 0 {
        start = b[i - 1].0;
        count -= b[i - 1].1;
        rank -= b[i - 1].1;
    }
    start + (end - start) * (rank / count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predict_linear_extends_the_line() {
        // 100 falling by 1 a second over 60 s: at t=60+30 it reads 10.
        let pts: Vec<(i64, f64)> = (0..=60).map(|i| (i * 1000, 100.0 - i as f64)).collect();
        let v = super::predict_linear(&pts, 90.0).unwrap();
        assert!((v - 10.0).abs() < 1e-9, "{v}");
        assert_eq!(super::predict_linear(&pts[..1], 90.0), None);
    }

    #[test]
    fn extrapolated_rate_of_a_steady_counter_is_exact() {
        let pts: Vec<(i64, f64)> = (0..=20).map(|i| (i * 15_000, i as f64 * 30.0)).collect();
        let r = extrapolated(&pts, 0.0, 300.0, true, true).expect("rate");
        assert!((r - 2.0).abs() < 1e-9, "{r}");
    }

    #[test]
    fn counter_resets_are_corrected() {
        let pts = vec![(0, 10.0), (10_000, 20.0), (20_000, 5.0), (30_000, 15.0)];
        let inc = extrapolated(&pts, 0.0, 30.0, true, false).expect("increase");
        assert!((inc - 25.0).abs() < 1e-9, "{inc}");
        assert_eq!(instant_delta(&pts, true), Some(1.0));
    }

    #[test]
    fn bucket_quantile_interpolates_like_prometheus() {
        let b = vec![(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (f64::INFINITY, 100.0)];
        assert!((bucket_quantile(0.5, b.clone()) - 0.1).abs() < 1e-12);
        assert!((bucket_quantile(0.7, b.clone()) - 0.3).abs() < 1e-12);
        assert_eq!(bucket_quantile(1.0, b.clone()), 1.0);
        assert!(bucket_quantile(0.5, vec![(0.1, 1.0)]).is_nan());
        assert!(bucket_quantile(0.5, vec![(0.1, 0.0), (f64::INFINITY, 0.0)]).is_nan());
    }
}
