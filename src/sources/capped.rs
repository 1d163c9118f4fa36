//! Remote strings cut at parse time. One 30 MB annotation made every key
//! take 1.6 s (each frame cleaned and measured it) and the process 620 MB:
//! labels, annotations and URLs are cut while the answer is read, as the
//! logs pane cuts log lines, with a marker that says how much was cut.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::model::{Alert, AlertsCut, Labels};

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

/// Most alerts kept from one source's answer. Each parsed alert costs about
/// 5 KB resident (64 MiB PSS at 10 000 alerts, assets/benchmarks.md), so
/// 50 000 are estimated at about 250 MB, plus the answer (77 MB at 100 000
/// alerts) while it is parsed: within a 400 MB budget (not yet measured). The rest are
/// counted, not kept, and the board's title says how many.
pub const MAX_ALERTS: usize = 50_000;

/// A JSON array of which the first `N` elements are kept and the rest
/// skipped unbuilt (serde's `IgnoredAny`), counted in `dropped`; `null`
/// reads as empty.
#[derive(Debug)]
pub struct Limited<T, const N: usize> {
    pub items: Vec<T>,
    pub dropped: usize,
}

impl<T, const N: usize> Default for Limited<T, N> {
    fn default() -> Self {
        Self { items: Vec::new(), dropped: 0 }
    }
}

impl<'de, T: serde::Deserialize<'de>, const N: usize> serde::Deserialize<'de> for Limited<T, N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seq<T, const N: usize>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>, const N: usize> Visitor<'de> for Seq<T, N> {
            type Value = Limited<T, N>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Limited::default())
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Limited::default();
                while out.items.len() < N {
                    match seq.next_element()? {
                        Some(x) => out.items.push(x),
                        None => return Ok(out),
                    }
                }
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    out.dropped += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_any(Seq::<T, N>(std::marker::PhantomData))
    }
}

/// What a parse lost: `over_limit` alerts past `limit`, and the kept
/// `alerts` with a label, annotation or URL cut.
pub fn alerts_cut(alerts: &[Alert], over_limit: usize, limit: usize) -> AlertsCut {
    let cut = |a: &Alert| {
        a.labels.iter().chain(a.annotations.iter()).any(|(k, v)| was_cut(k) || was_cut(v))
            || a.generator_url.as_deref().is_some_and(was_cut)
    };
    AlertsCut { over_limit, limit, text_cut: alerts.iter().filter(|a| cut(a)).count() }
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

    #[test]
    fn limited_keeps_the_first_n_and_counts_the_rest() {
        let l: Limited<Wire, 3> = serde_json::from_str(
            r#"[{"labels":{"a":"1"}},{"labels":{"a":"2"}},{"labels":{"a":"3"}},{"labels":{"a":"4"}},{"bad":[1,{"x":null}]}]"#,
        )
        .unwrap();
        assert_eq!((l.items.len(), l.dropped), (3, 2));
        assert_eq!(l.items[2].labels["a"], "3");
        let l: Limited<Wire, 3> = serde_json::from_str(r#"[{"labels":{"a":"1"}}]"#).unwrap();
        assert_eq!((l.items.len(), l.dropped), (1, 0));
        let l: Limited<Wire, 3> = serde_json::from_str("null").unwrap();
        assert_eq!((l.items.len(), l.dropped), (0, 0));
        // What is skipped must still be JSON.
        assert!(serde_json::from_str::<Limited<Wire, 1>>(r#"[{}, {"a": ]"#).is_err());
    }
}
