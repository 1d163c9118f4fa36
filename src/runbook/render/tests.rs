//! Unit tests of the layout on small documents; the varied corpus and the
//! buffer rendering are in tests/runbook_render.rs.

use super::*;

fn lines(md: &str, width: u16) -> Vec<String> {
    let r = render(md, width, &RunbookStyles::default());
    (0..r.lines.len()).map(|i| r.plain_line(i)).collect()
}

#[test]
fn headings_paragraphs_and_toc() {
    let r = render("# Title\n\nSome *text* here.\n\n## Next\n\nMore.", 40, &RunbookStyles::default());
    let text: Vec<String> = (0..r.lines.len()).map(|i| r.plain_line(i)).collect();
    assert_eq!(text, vec!["Title", "═════", "", "Some text here.", "", "Next", "────", "", "More."]);
    assert_eq!(r.headings.len(), 2);
    assert_eq!((r.headings[1].level, r.headings[1].line), (2, 5));
    assert_eq!(r.headings[1].text, "Next");
}

#[test]
fn nested_and_numbered_lists() {
    let md = "- one\n  - nested\n    1. first\n    2. second\n- two\n";
    assert_eq!(lines(md, 40), vec!["• one", "  ◦ nested", "    1. first", "    2. second", "• two"]);
}

#[test]
fn tasks_are_recorded_with_their_box_column() {
    let md = "Steps:\n\n- [ ] Restart pgbouncer\n- [x] Check `up`\n- [ ]\n";
    let r = render(md, 40, &RunbookStyles::default());
    assert_eq!(r.tasks.len(), 3);
    assert_eq!(r.tasks[0].text, "Restart pgbouncer");
    assert_eq!(r.plain_line(r.tasks[0].line), "• [ ] Restart pgbouncer");
    assert_eq!(r.tasks[0].col, 2);
    assert!(r.tasks[1].checked);
    assert_eq!(r.plain_line(r.tasks[1].line), "• [x] Check up");
    assert_eq!(r.plain_line(r.tasks[2].line).trim_end(), "• [ ]");
    assert_eq!(r.task_at(r.tasks[1].line).map(|t| t.index), Some(1));
}

#[test]
fn loose_task_items_with_code_blocks() {
    let md = "- [ ] Check the pool:\n\n  ```promql\n  db_pool_connections_in_use\n  ```\n\n- [ ] Next\n";
    let r = render(md, 40, &RunbookStyles::default());
    assert_eq!(r.tasks.len(), 2);
    assert_eq!(r.plain_line(r.tasks[0].line), "• [ ] Check the pool:");
    let block = &r.code_blocks[0];
    assert_eq!(block.lang.as_deref(), Some("promql"));
    assert_eq!(block.text, "db_pool_connections_in_use");
    assert_eq!(block.indent, 2);
    assert_eq!(r.plain_line(block.first_line), "   db_pool_connections_in_use");
    assert!(r.task_at(block.first_line).is_none());
}

#[test]
fn code_lines_are_never_wrapped() {
    let long = "x".repeat(100);
    let r = render(&format!("```\n{long}\n\tindented\n```"), 30, &RunbookStyles::default());
    assert_eq!(r.plain_line(0), format!(" {long}"));
    assert_eq!(r.plain_line(1), "     indented");
    assert_eq!(r.code_blocks[0].text, format!("{long}\n    indented"));
}

#[test]
fn links_show_their_url_and_are_located() {
    let r = render("See [the docs](https://x.io/a) and <https://y.io>.", 80, &RunbookStyles::default());
    assert_eq!(r.plain_line(0), "See the docs <https://x.io/a> and https://y.io.");
    assert_eq!(r.links.len(), 3);
    assert_eq!((r.links[0].col, r.links[0].width), (4, 8));
    assert_eq!(r.links[2].url, "https://y.io");
}

