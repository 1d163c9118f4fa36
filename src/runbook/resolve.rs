//! `runbook_url` → a place to read the runbook from, safely.
//!
//! The URL comes from an alert annotation, which anyone able to push a rule
//! controls. A local runbook is accepted only when its canonical path (with
//! `..` and symlinks resolved) lies under the canonical path of a configured
//! directory; anything else is refused before a byte is read.

use std::path::{Component, Path, PathBuf};

use url::Url;

use super::config::RunbookConfig;
use super::error::{RunbookError, shown};

/// Where a runbook lives once its URL is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A canonical path to a regular file under a runbook directory.
    Local(PathBuf),
    /// An http(s) URL to fetch (GitHub/GitLab blob URLs already in raw form).
    Remote(Url),
}

/// Resolves an alert's `runbook_url`. Relative paths and `file://` URLs must
/// land in `cfg.dirs`; http(s) URLs go through `cfg.rewrites` first, and are
/// fetched only when no rewrite yields an existing local file.
pub fn resolve(url: &str, cfg: &RunbookConfig) -> Result<Location, RunbookError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(RunbookError::NoUrl);
    }
    match scheme_of(url) {
        Some(s) if s == "http" || s == "https" => resolve_http(url, cfg),
        Some(s) if s == "file" => {
            let parsed = Url::parse(url).map_err(|e| RunbookError::InvalidUrl(shown(url), e.to_string()))?;
            let path =
                parsed.to_file_path().map_err(|()| RunbookError::InvalidUrl(shown(url), "not a local path".into()))?;
            find_local(&path, &cfg.dirs)
        }
        Some(s) => Err(RunbookError::UnsupportedScheme(shown(&s))),
        None => find_local(Path::new(strip_suffixes(url)), &cfg.dirs),
    }
}

/// The URL scheme, lower-cased, if `s` starts with one (`c:` drive letters
/// and plain paths have none).
fn scheme_of(s: &str) -> Option<String> {
    let (scheme, _) = s.split_once(':')?;
    let valid = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// A relative runbook reference may carry `#section` or `?query`: the file
/// is what comes before.
fn strip_suffixes(s: &str) -> &str {
    s.split(['#', '?']).next().unwrap_or(s)
}

fn resolve_http(url: &str, cfg: &RunbookConfig) -> Result<Location, RunbookError> {
    let parsed = Url::parse(url).map_err(|e| RunbookError::InvalidUrl(shown(url), e.to_string()))?;
    let bare = {
        let mut u = parsed.clone();
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    };
    for (prefix, dir) in &cfg.rewrites {
        let Some(rest) = bare.strip_prefix(prefix.as_str()) else {
            continue;
        };
        let rel = percent_decode(rest);
        match find_local(Path::new(&rel), std::slice::from_ref(dir)) {
            Ok(loc) => return Ok(loc),
            Err(RunbookError::NotFound { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(Location::Remote(raw_form(parsed)))
}

/// GitHub and GitLab `blob` pages are HTML around the file; their `raw`
/// form is the markdown itself.
pub fn raw_form(url: Url) -> Url {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    if host == "github.com" && segments.len() > 4 && segments[2] == "blob" {
        let path =
            format!("https://raw.githubusercontent.com/{}/{}/{}", segments[0], segments[1], segments[3..].join("/"));
        return Url::parse(&path).unwrap_or(url);
    }
    if let Some(i) = segments.windows(2).position(|w| w[0] == "-" && w[1] == "blob") {
        let mut raw = url.clone();
        let mut parts: Vec<&str> = segments.clone();
        parts[i + 1] = "raw";
        raw.set_path(&parts.join("/"));
        return raw;
    }
    url
}

/// Looks for `path` under each directory in turn. A relative path that
/// repeats the directory's own name (`runbooks/x.md` with dir `runbooks`)
/// is also tried without it, since rules are often written from the repo root.
pub(crate) fn find_local(path: &Path, dirs: &[PathBuf]) -> Result<Location, RunbookError> {
    let mut refused = false;
    for dir in dirs {
        let Ok(root) = dir.canonicalize() else {
            continue;
        };
        for candidate in candidates(path, dir) {
            match checked(&candidate, &root) {
                Check::Inside(p) => return Ok(Location::Local(p)),
                Check::Outside => refused = true,
                Check::Missing => {}
            }
        }
    }
    let shown_path = shown(&path.to_string_lossy());
    if refused {
        return Err(RunbookError::Outside(shown_path));
    }
    let dirs = dirs.iter().map(|d| shown(&d.to_string_lossy())).collect::<Vec<_>>().join(", ");
    Err(RunbookError::NotFound { path: shown_path, dirs })
}

fn candidates(path: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.join(path)];
    let mut comps = path.components();
    if let (Some(Component::Normal(first)), Some(name)) = (comps.next(), dir.file_name())
        && first == name
    {
        out.push(dir.join(comps.as_path()));
    }
    out
}

enum Check {
    Inside(PathBuf),
    Outside,
    Missing,
}

/// Canonicalizes `candidate` (resolving `..` and every symlink) and accepts
/// it only if it is a regular file under `root` (already canonical).
fn checked(candidate: &Path, root: &Path) -> Check {
    let Ok(real) = candidate.canonicalize() else {
        return Check::Missing;
    };
    if !real.starts_with(root) {
        return Check::Outside;
    }
    if real.is_file() { Check::Inside(real) } else { Check::Missing }
}

/// Decodes `%XX` escapes of a URL path; invalid escapes are kept as they
/// are, invalid UTF-8 becomes U+FFFD. The result is only ever used through
/// [`checked`].
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    #[test]
    fn blob_urls_become_raw() {
        assert_eq!(
            raw_form(url("https://github.com/acme/ops/blob/main/runbooks/db-down.md")).as_str(),
            "https://raw.githubusercontent.com/acme/ops/main/runbooks/db-down.md"
        );
        assert_eq!(
            raw_form(url("https://gitlab.example.com/g/sub/ops/-/blob/main/rb/x.md")).as_str(),
            "https://gitlab.example.com/g/sub/ops/-/raw/main/rb/x.md"
        );
        let plain = url("https://wiki.example.com/runbooks/x");
        assert_eq!(raw_form(plain.clone()), plain);
    }

    #[test]
    fn schemes_are_recognised() {
        assert_eq!(scheme_of("HTTPS://x"), Some("https".into()));
        assert_eq!(scheme_of("runbooks/a.md"), None);
        assert_eq!(scheme_of("c:/x"), None);
        assert!(matches!(
            resolve("javascript:alert(1)", &RunbookConfig::default()),
            Err(RunbookError::UnsupportedScheme(_))
        ));
        assert_eq!(resolve("  ", &RunbookConfig::default()), Err(RunbookError::NoUrl));
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("db%20down.md"), "db down.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%2e%2E"), "%zz..");
        assert_eq!(percent_decode("a+b%2Fc"), "a+b/c", "a path keeps its '+'");
        assert_eq!(percent_decode("%ff.md"), "\u{fffd}.md");
    }
}
