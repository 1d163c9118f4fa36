//! Drawing the runbook pane from [`RunbookView`]: the rendered lines (code
//! blocks scrolled horizontally), ticked steps, search hits, the cursor,
//! the table of contents and a status line. Pure rendering of state.

use std::num::NonZeroU16;

use ratatui::Frame;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear};
use unicode_width::UnicodeWidthStr;

use crate::runbook::render::clip_line;
use crate::state::runbook::RunbookView;
use crate::text::truncate_width;
use crate::theme::{Role, Theme};

/// Styles of the pane around the document (the document's own styles are
/// in [`crate::runbook::render::RunbookStyles`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PaneStyles {
    pub border: Style,
    pub border_focused: Style,
    pub cursor: Style,
    pub search_match: Style,
    pub search_current: Style,
    pub toc_selected: Style,
    pub status: Style,
    pub step_done: Style,
    pub step_open: Style,
    pub code_block: Style,
}

impl PaneStyles {
    /// The pane's styles from the user's theme; the document's own (steps,
    /// code) are the renderer's, laid out off the event loop.
    pub fn of(theme: &Theme) -> Self {
        let doc = crate::runbook::render::RunbookStyles::default();
        Self {
            border: theme.border(false),
            border_focused: theme.border(true),
            cursor: theme.selected(),
            search_match: theme.style(Role::SearchMatch),
            search_current: theme.style(Role::SearchCurrent),
            toc_selected: theme.selected(),
            status: theme.style(Role::Dim),
            step_done: doc.task_done,
            step_open: doc.task_open,
            code_block: doc.code_block,
        }
    }
}

impl Default for PaneStyles {
    fn default() -> Self {
        Self::of(&Theme::default())
    }
}

/// Draws the pane in the user's theme.
pub fn draw(frame: &mut Frame, area: Rect, view: &RunbookView, focused: bool, theme: &Theme) {
    draw_with(frame, area, view, focused, &PaneStyles::of(theme));
}

