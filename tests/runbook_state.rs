//! The runbook pane as a user drives it: moving, the table of contents,
//! search, ticking steps (timeline events), copying code (OSC 52), links
//! (OSC 8), and the stand-in shown when there is no runbook.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::style::Color;
use warroom::runbook::clipboard::osc52;
use warroom::runbook::fallback::no_runbook;
use warroom::runbook::render::RunbookStyles;
use warroom::runbook::{Document, RunbookConfig, RunbookError, resolve};
use warroom::state::runbook::{RunbookAction as A, RunbookEvent, RunbookView};
use warroom::ui::runbook::{MAX_OSC8_URL, draw, osc8_target};

const DB_DOWN: &str = "# DB down\n\nIntro.\n\n## Diagnosis\n\n\
- [ ] Check the pool\n- [ ] Restart pgbouncer\n- [x] Page the DBA\n\n\
```promql\ndb_pool_connections_in_use / db_pool_connections_max\n```\n\n\
## Mitigation\n\nSee [the docs](https://wiki.example.com/db).\n";

fn view(md: &str) -> RunbookView {
    let doc = Arc::new(Document { source: "/srv/runbooks/db_down.md".into(), markdown: md.into() });
    let mut v = RunbookView::new(doc, 60, RunbookStyles::default());
    v.resize(58, 20);
    v
}

fn draw_buf(v: &RunbookView, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| draw(f, f.area(), v, true, &warroom::theme::Theme::default())).expect("draw");
    term.backend().buffer().clone()
}

fn row(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect()
}

fn step_line(v: &RunbookView, index: usize) -> usize {
    v.rendered().tasks[index].line
}

#[test]
fn ticking_steps_returns_timeline_events() {
    let mut v = view(DB_DOWN);
    assert_eq!(v.progress(), (1, 3));
    v.apply(A::NextStep);
    assert_eq!(v.cursor(), step_line(&v, 0));
    v.apply(A::NextStep);
    assert_eq!(v.cursor(), step_line(&v, 1));
    let event = v.apply(A::Tick).expect("a step event");
    assert_eq!(event.timeline_text().as_deref(), Some("runbook db_down: step 2 'Restart pgbouncer' done"));
    assert_eq!(v.progress(), (2, 3));
    let buf = draw_buf(&v, 60, 24);
    let y = 1 + step_line(&v, 1) as u16;
    assert!(row(&buf, y).contains("[x] Restart pgbouncer"), "{}", row(&buf, y));
    assert_eq!(buf[(3, y)].fg, Color::Green);
    assert!(row(&buf, 0).contains("2/3 steps"));

    let undo = v.apply(A::Tick).expect("untick");
    assert!(matches!(undo, RunbookEvent::Step { done: false, step: 2, .. }));
    assert!(undo.timeline_text().is_some_and(|t| t.ends_with("undone")));
    // A step ticked in the file can be unticked.
    v.apply(A::Bottom);
    while v.cursor() != step_line(&v, 2) {
        v.apply(A::Up);
    }
    assert!(matches!(v.apply(A::Tick), Some(RunbookEvent::Step { done: false, .. })));
    // Not on a step: nothing to tick.
    v.apply(A::Top);
    assert_eq!(v.apply(A::Tick), None);
}

#[test]
fn copying_the_code_block_under_the_cursor() {
    let mut v = view(DB_DOWN);
    assert_eq!(v.apply(A::Copy), None);
    let line = v.rendered().code_blocks[0].first_line;
    while v.cursor() < line {
        v.apply(A::Down);
    }
    let Some(RunbookEvent::Copy { text }) = v.apply(A::Copy) else {
        panic!("expected a copy event");
    };
    assert_eq!(text, "db_pool_connections_in_use / db_pool_connections_max");
    assert_eq!(
        osc52(&text),
        "\x1b]52;c;ZGJfcG9vbF9jb25uZWN0aW9uc19pbl91c2UgLyBkYl9wb29sX2Nvbm5lY3Rpb25zX21heA==\x1b\\"
    );
    let buf = draw_buf(&v, 60, 24);
    assert!(row(&buf, 22).contains("code promql"));
}

