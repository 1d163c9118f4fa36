//! Where each pane goes at a terminal size: one pure function that the
//! renderer draws by and that `update` and the scheduling size their work by
//! (page keys, mouse clicks, the step of the detail's sparklines, the
//! runbook's width). The size arrives as `Msg::Resize`; the renderer writes
//! nothing back.

use ratatui::layout::{Constraint, Layout as Split, Rect, Size};

use super::State;

/// Below this width the list and the detail are stacked, not side by side.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 110;
/// Width of the name and value columns around each detail sparkline.
pub const DETAIL_NAME_W: usize = 13;
pub const DETAIL_VALUE_W: usize = 38;

/// The panes' areas for one terminal size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub header: Rect,
    /// Between the header and the status bar: overlays cover it.
    pub body: Rect,
    pub status: Rect,
    /// The incident timeline, below the board once an incident is open.
    pub timeline: Option<Rect>,
    /// The alert list, borders included.
    pub list: Rect,
    /// The detail pane; `None` while the logs fill the body.
    pub detail: Option<Rect>,
    /// The logs pane: the whole body, the detail's lower half, or over the
    /// detail when focused and there is no room for both.
    pub logs: Option<Rect>,
    /// Where the detail is drawn when it is shown.
    detail_place: Rect,
}

/// The layout of `area` for what `state` shows.
pub fn layout(area: Rect, state: &State) -> Layout {
    let [header, body, status] =
        Split::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(area);
    let (board, timeline) = if state.incident.id().is_some() && body.height >= 16 {
        let [board, timeline] = Split::vertical([Constraint::Percentage(65), Constraint::Percentage(35)]).areas(body);
        (board, Some(timeline))
    } else {
        (body, None)
    };
    let [list, detail] = split_body(board);
    let logs_focused = state.view.focus == super::Pane::Logs;
    let (detail_place, logs) = if state.logs.follow.enabled && detail.height >= 12 {
        let [detail, logs] = Split::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(detail);
        (detail, Some(logs))
    } else {
        (detail, (state.logs.follow.enabled && logs_focused).then_some(detail))
    };
    let (detail, logs) = if state.logs.follow.enabled && state.logs.view.fullscreen {
        (None, Some(body))
    } else {
        (Some(detail_place), logs)
    };
    Layout { header, body, status, timeline, list, detail, logs, detail_place }
}

fn split_body(body: Rect) -> [Rect; 2] {
    if body.width >= SIDE_BY_SIDE_MIN_WIDTH {
        Split::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(body)
    } else {
        Split::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    }
}

impl Layout {
    /// The columns of the detail's sparklines: they follow the pane's width
    /// only (not the data, or a label appearing would change the query and
    /// lose the cache), so the fetch step does too.
    pub fn detail_spark_width(&self) -> u16 {
        detail_spark_width(self.detail_place.width.saturating_sub(2))
    }
}

/// [`Layout::detail_spark_width`] for a detail `inner_width` columns wide
/// inside its borders.
pub fn detail_spark_width(inner_width: u16) -> u16 {
    (inner_width as usize).saturating_sub(DETAIL_NAME_W + DETAIL_VALUE_W + 2).clamp(10, 120) as u16
}

/// Keeps the cursor in view, moving the window as little as possible.
pub fn scroll_offset(prev: usize, cursor: Option<usize>, height: usize, len: usize) -> usize {
    let max = len.saturating_sub(height);
    let Some(c) = cursor else {
        return prev.min(max);
    };
    if height == 0 {
        return c;
    }
    let offset = if c < prev {
        c
    } else if c >= prev + height {
        c + 1 - height
    } else {
        prev
    };
    offset.min(max)
}

/// After an update: the list's window moved (as little as possible) to
/// keep the cursor in view at the terminal's size; left as it is while the
/// size is unknown.
pub(super) fn follow_cursor(state: &mut State) {
    if let Some(l) = state.layout() {
        let rows = l.list.height.saturating_sub(2) as usize;
        state.view.list_offset =
            scroll_offset(state.view.list_offset, state.alerts.cursor(), rows, state.alerts.rows.len());
    }
}

