//! `?`: every binding in force, grouped by task and pane, generated from the
//! keymap (so a remapped key shows here as it works, and an action left
//! without a key is not listed).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::keymap::Keymap;
use crate::state::State;
use crate::state::layout::{HELP_COLUMN_WIDTH as COLUMN_WIDTH, help_columns};
use crate::theme::Role;
use crate::theme::Theme;

/// The help, one block of lines per task group.
pub fn groups(keymap: &Keymap, theme: &Theme) -> Vec<Vec<Line<'static>>> {
    keymap
        .help_groups()
        .into_iter()
        .map(|(g, actions)| {
            let mut lines = vec![Line::styled(g.to_string(), theme.style(Role::Header))];
            for (a, keys) in actions {
                let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<16}", keys.join(" ")), theme.style(Role::HelpKey)),
                    Span::styled(a.description().to_string(), theme.style(Role::LabelValue)),
                ]));
            }
            lines
        })
        .collect()
}

/// Every binding as one list (for tests and plain output).
pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    groups(keymap, theme).into_iter().flatten().collect()
}

/// Draws the groups in as many columns as the height needs and the width
/// allows (up to three), never splitting a group across columns; what does
/// not fit scrolls (j/k), as the bottom line says.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let groups = groups(&state.prefs.keymap, &state.prefs.theme);
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let columns = help_columns(&sizes, area);
    let (room, longest, max_scroll) = (columns.room, columns.longest, columns.max_scroll);
    let mut groups: Vec<Option<Vec<Line>>> = groups.into_iter().map(Some).collect();
    let cols: Vec<Vec<Line>> = columns
        .cols
        .iter()
        .map(|col| col.iter().flat_map(|g| groups[*g].take().unwrap_or_default()).collect())
        .collect();
    let scroll = state.view.help.scroll.min(max_scroll);
    let height = (longest as u16 + 2).min(area.height);
    let width = (COLUMN_WIDTH * cols.len() as u16).min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, popup);
    let hint = if max_scroll > 0 {
        format!(" {}/{} · j/k scroll · any other key closes ", scroll as usize + room.min(longest), longest)
    } else {
        " any key closes ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(state.prefs.theme.border(true))
        .title(Span::styled(" Keys ", state.prefs.theme.style(Role::Title)))
        .title_bottom(Line::styled(hint, state.prefs.theme.style(Role::Dim)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, cols.len() as u32); cols.len()]).split(inner);
    for (col, area) in cols.into_iter().zip(areas.iter()) {
        frame.render_widget(Paragraph::new(col).style(state.prefs.theme.base()).scroll((scroll, 0)), *area);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::keymap::{KeyList, Keymap};
    use crate::msg::Msg;
    use crate::state::{Pane, State, tests::state, update};

    fn render(s: &State, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| crate::ui::draw(f, s)).unwrap();
        let buf = t.backend().buffer().clone();
        (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
    }

    fn press(s: &mut State, c: char) {
        update(s, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }

    #[test]
    fn a_remapped_logs_key_works_and_shows_in_help() {
        let mut s = state();
        let mut o = BTreeMap::new();
        o.insert("log-wrap".to_string(), KeyList::One("W".into()));
        s.prefs.keymap = Keymap::new(&o).unwrap();
        s.logs.follow.enabled = true;
        s.view.focus = Pane::Logs;
        press(&mut s, 'w');
        assert!(!s.logs.view.wrap, "the old key no longer wraps");
        press(&mut s, 'W');
        assert!(s.logs.view.wrap, "the new key wraps");
        press(&mut s, 'W');
        assert!(!s.logs.view.wrap);

        s.view.help.open = true;
        let screen = render(&s, 160, 60);
        assert!(screen.contains("W               wrap long lines"), "{screen}");
        assert!(!screen.contains("w               wrap long lines"), "{screen}");
        for group in ["Logs", "Runbook", "Silences", "Chart", "Navigate"] {
            assert!(screen.contains(group), "{group} group missing: {screen}");
        }
    }

    #[test]
    fn an_action_left_without_a_key_is_not_listed() {
        let mut o = BTreeMap::new();
        o.insert("log-utc".to_string(), KeyList::Many(Vec::new()));
        let km = Keymap::new(&o).unwrap();
        let text: String = super::lines(&km, &crate::theme::Theme::default())
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect::<String>() + "\n")
            .collect();
        assert!(!text.contains("times in UTC"), "{text}");
        assert!(text.contains("wrap long lines"), "{text}");
    }

    /// At 80x24 the help does not fit: it says so, scrolls with j, reaches
    /// the last binding, keeps descriptions whole, and any other key closes.
    #[test]
    fn help_scrolls_on_a_small_terminal() {
        let mut s = state();
        // The terminal's size, as the runtime tells it (the state pages by it).
        update(&mut s, Msg::Resize(80, 24));
        press(&mut s, '?');
        let first = render(&s, 80, 24);
        assert!(first.contains("j/k scroll"), "{first}");
        assert!(first.contains("quit warroom"), "{first}");
        let last = super::lines(&s.prefs.keymap, &s.prefs.theme).last().map(|l| l.to_string()).unwrap_or_default();
        let last = last.trim().to_string();
        assert!(!first.contains(&last), "the last binding is below the fold at first: {last}");
        for _ in 0..200 {
            update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)));
            render(&s, 80, 24);
        }
        let end = render(&s, 80, 24);
        let desc = last.split("  ").last().unwrap_or_default().trim().to_string();
        assert!(end.contains(&desc), "scrolled to the end shows {desc:?}:\n{end}");
        assert!(s.view.help.open, "j scrolls, it does not close");
        press(&mut s, 'x');
        assert!(!s.view.help.open && s.view.help.scroll == 0, "any other key closes and resets");
        let wide = {
            press(&mut s, '?');
            render(&s, 220, 60)
        };
        assert!(wide.contains("any key closes") && !wide.contains("j/k scroll"), "{wide}");
    }
}
