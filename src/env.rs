//! Where things live on this machine, and who is at the keyboard. Computed
//! once at start and passed down, never read from deep inside handlers.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub log_file: PathBuf,
    pub data_dir: PathBuf,
    /// Where shipped read-only data (`runbooks/`, `themes/`) is looked for,
    /// in order; see [`shared_data_dirs`].
    pub shared_data: Vec<PathBuf>,
}

impl Paths {
    /// Platform defaults: `~/.config/warroom`, `~/.local/state/warroom`,
    /// `~/.local/share/warroom` on Linux.
    pub fn detect() -> Self {
        let dirs = directories::ProjectDirs::from("", "", "warroom");
        let config_file =
            dirs.as_ref().map(|d| d.config_dir().join("config.toml")).unwrap_or_else(|| PathBuf::from("warroom.toml"));
        let data_dir = dirs.as_ref().map(|d| d.data_dir().to_path_buf()).unwrap_or_else(|| PathBuf::from(".warroom"));
        let shared_data = shared_data_dirs(&data_dir, std::env::var_os("XDG_DATA_DIRS").as_deref());
        Self { config_file, log_file: crate::logging::default_log_file(), data_dir, shared_data }
    }

    /// Runbook directories searched after the configured ones: the user's
    /// `~/.local/share/warroom/runbooks`, then the package's
    /// (`/usr/share/warroom/runbooks` from the .deb).
    pub fn shared_runbook_dirs(&self) -> Vec<PathBuf> {
        self.shared_data.iter().map(|d| d.join("runbooks")).collect()
    }

    /// Where `--theme NAME` looks for `NAME.toml` when NAME is not a
    /// built-in theme: the config dir's `themes/`, then each shared data dir's.
    pub fn theme_dirs(&self) -> Vec<PathBuf> {
        let own = self.config_file.parent().map(|d| d.join("themes"));
        own.into_iter().chain(self.shared_data.iter().map(|d| d.join("themes"))).collect()
    }

    /// The `:` prompt's history (last 200 commands).
    pub fn history_file(&self) -> PathBuf {
        self.data_dir.join("history")
    }

    /// Incident journals, unless the config names another directory.
    pub fn default_incident_dir(&self) -> PathBuf {
        self.data_dir.join("incidents")
    }
}

/// The XDG data directories, each with `warroom` appended: the user's own
/// (`$XDG_DATA_HOME/warroom`, i.e. `data_dir`), then `$XDG_DATA_DIRS` (default
/// `/usr/local/share:/usr/share`, per the XDG base directory spec), where a
/// package puts what it ships. Relative entries are ignored, as the spec says.
pub fn shared_data_dirs(data_dir: &std::path::Path, xdg_data_dirs: Option<&std::ffi::OsStr>) -> Vec<PathBuf> {
    let system = xdg_data_dirs.filter(|v| !v.is_empty()).unwrap_or("/usr/local/share:/usr/share".as_ref());
    let mut out = vec![data_dir.to_path_buf()];
    for dir in std::env::split_paths(system).filter(|d| d.is_absolute()) {
        let dir = dir.join("warroom");
        if !out.contains(&dir) {
            out.push(dir);
        }
    }
    out
}

/// The engineer's name for notes and silences (`createdBy`): `$USER`, else
/// `$LOGNAME`, else the account of our uid in `/etc/passwd` (cron, `sudo -E`
/// and some SSH setups leave both unset), else `uid-N`.
pub fn user() -> String {
    if let Some(name) =
        ["USER", "LOGNAME", "USERNAME"].iter().find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
    {
        return name;
    }
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    account_of(&passwd, uid).unwrap_or_else(|| format!("uid-{uid}"))
}

/// The login name of `uid` in a passwd file (`name:x:uid:gid:…`).
fn account_of(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_data_dirs_follow_xdg() {
        let home = std::path::Path::new("/home/a/.local/share/warroom");
        let default = shared_data_dirs(home, None);
        let expected = [home, "/usr/local/share/warroom".as_ref(), "/usr/share/warroom".as_ref()];
        assert_eq!(default, expected);
        let custom = shared_data_dirs(home, Some("/opt/share:relative:/opt/share".as_ref()));
        assert_eq!(custom, [home, "/opt/share/warroom".as_ref()]);
        assert_eq!(shared_data_dirs(home, Some("".as_ref())), default, "empty means the default");
    }

    #[test]
    fn account_from_passwd() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nalice:x:1000:1000::/home/alice:/bin/sh\n";
        assert_eq!(account_of(passwd, 1000).as_deref(), Some("alice"));
        assert_eq!(account_of(passwd, 0).as_deref(), Some("root"));
        assert_eq!(account_of(passwd, 42), None);
    }
}
