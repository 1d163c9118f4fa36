//! `:dash`: the dashboard picker, and a dashboard full screen: its header
//! (title, time range, variables) and one box per panel on screen. Every
//! string from the file or the server is cleaned and cut to its box.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::dashboard::layout::PanelRef;
use crate::dashboard::table::{self, Cell, Frame as TableFrame, Table};
use crate::dashboard::units::{FieldType, Look, display, fill_display_name, for_series, format};
use crate::dashboard::{Panel, PanelKind};
use crate::model::metrics::Series;
use crate::msg::live::LiveAnswer;
use crate::runbook::render::wrap_lines;
use crate::state::State;
use crate::state::dashboard::{Open, PanelQuery, VarStatus, panels_area, shown_value};
use crate::state::signals::Cached;
use crate::text::{clean, truncate_width, width};
use crate::theme::{Role, Theme};

mod pick;

/// Series listed or drawn in one panel at most.
const MAX_SERIES: usize = 6;
/// Markdown events a text panel lays out per frame at most.
const TEXT_EVENTS: usize = 5_000;
/// A heatmap's series (buckets) at most.
const MAX_BUCKETS: usize = 200;
/// A heatmap cell's shades, empty to the largest.
const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    if let Some(picker) = &state.dashboard.picker {
        pick::draw_picker(frame, area, state, picker);
    } else if let Some(open) = &state.dashboard.open {
        frame.render_widget(Clear, area);
        draw_open(frame, area, state, open);
        if let Some(values) = &open.values {
            pick::draw_values(frame, area, state, open, values);
        }
    }
}

fn draw_open(frame: &mut Frame, area: Rect, state: &State, open: &Open) {
    let theme = &state.prefs.theme;
    let w = usize::from(area.width);
    let mut title = format!(" {} · {}", clean(&open.dash.title), open.range_text);
    if let Some(a) = &open.from_alert {
        title.push_str(&format!(" · from {}", clean(a)));
    }
    if open.cut > 0 {
        title.push_str(&format!(
            " · {} repeated copies not shown (over {} panels)",
            open.cut,
            crate::dashboard::MAX_PANELS
        ));
    }
    let head = Line::styled(truncate_width(&title, w), theme.style(Role::Title));
    frame.render_widget(Paragraph::new(head), Rect { height: 1.min(area.height), ..area });
    if area.height >= 2 {
        let vars = Rect { y: area.y + 1, height: 1, ..area };
        frame.render_widget(Paragraph::new(variables_line(open, theme, w)), vars);
    }
    let panels = panels_area(area);
    let selected = open.selected_ref();
    for (r, rect) in open.placed(panels) {
        if let Some(p) = open.panel(r) {
            draw_panel(frame, rect, state, open, p, Some(r) == selected || open.full == Some(r));
        }
    }
}

/// ` $job=node  $instance=…  Tab next · v value`: each variable and its
/// value (or why it has none), the selected one highlighted.
fn variables_line(open: &Open, theme: &Theme, w: usize) -> Line<'static> {
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0;
    if open.dash.variables.is_empty() {
        return Line::styled(
            truncate_width(" no variables · j/k panels · c full size · Esc close", w),
            theme.style(Role::Dim),
        );
    }
    for (i, v) in open.dash.variables.iter().enumerate() {
        let value = match &open.status[i] {
            VarStatus::Ready => shown_value(v),
            VarStatus::Pending(_) => format!("{}…", shown_value(v)),
            VarStatus::Failed(why) => format!("{} (unresolved: {why})", shown_value(v)),
        };
        let name = v.label.clone().filter(|l| !l.is_empty()).unwrap_or_else(|| v.name.clone());
        let text = truncate_width(&clean(&format!(" {name}={value} ")), 60);
        let cost = width(&text);
        if used + cost > w {
            break;
        }
        used += cost;
        let style = match (&open.status[i], i == open.selected_var) {
            (_, true) => theme.style(Role::Selected),
            (VarStatus::Failed(_), _) => theme.style(Role::FlashError),
            _ => theme.base(),
        };
        spans.push(Span::styled(text, style));
    }
    let hint = " Tab variable · v next · V choose";
    if used + width(hint) <= w {
        spans.push(Span::styled(hint, theme.style(Role::Dim)));
    }
    Line::from(spans)
}

