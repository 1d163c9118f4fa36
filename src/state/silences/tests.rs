use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;
use crate::model::{Matcher, Silence, SilenceState};
use crate::state::tests::{alert, now};

pub(crate) fn silence(id: &str, matchers: Vec<Matcher>, comment: &str, mins_left: i64) -> Silence {
    Silence {
        id: id.into(),
        matchers,
        starts_at: now() - chrono::Duration::minutes(10),
        ends_at: now() + chrono::Duration::minutes(mins_left),
        updated_at: Some(now() - chrono::Duration::minutes(10)),
        created_by: "bob".into(),
        comment: comment.into(),
        state: if mins_left > 0 { SilenceState::Active } else { SilenceState::Expired },
    }
}

fn eq(name: &str, value: &str) -> Matcher {
    Matcher { name: name.into(), value: value.into(), is_regex: false, is_equal: true }
}

fn at(mins: i64) -> DateTime<Utc> {
    now() + chrono::Duration::minutes(mins)
}

#[test]
fn members_merge_by_id_newest_copy_wins() {
    let mut st = SilencesState::default();
    let a = silence("s1", vec![eq("service", "api")], "deploy", 30);
    let mut newer = a.clone();
    newer.ends_at = at(90);
    newer.updated_at = Some(now());
    assert!(st.set(0, vec![a.clone(), silence("s2", vec![eq("env", "prod")], "x", 5)]));
    assert!(st.set(1, vec![newer.clone()]));
    assert_eq!(st.merged.len(), 2, "HA members share silences: one copy each");
    assert_eq!(st.get("s1").unwrap().ends_at, at(90));
    assert!(!st.set(1, vec![newer]), "same answer again: nothing changed");
}

#[test]
fn ack_is_an_exact_silence_with_an_ack_comment() {
    let a = alert("HighLatency", "warning", &[("service", "api")], 5, "am0");
    let exact = exact_matchers(&a);
    assert_eq!(exact.len(), 3);
    let mut st = SilencesState::default();
    st.set(0, vec![silence("ack1", exact.clone(), "ack by alice", 23)]);
    let ack = st.ack_for(&a, now()).unwrap();
    assert_eq!((ack.silence_id.as_str(), ack.by.as_str()), ("ack1", "alice"));
    assert_eq!(ack.describe(now()), "acked by alice 23m left");

    // Not an ack: a wider silence, another comment, an ended one, a regex.
    let other = alert("HighLatency", "warning", &[("service", "db")], 5, "am0");
    assert_eq!(st.ack_for(&other, now()), None);
    for s in [
        silence("w", vec![eq("service", "api")], "ack by alice", 23),
        silence("c", exact.clone(), "deploy window", 23),
        silence("e", exact.clone(), "ack by alice", -1),
        silence("r", exact.iter().map(|m| Matcher { is_regex: true, ..m.clone() }).collect(), "ack by al", 23),
    ] {
        let mut st = SilencesState::default();
        st.set(0, vec![s.clone()]);
        assert_eq!(st.ack_for(&a, now()), None, "{} is not an ack", s.id);
    }
    // "ack by " with no name: the creator.
    let mut st = SilencesState::default();
    st.set(0, vec![silence("n", exact, "ack by ", 5)]);
    assert_eq!(st.ack_for(&a, now()).unwrap().by, "bob");
}

#[test]
fn ack_creates_then_extends_by_replacing() {
    let a = alert("DiskFilling", "info", &[("service", "db")], 5, "am0");
    let period = Duration::from_secs(30 * 60);
    let mut st = SilencesState::default();
    let first = ack_draft(&st, &a, "carol", period, now());
    assert_eq!(first.id, None);
    assert_eq!(first.comment, "ack by carol");
    assert_eq!((first.starts_at, first.ends_at), (now(), at(30)));
    assert!(first.matchers.iter().all(|m| m.is_equal && !m.is_regex));
    assert!(silence("x", first.matchers.clone(), "", 1).matches(&a.labels));

    st.set(0, vec![silence("ack1", first.matchers.clone(), "ack by carol", 12)]);
    let again = ack_draft(&st, &a, "dave", period, now());
    assert_eq!(again.id.as_deref(), Some("ack1"), "re-ack replaces the ack by id");
    assert_eq!(again.ends_at, at(12 + 30), "extends from its current end");
    assert_eq!(again.starts_at, now() - chrono::Duration::minutes(10), "same start: updated in place");
    assert_eq!(again.comment, "ack by carol");
}

#[test]
fn extending_an_ended_silence_starts_now() {
    let s = silence("old", vec![eq("a", "b")], "x", -5);
    let d = extend_draft(&s, Duration::from_secs(3600), now());
    assert_eq!((d.starts_at, d.ends_at), (now(), at(60)));
    assert_eq!(state_at(&s, now()), SilenceState::Expired);
    let mut pending = silence("p", vec![eq("a", "b")], "x", 60);
    pending.starts_at = at(10);
    assert_eq!(state_at(&pending, now()), SilenceState::Pending);
    assert!(!is_active(&pending, now()));
    assert_eq!(later(now(), Duration::from_secs(u64::MAX)), DateTime::<Utc>::MAX_UTC);
}
