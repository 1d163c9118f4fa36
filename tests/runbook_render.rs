//! Rendering a varied corpus into ratatui `TestBackend` buffers at several
//! widths: content checks, no panics, no control characters on screen.

use std::sync::Arc;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use unicode_width::UnicodeWidthStr;
use warroom::runbook::Document;
use warroom::runbook::render::{Rendered, RunbookStyles, render};
use warroom::state::runbook::{RunbookAction, RunbookView};
use warroom::ui::runbook::draw;

const WIDTHS: [u16; 4] = [120, 80, 60, 40];

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/runbook/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn view(markdown: &str, width: u16) -> RunbookView {
    let doc = Arc::new(Document { source: "/srv/runbooks/test.md".into(), markdown: markdown.into() });
    RunbookView::new(doc, width, RunbookStyles::default())
}

/// No control character anywhere; every line but code lines fits.
fn check_layout(r: &Rendered, width: u16) {
    for (i, line) in r.lines.iter().enumerate() {
        for span in &line.spans {
            assert!(!span.content.chars().any(char::is_control), "control character on line {i}: {:?}", span.content);
        }
        if r.code_block_at(i).is_none() {
            assert!(
                line.width() <= usize::from(width),
                "line {i} is {} wide at {width}: {:?}",
                line.width(),
                r.plain_line(i)
            );
        }
    }
}

/// The text of one buffer row, wide characters counted once.
fn row_text(buf: &ratatui::buffer::Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut x = 0;
    while x < buf.area.width {
        let sym = buf[(x, y)].symbol();
        out.push_str(sym);
        x += (sym.width() as u16).max(1);
    }
    out
}

/// Draws the view page by page to the end; returns every screen's rows.
fn screens(mut v: RunbookView, width: u16, height: u16) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    v.resize(width - 2, height - 3);
    let mut rows = Vec::new();
    for _ in 0..10_000 {
        term.draw(|f| draw(f, f.area(), &v, true, &warroom::theme::Theme::default())).expect("draw");
        let buf = term.backend().buffer().clone();
        for y in 0..height {
            let text = row_text(&buf, y);
            assert!(!text.chars().any(char::is_control), "control char on screen: {text:?}");
            rows.push(text);
        }
        if v.cursor() + 1 >= v.rendered().lines.len() {
            break;
        }
        v.apply(RunbookAction::PageDown);
    }
    rows
}

/// All the screen text, with the box edges and spaces removed, so that
/// words wrapped over lines can be searched for.
fn squash(rows: &[String]) -> String {
    rows.iter().map(|r| r.replace(['│', ' '], "")).collect::<Vec<_>>().join("")
}

#[test]
fn nested_lists_at_every_width() {
    let md = fixture("nested-lists.md");
    for w in WIDTHS {
        let r = render(&md, w - 2, &RunbookStyles::default());
        check_layout(&r, w - 2);
        assert_eq!(r.tasks.len(), 4);
        assert!(r.tasks[1].checked);
        let text = squash(&screens(view(&md, w), w, 12));
        for needle in ["fourthlevelnumbered", "fifthlevel", "nestedopentask", "quoteditem", "nestedquote"] {
            assert!(text.contains(needle), "{needle} missing at width {w}");
        }
    }
    let r = render(&md, 40, &RunbookStyles::default());
    assert!(r.plain_line(0).starts_with("Nested lists"));
    assert!((0..r.lines.len()).any(|i| r.plain_line(i).contains("   1. fourth level")));
}

#[test]
fn wide_tables_fit_the_width() {
    let md = fixture("wide-table.md");
    for w in WIDTHS {
        let r = render(&md, w - 2, &RunbookStyles::default());
        check_layout(&r, w - 2);
        let text = squash(&screens(view(&md, w), w, 16));
        // Narrow columns wrap words inside cells: check whole words only
        // where the columns are wide enough to hold them.
        let needles: &[&str] = match w {
            120 => &["APIDown", "HighErrorRate", "DiskSpaceRunningOut", "日本語のメモ", "10"],
            _ => &["API", "Hig", "Dis", "10"],
        };
        for needle in needles {
            assert!(text.contains(needle), "{needle} missing at width {w}");
        }
    }
    let r = render(&md, 118, &RunbookStyles::default());
    assert!((0..r.lines.len()).any(|i| r.plain_line(i).starts_with("┌")));
}

#[test]
fn long_code_lines_are_marked_and_scroll() {
    let md = fixture("long-code.md");
    let r = render(&md, 38, &RunbookStyles::default());
    check_layout(&r, 38);
    assert_eq!(r.code_blocks.len(), 4);
    assert!(r.code_blocks[0].text.ends_with("(rate(http_requests_total{service=\"api\"}[5m]))"));
    assert!(r.code_blocks[1].text.contains("    with a tab"));
    assert_eq!(r.code_blocks[2].text, "");

    let mut v = view(&md, 40);
    v.resize(38, 10);
    let mut term = Terminal::new(TestBackend::new(40, 13)).expect("terminal");
    term.draw(|f| draw(f, f.area(), &v, false, &warroom::theme::Theme::default())).expect("draw");
    let first = row_text(term.backend().buffer(), 4);
    assert!(first.starts_with("│ sum by (service"), "{first:?}");
    assert!(first.ends_with("›│"), "cut not marked: {first:?}");
    for _ in 0..3 {
        v.apply(RunbookAction::Right);
    }
    term.draw(|f| draw(f, f.area(), &v, false, &warroom::theme::Theme::default())).expect("draw");
    let scrolled = row_text(term.backend().buffer(), 4);
    assert!(scrolled.starts_with("│‹"), "{scrolled:?}");
    assert!(scrolled.contains("(rate(http_re"), "{scrolled:?}");
}

