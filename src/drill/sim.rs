//! The whole simulated world behind one lock: samples, logs, rule states and
//! the Alertmanager side (alerts received from the rules, silences).

use std::collections::BTreeMap;

use super::clock::Clock;
use super::logs::LogStore;
use super::rules::{AlertState, RuleState};
use super::scenario::Scenario;
use super::series::Store;
use super::silences::Silences;
use super::spec::Labels;

/// Wall-clock length of the pre-incident history generated at start.
const HISTORY_SECS: f64 = 30.0 * 60.0;
/// Wall-clock grid of that history.
const HISTORY_STEP_SECS: f64 = 15.0;
/// Prometheus sends `endsAt = now + 4 × max(resend delay 1m, interval)`.
const VALID_FOR_SECS: f64 = 4.0 * 60.0;
/// Resolved alerts are dropped from the Alertmanager store after this.
const AM_RETENTION_SECS: f64 = 15.0 * 60.0;

/// An alert as Alertmanager holds it.
#[derive(Debug, Clone)]
pub(crate) struct AmAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub starts_at: f64,
    pub ends_at: f64,
    pub updated_at: f64,
    pub generator_url: String,
    pub fingerprint: String,
}

#[derive(Debug)]
pub(crate) struct Sim {
    pub scenario: Scenario,
    pub clock: Clock,
    pub store: Store,
    pub rules: Vec<RuleState>,
    pub logs: LogStore,
    /// Keyed by fingerprint.
    pub am_alerts: BTreeMap<String, AmAlert>,
    pub silences: Silences,
    pub base_url: String,
    /// Wall instant the process started (Alertmanager `uptime`).
    pub started: f64,
    last_tick: f64,
}

impl Sim {
    /// Builds the world at wall instant `now`, with 30 minutes of baseline
    /// history already recorded so that graphs are not empty.
    pub(crate) fn new(scenario: Scenario, clock: Clock, base_url: String, now: f64) -> Sim {
        let store = Store::new(&scenario.series);
        let logs = LogStore::new(&scenario);
        let rules = scenario.alerts.iter().cloned().map(RuleState::new).collect();
        let mut sim = Sim {
            scenario,
            clock,
            store,
            rules,
            logs,
            am_alerts: BTreeMap::new(),
            silences: Silences::new(),
            base_url,
            started: now,
            last_tick: now - HISTORY_SECS,
        };
        let mut w = now - HISTORY_SECS;
        while w < now {
            sim.record(w);
            w += HISTORY_STEP_SECS;
        }
        sim.tick(now);
        sim
    }

    /// Wall seconds between two ticks: one scrape interval of scenario time,
    /// bounded so that high speeds stay affordable.
    pub(crate) fn step_secs(&self) -> f64 {
        (self.scenario.scrape_interval / self.clock.speed).clamp(0.05, self.scenario.scrape_interval)
    }

    fn record(&mut self, wall: f64) {
        self.store.sample(&self.scenario.series, &self.clock, wall);
        self.logs.generate(&self.scenario, &self.clock, self.last_tick, wall);
        self.last_tick = wall;
    }

    /// Samples, logs, rule evaluation and notification at wall instant `now`.
    pub(crate) fn tick(&mut self, now: f64) {
        if now <= self.last_tick {
            return;
        }
        self.record(now);
        for r in &mut self.rules {
            r.eval(&self.store, &self.clock, now);
        }
        self.notify(now);
    }

    /// What Prometheus' notifier does: every firing or just-resolved alert
    /// is (re)sent; Alertmanager merges by fingerprint.
    fn notify(&mut self, now: f64) {
        for rule in &self.rules {
            let url = generator_url(&self.base_url, &rule.rule.expr_text);
            for a in rule.alerts.values().filter(|a| a.state == AlertState::Firing) {
                let fp = super::prom_format::fingerprint(&a.labels);
                let starts_at = a.fired_at.unwrap_or(a.active_at);
                let ends_at = a.resolved_at.unwrap_or(now + VALID_FOR_SECS);
                let entry = self.am_alerts.entry(fp.clone()).or_insert_with(|| AmAlert {
                    labels: a.labels.clone(),
                    annotations: a.annotations.clone(),
                    starts_at,
                    ends_at,
                    updated_at: now,
                    generator_url: url.clone(),
                    fingerprint: fp,
                });
                if entry.ends_at <= now && a.resolved_at.is_none() {
                    // Fired again after a resolution: a new alert.
                    entry.starts_at = starts_at;
                }
                entry.annotations = a.annotations.clone();
                entry.ends_at = ends_at;
                entry.updated_at = now;
            }
        }
        self.am_alerts.retain(|_, a| a.ends_at > now - AM_RETENTION_SECS);
    }
}

/// `http://host/graph?g0.expr=…&g0.tab=1`, like Prometheus builds it.
fn generator_url(base: &str, expr: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(expr.as_bytes()).collect();
    format!("{base}/graph?g0.expr={q}&g0.tab=1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::{ScenarioSource, rules::AlertState};

    #[test]
    fn db_down_fires_in_order_then_resolves() {
        let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
        let start = 1_800_000_000.0;
        let clock = Clock { start, speed: 1.0, duration: sc.duration, loop_forever: false };
        let mut sim = Sim::new(sc, clock, "http://127.0.0.1:9".into(), start);
        assert!(sim.store.series.iter().all(|s| s.samples.len() > 100), "history is there");
        let mut fired: Vec<(String, f64)> = Vec::new();
        let mut t = 0.0;
        while t < 900.0 {
            t += 15.0;
            sim.tick(start + t);
            for r in &sim.rules {
                if r.visible().any(|a| a.state == AlertState::Firing) && !fired.iter().any(|(n, _)| n == &r.rule.name) {
                    fired.push((r.rule.name.clone(), t));
                }
            }
        }
        let order: Vec<&str> = fired.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            order,
            vec!["DatabaseDown", "ReadinessFailed", "DBPoolExhausted", "HighErrorRate", "HighLatency"],
            "{fired:?}"
        );
        assert!(fired[0].1 >= 180.0 && fired[0].1 <= 200.0, "{fired:?}");
        assert!(sim.rules.iter().all(|r| r.state() == "inactive"), "all resolved at the end");
        assert!(sim.am_alerts.values().all(|a| a.ends_at <= start + t));
        assert_eq!(sim.am_alerts.len(), 5);
    }

    #[test]
    fn every_builtin_fires_all_its_alerts_and_recovers() {
        for (name, _) in crate::drill::BUILTIN {
            let sc = Scenario::load(&ScenarioSource::Builtin((*name).to_string())).expect("scenario");
            let start = 1_800_000_000.0;
            let duration = sc.duration;
            let clock = Clock { start, speed: 1.0, duration, loop_forever: false };
            let mut sim = Sim::new(sc, clock, "http://127.0.0.1:9".into(), start);
            let mut fired = std::collections::BTreeSet::new();
            let mut t = 0.0;
            while t < duration {
                t += 15.0;
                sim.tick(start + t);
                for r in &sim.rules {
                    if r.state() == "firing" {
                        fired.insert(r.rule.name.clone());
                    }
                }
            }
            assert_eq!(fired.len(), sim.rules.len(), "{name}: only {fired:?} fired");
            assert!(sim.rules.iter().all(|r| r.state() == "inactive"), "{name}: not all resolved");
        }
    }
}
