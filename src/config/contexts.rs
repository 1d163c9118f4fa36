//! Contexts, as in k9s: named sets of sources in the config
//! (`[contexts.prod-eu]`), one active at a time. The top-level sources form
//! the context [`DEFAULT_CONTEXT`], so configs written before contexts keep
//! working. Selecting a context copies its sources to the top-level fields,
//! which every client is built from.

use serde::Deserialize;

use super::{Config, ConfigError};
use crate::sources::Endpoint;

/// The context the top-level `prometheus`/`alertmanager`/`loki` form.
pub const DEFAULT_CONTEXT: &str = "default";

/// A named set of sources, as k9s' contexts: one cluster or region, switched
/// at run time with `:ctx NAME`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ContextConfig {
    /// Refuse every write (silences, acks) while in this context.
    pub read_only: bool,
    pub prometheus: Vec<Endpoint>,
    pub alertmanager: Vec<Endpoint>,
    pub loki: Vec<Endpoint>,
    /// Share the incident through this context's Loki (over the top-level
    /// `share`).
    pub share: Option<bool>,
    /// Over the top-level `share_via`.
    pub share_via: Option<String>,
}

impl ContextConfig {
    /// The sources by kind, as the file names them.
    pub(super) fn sources(&self) -> [(&'static str, &[Endpoint]); 3] {
        [("prometheus", &self.prometheus), ("alertmanager", &self.alertmanager), ("loki", &self.loki)]
    }

    fn has_sources(&self) -> bool {
        !(self.prometheus.is_empty() && self.alertmanager.is_empty() && self.loki.is_empty())
    }

    pub fn summary(&self, name: &str) -> crate::model::settings::ContextSummary {
        crate::model::settings::ContextSummary {
            name: name.to_string(),
            read_only: self.read_only,
            prometheus: self.prometheus.len(),
            alertmanager: self.alertmanager.len(),
            loki: self.loki.len(),
        }
    }
}

impl Config {
    /// With named contexts, the top-level sources (if any) become the
    /// context "default", so that they can be switched back to.
    pub(super) fn fold_default_context(&mut self) -> Result<(), String> {
        let top = ContextConfig {
            read_only: false,
            prometheus: self.prometheus.clone(),
            alertmanager: self.alertmanager.clone(),
            loki: self.loki.clone(),
            share: None,
            share_via: None,
        };
        if self.contexts.is_empty() || !top.has_sources() {
            return Ok(());
        }
        if self.contexts.contains_key(DEFAULT_CONTEXT) {
            return Err(format!(
                "[contexts.{DEFAULT_CONTEXT}] and top-level sources both define the context \"{DEFAULT_CONTEXT}\": \
                 move the top-level prometheus/alertmanager/loki into it"
            ));
        }
        self.contexts.insert(DEFAULT_CONTEXT.into(), top);
        Ok(())
    }

    /// The context started in when none is named: "default" if it exists,
    /// else the first named one.
    pub(super) fn first_context(&self) -> &str {
        if self.contexts.is_empty() || self.contexts.contains_key(DEFAULT_CONTEXT) {
            return DEFAULT_CONTEXT;
        }
        self.contexts.keys().next().map_or(DEFAULT_CONTEXT, String::as_str)
    }

    /// Every context's name, in order ("default" alone without named ones).
    pub fn context_names(&self) -> Vec<String> {
        if self.contexts.is_empty() {
            return vec![DEFAULT_CONTEXT.to_string()];
        }
        self.contexts.keys().cloned().collect()
    }

    /// What the picker lists: each context with its source counts.
    pub fn context_summaries(&self) -> Vec<crate::model::settings::ContextSummary> {
        if self.contexts.is_empty() {
            let top = ContextConfig {
                read_only: false,
                prometheus: self.prometheus.clone(),
                alertmanager: self.alertmanager.clone(),
                loki: self.loki.clone(),
                ..ContextConfig::default()
            };
            return vec![top.summary(DEFAULT_CONTEXT)];
        }
        self.contexts.iter().map(|(name, c)| c.summary(name)).collect()
    }

    /// The active context's name.
    pub fn active_context(&self) -> &str {
        self.context.as_deref().unwrap_or(DEFAULT_CONTEXT)
    }

    /// Whether the active context refuses writes.
    pub fn active_read_only(&self) -> bool {
        self.contexts.get(self.active_context()).is_some_and(|c| c.read_only)
    }

