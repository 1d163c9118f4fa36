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

mod md;
mod sections;
mod support;

use super::record::Record;
use super::timeline::Timeline;

/// The built-in layout.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../../assets/postmortem-template.md");

/// Renders the post-mortem of the incident whose journal is `records`.
pub fn render(records: &[Record], template: Option<&str>) -> String {
    let t = Timeline::build(records);
    let template = template.unwrap_or(DEFAULT_TEMPLATE);
    fill(template, |name| sections::section(name, &t, records))
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
