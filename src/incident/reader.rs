//! Parsing journal bytes into records, tolerating damage.
//!
//! A journal is only ever appended to, so damage can only be a torn last line
//! (a crash or power loss mid-write, a full disk) or a line from a newer
//! format. Neither may stop an on-call engineer from opening the incident:
//! bad lines are skipped with a warning, good lines around them are kept.

use serde::Deserialize;

use super::record::{FORMAT_VERSION, Record};
pub use crate::model::record::{ReadOutcome, Warning};

/// A parse of a chunk of journal bytes.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub outcome: ReadOutcome,
    /// How many complete lines were consumed (to number the next chunk's
    /// lines: a torn tail is completed by the next writer's `\n`).
    pub lines: usize,
}

/// Parses `bytes`, the journal from some line boundary to its end.
/// `first_line` is the 1-based number of the first line in `bytes`.
/// Everything is consumed: a last line without `\n` is torn (writers hold an
/// exclusive lock for the whole line, so a reader never sees one in
/// progress) and is skipped with a warning.
pub(crate) fn parse(bytes: &[u8], first_line: usize) -> Parsed {
    let mut parsed = Parsed::default();
    let mut rest = bytes;
    let mut line_no = first_line;
    while !rest.is_empty() {
        let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = &rest[..i];
                rest = &rest[i + 1..];
                (line, true)
            }
            None => {
                let line = rest;
                rest = &[];
                (line, false)
            }
        };
        if !complete {
            if !line.iter().all(u8::is_ascii_whitespace) {
                parsed.outcome.warnings.push(Warning {
                    line: line_no,
                    message: format!("incomplete last line ({} bytes, an interrupted write), skipped", line.len()),
                });
            }
        } else {
            parse_line(line, line_no, &mut parsed.outcome);
            parsed.lines += 1;
            line_no += 1;
        }
    }
    parsed
}

/// Just the version, to explain why a line from a newer build is skipped.
#[derive(Deserialize)]
struct Version {
    v: u32,
}

fn parse_line(line: &[u8], line_no: usize, out: &mut ReadOutcome) {
    if line.iter().all(u8::is_ascii_whitespace) {
        // A torn line followed by the `\n` the next writer added leaves an
        // empty line when the torn part was read earlier: nothing to say.
        return;
    }
    match serde_json::from_slice::<Record>(line) {
        Ok(rec) if rec.v <= FORMAT_VERSION => out.records.push(with_line_id(rec, line_no, line)),
        Ok(rec) => out.warnings.push(newer(line_no, rec.v)),
        Err(err) => {
            // One invalid byte inside a note must not drop the note: decode
            // lossily (U+FFFD marks the damage) and keep it, with a warning.
            if std::str::from_utf8(line).is_err()
                && let Ok(rec) = serde_json::from_str::<Record>(&String::from_utf8_lossy(line))
                && rec.v <= FORMAT_VERSION
            {
                out.records.push(with_line_id(rec, line_no, line));
                out.warnings.push(Warning {
                    line: line_no,
                    message: "invalid bytes (not UTF-8) shown as \u{fffd}; the record is kept".to_string(),
                });
                return;
            }
            let warning = match serde_json::from_slice::<Version>(line) {
                Ok(Version { v }) if v > FORMAT_VERSION => newer(line_no, v),
                _ => Warning { line: line_no, message: format!("damaged record skipped ({err})") },
            };
            out.warnings.push(warning);
        }
    }
}

/// A line without an id (v1, or written by hand) gets one from its line
/// number and bytes: the same at every read of the append-only journal.
fn with_line_id(mut rec: Record, line_no: usize, line: &[u8]) -> Record {
    if rec.id.is_empty() {
        rec.id = super::merge::content_id(line_no, line);
    }
    rec
}

