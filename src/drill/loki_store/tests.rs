use super::*;

const NOW: i64 = 1_796_155_868_000_000_000;
const SEC: i64 = 1_000_000_000;

fn labels() -> Labels {
    [("app", "warroom"), ("service_name", "warroom")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn e(ts: i64, line: &str) -> LogEntry {
    LogEntry { ts_ns: ts, line: line.into(), metadata: Labels::new() }
}

fn lines(t: &TenantLogs) -> Vec<(i64, String)> {
    t.streams[&labels()].stream.entries.iter().map(|e| (e.ts_ns, e.line.clone())).collect()
}

#[test]
fn out_of_order_within_the_window_is_sorted_in_and_duplicates_stored_once() {
    let mut store = PushStore::new(1e9, 1e9, 1 << 20);
    let t = store.tenant_mut("fake", NOW).expect("tenant");
    let (sent, refusal) =
        t.append("fake", &labels(), vec![e(NOW, "b"), e(NOW, "b"), e(NOW - 10 * SEC, "a"), e(NOW, "c")]);
    assert_eq!(refusal, None);
    assert_eq!(sent.len(), 3, "the exact repeat of the last line is skipped");
    let (sent, _) = t.append("fake", &labels(), vec![e(NOW - 10 * SEC, "a")]);
    assert_eq!(sent.len(), 1, "a duplicate of an older entry still reaches tailers, as in Loki");
    assert_eq!(lines(t), vec![(NOW - 10 * SEC, "a".into()), (NOW, "b".into()), (NOW, "c".into())]);
}

#[test]
fn entries_an_hour_behind_the_newest_are_refused_with_lokis_message() {
    let mut store = PushStore::new(1e9, 1e9, 1 << 20);
    let t = store.tenant_mut("team-a", NOW).expect("tenant");
    let old = NOW - 3601 * SEC;
    let (sent, refusal) = t.append("team-a", &labels(), vec![e(NOW, "new"), e(old, "old"), e(NOW + 1, "newer")]);
    assert_eq!(sent.len(), 2);
    let (status, msg) = refusal.expect("refused");
    assert_eq!(status, 400);
    assert_eq!(
        msg,
        "entry with timestamp 2026-12-01 19:11:07 +0000 UTC ignored, reason: 'entry too far behind, entry timestamp is: 2026-12-01T19:11:07Z, oldest acceptable timestamp is: 2026-12-01T19:11:08Z',\n\
         user 'team-a', total ignored: 1 out of 3 for stream: {app=\"warroom\", service_name=\"warroom\"}"
    );
}

#[test]
fn the_byte_cap_drops_the_oldest_entries_and_the_bucket_limits_the_rate() {
    let mut store = PushStore::new(1000.0, 2000.0, 10 * (100 + ENTRY_OVERHEAD));
    let t = store.tenant_mut("fake", NOW).expect("tenant");
    let batch: Vec<LogEntry> = (0..20).map(|i| e(NOW + i, &format!("{i:0100}"))).collect();
    t.append("fake", &labels(), batch);
    store.enforce_cap("fake");
    let kept = lines(store.tenant("fake").expect("tenant"));
    assert_eq!(kept.len(), 10);
    assert_eq!(kept[0].0, NOW + 10, "the oldest went first");
    assert!(store.allow("fake", 1500, NOW));
    assert!(!store.allow("fake", 1000, NOW), "only 500 left in the bucket");
    assert!(store.allow("fake", 1000, NOW + SEC / 2), "refilled at 1000 bytes/s");
    assert!(!store.allow("fake", 2001, NOW + 100 * SEC), "never more than the burst");
}

#[test]
fn tenants_and_streams_are_bounded() {
    let mut store = PushStore::new(1e9, 1e9, 1 << 20);
    for i in 0..MAX_TENANTS {
        store.tenant_mut(&format!("t{i}"), NOW).expect("room for it");
    }
    let (status, msg) = store.tenant_mut("one-more", NOW).unwrap_err();
    assert_eq!(status, 429);
    assert!(msg.contains("at most 64 tenants"), "{msg}");
    let t = store.tenant_mut("t0", NOW).expect("an existing tenant");
    for i in 0..MAX_STREAMS_PER_TENANT {
        let mut l = labels();
        l.insert("n".into(), i.to_string());
        t.append("t0", &l, vec![e(NOW, "x")]);
    }
    let mut l = labels();
    l.insert("n".into(), "last".into());
    let (_, refusal) = t.append("t0", &l, vec![e(NOW, "x")]);
    let (status, msg) = refusal.expect("refused");
    assert_eq!(status, 429);
    assert!(
        msg.starts_with(
            "Maximum active stream limit exceeded when trying to create stream {app=\"warroom\", n=\"last\""
        ),
        "{msg}"
    );
}