#[test]
fn table_of_contents_jumps_to_headings() {
    let mut v = view(DB_DOWN);
    v.apply(A::ToggleToc);
    assert_eq!(v.toc_selection(), Some(0));
    let buf = draw_buf(&v, 60, 24);
    let toc: Vec<String> = (0..24).map(|y| row(&buf, y)).collect();
    assert!(toc.iter().any(|r| r.contains("Contents")));
    assert!(toc.iter().any(|r| r.contains("  Mitigation")));
    v.apply(A::Down);
    v.apply(A::Down);
    v.apply(A::Accept);
    assert_eq!(v.toc_selection(), None);
    assert_eq!(v.cursor(), v.headings()[2].line);
    assert_eq!(v.rendered().plain_line(v.cursor()), "Mitigation");
    v.apply(A::ToggleToc);
    assert_eq!(v.toc_selection(), Some(2));
    v.apply(A::Cancel);
    assert_eq!(v.toc_selection(), None);
}

#[test]
fn search_moves_between_matches_and_highlights_them() {
    let mut v = view(DB_DOWN);
    v.search("POOL");
    assert_eq!(v.matches().len(), 3);
    let first = v.matches()[0];
    assert_eq!(v.cursor(), first.line);
    v.apply(A::NextMatch);
    assert_eq!(v.current_match(), Some(1));
    v.apply(A::PrevMatch);
    v.apply(A::PrevMatch);
    assert_eq!(v.current_match(), Some(2));
    let buf = draw_buf(&v, 60, 24);
    let m = v.matches()[2];
    let cell = &buf[(1 + m.col, 1 + m.line as u16)];
    assert_eq!(cell.bg, Color::LightRed);
    assert!(row(&buf, 22).contains("/POOL 3/3"));
    v.search("nothing like this");
    assert!(v.matches().is_empty());
    assert!(row(&draw_buf(&v, 60, 24), 22).contains("no match"));
    v.apply(A::Cancel);
    assert_eq!(v.query(), "");
}

#[test]
fn resize_relayouts_and_keeps_the_place() {
    let mut v = view(DB_DOWN);
    v.apply(A::ToggleToc);
    v.apply(A::Bottom);
    v.apply(A::Accept);
    let heading = v.rendered().plain_line(v.cursor());
    v.resize(20, 6);
    assert_eq!(v.rendered().width, 20);
    assert_eq!(v.rendered().plain_line(v.cursor()), heading);
    let buf = draw_buf(&v, 22, 9);
    assert!((0..9).any(|y| row(&buf, y).contains("Mitigation")));
}

#[test]
fn links_become_osc8_hyperlinks_when_enabled() {
    let mut v = view(DB_DOWN);
    v.apply(A::Bottom);
    let link = v.rendered().links[0].clone();
    let (x, y) = (1 + link.col, 1 + (link.line - v.top(20)) as u16);
    let plain = draw_buf(&v, 60, 23);
    assert_eq!(plain[(x, y)].symbol(), "t");
    v.hyperlinks = true;
    let buf = draw_buf(&v, 60, 23);
    assert_eq!(buf[(x, y)].symbol(), "\x1b]8;;https://wiki.example.com/db\x1b\\the docs\x1b]8;;\x1b\\");
    assert_eq!(buf[(x, y)].diff_option, CellDiffOption::ForcedWidth(std::num::NonZeroU16::new(8).expect("non-zero")));
}

/// A runbook is attacker-written: a control inside a link's URL must never
/// end the OSC 8 sequence early and run the rest as terminal commands.
#[test]
fn osc8_targets_are_printable_http_urls_only() {
    assert_eq!(osc8_target("https://wiki.example.com/db").as_deref(), Some("https://wiki.example.com/db"));
    assert_eq!(osc8_target("mailto:oncall@example.com").as_deref(), Some("mailto:oncall@example.com"));
    assert_eq!(osc8_target("https://e.com/ä b").as_deref(), Some("https://e.com/%C3%A4%20b"), "encoded, not raw");
    let hostile = [
        "https://e.com/a\x1b]52;c;aGk=\x07",
        "https://e.com/a\x1b\\\x1b]0;pwned\x07",
        "https://e.com/\u{9c}x",
        "https://e.com/\u{7f}x",
    ];
    for url in hostile {
        let target = osc8_target(url).expect("an http URL with controls is kept, encoded");
        assert!(target.bytes().all(|b| b.is_ascii_graphic()), "{target:?}");
        assert!(!target.contains('\x1b') && !target.contains('\x07'), "{target:?}");
    }
    for refused in ["javascript:alert(1)", "file:///etc/passwd", "https://u:pw@e.com/", "relative/page.md", ""] {
        assert_eq!(osc8_target(refused), None, "{refused:?}");
    }
    let long = format!("https://e.com/{}", "a".repeat(MAX_OSC8_URL));
    assert_eq!(osc8_target(&long), None);
}

