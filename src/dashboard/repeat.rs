//! Grafana's repeated panels and rows: a panel (or a row with its panels)
//! with `repeat: VAR` is shown once per selected value of `$VAR` (every
//! option when All is selected), each copy bound to its value
//! ([`Panel::scoped`]): its queries and title take that one value.
//!
//! Laid out as Grafana lays them out: horizontal copies side by side from
//! the left edge, `max(24 / copies, 24 / maxPerRow)` columns wide
//! (`maxPerRow` 4 unless set), a new line when the next does not fit;
//! vertical copies one below the other in the panel's columns; a row's
//! copies one after the other, each with its panels. What the copies push
//! down, [`super::layout::place`] pushes down.
//!
//! Run again whenever a variable changes; pure, and bounded: at most
//! [`MAX_PANELS`] panels in all (the copies past it are counted in
//! [`Expansion::cut`], and the view says so).

use super::MAX_PANELS;
use super::interpolate::{Builtins, Scope, Value, interpolate};
use super::layout::COLUMNS;
use super::model::{GridPos, Panel, PanelKind, Repeat, Variable};

/// Copies side by side when `maxPerRow` is not set (Grafana's default).
pub const DEFAULT_MAX_PER_ROW: u32 = 4;

/// The dashboard's panels with the repeats made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expansion {
    pub panels: Vec<Panel>,
    /// Each top-level panel's index in the file's list (a copy: its source's).
    pub origins: Vec<usize>,
    /// Copies not made: the dashboard would have had more than [`MAX_PANELS`].
    pub cut: usize,
}

