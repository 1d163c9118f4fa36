//! The note being typed, kept beside the journal until it is saved: a
//! SIGHUP, SIGTERM, Ctrl-C or a dropped SSH session must not take the
//! engineer's words with it. The runtime writes it (atomically, fsync'd) a
//! second after it changes and when a signal ends warroom; the next start
//! on the incident offers it back in the editor.
//!
//! `<incident dir>/<id>/draft-<user>.txt`: a header line (`new`, or
//! `edit <note id>`), then the text.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use crate::model::record::{Draft, DraftKind};

fn encode(draft: &Draft) -> String {
    let header = match &draft.kind {
        DraftKind::NewNote => "new".to_string(),
        DraftKind::EditNote { id } => format!("edit {id}"),
    };
    format!("{header}\n{}", draft.text)
}

fn decode(content: &str) -> Option<Draft> {
    let (header, text) = content.split_once('\n')?;
    let kind = match header.trim().split_once(' ') {
        None if header.trim() == "new" => DraftKind::NewNote,
        Some(("edit", id)) if !id.trim().is_empty() => DraftKind::EditNote { id: id.trim().to_string() },
        _ => return None,
    };
    (!text.trim().is_empty()).then(|| Draft { kind, text: text.to_string() })
}

/// The draft file of `user` in the incident directory `incident` (the one
/// holding the journal). The user name is reduced to file-name characters.
pub fn path(incident: &Path, user: &str) -> PathBuf {
    let safe: String =
        user.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let safe = safe.trim_start_matches('.');
    incident.join(format!("draft-{}.txt", if safe.is_empty() { "user" } else { safe }))
}

/// Writes the draft (atomically and fsync'd), or removes the file for
/// `None` (saved or discarded).
pub fn save(file: &Path, draft: Option<&Draft>) -> io::Result<()> {
    match draft {
        Some(d) => super::write_atomic(file, &encode(d)),
        None => match fs::remove_file(file) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

/// The draft left by an earlier run, if any (an unreadable or empty one is
/// none).
pub fn load(file: &Path) -> Option<Draft> {
    let bytes = fs::read(file).ok()?;
    decode(&String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_removes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = path(dir.path(), "al/ice");
        assert_eq!(file, dir.path().join("draft-al_ice.txt"));
        let d = Draft { kind: DraftKind::EditNote { id: "12.3".into() }, text: "line one\nline two".into() };
        save(&file, Some(&d)).expect("save");
        assert_eq!(load(&file), Some(d));
        let n = Draft { kind: DraftKind::NewNote, text: "!action x".into() };
        save(&file, Some(&n)).expect("save");
        assert_eq!(load(&file), Some(n));
        save(&file, None).expect("remove");
        assert_eq!(load(&file), None);
        save(&file, None).expect("removing nothing is fine");
        assert_eq!(path(dir.path(), "..").file_name().and_then(|n| n.to_str()), Some("draft-user.txt"));
    }
}
