//! Rows grouped by a label. The alerts come in display order already (the
//! board sorts them once per poll), so grouping is one pass with a hash map,
//! then a sort of the groups alone.

use std::collections::HashMap;

use super::{BoardAlert, Row};
use crate::model::Severity;

/// Groups sorted by their worst severity, then by their newest alert, then
/// by name; members keep their order. `sev` gives an alert's severity.
pub fn rows(alerts: &[BoardAlert], sev: &[Severity], visible: &[u32], label: &str) -> Vec<Row> {
    let none = format!("(no {label})");
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<(&str, Vec<u32>)> = Vec::new();
    for &i in visible {
        let key = alerts[i as usize].alert.labels.get(label).map(String::as_str).unwrap_or(&none);
        match index.get(key) {
            Some(&g) => groups[g].1.push(i),
            None => {
                index.insert(key, groups.len());
                groups.push((key, vec![i]));
            }
        }
    }
    // Members are in display order, so the first is the worst and newest.
    groups.sort_by_cached_key(|(key, members)| {
        let first = members[0] as usize;
        (sev[first], std::cmp::Reverse(alerts[first].alert.starts_at), *key)
    });
    let mut rows = Vec::with_capacity(visible.len() + groups.len());
    for (key, members) in groups {
        let severity = sev[members[0] as usize];
        rows.push(Row::Group { key: key.to_string(), count: members.len(), severity });
        rows.extend(members.into_iter().map(|i| Row::Alert(i as usize)));
    }
    rows
}
