//! What a user can ask of the incident, parsed and checked without I/O:
//! `:` commands, the declaration form, and why an intent was refused.

use chrono::FixedOffset;

use super::record::{Status, UnknownStatus};
use super::timeline::EntryKind;

/// Why an intent produced nothing to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    #[error("no incident: declare one first")]
    NoIncident,
    #[error("the selected entry is not a note")]
    NotANote,
    #[error("this note is struck out")]
    Struck,
    #[error("nothing changed")]
    Unchanged,
    #[error("the note is empty")]
    Empty,
    #[error(transparent)]
    Status(#[from] UnknownStatus),
    #[error("unknown incident command {0:?} (status, commander, filter, time, handoff, join)")]
    UnknownCommand(String),
}

/// How times are shown on screen (files are always UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeDisplay {
    #[default]
    Utc,
    /// The runtime passes the local offset, so this stays testable.
    Local(FixedOffset),
}

/// A `:` command for the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentCommand {
    Status(Status),
    Commander(String),
    /// `None` shows every kind.
    Filter(Option<EntryKind>),
    Time(TimeDisplay),
    /// `:handoff`: the summary for the next shift (file and clipboard).
    Handoff,
    /// `:join ID`: open the shared incident ID (read from Loki first).
    Join(String),
}

impl IncidentCommand {
    /// Parses `status mitigated`, `mitigated`, `commander bob`,
    /// `filter note` / `filter all`, `time utc` / `time local` (`local` needs
    /// the offset, given by the caller).
    pub fn parse(cmd: &str, local: FixedOffset) -> Result<IncidentCommand, IntentError> {
        let cmd = cmd.trim().trim_start_matches(':');
        let (verb, arg) = cmd.split_once(' ').unwrap_or((cmd, ""));
        let arg = arg.trim();
        let unknown = || IntentError::UnknownCommand(cmd.to_string());
        match verb {
            "status" => Ok(IncidentCommand::Status(arg.parse()?)),
            "investigating" | "mitigated" | "resolved" if arg.is_empty() => Ok(IncidentCommand::Status(verb.parse()?)),
            "commander" if !arg.is_empty() => Ok(IncidentCommand::Commander(arg.to_string())),
            "filter" if arg == "all" || arg.is_empty() => Ok(IncidentCommand::Filter(None)),
            "filter" => EntryKind::ALL
                .into_iter()
                .find(|k| k.label() == arg)
                .map(|k| IncidentCommand::Filter(Some(k)))
                .ok_or_else(unknown),
            "time" if arg == "utc" => Ok(IncidentCommand::Time(TimeDisplay::Utc)),
            "time" if arg == "local" => Ok(IncidentCommand::Time(TimeDisplay::Local(local))),
            "handoff" if arg.is_empty() => Ok(IncidentCommand::Handoff),
            "join" if super::id::is_valid(arg) => Ok(IncidentCommand::Join(arg.to_string())),
            _ => Err(unknown()),
        }
    }
}

/// What `i` pre-fills: from the selected alert when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclareDraft {
    pub title: String,
    pub severity: String,
    pub commander: String,
}

impl DeclareDraft {
    pub fn from_alert(alertname: &str, severity: &str, summary: &str, user: &str) -> Self {
        let title = match (alertname.trim(), summary.trim()) {
            (a, "") => a.to_string(),
            ("", s) => s.to_string(),
            (a, s) => format!("{a}: {s}"),
        };
        DeclareDraft {
            title: crate::text::clean(&title).into_owned(),
            severity: crate::text::clean(severity).into_owned(),
            commander: user.to_string(),
        }
    }

    /// The editable form: title on the first line, then `key: value` lines.
    pub fn to_text(&self) -> String {
        format!("{}\nseverity: {}\ncommander: {}", self.title, self.severity, self.commander)
    }

    /// Reads [`DeclareDraft::to_text`] back after the user edited it.
    pub fn parse(text: &str) -> Result<DeclareDraft, IntentError> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let title = lines.next().ok_or(IntentError::Empty)?.to_string();
        let mut draft = DeclareDraft { title, severity: String::new(), commander: String::new() };
        for line in lines {
            match line.split_once(':') {
                Some((k, v)) if k.trim() == "severity" => draft.severity = v.trim().into(),
                Some((k, v)) if k.trim() == "commander" => draft.commander = v.trim().into(),
                _ => {}
            }
        }
        Ok(draft)
    }
}
