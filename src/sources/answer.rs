//! A poller's memory of its source's last alerts answer. Alertmanager
//! answers the same 10 MB for 10 000 alerts poll after poll; parsing it and
//! comparing it with the board cost the event loop 37 ms each time. Here an
//! identical body is not parsed again, and in a changed one every alert
//! equal to the last answer's keeps its `Arc`: the board then compares
//! pointers, and only the alerts that changed are new. All of it runs in
//! the poller task, off the event loop.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use super::{Body, SourceError};
use crate::model::{Alert, AlertsCut, SharedAlerts};

#[derive(Debug, Default)]
pub struct AnswerCache {
    /// Keyed per cache, so a source cannot craft a collision.
    hasher: RandomState,
    last: Option<(u64, SharedAlerts, AlertsCut)>,
}

impl AnswerCache {
    /// The alerts in `body`: the last answer again when the body is the
    /// same, else `parse(body)` with unchanged alerts shared with the last
    /// answer. A failed parse forgets nothing.
    pub fn alerts(
        &mut self,
        body: &Body,
        parse: impl FnOnce(&Body) -> Result<(Vec<Alert>, AlertsCut), SourceError>,
    ) -> Result<(SharedAlerts, AlertsCut), SourceError> {
        let hash = self.hasher.hash_one((body.status, body.content_type.as_str(), body.bytes.as_slice()));
        if let Some((h, alerts, cut)) = &self.last
            && *h == hash
        {
            return Ok((alerts.clone(), *cut));
        }
        let (fresh, cut) = parse(body)?;
        let alerts = share_unchanged(self.last.as_ref().map(|(_, a, _)| a.as_slice()).unwrap_or_default(), fresh);
        self.last = Some((hash, alerts.clone(), cut));
        Ok((alerts, cut))
    }
}

/// Hands the pages freed by a poll (a 10 MB body, the parse's temporary
/// structures) back to the system. glibc keeps freed memory in the arena of
/// the thread that allocated it, and pollers run on every tokio worker: with
/// 10 000 alerts that kept about 20 MB more resident than the alerts need.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas, with their locks
    // taken; it has no precondition and invalidates no allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Caps glibc's malloc arenas at two; call it first thing in `main`, before
/// any thread starts. By default each thread that allocates may get an arena
/// of its own (up to 8 per core), and the pollers' parses, spread over the
/// tokio workers, left each arena holding freed megabytes: at 10 000 alerts
/// one arena instead of several measured 62 MiB instead of 76 MiB.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets one of glibc's allocator tunables.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// `fresh`, with each alert equal to one in `old` (same fingerprint, same
/// content) replaced by that one's `Arc`.
fn share_unchanged(old: &[Arc<Alert>], fresh: Vec<Alert>) -> SharedAlerts {
    let by_fp: HashMap<&str, &Arc<Alert>> = old.iter().map(|a| (a.fingerprint.as_str(), a)).collect();
    fresh
        .into_iter()
        .map(|a| match by_fp.get(a.fingerprint.as_str()) {
            Some(&o) if **o == a => o.clone(),
            _ => Arc::new(a),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::{Alert, Labels};

    fn alert(name: &str, severity: &str) -> Alert {
        let labels: Labels = [("alertname", name), ("severity", severity)].map(|(k, v)| (k.into(), v.into())).into();
        Alert::firing(labels, chrono::DateTime::UNIX_EPOCH, "am")
    }

    fn body(bytes: &[u8]) -> Body {
        Body {
            status: 200,
            content_type: "application/json".into(),
            bytes: bytes.to_vec(),
            elapsed: Duration::ZERO,
            ..Default::default()
        }
    }

    #[test]
    fn same_body_is_not_parsed_again() {
        let mut cache = AnswerCache::default();
        let first = cache.alerts(&body(b"a"), |_| Ok((vec![alert("A", "critical")], AlertsCut::default()))).unwrap().0;
        let again = cache.alerts(&body(b"a"), |_| panic!("parsed an identical body")).unwrap().0;
        assert!(Arc::ptr_eq(&first[0], &again[0]));
    }

    #[test]
    fn changed_body_shares_the_unchanged_alerts() {
        let mut cache = AnswerCache::default();
        let (a, b) = (alert("A", "critical"), alert("B", "info"));
        let first = cache.alerts(&body(b"1"), |_| Ok((vec![a.clone(), b.clone()], AlertsCut::default()))).unwrap().0;
        let mut b2 = b.clone();
        b2.state = crate::model::AlertState::Silenced;
        let second = cache.alerts(&body(b"2"), |_| Ok((vec![b2.clone(), a.clone()], AlertsCut::default()))).unwrap().0;
        assert!(Arc::ptr_eq(&second[1], &first[0]), "A unchanged: same Arc");
        assert!(!Arc::ptr_eq(&second[0], &first[1]), "B changed: a new one");
        assert_eq!(*second[0], b2);
    }

    #[test]
    fn a_failed_parse_keeps_the_last_answer() {
        let mut cache = AnswerCache::default();
        let first = cache.alerts(&body(b"1"), |_| Ok((vec![alert("A", "critical")], AlertsCut::default()))).unwrap().0;
        let err = cache.alerts(&body(b"{"), |_| Err(SourceError::Decode("truncated".into())));
        assert!(err.is_err());
        let again = cache.alerts(&body(b"1"), |_| panic!("parsed an identical body")).unwrap().0;
        assert!(Arc::ptr_eq(&first[0], &again[0]));
    }
}
