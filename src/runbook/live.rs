//! Live code blocks: which blocks of a runbook are queries the console runs
//! (a `promql` or `logql` fence, or an untagged block that parses as one),
//! and filling their placeholders from the selected alert before they run.
//!
//! Pure. A label value is untrusted: inside a string literal it is escaped
//! for that literal, outside one only a plain token (a number, a name) may
//! go in, so no value can break or change the query around it.

pub use crate::model::runbook::{Lang, Vars};

impl Lang {
    pub fn name(self) -> &'static str {
        match self {
            Self::PromQl => "promql",
            Self::LogQl => "logql",
        }
    }
}

/// Longest query run from a block; a longer block stays static.
pub const MAX_QUERY: usize = 4096;

/// Whether a block with this fence tag and (filled) text is live.
pub fn detect(lang: Option<&str>, text: &str) -> Option<Lang> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_QUERY {
        return None;
    }
    match lang.map(str::to_ascii_lowercase).as_deref() {
        Some("promql") => Some(Lang::PromQl),
        Some("logql") => Some(Lang::LogQl),
        Some(_) => None,
        None => detect_untagged(text),
    }
}

/// An untagged block is live when it parses as PromQL and reads like a
/// query (a call, a selector or a range: a bare word is more likely a
/// shell command), or when it is a LogQL selector with an optional pipeline.
fn detect_untagged(text: &str) -> Option<Lang> {
    if has_placeholder(text) {
        return None;
    }
    let query_like = text.contains(['(', '{', '[']);
    if query_like && promql_parser::parser::parse(text).is_ok() {
        return Some(Lang::PromQl);
    }
    is_logql_selector(text).then_some(Lang::LogQl)
}

/// `{name op "value", …}` followed by nothing or a pipeline (`|`, `!=`).
pub fn is_logql_selector(text: &str) -> bool {
    let Some(rest) = text.trim().strip_prefix('{') else { return false };
    let Some(after) = skip_matchers(rest) else { return false };
    let after = after.trim_start();
    after.is_empty() || after.starts_with('|') || after.starts_with("!=") || after.starts_with("!~")
}

/// Past `name op "value", …}`; `None` when it is not that.
fn skip_matchers(mut s: &str) -> Option<&str> {
    let mut any = false;
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix('}') {
            return any.then_some(rest);
        }
        let name_len = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
        if name_len == 0 || s.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        s = s[name_len..].trim_start();
        let op = ["=~", "!~", "!=", "="].into_iter().find(|op| s.starts_with(op))?;
        s = s[op.len()..].trim_start();
        s = skip_string(s)?.trim_start();
        any = true;
        if let Some(rest) = s.strip_prefix(',') {
            s = rest;
        }
    }
}

/// Past one `"…"` or `` `…` `` literal.
fn skip_string(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    let (_, quote) = chars.next().filter(|(_, c)| matches!(c, '"' | '`'))?;
    let mut escaped = false;
    for (i, c) in chars {
        match c {
            _ if escaped => escaped = false,
            '\\' if quote == '"' => escaped = true,
            c if c == quote => return Some(&s[i + 1..]),
            _ => {}
        }
    }
    None
}

/// Whether `text` still holds a `{{ $labels.… }}` or `{{ $value }}`.
pub fn has_placeholder(text: &str) -> bool {
    !fill(text, &Vars::default()).unfilled.is_empty()
}

/// A block with its placeholders filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    /// Placeholders that could not be filled (a label the alert lacks, a
    /// value that cannot go where it stands): the
    /// block is not run while this is not empty.
    pub unfilled: Vec<String>,
}

/// Where a placeholder stands: which literal it is inside, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Quote {
    #[default]
    None,
    Double,
    Single,
    Back,
}

/// Fills chunk after chunk of one block (pulldown-cmark gives a block's
/// text line by line): the literal a chunk ends in carries over.
#[derive(Debug, Default)]
pub struct Filler {
    quote: Quote,
    escaped: bool,
    pub unfilled: Vec<String>,
}

/// Fills `template` from `vars`: `{{ $labels.x }}`, `{{ .Labels.x }}`,
/// `{{ $value }}`, `{{ .Value }}`, and `$x` / `${x}` where the alert has a
/// label `x` (any other `$` stays as written).
pub fn fill(template: &str, vars: &Vars) -> Filled {
    let mut f = Filler::default();
    let text = f.chunk(template, vars);
    Filled { text, unfilled: f.unfilled }
}

