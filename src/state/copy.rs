//! `y`: the selected alert (name, labels, summary, runbook link) or log line
//! to the local clipboard through OSC 52, which terminals honour across SSH.
//! The text is sanitized (remote strings must not smuggle escapes into the
//! sequence) and capped (terminals drop or truncate long OSC 52 payloads).

use super::{Pane, State};
use crate::model::{Alert, mask_userinfo};
use crate::msg::Cmd;
use crate::text::clean;

/// Bytes copied at most, before base64: xterm's default limit is well above,
/// tmux's and some terminals' are not.
pub const MAX_BYTES: usize = 8 * 1024;

/// `y` on the board (or the detail), or in the logs pane.
pub fn copy(state: &mut State) -> Vec<Cmd> {
    let text = if state.view.focus == Pane::Logs {
        match state.logs.view.selected_line() {
            Some(l) => clean(&l.line).into_owned(),
            None => {
                state.flash_error("no log line selected");
                return Vec::new();
            }
        }
    } else {
        match state.alerts.selected() {
            Some(b) => alert_text(&b.alert),
            None => {
                state.flash_error("no alert selected");
                return Vec::new();
            }
        }
    };
    let text = cap(text, MAX_BYTES);
    state.flash_info(format!("copied {} bytes", text.len()));
    vec![Cmd::Clipboard(text)]
}

/// What an engineer pastes into a chat: name, labels, summary, runbook.
pub fn alert_text(a: &Alert) -> String {
    let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{}=\"{}\"", clean(k), clean(v))).collect();
    let mut out = vec![clean(a.name()).into_owned(), format!("{{{}}}", labels.join(", "))];
    if let Some(s) = a.annotations.get("summary") {
        out.push(clean(&mask_userinfo(s)).into_owned());
    }
    if let Some(url) = a.runbook_url() {
        out.push(format!("runbook: {}", clean(&mask_userinfo(url))));
    }
    out.join("\n")
}

/// `text` cut to at most `max` bytes on a character boundary.
pub fn cap(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut at = max;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
    }
    text
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::msg::{Msg, Payload, SourceId, SourceKind};
    use crate::runbook::clipboard::osc52;
    use crate::state::tests::{alert, poll, state};
    use crate::state::update;

    fn decoded(seq: &str) -> String {
        let body = seq.strip_prefix("\x1b]52;c;").and_then(|s| s.strip_suffix("\x1b\\")).expect("OSC 52 framing");
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)), "base64 only inside");
        let bytes = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
        String::from_utf8(bytes).expect("utf-8")
    }

    #[test]
    fn y_copies_the_selected_alert_cleaned_through_osc52() {
        let mut s = state();
        let mut a = alert("DiskFull\u{1b}]0;pwned\u{7}", "critical", &[("service", "db\u{9b}31m")], 3, "am0");
        a.annotations.insert("summary".into(), "disk at 99%\u{1b}[2J".into());
        a.annotations.insert("runbook_url".into(), "https://runbooks.example/disk".into());
        let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
        update(&mut s, poll(am, Ok(Payload::AmAlerts(crate::model::share(vec![a])))));
        let cmds = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)));
        let [Cmd::Clipboard(text)] = cmds.as_slice() else { panic!("{cmds:?}") };
        let back = decoded(&osc52(text));
        assert_eq!(&back, text);
        assert!(back.chars().all(|c| c == '\n' || !c.is_control()), "no control characters: {back:?}");
        assert!(back.starts_with("DiskFull"), "{back}");
        assert!(back.contains("service=\"db"), "{back}");
        assert!(back.contains("disk at 99%") && back.ends_with("runbook: https://runbooks.example/disk"), "{back}");
        let flash = format!("copied {} bytes", text.len());
        assert_eq!(s.view.flash.as_ref().map(|f| f.text.as_str()), Some(flash.as_str()));
    }

    /// Issue 15 item 19: credentials in a `runbook_url` went out with `y`.
    #[test]
    fn y_masks_credentials_in_urls() {
        let mut a = alert("RB_19", "critical", &[], 3, "am0");
        a.annotations.insert("runbook_url".into(), "http://ops:hunter2@wiki.internal/rb_19".into());
        let text = alert_text(&a);
        assert!(text.ends_with("runbook: http://***@wiki.internal/rb_19"), "{text}");
        assert!(!text.contains("hunter2") && !text.contains("ops:"), "{text}");
    }

    #[test]
    fn long_text_is_capped_on_a_char_boundary() {
        let text = cap("é".repeat(MAX_BYTES), MAX_BYTES + 1);
        assert_eq!(text.len(), MAX_BYTES);
        assert_eq!(cap("abc".into(), 2), "ab");
        assert_eq!(decoded(&osc52(&cap("x".repeat(100_000), MAX_BYTES))).len(), MAX_BYTES);
    }

    #[test]
    fn nothing_selected_says_so() {
        let mut s = state();
        let cmds = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)));
        assert!(cmds.is_empty());
        assert_eq!(s.view.flash.as_ref().map(|f| f.text.as_str()), Some("no alert selected"));
    }
}
