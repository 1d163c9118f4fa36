//! The board's indexes against a plain reference: whatever filters are
//! typed, deleted or toggled in whatever order, and whatever the grouping,
//! the rows and counts are those a straightforward filter, sort and group
//! give (the board's code before it had indexes).

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::model::{AlertState, share};
use crate::state::tests::alert;

/// The old filter: every field lowercased on every call.
fn old_matches(filter: &str, a: &Alert) -> bool {
    filter.split_whitespace().all(|t| {
        for (op, regex, equal) in [("=~", true, true), ("!~", true, false), ("!=", false, false), ("=", false, true)] {
            if let Some((name, value)) = t.split_once(op) {
                let v = value.trim_matches('"');
                let pattern = if regex { v.to_string() } else { regex::escape(v) };
                if let Ok(re) = regex::Regex::new(&format!("^(?:{pattern})$")) {
                    return re.is_match(a.labels.get(name).map(String::as_str).unwrap_or("")) == equal;
                }
            }
        }
        let needle = t.to_lowercase();
        let mut fields = a.labels.iter().flat_map(|(k, v)| [k, v]).chain(a.annotations.values());
        fields.any(|s| s.to_lowercase().contains(needle.as_str()))
    })
}

fn reference(b: &AlertsState) -> (Vec<Row>, Counts) {
    let mut counts = Counts::default();
    let mut visible: Vec<usize> = Vec::new();
    for (i, x) in b.alerts.iter().enumerate() {
        if x.alert.state.is_muted() && !b.show_muted {
            counts.muted_hidden += 1;
        } else if !old_matches(&b.filter, &x.alert) {
            counts.filtered_out += 1;
        } else {
            *counts.by_severity.entry(x.alert.severity()).or_default() += 1;
            visible.push(i);
        }
    }
    let key = |i: usize| {
        let a = &b.alerts[i].alert;
        (a.severity(), std::cmp::Reverse(a.starts_at), a.fingerprint.clone())
    };
    visible.sort_by_key(|&i| key(i));
    let Grouping::Label(label) = &b.grouping else {
        return (visible.into_iter().map(Row::Alert).collect(), counts);
    };
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for i in visible {
        let k = b.alerts[i].alert.labels.get(label).cloned().unwrap_or_else(|| format!("(no {label})"));
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, m)) => m.push(i),
            None => groups.push((k, vec![i])),
        }
    }
    groups.sort_by_key(|(k, m)| (key(m[0]).0, key(m[0]).1, k.clone()));
    let mut rows = Vec::new();
    for (k, members) in groups {
        rows.push(Row::Group { key: k, count: members.len(), severity: b.alerts[members[0]].alert.severity() });
        rows.extend(members.into_iter().map(Row::Alert));
    }
    (rows, counts)
}

/// A small alphabet, so that filters hit, miss and collide often.
fn arb_alert() -> impl Strategy<Value = Alert> {
    let word = prop::sample::select(vec!["api", "db", "API", "Db-1", "ÉTÉ", "", "web"]);
    let sev = prop::sample::select(vec!["critical", "warning", "info", "bogus", ""]);
    let state = prop::sample::select(vec![AlertState::Firing, AlertState::Silenced, AlertState::Inhibited]);
    (prop::sample::select(vec!["A", "B", "C"]), sev, word.clone(), word, 0i64..5, state).prop_map(
        |(name, sev, service, team, mins, state)| {
            let mut a = alert(name, sev, &[("service", service), ("team", team)], mins, "am");
            a.state = state;
            a
        },
    )
}

/// Keystrokes and toggles: typing a character, Backspace, Ctrl-U, `b`, `M`.
#[derive(Debug, Clone)]
enum Step {
    Type(char),
    Back,
    Clear,
    Group,
    Muted,
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::sample::select(vec!['a', 'p', 'i', 'd', 'b', '-', '1', 'é', 'É', ' ', '=', '~', '!', 's', 'e'])
            .prop_map(Step::Type),
        2 => Just(Step::Back),
        1 => Just(Step::Clear),
        1 => Just(Step::Group),
        1 => Just(Step::Muted),
    ]
}

proptest! {
    #[test]
    fn indexed_board_matches_the_reference(
        alerts in prop::collection::vec(arb_alert(), 0..24),
        steps in prop::collection::vec(arb_step(), 0..40),
    ) {
        let mut b = AlertsState::new(Grouping::Label("service".into()), false, true);
        b.set_alertmanager(0, share(alerts));
        b.rebuild(&BTreeSet::new());
        for step in steps {
            match step {
                Step::Type(c) => b.filter.push(c),
                Step::Back => { b.filter.pop(); }
                Step::Clear => b.filter.clear(),
                Step::Group => b.grouping = b.grouping.next(),
                Step::Muted => b.show_muted = !b.show_muted,
            }
            b.regroup();
            let (rows, counts) = reference(&b);
            prop_assert_eq!(&b.rows, &rows, "filter {:?}, grouping {:?}", b.filter, b.grouping);
            prop_assert_eq!(&b.counts, &counts);
        }
    }

    #[test]
    fn a_changed_poll_is_indexed_like_a_fresh_board(
        first in prop::collection::vec(arb_alert(), 0..16),
        second in prop::collection::vec(arb_alert(), 0..16),
        filter in "[a-e ]{0,4}",
    ) {
        let mut b = AlertsState::new(Grouping::Label("alertname".into()), false, true);
        b.filter = filter;
        b.set_alertmanager(0, share(first));
        b.rebuild(&BTreeSet::new());
        b.set_alertmanager(0, share(second));
        b.rebuild(&BTreeSet::new());
        let (rows, counts) = reference(&b);
        prop_assert_eq!(b.rows, rows);
        prop_assert_eq!(b.counts, counts);
    }
}

