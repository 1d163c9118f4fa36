//! Silence writes (create, replace, expire) off the event loop. HA members
//! share silences by gossip, so a write goes to one member: the first that
//! answers, the next only when one is unreachable (a 400 or 401 would be
//! the same everywhere and is reported at once).

use std::collections::BTreeMap;

use tokio::sync::mpsc;

use super::poller::SourceSpec;
use crate::msg::{Msg, SourceKind};
use crate::sources::alertmanager::{AlertmanagerClient, PostMatcher, PostableSilence};
use crate::sources::{EndpointError, HttpClient, SourceError};
use crate::state::silences::{SilenceDraft, SilenceMsg, SilenceOrigin};

/// One client per configured Alertmanager, by config index.
pub struct SilenceWriter {
    clients: BTreeMap<usize, AlertmanagerClient>,
}

impl SilenceWriter {
    pub fn new(specs: &[SourceSpec]) -> Result<Self, EndpointError> {
        let mut clients = BTreeMap::new();
        for s in specs.iter().filter(|s| s.id.kind == SourceKind::Alertmanager) {
            clients.insert(s.id.index, AlertmanagerClient::new(HttpClient::new(&s.endpoint)?, s.name.clone()));
        }
        Ok(Self { clients })
    }

    fn ordered(&self, targets: &[usize]) -> Vec<AlertmanagerClient> {
        targets.iter().filter_map(|i| self.clients.get(i).cloned()).collect()
    }

    pub fn post(
        &self,
        draft: SilenceDraft,
        targets: Vec<usize>,
        origin: SilenceOrigin,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let clients = self.ordered(&targets);
        tokio::spawn(async move {
            let body = postable(&draft);
            let result = first_reachable(&clients, |c| {
                let body = body.clone();
                async move { c.post_silence(&body).await }
            })
            .await;
            let msg = match result {
                Ok((id, via)) => SilenceMsg::Posted { id, draft: Box::new(draft), origin, via },
                Err(error) => SilenceMsg::Failed { error, origin },
            };
            let _ = tx.send(Msg::Silence(msg));
        });
    }

    pub fn expire(&self, id: String, targets: Vec<usize>, tx: mpsc::UnboundedSender<Msg>) {
        let clients = self.ordered(&targets);
        tokio::spawn(async move {
            let result = first_reachable(&clients, |c| {
                let id = id.clone();
                async move { c.expire_silence(&id).await }
            })
            .await;
            let msg = match result {
                Ok(((), via)) => SilenceMsg::Expired { id, via },
                Err(error) => SilenceMsg::Failed { error, origin: SilenceOrigin::Expire },
            };
            let _ = tx.send(Msg::Silence(msg));
        });
    }
}

fn postable(d: &SilenceDraft) -> PostableSilence {
    PostableSilence {
        id: d.id.clone(),
        matchers: d.matchers.iter().map(PostMatcher::from).collect(),
        starts_at: d.starts_at,
        ends_at: d.ends_at,
        created_by: d.created_by.clone(),
        comment: d.comment.clone(),
    }
}

/// Runs `op` on each client in turn until one answers; an answer that is an
/// error from the server itself (4xx) stops the round. The error names the
/// members tried, so "am1: connection refused; am2: 401 unauthorized" says
/// what to fix.
async fn first_reachable<T, F, Fut>(clients: &[AlertmanagerClient], op: F) -> Result<(T, String), String>
where
    F: Fn(AlertmanagerClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, SourceError>>,
{
    if clients.is_empty() {
        return Err("no Alertmanager configured".into());
    }
    let mut errors = Vec::new();
    for c in clients {
        match op(c.clone()).await {
            Ok(v) => return Ok((v, c.name().to_string())),
            Err(e) => {
                tracing::warn!(alertmanager = c.name(), error = %e, "silence write failed");
                let stop = !e.is_transient();
                errors.push(format!("{}: {e}", c.name()));
                if stop {
                    break;
                }
            }
        }
    }
    Err(errors.join("; "))
}
