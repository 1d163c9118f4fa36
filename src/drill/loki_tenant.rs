//! Who is asking the simulator's Loki, and where their pushed lines are.
//!
//! Like Loki with `auth_enabled: false` (the default here), every request
//! is tenant `fake` and `X-Scope-OrgID` is ignored. In multi-tenant mode
//! (`auth_enabled: true`), every Loki request needs the header (401
//! `no org id` without it, as Loki's auth middleware answers) and pushed
//! lines are kept per tenant. The scenario's generated logs are visible to
//! every tenant: they stand for the infrastructure the drill plays.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tokio::sync::broadcast;

use super::LokiOptions;
use super::logs::LogEntry;
use super::loki_store::PushStore;
use super::loki_validate::PushLimits;
use super::server::text;
use super::spec::Labels;

/// The tenant of every request when multi-tenancy is off (Loki's name).
pub(crate) const SINGLE_TENANT: &str = "fake";
/// dskit's `MaxTenantIDLength`.
const MAX_TENANT_LEN: usize = 150;
/// Push events buffered for slow tailers; beyond it a tailer is closed and
/// reconnects (re-reading from its last timestamp).
const EVENTS: usize = 4096;

/// Entries one push stored, for the live tailers.
#[derive(Debug)]
pub(crate) struct PushEvent {
    pub tenant: String,
    pub streams: Vec<(Labels, Vec<LogEntry>)>,
}

pub(crate) struct LokiState {
    pub multi_tenant: bool,
    pub limits: PushLimits,
    store: RwLock<PushStore>,
    pub events: broadcast::Sender<Arc<PushEvent>>,
}

impl LokiState {
    pub(crate) fn new(opts: &LokiOptions) -> LokiState {
        let store = PushStore::new(opts.ingestion_rate_bytes, opts.ingestion_burst_bytes, opts.max_bytes_per_tenant);
        let limits = PushLimits {
            allow_structured_metadata: opts.allow_structured_metadata,
            discover_service_name: opts.discover_service_name,
            reject_old_samples_max_age_ns: opts.reject_old_samples_max_age.map(|d| d.as_nanos() as i64),
            ..PushLimits::default()
        };
        let (events, _) = broadcast::channel(EVENTS);
        LokiState { multi_tenant: opts.multi_tenant, limits, store: RwLock::new(store), events }
    }

    /// Lock order: the simulation (`AppState::read`) first, then this.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, PushStore> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, PushStore> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The request's tenant, or Loki's refusal.
    pub(crate) fn tenant(&self, headers: &HeaderMap) -> Result<String, Response> {
        if !self.multi_tenant {
            return Ok(SINGLE_TENANT.to_string());
        }
        let Some(raw) = headers.get("x-scope-orgid") else {
            return Err(text(StatusCode::UNAUTHORIZED, "no org id\n"));
        };
        let raw = String::from_utf8_lossy(raw.as_bytes());
        if raw.is_empty() {
            return Err(text(StatusCode::UNAUTHORIZED, "no org id\n"));
        }
        tenant_id(&raw).map_err(|e| text(StatusCode::BAD_REQUEST, &format!("{e}\n")))
    }
}

/// dskit's `tenant.TenantID`: one tenant (`a|a` is `a`, `a|b` is refused),
/// any `:subtenant` dropped, `[a-zA-Z0-9!-_.*'()]` only, at most 150
/// bytes, not `.` or `..`.
fn tenant_id(org: &str) -> Result<String, String> {
    let mut ids = org.split('|').map(|id| id.split(':').next().unwrap_or(""));
    let first = ids.next().unwrap_or("");
    valid_tenant(first)?;
    if ids.any(|id| id != first) {
        return Err("multiple org IDs present".into());
    }
    Ok(first.to_string())
}

fn valid_tenant(id: &str) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"!-_.*'()".contains(&b);
    if let Some(pos) = id.bytes().position(|b| !allowed(b)) {
        let c = id[pos..].chars().next().unwrap_or('?');
        return Err(format!("tenant ID '{id}' contains unsupported character '{c}'"));
    }
    if id.len() > MAX_TENANT_LEN {
        return Err(format!("tenant ID is too long: max {MAX_TENANT_LEN} characters"));
    }
    if id == "." || id == ".." {
        return Err("tenant ID is '.' or '..'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_as_dskit_reads_them() {
        assert_eq!(tenant_id("team-a"), Ok("team-a".into()));
        assert_eq!(tenant_id("team-a|team-a"), Ok("team-a".into()));
        assert_eq!(tenant_id("team-a:k6"), Ok("team-a".into()));
        assert_eq!(tenant_id("a|b"), Err("multiple org IDs present".into()));
        assert_eq!(tenant_id("a b"), Err("tenant ID 'a b' contains unsupported character ' '".into()));
        assert_eq!(tenant_id(".."), Err("tenant ID is '.' or '..'".into()));
        assert_eq!(tenant_id(&"x".repeat(151)), Err("tenant ID is too long: max 150 characters".into()));
    }

    #[test]
    fn single_tenant_ignores_the_header_and_multi_tenant_requires_it() {
        let single = LokiState::new(&LokiOptions::default());
        assert_eq!(single.tenant(&HeaderMap::new()).ok().as_deref(), Some(SINGLE_TENANT));
        let multi = LokiState::new(&LokiOptions { multi_tenant: true, ..LokiOptions::default() });
        assert_eq!(multi.tenant(&HeaderMap::new()).unwrap_err().status(), StatusCode::UNAUTHORIZED);
        let mut h = HeaderMap::new();
        h.insert("x-scope-orgid", "team-a".parse().expect("header"));
        assert_eq!(multi.tenant(&h).ok().as_deref(), Some("team-a"));
        h.insert("x-scope-orgid", "a|b".parse().expect("header"));
        assert_eq!(multi.tenant(&h).unwrap_err().status(), StatusCode::BAD_REQUEST);
    }
}
