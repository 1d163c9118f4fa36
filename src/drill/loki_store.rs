//! Lines pushed to the simulator's Loki, per tenant, with what Loki's
//! ingester does on append: out-of-order entries accepted within an hour of
//! the stream's newest (`max_chunk_age / 2`, unordered writes being Loki's
//! default since 2.4), older ones refused with Loki's "entry too far behind"
//! 400; an entry equal to one stored (same timestamp and line) stored once;
//! a per-tenant ingestion rate limit (429) and stream limit (429).
//!
//! Memory is bounded: a tenant keeps at most `max_bytes_per_tenant` bytes of
//! lines and metadata, the oldest entries being dropped first (as retention
//! would), and at most [`MAX_TENANTS`] tenants push (a new one beyond that
//! gets a 429).

use std::collections::{BTreeMap, HashMap};

use super::logs::{LogEntry, LogStream};
use super::loki_text::{go_time_string, labels_string, rfc3339};
use super::loki_validate::metadata_size;
use super::spec::Labels;

/// How many tenants may push to one simulator.
pub(crate) const MAX_TENANTS: usize = 64;
/// `max_global_streams_per_user`'s default.
pub(crate) const MAX_STREAMS_PER_TENANT: usize = 5000;
/// Half of `max_chunk_age` (2h): how far behind a stream's newest entry an
/// out-of-order entry may be.
const TOO_FAR_BEHIND_NS: i64 = 3600 * 1_000_000_000;
/// Loki lists at most this many refused entries in one message.
const MAX_RETURNED_ERRORS: usize = 10;
/// Bookkeeping per entry beyond its line and metadata, for the byte cap.
const ENTRY_OVERHEAD: usize = 64;

/// A refusal: HTTP status and Loki's message.
pub(crate) type Refusal = (u16, String);

/// One stream of pushed lines, oldest first.
#[derive(Debug, Default)]
pub(crate) struct PushedStream {
    pub stream: LogStream,
    /// The last entry appended (Loki skips an exact repeat of it).
    last: Option<(i64, String)>,
    highest: Option<i64>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at_ns: i64,
}

#[derive(Debug)]
pub(crate) struct TenantLogs {
    pub streams: BTreeMap<Labels, PushedStream>,
    bytes: usize,
    bucket: Bucket,
}

/// Every tenant's pushed lines, and the limits they are held to.
#[derive(Debug)]
pub(crate) struct PushStore {
    tenants: HashMap<String, TenantLogs>,
    rate: f64,
    burst: f64,
    max_bytes: usize,
}

fn entry_size(e: &LogEntry) -> usize {
    e.line.len() + metadata_size(&e.metadata) + ENTRY_OVERHEAD
}

impl PushStore {
    pub(crate) fn new(rate: f64, burst: f64, max_bytes: usize) -> PushStore {
        PushStore { tenants: HashMap::new(), rate, burst, max_bytes }
    }

    pub(crate) fn tenant(&self, tenant: &str) -> Option<&TenantLogs> {
        self.tenants.get(tenant)
    }

    /// The tenant's logs, created if there is room for another tenant.
    pub(crate) fn tenant_mut(&mut self, tenant: &str, now_ns: i64) -> Result<&mut TenantLogs, Refusal> {
        if !self.tenants.contains_key(tenant) && self.tenants.len() >= MAX_TENANTS {
            return Err((
                429,
                format!(
                    "the warroom drill simulator keeps at most {MAX_TENANTS} tenants; user '{tenant}' is one too many"
                ),
            ));
        }
        let burst = self.burst;
        Ok(self.tenants.entry(tenant.to_string()).or_insert_with(|| TenantLogs {
            streams: BTreeMap::new(),
            bytes: 0,
            bucket: Bucket { tokens: burst, at_ns: now_ns },
        }))
    }

