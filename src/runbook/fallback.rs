//! What the runbook pane shows when an alert has no usable runbook: why,
//! the alert's own annotations, and a generic triage checklist, as markdown
//! so that it renders (and ticks) like any runbook.

use std::fmt::Write;

use super::load::Document;

/// Builds the stand-in document. `reason` says why there is no runbook
/// (no `runbook_url`, not found, refused, fetch failed); `annotations` are
/// the alert's, shown as they are (the renderer cleans them).
pub fn no_runbook(alertname: &str, reason: &str, annotations: &[(String, String)]) -> Document {
    let name = one_line(alertname);
    let mut md = format!("# No runbook for {name}\n\n> {}\n\n", one_line(reason));
    md.push_str("## Alert annotations\n\n");
    if annotations.is_empty() {
        md.push_str("The alert carries no annotations.\n\n");
    }
    for (key, value) in annotations {
        let _ = writeln!(md, "- **{}**: {}", one_line(key), one_line(value));
    }
    md.push_str(TRIAGE);
    Document { source: format!("no runbook: {name}"), markdown: md }
}

/// Keeps a value on one markdown line, shown as it is: cleaned, URL
/// credentials masked, and every character markdown would read as syntax
/// (emphasis, code, links, HTML, a block opener) escaped with a backslash,
/// so `RB_19` stays `RB_19` and `# x` opens no heading.
fn one_line(s: &str) -> String {
    let flat = crate::model::mask_userinfo(&crate::text::clean(s)).trim().to_string();
    let mut out = String::with_capacity(flat.len());
    for c in flat.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '<'
                | '>'
                | '('
                | ')'
                | '#'
                | '+'
                | '-'
                | '.'
                | '!'
                | '|'
                | '~'
                | '&'
                | '='
                | ':'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const TRIAGE: &str = "
## Generic triage

- [ ] Read the labels: which service, instance and environment, since when.
- [ ] Check the golden signals of the service: traffic, errors, latency, saturation.
- [ ] Read the error logs of the last 15 minutes (`{service=\"<service>\", level=\"error\"}`).
- [ ] Ask what changed: deploys, configuration, feature flags, traffic, dependencies.
- [ ] Mitigate first (roll back, restart, scale out, shed load), investigate after.
- [ ] Escalate if not resolved in 15 minutes.
- [ ] Write the runbook that was missing, and set the alert's `runbook_url`.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_reason_annotations_and_checklist() {
        let doc = no_runbook(
            "HighErrorRate",
            "the alert has no runbook_url",
            &[("summary".into(), "5xx above 1 %".into()), ("description".into(), "# not a heading\n```".into())],
        );
        assert!(doc.markdown.starts_with("# No runbook for HighErrorRate\n"));
        assert!(doc.markdown.contains("- **summary**: 5xx above 1 %\n"));
        assert!(doc.markdown.contains("- **description**: \\# not a heading \\`\\`\\`\n"), "{}", doc.markdown);
        assert_eq!(doc.markdown.matches("- [ ]").count(), 7);
        assert_eq!(doc.source, "no runbook: HighErrorRate");
    }

    /// Issue 15 item 19: the fallback page showed `http://user:pass@…` and
    /// turned `RB_19` into `RB 19`. Text is escaped, not mangled, and
    /// credentials are masked; what renders is what the alert says.
    #[test]
    fn annotations_render_as_written_with_credentials_masked() {
        let doc = no_runbook(
            "RB_19",
            "fetch of http://ops:hunter2@wiki.internal/rb failed",
            &[("runbook_url".into(), "http://ops:hunter2@wiki.internal/rb_19".into())],
        );
        assert!(!doc.markdown.contains("hunter2") && !doc.markdown.contains("ops:"), "{}", doc.markdown);
        let rendered = crate::runbook::render::render(&doc.markdown, 200, &Default::default());
        let text: String = rendered
            .lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>() + "\n")
            .collect();
        assert!(text.contains("No runbook for RB_19"), "{text}");
        assert!(text.contains("runbook_url: http://***@wiki.internal/rb_19"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