/// A panel's own time, as its title says it unless `hideTimeOverride`:
/// `last 24h`, `1d earlier`, or both.
fn time_note(panel: &Panel) -> Option<String> {
    let t = panel.time;
    if t.hidden || !t.is_set() {
        return None;
    }
    let span = |s: u64| crate::dashboard::interpolate::duration(s * 1000);
    let parts: Vec<String> =
        [t.from_secs.map(|s| format!("last {}", span(s))), t.shift_secs.map(|s| format!("{} earlier", span(s)))]
            .into_iter()
            .flatten()
            .collect();
    Some(parts.join(", "))
}

fn draw_panel(frame: &mut Frame, rect: Rect, state: &State, open: &Open, panel: &Panel, selected: bool) {
    let theme = &state.prefs.theme;
    let w = usize::from(rect.width);
    if panel.kind == PanelKind::Row {
        let shown = open.toggled.contains(&row_index(open, panel)) == panel.collapsed;
        let mark = if shown { "▾" } else { "▸" };
        let count = if panel.collapsed { format!(" ({} panels)", panel.children.len()) } else { String::new() };
        let text = truncate_width(&format!("{mark} {}{count}", clean(&panel.title)), w);
        let style = if selected { theme.style(Role::Selected) } else { theme.style(Role::Title) };
        frame.render_widget(Paragraph::new(Line::styled(text, style)), rect);
        return;
    }
    let title = match time_note(panel) {
        Some(note) => format!("{} · {note}", clean(&panel.title)),
        None => clean(&panel.title).into_owned(),
    };
    let title = truncate_width(&title, w.saturating_sub(4));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(selected))
        .title(Span::styled(format!(" {title} "), theme.style(Role::Title)));
    let inner = block.inner(rect);
    let message = |frame: &mut Frame, text: String, style: Style| {
        let lines = wrap_lines(vec![Line::styled(text, style)], inner.width);
        frame.render_widget(Paragraph::new(lines).block(block.clone()), rect);
    };
    match &panel.kind {
        PanelKind::Text => {
            // Rendered as the runbook pane renders markdown (headings,
            // emphasis, lists, code, links), within a bounded amount of work.
            let md = panel.content.as_deref().unwrap_or_default();
            let styles = crate::runbook::render::RunbookStyles::default();
            let limit = crate::runbook::render::Limit::Events(TEXT_EVENTS);
            let doc = crate::runbook::render::render_limited(md, inner.width, &styles, limit);
            frame.render_widget(Paragraph::new(doc.lines).block(block), rect);
            return;
        }
        _ if !open.loki_queries(panel).is_empty() => {
            let lines = loki_lines(state, open, panel, inner);
            frame.render_widget(Paragraph::new(lines).block(block), rect);
            return;
        }
        PanelKind::AlertList => {
            let lines = alert_lines(state, panel, inner);
            frame.render_widget(Paragraph::new(lines).block(block), rect);
            return;
        }
        PanelKind::Logs | PanelKind::Unsupported(_) | PanelKind::Library(_) | PanelKind::Row => {
            let name = clean(&panel.kind.name()).into_owned();
            return message(frame, format!("panel type {name}: not shown in warroom"), theme.style(Role::Dim));
        }
        _ => {}
    }
    if let Some(ds) = open.foreign(panel) {
        let ds = truncate_width(&clean(&ds), 30);
        return message(frame, format!("datasource {ds}: warroom queries Prometheus only"), theme.style(Role::Dim));
    }
    if !state.dashboard.cache.enabled {
        return message(frame, "no Prometheus configured".into(), theme.style(Role::Dim));
    }
    let queries = open.queries(panel, rect.width.saturating_sub(2));
    if queries.is_empty() {
        return message(frame, "no query".into(), theme.style(Role::Dim));
    }
    let mut series: Vec<(&Series, String)> = Vec::new();
    // Each series' unit, colour and name, after the panel's overrides.
    let mut looks: Vec<Look> = Vec::new();
    // A table of columns: each query's series as rows of labels and value.
    let columns = panel.kind == PanelKind::Table && table::is_columns(panel);
    let mut frames: Vec<TableFrame> = Vec::new();
    // A heatmap's every series (a histogram's buckets), not the top few.
    let mut buckets: Vec<(&crate::model::Labels, &[(f64, f64)])> = Vec::new();
    let mut end = 0;
    for q in &queries {
        let Some(cached) = state.dashboard.cache.cache.get(&q.key) else { continue };
        if let Some(e) = &cached.tries.error {
            let text = format!("{}: {}", clean(&q.ref_id), clean(&e.to_string()));
            return message(frame, text, theme.style(Role::FlashError));
        }
        end = end.max(cached.end);
        if columns {
            let rows = cached.series.iter().take(table::MAX_ROWS).map(|s| (&s.labels, last(s))).collect();
            frames.push(TableFrame { ref_id: &q.ref_id, rows });
            continue;
        }
        if panel.kind == PanelKind::Heatmap {
            buckets.extend(cached.series.iter().take(MAX_BUCKETS).map(|s| (&s.labels, s.samples.as_slice())));
            continue;
        }
        for (s, label, name) in named(cached, q) {
            let look = for_series(&panel.field, &panel.overrides, &[&name], &q.ref_id, FieldType::Number);
            if look.hidden {
                continue;
            }
            let label = match &look.name {
                Some(t) => truncate_width(&clean(&fill_display_name(t, &name, &s.labels)), 80),
                None => label,
            };
            looks.push(look);
            series.push((s, label));
        }
    }
    let answered = queries.iter().any(|q| state.dashboard.cache.cache.contains_key(&q.key));
    if !answered {
        return message(frame, "loading…".into(), theme.style(Role::Dim));
    }
    if series.is_empty() && buckets.is_empty() && frames.iter().all(|f| f.rows.is_empty()) {
        return message(frame, "No data".into(), theme.style(Role::Dim));
    }
    if columns {
        return draw_columns(frame, rect, block, &table::build(panel, &frames), theme);
    }
    if panel.kind == PanelKind::Heatmap {
        let window = (end as f64 - open.window_of(panel) as f64, open.window_of(panel) as f64);
        return draw_heatmap(frame, rect, block, &buckets, panel, window, state);
    }
    match panel.kind {
        PanelKind::Timeseries | PanelKind::Graph => {
            let x = (end as f64 - open.window_of(panel) as f64, end as f64);
            let step = queries[0].key.step_secs;
            // One axis: the overrides' unit when every series has the same.
            let unit = match looks.first() {
                Some(f) if looks.iter().all(|g| g.field.unit == f.field.unit) => f.field.unit.clone(),
                _ => panel.field.unit.clone(),
            };
            let decimals = panel.field.decimals;
            let fmt = move |v: f64| format(v, unit.as_deref(), decimals);
            let series: Vec<(&Series, String)> =
                series.into_iter().map(|(s, l)| (s, truncate_width(&l, usize::from(inner.width / 2)))).collect();
            // An override's fixed colour for its series' line.
            let fixed: Vec<Option<Color>> =
                looks.iter().map(|l| l.color.as_deref().and_then(|c| colour(Some(c), theme).fg)).collect();
            let axis = super::chart::TimeAxis { x, step_secs: step, tz: state.clock.local_offset };
            super::chart::lines(frame, rect, block, &series, &fixed, axis, &fmt, theme);
        }
        PanelKind::Table => {
            let lines: Vec<Line> = series
                .iter()
                .zip(&looks)
                .take(usize::from(inner.height))
                .map(|((s, label), look)| {
                    let (value, color) = display(last(s), &look.field);
                    let color = look.color.clone().or(color);
                    let value_w = width(&value) + 1;
                    let label = truncate_width(label, usize::from(inner.width).saturating_sub(value_w));
                    let pad = usize::from(inner.width).saturating_sub(width(&label) + width(&value));
                    Line::from(vec![
                        Span::raw(format!("{label}{}", " ".repeat(pad))),
                        Span::styled(value, colour(color.as_deref(), theme)),
                    ])
                })
                .collect();
            frame.render_widget(Paragraph::new(lines).block(block), rect);
        }
        PanelKind::PieChart => draw_pie(frame, rect, block, &series, &looks, panel, theme),
        _ => draw_stat(frame, rect, block, &series, &looks, panel, open, end, theme),
    }
}

