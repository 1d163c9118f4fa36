//! Which server binaries the suite runs. Each comes from an environment
//! variable when set (an absolute path, or a name looked up on `PATH`), else
//! Debian's command name: bookworm's packages installed by
//! `scripts/install-test-deps.sh`. `scripts/test.sh` runs the real-server
//! tests a second time with every variable pointing at the current
//! generation that `scripts/fetch-current-servers.sh` unpacks from Debian's
//! unstable suite.

use std::process::Command;

/// One server program: the variable that overrides it and its default.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    pub env: &'static str,
    pub default: &'static str,
}

pub const PROMETHEUS: Program = Program { env: "WARROOM_TEST_PROMETHEUS", default: "prometheus" };
pub const PROMTOOL: Program = Program { env: "WARROOM_TEST_PROMTOOL", default: "promtool" };
pub const ALERTMANAGER: Program = Program { env: "WARROOM_TEST_ALERTMANAGER", default: "prometheus-alertmanager" };
pub const AMTOOL: Program = Program { env: "WARROOM_TEST_AMTOOL", default: "amtool" };
pub const VICTORIA_METRICS: Program = Program { env: "WARROOM_TEST_VICTORIAMETRICS", default: "victoria-metrics" };
pub const VMALERT: Program = Program { env: "WARROOM_TEST_VMALERT", default: "vmalert" };
/// A real scrape target: Debian's `prometheus-node-exporter` (1.5 on bookworm).
pub const NODE_EXPORTER: Program = Program { env: "WARROOM_TEST_NODE_EXPORTER", default: "prometheus-node-exporter" };
pub const VMAUTH: Program = Program { env: "WARROOM_TEST_VMAUTH", default: "vmauth" };

impl Program {
    /// The program to run: `$ENV` when set and not empty, else the default.
    pub fn path(&self) -> String {
        match std::env::var(self.env) {
            Ok(p) if !p.trim().is_empty() => p,
            _ => self.default.to_string(),
        }
    }

    /// A `Command` for [`Program::path`].
    pub fn command(&self) -> Command {
        Command::new(self.path())
    }

    /// The same for tokio.
    pub fn tokio_command(&self) -> tokio::process::Command {
        tokio::process::Command::new(self.path())
    }

    /// The first line `PROGRAM --version` prints (Prometheus' tools print
    /// on stdout, some builds on stderr), e.g. `prometheus, version 3.5.3+ds1
    /// (branch: …)`. Panics when the program cannot run.
    pub fn version_line(&self) -> String {
        let out = self.command().arg("--version").output().unwrap_or_else(|e| {
            panic!("cannot run {} ({e}); set {} or run scripts/install-test-deps.sh", self.path(), self.env)
        });
        let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
        String::from_utf8_lossy(&text).lines().next().unwrap_or_default().trim().to_string()
    }

    /// The version number `--version` prints (`3.5.3+ds1` from
    /// `prometheus, version 3.5.3+ds1 (…)`).
    pub fn version(&self) -> String {
        let line = self.version_line();
        let after = line.split_once("version ").map_or(line.as_str(), |(_, v)| v);
        after.split_whitespace().next().unwrap_or_default().to_string()
    }
}
