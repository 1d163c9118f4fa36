//! The selected alert, whole: state and times, summary and description, all
//! labels and annotations, links, and who reported it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::model::Alert;
use crate::state::sources::format_age;
use crate::state::{Pane, State};
use crate::text::{clean, clean_multiline};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let focused = state.focus == Pane::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(" Detail ", theme.style("title")));
    let lines = match state.alerts.selected() {
        Some(b) => {
            let mut lines = alert_lines(state, &b.alert);
            if b.stale {
                lines.insert(1, Line::styled("stale: every source that reported it is down", theme.style("stale")));
            }
            lines
        }
        None => vec![Line::styled("no alert selected", theme.style("dim"))],
    };
    let p = Paragraph::new(lines)
        .block(block)
        .style(theme.base())
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0));
    frame.render_widget(p, area);
}

fn alert_lines(state: &State, a: &Alert) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let sev = a.severity();
    let mut lines = vec![Line::from(vec![
        Span::styled(clean(a.name()).into_owned(), theme.severity(sev)),
        Span::styled(format!("  {} ", sev.name()), theme.severity(sev)),
        Span::styled(a.state.name().to_string(), theme.state(a.state)),
    ])];
    let since = a.starts_at.format("%Y-%m-%d %H:%M:%S UTC");
    lines
        .push(Line::styled(format!("since {since} ({} ago)", format_age(state.now - a.starts_at)), theme.style("age")));
    if let Some(v) = &a.value {
        lines.push(kv(state, "value", v));
    }
    for key in ["summary", "description"] {
        if let Some(text) = a.annotations.get(key) {
            lines.push(Line::default());
            for l in clean_multiline(text).lines() {
                lines.push(Line::styled(l.to_string(), theme.style("label_value")));
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("Labels", theme.style("header")));
    for (k, v) in &a.labels {
        lines.push(kv(state, k, v));
    }
    let others: Vec<_> =
        a.annotations.iter().filter(|(k, _)| !matches!(k.as_str(), "summary" | "description")).collect();
    if !others.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Annotations", theme.style("header")));
        for (k, v) in others {
            lines.push(kv(state, k, v));
        }
    }
    lines.push(Line::default());
    if let Some(url) = &a.generator_url {
        lines.push(kv(state, "generatorURL", url));
    }
    lines.push(kv(state, "fingerprint", &a.fingerprint));
    lines.push(kv(state, "reported by", &a.sources.join(", ")));
    if !a.receivers.is_empty() {
        lines.push(kv(state, "receivers", &a.receivers.join(", ")));
    }
    if !a.silenced_by.is_empty() {
        lines.push(kv(state, "silenced by", &a.silenced_by.join(", ")));
    }
    if !a.inhibited_by.is_empty() {
        lines.push(kv(state, "inhibited by", &a.inhibited_by.join(", ")));
    }
    lines
}

fn kv(state: &State, key: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{}: ", clean(key)), state.theme.style("label_key")),
        Span::styled(clean(value).into_owned(), state.theme.style("label_value")),
    ])
}
