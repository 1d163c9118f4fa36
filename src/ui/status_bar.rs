//! The header (context, drill banner, counts) and the status bar (each
//! source's health, the prompt or a message, the help hint).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keymap::Action;
use crate::model::Severity;
use crate::state::sources::{Health, SourceHealth};
use crate::state::{PromptKind, State};
use crate::text::{clean, truncate_width};
use crate::theme::Role;

pub fn draw_header(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.prefs.theme;
    let mut spans = vec![Span::styled(" warroom ", theme.style(Role::Title))];
    if !state.contexts.active.is_empty() {
        spans.push(Span::styled(format!("ctx:{} ", clean(&state.contexts.active)), theme.style(Role::Header)));
    }
    if state.contexts.read_only {
        spans.push(Span::styled(" READ-ONLY ", theme.style(Role::FlashError)));
        spans.push(Span::raw(" "));
    }
    if let Some(scenario) = &state.contexts.drill {
        spans.push(Span::styled(format!(" DRILL {} ", clean(scenario)), theme.style(Role::Drill)));
        spans.push(Span::raw(" "));
    }
    let counts = &state.alerts.counts;
    for sev in [Severity::Critical, Severity::Warning, Severity::Info, Severity::Other] {
        if let Some(n) = counts.by_severity.get(&sev).filter(|n| **n > 0) {
            spans.push(Span::styled(format!("{n} {} ", sev.name()), theme.severity(sev)));
        }
    }
    let muted = crate::state::silences::mute_counts(state);
    if counts.muted_hidden > 0 {
        let hint = state.prefs.keymap.hint(Action::ToggleMuted);
        let text = format!("· {} muted hidden{} ({hint}) ", counts.muted_hidden, muted.detail());
        spans.push(Span::styled(text, theme.style(Role::Dim)));
    } else if state.alerts.show_muted {
        spans.push(Span::styled(format!("· showing muted{} ", muted.detail()), theme.style(Role::Dim)));
    }
    if !state.alerts.filter.is_empty() {
        let f = truncate_width(&clean(&state.alerts.filter), 30);
        spans.push(Span::styled(format!("· filter: {f} ({} hidden) ", counts.filtered_out), theme.style(Role::Prompt)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base()), area);
}

pub fn draw_status(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.prefs.theme;
    let line = if let Some(p) = &state.view.prompt.open {
        let lead = if p.kind == PromptKind::Command { ":" } else { "/" };
        // The cursor is the character under it, reversed (a block at the end).
        let at = crate::state::prompt::cursor_byte(state, &p.input);
        let (before, rest) = p.input.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next().map_or_else(|| " ".to_string(), |c| clean(&c.to_string()).into_owned());
        let cursor = theme.style(Role::Prompt).add_modifier(ratatui::style::Modifier::REVERSED);
        let mut spans = vec![
            Span::styled(format!("{lead}{}", clean(before)), theme.style(Role::Prompt)),
            Span::styled(under, cursor),
            Span::styled(clean(chars.as_str()).into_owned(), theme.style(Role::Prompt)),
        ];
        if let Some(s) = crate::state::prompt::suggestion(state) {
            spans.push(Span::styled(clean(&s).into_owned(), theme.style(Role::Dim)));
        }
        spans.push(Span::styled("   Tab complete · Enter apply · Esc cancel", theme.style(Role::Dim)));
        Line::from(spans)
    } else {
        let mut spans: Vec<Span> = Vec::new();
        let width = usize::from(area.width);
        // An error comes first, with the whole width if it needs it: behind
        // the sources' health it was cut at the screen's edge, its reason
        // ("No space left on device") with it.
        let error = state.view.flash.as_ref().filter(|f| f.error);
        if let Some(f) = error {
            spans.push(Span::styled(truncate_width(&clean(&f.text), width), theme.style(Role::FlashError)));
            spans.push(Span::raw("  "));
        }
        if let Some(text) = unwritten(state) {
            spans.push(Span::styled(truncate_width(&text, width), theme.style(Role::FlashError)));
            spans.push(Span::raw("  "));
        }
        if let Some(share) = &state.incident.share {
            let (text, bad) = share.summary();
            let style = if bad { theme.style(Role::FlashError) } else { theme.style(Role::StatusUp) };
            spans.push(Span::styled(truncate_width(&clean(&text), width), style));
            spans.push(Span::raw("  "));
        }
        for s in &state.contexts.sources {
            spans.extend(source_spans(state, s));
            spans.push(Span::raw("  "));
        }
        match &state.view.flash {
            Some(f) if f.error => {}
            Some(f) => spans.push(Span::styled(truncate_width(&clean(&f.text), 80), theme.style(Role::FlashInfo))),
            None => spans
                .push(Span::styled(format!("{} help", state.prefs.keymap.hint(Action::Help)), theme.style(Role::Dim))),
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line).style(theme.base()), area);
}

/// "3 events not yet written (No space left on device)": captured events
/// the journal could not take, kept and retried every second.
pub fn unwritten(state: &State) -> Option<String> {
    let n = state.incident.unwritten().len();
    if n == 0 {
        return None;
    }
    let what = if n == 1 { "event" } else { "events" };
    let why = state.incident.unwritten_error.as_deref().map(|e| format!(" ({})", clean(e))).unwrap_or_default();
    Some(format!("{n} {what} not yet written{why}"))
}

/// "prom ● up", "am ● slow 2.1s", "loki ✖ down 3m: connection refused".
fn source_spans<'a>(state: &State, s: &SourceHealth) -> Vec<Span<'a>> {
    let theme = &state.prefs.theme;
    let name = format!("{} ", truncate_width(&clean(&s.name), 24));
    let (mark, text, style): (&str, String, Style) = match &s.health {
        Health::Unknown => ("○", "…".into(), theme.style(Role::Dim)),
        Health::Up => ("●", "up".into(), theme.style(Role::StatusUp)),
        Health::Slow(d) => ("●", format!("slow {:.1}s", d.as_secs_f64()), theme.style(Role::StatusSlow)),
        Health::Down { error, since } => {
            let stale = match s.last_ok {
                Some(t) => format!(", data {} old", format_age_minutes(state, t)),
                None => String::new(),
            };
            (
                "✖",
                format!("down {}{stale}: {}", format_age_minutes(state, *since), crate::text::brief(error)),
                theme.style(Role::StatusDown),
            )
        }
    };
    vec![
        Span::styled(format!("{} ", s.id.kind.short()), theme.style(Role::Dim)),
        Span::styled(name, theme.style(Role::LabelValue)),
        Span::styled(format!("{mark} {text}"), style),
    ]
}

/// Ages in the status bar change once a minute at most, so an idle screen
/// with a source down does not repaint every second.
fn format_age_minutes(state: &State, t: chrono::DateTime<chrono::Utc>) -> String {
    crate::state::sources::format_age_coarse(state.clock.now - t)
}

#[cfg(test)]
mod tests {
    use crate::incident::{Event, ReadOutcome, Record};
    use crate::msg::{IncidentMsg, Msg};
    use crate::state::tests::state;
    use crate::state::update;

    /// Captured events the disk refused: how many and why, until written.
    #[test]
    fn events_the_journal_refused_are_counted_with_the_reason() {
        let mut s = state();
        s.incident.load("2026-11-22-api", ReadOutcome::default());
        assert_eq!(super::unwritten(&s), None);
        let error = "No space left on device (os error 28): cannot write to /inc/journal.jsonl\u{1b}[2J".to_string();
        for n in 0..2 {
            let rec = Record::new(s.clock.now, "me", Event::SilenceExpired { id: format!("s{n}") });
            update(&mut s, Msg::Incident(IncidentMsg::CaptureFailed { record: Box::new(rec), error: error.clone() }));
        }
        let notice = super::unwritten(&s).expect("a notice");
        assert!(notice.starts_with("2 events not yet written (No space left on device (os error 28)"), "{notice}");
        assert!(!notice.contains('\u{1b}'), "the error is cleaned: {notice:?}");
    }
}