#[test]
fn quotes_rules_and_html() {
    let md = "> careful\n> here\n\n---\n\n<div>\n<b>raw</b> &amp; <script>x()</script>\n</div>\n\ntext<br>after";
    let got = lines(md, 20);
    assert_eq!(got[0], "│ careful here");
    assert_eq!(got[2], "─".repeat(20));
    assert!(got.contains(&"raw &".to_string()), "{got:?}");
    assert!(!got.iter().any(|l| l.contains("x()") || l.contains('<')));
    assert_eq!(&got[got.len() - 2..], ["text", "after"]);
}

#[test]
fn tables_fit_or_become_records() {
    let md = "| Alert | Runbook |\n|---|--:|\n| APIDown | api-down.md |\n";
    let wide = lines(md, 40);
    assert_eq!(wide[1], "│ Alert   │     Runbook │");
    assert!(wide.iter().all(|l| l.chars().count() <= 40));
    let narrow = lines(md, 16);
    assert_eq!(narrow, vec!["Alert: APIDown", "Runbook:", "api-down.md"]);
    let shrunk = lines(md, 24);
    assert_eq!(shrunk[1], "│ Alert   │    Runbook │");
    assert_eq!(shrunk[3], "│ APIDown │ api-down.m │");
    assert!(shrunk.iter().all(|l| l.chars().count() <= 24));
    assert_eq!(lines(&four_table(), 20)[1], "│ a │ b │ c │ d │");
    let four = "| a | b | c | d |\n|-|-|-|-|\n| 1 | 2 | 3 | 4 |\n| 5 | 6 | 7 | 8 |\n";
    assert_eq!(lines(four, 16), vec!["a: 1", "b: 2", "c: 3", "d: 4", "────────", "a: 5", "b: 6", "c: 7", "d: 8"]);
}

#[test]
fn escapes_in_text_are_removed() {
    let got = lines("evil \x1b]52;c;aGk=\x07text and `\x1b[2Jcode`", 40);
    assert_eq!(got, vec!["evil text and code"]);
}

fn four_table() -> String {
    "| a | b | c | d |\n|-|-|-|-|\n| 1 | 2 | 3 | 4 |\n".into()
}

/// Issue 15 item 8: a megabyte of `>` (the runbook size cap) is N nested
/// quotes; laid out at [`MAX_NESTING`] levels at most, and said so.
#[test]
fn a_megabyte_of_nested_quotes_stops_nesting_at_the_cap() {
    let md = ">".repeat((1 << 20) - 5) + " deep";
    let r = render(&md, 80, &RunbookStyles::default());
    let text: Vec<String> = (0..r.lines.len()).map(|i| r.plain_line(i)).collect();
    assert!(text.len() < 10, "{} lines", text.len());
    let bars = |l: &String| l.matches('│').count();
    assert!(text.iter().all(|l| bars(l) <= MAX_NESTING), "{text:?}");
    let note = text.iter().filter(|l| l.contains(&format!("nested deeper than {MAX_NESTING} levels"))).count();
    assert_eq!(note, 1, "said once: {text:?}");
    assert!(text.last().is_some_and(|l| l.ends_with("deep")), "the text is still there: {text:?}");
    assert!(r.lines.iter().all(|l| l.width() <= 80), "{text:?}");
    assert_eq!(r.cut, None);
}

#[test]
fn nesting_below_the_cap_is_untouched_and_lists_are_capped_too() {
    let md = format!("{} x", ">".repeat(MAX_NESTING));
    let r = render(&md, 200, &RunbookStyles::default());
    let text: Vec<String> = (0..r.lines.len()).map(|i| r.plain_line(i)).collect();
    assert_eq!(text, vec![format!("{}x", "│ ".repeat(MAX_NESTING))], "exactly at the cap: no note");
    let list = "- ".repeat(1000) + "leaf\n\nafter";
    let r = render(&list, 200, &RunbookStyles::default());
    let text: Vec<String> = (0..r.lines.len()).map(|i| r.plain_line(i)).collect();
    assert!(text.iter().any(|l| l.contains("nested deeper than")), "{text:?}");
    assert!(text.iter().any(|l| l.trim_start().ends_with("leaf")), "{text:?}");
    assert_eq!(text.last().map(String::as_str), Some("after"), "the end of the list closes every level: {text:?}");
    let emphasis = "*".repeat(5000) + "x" + &"*".repeat(5000);
    assert!(render(&emphasis, 80, &RunbookStyles::default()).lines.len() < 200);
}

