//! Each source's health as the status bar shows it: up (with the age of the
//! last good poll when that grows old), slow, or down (the error, since when).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::SourceError;
use crate::msg::{SourceId, SourceKind};

/// A poll slower than this marks the source slow.
pub const SLOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq)]
pub enum Health {
    /// Not polled yet.
    Unknown,
    Up,
    Slow(Duration),
    Down {
        error: SourceError,
        since: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceHealth {
    pub id: SourceId,
    pub name: String,
    pub health: Health,
    pub last_ok: Option<DateTime<Utc>>,
    /// What its last alerts answer lost (alerts past the limit, cut text).
    pub cut: crate::model::AlertsCut,
}

impl SourceHealth {
    pub fn new(id: SourceId, name: String) -> Self {
        Self { id, name, health: Health::Unknown, last_ok: None, cut: Default::default() }
    }

    /// Records a poll; returns whether what the status bar shows changed.
    pub fn record(&mut self, at: DateTime<Utc>, latency: Duration, error: Option<&SourceError>) -> bool {
        let next = match error {
            None if latency >= SLOW => Health::Slow(round_latency(latency)),
            None => Health::Up,
            Some(e) => match &self.health {
                Health::Down { error, since } if error == e => Health::Down { error: error.clone(), since: *since },
                Health::Down { since, .. } => Health::Down { error: e.clone(), since: *since },
                _ => Health::Down { error: e.clone(), since: at },
            },
        };
        if error.is_none() {
            self.last_ok = Some(at);
        }
        let changed = next != self.health;
        self.health = next;
        changed
    }

    pub fn is_down(&self) -> bool {
        matches!(self.health, Health::Down { .. })
    }

    pub fn kind(&self) -> SourceKind {
        self.id.kind
    }
}

/// Latency shown to a tenth of a second, so that jitter does not repaint.
fn round_latency(d: Duration) -> Duration {
    Duration::from_millis((d.as_millis() as u64 / 100) * 100)
}

/// "12s", "3m", "2h", "4d": an age at the resolution people read it.
pub fn format_age(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// An age shown only to the minute ("<1m", "12m", "3h"): used on the board so
/// that an idle screen does not repaint every second.
pub fn format_age_coarse(d: chrono::Duration) -> String {
    if d.num_seconds() < 60 { "<1m".to_string() } else { format_age(d) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> SourceId {
        SourceId { kind: SourceKind::Prometheus, index: 0 }
    }

    #[test]
    fn down_keeps_its_since_and_recovers() {
        let t0 = Utc::now();
        let mut h = SourceHealth::new(id(), "prom".into());
        assert!(h.record(t0, Duration::from_millis(5), None));
        assert!(!h.record(t0, Duration::from_millis(7), None), "same health, no repaint");
        let t1 = t0 + chrono::Duration::seconds(10);
        assert!(h.record(t1, Duration::ZERO, Some(&SourceError::Refused)));
        let t2 = t1 + chrono::Duration::seconds(10);
        assert!(!h.record(t2, Duration::ZERO, Some(&SourceError::Refused)));
        assert_eq!(h.health, Health::Down { error: SourceError::Refused, since: t1 });
        assert_eq!(h.last_ok, Some(t0));
        assert!(h.record(t2, Duration::from_secs(3), None));
        assert_eq!(h.health, Health::Slow(Duration::from_secs(3)));
    }

    #[test]
    fn ages_read_naturally() {
        let s = chrono::Duration::seconds;
        assert_eq!(format_age(s(42)), "42s");
        assert_eq!(format_age(s(720)), "12m");
        assert_eq!(format_age(s(7300)), "2h");
        assert_eq!(format_age(s(200_000)), "2d");
        assert_eq!(format_age_coarse(s(42)), "<1m");
        assert_eq!(format_age(s(-5)), "0s");
    }
}