/// A heatmap: a row per bucket (its upper bound on the left, highest on
/// top), a column per time step over the range, each cell shaded by its
/// share of the largest (blue, cyan, yellow, red as it grows); the times
/// under it.
fn draw_heatmap(
    frame: &mut Frame,
    rect: Rect,
    block: Block,
    buckets: &[(&crate::model::Labels, &[(f64, f64)])],
    panel: &Panel,
    (start, window): (f64, f64),
    state: &State,
) {
    let theme = &state.prefs.theme;
    let inner = block.inner(rect);
    let (iw, ih) = (usize::from(inner.width), usize::from(inner.height));
    let label_w = (iw / 4).min(10);
    let cols = iw.saturating_sub(label_w + 1);
    if ih < 2 || cols == 0 {
        frame.render_widget(block, rect);
        return;
    }
    let (unit, decimals) = (panel.field.unit.as_deref(), panel.field.decimals);
    let heat = crate::dashboard::heatmap::build(buckets, (start, window / cols as f64, cols), ih - 1, &|v| {
        format(v, unit, decimals)
    });
    let shade = |level: usize| -> Style {
        const RAMP: [Color; 4] = [Color::Blue, Color::Cyan, Color::Yellow, Color::Red];
        if theme.no_color || level == 0 { theme.base() } else { theme.base().fg(RAMP[level - 1]) }
    };
    let mut lines: Vec<Line> = Vec::new();
    // Each bucket as tall as the box allows, named on its top line.
    let tall = ((ih - 1) / heat.rows.len().max(1)).max(1);
    for ((name, values), line) in heat.rows.iter().flat_map(|r| (0..tall).map(move |i| (r, i))) {
        let name = if line == 0 { truncate_width(&clean(name), label_w) } else { String::new() };
        let mut spans =
            vec![Span::styled(format!("{}{name} ", " ".repeat(label_w - width(&name))), theme.style(Role::Dim))];
        // One span per run of equal shades.
        let mut run = (0usize, String::new());
        for v in values {
            let level = crate::dashboard::heatmap::level(*v, heat.max);
            if level != run.0 && !run.1.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut run.1), shade(run.0)));
            }
            run.0 = level;
            run.1.push(SHADES[level]);
        }
        spans.push(Span::styled(run.1, shade(run.0)));
        lines.push(Line::from(spans));
    }
    let at = |t: f64| {
        chrono::DateTime::from_timestamp(t as i64, 0)
            .map(|d| d.with_timezone(&state.clock.local_offset).format("%H:%M").to_string())
            .unwrap_or_default()
    };
    let (a, b) = (at(start), at(start + window));
    let gap = cols.saturating_sub(width(&a) + width(&b));
    let axis = truncate_width(&format!("{}{a}{}{b}", " ".repeat(label_w + 1), " ".repeat(gap)), iw);
    lines.push(Line::styled(axis, theme.style(Role::Dim)));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// An alert list: the console's own alerts (the board's, muted ones
