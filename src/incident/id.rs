//! Incident ids: `YYYY-MM-DD-slug`, readable in `ls` and in a chat message.

use chrono::{DateTime, Utc};

/// Longest slug kept from a title, so ids stay typeable.
const MAX_SLUG: usize = 40;

/// The id an incident declared at `at` with `title` gets when it is the
/// first of that name that day (see [`with_suffix`] for the others).
pub fn base_id(at: DateTime<Utc>, title: &str) -> String {
    let slug = slug(title);
    let slug = if slug.is_empty() { "incident" } else { &slug };
    format!("{}-{slug}", at.format("%Y-%m-%d"))
}

/// The `n`th candidate: the base itself, then `base-2`, `base-3`…
pub fn with_suffix(base: &str, n: u32) -> String {
    if n <= 1 { base.to_string() } else { format!("{base}-{n}") }
}

/// Lower-case ASCII letters and digits separated by single dashes; common
/// accented Latin letters lose their accent (`données` → `donnees`).
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            if out.len() >= MAX_SLUG {
                break;
            }
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c => c,
    }
}

/// Whether `id` is safe as one directory name: no separators, no `..`, no
/// hidden names, nothing a shell or a path join could misread.
pub fn is_valid(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T23:59:00Z").map(|t| t.with_timezone(&Utc)).expect("valid time")
    }

    #[test]
    fn ids_are_date_and_slug() {
        assert_eq!(base_id(at(), "DB down!"), "2026-11-22-db-down");
        assert_eq!(base_id(at(), "  Base de données: pool épuisé "), "2026-11-22-base-de-donnees-pool-epuise");
        assert_eq!(base_id(at(), "🔥🔥"), "2026-11-22-incident");
        assert_eq!(with_suffix("x", 1), "x");
        assert_eq!(with_suffix("x", 3), "x-3");
    }

    #[test]
    fn slugs_are_bounded() {
        let s = slug(&"word ".repeat(50));
        assert!(s.len() <= MAX_SLUG + 1);
        assert!(!s.ends_with('-'));
    }

    #[test]
    fn unsafe_ids_are_rejected() {
        assert!(is_valid("2026-11-22-db-down-2"));
        assert!(!is_valid("../etc"));
        assert!(!is_valid("a/b"));
        assert!(!is_valid(".hidden"));
        assert!(!is_valid(""));
    }
}
