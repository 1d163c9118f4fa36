//! What a rebuild prepares once so that `regroup` (every key typed in `/`,
//! every `b`) does not redo it, and how a poll that changed a few alerts
//! patches it rather than rebuilding it: with 10 000 alerts a full rebuild
//! walks every alert several times (about 15 ms), a patch only the changed.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::filter::FilterMemo;
use super::group::GroupKeys;
use super::prep::{Prep, PrepCache};
use super::{BoardAlert, BoardDiff};
use crate::model::{Alert, AlertState, Severity};

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub prep: Vec<Prep>,
    pub severity: Vec<Severity>,
    pub muted: Vec<bool>,
    /// Board indices sorted for display: severity, then newest first, then
    /// fingerprint.
    pub order: Vec<u32>,
    /// `order` without the muted alerts.
    pub unmuted: Vec<u32>,
    pub cache: PrepCache,
    pub memo: FilterMemo,
    /// `show_muted` when `memo` was filled.
    pub memo_muted: bool,
    /// Group keys by label, filled as groupings are used.
    pub groups: HashMap<String, GroupKeys>,
    /// No fingerprint was reported twice: the board is the merge's input.
    simple: bool,
    /// The marks of the last rebuild.
    marks: Marks,
}

/// What the board marks on its alerts besides their own state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// The sources down now (an alert all of whose sources are down is stale).
    pub down: BTreeSet<String>,
    /// Set while an Alertmanager is configured but none answers: the inputs
    /// from this position on are Prometheus' (after every Alertmanager's),
    /// and those of them firing are unconfirmed.
    pub unconfirmed_from: Option<usize>,
}

impl Marks {
    /// Whether the alert first reported by input `position` is unconfirmed.
    fn unconfirmed(&self, position: usize, a: &Alert) -> bool {
        self.unconfirmed_from.is_some_and(|from| position >= from) && a.state == AlertState::Firing
    }
}

