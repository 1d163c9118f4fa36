//! `:` commands run before, Up/Down to recall them, kept across runs in a
//! file of one line per command (the last [`MAX`]), written atomically by the
//! runtime off the event loop.

/// Entries kept.
pub const MAX: usize = 200;

/// Words that mark a line as possibly holding a credential: never kept. No
/// command takes one today; this keeps it so if one ever does.
const SECRET_MARKS: &[&str] =
    &["password", "passwd", "token", "secret", "bearer", "authorization", "api_key", "apikey"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
    /// Where Up/Down is, `None` when editing a new line.
    pos: Option<usize>,
    /// The line being typed before Up was pressed, restored by Down.
    draft: String,
}

impl History {
    /// From the file's text; bad lines (control characters) are dropped.
    pub fn parse(text: &str) -> Self {
        let mut h = Self::default();
        for line in text.lines() {
            h.push(line);
        }
        h
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        self.entries.iter().map(|e| format!("{e}\n")).collect()
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Keeps `line` as the most recent (moved there if already kept).
    /// Returns whether it was kept.
    pub fn push(&mut self, line: &str) -> bool {
        self.reset();
        let line = line.trim();
        let lower = line.to_lowercase();
        if line.is_empty() || line.chars().any(char::is_control) || SECRET_MARKS.iter().any(|m| lower.contains(m)) {
            return false;
        }
        self.entries.retain(|e| e != line);
        self.entries.push(line.to_string());
        if self.entries.len() > MAX {
            self.entries.drain(..self.entries.len() - MAX);
        }
        true
    }

    /// Up: the previous entry (`current` is remembered as the draft).
    pub fn up(&mut self, current: &str) -> Option<String> {
        let pos = match self.pos {
            None if self.entries.is_empty() => return None,
            None => {
                self.draft = current.to_string();
                self.entries.len() - 1
            }
            Some(p) => p.saturating_sub(1),
        };
        self.pos = Some(pos);
        self.entries.get(pos).cloned()
    }

    /// Down: the next entry, then the draft.
    pub fn down(&mut self) -> Option<String> {
        let p = self.pos?;
        if p + 1 < self.entries.len() {
            self.pos = Some(p + 1);
            return self.entries.get(p + 1).cloned();
        }
        self.pos = None;
        Some(std::mem::take(&mut self.draft))
    }

    /// Back to a new line (the prompt closed).
    pub fn reset(&mut self) {
        self.pos = None;
        self.draft.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_down_and_draft() {
        let mut h = History::parse("group service\nfilter severity=critical\n");
        assert_eq!(h.up("the"), Some("filter severity=critical".into()));
        assert_eq!(h.up(""), Some("group service".into()));
        assert_eq!(h.up(""), Some("group service".into()), "stays on the oldest");
        assert_eq!(h.down(), Some("filter severity=critical".into()));
        assert_eq!(h.down(), Some("the".into()), "the draft comes back");
        assert_eq!(h.down(), None);
        assert_eq!(History::default().up("x"), None);
    }

    #[test]
    fn kept_lines_are_unique_bounded_and_safe() {
        let mut h = History::default();
        assert!(h.push("group service"));
        assert!(h.push("theme light"));
        assert!(h.push(" group service "));
        assert_eq!(h.entries(), ["theme light", "group service"]);
        assert!(!h.push("   "));
        assert!(!h.push("query x\u{1b}[31m"), "control characters");
        assert!(!h.push("login --token=abc"), "looks like a credential");
        for i in 0..300 {
            h.push(&format!("filter n={i}"));
        }
        assert_eq!(h.entries().len(), MAX);
        assert_eq!(h.entries()[MAX - 1], "filter n=299");
        let round = History::parse(&h.to_text());
        assert_eq!(round.entries(), h.entries());
    }
}
