//! What Loki's distributor checks in a push, with its limits at their
//! defaults and its messages word for word (`pkg/validation/validate.go`,
//! `pkg/distributor/validator.go`): label names, at least one label, label
//! counts and lengths, entries too old or too new, lines too long, and
//! structured metadata (allowed, size, count). Also what it adds:
//! `service_name` (`discover_service_name`) and the `detected_level`
//! metadata (`discover_log_levels`), both on by default in Loki 3.

use super::loki_text::{go_quote, labels_string, rfc3339};
use super::spec::Labels;

const DAY_NS: i64 = 24 * 3600 * 1_000_000_000;
const MINUTE_NS: i64 = 60 * 1_000_000_000;

/// The per-tenant limits a push meets (`limits_config`), Loki 3's defaults.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PushLimits {
    pub max_line_size: usize,
    pub max_label_name_length: usize,
    pub max_label_value_length: usize,
    pub max_label_names_per_series: usize,
    /// `reject_old_samples_max_age`; `None` when `reject_old_samples` is off.
    pub reject_old_samples_max_age_ns: Option<i64>,
    pub creation_grace_period_ns: i64,
    pub allow_structured_metadata: bool,
    pub max_structured_metadata_size: usize,
    pub max_structured_metadata_entries: usize,
    pub discover_service_name: bool,
}

impl Default for PushLimits {
    fn default() -> Self {
        PushLimits {
            max_line_size: 256 * 1024,
            max_label_name_length: 1024,
            max_label_value_length: 2048,
            max_label_names_per_series: 15,
            reject_old_samples_max_age_ns: Some(7 * DAY_NS),
            creation_grace_period_ns: 10 * MINUTE_NS,
            allow_structured_metadata: true,
            max_structured_metadata_size: 64 * 1024,
            max_structured_metadata_entries: 128,
            discover_service_name: true,
        }
    }
}

