//! The `/` filter, and what makes typing in it cheap with 10 000 alerts:
//! terms matched against prepared lowercase text, and a memo of recent
//! results so that a filter that narrows a recent one (a character typed)
//! scans only that one's matches, and one seen recently (a Backspace) is not
//! scanned at all.

use std::collections::VecDeque;

use super::prep::Prep;
use crate::model::Alert;

/// Whitespace-separated terms, all of which must match. A term
/// `label=value`, `label!=value`, `label=~re` or `label!~re` matches a
/// label; any other term matches (case-insensitively) a label name, label
/// value or annotation value.
#[derive(Debug, Clone)]
pub struct Filter {
    terms: Vec<Term>,
}

#[derive(Debug, Clone)]
enum Term {
    Text(String),
    Label { raw: String, name: String, re: regex::Regex, equal: bool },
}

impl Filter {
    pub fn parse(s: &str) -> Self {
        Self { terms: s.split_whitespace().map(Term::parse).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches(&self, a: &Alert, prep: &Prep) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Label { name, re, equal, .. } => {
                re.is_match(a.labels.get(name).map(String::as_str).unwrap_or("")) == *equal
            }
            Term::Text(needle) => prep.contains(needle),
        })
    }

    /// Whether every alert `narrower` matches is matched by `self` too: each
    /// of our terms is implied by one of its terms (the same label term, or a
    /// text term containing ours). False when unsure.
    pub fn implied_by(&self, narrower: &Filter) -> bool {
        self.terms.iter().all(|t| narrower.terms.iter().any(|n| n.implies(t)))
    }
}

impl Term {
    fn parse(t: &str) -> Self {
        for (op, regex, equal) in [("=~", true, true), ("!~", true, false), ("!=", false, false), ("=", false, true)] {
            if let Some((name, value)) = t.split_once(op) {
                let pattern =
                    if regex { value.trim_matches('"').to_string() } else { regex::escape(value.trim_matches('"')) };
                if let Ok(re) = regex::Regex::new(&format!("^(?:{pattern})$")) {
                    return Term::Label { raw: t.to_string(), name: name.to_string(), re, equal };
                }
            }
        }
        Term::Text(t.to_lowercase())
    }

    fn implies(&self, other: &Term) -> bool {
        match (self, other) {
            (Term::Text(a), Term::Text(b)) => a.contains(b.as_str()),
            (Term::Label { raw: a, .. }, Term::Label { raw: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// How many recent filter results are kept (4 bytes per alert shown, each).
const MEMO: usize = 16;

/// Recent filter results over one board: for a filter string, the board
/// indices of the alerts it lets through, in display order. Cleared whenever
/// the board or the muted toggle changes.
#[derive(Debug, Clone, Default)]
pub struct FilterMemo {
    entries: VecDeque<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    raw: String,
    filter: Filter,
    visible: Vec<u32>,
}

impl FilterMemo {
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The result for `filter`: remembered, or computed from the smallest
    /// remembered result it narrows, or else from `all` (the candidates in
    /// display order). `keep` tells whether one candidate matches.
    pub fn visible(&mut self, raw: &str, all: &[u32], keep: impl Fn(&Filter, u32) -> bool) -> &[u32] {
        if let Some(pos) = self.entries.iter().position(|e| e.raw == raw)
            && let Some(hit) = self.entries.remove(pos)
        {
            return self.remember(hit);
        }
        let filter = Filter::parse(raw);
        let base = self
            .entries
            .iter()
            .filter(|e| e.filter.implied_by(&filter))
            .map(|e| e.visible.as_slice())
            .min_by_key(|v| v.len())
            .unwrap_or(all);
        let visible = if filter.is_empty() {
            base.to_vec()
        } else {
            base.iter().copied().filter(|&i| keep(&filter, i)).collect()
        };
        self.remember(Entry { raw: raw.to_string(), filter, visible })
    }

    fn remember(&mut self, entry: Entry) -> &[u32] {
        if self.entries.len() == MEMO {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.entries.back().map(|e| e.visible.as_slice()).unwrap_or_default()
    }
}
