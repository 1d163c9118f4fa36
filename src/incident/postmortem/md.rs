//! Markdown escaping for text that did not come from the author.

use crate::text::clean;

/// A table cell: one line, cleaned, `|` escaped so it cannot add columns.
pub fn cell(s: &str) -> String {
    let one = super::super::describe::one_line(s);
    clean(&one).replace('\\', "\\\\").replace('|', "\\|")
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
    fn code_and_fences_hold_backticks() {
        assert_eq!(code("rate(x[5m])"), "`rate(x[5m])`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(fence("a"), "```text\na\n```");
        assert_eq!(fence("```"), "````text\n```\n````");
    }
}
