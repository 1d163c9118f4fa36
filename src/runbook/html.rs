//! HTML → markdown-ish text, for runbooks served as web pages (a wiki) and
//! for raw HTML blocks inside markdown.
//!
//! Not an HTML parser: a forgiving scanner that drops tags, comments,
//! scripts and styles, decodes entities, and keeps the structure a reader
//! needs (headings, list items, paragraphs, preformatted blocks) as
//! markdown so that the renderer shows it the same way as a `.md` runbook.

/// Elements whose content is never shown.
const HIDDEN: &[&str] = &["script", "style", "head", "noscript", "template", "svg", "iframe"];

/// Converts an HTML document or fragment to markdown text.
pub fn to_markdown(html: &str) -> String {
    let mut out = Out::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.text(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            // A lone `<` is text ("a < b").
            out.text(rest);
            rest = "";
            break;
        };
        let Some(tag) = Tag::parse(&rest[1..gt]) else {
            // Not a tag ("a < b"): keep the `<` and scan on after it.
            out.text("<");
            rest = &rest[1..];
            continue;
        };
        rest = &rest[gt + 1..];
        if !tag.closing && HIDDEN.contains(&tag.name.as_str()) {
            rest = skip_element(rest, &tag.name);
        } else {
            out.tag(&tag);
        }
    }
    out.text(rest);
    out.finish()
}

/// Skips to just after `</name>`, or to the end when it is never closed.
fn skip_element<'a>(rest: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    let lower = rest.to_ascii_lowercase();
    match lower.find(&closing) {
        Some(i) => rest[i..].find('>').map_or("", |j| &rest[i + j + 1..]),
        None => "",
    }
}

struct Tag {
    name: String,
    closing: bool,
}

impl Tag {
    /// `inner` is what lies between `<` and `>`. Returns `None` when it does
    /// not look like a tag, so that the `<` is kept as text.
    fn parse(inner: &str) -> Option<Self> {
        let (closing, body) = match inner.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, inner),
        };
        if body.starts_with('!') || body.starts_with('?') {
            return Some(Self { name: String::new(), closing });
        }
        let name: String =
            body.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if name.is_empty() || !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        Some(Self { name, closing })
    }
}

#[derive(Default)]
struct Out {
    buf: String,
    pre: usize,
    /// Text seen since the last block boundary needs a separating space.
    pending_space: bool,
}

impl Out {
    /// Appends text, collapsing whitespace runs to one space (except in
    /// `<pre>`), as a browser would.
    fn text(&mut self, raw: &str) {
        let decoded = decode_entities(raw);
        if self.pre > 0 {
            self.buf.push_str(&decoded);
            return;
        }
        for c in decoded.chars() {
            if c.is_whitespace() {
                self.pending_space = !self.at_line_start();
            } else {
                if self.pending_space {
                    self.buf.push(' ');
                    self.pending_space = false;
                }
                self.buf.push(c);
            }
        }
    }

    fn at_line_start(&self) -> bool {
        self.buf.is_empty() || self.buf.ends_with('\n') || self.buf.ends_with(' ')
    }

    fn block(&mut self, prefix: &str) {
        self.pending_space = false;
        let trimmed = self.buf.trim_end_matches([' ', '\n']).len();
        self.buf.truncate(trimmed);
        if !self.buf.is_empty() {
            self.buf.push_str("\n\n");
        }
        self.buf.push_str(prefix);
    }

    fn tag(&mut self, t: &Tag) {
        match (t.name.as_str(), t.closing) {
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                let level = t.name[1..].parse::<usize>().unwrap_or(1);
                self.block(&format!("{} ", "#".repeat(level)));
            }
            ("li", false) => self.block("- "),
            ("pre", false) => {
                self.block("```\n");
                self.pre += 1;
            }
            ("pre", true) if self.pre > 0 => {
                self.pre -= 1;
                if !self.buf.ends_with('\n') {
                    self.buf.push('\n');
                }
                self.buf.push_str("```");
                self.block("");
            }
            ("br", _) if self.pre == 0 => {
                self.buf.push_str("  \n");
                self.pending_space = false;
            }
            (
                "p" | "div" | "section" | "article" | "main" | "ul" | "ol" | "table" | "tr" | "blockquote" | "h1"
                | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "hr" | "dl" | "dt" | "dd" | "header" | "footer" | "nav"
                | "body",
                _,
            ) if self.pre == 0 => self.block(""),
            ("td" | "th", false) if self.pre == 0 => {
                if !self.at_line_start() {
                    self.buf.push_str(" | ");
                }
                self.pending_space = false;
            }
            _ => {}
        }
    }

    fn finish(mut self) -> String {
        if self.pre > 0 {
            self.buf.push_str("\n```");
        }
        self.buf.trim().to_string() + "\n"
    }
}

/// Decodes the entities a runbook page realistically contains; an unknown
/// or malformed entity is kept as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '#')).map(|i| i + 1);
        let decoded = end.filter(|&e| rest[e..].starts_with(';')).and_then(|e| entity(&rest[1..e]).map(|c| (c, e + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "times" => '×',
        "rarr" => '→',
        "larr" => '←',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ccedil" => 'ç',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_scripts_styles_and_comments() {
        let html = "<html><head><title>t</title><style>p{color:red}</style></head>\
            <body><h1>DB down</h1><!-- secret --><p>Check <b>pool</b> &amp; replicas.</p>\
            <script>alert('x')</script><ul><li>one</li><li>two &lt;3</li></ul>\
            <pre>rate(x[5m])\n  by (le)</pre><p>a < b</p></body></html>";
        let md = to_markdown(html);
        assert_eq!(
            md,
            "# DB down\n\nCheck pool & replicas.\n\n- one\n\n- two <3\n\n```\nrate(x[5m])\n  by (le)\n```\n\na < b\n"
        );
    }

    #[test]
    fn entities_decode_or_stay() {
        assert_eq!(decode_entities("&#65;&#x42;&eacute;&bogus; & &#0;"), "ABé&bogus; & &#0;");
        assert_eq!(decode_entities("AT&T;"), "AT&T;");
    }

    #[test]
    fn unclosed_things_do_not_panic() {
        assert_eq!(to_markdown("<script>never closed"), "\n");
        assert_eq!(to_markdown("<!-- open"), "\n");
        assert_eq!(to_markdown("x <b"), "x <b\n");
        assert_eq!(to_markdown("<pre>code"), "```\ncode\n```\n");
        assert_eq!(to_markdown("é<p>ü</p>日本"), "é\n\nü\n\n日本\n");
    }
}
