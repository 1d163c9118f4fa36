//! Remote strings cut at parse time. One 30 MB annotation made every key
//! take 1.6 s (each frame cleaned and measured it) and the process 620 MB:
//! labels, annotations and URLs are cut while the answer is read, as the
//! logs pane cuts log lines, with a marker that says how much was cut.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, MapAccess, Visitor};

use crate::model::Labels;

/// Longest label name or value, annotation or URL kept whole, in bytes. A
/// long description with a table is a few KiB; megabytes are not read in a
/// terminal (and 8 KiB is what a log line keeps too).
pub const MAX_FIELD_BYTES: usize = 8 * 1024;

/// `s` cut at [`MAX_FIELD_BYTES`] on a character boundary, with the marker
/// `… [N more bytes cut]`; unchanged when it fits.
pub fn cut(s: &str) -> String {
    if s.len() <= MAX_FIELD_BYTES {
        return s.to_string();
    }
    let mut at = MAX_FIELD_BYTES;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    format!("{} … [{} more bytes cut]", &s[..at], s.len() - at)
}

/// Whether a string was cut by [`cut`].
pub fn was_cut(s: &str) -> bool {
    s.len() > MAX_FIELD_BYTES && s.ends_with(" more bytes cut]")
}

/// A string, cut as it is read: serde_json hands over a borrowed `&str`
/// when the JSON has no escapes, so a huge one is never copied whole.
struct Capped;

impl<'de> Visitor<'de> for Capped {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(cut(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        if v.len() <= MAX_FIELD_BYTES { Ok(v) } else { Ok(cut(&v)) }
    }
}

struct CappedString(String);

impl<'de> serde::Deserialize<'de> for CappedString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_string(Capped).map(CappedString)
    }
}

/// `#[serde(deserialize_with = "capped::string")]`
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_string(Capped)
}

/// `#[serde(default, deserialize_with = "capped::opt_string")]`
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<CappedString> = serde::Deserialize::deserialize(d)?;
    Ok(v.map(|c| c.0))
}

/// `#[serde(default, deserialize_with = "capped::labels")]`: a label set
/// whose names and values are cut; `null` reads as empty.
pub fn labels<'de, D: Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
    struct Map;
    impl<'de> Visitor<'de> for Map {
        type Value = Labels;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of strings")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Labels, E> {
            Ok(Labels::new())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
            let mut out = Labels::new();
            while let Some((CappedString(k), CappedString(v))) = map.next_entry()? {
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_any(Map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Wire {
        #[serde(default, deserialize_with = "labels")]
        labels: Labels,
        #[serde(default, deserialize_with = "opt_string")]
        url: Option<String>,
    }

    #[test]
    fn long_strings_are_cut_with_a_marker_on_a_char_boundary() {
        let huge = "é".repeat(MAX_FIELD_BYTES); // 2 bytes each
        let json = serde_json::json!({"labels": {"a": huge, "b": "short"}, "url": "x".repeat(MAX_FIELD_BYTES + 5)});
        let w: Wire = serde_json::from_str(&json.to_string()).unwrap();
        let a = &w.labels["a"];
        assert!(
            a.starts_with("éé") && a.ends_with(&format!(" … [{} more bytes cut]", MAX_FIELD_BYTES)),
            "{}",
            &a[..20]
        );
        assert!(a.len() < MAX_FIELD_BYTES + 40 && was_cut(a));
        assert_eq!(w.labels["b"], "short");
        assert!(w.url.unwrap().ends_with(" … [5 more bytes cut]"));
        // Escaped strings (serde_json builds them) are cut too.
        let escaped = format!(r#"{{"labels": {{"a": "{}"}}}}"#, "\\n".repeat(MAX_FIELD_BYTES + 1));
        let w: Wire = serde_json::from_str(&escaped).unwrap();
        assert!(was_cut(&w.labels["a"]));
        let w: Wire = serde_json::from_str(r#"{"labels": null}"#).unwrap();
        assert!(w.labels.is_empty() && w.url.is_none());
    }
}