/// After an update: the logs pane's first line moved for what it now
/// shows at the terminal's size; left as it is while the pane is not shown.
pub(super) fn place_logs(state: &mut State) {
    if let Some((width, rows)) = state.logs_room() {
        state.logs.view.place(width, rows);
    }
}

/// Width a help column needs for a key and its description.
pub const HELP_COLUMN_WIDTH: u16 = 72;

/// The help overlay's groups placed in columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpColumns {
    /// Each column's groups, by index (at least one column).
    pub cols: Vec<Vec<usize>>,
    /// Lines that fit in the overlay.
    pub room: usize,
    /// Lines in the longest column.
    pub longest: usize,
    /// How far the help scrolls (0: it fits).
    pub max_scroll: u16,
}

/// Groups of `sizes` lines in as many columns as `area`'s height needs and
/// its width allows (up to three), never splitting a group.
pub fn help_columns(sizes: &[usize], area: Rect) -> HelpColumns {
    let total: usize = sizes.iter().sum();
    let room = area.height.saturating_sub(2).max(1) as usize;
    let fit_cols = (area.width / (HELP_COLUMN_WIDTH - 16)).clamp(1, 3) as usize;
    let ncols = total.div_ceil(room).clamp(1, fit_cols);
    let per_col = total.div_ceil(ncols);
    let mut cols: Vec<Vec<usize>> = vec![Vec::new()];
    let mut lines: Vec<usize> = vec![0];
    for (g, size) in sizes.iter().enumerate() {
        let cur = lines.last().copied().unwrap_or(0);
        if cur > 0 && cur + size > per_col.max(room.min(per_col + 4)) && cols.len() < ncols {
            cols.push(Vec::new());
            lines.push(0);
        }
        if let (Some(c), Some(n)) = (cols.last_mut(), lines.last_mut()) {
            c.push(g);
            *n += size;
        }
    }
    let longest = lines.iter().copied().max().unwrap_or(0);
    HelpColumns { cols, room, longest, max_scroll: longest.saturating_sub(room) as u16 }
}

/// Until the runtime says the terminal's size, the sizes the state assumes.
const UNKNOWN_BODY: Rect = Rect::new(0, 1, 120, 40);
const UNKNOWN_SPARK_WIDTH: u16 = 40;

impl State {
    /// The layout at the terminal's size, once the runtime said it.
    pub fn layout(&self) -> Option<Layout> {
        self.view.size.map(|s: Size| layout(Rect::new(0, 0, s.width, s.height), self))
    }

    /// The alert list's area (empty while the size is unknown).
    pub fn list_area(&self) -> Rect {
        self.layout().map(|l| l.list).unwrap_or_default()
    }

    /// The body, between the header and the status bar.
    pub fn body_area(&self) -> Rect {
        self.layout().map_or(UNKNOWN_BODY, |l| l.body)
    }

    /// How far the help overlay scrolls at the terminal's size (0 while
    /// the size is unknown).
    pub fn help_max_scroll(&self) -> u16 {
        let Some(l) = self.layout() else { return 0 };
        let sizes: Vec<usize> = self.prefs.keymap.help_groups().iter().map(|(_, actions)| 1 + actions.len()).collect();
        help_columns(&sizes, l.body).max_scroll
    }

    /// The logs pane's room for lines at the terminal's size: its columns
    /// and rows inside the borders, less the error line when one shows
    /// (`None` while the size is unknown or the pane is not shown).
    pub fn logs_room(&self) -> Option<(usize, usize)> {
        let area = self.layout()?.logs?;
        let error_rows = usize::from(self.logs.view.error.is_some());
        let rows = (area.height.saturating_sub(2) as usize).saturating_sub(error_rows);
        Some((area.width.saturating_sub(2) as usize, rows))
    }

    /// Lines a page up/down moves in the logs pane: the rows it shows (20
    /// while the size is unknown or the pane is not shown).
    pub fn logs_page(&self) -> usize {
        self.logs_room().map_or(20, |(_, rows)| rows.max(1))
    }

