//! The one sanitizer every remote string goes through before it reaches the
//! screen or a file, and the one measure of how wide text is drawn.
//!
//! Alert labels, annotations, log lines and runbooks come from systems an
//! attacker may write to (a log line is whatever a client sent). A terminal
//! treats escape sequences as commands: OSC 52 writes the clipboard, OSC 0
//! sets the window title, CSI moves the cursor or clears the screen. So every
//! escape sequence is removed whole (not just its ESC byte, which would leave
//! `]0;title` garbage), along with C0 and C1 controls, DEL, and the Unicode
//! bidi overrides that make text read differently from what it is.
//!
//! # Clean text: the contract
//!
//! What [`clean`], [`clean_multiline`] and [`clean_bytes`] return is *clean*
//! ([`is_clean`] says whether a string is), and only clean text goes to the
//! screen. Clean text holds
//!
//! - no control character (but `\n` from [`clean_multiline`]), no format
//!   character (Unicode `Cf`: zero-width space and joiners, soft hyphen, bidi
//!   controls, BOM, interlinear annotations U+FFF9–FFFB, tag characters…), no
//!   line or paragraph separator (U+2028/2029), no noncharacter (U+FFFE,
//!   U+FFFF, U+FDD0–FDEF…), no other default-ignorable character (variation
//!   selectors, U+E0100–E01EF included, Hangul fillers such as U+115F,
//!   combining grapheme joiner) and no emoji skin-tone modifier: terminals
//!   draw these in 0, 1 or 2 columns where ratatui counts another number, so
//!   a row holding one shifts and leaves cells of an earlier frame behind.
//!   tmux 3.3 draws `❤ VS16` and `* VS16` in one column where ratatui counts
//!   two, `👍 U+1F3FD` in four where ratatui counts two, U+FFF9, U+2028 and
//!   U+FFFF in none where ratatui counts one. Emoji sequences therefore come
//!   out as their parts (`👨‍👩` as `👨👩`), each as wide everywhere;
//! - no grapheme cluster (what ratatui puts in one cell) without width, none
//!   of more than [`MAX_CLUSTER_CHARS`] code points (5 000 combining accents
//!   on one letter would otherwise be one 10 KB cell), and none whose width
//!   for ratatui differs from the sum of its code points' widths (what tmux,
//!   xterm and VTE draw): ratatui's halfwidth (han)dakuten rule counts
//!   `ｶﾞ` three columns, so U+FF9E/FF9F become their combining forms.
//!
//! [`width`], [`truncate_width`] and [`pad_width`] measure by grapheme
//! cluster with ratatui's own [`CellWidth`], so on *any* string what they say
//! fits does fit ratatui's buffer; on clean text the terminal agrees.
//! Layout code measures with [`width`], never `str::width` or `chars()`.
//! (`unicode-width`'s `str::width` differs from the cells ratatui fills:
//! Arabic lam + alef are two clusters ratatui draws in two cells, which
//! `str::width` counts as one ligature.)

pub mod sparkline;

use std::borrow::Cow;

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// 8-bit String Terminator.
const ST8: char = '\u{9c}';

/// How many spaces a tab becomes.
const TAB_WIDTH: usize = 4;

/// The most code points a grapheme cluster of clean text holds: a base and
/// its marks (Vietnamese stacks 2 accents, pointed Hebrew 4, a Devanagari
/// conjunct of four consonants 7). The rest of a longer cluster is dropped.
pub const MAX_CLUSTER_CHARS: usize = 12;

/// Passes of the cluster repair before the last resort (see [`sanitize`]).
const MAX_REPAIR_PASSES: usize = 4;

/// Cleans a string for a single-line display: escape sequences and control
/// characters removed, newlines and tabs turned into spaces, and every
/// character and cluster the [module contract](self) excludes removed.
pub fn clean(s: &str) -> Cow<'_, str> {
    if is_clean_text(s, false) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(sanitize(s, false))
}

