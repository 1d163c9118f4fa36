//! Copy to the local clipboard through the terminal (OSC 52), which works
//! across SSH and tmux (with `set-clipboard on`) where no clipboard API does.

use base64::Engine;

/// The escape sequence that asks the terminal to put `text` in the system
/// clipboard. The payload is base64, so nothing in `text` can escape the
/// sequence. Terminated by ST (`ESC \`), which every OSC 52 terminal accepts.
pub fn osc52(text: &str) -> String {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{payload}\x1b\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_payload_as_base64() {
        assert_eq!(osc52("hello"), "\x1b]52;c;aGVsbG8=\x1b\\");
        let seq = osc52("rate(x[5m])\n\x1b]0;evil\x07");
        let body = &seq[7..seq.len() - 2];
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));
        assert_eq!(osc52(""), "\x1b]52;c;\x1b\\");
    }
}