pub fn draw_with(frame: &mut Frame, area: Rect, view: &RunbookView, focused: bool, styles: &PaneStyles) {
    let (done, total) = view.progress();
    let name = truncate_width(view.name(), usize::from(area.width.saturating_sub(16)));
    let mut block = Block::bordered()
        .border_style(if focused { styles.border_focused } else { styles.border })
        .title(Line::from(format!(" Runbook: {name} ")));
    if total > 0 {
        block = block.title(Line::from(format!(" {done}/{total} steps ")).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let (body, status) = match inner.height {
        1 => (inner, None),
        h => (Rect { height: h - 1, ..inner }, Some(Rect { y: inner.y + h - 1, height: 1, ..inner })),
    };
    let toc_w = (body.width / 2).min(36);
    let (text, toc) = match view.toc_selection() {
        Some(sel) if toc_w >= 8 => (
            Rect { width: body.width - toc_w, ..body },
            Some((Rect { x: body.x + body.width - toc_w, width: toc_w, ..body }, sel)),
        ),
        _ => (body, None),
    };
    let buf = frame.buffer_mut();
    draw_lines(buf, text, view, focused, styles);
    if let Some((area, sel)) = toc {
        draw_toc(frame, area, view, sel, styles);
    }
    if let Some(area) = status {
        draw_status(frame.buffer_mut(), area, view, styles);
    }
}

fn draw_lines(buf: &mut Buffer, area: Rect, view: &RunbookView, focused: bool, styles: &PaneStyles) {
    let r = view.rendered();
    if r.lines.is_empty() {
        buf.set_string(area.x, area.y, "(empty runbook)", styles.status);
        return;
    }
    let top = view.top(area.height);
    for row in 0..area.height {
        let idx = top + usize::from(row);
        let Some(line) = r.lines.get(idx) else { break };
        let y = area.y + row;
        match r.code_block_at(idx) {
            Some(block) => {
                let indent = block.indent.min(area.width);
                let fill = Rect { x: area.x + indent, y, width: area.width - indent, height: 1 };
                buf.set_style(fill, styles.code_block);
                let shown = clip_line(line, block.indent, view.hscroll(), area.width);
                buf.set_line(area.x, y, &shown, area.width);
            }
            None => {
                buf.set_line(area.x, y, line, area.width);
            }
        }
    }
    let visible = top..top + usize::from(area.height);
    for task in r.tasks.iter().filter(|t| visible.contains(&t.line)) {
        let (glyph, style) = match view.is_done(task.index) {
            true => ("[x]", styles.step_done),
            false => ("[ ]", styles.step_open),
        };
        if task.col + 3 <= area.width {
            buf.set_string(area.x + task.col, area.y + (task.line - top) as u16, glyph, style);
        }
    }
    // The cursor line first, then the matches over it: a theme's selection
    // colour must not hide the match the cursor is on.
    if focused && visible.contains(&view.cursor()) {
        let y = area.y + (view.cursor() - top) as u16;
        buf.set_style(Rect { y, height: 1, ..area }, styles.cursor);
    }
    highlight_matches(buf, area, view, top, styles);
    if view.hyperlinks {
        add_hyperlinks(buf, area, view, top);
    }
}

fn highlight_matches(buf: &mut Buffer, area: Rect, view: &RunbookView, top: usize, styles: &PaneStyles) {
    let r = view.rendered();
    let bottom = top + usize::from(area.height);
    for (i, m) in view.matches().iter().enumerate() {
        if m.line < top || m.line >= bottom {
            continue;
        }
        let mut col = m.col;
        if let Some(block) = r.code_block_at(m.line)
            && col >= block.indent
        {
            // Shifted by the horizontal scroll; hidden when scrolled away.
            let Some(c) = col.checked_sub(view.hscroll()) else {
                continue;
            };
            if c < block.indent {
                continue;
            }
            col = c;
        }
        if col >= area.width {
            continue;
        }
        let width = m.width.min(area.width - col);
        let style = match view.current_match() == Some(i) {
            true => styles.search_current,
            false => styles.search_match,
        };
        let y = area.y + (m.line - top) as u16;
        buf.set_style(Rect { x: area.x + col, y, width, height: 1 }, style);
    }
}

/// Wraps each visible link segment in an OSC 8 sequence held by its first
/// cell, which is marked as covering the segment's width so that the diff
/// does not overwrite the rest. Only a URL [`osc8_target`] accepts goes
/// inside the sequence; any other link stays plain text.
fn add_hyperlinks(buf: &mut Buffer, area: Rect, view: &RunbookView, top: usize) {
    let r = view.rendered();
    for link in &r.links {
        let on_screen = link.line >= top && link.line < top + usize::from(area.height);
        let fits = link.width > 0 && link.col + link.width <= area.width;
        if !on_screen || !fits || r.code_block_at(link.line).is_some() {
            continue;
        }
        let Some(target) = osc8_target(&link.url) else {
            continue;
        };
        let (x, y) = (area.x + link.col, area.y + (link.line - top) as u16);
        let mut text = String::new();
        let mut cx = x;
        while cx < x + link.width {
            let symbol = buf[(cx, y)].symbol().to_string();
            cx += (symbol.width() as u16).max(1);
            text.push_str(&symbol);
        }
        let Some(width) = NonZeroU16::new(link.width) else {
            continue;
        };
        let cell = &mut buf[(x, y)];
        cell.set_symbol(&format!("\x1b]8;;{target}\x1b\\{text}\x1b]8;;\x1b\\"));
        cell.set_diff_option(CellDiffOption::ForcedWidth(width));
    }
}

/// Longest URL put in an OSC 8 sequence (what browsers and most terminals
/// accept); a longer link stays plain text.
pub const MAX_OSC8_URL: usize = 2048;

/// The URL as it may go inside an OSC 8 sequence, or `None`. The URL comes
/// from a runbook, which an attacker may write: an ESC, BEL or ST inside it
/// would end the sequence early and let the rest run as terminal commands.
/// So only an absolute http(s) or mailto URL without credentials, in the
/// URL parser's serialization (every control, space and non-ASCII byte
/// percent-encoded), made of printable ASCII only and at most
/// [`MAX_OSC8_URL`] bytes, is accepted.
pub fn osc8_target(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let allowed = matches!(parsed.scheme(), "http" | "https" | "mailto");
    let credentials = !parsed.username().is_empty() || parsed.password().is_some();
    let s = parsed.as_str();
    let printable = s.bytes().all(|b| b.is_ascii_graphic());
    (allowed && !credentials && printable && s.len() <= MAX_OSC8_URL).then(|| s.to_string())
}

fn draw_toc(frame: &mut Frame, area: Rect, view: &RunbookView, sel: usize, styles: &PaneStyles) {
    frame.render_widget(Clear, area);
    let block = Block::bordered().border_style(styles.border_focused).title(" Contents ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let headings = view.headings();
    let h = usize::from(inner.height);
    let first = sel.saturating_sub(h - 1);
    let buf = frame.buffer_mut();
    for (row, (i, heading)) in headings.iter().enumerate().skip(first).take(h).enumerate() {
        let indent = "  ".repeat(usize::from(heading.level.saturating_sub(1)).min(4));
        let label = truncate_width(&format!("{indent}{}", heading.text), usize::from(inner.width));
        let y = inner.y + row as u16;
        let style = if i == sel { styles.toc_selected } else { Style::new() };
        buf.set_style(Rect { y, height: 1, ..inner }, style);
        buf.set_string(inner.x, y, label, style);
    }
}

fn draw_status(buf: &mut Buffer, area: Rect, view: &RunbookView, styles: &PaneStyles) {
    let r = view.rendered();
    let mut parts = vec![format!("line {}/{}", view.cursor() + 1, r.lines.len().max(1))];
    if let Some(block) = r.code_block_at(view.cursor()) {
        parts.push(format!("code {}", block.lang.as_deref().unwrap_or("block")));
    }
    if let Some((lang, _, _)) = view.live_block_at(view.cursor()).and_then(|i| view.live().query_of(i)) {
        parts.push(match lang {
            crate::runbook::live::Lang::PromQl => "live · enter: chart".to_string(),
            crate::runbook::live::Lang::LogQl => "live · enter: logs".to_string(),
        });
    }
    if view.hscroll() > 0 {
        parts.push(format!("→{}", view.hscroll()));
    }
    if !view.query().is_empty() {
        parts.push(match (view.current_match(), view.matches().len()) {
            (_, 0) => format!("/{}: no match", view.query()),
            (Some(i), n) => format!("/{} {}/{n}", view.query(), i + 1),
            (None, n) => format!("/{} {n}", view.query()),
        });
    }
    let text = truncate_width(&parts.join("  "), usize::from(area.width));
    buf.set_string(area.x, area.y, text, styles.status);
}

#[cfg(test)]
mod tests;
