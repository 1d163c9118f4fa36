use super::*;

fn sil(id: &str, value: &str, starts: f64, ends: f64) -> Silence {
    Silence {
        id: id.into(),
        matchers: vec![AmMatcher::new("alertname", value, false, true).expect("matcher")],
        starts_at: starts,
        ends_at: ends,
        updated_at: 0.0,
        created_by: "me".into(),
        comment: "c".into(),
    }
}

fn labels(name: &str) -> Labels {
    [("alertname".to_string(), name.to_string())].into_iter().collect()
}

#[test]
fn create_silences_then_expire() {
    let mut s = Silences::new();
    let id = s.set(sil("", "DatabaseDown", 50.0, 200.0), 100.0).expect("set");
    assert!(is_uuid(&id), "{id}");
    let created = s.get(&id).expect("stored");
    assert_eq!(created.starts_at, 100.0, "a start in the past moves to now");
    assert_eq!(s.silenced_by(&labels("DatabaseDown"), 110.0), vec![id.clone()]);
    assert!(s.silenced_by(&labels("HighLatency"), 110.0).is_empty());
    s.expire(&id, 120.0).expect("expire");
    assert_eq!(s.get(&id).map(|x| x.state(121.0)), Some(SilenceState::Expired));
    assert!(s.silenced_by(&labels("DatabaseDown"), 121.0).is_empty());
    assert_eq!(s.list(&[], 121.0).len(), 1, "expired silences stay listed");
    assert_eq!(s.expire(&id, 130.0), Ok(()), "expiring twice is fine");
    assert_eq!(s.expire("nope", 130.0), Err(SilenceError::NotFound));
}

#[test]
fn update_keeps_the_id_unless_matchers_change() {
    let mut s = Silences::new();
    let id = s.set(sil("", "A", 100.0, 200.0), 100.0).expect("set");
    let same = s.set(sil(&id, "A", 100.0, 300.0), 110.0).expect("update");
    assert_eq!(same, id);
    assert_eq!(s.get(&id).map(|x| x.ends_at), Some(300.0));
    let other = s.set(sil(&id, "B", 110.0, 300.0), 120.0).expect("replace");
    assert_ne!(other, id);
    assert_eq!(s.get(&id).map(|x| x.state(121.0)), Some(SilenceState::Expired));
    assert_eq!(s.set(sil("00000000-0000-4000-8000-000000000000", "A", 1.0, 2.0), 0.0), Err(SilenceError::NotFound));
}

#[test]
fn validation_errors() {
    let mut s = Silences::new();
    let err = s.set(sil("", "A", 200.0, 100.0), 0.0).unwrap_err();
    assert_eq!(err, SilenceError::Invalid("start time must be before end time".into()));
    let mut empty = sil("", "", 0.0, 100.0);
    empty.matchers = vec![AmMatcher::new("alertname", ".*", true, true).expect("matcher")];
    assert!(matches!(s.set(empty, 0.0), Err(SilenceError::Invalid(m)) if m.contains("empty string")));
}

#[test]
fn list_filters_and_sorts() {
    let mut s = Silences::new();
    let a = s.set(sil("", "A", 0.0, 500.0), 100.0).expect("a");
    let b = s.set(sil("", "B", 0.0, 300.0), 100.0).expect("b");
    let c = s.set(sil("", "C", 400.0, 600.0), 100.0).expect("c");
    let ids: Vec<&str> = s.list(&[], 150.0).iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, vec![b.as_str(), a.as_str(), c.as_str()]);
    let f = super::super::am_matchers::parse_matchers("alertname=A").expect("filter");
    assert_eq!(s.list(&f, 150.0).len(), 1);
}
