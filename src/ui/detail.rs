//! The selected alert, whole: state and times, summary and description, all
//! labels and annotations, links, and who reported it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::model::Alert;
use crate::state::schedule::detail_lines;
use crate::state::signals::format_value;
use crate::state::sources::format_age;
use crate::state::{Pane, State};
use crate::text::{clean, clean_multiline, truncate_width};
use crate::ui::sparkline;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let focused = state.focus == Pane::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(" Detail ", theme.style("title")));
    let inner_width = block.inner(area).width;
    let lines = match state.alerts.selected() {
        Some(b) => {
            let mut lines = alert_lines(state, &b.alert);
            let signals = signal_lines(state, &b.alert, inner_width);
            if !signals.is_empty() {
                lines.splice(2..2, signals);
            }
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
    if let Some(ack) = state.silences.ack_for(a, state.now) {
        let until = ack.ends_at.format("%H:%M UTC");
        let text = format!("✓ {} (until {until}, silence {})", clean(&ack.describe(state.now)), clean(&ack.silence_id));
        lines.push(Line::styled(text, theme.style("flash_info")));
    }
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

/// Width of the name and value columns around each detail sparkline.
const NAME_W: usize = 13;
const VALUE_W: usize = 34;

/// The alert's expression and its service's golden signals, each a
/// sparkline with the current value, min and max, the alert's start marked.
fn signal_lines(state: &State, a: &Alert, width: u16) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let spark_w = (width as usize).saturating_sub(NAME_W + VALUE_W + 2).clamp(10, 120);
    state.detail_spark_width.set(spark_w as u16);
    let mut rows = Vec::new();
    for l in detail_lines(state, a) {
        let Some(cached) = state.signals.cache.get(&l.key) else { continue };
        let series = if l.own { state.signals.alert_series(a, &l.key) } else { cached.series.first() };
        let mut spans =
            vec![Span::styled(format!("{:<NAME_W$}", truncate_width(&l.name, NAME_W - 1)), theme.style("label_key"))];
        match (series, &cached.error) {
            (_, Some(e)) => {
                spans.push(Span::styled(truncate_width(&e.short(), spark_w + VALUE_W), theme.style("flash_error")))
            }
            (None, None) => spans.push(Span::styled("no data", theme.style("dim"))),
            (Some(s), None) => {
                let mark = Some(a.starts_at.timestamp() as f64);
                let style = theme.style("info");
                let (sp, values) = sparkline::spans(
                    &s.samples,
                    cached.end as f64,
                    l.key.step_secs as f64,
                    spark_w,
                    mark,
                    style,
                    theme.severity(a.severity()),
                );
                spans.extend(sp);
                let now = values.iter().rev().flatten().next().copied().unwrap_or(f64::NAN);
                let (lo, hi) = sparkline::range(&values).unwrap_or((f64::NAN, f64::NAN));
                let text = format!(
                    " {} (min {} max {})",
                    format_value(now, l.unit),
                    format_value(lo, l.unit),
                    format_value(hi, l.unit)
                );
                spans.push(Span::styled(text, theme.style("label_value")));
            }
        }
        rows.push(Line::from(spans));
    }
    let mut out = Vec::new();
    if let Some(rule) = state.signals.rule_for(a) {
        out.push(Line::default());
        out.push(kv(state, "expr", &rule.query));
    }
    if !rows.is_empty() {
        out.push(Line::default());
        out.push(Line::styled("Signals", theme.style("header")));
        out.extend(rows);
    }
    out
}

fn kv(state: &State, key: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{}: ", clean(key)), state.theme.style("label_key")),
        Span::styled(clean(value).into_owned(), state.theme.style("label_value")),
    ])
}
