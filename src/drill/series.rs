//! Sample storage: one bounded ring of `(timestamp ms, value)` per series,
//! filled on a regular grid by the simulation tick.

use std::collections::VecDeque;

use super::clock::Clock;
use super::curve::noise_unit;
use super::spec::{Labels, SeriesKind, SeriesSpec};

/// Oldest sample kept, in wall-clock milliseconds.
const RETENTION_MS: i64 = 2 * 3600 * 1000;
/// Hard cap per series so that a very high speed cannot grow memory.
const MAX_SAMPLES: usize = 20_000;

#[derive(Debug)]
pub(crate) struct StoredSeries {
    pub labels: Labels,
    pub samples: VecDeque<(i64, f64)>,
    /// Running value of a counter.
    total: f64,
    last_wall: Option<f64>,
}

#[derive(Debug)]
pub(crate) struct Store {
    pub series: Vec<StoredSeries>,
}

impl Store {
    pub(crate) fn new(specs: &[SeriesSpec]) -> Store {
        let series = specs
            .iter()
            .map(|s| StoredSeries { labels: s.labels.clone(), samples: VecDeque::new(), total: 0.0, last_wall: None })
            .collect();
        Store { series }
    }

    /// Appends one sample of every series at wall instant `wall`.
    pub(crate) fn sample(&mut self, specs: &[SeriesSpec], clock: &Clock, wall: f64) {
        let t = clock.scenario_t(wall);
        let ts = (wall * 1000.0).round() as i64;
        for (i, (stored, spec)) in self.series.iter_mut().zip(specs).enumerate() {
            if stored.samples.back().is_some_and(|&(last, _)| last >= ts) {
                continue;
            }
            let jitter = spec.noise * noise_unit(i as u64, ts);
            let value = match &spec.kind {
                SeriesKind::Gauge(curve) => {
                    let base = curve.at(t);
                    if spec.noise > 0.0 && base >= 0.0 { (base + jitter).max(0.0) } else { base }
                }
                SeriesKind::Counter(rate) => {
                    let dt = stored.last_wall.map_or(0.0, |last| (wall - last).max(0.0));
                    stored.total += (rate.at(t) + jitter).max(0.0) * dt;
                    stored.total
                }
            };
            stored.last_wall = Some(wall);
            stored.samples.push_back((ts, value));
            while stored.samples.len() > MAX_SAMPLES
                || stored.samples.front().is_some_and(|&(t0, _)| t0 < ts - RETENTION_MS)
            {
                stored.samples.pop_front();
            }
        }
    }
}

impl StoredSeries {
    /// Samples with `from < t <= to` (a PromQL range, left-open).
    pub(crate) fn range(&self, from: i64, to: i64) -> Vec<(i64, f64)> {
        let lo = self.samples.partition_point(|&(t, _)| t <= from);
        let hi = self.samples.partition_point(|&(t, _)| t <= to);
        self.samples.range(lo..hi).copied().collect()
    }

    /// Latest sample at or before `at`, no older than `lookback` ms.
    pub(crate) fn latest(&self, at: i64, lookback: i64) -> Option<(i64, f64)> {
        let hi = self.samples.partition_point(|&(t, _)| t <= at);
        let (t, v) = *self.samples.get(hi.checked_sub(1)?)?;
        (t > at - lookback).then_some((t, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::curve::Curve;
    use crate::drill::spec::Rate;

    fn spec(name: &str, kind: SeriesKind) -> SeriesSpec {
        let mut labels = Labels::new();
        labels.insert("__name__".into(), name.into());
        SeriesSpec { labels, kind, noise: 0.0 }
    }

    #[test]
    fn counters_integrate_their_rate_over_wall_time() {
        let specs = vec![
            spec("a_total", SeriesKind::Counter(Rate::Curve(Curve::constant(2.0)))),
            spec("g", SeriesKind::Gauge(Curve::constant(7.0))),
        ];
        let clock = Clock { start: 100.0, speed: 10.0, duration: 60.0, loop_forever: false };
        let mut store = Store::new(&specs);
        for s in 0..=10 {
            store.sample(&specs, &clock, 100.0 + s as f64);
        }
        let c = &store.series[0];
        assert_eq!(c.latest(110_000, 300_000), Some((110_000, 20.0)));
        assert_eq!(c.range(105_000, 110_000).len(), 5);
        assert_eq!(store.series[1].latest(110_500, 1000), Some((110_000, 7.0)));
        assert_eq!(store.series[1].latest(120_000, 1000), None);
    }

    #[test]
    fn rings_are_bounded() {
        let specs = vec![spec("g", SeriesKind::Gauge(Curve::constant(1.0)))];
        let clock = Clock { start: 0.0, speed: 1.0, duration: 60.0, loop_forever: false };
        let mut store = Store::new(&specs);
        for s in 0..(MAX_SAMPLES + 10) {
            store.sample(&specs, &clock, s as f64 * 0.1);
        }
        assert_eq!(store.series[0].samples.len(), MAX_SAMPLES);
    }
}
