//! The post-mortem's charts, fetched once at export: each pinned graph's
//! query over its window and each alert's rule expression over the
//! incident, from the configured Prometheus-compatible endpoints (the first
//! that answers), drawn as SVG into `charts/` beside the post-mortem with
//! an index the draft links from. A chart that cannot be drawn (Prometheus
//! unreachable, no such rule, an error answer) is listed with its reason:
//! the export itself always completes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::incident::charts::{self, CHARTS_DIR, Entry, INDEX_FILE, Index, Line, Plan, Subject};
use crate::incident::intent::TimeDisplay;
use crate::incident::{Record, write_atomic};
use crate::sources::{HttpClient, PrometheusClient, SourceError};

/// Time for every chart of one export together; what is left when it runs
/// out is listed as missing.
pub const EXPORT_BUDGET: Duration = Duration::from_secs(60);

/// What an export of charts did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drawn {
    pub index: Index,
    /// Where the charts and the index were written.
    pub dir: PathBuf,
}

impl Drawn {
    pub fn drawn(&self) -> usize {
        self.index.charts.iter().filter(|e| e.file.is_some()).count()
    }

    /// `title: why` of each chart not drawn.
    pub fn missing(&self) -> Vec<String> {
        self.index
            .charts
            .iter()
            .filter_map(|e| e.missing.as_ref().map(|m| crate::text::clean(&format!("{}: {m}", e.title)).into_owned()))
            .collect()
    }
}

/// The Prometheus clients of the config's active context.
pub fn clients(cfg: &Config) -> anyhow::Result<Vec<PrometheusClient>> {
    cfg.prometheus.iter().map(|ep| Ok(PrometheusClient::new(HttpClient::new(ep)?, ep.display_name()))).collect()
}

/// Draws the charts of the incident whose records are `records` into
/// `<dir>/charts/` (`dir`: the post-mortem's folder), replacing the last
/// export's, and writes the index. Errors writing files are returned;
/// errors fetching are in the index.
pub async fn draw(
    clients: &[PrometheusClient],
    records: &[Record],
    dir: &Path,
    now: DateTime<Utc>,
    time: TimeDisplay,
) -> std::io::Result<Drawn> {
    let plans = charts::plan(records, now);
    // What an earlier export drew stays when it cannot be drawn again now
    // (Prometheus away, or past its retention).
    let before = Index::read(dir);
    let out = dir.join(CHARTS_DIR);
    std::fs::create_dir_all(&out)?;
    let deadline = Instant::now() + EXPORT_BUDGET;
    let mut fetcher = Fetcher { clients, rules: None, down: vec![None; clients.len()] };
    let mut index = Index::default();
    for plan in &plans {
        let result = if Instant::now() >= deadline {
            Err(format!("the export's {}s for charts ran out", EXPORT_BUDGET.as_secs()))
        } else {
            match tokio::time::timeout_at(deadline.into(), fetcher.lines(plan)).await {
                Ok(r) => r,
                Err(_) => Err(format!("the export's {}s for charts ran out", EXPORT_BUDGET.as_secs())),
            }
        };
        let entry = match result.and_then(|lines| charts::svg(plan, &lines, time)) {
            Ok(svg) => {
                write_atomic(&out.join(&plan.file), &svg)?;
                Entry { key: plan.key.clone(), title: plan.title.clone(), file: Some(plan.file.clone()), missing: None }
            }
            Err(why) => match before.get(&plan.key).filter(|e| e.file.as_deref() == Some(plan.file.as_str())) {
                Some(kept) => {
                    tracing::info!(chart = %plan.file, error = %why, "post-mortem chart kept from the last export");
                    kept.clone()
                }
                None => {
                    tracing::warn!(chart = %plan.file, error = %why, "post-mortem chart not drawn");
                    let _ = std::fs::remove_file(out.join(&plan.file));
                    Entry { key: plan.key.clone(), title: plan.title.clone(), file: None, missing: Some(why) }
                }
            },
        };
        index.charts.push(entry);
    }
    let json = serde_json::to_string_pretty(&index).map_err(std::io::Error::other)?;
    write_atomic(&out.join(INDEX_FILE), &json)?;
    Ok(Drawn { index, dir: out })
}

/// Range queries for the charts, endpoint by endpoint: one that did not
/// answer is not asked again in this export.
struct Fetcher<'a> {
    clients: &'a [PrometheusClient],
    /// Every endpoint's alerting rules, read once: (endpoint, rule, expression).
    rules: Option<Vec<(usize, String, String)>>,
    down: Vec<Option<SourceError>>,
}

impl Fetcher<'_> {
    async fn lines(&mut self, plan: &Plan) -> Result<Vec<Line>, String> {
        if self.clients.is_empty() {
            return Err("no Prometheus configured".into());
        }
        let query = match &plan.subject {
            Subject::Pin { query } => query.clone(),
            Subject::Alert { alertname, .. } => self.rule(alertname).await?,
        };
        let (start, end) = (plan.from.timestamp() as f64, plan.to.timestamp() as f64);
        let mut why = Vec::new();
        for (i, c) in self.clients.iter().enumerate() {
            if let Some(e) = &self.down[i] {
                why.push(format!("{}: {}", c.name(), crate::text::brief(e)));
                continue;
            }
            match c.query_range(&query, start, end, plan.step()).await {
                Ok(series) if series.is_empty() => why.push(format!("{}: no data", c.name())),
                Ok(series) => {
                    return Ok(series.into_iter().map(|s| Line { labels: s.labels, samples: s.samples }).collect());
                }
                Err(e) => {
                    if e.is_transient() {
                        self.down[i] = Some(e.clone());
                    }
                    why.push(format!("{}: {}", c.name(), crate::text::brief(&e)));
                }
            }
        }
        Err(why.join("; "))
    }

    /// The expression of the alerting rule named `alertname`.
    async fn rule(&mut self, alertname: &str) -> Result<String, String> {
        if self.rules.is_none() {
            let mut all = Vec::new();
            for (i, c) in self.clients.iter().enumerate() {
                match c.rules().await {
                    Ok(rules) => all.extend(rules.into_iter().map(|r| (i, r.name, r.query))),
                    Err(e) => self.down[i] = Some(e),
                }
            }
            self.rules = Some(all);
        }
        let rules = self.rules.as_deref().unwrap_or_default();
        if let Some((_, _, q)) = rules.iter().find(|(_, name, _)| name == alertname) {
            return Ok(q.clone());
        }
        let down: Vec<String> = self
            .clients
            .iter()
            .zip(&self.down)
            .filter_map(|(c, d)| d.as_ref().map(|e| format!("{}: {}", c.name(), crate::text::brief(e))))
            .collect();
        if down.len() == self.clients.len() {
            Err(down.join("; "))
        } else {
            Err(format!("no alerting rule named {alertname} on any Prometheus"))
        }
    }
}
