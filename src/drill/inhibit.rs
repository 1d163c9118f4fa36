//! Alertmanager inhibition, as 0.25 applies it: an alert matching a rule's
//! target matchers is muted while another, unresolved alert matches its
//! source matchers and carries the same values for the `equal` labels. The
//! API then reports it `suppressed` with the source in `inhibitedBy`.

use serde::Deserialize;

use super::am_matchers::{AmMatcher, parse_matchers};
use super::sim::AmAlert;

/// `[[inhibit_rules]]` in a scenario, in Alertmanager's config vocabulary.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInhibitRule {
    source_matchers: Vec<String>,
    target_matchers: Vec<String>,
    #[serde(default)]
    equal: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct InhibitRule {
    source: Vec<AmMatcher>,
    target: Vec<AmMatcher>,
    equal: Vec<String>,
}

impl InhibitRule {
    pub(crate) fn parse(raw: &RawInhibitRule) -> Result<InhibitRule, String> {
        let list = |what: &str, items: &[String]| -> Result<Vec<AmMatcher>, String> {
            let mut out = Vec::new();
            for item in items {
                out.extend(parse_matchers(item).map_err(|e| format!("{what} {item:?}: {e}"))?);
            }
            if out.is_empty() {
                return Err(format!("{what}: at least one matcher"));
            }
            Ok(out)
        };
        Ok(InhibitRule {
            source: list("source_matchers", &raw.source_matchers)?,
            target: list("target_matchers", &raw.target_matchers)?,
            equal: raw.equal.clone(),
        })
    }

    fn is_target(&self, a: &AmAlert) -> bool {
        self.target.iter().all(|m| m.matches(&a.labels))
    }

    fn is_source(&self, a: &AmAlert) -> bool {
        self.source.iter().all(|m| m.matches(&a.labels))
    }

    fn same_equal_labels(&self, a: &AmAlert, b: &AmAlert) -> bool {
        self.equal.iter().all(|n| a.labels.get(n) == b.labels.get(n))
    }
}

/// The fingerprints of the alerts inhibiting `target` (Alertmanager names
/// the first one it finds; so do we), among the unresolved `alerts` at `now`.
pub(crate) fn inhibited_by<'a>(
    rules: &[InhibitRule],
    target: &AmAlert,
    alerts: impl Iterator<Item = &'a AmAlert> + Clone,
    now: f64,
) -> Vec<String> {
    for rule in rules.iter().filter(|r| r.is_target(target)) {
        // An alert matching both sides cannot be inhibited by another that
        // also matches both (it would mute itself through its twin).
        let two_sided = rule.is_source(target);
        let source = alerts.clone().find(|a| {
            a.fingerprint != target.fingerprint
                && a.ends_at > now
                && rule.is_source(a)
                && !(two_sided && rule.is_target(a))
                && rule.same_equal_labels(a, target)
        });
        if let Some(a) = source {
            return vec![a.fingerprint.clone()];
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(pairs: &[(&str, &str)], fp: &str, ends_at: f64) -> AmAlert {
        AmAlert {
            labels: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            annotations: Default::default(),
            starts_at: 0.0,
            ends_at,
            updated_at: 0.0,
            generator_url: String::new(),
            fingerprint: fp.into(),
        }
    }

    fn rule(source: &str, target: &str, equal: &[&str]) -> InhibitRule {
        InhibitRule::parse(&RawInhibitRule {
            source_matchers: vec![source.into()],
            target_matchers: vec![target.into()],
            equal: equal.iter().map(|s| s.to_string()).collect(),
        })
        .unwrap()
    }

    #[test]
    fn a_firing_source_mutes_its_targets_with_equal_labels() {
        let db = alert(&[("alertname", "DatabaseDown"), ("env", "prod")], "aa", 100.0);
        let ready = alert(&[("alertname", "ReadinessFailed"), ("env", "prod")], "bb", 100.0);
        let staging = alert(&[("alertname", "ReadinessFailed"), ("env", "staging")], "cc", 100.0);
        let all = [db.clone(), ready.clone(), staging.clone()];
        let rules = [rule(r#"alertname="DatabaseDown""#, r#"alertname="ReadinessFailed""#, &["env"])];
        assert_eq!(inhibited_by(&rules, &ready, all.iter(), 50.0), ["aa"]);
        assert!(inhibited_by(&rules, &staging, all.iter(), 50.0).is_empty(), "env differs");
        assert!(inhibited_by(&rules, &db, all.iter(), 50.0).is_empty(), "the source is not a target");
        assert!(inhibited_by(&rules, &ready, all.iter(), 150.0).is_empty(), "a resolved source mutes nothing");
    }

    #[test]
    fn an_alert_matching_both_sides_does_not_mute_its_twin() {
        let a = alert(&[("severity", "critical"), ("alertname", "A")], "aa", 100.0);
        let b = alert(&[("severity", "critical"), ("alertname", "B")], "bb", 100.0);
        let rules = [rule(r#"severity="critical""#, r#"severity=~"critical|warning""#, &[])];
        assert!(inhibited_by(&rules, &a, [a.clone(), b.clone()].iter(), 0.0).is_empty());
    }

    #[test]
    fn rules_need_matchers_on_both_sides() {
        let raw = RawInhibitRule { source_matchers: vec![], target_matchers: vec!["a=\"b\"".into()], equal: vec![] };
        assert!(InhibitRule::parse(&raw).unwrap_err().contains("source_matchers"));
        let raw = RawInhibitRule {
            source_matchers: vec!["a=~\"(\"".into()],
            target_matchers: vec!["a=\"b\"".into()],
            equal: vec![],
        };
        assert!(InhibitRule::parse(&raw).unwrap_err().contains("source_matchers"));
    }
}
