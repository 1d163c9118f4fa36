//! `warroom check`: probes every configured source and prints one line each
//! (what you run first on a new bastion, and in scripts). Exit 1 if any is
//! down.

use std::process::ExitCode;

use crate::config::Config;
use crate::msg::SourceKind;
use crate::sources::{AlertmanagerClient, HttpClient, Probe, PrometheusClient, SourceError};

pub async fn run(cfg: &Config) -> anyhow::Result<ExitCode> {
    let specs = crate::app::source_specs(cfg);
    if specs.is_empty() {
        anyhow::bail!("no source configured (pass --prometheus, --alertmanager or --loki)");
    }
    let mut probes = Vec::new();
    for spec in &specs {
        let http = HttpClient::new(&spec.endpoint)?;
        let name: String = spec.name.clone();
        let kind = spec.id.kind;
        let task = tokio::spawn(probe(kind, http, name.clone()));
        probes.push((kind, name, task));
    }
    let mut all_up = true;
    for (kind, name, task) in probes {
        let probe = task.await?;
        all_up &= probe.is_up();
        println!("{}", line(kind, &name, &probe));
    }
    Ok(if all_up { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

async fn probe(kind: SourceKind, http: HttpClient, name: String) -> Probe {
    match kind {
        SourceKind::Prometheus => PrometheusClient::new(http, name).probe().await,
        SourceKind::Alertmanager => AlertmanagerClient::new(http, name).probe().await,
        SourceKind::Loki => Probe::run(&http, "/ready", loki_version(&http)).await,
    }
}

async fn loki_version(http: &HttpClient) -> Result<String, SourceError> {
    #[derive(serde::Deserialize)]
    struct Build {
        version: String,
    }
    let body = http.get("/loki/api/v1/status/buildinfo", &[]).await?;
    if !body.is_success() {
        // Older Lokis lack the endpoint: ready is enough to call it up.
        return Ok(crate::sources::prometheus::UNKNOWN_VERSION.into());
    }
    serde_json::from_slice::<Build>(&body.bytes)
        .map(|b| b.version)
        .or_else(|_| Ok(crate::sources::prometheus::UNKNOWN_VERSION.into()))
}

/// `ok    prometheus   prom:9090   2.42.0+ds   12ms`
pub fn line(kind: SourceKind, name: &str, p: &Probe) -> String {
    let kind = match kind {
        SourceKind::Prometheus => "prometheus",
        SourceKind::Alertmanager => "alertmanager",
        SourceKind::Loki => "loki",
    };
    let ms = p.latency.as_millis();
    match &p.result {
        Ok(version) => format!("ok    {kind:<13} {name:<28} {:<24} {ms}ms", crate::text::clean(version)),
        Err(e) => format!("DOWN  {kind:<13} {name:<28} {e} ({ms}ms)"),
    }
}
