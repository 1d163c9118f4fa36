//! The incident timeline pane: one row per event in time order, filtered by
//! kind, with struck-out notes crossed out. Pure rendering of
//! [`IncidentState`].

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::incident::EntryKind;
use crate::incident::describe::describe;
use crate::incident::record::Event;
use crate::incident::timeline::Entry;
use crate::state::incident::{IncidentState, TimeDisplay};
use crate::text::truncate_width;

/// Columns given to the author name.
const AUTHOR_WIDTH: usize = 10;
/// `author@host` in a shared incident.
const SHARED_AUTHOR_WIDTH: usize = 20;
/// Columns given to the kind label (the longest is `incident`).
const KIND_WIDTH: usize = 8;

/// The pane's styles; the lead maps them to the theme.
#[derive(Debug, Clone, Copy)]
pub struct TimelineStyles {
    pub border: Style,
    pub border_focused: Style,
    pub time: Style,
    pub author: Style,
    pub kind: Style,
    pub text: Style,
    pub struck: Style,
    pub selected: Style,
    pub filter_on: Style,
    pub filter_off: Style,
    pub warning: Style,
}

impl Default for TimelineStyles {
    fn default() -> Self {
        TimelineStyles {
            border: Style::new(),
            border_focused: Style::new().add_modifier(Modifier::BOLD),
            time: Style::new().add_modifier(Modifier::DIM),
            author: Style::new(),
            kind: Style::new().add_modifier(Modifier::ITALIC),
            text: Style::new(),
            struck: Style::new().add_modifier(Modifier::CROSSED_OUT | Modifier::DIM),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            filter_on: Style::new().add_modifier(Modifier::BOLD),
            filter_off: Style::new().add_modifier(Modifier::DIM | Modifier::CROSSED_OUT),
            warning: Style::new().add_modifier(Modifier::BOLD),
        }
    }
}

/// Draws the pane with the default styles.
pub fn draw(frame: &mut Frame, area: Rect, state: &IncidentState, focused: bool) {
    draw_styled(frame, area, state, focused, &TimelineStyles::default());
}

pub fn draw_styled(frame: &mut Frame, area: Rect, state: &IncidentState, focused: bool, styles: &TimelineStyles) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { styles.border_focused } else { styles.border })
        .title(title(state));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [rows, footer] = inner.layout(&Layout::vertical([Constraint::Min(0), Constraint::Length(1)]));
    frame.render_widget(Paragraph::new(footer_line(state, styles)), footer);
    if state.id().is_none() {
        let mut lines = vec![Line::from("No incident. Press i to declare one.")];
        if !state.shared_open.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from("Open shared incidents (:join ID):"));
            for (id, title) in &state.shared_open {
                let text = format!("  {id}  {title}");
                lines.push(Line::from(crate::text::truncate_width(&crate::text::clean(&text), rows.width.into())));
            }
        }
        frame.render_widget(Paragraph::new(lines), rows);
        return;
    }
    let visible = state.visible();
    if visible.is_empty() {
        frame.render_widget(Paragraph::new("Nothing to show under this filter."), rows);
        return;
    }
    let height = rows.height as usize;
    let selected = state.selected();
    let offset = selected.map_or(0, |s| (s + 1).saturating_sub(height));
    let lines: Vec<Line> = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, e)| row(state, e, rows.width as usize, styles, focused && selected == Some(i)))
        .collect();
    frame.render_widget(Paragraph::new(lines), rows);
}

fn title(state: &IncidentState) -> String {
    let Some(id) = state.id() else {
        return " Incident ".to_string();
    };
    let t = state.timeline();
    let status = t.status.map_or("investigating".into(), |s| s.to_string());
    if state.share.is_none() {
        return format!(" Incident {id} · {status} · IC {} ", t.commander);
    }
    // Shared: who is in the room, the commander first.
    let people: Vec<String> =
        state.people().into_iter().map(|p| if p == t.commander { format!("{p} (commander)") } else { p }).collect();
    crate::text::clean(&format!(" Incident {id} · {status} · {} ", people.join(" · "))).into_owned()
}

fn footer_line<'a>(state: &IncidentState, styles: &TimelineStyles) -> Line<'a> {
    let mut spans: Vec<Span> = Vec::new();
    for kind in EntryKind::ALL {
        let style = if state.is_shown(kind) { styles.filter_on } else { styles.filter_off };
        spans.push(Span::styled(kind.label(), style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw(match state.time {
        TimeDisplay::Utc => "· times UTC".to_string(),
        TimeDisplay::Local(off) => format!("· times local ({off})"),
    }));
    if !state.warnings.is_empty() {
        let n = state.warnings.len();
        spans.push(Span::styled(format!(" · ⚠ {n} journal line(s) skipped"), styles.warning));
    }
    Line::from(spans)
}

fn time(at: DateTime<Utc>, display: TimeDisplay) -> String {
    match display {
        TimeDisplay::Utc => at.format("%H:%M:%S").to_string(),
        TimeDisplay::Local(off) => at.with_timezone(&off).format("%H:%M:%S").to_string(),
    }
}

fn row<'a>(state: &IncidentState, e: &Entry, width: usize, styles: &TimelineStyles, selected: bool) -> Line<'a> {
    let t = state.timeline();
    let Some(rec) = state.records().get(e.record) else {
        return Line::default();
    };
    let struck = matches!(rec.event, Event::Note { .. })
        && e.note_id.as_ref().and_then(|id| t.notes.get(id)).is_some_and(|n| n.struck.is_some());
    // Shared: who wrote it and from which machine (`bob@laptop`).
    let (who, author_w) = match (&state.share, rec.host.is_empty()) {
        (Some(_), false) => (format!("{}@{}", e.author, rec.host), SHARED_AUTHOR_WIDTH),
        _ => (e.author.clone(), AUTHOR_WIDTH),
    };
    let prefix = 8 + 1 + author_w + 1 + KIND_WIDTH + 1;
    let author = truncate_width(&crate::text::clean(&who), author_w);
    let text = truncate_width(&describe(rec, t), width.saturating_sub(prefix));
    let line = Line::from(vec![
        Span::styled(time(e.at, state.time), styles.time),
        Span::raw(" "),
        Span::styled(crate::text::pad_width(&author, author_w), styles.author),
        Span::raw(" "),
        Span::styled(format!("{:<KIND_WIDTH$}", e.kind.label()), styles.kind),
        Span::raw(" "),
        Span::styled(text, if struck { styles.struck } else { styles.text }),
    ]);
    if selected { line.style(styles.selected) } else { line }
}
