//! Merging journals: the local one, a teammate's, what Loki sent twice.
//!
//! A union by record id, ordered by (time, id). Idempotent and
//! order-independent: merging any permutation of the same records, with any
//! of them repeated, gives the same list, so a record pushed twice, or
//! received by both the tail and a re-read, shows once. Captured events
//! that two consoles wrote under different ids are folded once by the
//! timeline ([`super::Record::identity`]). Pure.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::record::Record;

/// The records, each id once, sorted by (time, id). Two different records
/// under one id (a damaged or forged line) keep one of them, the same one
/// whatever the order they came in: the earlier, then the smaller encoding.
/// A record without an id (built in memory, never written) gets one from
/// its content ([`content_id`]).
pub fn union(records: impl IntoIterator<Item = Record>) -> Vec<Record> {
    let mut by_id: BTreeMap<String, (Record, String)> = BTreeMap::new();
    for mut rec in records {
        if rec.id.is_empty() {
            let json = serde_json::to_string(&rec).unwrap_or_default();
            rec.id = content_id(0, json.as_bytes());
        }
        let json = serde_json::to_string(&rec).unwrap_or_default();
        let id = rec.id.clone();
        match by_id.get(&id) {
            Some((kept, kept_json)) if (kept.at, kept_json.as_str()) <= (rec.at, json.as_str()) => {}
            _ => {
                by_id.insert(id, (rec, json));
            }
        }
    }
    let mut out: Vec<(DateTime<Utc>, String, Record)> =
        by_id.into_iter().map(|(id, (rec, _))| (rec.at, id, rec)).collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, rec)| rec).collect()
}

/// Adds `new` to `records` (already a [`union`]).
pub fn merge_into(records: &mut Vec<Record>, new: impl IntoIterator<Item = Record>) {
    let all = std::mem::take(records);
    *records = union(all.into_iter().chain(new));
}

/// The id of a line that has none (v1): `v1-<line>-<hash of its bytes>`,
/// stable across reads of an append-only journal and sorting in line order.
pub fn content_id(line: usize, bytes: &[u8]) -> String {
    format!("v1-{line:07}-{:016x}", fnv1a(bytes))
}

/// FNV-1a, 64 bits: stable across builds and platforms (std's hasher is not
/// promised to be).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::{Event, Status};
    use proptest::prelude::*;

    fn rec(secs: i64, id: &str, text: &str) -> Record {
        let at = DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("valid time");
        Record::new(at, "alice", Event::Note { id: id.into(), text: text.into() }).with_id(id, "h")
    }

    #[test]
    fn union_orders_by_time_then_id_and_keeps_each_id_once() {
        let a = rec(5, "B@h", "b");
        let b = rec(5, "A@h", "a");
        let c = rec(1, "Z@h", "z");
        let out = union([a.clone(), b.clone(), c.clone(), a.clone(), b.clone()]);
        assert_eq!(out, vec![c, b, a]);
    }

    #[test]
    fn a_collision_keeps_the_same_record_in_any_order() {
        let real = rec(5, "A@h", "real");
        let forged = rec(5, "A@h", "forged");
        let one = union([real.clone(), forged.clone()]);
        let two = union([forged, real]);
        assert_eq!(one, two);
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn records_without_ids_are_keyed_by_content() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("valid time");
        let s = Record::new(at, "a", Event::Status { status: Status::Mitigated });
        let r = Record::new(at, "a", Event::Status { status: Status::Resolved });
        assert_eq!(union([s.clone(), s.clone(), r.clone()]).len(), 2);
    }

    fn arb_records() -> impl Strategy<Value = Vec<Record>> {
        // Few ids and times so collisions and ties are common.
        proptest::collection::vec((0i64..4, 0u8..6, 0u8..3), 0..24).prop_map(|v| {
            v.into_iter().map(|(t, id, text)| rec(t, &format!("{id}@h"), &format!("text {text}"))).collect()
        })
    }

    proptest! {
        #[test]
        fn merging_any_permutation_or_repetition_gives_the_same_result(
            records in arb_records(),
            order in proptest::collection::vec(any::<prop::sample::Index>(), 0..48),
            split in any::<prop::sample::Index>(),
        ) {
            let reference = union(records.clone());
            // Any sequence that contains every record at least once, in any
            // order, some repeated.
            let mut shuffled: Vec<Record> = order.iter().filter(|_| !records.is_empty())
                .map(|i| records[i.index(records.len())].clone()).collect();
            shuffled.extend(records.iter().rev().cloned());
            prop_assert_eq!(&union(shuffled.clone()), &reference);
            // Merged in two batches, as the tail and a re-read deliver them.
            let cut = if shuffled.is_empty() { 0 } else { split.index(shuffled.len()) };
            let mut merged = union(shuffled[..cut].to_vec());
            merge_into(&mut merged, shuffled[cut..].to_vec());
            prop_assert_eq!(&merged, &reference);
            // Idempotent.
            let mut again = reference.clone();
            merge_into(&mut again, reference.clone());
            prop_assert_eq!(&again, &reference);
            // Sorted by (time, id), each id once.
            for w in reference.windows(2) {
                prop_assert!((w[0].at, &w[0].id) < (w[1].at, &w[1].id));
            }
        }
    }
}
