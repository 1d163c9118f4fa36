//! Helpers: captured upstream responses and a recursive shape comparison.

use serde_json::Value;

/// A captured upstream response from `tests/fixtures/api/`.
pub fn fixture(rel: &str) -> Value {
    let path = format!("{}/tests/fixtures/api/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Same JSON types everywhere and, for objects, every key of `expected`
/// present in `actual` (label maps, whose keys are data, are compared by
/// type only). Arrays are compared element-wise on their common prefix of
/// the first element's shape.
pub fn assert_same_shape(actual: &Value, expected: &Value, at: &str) {
    assert_eq!(kind(actual), kind(expected), "{at}: {actual} vs {expected}");
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let data_keys = ["metric", "labels", "annotations", "stream", "data[]"].iter().any(|k| at.ends_with(k));
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => assert_same_shape(av, ev, &format!("{at}.{k}")),
                    None if data_keys => {}
                    None => panic!("{at}: missing key {k:?} in {actual}"),
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let (Some(af), Some(ef)) = (a.first(), e.first()) {
                if matches!(ef, Value::Object(_) | Value::Array(_)) {
                    for av in a {
                        assert_same_shape(av, ef, &format!("{at}[]"));
                    }
                } else {
                    for (i, (av, ev)) in a.iter().zip(e).enumerate() {
                        assert_same_shape(av, ev, &format!("{at}[{i}]"));
                    }
                    assert_eq!(kind(af), kind(ef), "{at}[0]");
                }
            }
        }
        _ => {}
    }
}
