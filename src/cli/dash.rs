//! `warroom dash check FILE…`: what each dashboard file will show, and what
//! of it is ignored or unsupported, without starting the console.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::dashboard::report::{FileReport, json};
use crate::dashboard::{Fatal, MAX_FILE_BYTES, parse};

#[derive(Debug, clap::Subcommand)]
pub enum DashCommand {
    /// Validate dashboard files (Grafana's JSON model, the API's
    /// `{"dashboard": …}`, the v2 resource): exit 1 on errors, with
    /// `--strict` on warnings too.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Fail on warnings (ignored or unsupported fields) too.
        #[arg(long)]
        strict: bool,
        /// text (default) or json.
        #[arg(long, value_enum, default_value_t = DashFormat::Text)]
        format: DashFormat,
        /// List the notes too: fields that change nothing warroom shows
        /// (JSON always has them).
        #[arg(long, short)]
        verbose: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DashFormat {
    Text,
    Json,
}

pub fn run(command: &DashCommand) -> anyhow::Result<ExitCode> {
    let DashCommand::Check { files, strict, format, verbose } = command;
    let reports: Vec<FileReport> = files.iter().map(|f| FileReport::new(&f.display().to_string(), read(f))).collect();
    let out = match format {
        DashFormat::Text => reports.iter().map(|r| r.text(*verbose)).collect::<String>(),
        DashFormat::Json => json(&reports, *strict),
    };
    std::io::stdout().write_all(out.as_bytes())?;
    let failed = reports.iter().any(|r| r.fails(*strict));
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The file within the size cap, then parsed; an unreadable file is no dashboard.
fn read(path: &Path) -> Result<crate::dashboard::Parsed, Fatal> {
    let file = std::fs::File::open(path).map_err(|e| Fatal::NotDashboard(format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fatal::NotDashboard(format!("cannot read: {e}")))?;
    parse(&bytes)
}
