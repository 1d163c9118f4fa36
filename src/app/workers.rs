//! The console's background workers: the log follower of the selected
//! alert and the runbook loader, both off the event loop.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::tagged;
use crate::config::Config;
use crate::msg::Msg;
use crate::sources::HttpClient;

/// The one log follower (the selected alert's logs); replaced when the
/// selection changes, aborted when the console goes.
pub(super) struct LogFollower {
    client: Option<crate::sources::loki::LokiClient>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The context generation its batches are tagged with.
    generation: u64,
}

impl LogFollower {
    pub(super) fn new(cfg: &Config, generation: u64) -> anyhow::Result<Self> {
        let client = match cfg.loki.first() {
            Some(ep) => Some(crate::sources::loki::LokiClient::new(HttpClient::new(ep)?, ep.display_name())),
            None => None,
        };
        Ok(Self { client, task: None, generation })
    }

    pub(super) fn follow(&mut self, spec: crate::sources::loki::FollowSpec, tx: mpsc::UnboundedSender<Msg>) {
        self.stop();
        if let Some(c) = &self.client {
            let generation = self.generation;
            let send = move |b| tx.send(tagged(generation, Msg::Logs(Box::new(b)))).is_ok();
            self.task = Some(crate::sources::loki::follow(c.clone(), spec, send));
        }
    }

    pub(super) fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

impl Drop for LogFollower {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Resolves and loads runbooks off the event loop (a remote one may take
/// up to its timeout), falling back to a triage page.
pub(super) struct RunbookLoader {
    cfg: crate::runbook::RunbookConfig,
    http: HttpClient,
    cache: crate::runbook::RunbookCache,
}

/// Which runbook to load: the alert's name and `runbook_url`, its
/// annotations (for the triage page when there is none), and the width to
/// lay it out for.
pub(super) struct RunbookAsk {
    pub alertname: String,
    pub url: Option<String>,
    pub annotations: Vec<(String, String)>,
    pub width: u16,
}

impl RunbookLoader {
    pub(super) fn new(cfg: &Config) -> anyhow::Result<Self> {
        let cfg = cfg.runbooks.clone();
        Ok(Self { http: cfg.http_client()?, cfg, cache: crate::runbook::RunbookCache::new() })
    }

    /// Loads, then lays out for `width` on a blocking thread within the
    /// render time limit: a hostile runbook never holds the event loop.
    pub(super) fn open(
        &self,
        request: u64,
        ask: RunbookAsk,
        vars: Option<crate::runbook::live::Vars>,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let (cfg, http, cache) = (self.cfg.clone(), self.http.clone(), self.cache.clone());
        let RunbookAsk { alertname, url, annotations, width } = ask;
        tokio::spawn(async move {
            let loaded = match url.as_deref() {
                None => Err("the alert has no runbook_url annotation".to_string()),
                Some(u) => match crate::runbook::resolve(u, &cfg) {
                    Ok(loc) => cache.load(&loc, &http, &cfg).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                },
            };
            let doc = loaded.unwrap_or_else(|reason| {
                let (name, why) = (crate::text::clean(&alertname), crate::text::clean(&reason));
                tracing::info!(alertname = %name, reason = %why, "no runbook");
                Arc::new(crate::runbook::fallback::no_runbook(&alertname, &reason, &annotations))
            });
            let styles = crate::runbook::render::RunbookStyles::default();
            let laid_out = tokio::task::spawn_blocking(move || {
                // The live blocks, filled from the alert (linear: no limit needed).
                let doc = match vars {
                    Some(vars) if !crate::runbook::live::is_static(&doc.markdown) => {
                        let markdown = crate::runbook::live::fill_markdown(&doc.markdown, &vars);
                        Arc::new(crate::runbook::Document { source: doc.source.clone(), markdown })
                    }
                    _ => doc,
                };
                let rendered = crate::runbook::render::render_within(&doc.markdown, width, &styles);
                crate::runbook::render::Prepared { doc, rendered }
            });
            match laid_out.await {
                Ok(prepared) => {
                    if let Some(cut) = prepared.rendered.cut {
                        tracing::warn!(offset = cut.offset, "runbook layout stopped at the time limit");
                    }
                    let _ = tx.send(Msg::Runbook { request, prepared: Box::new(prepared) });
                }
                Err(e) => tracing::error!(error = %e, "runbook layout failed"),
            }
        });
    }
}
