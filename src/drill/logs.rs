//! Log generation and storage: each stream gets `rate × elapsed` lines per
//! tick, drawn from its weighted templates active at the current scenario
//! time, plus one-off events. Bounded rings, like the series.

use std::collections::VecDeque;

use super::clock::Clock;
use super::curve::Rng;
use super::scenario::Scenario;
use super::spec::Labels;

const RETENTION_NS: i64 = 2 * 3600 * 1_000_000_000;
const MAX_ENTRIES_PER_STREAM: usize = 20_000;
/// A single tick never produces more than this per stream (a huge rate or a
/// stalled process must not flood the ring in one go).
const MAX_LINES_PER_TICK: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogEntry {
    pub ts_ns: i64,
    pub line: String,
    /// Structured metadata (Loki 3): empty for the generated lines, what a
    /// push sent (plus `detected_level`) for pushed ones.
    pub metadata: Labels,
}

#[derive(Debug, Default)]
pub(crate) struct LogStream {
    pub labels: Labels,
    pub entries: VecDeque<LogEntry>,
}

#[derive(Debug)]
pub(crate) struct LogStore {
    pub streams: Vec<LogStream>,
    /// Fractional lines carried over between ticks, per scenario stream.
    carry: Vec<f64>,
    rng: Rng,
    last: Option<(u64, f64)>,
}

fn stream_index(streams: &mut Vec<LogStream>, labels: &Labels) -> usize {
    if let Some(i) = streams.iter().position(|s| &s.labels == labels) {
        return i;
    }
    streams.push(LogStream { labels: labels.clone(), entries: VecDeque::new() });
    streams.len() - 1
}

impl LogStore {
    pub(crate) fn new(sc: &Scenario) -> LogStore {
        let mut streams = Vec::new();
        for s in &sc.logs {
            stream_index(&mut streams, &s.labels);
        }
        for e in &sc.events {
            stream_index(&mut streams, &e.labels);
        }
        LogStore { streams, carry: vec![0.0; sc.logs.len()], rng: Rng::new(0x5eed), last: None }
    }

    /// Generates the lines of the wall interval `(from, to]`.
    pub(crate) fn generate(&mut self, sc: &Scenario, clock: &Clock, from: f64, to: f64) {
        let t = clock.scenario_t(to);
        let dt = (to - from).max(0.0);
        for (i, spec) in sc.logs.iter().enumerate() {
            let active: Vec<_> = spec.active_lines(t).collect();
            let wanted = self.carry[i] + spec.rate.at(t).max(0.0) * dt;
            let n = (wanted.floor() as usize).min(MAX_LINES_PER_TICK);
            self.carry[i] = wanted - wanted.floor();
            let total: f64 = active.iter().map(|l| l.weight).sum();
            if active.is_empty() || total <= 0.0 {
                continue;
            }
            let idx = stream_index(&mut self.streams, &spec.labels);
            for k in 0..n {
                let mut pick = self.rng.unit() * total;
                let tpl = active.iter().find(|l| {
                    pick -= l.weight;
                    pick < 0.0
                });
                let Some(tpl) = tpl.or(active.last()) else {
                    continue;
                };
                let wall = from + dt * (k as f64 + 1.0) / (n as f64 + 1.0);
                let line = fill(&tpl.text, &mut self.rng);
                push(&mut self.streams[idx], wall, line);
            }
        }
        self.fire_events(sc, clock, to, t);
        let cutoff = (to * 1e9) as i64 - RETENTION_NS;
        for s in &mut self.streams {
            while s.entries.len() > MAX_ENTRIES_PER_STREAM || s.entries.front().is_some_and(|e| e.ts_ns < cutoff) {
                s.entries.pop_front();
            }
        }
    }

    /// Events whose time was crossed since the last tick (again on every lap).
    fn fire_events(&mut self, sc: &Scenario, clock: &Clock, wall: f64, t: f64) {
        let lap = clock.lap(wall);
        let prev = self.last.replace((lap, t));
        let Some((prev_lap, prev_t)) = prev else {
            return;
        };
        if t < 0.0 {
            return;
        }
        for e in &sc.events {
            let crossed = if lap == prev_lap { prev_t < e.at && e.at <= t } else { e.at > prev_t || e.at <= t };
            if crossed {
                let idx = stream_index(&mut self.streams, &e.labels);
                push(&mut self.streams[idx], wall, e.text.clone());
            }
        }
    }
}

fn push(stream: &mut LogStream, wall: f64, line: String) {
    let mut ts_ns = (wall * 1e9) as i64;
    if let Some(last) = stream.entries.back() {
        ts_ns = ts_ns.max(last.ts_ns + 1);
    }
    stream.entries.push_back(LogEntry { ts_ns, line, metadata: Labels::new() });
}

/// Expands `{id}`, `{n}`, `{ms}` and `{pick:a|b|c}` in a template.
pub(crate) fn fill(template: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(len) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let token = &rest[open + 1..open + len];
        match token {
            "id" => out.push_str(&format!("{:016x}", rng.next_u64())),
            "n" => out.push_str(&(rng.next_u64() % 1000).to_string()),
            "ms" => out.push_str(&((rng.unit().powi(3) * 2500.0) as u64 + 1).to_string()),
            _ => match token.strip_prefix("pick:") {
                Some(choices) => {
                    let options: Vec<&str> = choices.split('|').collect();
                    let i = (rng.next_u64() % options.len() as u64) as usize;
                    out.push_str(options.get(i).copied().unwrap_or(""));
                }
                None => out.push_str(&rest[open..open + len + 1]),
            },
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SC: &str = r#"
name = "l"
title = "l"
description = "l"
duration = "10m"
[[logs]]
labels = { job = "api", level = "error" }
rate = [[0, 2]]
[[logs.lines]]
text = "before {id}"
until = "1m"
[[logs.lines]]
text = "after {pick:a|b} {n} {ms} {unknown}"
from = "1m"
[[events]]
at = "30s"
labels = { job = "db" }
text = "failover"
"#;

    #[test]
    fn lines_follow_rate_templates_and_events() {
        let sc = Scenario::parse(SC).expect("scenario");
        let clock = Clock { start: 1000.0, speed: 1.0, duration: 600.0, loop_forever: false };
        let mut store = LogStore::new(&sc);
        let mut prev = 990.0;
        for s in 991..=1090 {
            store.generate(&sc, &clock, prev, s as f64);
            prev = s as f64;
        }
        let api = &store.streams[0];
        assert_eq!(api.entries.len(), 200);
        assert!(api.entries.iter().take(120).all(|e| e.line.starts_with("before ")));
        let last = &api.entries.back().expect("entries").line;
        assert!(last.starts_with("after ") && last.ends_with("{unknown}"), "{last}");
        assert!(api.entries.iter().zip(api.entries.iter().skip(1)).all(|(a, b)| a.ts_ns < b.ts_ns));
        let db = &store.streams[1];
        assert_eq!(db.entries.iter().map(|e| e.line.as_str()).collect::<Vec<_>>(), vec!["failover"]);
    }
}
