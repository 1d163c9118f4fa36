//! Replacing a file so a reader (or a crash) sees the old or the new
//! content, never half of each: temp file beside it, fsync, rename, fsync
//! the directory.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `content` to `path` atomically. On error the previous content is
/// untouched and the temp file removed.
pub fn write_atomic(path: &Path, content: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    clean_stale_tmp(path);
    let result = write_then_rename(&tmp, path, content.as_bytes());
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir)
}

/// Removes the temp files `NAME.<pid>.tmp` that a process now gone left
/// beside `path` (`kill -9` mid-rewrite): nothing else ever would. Those of
/// a live process (another warroom writing the same file) are left alone.
pub fn clean_stale_tmp(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else { return };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let Ok(entries) = fs::read_dir(dir) else { return };
    let prefix = format!("{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let pid = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !alive(pid)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process `pid` exists (signal 0: checked, not sent).
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn write_then_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create(true).truncate(true).open(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(tmp, path)
}

/// fsyncs a directory so an entry created or renamed in it is durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pm.md");
        write_atomic(&path, "one").expect("first write");
        write_atomic(&path, "two").expect("second write");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
        let names: Vec<_> = fs::read_dir(dir.path()).expect("list").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("pm.md")]);
    }

    #[test]
    fn temp_files_of_dead_processes_are_cleaned_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("postmortem.md");
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let dead = child.id();
        child.wait().expect("wait");
        let live = std::os::unix::process::parent_id();
        let stale = dir.path().join(format!("postmortem.md.{dead}.tmp"));
        let busy = dir.path().join(format!("postmortem.md.{live}.tmp"));
        let other = dir.path().join(format!("history.{dead}.tmp"));
        for f in [&stale, &busy, &other] {
            fs::write(f, "half").expect("write");
        }
        write_atomic(&path, "whole").expect("write");
        assert!(!stale.exists(), "a dead writer's temp file is removed");
        assert!(busy.exists(), "a live writer's temp file is kept");
        assert!(other.exists(), "another file's temp files are not ours to judge here");
        assert_eq!(fs::read_to_string(&path).expect("read"), "whole");
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nope").join("pm.md");
        assert!(write_atomic(&path, "x").is_err());
    }
}
