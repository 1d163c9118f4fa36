//! The client against every Loki example in `tests/fixtures/api/loki/`.

use std::time::Duration;

use super::wire::{QueryData, decode, decode_bare, parse_query, parse_tail};
use super::*;
use crate::sources::http::Body;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/api/loki/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ok(bytes: Vec<u8>) -> Body {
    Body { status: 200, content_type: "application/json".into(), bytes, elapsed: Duration::ZERO, ..Default::default() }
}

fn query(name: &str) -> QueryResult {
    let data: QueryData = decode(&ok(fixture(name))).unwrap().unwrap();
    parse_query(data).unwrap()
}

fn streams(r: QueryResult) -> Vec<Stream> {
    match r {
        QueryResult::Streams(s) => s,
        other => panic!("expected streams, got {other:?}"),
    }
}

fn matrix(r: QueryResult) -> Vec<Series> {
    match r {
        QueryResult::Matrix(m) => m,
        other => panic!("expected a matrix, got {other:?}"),
    }
}

#[test]
fn streams_with_nanosecond_timestamps() {
    let s = streams(query("query_range_streams.json"));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].labels["job"], "varlogs");
    let e = &s[0].entries;
    assert_eq!((e[0].ts_ns, e[0].line.as_str()), (1_569_266_497_240_578_000, "foo"));
    assert_eq!((e[1].ts_ns, e[1].line.as_str()), (1_569_266_492_548_155_000, "bar"));
    // Flattened, oldest first, labels shared.
    let lines = flatten(s);
    assert_eq!(lines[0].line, "bar");
    assert!(std::sync::Arc::ptr_eq(&lines[0].labels, &lines[1].labels));
}

#[test]
fn categorized_entries_keep_structured_metadata_and_parsed_labels() {
    let s = streams(query("query_range_streams_categorized.json"));
    let e = &s[0].entries;
    assert_eq!(e.len(), 3);
    assert!(e[0].metadata.is_empty() && e[0].parsed.is_empty());
    assert_eq!(e[1].metadata["foo"], "a");
    assert_eq!(e[1].metadata["bar"], "b");
    assert_eq!(e[2].parsed["msg"], "text");
    assert_eq!(e[2].line, "super line with labels msg=text");
}

#[test]
fn metric_results_are_series() {
    let m = matrix(query("query_range_matrix.json"));
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].labels["level"], "warn");
    assert_eq!(
        m[0].samples,
        vec![(1_588_889_221.0, 137.95), (1_588_889_221.0, 467.115), (1_588_889_221.0, 658.8516666666667)]
    );
    let v = matrix(query("query_vector.json"));
    assert_eq!(v.len(), 3);
    assert!(v[0].labels.is_empty());
    assert_eq!(v[2].samples, vec![(1_588_889_221.0, 37.69)]);
}

#[test]
fn empty_result_with_the_docs_statistics() {
    assert!(streams(query("statistics_docs.json")).is_empty());
    // The current stats shape is large and nested: it is skipped whole.
    let stats: serde_json::Value = serde_json::from_slice(&fixture("stats_current_shape_zero.json")).unwrap();
    let body =
        serde_json::json!({"status": "success", "data": {"resultType": "streams", "result": [], "stats": stats}});
    let data: QueryData = decode(&ok(serde_json::to_vec(&body).unwrap())).unwrap().unwrap();
    assert!(streams(parse_query(data).unwrap()).is_empty());
}