/// Derived from the board, so two equal boards have equivalent indexes.
impl PartialEq for Index {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

fn stale(a: &Alert, down: &BTreeSet<String>) -> bool {
    !a.sources.is_empty() && a.sources.iter().all(|s| down.contains(s))
}

/// Merges `inputs` (first reporter first) into a new board and its index.
pub fn build(inputs: &[&Arc<Alert>], marks: &Marks, mut cache: PrepCache) -> (Vec<BoardAlert>, Index) {
    let (merged, origins, first) = merge(inputs);
    let mut fresh = cache.renew();
    let prep: Vec<Prep> = origins.iter().map(|a| fresh.get(a)).collect();
    let simple = merged.len() == inputs.len();
    let alerts: Vec<BoardAlert> = merged
        .into_iter()
        .zip(first)
        .map(|(alert, at)| BoardAlert {
            stale: stale(&alert, &marks.down),
            unconfirmed: marks.unconfirmed(at, &alert),
            alert,
        })
        .collect();
    let severity: Vec<Severity> = prep.iter().map(|p| p.severity).collect();
    let muted: Vec<bool> = alerts.iter().map(|b| b.alert.state.is_muted()).collect();
    let mut order: Vec<u32> = (0..alerts.len() as u32).collect();
    order.sort_by_cached_key(|&i| {
        let a = &alerts[i as usize].alert;
        (severity[i as usize], std::cmp::Reverse(a.starts_at), a.fingerprint.as_str())
    });
    let unmuted = order.iter().copied().filter(|&i| !muted[i as usize]).collect();
    let index =
        Index { prep, severity, muted, order, unmuted, cache, simple, marks: marks.clone(), ..Index::default() };
    (alerts, index)
}

/// At most this share of the board changed for a patch to be worth it.
const PATCH_MAX: usize = 8;

/// Patches `alerts` in place when `inputs` differ from what built it only by
/// alerts replaced under the same fingerprint (no merging involved, the same
/// sources down). `None` when a full rebuild is needed.
pub fn patch(ix: &mut Index, alerts: &mut [BoardAlert], inputs: &[&Arc<Alert>], marks: &Marks) -> Option<BoardDiff> {
    if !ix.simple || ix.marks != *marks || inputs.len() != alerts.len() {
        return None;
    }
    let mut changed = Vec::new();
    for (i, (b, a)) in alerts.iter().zip(inputs).enumerate() {
        if !Arc::ptr_eq(&b.alert, a) {
            if b.alert.fingerprint != a.fingerprint || changed.len() > alerts.len() / PATCH_MAX {
                return None;
            }
            changed.push(i);
        }
    }
    let mut before = Vec::with_capacity(changed.len());
    for &i in &changed {
        let new = BoardAlert {
            alert: inputs[i].clone(),
            stale: stale(inputs[i], &marks.down),
            unconfirmed: marks.unconfirmed(i, inputs[i]),
        };
        let old = std::mem::replace(&mut alerts[i], new);
        ix.prep[i] = ix.cache.swap(&old.alert, &alerts[i].alert);
        ix.severity[i] = ix.prep[i].severity;
        ix.muted[i] = alerts[i].alert.state.is_muted();
        ix.groups.retain(|label, _| old.alert.labels.get(label) == alerts[i].alert.labels.get(label));
        before.push(old);
    }
    resort(ix, alerts, &changed);
    ix.unmuted = ix.order.iter().copied().filter(|&i| !ix.muted[i as usize]).collect();
    ix.memo.clear();
    Some(BoardDiff { before, changed: Some(changed) })
}

/// Moves the changed alerts to their place in the display order.
fn resort(ix: &mut Index, alerts: &[BoardAlert], changed: &[usize]) {
    let key = |i: u32| {
        let a = &alerts[i as usize].alert;
        (ix.severity[i as usize], std::cmp::Reverse(a.starts_at), a.fingerprint.as_str())
    };
    let mut moved = vec![false; alerts.len()];
    for &c in changed {
        moved[c] = true;
    }
    let mut order = std::mem::take(&mut ix.order);
    order.retain(|&i| !moved[i as usize]);
    for &c in changed {
        let at = order.partition_point(|&j| key(j) < key(c as u32));
        order.insert(at, c as u32);
    }
    ix.order = order;
}

/// Deduplicates by fingerprint, first reporter first. Returns the merged
/// alerts and, for each, the alert its prepared text comes from (merging
/// changes sources and state, never labels or annotations) and the
/// position of that first reporter among `all`.
#[allow(clippy::type_complexity)]
fn merge<'a>(all: &[&'a Arc<Alert>]) -> (Vec<Arc<Alert>>, Vec<&'a Arc<Alert>>, Vec<usize>) {
    let mut by_fp: HashMap<&str, usize> = HashMap::with_capacity(all.len());
    let (mut merged, mut origins): (Vec<Arc<Alert>>, Vec<&Arc<Alert>>) =
        (Vec::with_capacity(all.len()), Vec::with_capacity(all.len()));
    let mut first = Vec::with_capacity(all.len());
    for (position, &a) in all.iter().enumerate() {
        let Some(&i) = by_fp.get(a.fingerprint.as_str()) else {
            by_fp.insert(a.fingerprint.as_str(), merged.len());
            merged.push(a.clone());
            origins.push(a);
            first.push(position);
            continue;
        };
        let new_source = a.sources.iter().any(|s| !merged[i].sources.contains(s));
        // HA members may disagree for a moment: a silence wins.
        let worse = a.state > merged[i].state;
        if !(new_source || worse) {
            continue;
        }
        let m = Arc::make_mut(&mut merged[i]);
        for s in &a.sources {
            if !m.sources.contains(s) {
                m.sources.push(s.clone());
            }
        }
        if worse {
            m.state = a.state;
            m.silenced_by.clone_from(&a.silenced_by);
            m.inhibited_by.clone_from(&a.inhibited_by);
        }
    }
    (merged, origins, first)
}
