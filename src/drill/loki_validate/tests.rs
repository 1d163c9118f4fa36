use super::*;
use crate::drill::spec::labels;

#[test]
fn label_names_fail_with_the_prometheus_parser_message() {
    let err = parse_labels(&labels(&[("app", "warroom"), ("bad-name", "x")])).unwrap_err();
    assert_eq!(
        err,
        "Error parsing labels '{app=\"warroom\", bad-name=\"x\"}' with error: 1:20: parse error: unexpected character inside braces: '-'"
    );
    let err = parse_labels(&labels(&[("1st", "x")])).unwrap_err();
    assert!(err.ends_with("1:2: parse error: unexpected character inside braces: '1'"), "{err}");
    let err = parse_labels(&labels(&[("é", "x")])).unwrap_err();
    assert!(err.ends_with("unexpected character inside braces: 'é'"), "{err}");
    let err = parse_labels(&labels(&[("", "x")])).unwrap_err();
    assert!(err.contains("1:2: parse error: unexpected \"=\" in label set"), "{err}");
    let ok = parse_labels(&labels(&[("app", "warroom"), ("empty", ""), ("_x1", "y")])).expect("valid");
    assert_eq!(ok, labels(&[("app", "warroom"), ("_x1", "y")]), "empty values are dropped");
}

#[test]
fn label_limits_and_service_name() {
    let limits = PushLimits::default();
    assert_eq!(
        validate_labels(&Labels::new(), &limits).unwrap_err(),
        "error at least one label pair is required per stream"
    );
    let s = with_service_name(labels(&[("app", "warroom"), ("incident", "i1")]));
    assert_eq!(s["service_name"], "warroom");
    assert_eq!(with_service_name(labels(&[("incident", "i1")]))["service_name"], "unknown_service");
    assert_eq!(with_service_name(labels(&[("job", "j"), ("service", "s")]))["service_name"], "s");
    let many: Labels = (0..16).map(|i| (format!("l{i:02}"), "v".to_string())).collect();
    let err = validate_labels(&with_service_name(many), &limits).unwrap_err();
    assert!(err.starts_with("entry for stream '{l00=\"v\", "), "{err}");
    assert!(err.ends_with("service_name=\"unknown_service\"}' has 16 label names; limit 15"), "{err}");
    let long_name = labels(&[(&"n".repeat(1025), "v")]);
    assert_eq!(
        validate_labels(&long_name, &limits).unwrap_err(),
        format!("stream '{{{}=\"v\"}}' has label name too long: '{}'", "n".repeat(1025), "n".repeat(1025))
    );
    let long_value = labels(&[("app", &"v".repeat(2049))]);
    let err = validate_labels(&long_value, &limits).unwrap_err();
    assert!(err.ends_with(&format!("has label value too long: '{}'", "v".repeat(2049))), "{err}");
}

#[test]
fn entries_too_old_too_new_too_long_and_metadata() {
    let limits = PushLimits::default();
    let now = 1_796_155_868_000_000_000;
    let s = "{app=\"warroom\", service_name=\"warroom\"}";
    let none = Labels::new();
    let old = now - 8 * DAY_NS;
    assert_eq!(
        validate_entry(s, old, "x", &none, now, &limits).unwrap_err(),
        "entry for stream '{app=\"warroom\", service_name=\"warroom\"}' has timestamp too old: 2026-11-23T20:11:08Z, oldest acceptable timestamp is: 2026-11-24T20:11:08Z"
    );
    assert_eq!(
        validate_entry(s, now + 11 * MINUTE_NS, "x", &none, now, &limits).unwrap_err(),
        "entry for stream '{app=\"warroom\", service_name=\"warroom\"}' has timestamp too new: 2026-12-01T20:22:08Z"
    );
    assert!(validate_entry(s, now + 9 * MINUTE_NS, "x", &none, now, &limits).is_ok());
    let line = "x".repeat(256 * 1024 + 1);
    assert_eq!(
        validate_entry(s, now, &line, &none, now, &limits).unwrap_err(),
        format!(
            "Max entry size '262144' bytes exceeded for stream '{s}' while adding an entry with length '262145' bytes"
        )
    );
    let meta = labels(&[("author", "alice")]);
    let off = PushLimits { allow_structured_metadata: false, ..limits.clone() };
    assert!(
        validate_entry(s, now, "x", &meta, now, &off)
            .unwrap_err()
            .contains("includes structured metadata, but this feature is disallowed")
    );
    let big = labels(&[("k", &"v".repeat(64 * 1024))]);
    assert_eq!(
        validate_entry(s, now, "x", &big, now, &limits).unwrap_err(),
        format!(
            "stream '{s}' has structured metadata too large: '65537' bytes, limit: '65536' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it."
        )
    );
    let many: Labels = (0..129).map(|i| (format!("k{i}"), "v".to_string())).collect();
    assert!(
        validate_entry(s, now, "x", &many, now, &limits)
            .unwrap_err()
            .contains("too many structured metadata labels: '129', limit: '128'")
    );
}

#[test]
fn metadata_names_are_normalized_and_errors_grouped() {
    let m = normalize_metadata(labels(&[("host.name", "a"), ("1x", "b"), ("_y", "c"), ("__z", "d")]));
    assert_eq!(m, labels(&[("host_name", "a"), ("key_1x", "b"), ("key_y", "c"), ("__z", "d")]));
    assert_eq!(grouped(&["a".into()]), "a");
    assert_eq!(grouped(&["a".into(), "a".into()]), "2 errors like: a");
    assert_eq!(grouped(&["a".into(), "b".into(), "a".into()]), "2 errors like: a; 1 errors like: b");
}