#[test]
fn a_layout_that_runs_out_of_time_keeps_what_it_did_and_says_where_it_stopped() {
    let md: String = (0..5000).map(|i| format!("Paragraph {i}.\n\n")).collect();
    let whole = render(&md, 60, &RunbookStyles::default());
    assert_eq!(whole.cut, None);
    // A deadline already passed stops at the first look at the clock.
    let r = render_limited(&md, 60, &RunbookStyles::default(), Limit::Until(std::time::Instant::now()));
    let cut = r.cut.expect("cut");
    assert_eq!(cut.events, 1024, "the clock is read every 1024 events");
    assert!(cut.offset > 0 && cut.offset < md.len());
    let all = (0..r.lines.len()).map(|i| r.plain_line(i)).collect::<Vec<_>>().join(" ");
    assert!(all.ends_with("open the file itself to read it"), "{all}");
    assert!(all.contains(&format!("from byte {} of {}", cut.offset, md.len())), "{all}");
    assert!(r.lines.len() < whole.lines.len());
    assert_eq!(r.plain_line(0), "Paragraph 0.");
    // The same part again, without a clock: at the same width the same
    // layout, at another the same cut.
    assert_eq!(render_limited(&md, 60, &RunbookStyles::default(), Limit::reaching(r.cut)), r);
    let narrower = render_limited(&md, 40, &RunbookStyles::default(), Limit::reaching(r.cut));
    assert_eq!(narrower.cut, r.cut);
    assert!(r.lines.iter().all(|l| l.width() <= 60));
}

/// N nested quotes, then lines: pulldown-cmark's block pass walks every
/// open container on every line (seconds at 225 KB before any event came
/// out). The markers past the cap are dropped before it parses.
#[test]
fn deep_quotes_followed_by_many_lines_are_cut_before_parsing() {
    let md = "> ".repeat(100_000) + "x\n" + &"> y\n".repeat(30_000);
    let capped = cap_markers(&md);
    assert!(capped.len() < 30_000 * 4 + 200, "{} bytes left", capped.len());
    assert!(capped.starts_with(&format!("{}x\n> y\n", "> ".repeat(MAX_NESTING + 1))));
    let r = render(&md, 80, &RunbookStyles::default());
    let text: Vec<String> = (0..r.lines.len()).map(|i| r.plain_line(i)).collect();
    assert!(text.iter().all(|l| l.matches('│').count() <= MAX_NESTING));
    assert!(text.iter().any(|l| l.contains("nested deeper than")), "{:?}", &text[..3]);
    assert!(text.iter().any(|l| l.contains("y y y")), "the lazy lines are still there");
    // Lists, ordered markers and a mix, all counted.
    let mixed = "1. - > ".repeat(1000) + "z";
    let capped = cap_markers(&mixed);
    assert_eq!(capped.matches(['>', '-']).count() + capped.matches("1.").count(), MAX_NESTING + 1);
    assert!(capped.ends_with('z'));
    // Nothing deep: the text is borrowed as it is.
    let plain = "> a\n> > b\n- c\n  - d\n---\n1) e\n";
    assert!(matches!(cap_markers(plain), std::borrow::Cow::Borrowed(_)));
    assert!(matches!(cap_markers(&format!("{}q", "> ".repeat(MAX_NESTING + 1))), std::borrow::Cow::Borrowed(_)));
}