/// The values `var` repeats over: the selected ones (All: every option),
/// each once, none empty.
pub fn values(var: &Variable) -> Vec<String> {
    let all = var.current.iter().any(|c| c == "$__all");
    let list = if all { &var.options } else { &var.current };
    let mut out: Vec<String> = Vec::new();
    for v in list {
        if !v.is_empty() && v != "$__all" && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// `panels` (the file's, in file order) with every repeat made for the
/// variables' current values, titles filled; `builtins` fill `$__range`
/// and friends in titles.
pub fn expand(panels: &[Panel], vars: &[Variable], builtins: Builtins) -> Expansion {
    let count: usize = panels.iter().map(|p| 1 + p.children.len()).sum();
    let mut b = Builder { vars, builtins, spare: MAX_PANELS.saturating_sub(count), cut: 0 };
    let mut out = Expansion::default();
    let mut i = 0;
    while i < panels.len() {
        // A row, with the panels that follow it when it is open; or the
        // panels before the first row (or after a collapsed one).
        let end = if panels[i].kind == PanelKind::Row && panels[i].collapsed {
            i + 1
        } else {
            (i + 1..panels.len()).find(|&j| panels[j].kind == PanelKind::Row).unwrap_or(panels.len())
        };
        let section = if panels[i].kind == PanelKind::Row {
            b.row_section(&panels[i..end])
        } else {
            b.list(&panels[i..end], &[], 0)
        };
        for (j, p) in section {
            out.origins.push(i + j);
            out.panels.push(p);
        }
        i = end;
    }
    out.cut = b.cut;
    out
}

struct Builder<'a> {
    vars: &'a [Variable],
    builtins: Builtins,
    /// Copies that may still be made.
    spare: usize,
    cut: usize,
}

impl Builder<'_> {
    /// What `repeat` repeats over, unless the variable is bound already
    /// (a row's copy repeating the same variable) or has no value.
    fn repeat_values(&self, repeat: Option<&Repeat>, bound: &[(String, String)]) -> Option<(String, Vec<String>)> {
        let r = repeat?;
        if bound.iter().any(|(n, _)| *n == r.var) {
            return None;
        }
        let var = self.vars.iter().find(|v| v.name == r.var)?;
        let values = values(var);
        (!values.is_empty()).then(|| (r.var.clone(), values))
    }

    /// A row (`section[0]`) and the open row's panels after it: once, or
    /// once per value, each copy `height` grid lines below the previous.
    fn row_section(&mut self, section: &[Panel]) -> Vec<(usize, Panel)> {
        let row = &section[0];
        let Some((var, values)) = self.repeat_values(row.repeat.as_ref(), &[]) else {
            return self.row_copy(section, &[], 0);
        };
        let members = section[1..].iter().chain(&row.children);
        let bottom = members.map(|p| p.grid.y.saturating_add(p.grid.h.max(1))).max().unwrap_or(0);
        let height = bottom.saturating_sub(row.grid.y).max(1);
        let size = section.len() + row.children.len();
        let mut out = Vec::new();
        for (k, value) in values.into_iter().enumerate() {
            if k > 0 {
                if self.spare < size {
                    self.cut += size;
                    continue;
                }
                self.spare -= size;
            }
            let bound = [(var.clone(), value)];
            let dy = height.saturating_mul(k as u32);
            out.extend(self.row_copy(section, &bound, dy));
        }
        out
    }

    fn row_copy(&mut self, section: &[Panel], bound: &[(String, String)], dy: u32) -> Vec<(usize, Panel)> {
        let source = &section[0];
        let mut row = self.copy(source, bound, GridPos { y: source.grid.y.saturating_add(dy), ..source.grid });
        row.children = self.list(&source.children, bound, dy).into_iter().map(|(_, p)| p).collect();
        let mut out = vec![(0, row)];
        out.extend(self.list(&section[1..], bound, dy).into_iter().map(|(j, p)| (j + 1, p)));
        out
    }

    /// Sibling panels, each once or once per value of its repeat; a
    /// panel's index in `list` goes with each of its copies.
    fn list(&mut self, list: &[Panel], bound: &[(String, String)], dy: u32) -> Vec<(usize, Panel)> {
        let mut out = Vec::new();
        for (j, p) in list.iter().enumerate() {
            let grid = GridPos { y: p.grid.y.saturating_add(dy), ..p.grid };
            let repeat = if p.kind == PanelKind::Row { None } else { p.repeat.as_ref() };
            let Some((var, values)) = self.repeat_values(repeat, bound) else {
                out.push((j, self.copy(p, bound, grid)));
                continue;
            };
            let vertical = repeat.is_some_and(|r| r.vertical);
            let max = repeat.and_then(|r| r.max_per_row).unwrap_or(DEFAULT_MAX_PER_ROW).clamp(1, COLUMNS);
            let n = values.len() as u32;
            let w = (COLUMNS / n.max(1)).max(COLUMNS / max).max(1);
            let h = grid.h.max(1);
            let (mut x, mut y) = (0, grid.y);
            for (k, value) in values.into_iter().enumerate() {
                if k > 0 {
                    if self.spare == 0 {
                        self.cut += 1;
                        continue;
                    }
                    self.spare -= 1;
                }
                let at = if vertical {
                    GridPos { y: grid.y.saturating_add(h.saturating_mul(k as u32)), ..grid }
                } else {
                    if k > 0 && x + w > COLUMNS {
                        (x, y) = (0, y.saturating_add(h));
                    }
                    let at = GridPos { x, y, w, h: grid.h };
                    x += w;
                    at
                };
                let mut scoped = bound.to_vec();
                scoped.push((var.clone(), value));
                out.push((j, self.copy(p, &scoped, at)));
            }
        }
        out
    }

    /// `p` at `grid`, bound to `bound`, its title filled; a copy repeats no further.
    fn copy(&self, p: &Panel, bound: &[(String, String)], grid: GridPos) -> Panel {
        Panel {
            title: title(&p.title, self.vars, bound, self.builtins.clone()),
            grid,
            repeat: if bound.is_empty() { p.repeat.clone() } else { None },
            scoped: bound.to_vec(),
            children: Vec::new(),
            ..p.clone()
        }
    }
}

