//! `mutt config show`: every effective setting with its source, secrets masked.
//! (Dynamic configuration commands join this group with the web/admin work.)

use super::output::{self, Format};
use super::CliError;
use crate::settings::Settings;
use std::process::ExitCode;

/// `mutt config …`
#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print every effective setting, its source (flag/env/file/URL/default), secrets masked
    Show {
        /// Only settings of this group (general, redis, postgres, ports, queues, secrets)
        #[arg(long)]
        group: Option<String>,
    },
}

#[derive(tabled::Tabled, serde::Serialize)]
struct Row<'a> {
    #[tabled(rename = "SETTING")]
    name: &'a str,
    #[tabled(rename = "VALUE")]
    value: &'a str,
    #[tabled(rename = "SOURCE")]
    source: &'a str,
}

/// Run a `config` subcommand.
pub fn run(settings: &Settings, cmd: &ConfigCommand, format: Format) -> Result<ExitCode, CliError> {
    match cmd {
        ConfigCommand::Show { group } => {
            let shown: Vec<_> = settings
                .show()
                .into_iter()
                .filter(|s| {
                    group
                        .as_deref()
                        .is_none_or(|g| g.eq_ignore_ascii_case(s.group))
                })
                .collect();
            if shown.is_empty() {
                return Err(CliError::Other(format!(
                    "no settings in group {:?}; groups are general, redis, postgres, ports, queues, secrets",
                    group.as_deref().unwrap_or_default()
                )));
            }
            let rows: Vec<Row> = shown
                .iter()
                .map(|s| Row {
                    name: s.name,
                    value: &s.value,
                    source: &s.source,
                })
                .collect();
            output::print(format, &rows, &shown)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
