//! An alert's past firings, as Prometheus' own `ALERTS` series tells them,
//! and what people read from them: how often, how long, whether it flaps.
//! Plain arithmetic on times, shared by the detail pane, the board and the
//! post-mortem so that all three count the same way.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One firing: from when it was first seen firing to when it was last
/// (both as precise as the query's step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firing {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Firing {
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }
}

/// The median duration of `firings` (the lower of the two middle ones for
/// an even count: a duration that happened, not an average of two).
pub fn median(firings: &[Firing]) -> Option<Duration> {
    let mut d: Vec<Duration> = firings.iter().map(Firing::duration).collect();
    d.sort();
    d.get(d.len().checked_sub(1)? / 2).copied()
}

/// The firings that had ended before `at` (the start of the firing they
/// precede), give or take `slack` (the step they were read at): the
/// alert's previous occurrences. `firings` are oldest first.
pub fn before(firings: &[Firing], at: DateTime<Utc>, slack: Duration) -> &[Firing] {
    let n = firings.iter().take_while(|f| f.end + slack < at).count();
    &firings[..n]
}

/// How many times the alert changed between firing and not within
/// `[from, to]`: each firing's start, and its end unless it is still going
/// (`ongoing`: the last firing has not ended).
pub fn transitions(firings: &[Firing], from: DateTime<Utc>, to: DateTime<Utc>, ongoing: bool) -> usize {
    let within = |t: DateTime<Utc>| from <= t && t <= to;
    let last = firings.len().saturating_sub(1);
    firings
        .iter()
        .enumerate()
        .rev()
        .take_while(|(_, f)| f.end >= from)
        .map(|(i, f)| usize::from(within(f.start)) + usize::from(within(f.end) && !(ongoing && i == last)))
        .sum()
}

/// `40s`, `12m`, `3h`, `2d`: the largest whole unit.
pub fn short(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// A window as people say it: `7d`, `36h`, `90m`, `45s` (the largest unit
/// that divides it).
pub fn window(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).expect("valid time")
    }

    fn f(start: i64, end: i64) -> Firing {
        Firing { start: t(start), end: t(end) }
    }

    #[test]
    fn median_is_a_duration_that_happened() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f(0, 5)]), Some(Duration::minutes(5)));
        assert_eq!(median(&[f(0, 30), f(40, 42), f(50, 62)]), Some(Duration::minutes(12)));
        assert_eq!(median(&[f(0, 30), f(40, 42), f(50, 62), f(70, 71)]), Some(Duration::minutes(2)));
    }

    #[test]
    fn previous_firings_ended_before_the_start() {
        let all = [f(0, 10), f(20, 30), f(58, 70)];
        assert_eq!(before(&all, t(60), Duration::minutes(1)), &all[..2], "the one at 58 is this firing");
        assert_eq!(before(&all, t(30), Duration::minutes(1)), &all[..1], "within the slack is not before");
        assert!(before(&all, t(0), Duration::zero()).is_empty());
    }

    #[test]
    fn transitions_count_starts_and_ends_in_the_span() {
        let all = [f(0, 10), f(20, 25), f(30, 35), f(40, 60)];
        assert_eq!(transitions(&all, t(0), t(60), false), 8);
        assert_eq!(transitions(&all, t(0), t(60), true), 7, "the last firing has not ended");
        assert_eq!(transitions(&all, t(22), t(60), true), 4, "25, 30, 35, 40");
        assert_eq!(transitions(&all, t(61), t(120), false), 0);
        assert_eq!(transitions(&[], t(0), t(60), true), 0);
    }

    #[test]
    fn durations_and_windows_read_short() {
        assert_eq!(short(Duration::seconds(40)), "40s");
        assert_eq!(short(Duration::minutes(12)), "12m");
        assert_eq!(short(Duration::hours(50)), "2d");
        assert_eq!(short(Duration::seconds(-3)), "0s");
        assert_eq!(window(7 * 86_400), "7d");
        assert_eq!(window(36 * 3600), "36h");
        assert_eq!(window(90 * 60), "90m");
        assert_eq!(window(3601), "3601s");
    }
}
