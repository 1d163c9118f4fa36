//! What `warroom dash check` prints per file: what will show, and each
//! diagnostic; as text for a person or JSON for CI.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Diagnostic, Fatal, Parsed, Severity};

/// One file's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    /// `classic`, `api`, `v2`; absent when the file is no dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Panels by type, rows and their nested panels included.
    pub panels: BTreeMap<String, usize>,
    pub variables: Vec<VariableLine>,
    /// The panels and rows shown once per value of a variable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<RepeatLine>,
    /// Why the file could not be read as a dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariableLine {
    pub name: String,
    pub kind: &'static str,
    pub current: Vec<String>,
}

/// A repeated panel or row: its title (as written) and the variable.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatLine {
    pub title: String,
    pub row: bool,
    pub var: String,
    /// `h` or `v` (a row's copies are always one below the other).
    pub direction: &'static str,
}

impl FileReport {
    /// `file` is shown as given (cleaned: a file name is input too).
    pub fn new(file: &str, outcome: Result<Parsed, Fatal>) -> Self {
        let file = crate::text::clean(file).into_owned();
        match outcome {
            Ok(p) => {
                let mut panels = BTreeMap::new();
                for panel in p.dashboard.all_panels() {
                    *panels.entry(panel.kind.name()).or_insert(0) += 1;
                }
                let variables = p
                    .dashboard
                    .variables
                    .iter()
                    .map(|v| VariableLine {
                        name: v.name.clone(),
                        kind: v.kind.name(),
                        current: v
                            .current
                            .iter()
                            .map(|c| if c == "$__all" { "All".into() } else { c.clone() })
                            .collect(),
                    })
                    .collect();
                let repeats = p
                    .dashboard
                    .all_panels()
                    .filter_map(|panel| {
                        let r = panel.repeat.as_ref()?;
                        let row = panel.kind == super::PanelKind::Row;
                        let direction = if r.vertical || row { "v" } else { "h" };
                        Some(RepeatLine { title: panel.title.clone(), row, var: r.var.clone(), direction })
                    })
                    .collect();
                Self {
                    file,
                    form: Some(p.form),
                    title: Some(p.dashboard.title),
                    uid: p.dashboard.uid,
                    panels,
                    variables,
                    repeats,
                    error: None,
                    diagnostics: p.diagnostics,
                }
            }
            Err(e) => Self {
                file,
                form: None,
                title: None,
                uid: None,
                panels: BTreeMap::new(),
                variables: Vec::new(),
                repeats: Vec::new(),
                error: Some(e.to_string()),
                diagnostics: Vec::new(),
            },
        }
    }

    /// Whether the check fails for this file (`strict`: on warnings too).
    pub fn fails(&self, strict: bool) -> bool {
        self.error.is_some()
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning))
    }

    /// The human form: a header line, what shows, one line per warning and
    /// error (and note, when `verbose`), then the counts.
    pub fn text(&self, verbose: bool) -> String {
        let mut out = String::new();
        if let Some(e) = &self.error {
            let _ = writeln!(out, "{}: error: {e}", self.file);
            return out;
        }
        let title = self.title.as_deref().filter(|t| !t.is_empty()).unwrap_or("(untitled)");
        let _ = writeln!(out, "{}: {title:?} ({} form)", self.file, self.form.unwrap_or(""));
        let total: usize = self.panels.values().sum();
        let by_type: Vec<String> = self.panels.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(
            out,
            "  panels: {total}{}",
            if total > 0 { format!(" ({})", by_type.join(", ")) } else { String::new() }
        );
        if self.variables.is_empty() {
            let _ = writeln!(out, "  variables: none");
        } else {
            let vars: Vec<String> =
                self.variables.iter().map(|v| format!("{} ({}) = {}", v.name, v.kind, v.current.join(","))).collect();
            let _ = writeln!(out, "  variables: {}", vars.join("; "));
        }
        if !self.repeats.is_empty() {
            let what: Vec<String> = self
                .repeats
                .iter()
                .map(|r| {
                    let kind = if r.row { "row " } else { "" };
                    let how = if r.row { String::new() } else { format!(" ({})", r.direction) };
                    format!("{kind}{:?} by ${}{how}", r.title, r.var)
                })
                .collect();
            let _ = writeln!(out, "  repeated per value: {}", what.join("; "));
        }
        for d in self.diagnostics.iter().filter(|d| verbose || d.severity > Severity::Note) {
            let _ = writeln!(out, "  {d}");
        }
        let count = |s: Severity| self.diagnostics.iter().filter(|d| d.severity == s).count();
        let notes = count(Severity::Note);
        let hint = if notes > 0 && !verbose { " (--verbose lists them)" } else { "" };
        let _ = writeln!(
            out,
            "  {} error(s), {} warning(s), {notes} note(s){hint}",
            count(Severity::Error),
            count(Severity::Warning)
        );
        out
    }
}

