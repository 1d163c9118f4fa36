//! The post-mortem draft, in the sections of the Google SRE template,
//! regenerated from the journal (pure: records in, markdown out).
//!
//! The layout is a markdown template with `{{name}}` placeholders; the
//! default is `assets/postmortem-template.md` and a file in the config dir
//! can replace it. Placeholders: `title date authors status severity
//! commander summary impact root_causes trigger resolution detection
//! action_items lessons_learned timeline alerts graphs logs durations`.
//! Unknown placeholders are left as they are, so a typo shows in the output.
//! Substitution is one pass: a note containing `{{timeline}}` stays text.

pub(crate) mod md;
mod sections;
mod support;

use super::charts::Index;
use super::reader::Warning;
use super::record::Record;
use super::stats::Targets;
use super::timeline::Timeline;

/// The built-in layout.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../../assets/postmortem-template.md");

/// How a post-mortem is laid out: the template (default
/// [`DEFAULT_TEMPLATE`]) and the targets its durations are checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub template: Option<String>,
    pub targets: Targets,
}

/// Renders the post-mortem of the incident whose journal is `records`.
pub fn render(records: &[Record], template: Option<&str>) -> String {
    let layout = Layout { template: template.map(str::to_string), ..Layout::default() };
    render_with_warnings(records, &[], &layout, &Index::default())
}

/// [`render`], and when journal lines could not be read (a torn line, a
/// damaged one, invalid bytes), a last section that says which and why:
/// the reader of the post-mortem must know something may be missing,
/// whatever the layout.
///
/// `charts` is what the last export drew ([`Index::read`]): pictures are
/// linked as `charts/<file>`, relative to the post-mortem.
pub fn render_with_warnings(records: &[Record], warnings: &[Warning], layout: &Layout, charts: &Index) -> String {
    let t = Timeline::build(records);
    let template = layout.template.as_deref().unwrap_or(DEFAULT_TEMPLATE);
    let mut out = fill(template, |name| sections::section(name, &t, records, &layout.targets, charts));
    if !warnings.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(
            "\n## Journal damage\n\nSome lines of the journal could not be read as written; \
             what a skipped line held is missing above.\n\n",
        );
        for w in warnings {
            out.push_str(&format!("- line {}: {}\n", w.line, md::text(&w.message)));
        }
    }
    out
}

/// Replaces each `{{name}}` with `value(name)`, leaving unknown ones as is.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        match value(name) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "a" => Some("{{b}}".to_string()),
            "b" => Some("B".to_string()),
            _ => None,
        }
    }

    #[test]
    fn fill_is_one_pass_and_keeps_unknowns() {
        assert_eq!(fill("x {{a}} {{ b }} {{zz}} y", lookup), "x {{b}} B {{zz}} y");
        assert_eq!(fill("open {{a", lookup), "open {{a");
        assert_eq!(fill("", lookup), "");
        assert_eq!(fill("é{{b}}é", lookup), "éBé");
    }
}
