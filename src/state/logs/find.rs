//! The two ways to look for text in the buffer: the quick line filter
//! (LogQL's spelling: `|= "timeout"`, `!= "healthz"`, `|~ "5\d\d"`,
//! `!~ "…"`; bare text means `|=`), which hides lines, and `/` search,
//! which moves between matches and highlights them.

use std::ops::Range;

use regex::{Regex, RegexBuilder};

/// A regex from user input: size-limited, so a typo cannot eat the memory.
fn compile(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("bad regex: {}", crate::text::clean(&e.to_string())))
}

#[derive(Debug, Clone)]
enum Matcher {
    Contains(String),
    Regex(Regex),
}

#[derive(Debug, Clone)]
pub struct LineFilter {
    /// As typed, for the title.
    input: String,
    keep: bool,
    matcher: Matcher,
}

impl LineFilter {
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let (keep, regex, rest) = match trimmed.get(..2) {
            Some("|=") => (true, false, &trimmed[2..]),
            Some("!=") => (false, false, &trimmed[2..]),
            Some("|~") => (true, true, &trimmed[2..]),
            Some("!~") => (false, true, &trimmed[2..]),
            _ => (true, false, trimmed),
        };
        let needle = unquote(rest.trim());
        if needle.is_empty() {
            return Err("empty filter".into());
        }
        let matcher = if regex { Matcher::Regex(compile(&needle, false)?) } else { Matcher::Contains(needle) };
        Ok(Self { input: trimmed.to_string(), keep, matcher })
    }

    pub fn input(&self) -> &str {
        &self.input
    }

    pub fn matches(&self, line: &str) -> bool {
        let hit = match &self.matcher {
            Matcher::Contains(s) => line.contains(s.as_str()),
            Matcher::Regex(r) => r.is_match(line),
        };
        hit == self.keep
    }
}

/// `"a \"b\""` → `a "b"`; `` `raw` `` → `raw`; anything else as typed.
fn unquote(s: &str) -> String {
    if let Some(inner) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        return inner.to_string();
    }
    let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')).filter(|_| s.len() >= 2) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(n @ ('"' | '\\'))) => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `/` search: literal text, case-insensitive unless it has a capital
/// (as in less and vim's smartcase).
#[derive(Debug, Clone)]
pub struct Search {
    text: String,
    regex: Regex,
}

impl Search {
    pub fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("empty search".into());
        }
        let smart = !text.chars().any(char::is_uppercase);
        Ok(Self { text: text.to_string(), regex: compile(&regex::escape(text), smart)? })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_match(&self, line: &str) -> bool {
        self.regex.is_match(line)
    }

    /// Byte ranges to highlight.
    pub fn ranges(&self, line: &str) -> Vec<Range<usize>> {
        self.regex.find_iter(line).map(|m| m.range()).filter(|r| !r.is_empty()).collect()
    }
}

/// What `n`/`N` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOutcome {
    Found,
    /// Found after going round the end (or the start).
    Wrapped,
    NotFound,
    /// No search was typed.
    NoSearch,
}