/// All files as one JSON document: `{"files": [...], "ok": bool}`.
pub fn json(reports: &[FileReport], strict: bool) -> String {
    let ok = !reports.iter().any(|r| r.fails(strict));
    let doc = serde_json::json!({ "ok": ok, "files": reports });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_no_dashboard_fails_even_without_strict() {
        let r = FileReport::new("x.json", super::super::parse(b"{nope"));
        assert!(r.fails(false));
        assert!(r.text(false).starts_with("x.json: error: not JSON"), "{}", r.text(false));
    }

    #[test]
    fn warnings_fail_only_with_strict() {
        let body =
            br#"{"title": "T", "panels": [{"type": "nodeGraph", "title": "p", "gridPos": {"x":0,"y":0,"w":12,"h":8}}]}"#;
        let r = FileReport::new("d.json", super::super::parse(body));
        assert!(!r.fails(false));
        assert!(r.fails(true));
        let text = r.text(false);
        assert!(text.contains("warning: panels[0].type: panel type \"nodeGraph\" is not supported"), "{text}");
        assert!(text.ends_with("0 error(s), 1 warning(s), 0 note(s)\n"), "{text}");
        assert!(json(&[r], false).contains("\"ok\": true"));
    }

    #[test]
    fn repeats_are_listed_with_their_variable() {
        let body = br#"{"title": "T", "templating": {"list": [{"name": "h", "type": "custom", "query": "a,b"}]},
            "panels": [{"type": "row", "title": "r", "repeat": "h", "gridPos": {"x":0,"y":0,"w":24,"h":1}},
              {"type": "stat", "title": "s $h", "repeat": "h", "repeatDirection": "v", "gridPos": {"x":0,"y":1,"w":6,"h":4}}]}"#;
        let r = FileReport::new("d.json", super::super::parse(body));
        let text = r.text(false);
        assert!(text.contains("  repeated per value: row \"r\" by $h; \"s $h\" by $h (v)\n"), "{text}");
        assert!(!r.fails(true), "{text}");
        assert!(json(&[r], false).contains("\"repeats\": ["));
    }

    #[test]
    fn notes_are_counted_listed_when_verbose_and_never_fail() {
        let body = br#"{"title": "T", "panels": [{"type": "stat", "title": "p", "sparkles": 1,
            "gridPos": {"x":0,"y":0,"w":12,"h":8}}]}"#;
        let r = FileReport::new("d.json", super::super::parse(body));
        assert!(!r.fails(true), "a note fails not even --strict");
        let quiet = r.text(false);
        assert!(!quiet.contains("sparkles") && quiet.contains("1 note(s) (--verbose lists them)"), "{quiet}");
        let verbose = r.text(true);
        assert!(verbose.contains("note: panels[0].sparkles: unknown field, ignored"), "{verbose}");
        assert!(json(&[r], true).contains("\"severity\": \"note\""));
    }
}