#[test]
fn labels_values_series_format_and_stats() {
    let labels: Vec<String> = decode(&ok(fixture("labels.json"))).unwrap().unwrap();
    assert_eq!(labels, ["foo", "bar", "baz"]);
    let values: Vec<String> = decode(&ok(fixture("label_values.json"))).unwrap().unwrap();
    assert_eq!(values, ["cat", "dog", "axolotl"]);
    let series: Vec<crate::model::Labels> = decode(&ok(fixture("series.json"))).unwrap().unwrap();
    assert_eq!(series.len(), 3);
    assert_eq!(series[0]["container_name"], "loki");
    let formatted: String = decode(&ok(fixture("format_query.json"))).unwrap().unwrap();
    assert_eq!(formatted, r#"{foo="bar"}"#);
    let stats: IndexStats = decode_bare(&ok(fixture("index_stats.json"))).unwrap();
    assert_eq!(stats, IndexStats { streams: 100, chunks: 1000, entries: 5000, bytes: 100_000 });
    // `/labels` omits `data` when there is none.
    let none: Option<Vec<String>> = decode(&ok(br#"{"status":"success"}"#.to_vec())).unwrap();
    assert_eq!(none, None);
}

#[test]
fn tail_messages_plain_and_categorized() {
    let plain = parse_tail(&fixture("tail.json")).unwrap();
    assert_eq!(plain.lines.len(), 2);
    assert_eq!(plain.dropped, 1);
    assert_eq!(plain.lines[1].line, "super line with labels");
    assert_eq!(plain.lines[0].labels["test"], "test");
    let cat = parse_tail(&fixture("tail_categorized.json")).unwrap();
    assert_eq!(cat.lines.len(), 3);
    assert_eq!(cat.lines[2].metadata["bar"], "b");
    assert_eq!(cat.lines[2].parsed["msg"], "text");
    let bare = parse_tail(br#"{"streams":[]}"#).unwrap();
    assert_eq!(bare, TailChunk::default());
}

#[test]
fn loki_text_errors_become_status_with_the_text() {
    let body = |status: u16, text: &str| Body {
        status,
        content_type: "text/plain; charset=utf-8".into(),
        bytes: text.as_bytes().to_vec(),
        elapsed: Duration::ZERO,
        ..Default::default()
    };
    let e = decode::<QueryData>(&body(400, "parse error at line 1, col 7: syntax error: unexpected IDENTIFIER\n"))
        .err()
        .unwrap();
    assert_eq!(
        e,
        SourceError::Status {
            status: 400,
            message: "parse error at line 1, col 7: syntax error: unexpected IDENTIFIER".into()
        }
    );
    assert!(!e.is_transient());
    let limit = decode::<QueryData>(&body(429, "too many outstanding requests\x1b[31m")).err().unwrap();
    assert_eq!(limit.to_string(), "HTTP 429: too many outstanding requests");
    assert!(limit.is_transient());
    let html = Body { content_type: "text/html".into(), ..body(200, "<html>login</html>") };
    assert_eq!(decode::<QueryData>(&html).err().unwrap(), SourceError::ContentType("text/html".into()));
}

#[test]
fn hostile_lines_are_cleaned_cut_and_lossy() {
    let mut raw =
        br#"{"streams":[{"stream":{"job":"x"},"values":[["1","a\u001b]0;pwned\u0007b \u001b[31mred"],["2","bad "#
            .to_vec();
    raw.extend_from_slice(b"\xff\xfe utf8");
    raw.extend_from_slice(br#""]]}]}"#);
    let chunk = parse_tail(&raw).unwrap();
    assert_eq!(chunk.lines[0].line, "ab red");
    assert_eq!(chunk.lines[1].line, "bad \u{fffd}\u{fffd} utf8");
    let long = "x".repeat(MAX_LINE_BYTES + 100);
    let cut = clean_line(&long);
    assert!(cut.starts_with(&"x".repeat(100)) && cut.ends_with("… [100 more bytes cut]"), "{}", &cut[cut.len() - 40..]);
    // A multi-byte character across the cut is not split.
    let wide = format!("{}é", "x".repeat(MAX_LINE_BYTES - 1));
    assert!(clean_line(&wide).ends_with("[2 more bytes cut]"));
}

#[test]
fn bad_timestamps_are_decode_errors() {
    let e = parse_tail(br#"{"streams":[{"stream":{},"values":[["soon","x"]]}]}"#).unwrap_err();
    assert!(matches!(e, SourceError::Decode(ref m) if m.contains("bad timestamp")), "{e:?}");
    assert_eq!(parse_ns(" 123 ").unwrap(), 123);
}

#[test]
fn tail_url_keeps_prefix_and_switches_scheme() {
    let http = HttpClient::new(&crate::sources::Endpoint::from_url("https://logs.example:3100/loki-proxy")).unwrap();
    let url = tail_url(&http, r#"{job="a b"}"#, 42, 100).unwrap();
    assert_eq!(url.scheme(), "wss");
    assert_eq!(url.path(), "/loki-proxy/loki/api/v1/tail");
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(q.contains(&("query".into(), r#"{job="a b"}"#.into())));
    assert!(q.contains(&("start".into(), "42".into())) && q.contains(&("delay_for".into(), "1".into())));
}

#[test]
fn config_defaults_and_parsing() {
    let d = LogsConfig::default();
    assert_eq!(d.buffer, 10_000);
    assert_eq!(d.selector, DEFAULT_TEMPLATE);
    let c: LogsConfig = toml::from_str("margin = \"5m\"\nselector = [\"app\"]").unwrap();
    assert_eq!((c.margin, c.selector.as_slice()), (Duration::from_secs(300), ["app".to_string()].as_slice()));
    assert!(toml::from_str::<LogsConfig>("bogus = 1").is_err());
}