    /// The detail's sparkline width, which picks the step of its queries.
    pub fn detail_spark_width(&self) -> u16 {
        self.layout().map_or(UNKNOWN_SPARK_WIDTH, |l| l.detail_spark_width())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Msg;
    use crate::state::tests::state;

    #[test]
    fn scrolling_keeps_cursor_visible() {
        assert_eq!(scroll_offset(0, Some(3), 10, 50), 0);
        assert_eq!(scroll_offset(0, Some(12), 10, 50), 3);
        assert_eq!(scroll_offset(5, Some(2), 10, 50), 2);
        assert_eq!(scroll_offset(45, Some(49), 10, 50), 40);
        assert_eq!(scroll_offset(7, None, 10, 5), 0);
    }

    /// The window follows the cursor in update, at the state's size: a
    /// click lands on the row drawn there, without a frame in between.
    #[test]
    fn the_list_window_follows_the_cursor_in_update() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let mut s = state();
        let many = (0..40).map(|i| crate::state::tests::alert(&format!("A{i:02}"), "warning", &[], i, "am0"));
        let am = crate::msg::SourceId { kind: crate::msg::SourceKind::Alertmanager, index: 0 };
        let alerts = crate::model::share(many.collect());
        crate::state::update(&mut s, crate::state::tests::poll(am, Ok(crate::msg::Payload::AmAlerts(alerts))));
        let down = Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
        for _ in 0..30 {
            crate::state::update(&mut s, down.clone());
        }
        assert_eq!(s.view.list_offset, 0, "no size yet: left as it is");
        crate::state::update(&mut s, Msg::Resize(160, 24));
        let rows = s.list_area().height as usize - 2;
        let cursor = s.alerts.cursor().expect("a cursor");
        assert_eq!(s.view.list_offset, cursor + 1 - rows, "the cursor on the last row shown");
    }

    /// The logs pane's first line is placed in update at the pane's size,
    /// so the renderer only reads it.
    #[test]
    fn the_logs_first_line_is_placed_in_update() {
        use crate::model::logs::{BatchKind, LogBatch};
        let mut s = state();
        (s.logs.follow.enabled, s.logs.follow.pinned_query, s.logs.view.fullscreen) = (true, true, true);
        let generation = s.logs.view.begin(Some("query".into()), Some("{job=\"api\"}".into()));
        let lines = crate::state::logs::tests::lines(0..100);
        let batch = LogBatch { generation, kind: BatchKind::Initial, lines, ..LogBatch::default() };
        crate::state::update(&mut s, Msg::Logs(Box::new(batch)));
        assert_eq!(s.logs.view.top, 0, "no size yet: left as it is");
        crate::state::update(&mut s, Msg::Resize(100, 30));
        let (_, rows) = s.logs_room().expect("the pane is shown");
        assert_eq!(rows, 30 - 2 - 2, "the body less the pane's borders");
        assert_eq!(s.logs.view.top, 100 - rows as u64, "the newest line on the last row");
        crate::state::update(&mut s, Msg::Resize(100, 20));
        assert_eq!(s.logs.view.top, 100 - 16, "a smaller pane: the view follows the size");
    }

    #[test]
    fn panes_side_by_side_or_stacked_and_the_logs_fullscreen() {
        let mut s = state();
        assert_eq!(s.layout(), None, "no size yet");
        assert_eq!(s.detail_spark_width(), UNKNOWN_SPARK_WIDTH);
        crate::state::update(&mut s, Msg::Resize(160, 48));
        let l = s.layout().expect("a size");
        assert_eq!((l.header.height, l.status.y, l.body), (1, 47, Rect::new(0, 1, 160, 46)));
        assert_eq!(l.list.y, l.detail.expect("detail").y, "side by side");
        assert_eq!(l.detail_spark_width(), detail_spark_width(l.detail.unwrap().width - 2));
        crate::state::update(&mut s, Msg::Resize(90, 40));
        let l = s.layout().expect("a size");
        assert_eq!(l.detail.unwrap().width, 90, "stacked");
        assert_eq!(s.detail_spark_width(), 35);
        s.logs.follow.enabled = true;
        s.logs.view.fullscreen = true;
        let l = s.layout().expect("a size");
        assert_eq!((l.detail, l.logs), (None, Some(l.body)));
        assert_eq!(l.detail_spark_width(), 35, "where the detail goes back to");
    }
}