/// Cleans a string that may span lines: keeps `\n`, drops `\r`, expands tabs,
/// removes everything else that is not printable.
pub fn clean_multiline(s: &str) -> Cow<'_, str> {
    if is_clean_text(s, true) {
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

/// Whether `s` is clean single-line text: [`clean`] returns it unchanged.
pub fn is_clean(s: &str) -> bool {
    is_clean_text(s, false)
}

/// How many columns ratatui's buffer gives one grapheme cluster: its own
/// [`CellWidth`], and 0 for a cluster it skips (one holding a control
/// character).
pub fn cluster_width(g: &str) -> usize {
    if g.contains(char::is_control) { 0 } else { usize::from(g.cell_width()) }
}

/// How many columns `s` takes when ratatui draws it as one span: the sum of
/// its grapheme clusters' widths. Defined for any string; on clean text it
/// is also what the terminal draws.
pub fn width(s: &str) -> usize {
    if s.is_ascii() {
        return s.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    s.graphemes(true).map(cluster_width).sum()
}

/// A source's error in a few words for the status bar ("down: connection
/// refused"): its message cut at 60 columns.
pub fn brief(error: &impl std::fmt::Display) -> String {
    truncate_width(&error.to_string(), 60)
}

/// Cuts `s` to at most `max_width` columns (as [`width`] counts them),
/// ending with `…` when it was cut. Cuts between grapheme clusters only, so
/// a wide character, an accent or a flag is never split. Meant for clean
/// text; on any other string the result still fits.
pub fn truncate_width(s: &str, max_width: usize) -> String {
    if width(s) <= max_width {
        return s.to_string();
    }
    if max_width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = cluster_width(g);
        if used + w > max_width - 1 {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push('…');
    out
}

/// `s` followed by spaces up to `columns` columns (nothing is cut): what
/// `format!("{s:<columns$}")` does for ASCII, by display width.
pub fn pad_width(s: &str, columns: usize) -> String {
    let pad = columns.saturating_sub(width(s));
    let mut out = String::with_capacity(s.len() + pad);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// [`truncate_width`] then [`pad_width`]: exactly `columns` columns.
pub fn fit_width(s: &str, columns: usize) -> String {
    pad_width(&truncate_width(s, columns), columns)
}

fn is_clean_text(s: &str, multiline: bool) -> bool {
    if s.is_ascii() {
        // ASCII clusters are single characters one column wide.
        return s.bytes().all(|b| !b.is_ascii_control() || (multiline && b == b'\n'));
    }
    s.chars().all(|c| !is_unsafe(c) || (multiline && c == '\n')) && clusters_ok(s)
}

fn clusters_ok(s: &str) -> bool {
    s.graphemes(true).all(|g| g == "\n" || cluster_ok(g))
}

/// Within the limit, drawn at all, and as wide for ratatui as for a terminal
/// that adds up code points.
fn cluster_ok(g: &str) -> bool {
    let w = cluster_width(g);
    w > 0 && g.chars().nth(MAX_CLUSTER_CHARS).is_none() && w == code_point_width(g)
}

/// The width a terminal that measures code point by code point draws.
fn code_point_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Characters that never reach the terminal as they are.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_format(c) || matches!(c, '\u{2028}' | '\u{2029}') || is_noncharacter(c) || is_invisible(c)
}

/// Unicode general category `Cf` (format characters), Unicode 17. Holds the
/// zero-width space, joiners, soft hyphen, BOM, bidi controls, Arabic
/// number signs, interlinear annotation controls and tag characters.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{890}'..='\u{891}' | '\u{8e2}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}')
}

/// The 66 noncharacters: U+FDD0–FDEF and the last two code points of every
/// plane (U+FFFE, U+FFFF, U+1FFFE…).
fn is_noncharacter(c: char) -> bool {
    ('\u{fdd0}'..='\u{fdef}').contains(&c) || (c as u32) & 0xfffe == 0xfffe
}

/// Default-ignorable characters that are not `Cf` (combining grapheme
/// joiner, Hangul fillers, Khmer inherent vowels, Mongolian and standard
/// variation selectors, the U+E0000 block) and the emoji skin-tone
/// modifiers, which terminals either join to the emoji before or draw on
/// their own.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{34f}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}' | '\u{2065}'
        | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{ffa0}' | '\u{fff0}'..='\u{fff8}' | '\u{1f3fb}'..='\u{1f3ff}'
        | '\u{e0000}'..='\u{e0fff}')
}

