//! The one sanitizer every remote string goes through before it reaches the
//! screen or a file.
//!
//! Alert labels, annotations, log lines and runbooks come from systems an
//! attacker may write to (a log line is whatever a client sent). A terminal
//! treats escape sequences as commands: OSC 52 writes the clipboard, OSC 0
//! sets the window title, CSI moves the cursor or clears the screen. So every
//! escape sequence is removed whole (not just its ESC byte, which would leave
//! `]0;title` garbage), along with C0 and C1 controls, DEL, and the Unicode
//! bidi overrides that make text read differently from what it is. Invisible
//! characters whose width terminals disagree on (zero-width joiners, variation
//! selectors…) go too: tmux draws `❤\u{fe0f}` one column wide where
//! unicode-width says two, and every cell after it on the row shifts.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// 8-bit String Terminator.
const ST8: char = '\u{9c}';

/// How many spaces a tab becomes.
const TAB_WIDTH: usize = 4;

/// Cleans a string for a single-line display: escape sequences and control
/// characters removed, newlines and tabs turned into spaces.
pub fn clean(s: &str) -> Cow<'_, str> {
    if is_clean_line(s) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(sanitize(s, false))
}

/// Cleans a string that may span lines: keeps `\n`, drops `\r`, expands tabs,
/// removes everything else that is not printable.
pub fn clean_multiline(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| c == '\n' || !is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(sanitize(s, true))
}

/// Cleans bytes that may not be UTF-8 (a log line, an HTTP body): invalid
/// sequences become U+FFFD, then [`clean`] applies.
pub fn clean_bytes(bytes: &[u8]) -> String {
    clean(&String::from_utf8_lossy(bytes)).into_owned()
}

/// Like [`clean`], then cut to at most `max_width` terminal columns with a `…`
/// marker when something was cut.
pub fn clean_truncated(s: &str, max_width: usize) -> String {
    truncate_width(&clean(s), max_width)
}

/// Cuts `s` (already clean) to at most `max_width` columns, ending with `…`
/// when it was cut. Wide characters are never split.
pub fn truncate_width(s: &str, max_width: usize) -> String {
    if s.width() <= max_width {
        return s.to_string();
    }
    if max_width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > max_width - 1 {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

fn is_clean_line(s: &str) -> bool {
    !s.chars().any(is_unsafe)
}

/// Characters that never reach the terminal as they are.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_width_ambiguous(c)
}

/// Invisible characters that change how wide their neighbours are drawn, by
/// rules each terminal applies differently: zero-width space, joiners and
/// word joiner, soft hyphen, BOM, variation selectors, emoji skin-tone
/// modifiers, and tag characters (which also smuggle invisible text). Without
/// them every terminal agrees with unicode-width, so rows line up.
fn is_width_ambiguous(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
        | '\u{fe00}'..='\u{fe0f}' | '\u{1f3fb}'..='\u{1f3ff}' | '\u{e0000}'..='\u{e007f}')
}

/// Bidirectional overrides and isolates (the "Trojan Source" characters).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn sanitize(s: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            // 8-bit CSI: parameters then a final byte.
            '\u{9b}' => skip_csi(&mut chars),
            // 8-bit OSC, DCS, SOS, PM, APC: a string up to a terminator.
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' if multiline => out.push('\n'),
            '\n' => out.push(' '),
            '\t' => out.extend(std::iter::repeat_n(' ', TAB_WIDTH)),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC: a CSI, a string command, or a two- or
/// three-character sequence. Another ESC is never consumed here: as in a
/// terminal, it cancels this sequence and starts the next one, which the
/// caller's loop then removes whole (`ESC ESC ]0;title BEL` would otherwise
/// leave `]0;title` on screen).
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next_if(|c| *c != ESC) {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // nF sequences: intermediates (0x20..=0x2F) then one final byte.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
            chars.next_if(|c| *c != ESC);
        }
        // Any other single character completes the sequence (ESC c, ESC 7…).
        _ => {}
    }
}

/// CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final
/// byte 0x40–0x7E. Stops early on anything else so text is not swallowed.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars.next_if(|c| ('\u{30}'..='\u{3f}').contains(c)).is_some() {}
    while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

/// OSC/DCS/SOS/PM/APC payload, ended by BEL, ESC \, or 8-bit ST. An ESC
/// not followed by `\` ends it too and is left to start the next sequence.
/// An unterminated string swallows the rest: a terminal would too.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        match c {
            BEL | ST8 => {
                chars.next();
                return;
            }
            ESC => {
                let mut ahead = chars.clone();
                ahead.next();
                if ahead.next() == Some('\\') {
                    chars.next();
                    chars.next();
                }
                return;
            }
            _ => {
                chars.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(clean("HighErrorRate api"), Cow::Borrowed(_)));
    }

    #[test]
    fn removes_whole_sequences() {
        assert_eq!(clean("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(clean("x\x1b]0;pwned\x07y"), "xy");
        assert_eq!(clean("x\x1b]52;c;aGVsbG8=\x1b\\y"), "xy");
        assert_eq!(clean("\x1b[2J\x1b[Hclear"), "clear");
        assert_eq!(clean("a\u{9b}31mb"), "ab");
        assert_eq!(clean("a\u{9d}0;t\u{9c}b"), "ab");
        assert_eq!(clean("a\x1bPq#0;2;0;0;0\x1b\\b"), "ab");
        assert_eq!(clean("a\x1b(Bb"), "ab");
        assert_eq!(clean("a\x1bcb"), "ab");
        // An ESC inside a sequence starts the next one, as in a terminal.
        assert_eq!(clean("a\x1b\x1b]0;title\x07b"), "ab");
        assert_eq!(clean("a\x1b]0;x\x1b]2;title\x07b"), "ab");
        assert_eq!(clean("a\x1b[\x1b]52;c;Zm9v\x07b"), "ab");
        assert_eq!(clean("a\x1b(\x1b[31mb"), "ab");
    }

    #[test]
    fn controls_and_bidi_removed() {
        assert_eq!(clean("a\x00b\x7fc\x08d\re"), "abcde");
        assert_eq!(clean("user\u{202e}gnp.exe"), "usergnp.exe");
        assert_eq!(clean("a\nb\tc"), "a b    c");
        assert_eq!(clean("❤\u{fe0f} 👍\u{1f3fd} 👨\u{200d}👩 a\u{200b}b\u{ad}c"), "❤ 👍 👨👩 abc");
        assert_eq!(clean_multiline("a\r\nb\x1b[1m"), "a\nb");
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        assert_eq!(clean_bytes(b"ok \xff\x1b[31m!"), "ok \u{fffd}!");
    }

    #[test]
    fn truncation_respects_width() {
        assert_eq!(truncate_width("abcdef", 4), "abc…");
        assert_eq!(truncate_width("abc", 4), "abc");
        assert_eq!(truncate_width("日本語です", 5), "日本…");
        assert_eq!(truncate_width("abc", 0), "");
    }

    proptest! {
        #[test]
        fn output_never_has_controls(s in any::<String>()) {
            let out = clean(&s);
            prop_assert!(!out.chars().any(|c| c.is_control() || is_bidi_control(c)));
            let multi = clean_multiline(&s);
            prop_assert!(!multi.chars().any(|c| (c.is_control() && c != '\n') || is_bidi_control(c)));
        }

        #[test]
        fn bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..256)) {
            let out = clean_bytes(&b);
            prop_assert!(!out.chars().any(char::is_control));
        }

        #[test]
        fn truncate_fits(s in "\\PC{0,40}", w in 0usize..30) {
            prop_assert!(truncate_width(&s, w).width() <= w);
        }
    }
}
