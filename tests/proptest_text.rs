//! The sanitizer against strings built from escape-sequence fragments,
//! stronger than its own unit proptests (which draw from `any::<String>()`,
//! where an escape sequence is vanishingly rare).

use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Widget, Wrap};
use warroom::text::{clean, clean_bytes, clean_multiline, is_clean, truncate_width, width};

/// Pieces a hostile string is made of: introducers, terminators, C1
/// controls, parameters, final bytes, wide, invisible and bidi characters.
const FRAGMENTS: &[&str] = &[
    "\u{1b}",
    "\u{1b}[",
    "\u{1b}]",
    "\u{1b}P",
    "\u{1b}_",
    "\u{1b}^",
    "\u{1b}X",
    "\u{1b}(",
    "\u{1b}#",
    "\u{1b}\\",
    "\u{7}",
    "\u{9b}",
    "\u{9c}",
    "\u{9d}",
    "\u{90}",
    "\u{98}",
    "\u{9e}",
    "\u{9f}",
    "\u{85}",
    "0;",
    "52;c;",
    "8;;",
    "2J",
    "?1049h",
    "6n",
    "31m",
    "1;1H",
    ";",
    "\r",
    "\n",
    "\t",
    "\u{8}",
    "\u{7f}",
    "\u{0}",
    "\u{202e}",
    "\u{2066}",
    "\u{200d}",
    "\u{200b}",
    "\u{fe0f}",
    "\u{ad}",
    "\u{e0041}",
    "\u{fff9}",
    "\u{2028}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{e0100}",
    "\u{115f}",
    "\u{ff9e}",
    "\u{1161}",
    "\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
    "*\u{fe0f}",
    "🇫🇷",
    "\u{644}\u{627}",
    "日本",
    "🔥",
    "👍🏽",
    "e\u{301}",
    "abc",
    " ",
];

fn fragments() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z]{1,4}",
    ];
    prop::collection::vec(piece, 0..48).prop_map(|v| v.concat())
}

/// A well-formed sequence whose payload is the marker `PWN`.
fn sequence() -> impl Strategy<Value = String> {
    let st = prop::sample::select(&["\u{7}", "\u{1b}\\", "\u{9c}"][..]);
    prop_oneof![
        (0u8..120, st.clone()).prop_map(|(n, t)| format!("\u{1b}]{n};PWN{t}")),
        st.clone().prop_map(|t| format!("\u{1b}]52;c;UFdO{t}")),
        st.clone().prop_map(|t| format!("\u{1b}]8;;http://x/PWN{t}")),
        prop::sample::select(&["\u{1b}P", "\u{1b}_", "\u{1b}^", "\u{1b}X", "\u{9d}", "\u{90}", "\u{9e}", "\u{9f}"][..])
            .prop_flat_map(move |intro| st.clone().prop_map(move |t| format!("{intro}PWN{t}"))),
        ("[0-9;?]{0,8}", "[@-~]").prop_map(|(p, f)| format!("\u{1b}[{p}{f}")),
        ("[0-9;]{0,8}", "[@-~]").prop_map(|(p, f)| format!("\u{9b}{p}{f}")),
        "[(#%)][0-9A-Za-z]".prop_map(|s| format!("\u{1b}{s}")),
    ]
}

/// Plain text interleaved with well-formed sequences.
fn text_and_sequences() -> impl Strategy<Value = (String, String)> {
    prop::collection::vec(("[a-z ]{0,6}", prop::option::of(sequence())), 0..12).prop_map(|parts| {
        let plain: String = parts.iter().map(|(t, _)| t.as_str()).collect();
        let mixed: String = parts.iter().map(|(t, s)| format!("{t}{}", s.as_deref().unwrap_or(""))).collect();
        (plain, mixed)
    })
}

fn printable(s: &str, newline_ok: bool) -> bool {
    s.chars().all(|c| !(c.is_control() && !(newline_ok && c == '\n')))
        && !s.chars().any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200d}'))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn fragments_come_out_printable_and_stable(s in fragments()) {
        let once = clean(&s);
        prop_assert!(printable(&once, false), "{s:?} -> {once:?}");
        prop_assert_eq!(clean(&once).into_owned(), once.clone().into_owned(), "clean is idempotent");
        prop_assert!(is_clean(&once), "{s:?} -> {once:?}");
        let multi = clean_multiline(&s);
        prop_assert!(printable(&multi, true), "{s:?} -> {multi:?}");
        prop_assert_eq!(clean(&multi).into_owned(), once.into_owned(), "one line = the lines joined");
        prop_assert!(printable(&clean_bytes(s.as_bytes()), false));
    }

    /// Sequences are removed whole: the plain text comes out exactly as if
    /// they had never been there, and no payload survives.
    #[test]
    fn sequences_vanish_whole((plain, mixed) in text_and_sequences()) {
        let out = clean(&mixed);
        prop_assert!(!out.contains("PWN") && !out.contains("UFdO"), "{mixed:?} -> {out:?}");
        prop_assert_eq!(out.as_ref(), plain.as_str(), "from {:?}", mixed);
    }

    #[test]
    fn bytes_with_c1_and_invalid_utf8_come_out_printable(b in prop::collection::vec(
        prop_oneof![any::<u8>(), Just(0x1b), Just(0x9b), Just(0xc2), Just(b']'), Just(b'[')], 0..256)) {
        prop_assert!(printable(&clean_bytes(&b), false));
    }

    #[test]
    fn truncation_fits_and_draws_clean(s in fragments(), w in 0usize..40) {
        let cut = truncate_width(&clean(&s), w);
        prop_assert!(width(&cut) <= w, "{cut:?} is wider than {w}");
        let raw_cut = truncate_width(&s, w);
        prop_assert!(width(&raw_cut) <= w, "uncleaned: {raw_cut:?} is wider than {w}");
        let area = Rect::new(0, 0, 20, 4);
        let mut buf = Buffer::empty(area);
        Paragraph::new(clean_multiline(&s).into_owned()).wrap(Wrap { trim: false }).render(area, &mut buf);
        for cell in &buf.content {
            prop_assert!(printable(cell.symbol(), false), "cell {:?}", cell.symbol());
        }
    }
}
