//! Silences with Alertmanager 0.25 semantics (`silence/silence.go`): states
//! pending/active/expired, in-place update only when the matchers are the
//! same (otherwise the old one is expired and a new id issued), expiry by
//! setting `endsAt` to now, expired silences kept and listed.

use std::cmp::Ordering;

use serde_json::{Value as Json, json};

use super::am_matchers::AmMatcher;
use super::curve::Rng;
use super::prom_format::rfc3339_millis;
use super::spec::Labels;

#[derive(Debug, Clone)]
pub(crate) struct Silence {
    pub id: String,
    pub matchers: Vec<AmMatcher>,
    pub starts_at: f64,
    pub ends_at: f64,
    pub updated_at: f64,
    pub created_by: String,
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SilenceState {
    Active,
    Pending,
    Expired,
}

impl SilenceState {
    fn as_str(self) -> &'static str {
        match self {
            SilenceState::Active => "active",
            SilenceState::Pending => "pending",
            SilenceState::Expired => "expired",
        }
    }
}

#[derive(Debug, PartialEq)]
pub(crate) enum SilenceError {
    NotFound,
    Invalid(String),
}

impl Silence {
    pub(crate) fn state(&self, now: f64) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now < self.ends_at {
            SilenceState::Active
        } else {
            SilenceState::Expired
        }
    }

    pub(crate) fn matches(&self, labels: &Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }

    pub(crate) fn to_json(&self, now: f64) -> Json {
        json!({
            "id": self.id,
            "status": {"state": self.state(now).as_str()},
            "updatedAt": rfc3339_millis(self.updated_at),
            "comment": self.comment,
            "createdBy": self.created_by,
            "endsAt": rfc3339_millis(self.ends_at),
            "matchers": self.matchers.iter().map(AmMatcher::to_json).collect::<Vec<_>>(),
            "startsAt": rfc3339_millis(self.starts_at),
        })
    }
}

#[derive(Debug)]
pub(crate) struct Silences {
    list: Vec<Silence>,
    rng: Rng,
}

/// A random (version 4) UUID, the id format Alertmanager uses.
fn uuid_v4(rng: &mut Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Silences {
    pub(crate) fn new() -> Silences {
        Silences { list: Vec::new(), rng: Rng::from_entropy() }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Silence> {
        self.list.iter().find(|s| s.id == id)
    }

    /// Creates or updates a silence; returns its (possibly new) id.
    pub(crate) fn set(&mut self, mut sil: Silence, now: f64) -> Result<String, SilenceError> {
        validate(&sil)?;
        if !sil.id.is_empty() {
            let Some(idx) = self.list.iter().position(|s| s.id == sil.id) else {
                return Err(SilenceError::NotFound);
            };
            let prev = &self.list[idx];
            if can_update(prev, &sil, now) {
                sil.updated_at = now;
                self.list[idx] = sil.clone();
                return Ok(sil.id);
            }
            if prev.state(now) != SilenceState::Expired {
                self.expire_at(idx, now);
            }
        }
        sil.id = uuid_v4(&mut self.rng);
        sil.starts_at = sil.starts_at.max(now);
        sil.updated_at = now;
        self.list.push(sil.clone());
        Ok(sil.id)
    }

    pub(crate) fn expire(&mut self, id: &str, now: f64) -> Result<(), SilenceError> {
        let idx = self.list.iter().position(|s| s.id == id).ok_or(SilenceError::NotFound)?;
        self.expire_at(idx, now);
        Ok(())
    }

    fn expire_at(&mut self, idx: usize, now: f64) {
        let s = &mut self.list[idx];
        match s.state(now) {
            SilenceState::Expired => return,
            SilenceState::Active => s.ends_at = now,
            SilenceState::Pending => {
                s.starts_at = now;
                s.ends_at = now;
            }
        }
        s.updated_at = now;
    }

    /// Ids of the active silences muting an alert with these labels.
    pub(crate) fn silenced_by(&self, labels: &Labels, now: f64) -> Vec<String> {
        self.list
            .iter()
            .filter(|s| s.state(now) == SilenceState::Active && s.matches(labels))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Silences matching the `filter` matchers (applied to each silence's
    /// matcher values, as Alertmanager does), sorted active, pending, expired.
    pub(crate) fn list(&self, filter: &[AmMatcher], now: f64) -> Vec<&Silence> {
        let mut out: Vec<&Silence> = self
            .list
            .iter()
            .filter(|s| {
                filter
                    .iter()
                    .all(|f| s.matchers.iter().find(|m| m.name == f.name).is_some_and(|m| f.matches_value(&m.value)))
            })
            .collect();
        out.sort_by(|a, b| {
            let (sa, sb) = (a.state(now), b.state(now));
            sa.cmp(&sb).then_with(|| match sa {
                SilenceState::Active => a.ends_at.total_cmp(&b.ends_at),
                SilenceState::Pending => a.starts_at.total_cmp(&b.starts_at),
                SilenceState::Expired => b.ends_at.total_cmp(&a.ends_at),
            })
        });
        out
    }
}

fn can_update(prev: &Silence, new: &Silence, now: f64) -> bool {
    if prev.matchers != new.matchers {
        return false;
    }
    match prev.state(now) {
        SilenceState::Active => new.starts_at == prev.starts_at && new.ends_at >= now,
        SilenceState::Pending => new.starts_at >= now,
        SilenceState::Expired => false,
    }
}

fn validate(s: &Silence) -> Result<(), SilenceError> {
    if s.matchers.is_empty() {
        return Err(SilenceError::Invalid("at least one matcher required".into()));
    }
    for (i, m) in s.matchers.iter().enumerate() {
        if !super::scenario::valid_label_name(&m.name) {
            return Err(SilenceError::Invalid(format!("invalid label matcher {i}: invalid label name {:?}", m.name)));
        }
    }
    if s.matchers.iter().all(|m| m.matches_value("")) {
        return Err(SilenceError::Invalid("at least one matcher must not match the empty string".into()));
    }
    if s.starts_at.partial_cmp(&s.ends_at) != Some(Ordering::Less) {
        return Err(SilenceError::Invalid("start time must be before end time".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