impl Filler {
    pub fn chunk(&mut self, s: &str, vars: &Vars) -> String {
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            if let Some((len, name, value)) = placeholder(rest, vars) {
                match value.and_then(|v| insert(v, self.quote)) {
                    Some(v) => out.push_str(&v),
                    None => {
                        self.unfilled.push(name);
                        out.push_str(&rest[..len]);
                    }
                }
                i += len;
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            self.track(c);
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    fn track(&mut self, c: char) {
        let close = match self.quote {
            Quote::None => {
                self.quote = match c {
                    '"' => Quote::Double,
                    '\'' => Quote::Single,
                    '`' => Quote::Back,
                    _ => Quote::None,
                };
                return;
            }
            _ if self.escaped => {
                self.escaped = false;
                return;
            }
            Quote::Double | Quote::Single if c == '\\' => {
                self.escaped = true;
                return;
            }
            Quote::Double => '"',
            Quote::Single => '\'',
            Quote::Back => '`',
        };
        if c == close {
            self.quote = Quote::None;
        }
    }
}

/// A placeholder at the start of `s`: its length, what it names (for
/// "unfilled"), and its value when known.
fn placeholder<'v>(s: &str, vars: &'v Vars) -> Option<(usize, String, Option<&'v str>)> {
    if let Some(body) = s.strip_prefix("{{") {
        let end = body.get(..body.len().min(200))?.find("}}")?;
        let inner = body[..end].trim().trim_start_matches('-').trim_end_matches('-').trim();
        let len = 2 + end + 2;
        if inner == "$value" || inner == ".Value" {
            return Some((len, "$value".into(), vars.value.as_deref()));
        }
        let label = inner.strip_prefix("$labels.").or_else(|| inner.strip_prefix(".Labels."));
        // Any other `{{ … }}` is the query's own (LogQL's `line_format`).
        let l = label.filter(|l| is_name(l))?;
        return Some((len, format!("$labels.{l}"), vars.labels.get(l).map(String::as_str)));
    }
    let body = s.strip_prefix('$')?;
    let (name, len) = match body.strip_prefix('{') {
        Some(b) => {
            let end = b.find('}')?;
            (&b[..end], 1 + 1 + end + 1)
        }
        None => {
            let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
            (&body[..end], 1 + end)
        }
    };
    // A shell variable only when the alert has that label.
    let value = vars.labels.get(name).filter(|_| is_name(name))?;
    Some((len, format!("${name}"), Some(value.as_str())))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `value` as it may stand inside `quote`, or `None` when it cannot.
fn insert(value: &str, quote: Quote) -> Option<String> {
    let close = match quote {
        Quote::None => {
            let plain = !value.is_empty()
                && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '+' | '-'));
            return plain.then(|| value.to_string());
        }
        Quote::Back => return (!value.contains('`')).then(|| value.to_string()),
        Quote::Double => '"',
        Quote::Single => '\'',
    };
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == close => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    Some(out)
}

/// `<!-- warroom: static -->` anywhere in the runbook turns its blocks off.
pub fn is_static(markdown: &str) -> bool {
    let mut rest = markdown;
    while let Some(i) = rest.find("<!--") {
        let body = &rest[i + 4..];
        let end = body.find("-->").unwrap_or(body.len());
        let words: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if words.eq_ignore_ascii_case("warroom:static") {
            return true;
        }
        rest = &body[end..];
    }
    false
}

/// The runbook with every live block's placeholders filled from `vars`
/// (the text of other blocks and of the prose is left as written). An
/// untagged block is filled when its filled text is live.
pub fn fill_markdown(markdown: &str, vars: &Vars) -> String {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut block: Option<(Option<String>, Vec<std::ops::Range<usize>>)> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_string),
                    CodeBlockKind::Indented => None,
                };
                block = Some((lang, Vec::new()));
            }
            Event::Text(t) => {
                if let Some((_, chunks)) = block.as_mut() {
                    // Only text that is the source itself can be replaced there.
                    if markdown.get(range.clone()) == Some(&*t) {
                        chunks.push(range);
                    } else {
                        chunks.clear();
                        block = None;
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, chunks)) = block.take() {
                    edits.extend(fill_block(markdown, lang.as_deref(), &chunks, vars));
                }
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for (range, text) in edits {
        out.push_str(&markdown[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&markdown[at..]);
    out
}

fn fill_block(
    markdown: &str,
    lang: Option<&str>,
    chunks: &[std::ops::Range<usize>],
    vars: &Vars,
) -> Vec<(std::ops::Range<usize>, String)> {
    let mut f = Filler::default();
    let filled: Vec<(std::ops::Range<usize>, String)> =
        chunks.iter().map(|r| (r.clone(), f.chunk(&markdown[r.clone()], vars))).collect();
    let text: String = filled.iter().map(|(_, t)| t.as_str()).collect();
    match detect(lang, &text) {
        Some(_) => filled,
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
