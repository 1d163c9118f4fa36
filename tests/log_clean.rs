//! The log writer: whatever a call site logs from a remote string, no
//! escape sequence reaches warroom.log (`tail -f` would run it).

use std::io::Write;

use warroom::logging::Clean;

#[test]
fn escape_sequences_never_reach_the_log_file() {
    let mut out = Clean(Vec::new(), warroom::text::clean_multiline);
    let line = "WARN no runbook alertname=Evil\u{1b}]52;c;UFdO\u{07}\u{1b}]0;title\u{07}\u{9b}2J x\n2nd line\n";
    out.write_all(line.as_bytes()).expect("write");
    let text = String::from_utf8(out.0).expect("utf-8");
    assert!(!text.contains(|c: char| c.is_control() && c != '\n'), "{text:?}");
    assert!(!text.contains("UFdO") && !text.contains("title"), "{text:?}");
    assert!(text.starts_with("WARN no runbook alertname=Evil") && text.ends_with(" x\n2nd line\n"), "{text:?}");
}
