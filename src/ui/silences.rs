//! The silences view over the body: one line per silence (state, time
//! left or ended ago, creator, matchers, comment), the filter, and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::model::{Silence, SilenceState};
use crate::state::State;
use crate::state::silences::state_at;
use crate::state::silences::view::{SilencesView, rows};
use crate::state::sources::format_age;
use crate::text::{clean, truncate_width};
use crate::theme::Role;

pub const KEYS_HINT: &str = "j/k move · / filter · x expire · e edit · + extend · Esc close";

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &SilencesView) {
    let theme = &state.prefs.theme;
    frame.render_widget(Clear, area);
    let list = rows(&state.silences.merged, &view.filter, state.clock.now);
    let mut title = format!(" Silences ({}) ", list.len());
    if !view.filter.is_empty() || view.filtering {
        let cursor = if view.filtering { "█" } else { "" };
        title = format!(" Silences ({}) · /{}{cursor} ", list.len(), clean(&view.filter));
    }
    let hint = if state.contexts.read_only { format!(" READ-ONLY · {KEYS_HINT} ") } else { format!(" {KEYS_HINT} ") };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.style(Role::Title)))
        .title_bottom(Line::styled(hint, theme.style(Role::Dim)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(id) = &view.confirm_expire {
        lines.push(Line::styled(format!("expire silence {}? y/n", clean(id)), theme.style(Role::FlashError)));
    }
    if list.is_empty() {
        let text = if view.filter.is_empty() { "no silence" } else { "no silence matches the filter" };
        lines.push(Line::styled(text, theme.style(Role::Dim)));
    }
    let room = height.saturating_sub(lines.len()).max(1);
    let first = view.selected.saturating_sub(room - 1);
    for (i, s) in list.iter().enumerate().skip(first).take(room) {
        let line = silence_line(state, s, inner.width as usize);
        lines.push(if i == view.selected { line.patch_style(theme.selected()) } else { line });
    }
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}

/// "active   23m left  bob     alertname="X", service="api" · deploy".
fn silence_line(state: &State, s: &Silence, width: usize) -> Line<'static> {
    let theme = &state.prefs.theme;
    let st = state_at(s, state.clock.now);
    let (name, when, style) = match st {
        SilenceState::Active => ("active", format!("{} left", format_age(s.ends_at - state.clock.now)), Role::Silenced),
        SilenceState::Pending => {
            ("pending", format!("in {}", format_age(s.starts_at - state.clock.now)), Role::Pending)
        }
        SilenceState::Expired => ("expired", format!("{} ago", format_age(state.clock.now - s.ends_at)), Role::Dim),
    };
    let who = truncate_width(&clean(&s.created_by), 12);
    let matchers = s.matchers.iter().map(|m| clean(&m.to_string()).into_owned()).collect::<Vec<_>>().join(", ");
    let used = 1 + 8 + 10 + 13;
    let matchers = truncate_width(&matchers, (width.saturating_sub(used) * 3 / 5).max(12));
    let comment_room = width.saturating_sub(used + crate::text::width(&matchers) + 3);
    let mut spans = vec![
        Span::styled(format!(" {name:<8}"), theme.style(style)),
        Span::styled(format!("{when:<10}"), theme.style(Role::Age)),
        Span::styled(format!("{} ", crate::text::pad_width(&who, 12)), theme.style(Role::LabelKey)),
        Span::styled(matchers, theme.style(Role::LabelValue)),
    ];
    if comment_room > 4 {
        spans.push(Span::styled(
            format!(" · {}", truncate_width(&clean(&s.comment), comment_room)),
            theme.style(Role::Dim),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::model::Matcher;
    use crate::msg::{Msg, Payload, SourceId, SourceKind};
    use crate::state::silences::tests::silence;
    use crate::state::tests::{board, now, poll, state};
    use crate::state::{State, update};

    const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

    fn render(s: &State, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| crate::ui::draw(f, s)).unwrap();
        let buf = t.backend().buffer().clone();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn keys(s: &mut State, text: &str) {
        for c in text.chars() {
            update(s, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
    }

    fn code(s: &mut State, code: KeyCode) {
        update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn eq(name: &str, value: &str) -> Matcher {
        Matcher { name: name.into(), value: value.into(), is_regex: false, is_equal: true }
    }

    fn loaded() -> State {
        let mut s = state();
        update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(board())))));
        let ack = crate::state::silences::exact_matchers(&s.alerts.selected().unwrap().alert);
        let mut pending = silence("p-1", vec![eq("service", "db")], "db migration tonight", 240);
        pending.starts_at = now() + chrono::Duration::minutes(60);
        let silences = vec![
            silence("a-1", ack, "ack by alice", 23),
            silence("d-1", vec![eq("service", "api"), eq("env", "prod")], "deploy 4.2", 55),
            pending,
            silence("x-1", vec![eq("alertname", "Watchdog")], "noise", -90),
        ];
        update(&mut s, poll(AM0, Ok(Payload::AmSilences(silences))));
        s
    }

    #[test]
    fn form_with_preview() {
        let mut s = loaded();
        keys(&mut s, "s");
        code(&mut s, KeyCode::Char(' ')); // alertname off
        code(&mut s, KeyCode::BackTab);
        keys(&mut s, "deploy");
        insta::assert_snapshot!(render(&s, 110, 24));
    }

    #[test]
    fn form_asks_twice_for_a_broad_silence() {
        let mut s = loaded();
        s.silences.settings.confirm_over = 0;
        keys(&mut s, "s");
        code(&mut s, KeyCode::Right);
        code(&mut s, KeyCode::Right);
        update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        keys(&mut s, ".+"); // alertname=~".+"
        for k in [KeyCode::Tab, KeyCode::Char(' '), KeyCode::Tab, KeyCode::Char(' ')] {
            code(&mut s, k); // service and severity off
        }
        for _ in 0..3 {
            code(&mut s, KeyCode::BackTab);
        }
        keys(&mut s, "maintenance");
        code(&mut s, KeyCode::Enter);
        let screen = render(&s, 110, 24);
        assert!(screen.contains("this silences 5 alerts (regex matchers only) — press y to confirm"), "{screen}");
        insta::assert_snapshot!(screen);
    }

    #[test]
    fn view_lists_active_pending_expired() {
        let mut s = loaded();
        keys(&mut s, "S");
        insta::assert_snapshot!(render(&s, 120, 14));
        keys(&mut s, "/deploy");
        let screen = render(&s, 120, 14);
        assert!(screen.contains("Silences (1) · /deploy█"), "{screen}");
        assert!(!screen.contains("ack by alice"), "{screen}");
    }

    #[test]
    fn board_marks_acks_and_header_counts_and_read_only() {
        let mut s = loaded();
        s.contexts.read_only = true;
        let screen = render(&s, 130, 20);
        assert!(screen.contains("READ-ONLY"), "{screen}");
        assert!(screen.contains("✓ acked by alice 23m left"), "{screen}");
        assert!(screen.contains("(until 12:23 UTC, silence"), "{screen}");
        let mut muted = board();
        muted[0].state = crate::model::AlertState::Silenced;
        muted[0].silenced_by = vec!["a-1".into()];
        muted[1].state = crate::model::AlertState::Inhibited;
        update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(muted)))));
        let screen = render(&s, 130, 20);
        assert!(screen.contains("2 muted hidden: 1 silenced (1 acked), 1 inhibited (m)"), "{screen}");
    }
}
