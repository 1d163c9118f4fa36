//! What filtering and sorting need from an alert, computed once per distinct
//! alert rather than once per keystroke: with 10 000 alerts, lowercasing
//! every label and annotation on each key typed in `/` cost 11 ms.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Alert, Severity};

/// An alert's severity bucket and its searchable text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prep {
    pub severity: Severity,
    /// Label names, label values and annotation values, lowercased, one per
    /// line. A filter term never contains whitespace, so a match never spans
    /// two fields: `text.contains(term)` is "some field contains `term`".
    pub text: Arc<str>,
}

impl Prep {
    pub fn of(a: &Alert) -> Self {
        let fields = || a.labels.iter().flat_map(|(k, v)| [k, v]).chain(a.annotations.values());
        let mut text = String::with_capacity(fields().map(|f| f.len() + 1).sum());
        for f in fields() {
            // Most label text is ASCII: lowercased in place, no allocation.
            if f.is_ascii() {
                text.extend(f.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                text.push_str(&f.to_lowercase());
            }
            text.push('\n');
        }
        Self { severity: a.severity(), text: text.into() }
    }

    /// Whether a (lowercased, whitespace-free) term occurs in a field.
    pub fn contains(&self, term: &str) -> bool {
        self.text.contains(term)
    }
}

/// `Prep`s by alert identity. The pollers hand over the same `Arc` for an
/// alert that did not change, so a poll that changes one alert among 10 000
/// prepares one. The map keeps each `Arc` alive, so an address is never
/// reused by another alert while it is a key.
#[derive(Debug, Clone, Default)]
pub struct PrepCache {
    map: HashMap<usize, (Arc<Alert>, Prep)>,
}

impl PrepCache {
    /// Starts a generation: what `get` takes from the old one is kept, the
    /// rest is dropped when the returned builder is finished.
    pub fn renew(&mut self) -> PrepBuilder<'_> {
        let old = std::mem::take(&mut self.map);
        PrepBuilder { cache: self, old }
    }
}

impl PrepCache {
    /// Replaces one alert's entry by another's (a patch of the board).
    pub fn swap(&mut self, old: &Arc<Alert>, new: &Arc<Alert>) -> Prep {
        self.map.remove(&(Arc::as_ptr(old) as usize));
        let key = Arc::as_ptr(new) as usize;
        if let Some((_, p)) = self.map.get(&key) {
            return p.clone();
        }
        let prep = Prep::of(new);
        self.map.insert(key, (new.clone(), prep.clone()));
        prep
    }
}

pub struct PrepBuilder<'a> {
    cache: &'a mut PrepCache,
    old: HashMap<usize, (Arc<Alert>, Prep)>,
}

impl PrepBuilder<'_> {
    pub fn get(&mut self, a: &Arc<Alert>) -> Prep {
        let key = Arc::as_ptr(a) as usize;
        if let Some(entry) = self.cache.map.get(&key) {
            return entry.1.clone();
        }
        let prep = match self.old.remove(&key) {
            Some((_, p)) => p,
            None => Prep::of(a),
        };
        self.cache.map.insert(key, (a.clone(), prep.clone()));
        prep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::alert;

    #[test]
    fn text_is_lowercased_fields_one_per_line() {
        let a = alert("HighLatency", "Warning", &[("service", "API")], 1, "am");
        let p = Prep::of(&a);
        assert_eq!(p.severity, Severity::Warning);
        assert!(p.contains("api") && p.contains("highlatency") && p.contains("summary"));
        assert!(!p.contains("API"), "the text is lowercased");
        assert!(!p.contains("highlatency\nseverity"), "terms never span fields");
    }

    #[test]
    fn cache_reuses_by_identity_and_forgets_the_rest() {
        let a = Arc::new(alert("A", "critical", &[], 1, "am"));
        let b = Arc::new(alert("B", "info", &[], 1, "am"));
        let mut cache = PrepCache::default();
        let mut gen1 = cache.renew();
        let pa = gen1.get(&a);
        gen1.get(&b);
        let mut gen2 = cache.renew();
        assert!(Arc::ptr_eq(&gen2.get(&a).text, &pa.text), "same Arc, same prep");
        assert_eq!(cache.map.len(), 1, "b was not asked for and is dropped");
        let a2 = Arc::new((*a).clone());
        assert_eq!(cache.renew().get(&a2), pa, "an equal copy prepares equal");
    }
}