#[test]
fn unchanged_alerts_keep_their_arc_and_prep_on_the_board() {
    let a = share(vec![alert("A", "critical", &[], 1, "am"), alert("B", "info", &[], 2, "am")]);
    let mut b = AlertsState::new(Grouping::None, false, true);
    assert!(b.set_alertmanager(0, a.clone()));
    b.rebuild(&BTreeSet::new());
    assert!(!b.set_alertmanager(0, a.clone()), "the same Arcs: nothing changed");
    assert!(!b.set_alertmanager(0, share(vec![(*a[0]).clone(), (*a[1]).clone()])), "equal copies: nothing either");
    let text = b.index.prep[0].text.clone();
    let mut next = a.clone();
    let mut b2 = (*a[1]).clone();
    b2.starts_at -= chrono::Duration::minutes(1);
    b2.annotations.insert("summary".into(), "a warning now".into());
    next[1] = Arc::new(b2);
    assert!(b.set_alertmanager(0, next.clone()));
    let diff = b.rebuild(&BTreeSet::new());
    assert!(Arc::ptr_eq(&a[0], &b.alerts[0].alert), "A is shared, not copied");
    assert!(Arc::ptr_eq(&text, &b.index.prep[0].text), "and not prepared again");
    assert!(b.index.prep[1].contains("a warning now"), "B prepared again");
    // A patch: only B's entry was replaced, and the diff says so.
    assert_eq!(diff.before.len(), 1);
    assert!(Arc::ptr_eq(&diff.before[0].alert, &a[1]));
    assert!(Arc::ptr_eq(&diff.after(&b)[0].alert, &next[1]));
}

#[test]
fn ha_duplicates_merge_sources_and_the_worst_state() {
    let mut silenced = alert("A", "critical", &[], 1, "am1");
    silenced.state = AlertState::Silenced;
    silenced.silenced_by = vec!["s1".into()];
    let mut b = AlertsState::new(Grouping::None, true, true);
    b.set_alertmanager(0, share(vec![alert("A", "critical", &[], 1, "am0")]));
    b.set_alertmanager(1, share(vec![silenced]));
    b.rebuild(&BTreeSet::from(["am0".to_string()]));
    assert_eq!(b.alerts.len(), 1);
    let a = &b.alerts[0];
    assert_eq!((a.alert.sources.clone(), a.alert.state), (vec!["am0".into(), "am1".into()], AlertState::Silenced));
    assert_eq!(a.alert.silenced_by, ["s1"]);
    assert!(!a.stale, "am1 is up");
    assert_eq!(b.am[&0][0].sources, ["am0"], "the source's own copy is untouched");
}

/// Replaces some alerts by versions with the same fingerprint (state, start,
/// annotations changed), as an Alertmanager poll does.
fn edited(alerts: &SharedAlerts, edits: &[(usize, u8)]) -> SharedAlerts {
    let mut out = alerts.clone();
    for &(i, how) in edits {
        let Some(slot) = out.get_mut(i % alerts.len().max(1)) else { continue };
        let mut a = (**slot).clone();
        match how % 3 {
            0 => a.state = if a.state.is_muted() { AlertState::Firing } else { AlertState::Silenced },
            1 => a.starts_at -= chrono::Duration::minutes(i64::from(how)),
            _ => {
                a.annotations.insert("summary".into(), format!("now {how}"));
            }
        }
        *slot = Arc::new(a);
    }
    out
}

proptest! {
    #[test]
    fn a_patched_board_equals_a_rebuilt_one(
        alerts in prop::collection::vec(arb_alert(), 1..40),
        edits in prop::collection::vec((0usize..40, 0u8..9), 0..5),
        filter in "[a-e ]{0,3}",
        muted in any::<bool>(),
    ) {
        // Unique fingerprints, so that a patch applies.
        let mut seen = BTreeSet::new();
        let alerts: Vec<Alert> = alerts.into_iter().filter(|a| seen.insert(a.fingerprint.clone())).collect();
        let first = share(alerts);
        let second = edited(&first, &edits);
        let mut patched = AlertsState::new(Grouping::Label("service".into()), muted, true);
        patched.filter = filter.clone();
        patched.set_alertmanager(0, first.clone());
        patched.rebuild(&BTreeSet::new());
        let old = patched.alerts.clone();
        patched.set_alertmanager(0, second.clone());
        let diff = patched.rebuild(&BTreeSet::new());
        let mut fresh = AlertsState::new(Grouping::Label("service".into()), muted, true);
        fresh.filter = filter;
        fresh.set_alertmanager(0, second);
        fresh.rebuild(&BTreeSet::new());
        prop_assert_eq!(&patched.alerts, &fresh.alerts);
        prop_assert_eq!(&patched.rows, &fresh.rows);
        prop_assert_eq!(&patched.counts, &fresh.counts);
        prop_assert_eq!(&patched.index.order, &fresh.index.order);
        prop_assert_eq!(&patched.index.prep, &fresh.index.prep);
        // The diff names every entry that changed, with its old version.
        let after = diff.after(&patched);
        for (o, n) in old.iter().zip(&patched.alerts) {
            if !Arc::ptr_eq(&o.alert, &n.alert) {
                prop_assert!(after.iter().any(|x| Arc::ptr_eq(&x.alert, &n.alert)));
                prop_assert!(diff.before.iter().any(|x| Arc::ptr_eq(&x.alert, &o.alert)));
            }
        }
    }
}
