//! Incident durations: time to detect, mitigate and resolve.

use chrono::{DateTime, Utc};

/// The times an incident's durations are measured between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestones {
    /// Earliest `startsAt` of the alerts involved: when the problem showed.
    pub first_alert: Option<DateTime<Utc>>,
    pub declared: Option<DateTime<Utc>>,
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
}

impl Milestones {
    /// Where time to mitigate and resolve are counted from: the first alert,
    /// or the declaration when no alert was involved (or it came later).
    pub fn start(&self) -> Option<DateTime<Utc>> {
        match (self.first_alert, self.declared) {
            (Some(a), Some(d)) => Some(a.min(d)),
            (a, d) => a.or(d),
        }
    }

    /// First alert → declared. `None` without an alert before declaring.
    pub fn time_to_detect(&self) -> Option<chrono::Duration> {
        let (a, d) = (self.first_alert?, self.declared?);
        (a <= d).then(|| d - a)
    }

    pub fn time_to_mitigate(&self) -> Option<chrono::Duration> {
        Some(self.mitigated? - self.start()?)
    }

    pub fn time_to_resolve(&self) -> Option<chrono::Duration> {
        Some(self.resolved? - self.start()?)
    }
}