/// Bidirectional overrides and isolates (the "Trojan Source" characters).
#[cfg(test)]
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Characters out (keeping `\n` for now), then clusters repaired until they
/// all hold the contract. Removing a character can join its neighbours into
/// one cluster (a Hangul syllable, a conjunct), hence the passes; a string
/// built so that every repair makes a new bad cluster keeps only its
/// printable ASCII. A single line turns `\n` into a space last, so that
/// `clean(clean_multiline(s)) == clean(s)`.
fn sanitize(s: &str, multiline: bool) -> String {
    let mut out = repair(strip(s));
    if !multiline && out.contains('\n') {
        out = repair(out.replace('\n', " "));
    }
    out
}

fn repair(mut s: String) -> String {
    for _ in 0..MAX_REPAIR_PASSES {
        if clusters_ok(&s) {
            return s;
        }
        s = repair_clusters(&s);
    }
    if clusters_ok(&s) {
        return s;
    }
    s.chars().filter(|c| c.is_ascii() && (!c.is_ascii_control() || *c == '\n')).collect()
}

fn repair_clusters(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for g in s.graphemes(true) {
        if g == "\n" || cluster_ok(g) {
            out.push_str(g);
            continue;
        }
        // Keep the first code points, each only if ratatui and the
        // terminal still agree on the width with it.
        let mut kept = String::new();
        for c in g.chars().take(MAX_CLUSTER_CHARS) {
            let c = match c {
                '\u{ff9e}' => '\u{3099}',
                '\u{ff9f}' => '\u{309a}',
                c => c,
            };
            kept.push(c);
            if width(&kept) != code_point_width(&kept) {
                kept.pop();
            }
        }
        if width(&kept) > 0 {
            out.push_str(&kept);
        }
    }
    out
}

