//! What Tab offers in the `:` prompt: command names first (the built-in
//! commands, the incident's, every keymap action), then the arguments each
//! command takes, drawn from what is on screen (label names and values of
//! the current alerts, themes, contexts).

use std::collections::BTreeSet;

use crate::keymap::Action;
use crate::state::State;

/// Built-in `:` commands (`update`'s and the incident's).
pub const COMMANDS: &[&str] = &[
    "quit",
    "group",
    "filter",
    "logs",
    "refresh",
    "muted",
    "theme",
    "help",
    "query",
    "status",
    "investigating",
    "mitigated",
    "resolved",
    "commander",
    "time",
    "notify",
    "handoff",
    "join",
    "dash",
];

/// The word being completed starts at byte `start` of the input; each
/// candidate replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidates {
    pub start: usize,
    pub words: Vec<String>,
}

/// Candidates for the word that ends `before` (the input up to the cursor).
pub fn candidates(state: &State, before: &str) -> Candidates {
    let Some((cmd, _)) = before.split_once(char::is_whitespace) else {
        return Candidates { start: 0, words: matching(command_names(state), before) };
    };
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[start..];
    let words = match cmd {
        "group" => matching(label_names(state).into_iter().chain(["none".to_string()]), word),
        "filter" => filter_words(state, word),
        "theme" => matching(crate::theme::BUILTIN.iter().map(|(n, _)| n.to_string()), word),
        "ctx" | "context" => matching(state.contexts.known.iter().map(|c| c.name.clone()), word),
        "status" => matching(["investigating", "mitigated", "resolved"].map(String::from), word),
        "time" => matching(["utc", "local"].map(String::from), word),
        "join" => matching(state.incident.shared_open.iter().map(|(id, _)| id.clone()), word),
        "notify" => matching(["on", "off"].map(String::from), word),
        "dash" => matching(super::super::dashboard::names(state), word),
        "logs" => {
            // Inside a selector: `{service=`, `,pod=`.
            let cut = word.rfind(['{', ',']).map_or(0, |i| i + 1);
            let names = label_names(state).into_iter().map(|n| format!("{}{n}=", &word[..cut]));
            matching(names, word)
        }
        _ => Vec::new(),
    };
    Candidates { start, words }
}

fn command_names(state: &State) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    names.extend(Action::ALL.iter().map(|a| a.name().to_string()));
    if !state.contexts.known.is_empty() {
        names.insert("ctx".into());
    }
    names
}

/// `:filter label=value`: label names first, then that label's values.
fn filter_words(state: &State, word: &str) -> Vec<String> {
    match word.split_once('=') {
        None => matching(label_names(state).into_iter().map(|n| format!("{n}=")), word),
        Some((label, _)) => {
            let values: BTreeSet<String> = state
                .alerts
                .alerts
                .iter()
                .filter_map(|b| b.alert.labels.get(label))
                .map(|v| format!("{label}={v}"))
                .collect();
            matching(values, word)
        }
    }
}

fn label_names(state: &State) -> BTreeSet<String> {
    state.alerts.alerts.iter().flat_map(|b| b.alert.labels.keys().cloned()).collect()
}

/// Sorted, unique, starting with `prefix`, and not `prefix` itself.
fn matching(words: impl IntoIterator<Item = String>, prefix: &str) -> Vec<String> {
    let set: BTreeSet<String> = words.into_iter().filter(|w| w.starts_with(prefix) && w != prefix).collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::{Payload, SourceId, SourceKind};
    use crate::state::tests::{board, poll, state};
    use crate::state::update;

    fn loaded() -> State {
        let mut s = state();
        let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
        update(&mut s, poll(am, Ok(Payload::AmAlerts(crate::model::share(board())))));
        s
    }

    #[test]
    fn commands_then_arguments() {
        let s = loaded();
        assert_eq!(candidates(&s, "gr").words, vec!["group", "group-by"]);
        assert!(candidates(&s, "ex").words.contains(&"export".to_string()), "keymap actions");
        assert!(candidates(&s, "re").words.contains(&"resolved".to_string()), "incident commands");
        assert!(!candidates(&s, "c").words.contains(&"ctx".to_string()), "no contexts: no :ctx");
        let c = candidates(&s, "group se");
        assert_eq!((c.start, c.words), (6, vec!["service".to_string(), "severity".to_string()]));
        assert_eq!(candidates(&s, "filter sev").words, vec!["severity="]);
        assert_eq!(candidates(&s, "filter severity=c").words, vec!["severity=critical"]);
        assert_eq!(candidates(&s, "theme l").words, vec!["light"]);
        assert_eq!(candidates(&s, "logs {serv").words, vec!["{service="]);
        assert!(candidates(&s, "query ra").words.is_empty(), "PromQL is not completed");
    }

    #[test]
    fn contexts_when_known() {
        let mut s = loaded();
        let summary = |name: &str| crate::state::contexts::ContextSummary {
            name: name.into(),
            read_only: false,
            prometheus: 1,
            alertmanager: 1,
            loki: 0,
        };
        s.contexts.known = ["prod-eu", "prod-us", "staging"].map(summary).to_vec();
        assert!(candidates(&s, "c").words.contains(&"ctx".to_string()));
        assert_eq!(candidates(&s, "ctx prod").words, vec!["prod-eu", "prod-us"]);
    }
}