fn newer(line: usize, v: u32) -> Warning {
    Warning { line, message: format!("record in format v{v}, newer than this warroom (v{FORMAT_VERSION}), skipped") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str =
        r#"{"v":1,"at":"2026-11-22T10:00:00Z","author":"a","event":{"kind":"status","status":"mitigated"}}"#;

    #[test]
    fn torn_last_line_is_skipped_with_a_warning() {
        let text = format!("{GOOD}\n{GOOD}\n{{\"v\":1,\"at\":\"2026");
        let p = parse(text.as_bytes(), 1);
        assert_eq!(p.outcome.records.len(), 2);
        assert_eq!(p.outcome.warnings.len(), 1);
        assert_eq!(p.outcome.warnings[0].line, 3);
        assert!(p.outcome.warnings[0].message.contains("incomplete"));
        assert_eq!(p.lines, 2);
    }

    #[test]
    fn damaged_and_newer_lines_are_skipped_and_the_rest_kept() {
        let newer = r#"{"v":7,"at":"2026-11-22T10:00:00Z","author":"a","event":{"kind":"hologram"}}"#;
        let text = format!("{GOOD}\n{newer}\nnot json\n\n{GOOD}\n");
        let p = parse(text.as_bytes(), 10);
        assert_eq!(p.outcome.records.len(), 2);
        let lines: Vec<usize> = p.outcome.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![11, 12]);
        assert!(p.outcome.warnings[0].message.contains("v7"));
    }

    #[test]
    fn v1_lines_get_stable_ids_in_line_order_and_v2_ids_are_kept() {
        let v2 = r#"{"v":2,"id":"01JDX3ZC8Q4M5T0V6B7N8P9R2S@bastion","at":"2026-11-22T10:00:00Z","author":"a","host":"bastion","event":{"kind":"status","status":"resolved"}}"#;
        let text = format!("{GOOD}\n{GOOD}\n{v2}\n");
        let p = parse(text.as_bytes(), 1);
        assert!(p.outcome.warnings.is_empty(), "{:?}", p.outcome.warnings);
        let ids: Vec<&str> = p.outcome.records.iter().map(|r| r.id.as_str()).collect();
        assert!(ids[0].starts_with("v1-0000001-") && ids[1].starts_with("v1-0000002-"), "{ids:?}");
        assert!(ids[0] < ids[1]);
        assert_eq!(ids[2], "01JDX3ZC8Q4M5T0V6B7N8P9R2S@bastion");
        assert_eq!(p.outcome.records[2].host, "bastion");
        assert_eq!(p.outcome.records[0].host, "");
        assert_eq!(parse(text.as_bytes(), 1).outcome, p.outcome, "the same ids at every read");
    }

    #[test]
    fn a_record_with_invalid_bytes_is_kept_marked() {
        let mut line =
            br#"{"v":1,"at":"2026-11-22T10:00:00Z","author":"a","event":{"kind":"note","id":"a.1","text":"pool "#
                .to_vec();
        line.extend_from_slice(b"\xff\xfe drained\"}}\n");
        let p = parse(&line, 4);
        assert_eq!(p.outcome.records.len(), 1, "{:?}", p.outcome.warnings);
        match &p.outcome.records[0].event {
            crate::incident::Event::Note { text, .. } => assert_eq!(text, "pool \u{fffd}\u{fffd} drained"),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.outcome.warnings.len(), 1);
        assert_eq!(p.outcome.warnings[0].line, 4);
        assert!(p.outcome.warnings[0].message.contains("kept"));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let p = parse(&bytes, 1);
            prop_assert!(p.outcome.warnings.len() <= p.lines + 1);
        }

        #[test]
        fn truncations_keep_every_complete_line(n in 1usize..6, cut in 0usize..700) {
            let full = format!("{GOOD}\n").repeat(n);
            let cut = cut.min(full.len());
            let p = parse(&full.as_bytes()[..cut], 1);
            let complete = full[..cut].matches('\n').count();
            prop_assert_eq!(p.outcome.records.len(), complete);
            prop_assert!(p.outcome.warnings.len() <= 1);
        }
    }
}