/// left out) that the panel's options keep — name, label matchers, firing
/// or pending — sorted as it says, one a line: severity, name, the labels
/// that tell them apart, age; or, as `viewMode: stat`, how many.
fn alert_lines(state: &State, panel: &Panel, inner: Rect) -> Vec<Line<'static>> {
    use crate::model::AlertState;
    let theme = &state.prefs.theme;
    let iw = usize::from(inner.width);
    let Some(o) = &panel.alerts else { return Vec::new() };
    let name = o.name.to_lowercase();
    let mut alerts: Vec<&crate::model::Alert> = state
        .alerts
        .alerts
        .iter()
        .map(|b| b.alert.as_ref())
        .filter(|a| match a.state {
            AlertState::Firing | AlertState::Unprocessed => o.firing,
            AlertState::Pending => o.pending,
            AlertState::Silenced | AlertState::Inhibited => false,
        })
        .filter(|a| name.is_empty() || a.name().to_lowercase().contains(&name))
        .filter(|a| o.labels.iter().all(|m| m.matches(&a.labels)))
        .collect();
    match o.sort {
        2 => alerts.sort_by(|a, b| b.name().cmp(a.name())),
        3 => alerts.sort_by(|a, b| a.severity().cmp(&b.severity()).then(a.starts_at.cmp(&b.starts_at))),
        4 => alerts.sort_by_key(|a| a.starts_at),
        5 => alerts.sort_by_key(|a| std::cmp::Reverse(a.starts_at)),
        _ => alerts.sort_by(|a, b| a.name().cmp(b.name())),
    }
    if o.stat {
        let style = if alerts.is_empty() { theme.style(Role::Dim) } else { theme.severity(alerts[0].severity()) };
        return vec![Line::styled(format!("{}", alerts.len()), style.add_modifier(Modifier::BOLD))];
    }
    if alerts.is_empty() {
        return vec![Line::styled("No alerts", theme.style(Role::Dim))];
    }
    let room = usize::from(inner.height);
    let limit = if o.max > 0 { o.max.min(room) } else { room };
    let more = alerts.len().saturating_sub(limit);
    let shown = if more > 0 { limit.saturating_sub(1) } else { alerts.len() };
    let mut out: Vec<Line<'static>> = alerts
        .iter()
        .take(shown)
        .map(|a| {
            let sev = a.severity();
            let age = crate::state::sources::format_age_coarse(state.clock.now - a.starts_at);
            let tag = if a.state == AlertState::Pending { "PEND" } else { super::alerts::severity_tag(sev) };
            let labels: Vec<String> = a
                .labels
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
                .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
                .collect();
            let head = format!("{tag} {} ", clean(a.name()));
            let tail = format!(" {age}");
            let mid = truncate_width(&labels.join(","), iw.saturating_sub(width(&head) + width(&tail)));
            let pad = iw.saturating_sub(width(&head) + width(&mid) + width(&tail));
            let head = truncate_width(&head, iw);
            Line::from(vec![
                Span::styled(head, theme.severity(sev)),
                Span::styled(format!("{mid}{}", " ".repeat(pad)), theme.style(Role::Dim)),
                Span::styled(truncate_width(&tail, iw.saturating_sub(width(&mid) + pad)), theme.style(Role::Age)),
            ])
        })
        .collect();
    if more > 0 || (o.max > 0 && alerts.len() > o.max) {
        let hidden = alerts.len() - shown;
        out.push(Line::styled(truncate_width(&format!("… {hidden} more"), iw), theme.style(Role::Dim)));
    }
    out
}