    /// The ingestion rate limiter (a token bucket of `rate` bytes/s holding
    /// `burst`): whether `bytes` may be taken now; a refusal takes nothing.
    pub(crate) fn allow(&mut self, tenant: &str, bytes: usize, now_ns: i64) -> bool {
        let (rate, burst) = (self.rate, self.burst);
        let Some(t) = self.tenants.get_mut(tenant) else { return true };
        let elapsed = (now_ns - t.bucket.at_ns).max(0) as f64 / 1e9;
        t.bucket.tokens = (t.bucket.tokens + elapsed * rate).min(burst);
        t.bucket.at_ns = now_ns;
        if bytes as f64 > t.bucket.tokens {
            return false;
        }
        t.bucket.tokens -= bytes as f64;
        true
    }

    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Drops the tenant's oldest entries until it is within the byte cap.
    pub(crate) fn enforce_cap(&mut self, tenant: &str) {
        let max = self.max_bytes;
        if let Some(t) = self.tenants.get_mut(tenant) {
            t.evict_to(max);
        }
    }
}

impl TenantLogs {
    /// Appends `entries` to the stream `labels` as Loki's ingester does.
    /// Returns the entries handed to live tailers (duplicates of stored
    /// entries included, as Loki sends them) and the refusal, if any.
    pub(crate) fn append(
        &mut self,
        tenant: &str,
        labels: &Labels,
        entries: Vec<LogEntry>,
    ) -> (Vec<LogEntry>, Option<Refusal>) {
        if !self.streams.contains_key(labels) && self.streams.len() >= MAX_STREAMS_PER_TENANT {
            let msg = format!(
                "Maximum active stream limit exceeded when trying to create stream {}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '{tenant}'",
                labels_string(labels)
            );
            return (Vec::new(), Some((429, msg)));
        }
        let pushed = self.streams.entry(labels.clone()).or_default();
        if pushed.stream.labels.is_empty() {
            pushed.stream.labels = labels.clone();
        }
        let total = entries.len();
        let mut failed: Vec<(i64, String)> = Vec::new();
        let mut sent = Vec::with_capacity(total);
        for e in entries {
            if pushed.last.as_ref().is_some_and(|(ts, line)| *ts == e.ts_ns && *line == e.line) {
                continue;
            }
            if let Some(highest) = pushed.highest {
                let cutoff = highest - TOO_FAR_BEHIND_NS;
                if e.ts_ns < cutoff {
                    let why = format!(
                        "entry too far behind, entry timestamp is: {}, oldest acceptable timestamp is: {}",
                        rfc3339(e.ts_ns),
                        rfc3339(cutoff)
                    );
                    failed.push((e.ts_ns, why));
                    continue;
                }
            }
            pushed.last = Some((e.ts_ns, e.line.clone()));
            pushed.highest = Some(pushed.highest.map_or(e.ts_ns, |h| h.max(e.ts_ns)));
            let entries = &mut pushed.stream.entries;
            let at = entries.partition_point(|x| x.ts_ns <= e.ts_ns);
            let first_same = entries.partition_point(|x| x.ts_ns < e.ts_ns);
            let duplicate = entries.range(first_same..at).any(|x| x.line == e.line);
            if !duplicate {
                self.bytes += entry_size(&e);
                entries.insert(at, e.clone());
            }
            sent.push(e);
        }
        let refusal = (!failed.is_empty()).then(|| (400, too_far_behind(tenant, labels, &failed, total)));
        (sent, refusal)
    }

    fn evict_to(&mut self, max_bytes: usize) {
        while self.bytes > max_bytes {
            let oldest = self
                .streams
                .iter()
                .filter_map(|(k, s)| s.stream.entries.front().map(|e| (e.ts_ns, k)))
                .min_by_key(|(ts, _)| *ts)
                .map(|(_, k)| k.clone());
            let Some(key) = oldest else { return };
            let Some(s) = self.streams.get_mut(&key) else { return };
            if let Some(e) = s.stream.entries.pop_front() {
                self.bytes = self.bytes.saturating_sub(entry_size(&e));
            }
            if s.stream.entries.is_empty() {
                self.streams.remove(&key);
            }
        }
    }
}

/// `errorForFailedEntries` of Loki's ingester.
fn too_far_behind(tenant: &str, labels: &Labels, failed: &[(i64, String)], total: usize) -> String {
    let mut out = String::new();
    for (ts, why) in failed.iter().take(MAX_RETURNED_ERRORS) {
        out.push_str(&format!("entry with timestamp {} ignored, reason: '{why}',\n", go_time_string(*ts)));
    }
    out.push_str(&format!(
        "user '{tenant}', total ignored: {} out of {total} for stream: {}",
        failed.len(),
        labels_string(labels)
    ));
    out
}

#[cfg(test)]
mod tests;
