//! How Loki (Go) prints the values that end up in its error messages:
//! label sets (`{app="warroom", incident="x"}`, values quoted by
//! `strconv.Quote`), RFC 3339 times and `time.Time.String()`. The simulator
//! runs as a Loki in UTC would, so every time is printed in UTC.

use chrono::{DateTime, SecondsFormat, Utc};

use super::spec::Labels;

/// Go's `strconv.Quote`: double quotes, `\"` and `\\`, the C escapes for
/// control characters, `\xNN` for other ASCII controls and `\uNNNN` for
/// non-printable runes. Printable runes are kept as they are. (Go's notion
/// of "printable" is Unicode's L, M, N, P, S and the ASCII space; here
/// controls and non-ASCII white space stand for the non-printable ones.)
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A label set as Loki prints it (`labels.Labels.String()`): sorted by
/// name, `name="value"` joined by `, `, in braces.
pub(crate) fn labels_string(l: &Labels) -> String {
    let pairs: Vec<String> = l.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect();
    format!("{{{}}}", pairs.join(", "))
}

fn utc(ns: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(ns)
}

/// `t.Format(time.RFC3339)`: whole seconds, `Z`.
pub(crate) fn rfc3339(ns: i64) -> String {
    utc(ns).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `t.String()` of a `time.Unix(0, ns)`: `2026-11-22 13:03:23.4 +0000 UTC`,
/// the fraction without trailing zeros, none when whole.
pub(crate) fn go_time_string(ns: i64) -> String {
    let t = utc(ns);
    let frac = ns.rem_euclid(1_000_000_000);
    let frac = if frac == 0 { String::new() } else { format!(".{frac:09}").trim_end_matches('0').to_string() };
    format!("{}{frac} +0000 UTC", t.format("%Y-%m-%d %H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_label_sets_as_go_prints_them() {
        assert_eq!(go_quote("plain"), "\"plain\"");
        assert_eq!(go_quote("a\"b\\c\nd\u{1}\u{7f}é"), "\"a\\\"b\\\\c\\nd\\x01\\x7fé\"");
        assert_eq!(go_quote("\u{85}\u{a0}"), "\"\\u0085\\u00a0\"");
        let l: Labels =
            [("incident", "db"), ("app", "warroom")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(labels_string(&l), "{app=\"warroom\", incident=\"db\"}");
        assert_eq!(labels_string(&Labels::new()), "{}");
    }

    #[test]
    fn times_as_go_prints_them() {
        let ns = 1_796_155_868_307_000_000;
        assert_eq!(rfc3339(ns), "2026-12-01T20:11:08Z");
        assert_eq!(go_time_string(ns), "2026-12-01 20:11:08.307 +0000 UTC");
        assert_eq!(go_time_string(1_796_155_868_000_000_000), "2026-12-01 20:11:08 +0000 UTC");
        assert_eq!(go_time_string(1), "1970-01-01 00:00:00.000000001 +0000 UTC");
    }
}
