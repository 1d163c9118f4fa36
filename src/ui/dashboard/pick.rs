//! The lists of `:dash`: the dashboard picker (its filter in the title,
//! the words matched underlined) and a variable's value picker over the
//! dashboard. Titles, tags and values come from files and servers: each is
//! cleaned and cut to its row.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_segmentation::UnicodeSegmentation;

use crate::state::State;
use crate::state::dashboard::{Open, Picker, ValueEdit, ValueList, ValuePicker, choices, kept_files, shown, words};
use crate::text::{clean, cluster_width, truncate_width, width};
use crate::theme::{Role, Theme};

/// Tags shown after a file's name at most.
const MAX_TAGS: usize = 8;
/// The value picker's widest and tallest.
const VALUES_WIDTH: u16 = 64;
const VALUES_HEIGHT: u16 = 16;

pub(super) fn draw_picker(frame: &mut Frame, area: Rect, state: &State, picker: &Picker) {
    let theme = &state.prefs.theme;
    frame.render_widget(Clear, area);
    let files = state.dashboard.files.as_deref().unwrap_or_default();
    let visible = kept_files(picker, files);
    let words = words(&picker.filter);
    let hint = if picker.filtering {
        " type to filter · ↑↓ select · Enter open · Esc clear "
    } else {
        " j/k select · Enter open · / filter · Esc close "
    };
    let aw = usize::from(area.width.saturating_sub(2));
    let title = " Dashboards ";
    let filter = filter_title(picker.filtering, &picker.filter, visible.len(), files.len(), aw - width(title).min(aw));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(truncate_width(title, aw), theme.style(Role::Title)))
        .title(Span::styled(filter, theme.style(Role::Prompt)))
        .title_bottom(Line::styled(truncate_width(hint, aw), theme.style(Role::Dim)));
    let inner = block.inner(area);
    let w = usize::from(inner.width);
    let rows = usize::from(inner.height).max(1);
    let first = picker.selected.saturating_sub(rows - 1);
    let mut lines: Vec<Line> = Vec::new();
    if files.is_empty() {
        lines.push(Line::styled(
            truncate_width("no dashboard files (*.json) in the dashboards directories", w),
            theme.style(Role::Dim),
        ));
    } else if visible.is_empty() {
        lines.push(Line::styled(truncate_width("no dashboard matches", w), theme.style(Role::Dim)));
    }
    for (row, &i) in visible.iter().enumerate().skip(first).take(rows) {
        let f = &files[i];
        let chosen = row == picker.selected;
        let mark = if chosen { "▶ " } else { "  " };
        let mut note = format!("  {}", f.file);
        let (style, tail) = match &f.dashboard {
            Ok(d) => {
                if !d.tags.is_empty() {
                    let tags: Vec<String> =
                        d.tags.iter().take(MAX_TAGS).map(|t| truncate_width(&clean(t), 30)).collect();
                    note.push_str(&format!(" · {}", tags.join(", ")));
                }
                let tail = if f.warnings > 0 { format!(" · {} ignored fields", f.warnings) } else { String::new() };
                (theme.style(Role::Dim), tail)
            }
            Err(e) => (theme.style(Role::FlashError), format!(": {e}")),
        };
        note.push_str(&tail);
        let base = if chosen { theme.style(Role::Selected) } else { theme.base() };
        let title = truncate_width(&clean(&f.title), w.saturating_sub(2));
        let rest = truncate_width(&clean(&note), w.saturating_sub(2 + width(&title)));
        let mut spans = vec![Span::styled(mark, base)];
        spans.extend(highlighted(&title, &words, base));
        spans.extend(highlighted(&rest, &words, style));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// ` /cpu█ · 2 of 9 `: the filter (a block when typing into it), and how
/// many it keeps; nothing without one. Cut to `room` columns.
fn filter_title(filtering: bool, filter: &str, kept: usize, all: usize, room: usize) -> String {
    if !filtering && filter.is_empty() {
        return String::new();
    }
    let count = format!(" · {kept} of {all} ");
    let cursor = if filtering { "█" } else { "" };
    let text = truncate_width(&clean(filter), room.saturating_sub(width(&count) + 3 + width(cursor)));
    truncate_width(&format!(" /{text}{cursor}{count}"), room)
}

/// `text` as spans in `style`, the parts that match one of `words` (any
/// case) underlined and bold. Cut between grapheme clusters only.
fn highlighted(text: &str, words: &[String], style: Style) -> Vec<Span<'static>> {
    let clusters: Vec<&str> = text.graphemes(true).collect();
    let lower: Vec<String> = clusters.iter().map(|g| g.to_lowercase()).collect();
    let mut hit = vec![false; clusters.len()];
    for word in words.iter().filter(|w| !w.is_empty()) {
        for start in 0..clusters.len() {
            let mut acc = String::new();
            let mut end = start;
            while end < clusters.len() && acc.len() < word.len() && word.starts_with(acc.as_str()) {
                acc.push_str(&lower[end]);
                end += 1;
            }
            if acc == *word {
                hit[start..end].iter_mut().for_each(|h| *h = true);
            }
        }
    }
    let strong = style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    for (g, h) in clusters.iter().zip(&hit) {
        if *h != run_hit && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), if run_hit { strong } else { style }));
        }
        run_hit = *h;
        run.push_str(g);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hit { strong } else { style }));
    }
    spans
}

