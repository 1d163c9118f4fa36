//! Grafana's 24-column grid scaled to a terminal area: a rect per visible
//! panel, rows as one-line headers, a collapsed row's panels hidden.
//!
//! Grafana's own positions may overlap (hand-written or old files do): each
//! panel goes, in file order, to the first grid line at or below its `y`
//! where its columns are free, so no two rects ever share a cell.

use ratatui::layout::Rect;

use super::model::{Dashboard, GridPos, PanelKind};

/// Grafana's grid width.
pub const COLUMNS: u32 = 24;

/// Which panel: a top-level one, or a row's nested one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PanelRef {
    pub top: usize,
    pub child: Option<usize>,
}

/// A panel to place: where Grafana puts it, and whether it is a row header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub panel: PanelRef,
    pub grid: GridPos,
    pub header: bool,
}

/// The panels that show, in order: rows as headers; a collapsed row's
/// panels only when `expanded` says the user opened it.
pub fn slots(dash: &Dashboard, expanded: impl Fn(usize) -> bool) -> Vec<Slot> {
    let mut out = Vec::new();
    for (top, p) in dash.panels.iter().enumerate() {
        let header = p.kind == PanelKind::Row;
        out.push(Slot { panel: PanelRef { top, child: None }, grid: p.grid, header });
        if header && (!p.collapsed || expanded(top)) {
            for (i, c) in p.children.iter().enumerate() {
                out.push(Slot { panel: PanelRef { top, child: Some(i) }, grid: c.grid, header: false });
            }
        }
    }
    out
}

/// Grid lines per terminal line: one on a small terminal, more as it grows
/// (a default 8-line-high Grafana panel is 8 lines at 24, 16 at 48),
/// rounded to the nearest, so an area a header and a status line short of
/// 48 lines still doubles.
pub fn lines_per_unit(area: Rect) -> u32 {
    ((u32::from(area.height) + 12) / 24).max(1)
}

/// A rect inside `area` for each slot that shows (none for one scrolled
/// out, too narrow, or of zero size); `scroll` is in grid lines. A row
/// header is one terminal line whatever the scale, and what follows it
/// starts on the next line.
pub fn place(slots: &[Slot], area: Rect, scroll: u32) -> Vec<(PanelRef, Rect)> {
    let scale = u64::from(lines_per_unit(area));
    let mut skyline = [0u64; COLUMNS as usize];
    // Each slot's columns and grid lines, placed in file order.
    let mut placed: Vec<(PanelRef, u32, u32, u64, u64)> = Vec::with_capacity(slots.len());
    let mut header_lines: Vec<u64> = Vec::new();
    for s in slots {
        let (x, w, h) = if s.header {
            (0, COLUMNS, 1)
        } else {
            let x = s.grid.x.min(COLUMNS - 1);
            (x, s.grid.w.clamp(1, COLUMNS - x), s.grid.h.max(1))
        };
        let cols = x as usize..(x + w) as usize;
        let y = skyline[cols.clone()].iter().copied().max().unwrap_or(0).max(u64::from(s.grid.y));
        let bottom = y + u64::from(h);
        skyline[cols].iter_mut().for_each(|c| *c = bottom);
        if s.header {
            header_lines.push(y);
        }
        placed.push((s.panel, x, w, y, bottom));
    }
    header_lines.sort_unstable();
    // A grid line's first terminal line: `scale` lines per grid line, one
    // per header line (headers span every column, so nothing shares theirs).
    let line = |g: u64| {
        let headers = header_lines.partition_point(|h| *h < g) as u64;
        g.saturating_mul(scale) - headers * (scale - 1)
    };
    let scroll = u64::from(scroll);
    let origin = line(scroll);
    let mut out = Vec::new();
    for (panel, x, w, y, bottom) in placed {
        if y < scroll {
            continue;
        }
        if let Some(rect) = cells(area, x, w, line(y) - origin, line(bottom) - line(y)) {
            out.push((panel, rect));
        }
    }
    out
}

/// The cells of grid columns `x..x+w` from terminal line `top` of the view,
/// `rows` lines tall, clipped to `area`.
fn cells(area: Rect, x: u32, w: u32, top: u64, rows: u64) -> Option<Rect> {
    let width = u64::from(area.width);
    let left = u64::from(x) * width / u64::from(COLUMNS);
    let right = u64::from(x + w) * width / u64::from(COLUMNS);
    let height = u64::from(area.height);
    if right <= left || top >= height || rows == 0 {
        return None;
    }
    let rows = rows.min(height - top);
    Some(Rect { x: area.x + left as u16, y: area.y + top as u16, width: (right - left) as u16, height: rows as u16 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(top: usize, x: u32, y: u32, w: u32, h: u32, header: bool) -> Slot {
        Slot { panel: PanelRef { top, child: None }, grid: GridPos { x, y, w, h }, header }
    }

    #[test]
    fn halves_and_a_row_header_at_80x24() {
        let slots = [
            slot(0, 0, 0, 12, 8, false),
            slot(1, 12, 0, 12, 8, false),
            slot(2, 0, 8, 24, 1, true),
            slot(3, 0, 9, 24, 8, false),
        ];
        let rects: Vec<Rect> = place(&slots, Rect::new(0, 0, 80, 24), 0).into_iter().map(|(_, r)| r).collect();
        assert_eq!(
            rects,
            vec![Rect::new(0, 0, 40, 8), Rect::new(40, 0, 40, 8), Rect::new(0, 8, 80, 1), Rect::new(0, 9, 80, 8)]
        );
    }

    #[test]
    fn a_taller_terminal_scales_and_scrolling_hides_what_is_above() {
        let slots = [slot(0, 0, 0, 24, 8, false), slot(1, 0, 8, 24, 8, false)];
        let tall = place(&slots, Rect::new(0, 0, 160, 48), 0);
        assert_eq!(tall[1].1, Rect::new(0, 16, 160, 16));
        let scrolled = place(&slots, Rect::new(0, 0, 80, 24), 8);
        assert_eq!(scrolled, vec![(PanelRef { top: 1, child: None }, Rect::new(0, 0, 80, 8))]);
    }

    #[test]
    fn a_row_header_is_one_line_at_any_scale() {
        let slots = [slot(0, 0, 0, 24, 8, false), slot(1, 0, 8, 24, 1, true), slot(2, 0, 9, 24, 8, false)];
        let rects: Vec<Rect> = place(&slots, Rect::new(0, 0, 160, 48), 0).into_iter().map(|(_, r)| r).collect();
        assert_eq!(rects, vec![Rect::new(0, 0, 160, 16), Rect::new(0, 16, 160, 1), Rect::new(0, 17, 160, 16)]);
        // Scrolled past the header: the panel below it is at the top.
        let scrolled = place(&slots, Rect::new(0, 0, 160, 48), 9);
        assert_eq!(scrolled, vec![(PanelRef { top: 2, child: None }, Rect::new(0, 0, 160, 16))]);
    }

    #[test]
    fn overlapping_positions_are_pushed_down() {
        let slots = [slot(0, 0, 0, 12, 4, false), slot(1, 6, 0, 12, 4, false)];
        let r = place(&slots, Rect::new(0, 0, 48, 24), 0);
        assert_eq!(r[1].1, Rect::new(12, 4, 24, 4));
    }
}
