//! The validated, ready-to-play form of a scenario (what `scenario.rs`
//! produces from TOML), and the maths that turns it into sample values.

use std::collections::BTreeMap;

use promql_parser::parser::Expr;

use super::curve::Curve;

/// Label sets are ordered maps: sorted output and cheap equality for free.
pub(crate) type Labels = BTreeMap<String, String>;

/// `[("job", "api")]` as labels, for tests.
#[cfg(test)]
pub(crate) fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// One simulated time series.
#[derive(Debug, Clone)]
pub(crate) struct SeriesSpec {
    /// Includes `__name__`.
    pub labels: Labels,
    pub kind: SeriesKind,
    /// Amplitude of the uniform jitter added to the value (gauges) or to the
    /// rate (counters); never drives a value below zero.
    pub noise: f64,
}

#[derive(Debug, Clone)]
pub(crate) enum SeriesKind {
    /// The value is the curve.
    Gauge(Curve),
    /// The value grows by `rate × elapsed wall seconds`, so PromQL `rate()`
    /// over it gives back the curve.
    Counter(Rate),
}

/// Per-second growth of a counter at scenario time `t`.
#[derive(Debug, Clone)]
pub(crate) enum Rate {
    Curve(Curve),
    /// `_bucket{le}` of a histogram: observations per second at or below `le`.
    Bucket {
        dist: Latency,
        le: f64,
    },
    /// `_sum` of a histogram: seconds observed per second.
    Sum(Latency),
}

/// A latency distribution over time: observations per second and a
/// log-normal shape fitted to the median and the 99th percentile, so that
/// `histogram_quantile(0.99, …)` follows the `p99` curve of the file.
#[derive(Debug, Clone)]
pub(crate) struct Latency {
    pub rate: Curve,
    pub p50: Curve,
    pub p99: Curve,
}

/// z-score of the 99th percentile of a standard normal distribution.
const Z99: f64 = 2.326_347_874;

impl Latency {
    fn shape(&self, t: f64) -> (f64, f64) {
        let median = self.p50.at(t).max(1e-9);
        let p99 = self.p99.at(t).max(median * 1.000_001);
        (median.ln(), (p99 / median).ln() / Z99)
    }

    /// Fraction of observations at or below `le`.
    pub(crate) fn cdf(&self, t: f64, le: f64) -> f64 {
        if le.is_infinite() {
            return 1.0;
        }
        if le <= 0.0 {
            return 0.0;
        }
        let (mu, sigma) = self.shape(t);
        0.5 * (1.0 + erf((le.ln() - mu) / (sigma * std::f64::consts::SQRT_2)))
    }

    fn mean(&self, t: f64) -> f64 {
        let (mu, sigma) = self.shape(t);
        (mu + sigma * sigma / 2.0).exp()
    }
}

impl Rate {
    pub(crate) fn at(&self, t: f64) -> f64 {
        match self {
            Rate::Curve(c) => c.at(t),
            Rate::Bucket { dist, le } => dist.rate.at(t) * dist.cdf(t, *le),
            Rate::Sum(dist) => dist.rate.at(t) * dist.mean(t),
        }
    }
}

/// Abramowitz & Stegun 7.1.26 (error < 1.5e-7): plenty for bucket shares.
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly =
        t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp())
}

/// An alerting rule, evaluated like Prometheus does.
#[derive(Debug, Clone)]
pub(crate) struct AlertRule {
    pub name: String,
    pub expr_text: String,
    pub expr: Expr,
    /// Scenario seconds the expression must hold before pending → firing.
    pub for_secs: f64,
    pub labels: Labels,
    pub annotations: Labels,
}

/// A log stream: fixed labels, a line rate and weighted line templates.
#[derive(Debug, Clone)]
pub(crate) struct LogStreamSpec {
    pub labels: Labels,
    /// Lines per second.
    pub rate: Curve,
    pub lines: Vec<LineTemplate>,
}

#[derive(Debug, Clone)]
pub(crate) struct LineTemplate {
    pub text: String,
    pub weight: f64,
    /// Scenario-time window `[from, until)` in which the template is used.
    pub from: f64,
    pub until: f64,
}

impl LogStreamSpec {
    /// Templates usable at scenario time `t`; before the start the baseline
    /// (t = 0) applies.
    pub(crate) fn active_lines(&self, t: f64) -> impl Iterator<Item = &LineTemplate> {
        let t = t.max(0.0);
        self.lines.iter().filter(move |l| l.from <= t && t < l.until)
    }
}

/// A one-off log line at a given scenario time (a deploy, a failover…).
#[derive(Debug, Clone)]
pub(crate) struct EventSpec {
    pub at: f64,
    pub labels: Labels,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.0)).abs() < 1e-7);
        assert!((erf(1.0) - 0.842_700_79).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_79).abs() < 1e-6);
    }

    #[test]
    fn latency_cdf_puts_median_and_p99_where_asked() {
        let d = Latency { rate: Curve::constant(10.0), p50: Curve::constant(0.05), p99: Curve::constant(0.5) };
        assert!((d.cdf(0.0, 0.05) - 0.5).abs() < 1e-6);
        assert!((d.cdf(0.0, 0.5) - 0.99).abs() < 1e-4);
        assert_eq!(d.cdf(0.0, f64::INFINITY), 1.0);
        let bucket = Rate::Bucket { dist: d, le: 0.05 };
        assert!((bucket.at(0.0) - 5.0).abs() < 1e-4);
    }
}