/// A panel's title with its variables filled as text: a bound value, the
/// selected values joined by ` + `, or `All`.
pub fn title(title: &str, vars: &[Variable], bound: &[(String, String)], builtins: Builtins) -> String {
    if !title.contains(['$', '[']) {
        return title.to_string();
    }
    let mut scope = Scope { builtins, ..Scope::default() };
    for v in vars {
        let all = v.current.iter().any(|c| c == "$__all");
        let text = if all { "All".to_string() } else { v.current.join(" + ") };
        scope.vars.insert(v.name.clone(), Value { selected: vec![text], ..Value::default() });
    }
    let scope = scope.bind(bound);
    let filled = interpolate(title, &scope);
    crate::text::truncate_width(&super::values::clean(&filled), super::MAX_TEXT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::VariableKind;

    fn var(name: &str, current: &[&str], options: &[&str]) -> Variable {
        Variable {
            name: name.into(),
            label: None,
            kind: VariableKind::Custom,
            current: current.iter().map(|s| s.to_string()).collect(),
            multi: true,
            include_all: true,
            all_value: None,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn panel(title: &str, grid: (u32, u32, u32, u32), repeat: Option<(&str, bool, Option<u32>)>) -> Panel {
        let (x, y, w, h) = grid;
        Panel {
            repeat: repeat.map(|(v, vertical, max_per_row)| Repeat { var: v.into(), vertical, max_per_row }),
            ..Panel::new(PanelKind::Timeseries, title, GridPos { x, y, w, h })
        }
    }

    fn row(title: &str, y: u32, collapsed: bool, repeat: Option<&str>) -> Panel {
        Panel { kind: PanelKind::Row, collapsed, ..panel(title, (0, y, 24, 1), repeat.map(|r| (r, false, None))) }
    }

    fn grids(e: &Expansion) -> Vec<(u32, u32, u32, u32)> {
        e.panels.iter().map(|p| (p.grid.x, p.grid.y, p.grid.w, p.grid.h)).collect()
    }

    fn titles(panels: &[Panel]) -> Vec<&str> {
        panels.iter().map(|p| p.title.as_str()).collect()
    }

    #[test]
    fn horizontal_copies_share_the_line_as_grafana_sizes_them() {
        let vars = [var("host", &["$__all"], &["a", "b", "c"])];
        let p = [panel("CPU $host", (6, 2, 12, 8), Some(("host", false, None))), panel("below", (0, 10, 24, 4), None)];
        let e = expand(&p, &vars, Builtins::default());
        // max(24 / 3, 24 / 4) = 8 columns each, from the left edge.
        assert_eq!(grids(&e), [(0, 2, 8, 8), (8, 2, 8, 8), (16, 2, 8, 8), (0, 10, 24, 4)]);
        assert_eq!(titles(&e.panels), ["CPU a", "CPU b", "CPU c", "below"]);
        assert_eq!(e.panels[1].scoped, [("host".to_string(), "b".to_string())]);
        assert!(e.panels[3].scoped.is_empty());
        assert_eq!(e.origins, [0, 0, 0, 1]);
        assert_eq!(e.cut, 0);
    }

    #[test]
    fn max_per_row_wraps_and_vertical_copies_stack() {
        let vars = [var("host", &["a", "b", "c"], &["a", "b", "c", "d"])];
        let two = [panel("p", (0, 0, 12, 5), Some(("host", false, Some(2))))];
        assert_eq!(grids(&expand(&two, &vars, Builtins::default())), [(0, 0, 12, 5), (12, 0, 12, 5), (0, 5, 12, 5)]);
        // Two values, four per row at most: half the width each.
        let vars2 = [var("host", &["a", "b"], &[])];
        let half = [panel("p", (0, 0, 6, 5), Some(("host", false, None)))];
        assert_eq!(grids(&expand(&half, &vars2, Builtins::default())), [(0, 0, 12, 5), (12, 0, 12, 5)]);
        let vertical = [panel("p", (6, 3, 8, 4), Some(("host", true, None)))];
        let e = expand(&vertical, &vars, Builtins::default());
        assert_eq!(grids(&e), [(6, 3, 8, 4), (6, 7, 8, 4), (6, 11, 8, 4)]);
    }

    #[test]
    fn an_open_row_repeats_with_its_panels_and_what_follows_stays_after() {
        let vars = [var("db", &["$__all"], &["main", "replica"])];
        let p = [
            row("Database $db", 0, false, Some("db")),
            panel("qps $db", (0, 1, 12, 4), None),
            panel("lag", (12, 1, 12, 6), None),
            row("Other", 7, false, None),
            panel("x", (0, 8, 24, 4), None),
        ];
        let e = expand(&p, &vars, Builtins::default());
        assert_eq!(
            titles(&e.panels),
            ["Database main", "qps main", "lag", "Database replica", "qps replica", "lag", "Other", "x"]
        );
        assert_eq!(e.origins, [0, 1, 2, 0, 1, 2, 3, 4]);
        // Each copy the section's height (7 lines) below the previous.
        assert_eq!(e.panels[3].grid.y, 7);
        assert_eq!(e.panels[4].grid.y, 8);
        assert_eq!(e.panels[5].scoped, [("db".to_string(), "replica".to_string())]);
        assert!(e.panels[6].scoped.is_empty());
    }

    #[test]
    fn a_collapsed_row_repeats_its_own_panels_and_nested_repeats_bind_both() {
        let vars = [var("db", &["main", "replica"], &[]), var("disk", &["sda", "sdb"], &[])];
        let mut r = row("DB $db", 0, true, Some("db"));
        r.children = vec![panel("io $disk on $db", (0, 1, 24, 4), Some(("disk", false, None)))];
        let e = expand(&[r, panel("after", (0, 2, 24, 3), None)], &vars, Builtins::default());
        assert_eq!(titles(&e.panels), ["DB main", "DB replica", "after"]);
        assert_eq!(e.origins, [0, 0, 1]);
        assert_eq!(titles(&e.panels[1].children), ["io sda on replica", "io sdb on replica"]);
        assert_eq!(
            e.panels[1].children[1].scoped,
            [("db".to_string(), "replica".to_string()), ("disk".to_string(), "sdb".to_string())]
        );
        // A panel inside a row repeated by the same variable: once, the row's value.
        let mut same = row("DB $db", 0, true, Some("db"));
        same.children = vec![panel("p $db", (0, 1, 24, 4), Some(("db", false, None)))];
        let e = expand(&[same], &vars, Builtins::default());
        assert_eq!(titles(&e.panels[0].children), ["p main"]);
    }

    #[test]
    fn without_values_or_a_variable_a_panel_shows_once_unbound() {
        let vars = [var("host", &[], &[])];
        let p = [
            panel("CPU $host", (0, 0, 12, 8), Some(("host", false, None))),
            panel("q", (0, 0, 1, 1), Some(("nope", false, None))),
        ];
        let e = expand(&p, &vars, Builtins::default());
        assert_eq!(e.panels.len(), 2);
        assert!(e.panels.iter().all(|p| p.scoped.is_empty()));
        assert_eq!(e.panels[0].title, "CPU ", "no value: nothing to show for it");
    }

    #[test]
    fn copies_stop_at_the_panel_cap_and_say_how_many() {
        let options: Vec<String> = (0..2000).map(|i| format!("h{i}")).collect();
        let refs: Vec<&str> = options.iter().map(String::as_str).collect();
        let vars = [var("host", &["$__all"], &refs)];
        let p = [panel("p", (0, 0, 6, 4), Some(("host", false, None))), panel("kept", (0, 9, 6, 4), None)];
        let e = expand(&p, &vars, Builtins::default());
        assert_eq!(e.panels.len(), MAX_PANELS);
        assert_eq!(e.cut, 2000 + 1 - MAX_PANELS);
        assert_eq!(e.panels.last().map(|p| p.title.as_str()), Some("kept"), "the panels after it are not cut");
    }

    #[test]
    fn titles_read_as_text_and_queries_take_the_bound_value_escaped() {
        let vars = [var("a", &["x", "y"], &[]), var("b", &["$__all"], &["p"])];
        assert_eq!(title("$a / ${b} / [[a]]", &vars, &[], Builtins::default()), "x + y / All / x + y");
        assert_eq!(title("$a on $__range", &vars, &[("a".into(), "z".into())], Builtins::default()), "z on 6h");
        let scope = Scope::new(&[var("i", &["$__all"], &["a.b", "c"])], Builtins::default());
        let bound = scope.bind(&[("i".into(), "a.b".into())]);
        assert_eq!(interpolate(r#"up{instance=~"$i"}"#, &bound), r#"up{instance=~"a\\.b"}"#);
    }

    #[test]
    fn values_are_the_selection_or_every_option_once() {
        assert_eq!(values(&var("v", &["$__all"], &["a", "b", "a"])), ["a", "b"]);
        assert_eq!(values(&var("v", &["b", "", "b"], &["a", "b"])), ["b"]);
        assert!(values(&var("v", &["$__all"], &[])).is_empty());
    }

    #[test]
    fn the_file_says_what_repeats_and_a_saved_copy_is_not_read_twice() {
        let body = br#"{"title": "T",
            "templating": {"list": [{"name": "host", "type": "custom", "query": "a,b", "multi": true}]},
            "panels": [
              {"id": 1, "type": "stat", "title": "up $host", "repeat": "host", "repeatDirection": "v", "maxPerRow": 3,
               "gridPos": {"x": 0, "y": 0, "w": 8, "h": 4}},
              {"id": 2, "type": "stat", "title": "up $host", "repeatPanelId": 1, "scopedVars": {},
               "gridPos": {"x": 8, "y": 0, "w": 8, "h": 4}},
              {"id": 3, "type": "stat", "title": "z", "repeat": "$nope", "gridPos": {"x": 16, "y": 0, "w": 8, "h": 4}}
            ]}"#;
        let parsed = crate::dashboard::parse(body).unwrap();
        let panels = &parsed.dashboard.panels;
        assert_eq!(panels.len(), 2, "{:?}", parsed.diagnostics);
        assert_eq!(panels[0].repeat, Some(Repeat { var: "host".into(), vertical: true, max_per_row: Some(3) }));
        assert_eq!(panels[1].repeat, None);
        let said: Vec<String> = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(said.iter().any(|d| d.starts_with("note: panels[1]: a repeated copy")), "{said:?}");
        assert!(said.iter().any(|d| d.starts_with("warning: panels[2].repeat: repeated by $nope")), "{said:?}");
        assert!(!said.iter().any(|d| d.contains("unknown field")), "{said:?}");
    }

    #[test]
    fn the_v2_resource_repeats_items_and_rows() {
        let body = br#"{"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard", "metadata": {"name": "u"},
          "spec": {"title": "T",
            "variables": [{"kind": "CustomVariable", "spec": {"name": "host", "query": "a,b", "multi": true,
               "current": {"value": ["a", "b"]}}}],
            "elements": {"p": {"kind": "Panel", "spec": {"title": "x", "vizConfig": {"group": "stat"},
              "data": {"kind": "QueryGroup", "spec": {"queries": [], "queryOptions": {"timeFrom": "1h", "timeShift": "30m"}}}}}},
            "layout": {"kind": "RowsLayout", "spec": {"rows": [{"kind": "RowsLayoutRow",
              "spec": {"title": "r $host", "repeat": {"mode": "variable", "value": "host"},
                "layout": {"kind": "GridLayout", "spec": {"items": [{"kind": "GridLayoutItem",
                  "spec": {"x": 0, "y": 0, "width": 6, "height": 3, "element": {"kind": "ElementReference", "name": "p"},
                    "repeat": {"mode": "variable", "value": "host", "direction": "h", "maxPerRow": 2}}}]}}}}]}}}}"#;
        let parsed = crate::dashboard::parse(body).unwrap();
        let row = &parsed.dashboard.panels[0];
        assert_eq!(row.repeat.as_ref().map(|r| r.var.as_str()), Some("host"), "{:?}", parsed.diagnostics);
        assert_eq!(row.children[0].repeat, Some(Repeat { var: "host".into(), vertical: false, max_per_row: Some(2) }));
        let time = row.children[0].time;
        assert_eq!((time.from_secs, time.shift_secs), (Some(3600), Some(1800)), "queryOptions");
    }
}
