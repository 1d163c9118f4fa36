//! A table panel's columns and rows, as Grafana builds them from Prometheus
//! answers: one frame per query — a column per label and the value (`Value`,
//! or `Value #A` when the panel has several queries) — then the panel's
//! transformations in order (`merge` and `joinByField` put the frames' rows
//! that agree on their shared labels into one row; `organize` hides,
//! renames and orders columns; `filterFieldsByName` keeps some), then the
//! overrides per column (name, unit, decimals, thresholds, mappings,
//! hidden). The time column is left out: every value is the latest.
//!
//! Pure: the view hands the answers in, draws what comes out.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Panel, Transformation};
use super::units::{FieldType, Look, for_series};
use crate::model::Labels;

/// The most rows a table keeps (a terminal shows far fewer).
pub const MAX_ROWS: usize = 500;
/// The most columns.
pub const MAX_COLUMNS: usize = 64;

/// One query's answer: its refId and each series' labels and latest value.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    pub ref_id: &'a str,
    pub rows: Vec<(&'a Labels, Option<f64>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The name shown in the header.
    pub title: String,
    /// A value column (numbers, right-aligned, formatted by `look`).
    pub numeric: bool,
    pub look: Look,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Value(Option<f64>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// Whether the panel is drawn as columns (a query asks for Grafana's table
/// format, or a transformation shapes columns) rather than one row per
/// series with its value.
pub fn is_columns(panel: &Panel) -> bool {
    panel.targets.iter().any(|t| t.table) || !panel.transformations.is_empty()
}

/// A row as named fields, before the columns are chosen.
type Row = BTreeMap<String, Cell>;

/// A column before the overrides: its field name and where it comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Label(String),
    /// The value of the query with this refId.
    Value(String),
}

pub fn build(panel: &Panel, frames: &[Frame]) -> Table {
    let several = frames.len() > 1;
    let value_name = |r: &str| if several { format!("Value #{r}") } else { "Value".to_string() };
    // Rows as named fields; the field names in first-seen order.
    let mut rows: Vec<Row> = Vec::new();
    let mut fields: Vec<(String, Source)> = Vec::new();
    let add_field = |fields: &mut Vec<(String, Source)>, name: &str, src: Source| {
        if !fields.iter().any(|(n, _)| n == name) && fields.len() < MAX_COLUMNS {
            fields.push((name.to_string(), src));
        }
    };
    for f in frames {
        let mut labels: BTreeSet<&str> = BTreeSet::new();
        for (l, _) in &f.rows {
            labels.extend(l.keys().map(String::as_str).filter(|k| *k != "__name__"));
        }
        for l in labels {
            add_field(&mut fields, l, Source::Label(l.to_string()));
        }
        add_field(&mut fields, &value_name(f.ref_id), Source::Value(f.ref_id.to_string()));
    }
    let joins = panel.transformations.iter().find_map(|t| match t {
        Transformation::Merge => Some(None),
        Transformation::JoinByField { field } => Some(field.clone()),
        _ => None,
    });
    // The labels every frame has: what merge joins on.
    let shared: BTreeSet<String> = {
        let per_frame: Vec<BTreeSet<String>> = frames
            .iter()
            .map(|f| f.rows.iter().flat_map(|(l, _)| l.keys().filter(|k| *k != "__name__").cloned()).collect())
            .collect();
        let mut it = per_frame.into_iter();
        let first = it.next().unwrap_or_default();
        it.fold(first, |acc, s| acc.intersection(&s).cloned().collect())
    };
    for f in frames {
        for (labels, value) in &f.rows {
            let mut row: BTreeMap<String, Cell> = labels
                .iter()
                .filter(|(k, _)| *k != "__name__")
                .map(|(k, v)| (k.clone(), Cell::Text(crate::text::clean(v).into_owned())))
                .collect();
            row.insert(value_name(f.ref_id), Cell::Value(*value));
            let key_of = |r: &BTreeMap<String, Cell>| -> Option<Vec<(String, String)>> {
                let keys: Vec<&String> = match &joins {
                    Some(Some(field)) => vec![field],
                    Some(None) => shared.iter().collect(),
                    None => return None,
                };
                keys.into_iter()
                    .map(|k| match r.get(k) {
                        Some(Cell::Text(t)) => Some((k.clone(), t.clone())),
                        _ => None,
                    })
                    .collect()
            };
            let key = key_of(&row);
            match key.as_ref().and_then(|k| rows.iter().position(|r| key_of(r).as_ref() == Some(k))) {
                Some(at) => rows[at].extend(row),
                None if rows.len() < MAX_ROWS => rows.push(row),
                None => {}
            }
        }
    }
    // Transformations that shape the columns, in order.
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for t in &panel.transformations {
        match t {
            Transformation::Organize { exclude, rename, order } => {
                fields.retain(|(n, _)| !exclude.contains(n));
                for (from, to) in rename {
                    renames.insert(from.clone(), to.clone());
                }
                // Listed fields by their index; the rest after them, as they were.
                let pos: Vec<(String, Source)> = fields.clone();
                fields.sort_by_key(|(n, _)| {
                    let at = pos.iter().position(|(m, _)| m == n).unwrap_or(usize::MAX);
                    (order.get(n).copied().map_or(u64::MAX, u64::from), at)
                });
            }
            Transformation::FilterByName { include, exclude } => {
                fields.retain(|(n, _)| (include.is_empty() || include.contains(n)) && !exclude.contains(n));
            }
            Transformation::GroupBy { by, aggregate } => (fields, rows) = group_by(&fields, rows, by, aggregate),
            Transformation::Merge | Transformation::JoinByField { .. } => {}
        }
    }
    let mut columns = Vec::new();
    let mut keep = Vec::new();
    for (name, src) in &fields {
        let (ty, ref_id) = match src {
            Source::Label(_) => (FieldType::String, ""),
            Source::Value(r) => (FieldType::Number, r.as_str()),
        };
        let shown = renames.get(name).cloned().unwrap_or_else(|| name.clone());
        // Overrides name the field as the file's author saw it: either name.
        let look = for_series(&panel.field, &panel.overrides, &[name, &shown], ref_id, ty);
        if look.hidden {
            continue;
        }
        let title = look.name.clone().unwrap_or(shown);
        columns.push(Column { title, numeric: ty == FieldType::Number, look });
        keep.push(name.clone());
    }
    let rows = rows
        .into_iter()
        .map(|mut r| keep.iter().map(|k| r.remove(k).unwrap_or(Cell::Text(String::new()))).collect())
        .collect();
    Table { columns, rows }
}

/// Rows and fields after a `groupBy`: the `by` fields (in their order
/// among the fields) and each aggregated field once per calc, named
/// `field (calc)` as Grafana names them.
fn group_by(
    fields: &[(String, Source)],
    rows: Vec<Row>,
    by: &[String],
    aggregate: &[(String, Vec<String>)],
) -> (Vec<(String, Source)>, Vec<Row>) {
    let keys: Vec<&String> = fields.iter().map(|(n, _)| n).filter(|n| by.contains(n)).collect();
    let text = |c: Option<&Cell>| match c {
        Some(Cell::Text(t)) => t.clone(),
        Some(Cell::Value(Some(v))) => v.to_string(),
        _ => String::new(),
    };
    let mut groups: Vec<(Vec<String>, Vec<Row>)> = Vec::new();
    for row in rows {
        let key: Vec<String> = keys.iter().map(|k| text(row.get(*k))).collect();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(row),
            None => groups.push((key, vec![row])),
        }
    }
    let mut out_fields: Vec<(String, Source)> =
        keys.iter().map(|k| ((*k).clone(), Source::Label((*k).clone()))).collect();
    let mut aggregated = Vec::new();
    for (name, src) in fields {
        let Some((_, calcs)) = aggregate.iter().find(|(f, _)| f == name) else { continue };
        let ref_id = match src {
            Source::Value(r) => r.clone(),
            Source::Label(_) => String::new(),
        };
        for calc in calcs {
            let column = format!("{name} ({calc})");
            out_fields.push((column.clone(), Source::Value(ref_id.clone())));
            aggregated.push((name.clone(), calc.clone(), column));
        }
    }
    let rows = groups
        .into_iter()
        .map(|(key, members)| {
            let mut row: BTreeMap<String, Cell> =
                keys.iter().zip(key).map(|(k, v)| ((*k).clone(), Cell::Text(v))).collect();
            for (field, calc, column) in &aggregated {
                let values: Vec<f64> = members
                    .iter()
                    .filter_map(|m| match m.get(field) {
                        Some(Cell::Value(v)) => *v,
                        Some(Cell::Text(t)) => t.parse().ok(),
                        None => None,
                    })
                    .filter(|v: &f64| v.is_finite())
                    .collect();
                row.insert(column.clone(), Cell::Value(reduce(calc, &values, members.len())));
            }
            row
        })
        .collect();
    (out_fields, rows)
}

