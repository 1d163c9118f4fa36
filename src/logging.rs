//! Logs go to a file, never to the terminal the UI owns. The path is shown
//! in `--help`; `WARROOM_LOG` sets the filter (default `info`). hyper and
//! reqwest are muted below `warn`: their debug lines can carry URLs.
//!
//! The file rotates daily and at most [`KEEP_FILES`] are kept, so a console
//! left running for months on a bastion never fills its disk: `warroom.log`
//! is a symlink to the current `warroom.YYYY-MM-DD.log` (UTC dates), and
//! the oldest `warroom.*.log` beside it are deleted at each rotation.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// Where the log goes: the platform state dir (cache dir where there is
/// none, as on macOS), e.g. `~/.local/state/warroom/warroom.log`.
pub fn default_log_file() -> PathBuf {
    match directories::ProjectDirs::from("", "", "warroom") {
        Some(d) => d.state_dir().unwrap_or_else(|| d.cache_dir()).join("warroom.log"),
        None => std::env::temp_dir().join("warroom.log"),
    }
}

/// Log files kept: today's and the six before it (a week).
pub const KEEP_FILES: usize = 7;

/// Starts logging to `path`. The guard flushes the log when dropped: keep it
/// for the life of the program.
/// What every byte bound for the log passes through (the crate's text
/// sanitizer, given by the caller: logging itself depends on nothing).
pub type Sanitizer = for<'a> fn(&'a str) -> std::borrow::Cow<'a, str>;

pub fn init(path: &Path, sanitize: Sanitizer) -> anyhow::Result<WorkerGuard> {
    let appender = appender(path)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("WARROOM_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive("hyper=warn".parse()?)
        .add_directive("hyper_util=warn".parse()?)
        .add_directive("reqwest=warn".parse()?)
        .add_directive("rustls=warn".parse()?);
    let clean = move || Clean(writer.clone(), sanitize);
    tracing_subscriber::fmt().with_writer(clean).with_ansi(false).with_env_filter(filter).try_init().ok();
    Ok(guard)
}

/// Every byte bound for the log passes the sanitizer: a field taken from a
/// remote string (an alertname holding OSC 52, a reason quoting a body)
/// must not reach the file raw, where `tail -f warroom.log` would run it
/// in the reader's terminal. Whatever the call site forgot, this catches.
/// Line breaks stay (a backtrace spans lines); escape sequences and other
/// control characters go.
pub struct Clean<W>(pub W, pub Sanitizer);

impl<W: std::io::Write> std::io::Write for Clean<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all((self.1)(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The daily appender for `path` = `DIR/STEM.EXT`: files `DIR/STEM.DATE.EXT`,
/// `path` itself a symlink to the current one.
pub fn appender(path: &Path) -> anyhow::Result<RollingFileAppender> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create log dir {}: {e}", dir.display()))?;
    let (stem, ext) = name_parts(path);
    keep_unrotated_log(path, &stem, &ext);
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(&stem)
        .filename_suffix(&ext)
        .max_log_files(KEEP_FILES)
        .latest_symlink(format!("{stem}.{ext}"))
        .build(dir)
        .map_err(|e| anyhow::anyhow!("cannot open log file in {}: {e}", dir.display()))
}

/// `warroom.log` → (`warroom`, `log`); a name without an extension gets `log`.
fn name_parts(path: &Path) -> (String, String) {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "warroom".into());
    let ext = path.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "log".into());
    (stem, ext)
}

/// Before rotation, `warroom.log` was a plain file: the appender would delete
/// it to put its symlink there. It becomes `warroom.unrotated.log` instead,
/// pruned with the rest in time.
fn keep_unrotated_log(path: &Path, stem: &str, ext: &str) {
    let is_plain_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    if is_plain_file {
        let _ = std::fs::rename(path, path.with_file_name(format!("{stem}.unrotated.{ext}")));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_log_path_is_a_symlink_to_todays_file_and_an_old_log_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("warroom.log");
        std::fs::write(&path, "from an older warroom\n").unwrap();
        let mut log = appender(&path).unwrap();
        log.write_all(b"hello\n").unwrap();
        log.flush().unwrap();
        assert!(std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
        let target = std::fs::read_link(&path).unwrap();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(name, format!("warroom.{today}.log"));
        let old = std::fs::read_to_string(dir.path().join("warroom.unrotated.log")).unwrap();
        assert_eq!(old, "from an older warroom\n");
    }

    #[test]
    fn only_the_newest_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("warroom.2020-01-0{day}.log")), "old\n").unwrap();
        }
        std::fs::write(dir.path().join("other.log"), "not ours\n").unwrap();
        let _log = appender(&dir.path().join("warroom.log")).unwrap();
        let ours = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_file())
            .filter(|e| e.file_name().to_string_lossy().starts_with("warroom."))
            .count();
        assert_eq!(ours, KEEP_FILES);
        assert!(dir.path().join("other.log").exists(), "a file of another name is never touched");
    }
}
