//! Where in the config file a problem is: `FILE:LINE:COLUMN`, the line and a
//! caret under the culprit, as rustc and cargo show theirs.
//!
//! toml's own errors (syntax, unknown key, wrong type) carry a byte span;
//! checks made after parsing (a bad URL, an unknown theme, a secret file that
//! does not exist) name the key instead, and the key is looked up in the
//! document's spans (`toml::de::DeTable`).

use std::fmt::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// One step of a key path: `prometheus[1].bearer_token` is
/// `[Key("prometheus"), Index(1), Key("bearer_token")]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Self::Key(s.to_string())
    }
}

impl From<String> for Seg {
    fn from(s: String) -> Self {
        Self::Key(s)
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Self::Index(i)
    }
}

/// A key path, built with [`config_key!`](crate::config_key).
pub type KeyPath = Vec<Seg>;

/// A key path from its steps: `config_key!["prometheus", 1, "url"]`.
#[macro_export]
macro_rules! config_key {
    ($($seg:expr),* $(,)?) => { vec![$($crate::config::diagnostic::Seg::from($seg)),*] };
}

/// What is wrong, and where if known.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub message: String,
    pub at: Option<At>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum At {
    Span(Range<usize>),
    /// The first of these keys that the file has (a context's sources may be
    /// written at the top level or under `[contexts.NAME]`).
    Keys(Vec<KeyPath>),
}

impl Problem {
    pub fn at_key(key: KeyPath, message: impl Into<String>) -> Self {
        Self::at_any(vec![key], message)
    }

    pub fn at_any(keys: Vec<KeyPath>, message: impl Into<String>) -> Self {
        Self { message: message.into(), at: Some(At::Keys(keys)) }
    }

    pub fn nowhere(message: impl Into<String>) -> Self {
        Self { message: message.into(), at: None }
    }

    /// A toml error: its message without toml's own rendering, and its span.
    pub fn from_toml(e: &toml::de::Error) -> Self {
        Self { message: e.message().trim().to_string(), at: e.span().map(At::Span) }
    }

    /// The byte range in `text` this problem points at, if it can be found.
    pub fn span(&self, text: &str) -> Option<Range<usize>> {
        match self.at.as_ref()? {
            At::Span(s) => Some(s.clone()),
            At::Keys(keys) => keys.iter().find_map(|k| key_span(text, k)),
        }
    }
}

/// A located problem, for the user: `FILE:LINE:COLUMN: message` and the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub excerpt: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}\n{}", self.path.display(), self.line, self.column, self.message, self.excerpt)
    }
}

/// Locates `problem` in the file `path` whose text is `text`; `None` when
/// it names no place that can be found (the caller shows it unlocated).
pub fn locate(path: &Path, text: &str, problem: &Problem) -> Option<Located> {
    let span = problem.span(text)?;
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_no = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let line_text = crate::text::clean(text[line_start..line_end].trim_end_matches('\r')).into_owned();
    let marked = text[start..span.end.clamp(start, line_end)].chars().count().max(1);
    let gutter = " ".repeat(line_no.to_string().len());
    let mut excerpt = String::new();
    let _ = writeln!(excerpt, "{gutter} |");
    let _ = writeln!(excerpt, "{line_no} | {line_text}");
    let _ = write!(excerpt, "{gutter} | {}{}", " ".repeat(column - 1), "^".repeat(marked));
    let message = crate::text::clean(&problem.message).into_owned();
    Some(Located { path: path.to_path_buf(), line: line_no, column, message, excerpt })
}

/// The span of the value at `key` in the TOML document `text`.
pub fn key_span(text: &str, key: &[Seg]) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    let root = DeValue::Table(doc.into_inner());
    let mut value = &root;
    let mut span = None;
    for seg in key {
        let next = match seg {
            Seg::Key(k) => value.get(k.as_str())?,
            Seg::Index(i) => value.get(*i)?,
        };
        span = Some(next.span());
        value = next.get_ref();
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "refresh = \"5s\"\n\n[[prometheus]]\nurl = \"http://a\"\n\n[[prometheus]]\nurl = \"ftp://b\"\n";

    #[test]
    fn keys_are_found_in_tables_and_arrays_of_tables() {
        let url: KeyPath = crate::config_key!["prometheus", 1, "url"];
        assert_eq!(&TEXT[key_span(TEXT, &url).unwrap()], "\"ftp://b\"");
        let past_the_end: KeyPath = crate::config_key!["prometheus", 2, "url"];
        assert_eq!(key_span(TEXT, &past_the_end), None);
        assert_eq!(key_span(TEXT, &[Seg::from("nope")]), None);
    }

    #[test]
    fn a_located_problem_says_file_line_and_column_and_marks_the_value() {
        let p = Problem::at_key(crate::config_key!["prometheus", 1, "url"], "scheme must be http or https");
        let at = locate(Path::new("/etc/warroom.toml"), TEXT, &p).unwrap();
        assert_eq!((at.line, at.column), (7, 7));
        let shown = at.to_string();
        assert!(shown.starts_with("/etc/warroom.toml:7:7: scheme must be http or https\n"), "{shown}");
        assert!(shown.ends_with("7 | url = \"ftp://b\"\n  |       ^^^^^^^^^"), "{shown}");
    }

    #[test]
    fn toml_errors_keep_their_span() {
        let e = toml::from_str::<toml::Table>("a = 1\nb = \n").unwrap_err();
        let at = locate(Path::new("c.toml"), "a = 1\nb = \n", &Problem::from_toml(&e)).unwrap();
        assert_eq!(at.line, 2);
    }
}