fn strip(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => skip_escape(&mut chars),
            // 8-bit CSI: parameters then a final byte.
            '\u{9b}' => skip_csi(&mut chars),
            // 8-bit OSC, DCS, SOS, PM, APC: a string up to a terminator.
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            // Line and paragraph separators break lines as `\n` does.
            '\n' | '\u{2028}' | '\u{2029}' => out.push('\n'),
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
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    /// Pieces of hostile and merely unusual text: emoji with VS15/VS16,
    /// ZWJ sequences, flags, skin tones, keycaps, Hangul jamo and fillers,
    /// combining marks, Devanagari conjuncts, Arabic lam-alef, halfwidth
    /// kana with (han)dakuten, CJK, tabs and newlines, and the characters
    /// that desynchronised ratatui and the terminal.
    pub(crate) const TRICKY: &[&str] = &[
        "❤\u{fe0f}",
        "❤\u{fe0e}",
        "*\u{fe0f}",
        "1\u{fe0f}\u{20e3}",
        "\u{263a}\u{fe0f}",
        "👨\u{200d}👩\u{200d}👧",
        "🏳\u{fe0f}\u{200d}🌈",
        "🇫🇷",
        "🇩",
        "👍🏽",
        "\u{1f3fb}",
        "🌀",
        "🫩",
        "\u{1100}",
        "\u{1161}",
        "\u{11a8}",
        "\u{1100}\u{1161}\u{11a8}",
        "각",
        "\u{115f}",
        "\u{1160}",
        "\u{3164}",
        "\u{ffa0}",
        "e\u{301}",
        "\u{301}\u{302}\u{303}",
        "\u{20dd}",
        "\u{94d}",
        "क",
        "\u{94d}ष",
        "ा",
        "\u{644}\u{627}",
        "ｶ",
        "\u{ff9e}",
        "\u{ff9f}",
        "日本",
        "語",
        "\t",
        "\n",
        "\r\n",
        " ",
        "a",
        "\u{fff9}",
        "\u{fffa}",
        "\u{fffb}",
        "\u{2028}",
        "\u{2029}",
        "\u{fffe}",
        "\u{ffff}",
        "\u{e0100}",
        "\u{e01ef}",
        "\u{180b}",
        "\u{34f}",
        "\u{200b}",
        "\u{200c}",
        "\u{200d}",
        "\u{ad}",
        "\u{600}",
        "\u{d4e}",
        "\u{1b}[31m",
        "\u{1b}]0;t\u{7}",
        "\u{9b}",
        "\u{85}",
        "\u{0}",
        "\u{202e}",
        "\u{e0041}",
        "\u{fdd0}",
        "\u{1fffe}",
        "\u{10ffff}",
        "\u{ff5e}",
        "\u{378}",
        "\u{e000}",
        "\u{fffd}",
        "ﷺ",
        "\u{a4f8}\u{a4fb}",
        "ก\u{e33}",
    ];

    /// Arbitrary Unicode, with the tricky pieces frequent enough to meet
    /// each other.
    pub(crate) fn unicode_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => prop::sample::select(TRICKY).prop_map(String::from),
            1 => any::<char>().prop_map(String::from),
            1 => "\\PC{1,3}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    /// How far ratatui's buffer advances drawing `s` in one span.
    fn drawn_width(s: &str) -> usize {
        let mut buf = Buffer::empty(Rect::new(0, 0, 1000, 1));
        let (x, _) = buf.set_stringn(0, 0, s, usize::MAX, ratatui::style::Style::new());
        usize::from(x)
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(clean("HighErrorRate api"), Cow::Borrowed(_)));
        assert!(matches!(clean("日本語 e\u{301} 🇫🇷 각"), Cow::Borrowed(_)));
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

    /// Issue 15 item 16: each of these reached the terminal and shifted a
    /// board row (ratatui counts one column, tmux none, or the reverse).
    #[test]
    fn format_separator_noncharacter_and_filler_characters_removed() {
        assert_eq!(clean("a\u{fff9}b\u{fffa}c\u{fffb}d"), "abcd");
        assert_eq!(clean("a\u{2028}b\u{2029}c"), "a b c", "separators are line breaks");
        assert_eq!(clean_multiline("a\u{2028}b\u{2029}c"), "a\nb\nc");
        assert_eq!(clean("a\u{fffe}b\u{ffff}c\u{fdd0}d\u{10ffff}"), "abcd");
        assert_eq!(clean("a\u{e0100}b\u{e01ef}c"), "abc");
        assert_eq!(clean("\u{115f}a\u{3164}b\u{ffa0}c\u{34f}d"), "abcd");
        assert_eq!(clean("\u{600}12 \u{6dd}3 \u{13430}x \u{1d173}y \u{e0001}z"), "12 3 x y z");
        for s in ["\u{fff9}", "\u{2028}", "\u{fffe}", "\u{ffff}", "\u{e0100}", "\u{115f}"] {
            assert!(!is_clean(s), "{s:?}");
            assert!(is_clean(&clean(s)));
        }
    }

    #[test]
    fn combining_marks_are_capped_per_cluster() {
        let zalgo = format!("e{}x", "\u{301}".repeat(5000));
        let out = clean(&zalgo);
        assert_eq!(out, format!("e{}x", "\u{301}".repeat(MAX_CLUSTER_CHARS - 1)));
        assert!(out.graphemes(true).all(|g| g.len() <= 4 * MAX_CLUSTER_CHARS));
        assert_eq!(width(&out), 2);
        // A zero-width space between the letter and the marks goes first,
        // then the marks join the letter and are capped.
        let hidden = format!("e\u{200b}{}", "\u{301}".repeat(100));
        assert_eq!(clean(&hidden).chars().count(), MAX_CLUSTER_CHARS);
        // Legitimate stacks stay: Vietnamese, Hangul jamo, a conjunct.
        for s in ["ệ", "e\u{323}\u{302}", "\u{1100}\u{1161}\u{11a8}", "क्ष", "🇫🇷", "日本"] {
            assert_eq!(clean(s), s);
        }
    }

    #[test]
    fn clusters_ratatui_and_the_terminal_disagree_on_are_repaired() {
        // ratatui adds a column for each halfwidth (han)dakuten on top of
        // unicode-width's own count; the combining forms are drawn alike.
        assert_eq!(clean("ｶ\u{ff9e}ﾊ\u{ff9f}"), "ｶ\u{3099}ﾊ\u{309a}");
        assert_eq!(width(&clean("ｶ\u{ff9e}")), 1);
        // A mark with nothing to sit on is not drawn by ratatui: dropped.
        assert_eq!(clean("\u{301}a"), "a");
        assert_eq!(clean_multiline("a\n\u{301}b"), "a\nb");
        assert_eq!(clean("a\n\u{301}b"), "a b");
        assert_eq!(clean("\u{1161}"), "");
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
        assert_eq!(truncate_width("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…", "an accent stays on its letter");
        assert_eq!(truncate_width("🇫🇷🇩🇪", 3), "🇫🇷…", "a flag is never split");
        assert_eq!(pad_width("日本", 6), "日本  ");
        assert_eq!(fit_width("日本語です", 5), "日本…");
        assert_eq!(fit_width("ab", 4), "ab  ");
    }

    /// The case that made the test command fail on a fresh clone: `*` and
    /// VS16 are one cluster two columns wide, and the cut summed `char`s.
    #[test]
    fn truncate_counts_clusters_not_chars() {
        let s = "🌀 𞋀*\u{fe0f}A¡®🂠 ";
        let cut = truncate_width(s, 6);
        assert!(width(&cut) <= 6, "{cut:?}");
        assert!(drawn_width(&cut) <= 6, "{cut:?} draws {} columns", drawn_width(&cut));
        assert_eq!(cut, "🌀 𞋀…");
        assert_eq!(width("*\u{fe0f}"), 2);
        assert_eq!(width(s), drawn_width(s));
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

        /// Arbitrary input, clean or not: what the cut keeps fits, as this
        /// module counts and as ratatui's buffer draws it.
        #[test]
        fn truncate_fits(s in "\\PC{0,40}", w in 0usize..30) {
            let cut = truncate_width(&s, w);
            prop_assert!(width(&cut) <= w, "{:?} -> {:?}", s, cut);
            prop_assert!(drawn_width(&cut) <= w, "{:?} -> {:?}", s, cut);
        }

        #[test]
        fn truncate_fits_any_unicode(s in unicode_text(), w in 0usize..30) {
            let cut = truncate_width(&s, w);
            prop_assert!(width(&cut) <= w, "{:?} -> {:?}", s, cut);
            prop_assert!(drawn_width(&cut) <= w, "{:?} -> {:?}", s, cut);
            prop_assert!(s.starts_with(cut.trim_end_matches('…')));
        }

        /// The contract: whatever goes in, what comes out is clean, stays
        /// as it is, is as wide as ratatui draws it, and every cluster is
        /// as wide for ratatui as for a terminal adding up code points.
        #[test]
        fn clean_output_holds_the_contract(s in unicode_text()) {
            let out = clean(&s);
            prop_assert!(is_clean(&out), "{:?} -> {:?}", s, out);
            prop_assert_eq!(clean(&out).into_owned(), out.clone().into_owned(), "idempotent");
            prop_assert!(!out.contains(is_unsafe), "{:?} -> {:?}", s, out);
            prop_assert_eq!(width(&out), drawn_width(&out), "{:?}", out);
            prop_assert_eq!(width(&out), code_point_width(&out), "{:?}", out);
            for g in out.graphemes(true) {
                prop_assert!(cluster_width(g) > 0 && g.chars().count() <= MAX_CLUSTER_CHARS, "{:?}", g);
            }
            let multi = clean_multiline(&s);
            prop_assert!(is_clean_text(&multi, true), "{:?} -> {:?}", s, multi);
            prop_assert_eq!(clean(&multi).into_owned(), out.clone().into_owned(), "one line = the lines joined");
            for line in multi.split('\n') {
                prop_assert_eq!(width(line), code_point_width(line), "{:?}", line);
            }
        }
    }
}
