//! Property tests of the Loki push body and of the raw reading path: for
//! arbitrary strings in labels, lines and structured metadata (quotes,
//! backslashes, control characters, escape sequences, line separators,
//! astral characters), the body is valid JSON that reads back to exactly
//! what was given, its gzip inflates to the same bytes, and the same
//! strings sent back as Loki's tail message read back unchanged as raw
//! lines.

use std::io::Read;

use proptest::prelude::*;
use serde_json::{Value, json};
use warroom::model::Labels;
use warroom::sources::loki::{MAX_RAW_LINE_BYTES, PushEntry, PushStream, RawText, encode_push, gzip, parse_tail_raw};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"\\\\\u{0}-\u{1f}\u{7f}-\u{9f}\u{1b}\u{2028}\u{2029}\u{feff}\u{1f600}a{}\\[\\]]{0,24}",
    ]
}

fn labels(max: usize) -> impl Strategy<Value = Labels> {
    prop::collection::btree_map(text(), text(), 0..max)
}

fn entry() -> impl Strategy<Value = PushEntry> {
    (any::<i64>(), text(), labels(4)).prop_map(|(ts_ns, line, metadata)| PushEntry { ts_ns, line, metadata })
}

fn stream() -> impl Strategy<Value = PushStream> {
    (labels(4), prop::collection::vec(entry(), 0..5)).prop_map(|(labels, entries)| PushStream { labels, entries })
}

fn expected(streams: &[PushStream]) -> Value {
    let streams: Vec<Value> = streams
        .iter()
        .map(|s| {
            let values: Vec<Value> = s
                .entries
                .iter()
                .map(|e| match e.metadata.is_empty() {
                    true => json!([e.ts_ns.to_string(), e.line]),
                    false => json!([e.ts_ns.to_string(), e.line, e.metadata]),
                })
                .collect();
            json!({"stream": s.labels, "values": values})
        })
        .collect();
    json!({ "streams": streams })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_push_body_is_json_that_reads_back_exactly(streams in prop::collection::vec(stream(), 0..4)) {
        let bytes = encode_push(&streams);
        let text = std::str::from_utf8(&bytes).expect("serde_json writes UTF-8");
        prop_assert!(!text.chars().any(|c| (c as u32) < 0x20), "raw controls in {text:?}");
        let parsed: Value = serde_json::from_slice(&bytes).expect("valid JSON");
        prop_assert_eq!(parsed, expected(&streams));
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&bytes)[..]).read_to_end(&mut inflated).expect("gunzip");
        prop_assert_eq!(inflated, bytes);
    }

    #[test]
    fn raw_lines_read_back_as_pushed(stream in stream()) {
        let values: Vec<Value> = stream
            .entries
            .iter()
            .map(|e| json!([e.ts_ns.to_string(), e.line, {"structuredMetadata": e.metadata}]))
            .collect();
        let msg = json!({"streams": [{"stream": stream.labels, "values": values}]}).to_string();
        let chunk = parse_tail_raw(msg.as_bytes()).expect("a valid tail message");
        prop_assert_eq!(chunk.lines.len(), stream.entries.len());
        let mut sorted = stream.entries.clone();
        sorted.sort_by_key(|e| e.ts_ns);
        for (got, want) in chunk.lines.iter().zip(&sorted) {
            prop_assert_eq!(got.ts_ns, want.ts_ns);
            prop_assert_eq!(&*got.labels, &stream.labels);
            prop_assert_eq!(&got.metadata, &want.metadata);
            prop_assert!(want.line.len() <= MAX_RAW_LINE_BYTES);
            prop_assert_eq!(&got.text, &RawText::Line(want.line.clone()));
        }
    }
}

#[test]
fn a_line_over_the_cap_is_reported_not_kept() {
    let line = "x".repeat(MAX_RAW_LINE_BYTES + 1);
    let msg = json!({"streams": [{"stream": {"app": "warroom"}, "values": [["1", line]]}], "dropped_entries": [{"timestamp": "7", "labels": {}}]});
    let chunk = parse_tail_raw(msg.to_string().as_bytes()).expect("parses");
    assert_eq!(chunk.lines[0].text, RawText::TooLong { bytes: MAX_RAW_LINE_BYTES + 1 });
    assert_eq!((chunk.dropped, chunk.oldest_dropped_ns), (1, Some(7)));
}
