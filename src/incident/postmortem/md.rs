//! Markdown escaping for text that did not come from the author.
//!
//! The post-mortem is pasted into GitHub, GitLab, wikis and chat, where raw
//! HTML and markdown render: a remote string (an annotation, a label, a log
//! line, a title prefilled from them) must show as the text it is, never as
//! a tag, a link, an image or a mention.

use crate::text::clean;

/// Remote text as markdown inline text: cleaned, one line, and every
/// character that could start markup escaped with a backslash: HTML tags
/// and entities (`<`, `>`, `&`), links and images (`[`, `]`), emphasis and
/// code (`*`, `_` at a word's edge, `` ` ``, `~`), table pipes and the
/// backslash itself. `@name` gets a word joiner after the `@` (pasted into
/// chat or an issue it pings nobody), and so do `://` and `www.` (GFM makes
/// bare URLs links).
pub fn text(s: &str) -> String {
    let one = super::super::describe::one_line(s);
    let one = clean(&one);
    let chars: Vec<char> = one.chars().collect();
    let mut out = String::with_capacity(one.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '&' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(word(prev) && word(next)) => out.push_str("\\_"),
            '@' if word(next) => out.push_str("@\u{2060}"),
            ':' if next == Some('/') && chars.get(i + 2) == Some(&'/') => out.push_str(":\u{2060}"),
            '.' if i >= 3 && chars[i - 3..i].iter().collect::<String>().eq_ignore_ascii_case("www") => {
                out.push_str("\u{2060}.")
            }
            c => out.push(c),
        }
    }
    out
}

/// A note, in the engineer's own words: their markdown (a web link they
/// wrote, emphasis) stays, but what would act on a reader does not. Raw HTML
/// shows as text (a pasted log line holding `<script>` or `<img onerror>`
/// never becomes a tag), an image shows as its text (no tracking pixel), a
/// link to anything but `http(s)://` is not a link, and `@everyone`,
/// `@here`, `@channel` ping nobody. One line.
pub fn note(s: &str) -> String {
    let one = super::super::describe::one_line(s);
    let chars: Vec<char> = one.chars().collect();
    let mut out = String::with_capacity(one.len() + 8);
    let mut image_open = false;
    for (i, &c) in chars.iter().enumerate() {
        let rest: String = chars[i + 1..].iter().take(12).collect();
        match c {
            '<' | '>' | '&' => out.push('\\'),
            '[' if i > 0 && chars[i - 1] == '!' => {
                image_open = true;
                out.push('\\');
            }
            ']' if image_open => {
                image_open = false;
                out.push('\\');
            }
            ']' if rest.starts_with('(') && !(rest.starts_with("(http://") || rest.starts_with("(https://")) => {
                out.push('\\')
            }
            '@' if ["everyone", "here", "channel"].iter().any(|w| rest.to_ascii_lowercase().starts_with(w)) => {
                out.push_str("@\u{2060}");
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A table cell: [`text`] (so `|` cannot add columns).
pub fn cell(s: &str) -> String {
    text(s)
}

/// Inline code in a table cell: a `|` inside it still ends the cell unless
/// escaped (GFM reads `\|` in a cell's code span as `|`).
pub fn code_cell(s: &str) -> String {
    code(&super::super::describe::one_line(s)).replace('|', "\\|")
}

/// Inline code that stays code whatever backticks `s` contains.
pub fn code(s: &str) -> String {
    let s = clean(s);
    let longest = longest_run(&s, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// A fenced block that the content cannot close early.
pub fn fence(content: &str) -> String {
    let ticks = "`".repeat(longest_run(content, '`').max(2) + 1);
    format!("{ticks}text\n{content}\n{ticks}")
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// The marker of a section the author has to write.
pub fn todo(hint: &str) -> String {
    format!("TODO: {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b / c");
        assert_eq!(cell("x\\|y"), "x\\\\\\|y");
        assert_eq!(cell("\x1b[31mred"), "red");
    }

    #[test]
    fn text_escapes_html_links_and_mentions() {
        assert_eq!(text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(text("[a](javascript:x)"), "\\[a\\](javascript:x)");
        assert_eq!(text("db_pool _x_ www.a.example"), "db_pool \\_x\\_ www\u{2060}.a.example");
        assert_eq!(text("a & b @everyone @ x"), "a \\& b @\u{2060}everyone @ x");
        assert_eq!(text("see http://x.example"), "see http:\u{2060}//x.example");
        assert_eq!(note("[w](https://w.example) ok"), "[w](https://w.example) ok");
        assert_eq!(note("[c](javascript:x) ![i](http://t.example)"), "[c\\](javascript:x) !\\[i\\](http://t.example)");
        assert_eq!(note("<b> @everyone @bob"), "\\<b\\> @\u{2060}everyone @bob");
    }

    #[test]
    fn code_and_fences_hold_backticks() {
        assert_eq!(code("rate(x[5m])"), "`rate(x[5m])`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(fence("a"), "```text\na\n```");
        assert_eq!(fence("```"), "````text\n```\n````");
    }
}
