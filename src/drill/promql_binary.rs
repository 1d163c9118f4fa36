//! Binary operators: arithmetic, comparisons (filtering or `bool`), set
//! operators and vector matching (`on`/`ignoring`, `group_left/right`),
//! with Prometheus' matching rules and error messages.

use std::collections::{BTreeMap, HashSet};

use promql_parser::parser::{BinModifier, BinaryExpr, LabelModifier, VectorMatchCardinality};

use super::promql::{EvalError, Evaluator, Sample, Value, drop_name};
use super::spec::Labels;

/// `Some(result)` for arithmetic, `Some(0|1)` / `None` (filtered out) for
/// comparisons.
fn apply(op: &str, l: f64, r: f64) -> Result<Option<f64>, EvalError> {
    let cmp = |b: bool| Some(if b { 1.0 } else { 0.0 });
    Ok(match op {
        "+" => Some(l + r),
        "-" => Some(l - r),
        "*" => Some(l * r),
        "/" => Some(l / r),
        "%" => Some(l % r),
        "^" => Some(l.powf(r)),
        "atan2" => Some(l.atan2(r)),
        "==" => cmp(l == r),
        "!=" => cmp(l != r),
        ">" => cmp(l > r),
        "<" => cmp(l < r),
        ">=" => cmp(l >= r),
        "<=" => cmp(l <= r),
        other => {
            return Err(EvalError::BadData(format!("operator {other:?} is not supported here")));
        }
    })
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "==" | "!=" | ">" | "<" | ">=" | "<=")
}

/// Result of `l op r` for one pair of samples: the value to keep, or `None`
/// when a filtering comparison drops the sample. `keep` is the value a
/// filtering comparison keeps (the vector side's).
fn combine(op: &str, l: f64, r: f64, keep: f64, return_bool: bool) -> Result<Option<f64>, EvalError> {
    let res = apply(op, l, r)?;
    if !is_comparison(op) || return_bool {
        return Ok(res);
    }
    Ok(res.and_then(|v| (v == 1.0).then_some(keep)))
}

impl Evaluator<'_> {
    pub(crate) fn binary(&self, b: &BinaryExpr) -> Result<Value, EvalError> {
        let op = b.op.to_string();
        let ret_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
        let lhs = self.eval(&b.lhs)?;
        let rhs = self.eval(&b.rhs)?;
        // Arithmetic and `bool` comparisons drop the metric name.
        let name_drop = |l: Labels| {
            if !is_comparison(&op) || ret_bool { drop_name(l) } else { l }
        };
        match (lhs, rhs) {
            (Value::Scalar(l), Value::Scalar(r)) => Ok(Value::Scalar(apply(&op, l, r)?.unwrap_or(0.0))),
            (Value::Vector(v), Value::Scalar(r)) => {
                let mut out = Vec::new();
                for s in v {
                    if let Some(value) = combine(&op, s.value, r, s.value, ret_bool)? {
                        out.push(Sample { labels: name_drop(s.labels), value });
                    }
                }
                Ok(Value::Vector(out))
            }
            (Value::Scalar(l), Value::Vector(v)) => {
                let mut out = Vec::new();
                for s in v {
                    if let Some(value) = combine(&op, l, s.value, s.value, ret_bool)? {
                        out.push(Sample { labels: name_drop(s.labels), value });
                    }
                }
                Ok(Value::Vector(out))
            }
            (Value::Vector(l), Value::Vector(r)) => {
                let m = b.modifier.clone().unwrap_or_default();
                match op.as_str() {
                    "and" | "or" | "unless" => Ok(Value::Vector(set_op(&op, l, r, &m))),
                    _ => Ok(Value::Vector(vector_op(&op, l, r, &m, ret_bool)?)),
                }
            }
            _ => Err(EvalError::BadData(format!("operator {op:?} is not defined for these operand types"))),
        }
    }
}

/// The labels two sides are matched on.
fn signature(l: &Labels, m: &BinModifier) -> Labels {
    let keep = |k: &String| match &m.matching {
        Some(LabelModifier::Include(on)) => on.labels.contains(k),
        Some(LabelModifier::Exclude(ign)) => k != "__name__" && !ign.labels.contains(k),
        None => k != "__name__",
    };
    l.iter().filter(|(k, _)| keep(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn fmt_labels(l: &Labels) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

fn set_op(op: &str, l: Vec<Sample>, r: Vec<Sample>, m: &BinModifier) -> Vec<Sample> {
    let rsigs: HashSet<Labels> = r.iter().map(|s| signature(&s.labels, m)).collect();
    match op {
        "and" => l.into_iter().filter(|s| rsigs.contains(&signature(&s.labels, m))).collect(),
        "unless" => l.into_iter().filter(|s| !rsigs.contains(&signature(&s.labels, m))).collect(),
        _ => {
            let lsigs: HashSet<Labels> = l.iter().map(|s| signature(&s.labels, m)).collect();
            let mut out = l;
            out.extend(r.into_iter().filter(|s| !lsigs.contains(&signature(&s.labels, m))));
            out
        }
    }
}

fn vector_op(
    op: &str,
    l: Vec<Sample>,
    r: Vec<Sample>,
    m: &BinModifier,
    ret_bool: bool,
) -> Result<Vec<Sample>, EvalError> {
    // Normalise group_right to group_left by swapping sides.
    let (one_side_is_right, many, one, include) = match &m.card {
        VectorMatchCardinality::OneToMany(inc) => (false, r, l, Some(inc.clone())),
        VectorMatchCardinality::ManyToOne(inc) => (true, l, r, Some(inc.clone())),
        _ => (true, l, r, None),
    };
    let side = if one_side_is_right { "right" } else { "left" };
    let mut one_map: BTreeMap<Labels, Sample> = BTreeMap::new();
    for s in one {
        let sig = signature(&s.labels, m);
        if let Some(prev) = one_map.get(&sig) {
            return Err(EvalError::Execution(format!(
                "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                fmt_labels(&sig),
                fmt_labels(&prev.labels),
                fmt_labels(&s.labels)
            )));
        }
        one_map.insert(sig, s);
    }
    let mut out = Vec::new();
    let mut seen: HashSet<Labels> = HashSet::new();
    for s in many {
        let sig = signature(&s.labels, m);
        let Some(other) = one_map.get(&sig) else {
            continue;
        };
        let (lv, rv) = if one_side_is_right { (s.value, other.value) } else { (other.value, s.value) };
        let Some(value) = combine(op, lv, rv, lv, ret_bool)? else {
            continue;
        };
        let mut labels = if !is_comparison(op) || ret_bool { drop_name(s.labels.clone()) } else { s.labels.clone() };
        match &include {
            None => {
                labels = match &m.matching {
                    Some(LabelModifier::Include(on)) => {
                        labels.into_iter().filter(|(k, _)| on.labels.contains(k)).collect()
                    }
                    Some(LabelModifier::Exclude(ign)) => {
                        labels.into_iter().filter(|(k, _)| !ign.labels.contains(k)).collect()
                    }
                    None => labels,
                }
            }
            Some(inc) => {
                for k in &inc.labels {
                    match other.labels.get(k) {
                        Some(v) => labels.insert(k.clone(), v.clone()),
                        None => labels.remove(k),
                    };
                }
            }
        }
        if include.is_none() && !seen.insert(sig.clone()) {
            return Err(EvalError::Execution(
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
            ));
        }
        out.push(Sample { labels, value });
    }
    Ok(out)
}
