//! Rows grouped by a label. Reading one label of 10 000 alerts walks 10 000
//! label maps scattered over the heap; that is done once per board and
//! label ([`GroupKeys`]), so cycling groupings with `b` or typing a filter
//! only shuffles small integers. The alerts come in display order already
//! (the board sorts them once per poll), so grouping is one pass, then a
//! sort of the groups alone.

use super::{BoardAlert, Row};
use crate::model::Severity;

/// Each alert's group under one label, as an index into `names`.
#[derive(Debug, Clone)]
pub struct GroupKeys {
    names: Vec<String>,
    ids: Vec<u32>,
}

impl GroupKeys {
    /// Alerts without the label share the group `(no label)`, and so does
    /// an alert whose value is that very text.
    pub fn new(alerts: &[BoardAlert], label: &str) -> Self {
        let none = format!("(no {label})");
        let mut index: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut names = Vec::new();
        let ids = alerts
            .iter()
            .map(|b| {
                let key = b.alert.labels.get(label).map(String::as_str).unwrap_or(&none);
                *index.entry(key).or_insert_with(|| {
                    names.push(key.to_string());
                    names.len() as u32 - 1
                })
            })
            .collect();
        Self { names, ids }
    }
}

/// Groups sorted by their worst severity, then by their newest alert, then
/// by name; members keep their order. `sev` gives an alert's severity.
pub fn rows(alerts: &[BoardAlert], sev: &[Severity], visible: &[u32], keys: &GroupKeys) -> Vec<Row> {
    const NEW: u32 = u32::MAX;
    let mut slot = vec![NEW; keys.names.len()];
    let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
    for &i in visible {
        let id = keys.ids[i as usize];
        match slot[id as usize] {
            NEW => {
                slot[id as usize] = groups.len() as u32;
                groups.push((id, vec![i]));
            }
            g => groups[g as usize].1.push(i),
        }
    }
    // Members are in display order, so the first is the worst and newest.
    groups.sort_by_cached_key(|(id, members)| {
        let first = members[0] as usize;
        (sev[first], std::cmp::Reverse(alerts[first].alert.starts_at), keys.names[*id as usize].as_str())
    });
    let mut rows = Vec::with_capacity(visible.len() + groups.len());
    for (id, members) in groups {
        let severity = sev[members[0] as usize];
        rows.push(Row::Group { key: keys.names[id as usize].clone(), count: members.len(), severity });
        rows.extend(members.into_iter().map(|i| Row::Alert(i as usize)));
    }
    rows
}