/// The labels of a pushed stream, checked as Loki parses them: the JSON
/// object is printed as `{name="value", …}` and read back by Prometheus'
/// metric parser, so a name outside `[a-zA-Z_][a-zA-Z0-9_]*` fails with that
/// parser's message. Labels with an empty value are dropped, as Loki does.
///
/// The position and wording are those of Prometheus' lexer for an ordinary
/// bad character (`-`, `.`, `:`, `/`, a digit first, a non-ASCII letter);
/// for characters that are LogQL syntax themselves (`=`, `,`, `"`, braces,
/// white space) Prometheus' grammar words it differently, and the simulator
/// keeps the lexer's sentence.
pub(crate) fn parse_labels(raw: &Labels) -> Result<Labels, String> {
    let text =
        format!("{{{}}}", raw.iter().map(|(k, v)| format!("{k}={}", go_quote(v))).collect::<Vec<_>>().join(", "));
    let mut offset = 1;
    for name in raw.keys() {
        if let Some(err) = name_error(name, offset) {
            return Err(format!("Error parsing labels '{text}' with error: {err}"));
        }
        offset += name.len() + go_quote(&raw[name]).len() + 3;
    }
    Ok(raw.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// Prometheus' lexer error for `name` starting at byte `offset`, if any.
fn name_error(name: &str, offset: usize) -> Option<String> {
    if name.is_empty() {
        return Some(format!(
            "1:{}: parse error: unexpected \"=\" in label set, expected identifier or \"}}\"",
            offset + 1
        ));
    }
    let (at, c) = name.char_indices().find(|&(i, c)| {
        let ok = c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit());
        !ok
    })?;
    Some(format!("1:{}: parse error: unexpected character inside braces: {}", offset + at + 1, go_quote_rune(c)))
}

/// Go's `%q` of a rune: `'-'`, `'é'`, `'\n'`, `'\''`.
fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let quoted = go_quote(&c.to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

/// The labels Loki discovers `service_name` from, in order.
const SERVICE_NAME_SOURCES: &[&str] = &[
    "service",
    "app",
    "application",
    "app_name",
    "name",
    "app_kubernetes_io_name",
    "container",
    "container_name",
    "k8s_container_name",
    "component",
    "workload",
    "job",
    "k8s_job_name",
];

/// `service_name` from the first label of the list that the stream has, or
/// `unknown_service`, unless the stream has one already.
pub(crate) fn with_service_name(mut labels: Labels) -> Labels {
    if !labels.contains_key("service_name") {
        let found = SERVICE_NAME_SOURCES.iter().find_map(|k| labels.get(*k).filter(|v| !v.is_empty()));
        let name = found.cloned().unwrap_or_else(|| "unknown_service".into());
        labels.insert("service_name".into(), name);
    }
    labels
}

/// `ValidateLabels`: at least one label, at most 15 names (not counting
/// `service_name`), names and values not too long.
pub(crate) fn validate_labels(labels: &Labels, limits: &PushLimits) -> Result<(), String> {
    if labels.is_empty() {
        return Err("error at least one label pair is required per stream".into());
    }
    let stream = labels_string(labels);
    let count = labels.len() - usize::from(labels.contains_key("service_name"));
    if count > limits.max_label_names_per_series {
        let max = limits.max_label_names_per_series;
        return Err(format!("entry for stream '{stream}' has {count} label names; limit {max}"));
    }
    for (name, value) in labels {
        if name.len() > limits.max_label_name_length {
            return Err(format!("stream '{stream}' has label name too long: '{name}'"));
        }
        if value.len() > limits.max_label_value_length {
            return Err(format!("stream '{stream}' has label value too long: '{value}'"));
        }
    }
    Ok(())
}

/// `util.StructuredMetadataSize`: names and values, in bytes.
pub(crate) fn metadata_size(metadata: &Labels) -> usize {
    metadata.iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// `ValidateEntry`, in Loki's order: too old, too new, line too long,
/// structured metadata disallowed, too large, too many.
pub(crate) fn validate_entry(
    stream: &str,
    ts_ns: i64,
    line: &str,
    metadata: &Labels,
    now_ns: i64,
    limits: &PushLimits,
) -> Result<(), String> {
    if let Some(oldest) = limits.reject_old_samples_max_age_ns.map(|age| now_ns.saturating_sub(age))
        && ts_ns < oldest
    {
        return Err(format!(
            "entry for stream '{stream}' has timestamp too old: {}, oldest acceptable timestamp is: {}",
            rfc3339(ts_ns),
            rfc3339(oldest)
        ));
    }
    if ts_ns > now_ns.saturating_add(limits.creation_grace_period_ns) {
        return Err(format!("entry for stream '{stream}' has timestamp too new: {}", rfc3339(ts_ns)));
    }
    if limits.max_line_size != 0 && line.len() > limits.max_line_size {
        return Err(format!(
            "Max entry size '{}' bytes exceeded for stream '{stream}' while adding an entry with length '{}' bytes",
            limits.max_line_size,
            line.len()
        ));
    }
    if metadata.is_empty() {
        return Ok(());
    }
    if !limits.allow_structured_metadata {
        return Err(format!(
            "stream '{stream}' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it."
        ));
    }
    let size = metadata_size(metadata);
    if limits.max_structured_metadata_size != 0 && size > limits.max_structured_metadata_size {
        return Err(format!(
            "stream '{stream}' has structured metadata too large: '{size}' bytes, limit: '{}' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it.",
            limits.max_structured_metadata_size
        ));
    }
    let count = metadata.len();
    if limits.max_structured_metadata_entries != 0 && count > limits.max_structured_metadata_entries {
        return Err(format!(
            "stream '{stream}' has too many structured metadata labels: '{count}', limit: '{}'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it.",
            limits.max_structured_metadata_entries
        ));
    }
    Ok(())
}

/// Structured metadata names as the distributor stores them (OpenTelemetry's
/// `NormalizeLabel`): characters other than `[a-zA-Z0-9_]` become `_`, a
/// leading digit gets `key_`, a single leading `_` gets `key`.
pub(crate) fn normalize_metadata(metadata: Labels) -> Labels {
    metadata
        .into_iter()
        .map(|(k, v)| {
            let mut name: String =
                k.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
            if name.starts_with(|c: char| c.is_ascii_digit()) {
                name = format!("key_{name}");
            } else if name.starts_with('_') && !name.starts_with("__") {
                name = format!("key{name}");
            }
            (name, v)
        })
        .collect()
}

/// Loki's `GroupedErrors`: each distinct message once, prefixed with its
/// count when there are several messages or it repeats, joined by `; `.
pub(crate) fn grouped(errors: &[String]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for e in errors {
        match counts.iter_mut().find(|(m, _)| *m == e) {
            Some((_, n)) => *n += 1,
            None => counts.push((e, 1)),
        }
    }
    let several = counts.len() > 1;
    let parts: Vec<String> = counts
        .iter()
        .map(|(m, n)| if several || *n > 1 { format!("{n} errors like: {m}") } else { (*m).to_string() })
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests;