#[test]
fn a_hostile_link_in_a_runbook_draws_only_well_formed_osc8() {
    let md = "# Links\n\n[ok](https://e.com/ok) [bell](<https://e.com/\x07\x1b]52;c;aGk=\x07>) \
              [js](javascript:alert(1)) [esc](https://e.com/\x1b\\x)\n";
    let mut v = view(md);
    v.hyperlinks = true;
    let buf = draw_buf(&v, 60, 23);
    let well_formed = regex::Regex::new("^\x1b]8;;[!-~]+\x1b\\\\[^\x1b\x07]*\x1b]8;;\x1b\\\\$").expect("regex");
    let mut links = 0;
    for cell in buf.content() {
        let sym = cell.symbol();
        if sym.contains(['\x1b', '\x07', '\u{9c}']) {
            assert!(well_formed.is_match(sym), "{sym:?}");
            links += 1;
        }
    }
    assert!(links >= 1, "the plain https link is a hyperlink");
    assert!(!buf.content().iter().any(|c| c.symbol().contains("javascript")), "no javascript: target");
}

#[test]
fn no_runbook_shows_reason_annotations_and_checklist() {
    let cfg =
        RunbookConfig { dirs: vec![std::env::temp_dir().join("warroom-no-such-dir")], ..RunbookConfig::default() };
    let err = resolve("db-down.md", &cfg).expect_err("no runbook");
    assert!(matches!(err, RunbookError::NotFound { .. }));
    let doc =
        no_runbook("DatabaseDown", &err.to_string(), &[("summary".into(), "PostgreSQL unreachable\x1b[2J".into())]);
    let mut v = RunbookView::new(Arc::new(doc), 58, RunbookStyles::default());
    v.resize(58, 30);
    let buf = draw_buf(&v, 60, 33);
    let screen: Vec<String> = (0..33).map(|y| row(&buf, y)).collect();
    assert!(screen.iter().any(|r| r.contains("No runbook for DatabaseDown")));
    assert!(screen.iter().any(|r| r.contains("summary: PostgreSQL unreachable")));
    assert!(screen.iter().any(|r| r.contains("Generic triage")));
    assert_eq!(v.progress(), (0, 7));
    v.apply(A::NextStep);
    let event = v.apply(A::Tick).expect("tick");
    assert!(event.timeline_text().is_some_and(|t| t.starts_with("runbook no runbook: DatabaseDown: step 1")));
}

/// Issue 15 item 8: the layout made off the event loop (within its time
/// limit) is the one shown; a new width lays out the part it reached and no
/// more, so a hostile runbook costs the event loop no more than it cost the
/// worker.
#[test]
fn a_prepared_layout_is_shown_and_a_resize_stops_where_it_stopped() {
    use warroom::runbook::render::{Limit, Prepared, render_limited};
    let md: String = (0..5000).map(|i| format!("Paragraph {i}.\n\n")).collect();
    let doc = Arc::new(Document { source: "/srv/runbooks/long.md".into(), markdown: md });
    let rendered = render_limited(&doc.markdown, 60, &RunbookStyles::default(), Limit::Events(300));
    let cut = rendered.cut.expect("stopped after 300 events");
    let p = Prepared { doc: doc.clone(), rendered: rendered.clone() };
    let mut v = RunbookView::prepared(p, 60, RunbookStyles::default());
    assert_eq!(v.rendered(), &rendered, "used as it came");
    v.resize(40, 20);
    assert_eq!((v.rendered().width, v.rendered().cut), (40, Some(cut)));
    let r = v.rendered();
    let tail = (r.lines.len() - 4..r.lines.len()).map(|i| r.plain_line(i)).collect::<Vec<_>>().join(" ");
    assert!(tail.contains("is not shown") && tail.ends_with("open the file itself to read it"), "{tail}");
    let whole = RunbookView::prepared(
        Prepared {
            doc: doc.clone(),
            rendered: warroom::runbook::render::render(&doc.markdown, 60, &RunbookStyles::default()),
        },
        50,
        RunbookStyles::default(),
    );
    assert_eq!((whole.rendered().width, whole.rendered().cut), (50, None), "an uncut layout stays uncut");
}
