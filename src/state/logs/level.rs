//! A log line's level, read the way people write it: a `level` label or
//! structured metadata (Loki 3's `detected_level`), logfmt `level=warn`,
//! JSON `"level":"error"`, or a word like `ERROR` or `[warn]` near the start.

use crate::model::Labels;
use crate::model::logs::LogLine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Unknown,
}

/// Keys that name a level, in labels, logfmt and JSON.
const KEYS: &[&str] = &["level", "lvl", "severity", "detected_level", "loglevel"];
/// Words are looked for in this many bytes: a level is written early, and
/// the rest of a line ("… retrying after error") is prose.
const WORD_WINDOW: usize = 160;

impl Level {
    pub fn detect(line: &LogLine) -> Self {
        for labels in [&line.metadata, &line.parsed, &*line.labels] {
            if let Some(l) = from_labels(labels) {
                return l;
            }
        }
        Self::from_text(&line.line)
    }

    /// From the line's text alone.
    pub fn from_text(text: &str) -> Self {
        keyed(text).or_else(|| word(text)).unwrap_or(Self::Unknown)
    }

    /// A level word in any case: `err`, `Warning`, `FATAL`…
    pub fn from_word(w: &str) -> Option<Self> {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphabetic());
        if w.len() > 11 {
            return None;
        }
        match w.to_ascii_lowercase().as_str() {
            "error" | "err" | "eror" | "fatal" | "panic" | "crit" | "critical" | "emerg" | "emergency" | "alert" => {
                Some(Self::Error)
            }
            "warn" | "warning" | "wrn" => Some(Self::Warn),
            "info" | "inf" | "notice" | "information" | "informational" => Some(Self::Info),
            "debug" | "dbg" | "trace" | "trc" => Some(Self::Debug),
            _ => None,
        }
    }

    /// Three letters for the level column.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Error => "ERR",
            Self::Warn => "WRN",
            Self::Info => "INF",
            Self::Debug => "DBG",
            Self::Unknown => "   ",
        }
    }
}

fn from_labels(labels: &Labels) -> Option<Level> {
    KEYS.iter().find_map(|k| labels.get(*k)).and_then(|v| Level::from_word(v))
}

/// `level=warn`, `level="warn"`, `"level":"warn"`, `"level": "warn"`.
fn keyed(text: &str) -> Option<Level> {
    let bytes = text.as_bytes();
    for key in KEYS {
        let mut from = 0;
        while let Some(i) = text[from..].find(key).map(|i| i + from) {
            from = i + key.len();
            let before = if i == 0 { b' ' } else { bytes[i - 1] };
            if before.is_ascii_alphanumeric() || before == b'_' {
                continue;
            }
            let rest = text[from..].trim_start_matches('"').trim_start();
            let Some(value) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':')) else { continue };
            let value = value.trim_start().trim_start_matches('"');
            let end = value.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(value.len());
            if let Some(l) = Level::from_word(&value[..end]) {
                return Some(l);
            }
        }
    }
    None
}

/// The first level word near the start: in capitals (`ERROR`, `WARN`), or
/// in brackets in any case (`[error]`, `<warn>`), as nginx, Apache and
/// most Java loggers print them.
fn word(text: &str) -> Option<Level> {
    let mut end = text.len().min(WORD_WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window = &text[..end];
    let bytes = window.as_bytes();
    let mut start = 0;
    for (i, c) in window.char_indices().chain(std::iter::once((end, ' '))) {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if i > start {
            let w = &window[start..i];
            let upper = w.len() >= 3 && w.bytes().all(|b| b.is_ascii_uppercase());
            let bracketed = start > 0 && matches!(bytes[start - 1], b'[' | b'<') && matches!(c, ']' | '>');
            if (upper || bracketed)
                && let Some(l) = Level::from_word(w)
            {
                return Some(l);
            }
        }
        start = i + c.len_utf8();
    }
    None
}