/// Grafana's reducers over a group's values (`count` counts its rows).
fn reduce(calc: &str, v: &[f64], rows: usize) -> Option<f64> {
    if calc == "count" {
        return Some(rows as f64);
    }
    let (first, last) = (v.first().copied()?, v.last().copied()?);
    Some(match calc {
        "sum" => v.iter().sum(),
        "mean" => v.iter().sum::<f64>() / v.len() as f64,
        "min" => v.iter().copied().fold(f64::INFINITY, f64::min),
        "max" => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "range" => {
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max) - v.iter().copied().fold(f64::INFINITY, f64::min)
        }
        "first" | "firstNotNull" => first,
        _ => last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{Override, PanelKind};

    fn panel(transformations: Vec<Transformation>, overrides: Vec<Override>) -> Panel {
        Panel { overrides, transformations, ..Panel::new(PanelKind::Table, "t", Default::default()) }
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn text(t: &Table) -> Vec<Vec<String>> {
        let mut out = vec![t.columns.iter().map(|c| c.title.clone()).collect::<Vec<_>>()];
        for r in &t.rows {
            out.push(
                r.iter()
                    .map(|c| match c {
                        Cell::Text(s) => s.clone(),
                        Cell::Value(v) => v.map_or("-".into(), |v| v.to_string()),
                    })
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn one_query_is_a_label_column_each_and_its_value() {
        let (a, b) = (labels(&[("__name__", "up"), ("job", "db"), ("instance", "h1")]), labels(&[("job", "web")]));
        let t = build(&panel(vec![], vec![]), &[Frame { ref_id: "A", rows: vec![(&a, Some(1.0)), (&b, None)] }]);
        assert_eq!(text(&t), [vec!["instance", "job", "Value"], vec!["h1", "db", "1"], vec!["", "web", "-"]]);
    }

    #[test]
    fn merge_joins_the_queries_rows_on_their_shared_labels_and_organize_shapes_the_columns() {
        let (a1, a2) = (labels(&[("pool", "rbd"), ("id", "1")]), labels(&[("pool", "cephfs"), ("id", "2")]));
        let (b1, b2) = (labels(&[("pool", "rbd")]), labels(&[("pool", "cephfs")]));
        let frames = [
            Frame { ref_id: "A", rows: vec![(&a1, Some(10.0)), (&a2, Some(20.0))] },
            Frame { ref_id: "B", rows: vec![(&b2, Some(0.5)), (&b1, Some(0.25))] },
        ];
        let organize = Transformation::Organize {
            exclude: ["id".to_string()].into(),
            rename: [("Value #A".to_string(), "Reads".to_string())].into(),
            order: [("pool".to_string(), 0), ("Value #B".to_string(), 1), ("Value #A".to_string(), 2)].into(),
        };
        let renamed_by_override = Override {
            matcher: "byName".into(),
            pattern: "Value #B".into(),
            display_name: Some("Used".into()),
            unit: Some("percentunit".into()),
            ..Override::default()
        };
        let t = build(&panel(vec![Transformation::Merge, organize], vec![renamed_by_override]), &frames);
        assert_eq!(text(&t), [vec!["pool", "Used", "Reads"], vec!["rbd", "0.25", "10"], vec!["cephfs", "0.5", "20"]]);
        assert_eq!(t.columns[1].look.field.unit.as_deref(), Some("percentunit"));
        assert!(t.columns[1].numeric && !t.columns[0].numeric);
    }

    #[test]
    fn group_by_keeps_a_row_per_value_and_reduces_the_others() {
        let rows: Vec<Labels> = [("rbd", "h1"), ("rbd", "h2"), ("cephfs", "h1")]
            .iter()
            .map(|(pool, host)| labels(&[("pool", pool), ("host", host)]))
            .collect();
        let frame = Frame { ref_id: "A", rows: rows.iter().zip([1.0, 2.0, 5.0]).map(|(l, v)| (l, Some(v))).collect() };
        let group = Transformation::GroupBy {
            by: vec!["pool".into()],
            aggregate: vec![("Value".into(), vec!["sum".into(), "max".into()]), ("host".into(), vec!["count".into()])],
        };
        let t = build(&panel(vec![group], vec![]), &[frame]);
        assert_eq!(
            text(&t),
            [
                vec!["pool", "host (count)", "Value (sum)", "Value (max)"],
                vec!["rbd", "2", "3", "2"],
                vec!["cephfs", "1", "5", "5"],
            ]
        );
        assert!(t.columns[2].numeric);
    }

    #[test]
    fn without_merge_the_frames_rows_follow_each_other_and_hidden_columns_go() {
        let (a, b) = (labels(&[("pool", "rbd")]), labels(&[("pool", "rbd")]));
        let frames =
            [Frame { ref_id: "A", rows: vec![(&a, Some(1.0))] }, Frame { ref_id: "B", rows: vec![(&b, Some(2.0))] }];
        let hide = Override { matcher: "byType".into(), pattern: "string".into(), hidden: true, ..Override::default() };
        let t = build(&panel(vec![], vec![hide]), &frames);
        assert_eq!(text(&t), [vec!["Value #A", "Value #B"], vec!["1", ""], vec!["", "2"]]);
        let keep = Transformation::FilterByName { include: vec!["pool".into(), "Value #B".into()], exclude: vec![] };
        let t = build(&panel(vec![Transformation::JoinByField { field: Some("pool".into()) }, keep], vec![]), &frames);
        assert_eq!(text(&t), [vec!["pool", "Value #B"], vec!["rbd", "2"]]);
    }
}
