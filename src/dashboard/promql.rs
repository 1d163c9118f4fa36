//! Whether a target's query is PromQL that Prometheus will accept, once its
//! variables are filled with their current values.

use super::interpolate::{Builtins, Scope, interpolate};
use super::model::Variable;

/// The parser's message when `expr` (filled from `vars`) is not PromQL.
pub(crate) fn check(expr: &str, vars: &[Variable]) -> Result<(), String> {
    let filled = interpolate(expr, &Scope::new(vars, Builtins::default()));
    if filled.trim().is_empty() {
        return Err("the query is empty".into());
    }
    promql_parser::parser::parse(&filled).map(|_| ()).map_err(|e| {
        let e = e.lines().next().unwrap_or("").trim().to_string();
        if filled == expr { format!("invalid PromQL: {e}") } else { format!("invalid PromQL: {e} (in {filled:?})") }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::VariableKind;

    #[test]
    fn queries_with_variables_are_checked_filled() {
        let job = Variable {
            name: "job".into(),
            label: None,
            kind: VariableKind::Custom,
            current: vec!["node".into()],
            multi: false,
            include_all: false,
            all_value: None,
            options: vec!["node".into()],
        };
        assert_eq!(
            check(r#"rate(node_cpu_seconds_total{job="$job"}[$__rate_interval])"#, std::slice::from_ref(&job)),
            Ok(())
        );
        let err = check("sum(rate(x[5m])", &[job]).unwrap_err();
        assert!(err.starts_with("invalid PromQL"), "{err}");
        assert!(check("  ", &[]).is_err());
    }
}