/// The value picker, centred over the dashboard.
pub(super) fn draw_values(frame: &mut Frame, area: Rect, state: &State, open: &Open, picker: &ValuePicker) {
    let theme = &state.prefs.theme;
    let Some(var) = open.dash.variables.get(picker.var) else { return };
    let name = var.label.clone().filter(|l| !l.is_empty()).unwrap_or_else(|| var.name.clone());
    let width_all = VALUES_WIDTH.min(area.width);
    let aw = usize::from(width_all.saturating_sub(2));
    let title = truncate_width(&format!(" ${} ", clean(&name)), aw / 2);
    let (lines, filter, hint): (Vec<Line>, String, &str) = match &picker.edit {
        ValueEdit::Text(line) => {
            (vec![text_line(&line.text, line.cursor_byte(), aw, theme)], String::new(), " Enter apply · Esc cancel ")
        }
        ValueEdit::List(list) => {
            let choices = choices(var);
            let visible = list.visible(&choices);
            let room = aw.saturating_sub(width(&title));
            let filter = filter_title(list.list.filtering, &list.list.filter, visible.len(), choices.len(), room);
            let hint = match (list.multi, list.list.filtering) {
                (true, _) => " space mark · Enter apply · / filter · Esc close ",
                (false, true) => " type to filter · ↑↓ select · Enter pick · Esc clear ",
                (false, false) => " j/k select · Enter pick · / filter · Esc close ",
            };
            let rows = usize::from(VALUES_HEIGHT.min(area.height).saturating_sub(2)).max(1);
            (value_lines(var, list, &choices, &visible, aw, rows, theme), filter, hint)
        }
    };
    let height = (lines.len() as u16 + 2).min(VALUES_HEIGHT).min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width_all)]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.style(Role::Title)))
        .title(Span::styled(filter, theme.style(Role::Prompt)))
        .title_bottom(Line::styled(truncate_width(hint, aw), theme.style(Role::Dim)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}

/// The options the filter keeps, `rows` of them around the selection:
/// `[x]` marks in a multi-value list, `●` the current value in another.
fn value_lines(
    var: &crate::dashboard::Variable,
    list: &ValueList,
    choices: &[String],
    visible: &[usize],
    w: usize,
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if visible.is_empty() {
        return vec![Line::styled(truncate_width("no value matches", w), theme.style(Role::Dim))];
    }
    let words = words(&list.list.filter);
    let first = list.list.selected.saturating_sub(rows - 1);
    visible
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(row, &i)| {
            let c = &choices[i];
            let mark = match (list.multi, list.multi && list.marked.contains(c), var.current.contains(c)) {
                (true, true, _) => "[x] ",
                (true, false, _) => "[ ] ",
                (false, _, true) => "● ",
                (false, _, false) => "  ",
            };
            let style = if row == list.list.selected { theme.style(Role::Selected) } else { theme.base() };
            let text = truncate_width(&clean(shown(c)), w.saturating_sub(width(mark)));
            let mut spans = vec![Span::styled(mark, style)];
            spans.extend(highlighted(&text, &words, style));
            let used = width(mark) + width(&text);
            if row == list.list.selected && used < w {
                spans.push(Span::styled(" ".repeat(w - used), style));
            }
            Line::from(spans)
        })
        .collect()
}

/// A textbox's text with the cursor (the character under it, reversed; a
/// block at the end), scrolled so the cursor shows in `w` columns.
fn text_line(text: &str, cursor: usize, w: usize, theme: &Theme) -> Line<'static> {
    if w < 2 {
        return Line::default();
    }
    let (before, rest) = text.split_at(cursor.min(text.len()));
    let mut chars = rest.chars();
    let under = chars.next().map_or_else(|| " ".to_string(), |c| clean(&c.to_string()).into_owned());
    let under = if width(&under) == 0 { " ".to_string() } else { under };
    let after = clean(chars.as_str()).into_owned();
    let room = w.saturating_sub(width(&under));
    let before = tail_width(&clean(before), room);
    let after = truncate_width(&after, room.saturating_sub(width(&before)));
    let style = theme.style(Role::Prompt);
    Line::from(vec![
        Span::styled(before, style),
        Span::styled(under, style.add_modifier(Modifier::REVERSED)),
        Span::styled(after, style),
    ])
}

/// The end of `s` that fits in `max` columns.
fn tail_width(s: &str, max: usize) -> String {
    let mut used = 0;
    let mut out: Vec<&str> = Vec::new();
    for g in s.graphemes(true).rev() {
        let w = cluster_width(g);
        if used + w > max {
            break;
        }
        used += w;
        out.push(g);
    }
    out.into_iter().rev().collect()
}