/// A pie chart as a terminal can draw one: each slice (series, its calc)
/// on a line, largest first — its name, a bar as long as its share, the
/// share and the value — in its fixed colour or the palette's.
fn draw_pie(
    frame: &mut Frame,
    rect: Rect,
    block: Block,
    series: &[(&Series, String)],
    looks: &[Look],
    panel: &Panel,
    theme: &Theme,
) {
    let inner = block.inner(rect);
    let iw = usize::from(inner.width);
    let calc = panel.calcs.first().map_or("lastNotNull", String::as_str);
    let mut slices: Vec<(&str, f64, &Look, usize)> = series
        .iter()
        .zip(looks)
        .enumerate()
        .filter_map(|(i, ((s, label), look))| Some((label.as_str(), reduce(s, calc)?, look, i)))
        .filter(|(_, v, _, _)| v.is_finite() && *v >= 0.0)
        .collect();
    slices.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total: f64 = slices.iter().map(|s| s.1).sum();
    let name_w = slices.iter().map(|s| width(s.0)).max().unwrap_or(0).min(iw / 3);
    let mut lines = Vec::new();
    for (label, v, look, i) in slices.into_iter().take(usize::from(inner.height)) {
        let share = if total > 0.0 { v / total } else { 0.0 };
        let value = display(Some(v), &look.field).0;
        let tail = format!(" {:>3.0}% {value}", share * 100.0);
        let bar_w = iw.saturating_sub(name_w + 1 + width(&tail));
        let filled = (share * bar_w as f64).round() as usize;
        let name = truncate_width(label, name_w);
        let pad = " ".repeat(name_w - width(&name));
        let style = match look.color.as_deref() {
            Some(c) => colour(Some(c), theme),
            None if theme.no_color => theme.base(),
            None => Style::default().fg(super::chart::COLORS[i % super::chart::COLORS.len()]),
        };
        let text = truncate_width(&format!("{}{}", "█".repeat(filled), " ".repeat(bar_w - filled)), bar_w);
        lines.push(Line::from(vec![
            Span::raw(format!("{name}{pad} ")),
            Span::styled(text, style),
            Span::raw(truncate_width(&tail, iw.saturating_sub(name_w + 1 + bar_w))),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled("No data", theme.style(Role::Dim)));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// A table of columns: a header, then as many rows as fit (the last line
/// says how many more), columns as wide as their widest cell (at most 40)
/// and narrowed, widest first, until they fit; values right-aligned in
/// their unit and threshold colour.
fn draw_columns(frame: &mut Frame, rect: Rect, block: Block, table: &Table, theme: &Theme) {
    let inner = block.inner(rect);
    let iw = usize::from(inner.width);
    if table.columns.is_empty() {
        let line = Line::styled("every column is hidden", theme.style(Role::Dim));
        frame.render_widget(Paragraph::new(line).block(block), rect);
        return;
    }
    let cells: Vec<Vec<(String, Option<String>)>> = table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&table.columns)
                .map(|(c, col)| match c {
                    Cell::Text(t) => (clean(t).into_owned(), None),
                    Cell::Value(None) if !col.numeric => (String::new(), None),
                    Cell::Value(v) => {
                        let (text, color) = display(*v, &col.look.field);
                        (text, col.look.color.clone().or(color))
                    }
                })
                .collect()
        })
        .collect();
    let titles: Vec<String> = table.columns.iter().map(|c| clean(&c.title).into_owned()).collect();
    let n = titles.len();
    let mut widths: Vec<usize> = (0..n)
        .map(|i| cells.iter().map(|r| width(&r[i].0)).chain([width(&titles[i])]).max().unwrap_or(1).clamp(1, 40))
        .collect();
    while widths.iter().sum::<usize>() + n - 1 > iw {
        let Some((i, w)) = widths.iter().copied().enumerate().max_by_key(|(_, w)| *w) else { break };
        if w <= 1 {
            break;
        }
        widths[i] -= 1;
    }
    let line = |texts: Vec<(String, Style)>| -> Line<'static> {
        let mut spans = Vec::new();
        let mut used = 0;
        for (i, (text, style)) in texts.into_iter().enumerate() {
            let gap = usize::from(i > 0);
            if used + gap + widths[i] > iw {
                break;
            }
            let text = truncate_width(&text, widths[i]);
            let pad = " ".repeat(widths[i] - width(&text));
            let cell = if table.columns[i].numeric { format!("{pad}{text}") } else { format!("{text}{pad}") };
            spans.push(Span::raw(" ".repeat(gap)));
            spans.push(Span::styled(cell, style));
            used += gap + widths[i];
        }
        Line::from(spans)
    };
    let head = theme.style(Role::Title).add_modifier(Modifier::BOLD);
    let mut lines = vec![line(titles.into_iter().map(|t| (t, head)).collect())];
    let room = usize::from(inner.height).saturating_sub(1);
    let more = cells.len().saturating_sub(room);
    let shown = if more > 0 { room.saturating_sub(1) } else { cells.len() };
    for r in cells.into_iter().take(shown) {
        lines.push(line(r.into_iter().map(|(t, c)| (t, colour(c.as_deref(), theme))).collect()));
    }
    if more > 0 && room > 0 {
        let text = truncate_width(&format!("… {} more rows", more + 1), iw);
        lines.push(Line::styled(text, theme.style(Role::Dim)));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// A Loki panel's lines (newest at the bottom, as logcli prints them) or
/// metric values, each query's in turn; its error in the source's words.
fn loki_lines(state: &State, open: &Open, panel: &Panel, inner: Rect) -> Vec<Line<'static>> {
    let theme = &state.prefs.theme;
    let iw = usize::from(inner.width);
    if !state.logs.follow.enabled {
        return vec![Line::styled("no Loki configured (--loki URL)", theme.style(Role::Dim))];
    }
    let mut out: Vec<Line<'static>> = Vec::new();
    for q in open.loki_queries(panel) {
        match open.logs.get(&q).and_then(|e| e.answer.as_ref()) {
            None => out.push(Line::styled("loading…", theme.style(Role::Dim))),
            Some(Err(e)) => out.push(Line::styled(truncate_width(&clean(e), iw), theme.style(Role::FlashError))),
            Some(Ok(LiveAnswer::Logs { count, lines })) => {
                if lines.is_empty() {
                    out.push(Line::styled("No data", theme.style(Role::Dim)));
                    continue;
                }
                let room = usize::from(inner.height).saturating_sub(out.len() + 1).max(1);
                out.push(Line::styled(
                    truncate_width(&format!("{count} lines · newest {}", lines.len().min(room)), iw),
                    theme.style(Role::Dim),
                ));
                for l in lines.iter().skip(lines.len().saturating_sub(room)) {
                    let at = chrono::DateTime::from_timestamp_nanos(l.ts_ns).with_timezone(&state.clock.local_offset);
                    let stamp = at.format("%H:%M:%S ").to_string();
                    let text = truncate_width(&clean(&l.line), iw.saturating_sub(stamp.len()));
                    out.push(Line::from(vec![Span::styled(stamp, theme.style(Role::Age)), Span::raw(text)]));
                }
            }
            Some(Ok(LiveAnswer::Series { top, .. })) => {
                for s in top {
                    let value = format(s.value, panel.field.unit.as_deref(), panel.field.decimals);
                    let labels = s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
                    let label = truncate_width(&clean(&labels), iw.saturating_sub(width(&value) + 1));
                    let pad = iw.saturating_sub(width(&label) + width(&value));
                    out.push(Line::from(vec![Span::raw(format!("{label}{}", " ".repeat(pad))), Span::raw(value)]));
                }
            }
        }
    }
    out
}

/// Stat, gauge, bar gauge: each series' value (its calc, mapped, in the
/// threshold's colour) and a sparkline under it when there is room.
#[allow(clippy::too_many_arguments)]
fn draw_stat(
    frame: &mut Frame,
    rect: Rect,
    block: Block,
    series: &[(&Series, String)],
    looks: &[Look],
    panel: &Panel,
    open: &Open,
    end: i64,
    theme: &Theme,
) {
    let inner = block.inner(rect);
    let iw = usize::from(inner.width);
    // One series: its value and sparkline; more: a value and a sparkline each, as many as fit.
    let fit = if series.len() > 1 { (usize::from(inner.height) / 2).max(1) } else { 1 };
    let mut lines: Vec<Line> = Vec::new();
    let calc = panel.calcs.first().map_or("lastNotNull", String::as_str);
    for ((s, label), look) in series.iter().zip(looks).take(fit) {
        let field = &look.field;
        let (value, color) = display(reduce(s, calc), field);
        let color = look.color.clone().or(color);
        let style = colour(color.as_deref(), theme).add_modifier(Modifier::BOLD);
        let text = if series.len() > 1 && !label.is_empty() {
            truncate_width(&format!("{label}: {value}"), iw)
        } else {
            truncate_width(&value, iw)
        };
        lines.push(Line::styled(text, style));
        let bar = match panel.kind {
            PanelKind::Gauge | PanelKind::BarGauge => gauge_range(field).zip(reduce(s, calc)),
            _ => None,
        };
        if let Some(((lo, hi), v)) = bar.filter(|_| inner.height as usize > lines.len() && iw > 0) {
            // A gauge with a known range: how full it is.
            let filled = (((v - lo) / (hi - lo)).clamp(0.0, 1.0) * iw as f64).round() as usize;
            let text = format!("{}{}", "█".repeat(filled), "░".repeat(iw - filled));
            lines.push(Line::styled(text, colour(color.as_deref(), theme)));
        } else if inner.height as usize > lines.len() && iw > 0 {
            let start = end as f64 - open.window_of(panel) as f64;
            let step = open.window_of(panel) as f64 / iw as f64;
            let values = crate::text::sparkline::bucket(&s.samples, start, step, iw);
            lines.push(Line::styled(crate::text::sparkline::render(&values), colour(color.as_deref(), theme)));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// A gauge's range: `min`..`max` from the file, else what its unit implies
/// (0–100 for `percent`, 0–1 for `percentunit`); `None` when unknown.
fn gauge_range(field: &crate::dashboard::FieldConfig) -> Option<(f64, f64)> {
    let implied = match field.unit.as_deref() {
        Some("percent") => Some((0.0, 100.0)),
        Some("percentunit") => Some((0.0, 1.0)),
        _ => None,
    };
    let lo = field.min.or(implied.map(|r| r.0))?;
    let hi = field.max.or(implied.map(|r| r.1))?;
    (hi > lo && lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// The panel's series with their legend: `legendFormat` with `{{label}}`
/// filled (with the labels that tell them apart after it when two read the
/// same), else those labels; and the name Grafana gives the series (the
/// legend as filled), which overrides match.
fn named<'a>(cached: &'a Cached, q: &PanelQuery) -> Vec<(&'a Series, String, String)> {
    let top = crate::state::signals::rows::top_series(cached, MAX_SERIES);
    let filled: Vec<(&Series, String, String)> = top
        .into_iter()
        .map(|(s, differing)| {
            let label = match q.legend.as_deref().filter(|l| !l.is_empty() && *l != "__auto") {
                Some(fmt) => fill_legend(fmt, s),
                None if differing.is_empty() => s.labels.get("__name__").cloned().unwrap_or_else(|| q.ref_id.clone()),
                None => differing.clone(),
            };
            (s, label, differing)
        })
        .collect();
    filled
        .iter()
        .map(|(s, name, differing)| {
            let twice = filled.iter().filter(|(_, l, _)| l == name).count() > 1;
            let label = if twice && !differing.is_empty() && name != differing {
                format!("{name} {differing}")
            } else {
                name.clone()
            };
            (*s, truncate_width(&clean(&label), 80), name.clone())
        })
        .collect()
}

/// `{{instance}} cpu{{cpu}}` with the series' labels.
fn fill_legend(fmt: &str, s: &Series) -> String {
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else { break };
        let name = rest[start + 2..start + end].trim();
        out.push_str(s.labels.get(name).map_or("", String::as_str));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn last(s: &Series) -> Option<f64> {
    s.samples.iter().rev().map(|(_, v)| *v).find(|v| !v.is_nan())
}

/// Grafana's reducers the stat panels use most; others as `lastNotNull`.
fn reduce(s: &Series, calc: &str) -> Option<f64> {
    let vals: Vec<f64> = s.samples.iter().map(|(_, v)| *v).filter(|v| v.is_finite()).collect();
    if vals.is_empty() {
        return None;
    }
    Some(match calc {
        "mean" => vals.iter().sum::<f64>() / vals.len() as f64,
        "max" => vals.iter().copied().fold(f64::MIN, f64::max),
        "min" => vals.iter().copied().fold(f64::MAX, f64::min),
        "sum" => vals.iter().sum(),
        "first" | "firstNotNull" => vals[0],
        "count" => vals.len() as f64,
        "range" => vals.iter().copied().fold(f64::MIN, f64::max) - vals.iter().copied().fold(f64::MAX, f64::min),
        "diff" => vals[vals.len() - 1] - vals[0],
        // A counter's increase over the window, a drop read as a reset.
        "delta" => vals.windows(2).map(|w| if w[1] >= w[0] { w[1] - w[0] } else { w[1] }).sum(),
        "last" => s.samples.last().map_or(f64::NAN, |(_, v)| *v),
        _ => vals[vals.len() - 1],
    })
}

/// A Grafana colour (`green`, `dark-red`, `#EAB839`, `rgba(50, 172, 45, 0.97)`) as a terminal
/// colour; none under `NO_COLOR`.
fn colour(name: Option<&str>, theme: &Theme) -> Style {
    let Some(name) = name else { return theme.base() };
    if theme.no_color {
        return theme.base();
    }
    let n = name.trim().to_ascii_lowercase();
    let base = n.rsplit('-').next().unwrap_or(&n);
    let rgb = n
        .strip_prefix("rgba(")
        .or_else(|| n.strip_prefix("rgb("))
        .and_then(|r| r.strip_suffix(')'))
        .map(|r| r.split(',').take(3).map(|c| c.trim().parse::<u8>()).collect::<Result<Vec<u8>, _>>());
    let c = if let Some(hex) = n.strip_prefix('#').filter(|h| h.len() == 6) {
        match u32::from_str_radix(hex, 16) {
            Ok(v) => Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8),
            Err(_) => return theme.base(),
        }
    } else if let Some(rgb) = rgb {
        // `rgba(50, 172, 45, 0.97)`, as older Grafana wrote threshold colours.
        match rgb.as_deref() {
            Ok([r, g, b]) => Color::Rgb(*r, *g, *b),
            _ => return theme.base(),
        }
    } else {
        match base {
            "green" => Color::Green,
            "red" => Color::Red,
            "yellow" => Color::Yellow,
            "orange" => Color::LightRed,
            "blue" => Color::Blue,
            "purple" => Color::Magenta,
            "text" | "transparent" => return theme.base(),
            _ => return theme.base(),
        }
    };
    theme.base().fg(c)
}

/// The top-level index of a row panel (rows are always top level).
fn row_index(open: &Open, panel: &Panel) -> usize {
    open.dash.panels.iter().position(|p| std::ptr::eq(p, panel)).unwrap_or(usize::MAX)
}

/// The panel refs drawn at `area` (for tests: what is on screen).
pub fn shown(open: &Open, area: Rect) -> Vec<PanelRef> {
    open.placed(panels_area(area)).into_iter().map(|(r, _)| r).collect()
}

#[cfg(test)]
pub(crate) mod tests;