    /// Makes `name` the active context: its sources become the top-level
    /// ones, which every client is built from.
    pub fn select_context(&mut self, name: &str) -> Result<(), ConfigError> {
        if self.contexts.is_empty() {
            // Only "default": already active (`context` stays as written).
            if name != DEFAULT_CONTEXT {
                return Err(ConfigError::UnknownContext { name: name.into(), known: self.context_names() });
            }
            return Ok(());
        } else {
            let Some(ctx) = self.contexts.get(name) else {
                return Err(ConfigError::UnknownContext { name: name.into(), known: self.context_names() });
            };
            self.prometheus = ctx.prometheus.clone();
            self.alertmanager = ctx.alertmanager.clone();
            self.loki = ctx.loki.clone();
            if let Some(share) = ctx.share {
                self.share = share;
            }
            if ctx.share_via.is_some() {
                self.share_via.clone_from(&ctx.share_via);
            }
        }
        self.context = Some(name.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Overrides;
    use super::*;

    const CONTEXTS: &str = r#"
context = "prod-eu"

[[prometheus]]
url = "http://legacy:9090"

[contexts.prod-eu]
[[contexts.prod-eu.prometheus]]
url = "http://thanos-eu:10902"
[[contexts.prod-eu.prometheus]]
url = "http://mimir-eu/prometheus"
[[contexts.prod-eu.alertmanager]]
url = "http://am-0.eu:9093"
[[contexts.prod-eu.alertmanager]]
url = "http://am-1.eu:9093"

[contexts.prod-us]
read_only = true
[[contexts.prod-us.alertmanager]]
url = "http://am.us:9093"
[[contexts.prod-us.loki]]
url = "http://loki.us:3100"
"#;

    #[test]
    fn contexts_parse_and_the_named_one_is_active() {
        let cfg = Config::parse(CONTEXTS).unwrap();
        assert_eq!(cfg.active_context(), "prod-eu");
        assert_eq!(cfg.context_names(), ["default", "prod-eu", "prod-us"], "top-level sources form \"default\"");
        assert_eq!(cfg.prometheus.len(), 2, "the active context's sources are the top-level ones");
        assert_eq!(cfg.prometheus[1].url, "http://mimir-eu/prometheus");
        assert_eq!(cfg.alertmanager.len(), 2);
        assert!(!cfg.active_read_only());
        let us = cfg.context_summaries().into_iter().find(|c| c.name == "prod-us").unwrap();
        assert!(us.read_only && us.alertmanager == 1 && us.loki == 1 && us.prometheus == 0);
    }

    #[test]
    fn without_a_name_default_is_active_else_the_first() {
        let cfg = Config::parse(&CONTEXTS.replace("context = \"prod-eu\"", "")).unwrap();
        assert_eq!(cfg.active_context(), "default");
        assert_eq!(cfg.prometheus[0].url, "http://legacy:9090");
        let no_top =
            CONTEXTS.replace("context = \"prod-eu\"", "").replace("[[prometheus]]\nurl = \"http://legacy:9090\"", "");
        let cfg = Config::parse(&no_top).unwrap();
        assert_eq!(cfg.active_context(), "prod-eu");
        assert_eq!(cfg.context_names(), ["prod-eu", "prod-us"]);
        // A plain config is the context "default", as before contexts.
        let plain = Config::parse("[[alertmanager]]\nurl = \"http://am:9093\"\n").unwrap();
        assert_eq!(plain.active_context(), "default");
        assert_eq!(plain.context_summaries()[0].alertmanager, 1);
    }

    #[test]
    fn unknown_contexts_are_named_with_the_known_ones() {
        let e = Config::parse(&CONTEXTS.replace("context = \"prod-eu\"", "context = \"prod-ap\"")).unwrap_err();
        assert!(e.contains("prod-ap") && e.contains("known: default, prod-eu, prod-us"), "{e}");
        let mut cfg = Config::parse(CONTEXTS).unwrap();
        let e = cfg.apply(&Overrides { context: Some("nope".into()), ..Overrides::default() }).unwrap_err();
        assert_eq!(e.to_string(), "unknown context \"nope\" (known: default, prod-eu, prod-us)");
        let e = Config::default().select_context("prod").unwrap_err();
        assert_eq!(e.to_string(), "unknown context \"prod\" (known: default)");
    }

    #[test]
    fn every_context_is_validated_at_load() {
        let e = Config::parse(&CONTEXTS.replace("http://am.us:9093", "ftp://am.us")).unwrap_err();
        assert!(e.contains("contexts.prod-us") && e.contains("scheme"), "{e}");
        let e = Config::parse("[contexts.\"prod eu\"]\n").unwrap_err();
        assert!(e.contains("no spaces"), "{e}");
        let e = Config::parse(&format!("{CONTEXTS}\n[contexts.default]\n")).unwrap_err();
        assert!(e.contains("both define the context"), "{e}");
        let e = Config::parse(&CONTEXTS.replace("read_only = true", "readonly = true")).unwrap_err();
        assert!(e.contains("readonly"), "{e}");
    }

    #[test]
    fn flags_override_the_active_context_and_stick_to_it() {
        let mut cfg = Config::parse(CONTEXTS).unwrap();
        let o = Overrides {
            context: Some("prod-us".into()),
            alertmanager: vec!["http://127.0.0.1:9093".into()],
            ..Overrides::default()
        };
        cfg.apply(&o).unwrap();
        assert_eq!(cfg.active_context(), "prod-us");
        assert!(cfg.active_read_only());
        assert_eq!(cfg.alertmanager[0].url, "http://127.0.0.1:9093");
        assert_eq!(cfg.loki[0].url, "http://loki.us:3100", "kinds not given keep the context's");
        cfg.select_context("prod-eu").unwrap();
        assert_eq!(cfg.alertmanager[0].url, "http://am-0.eu:9093", "other contexts untouched");
        cfg.select_context("prod-us").unwrap();
        assert_eq!(cfg.alertmanager[0].url, "http://127.0.0.1:9093", "back: the flag still applies");
    }
}