#[test]
fn raw_html_shows_text_only() {
    let md = fixture("raw-html.md");
    for w in WIDTHS {
        let r = render(&md, w - 2, &RunbookStyles::default());
        check_layout(&r, w - 2);
        let text = squash(&screens(view(&md, w), w, 20));
        for needle in ["Clicktoexpand", "Hiddenmarkdowninsidedetails", "Caption&more", "Ctrl+C"] {
            assert!(text.contains(needle), "{needle} missing at width {w}");
        }
        for banned in ["pwned", "display:none", "<!--", "<div", "<script", "<kbd>"] {
            assert!(!text.contains(banned), "{banned} shown at width {w}");
        }
    }
}

#[test]
fn emoji_wide_chars_and_bidi() {
    let md = fixture("emoji-wide.md");
    for w in WIDTHS {
        let r = render(&md, w - 2, &RunbookStyles::default());
        check_layout(&r, w - 2);
        let text = squash(&screens(view(&md, w), w, 12));
        for needle in ["検証済み", "🟢", "usergnp.exe", "belltext"] {
            assert!(text.contains(needle), "{needle} missing at width {w}");
        }
        assert!(!text.contains('\u{202e}'));
    }
}

#[test]
fn crlf_empty_and_escapes() {
    let r = render(&fixture("crlf.md"), 40, &RunbookStyles::default());
    check_layout(&r, 40);
    assert_eq!(r.tasks.len(), 2);
    assert_eq!(r.code_blocks[0].text, "up == 0");
    assert_eq!(r.plain_line(3), "A paragraph with CRLF line endings.");

    let empty = render(&fixture("empty.md"), 40, &RunbookStyles::default());
    assert!(empty.lines.is_empty());
    let rows = screens(view("", 40), 40, 6);
    assert!(rows[1].contains("(empty runbook)"));

    let r = render(&fixture("escapes.md"), 60, &RunbookStyles::default());
    check_layout(&r, 60);
    assert_eq!(r.plain_line(0), "Control characters and escapes  in text.");
    assert_eq!(r.code_blocks[0].text, "rm -rf /");
}

#[test]
fn a_one_megabyte_runbook() {
    let names =
        ["nested-lists.md", "wide-table.md", "long-code.md", "raw-html.md", "emoji-wide.md", "crlf.md", "escapes.md"];
    let corpus: String = names.iter().map(|n| fixture(n) + "\n\n").collect();
    let mut md = String::with_capacity(1 << 20);
    while md.len() < 1 << 20 {
        md.push_str(&corpus);
    }
    for w in [80u16, 40] {
        let r = render(&md, w, &RunbookStyles::default());
        check_layout(&r, w);
        assert!(r.tasks.len() > 1000 && r.headings.len() > 1000);
        let mut v = view(&md, w);
        v.search("fourth level");
        assert!(v.matches().len() > 100);
        v.apply(RunbookAction::Bottom);
        let mut term = Terminal::new(TestBackend::new(w, 20)).expect("terminal");
        term.draw(|f| draw(f, f.area(), &v, true, &warroom::theme::Theme::default())).expect("draw");
    }
}

/// Markdown-ish fragments, hostile ones included.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("- [ ] ".to_string()),
        Just("> ".to_string()),
        Just("```\n".to_string()),
        Just("`".to_string()),
        Just("*".to_string()),
        Just("**".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        Just("---\n".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just("[x](http://e.io/\x1b]8;;)".to_string()),
        Just("<b>".to_string()),
        Just("<script>".to_string()),
        Just("<!--".to_string()),
        Just("\x1b[31m".to_string()),
        Just("\x1b]52;c;".to_string()),
        Just("\x07".to_string()),
        Just("\u{202e}".to_string()),
        Just("日本語".to_string()),
        Just("🚨👨‍👩‍👧".to_string()),
        "[a-z ]{0,12}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_markdown_never_panics_nor_leaks_controls(
        parts in proptest::collection::vec(fragment(), 0..40),
        width in 0u16..140,
    ) {
        let md = parts.concat();
        let r = render(&md, width, &RunbookStyles::default());
        for line in &r.lines {
            for span in &line.spans {
                prop_assert!(!span.content.chars().any(char::is_control));
            }
        }
        for code in &r.code_blocks {
            prop_assert!(!code.text.chars().any(|c| c.is_control() && c != '\n'));
        }
        let mut v = view(&md, width.max(3));
        v.search("a");
        v.apply(RunbookAction::NextStep);
        v.apply(RunbookAction::Tick);
        v.apply(RunbookAction::Right);
        let (w, h) = (width.clamp(3, 100), 8);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        v.resize(w.saturating_sub(2), h - 3);
        term.draw(|f| draw(f, f.area(), &v, true, &warroom::theme::Theme::default())).expect("draw");
        let buf = term.backend().buffer();
        for y in 0..h {
            prop_assert!(!row_text(buf, y).chars().any(char::is_control));
        }
    }
}
