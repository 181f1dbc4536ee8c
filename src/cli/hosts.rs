//! `mutt hosts list|add|delete` and `mutt teams list|set|delete`: development hosts and device
//! teams through the management layer (same validation and audit rows as the REST API).

use super::manage::{batch_exit, Stores};
use super::output::{self, Format};
use super::CliError;
use crate::admin::teams::SetMode;
use crate::admin::{hosts, teams};
use crate::settings::Settings;
use serde_json::json;
use std::process::ExitCode;

/// `mutt hosts …`
#[derive(Debug, clap::Subcommand)]
pub enum HostsCommand {
    /// List development hosts
    List,
    /// Add development hosts (names are stored trimmed and lower-case)
    Add(HostsArgs),
    /// Remove development hosts
    Delete(HostsArgs),
}

/// Host names to act on, one audited change each.
#[derive(Debug, clap::Args)]
pub struct HostsArgs {
    /// Host names
    #[arg(required = true, value_name = "HOSTNAME")]
    hostnames: Vec<String>,
    /// Why (kept in the audit row)
    #[arg(long)]
    reason: Option<String>,
}

/// `mutt teams …`
#[derive(Debug, clap::Subcommand)]
pub enum TeamsCommand {
    /// List device → team assignments
    List,
    /// Assign a device to a team (creates or changes the mapping)
    Set {
        /// Host name
        hostname: String,
        /// Team
        team: String,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Remove the team assignments of devices
    Delete(HostsArgs),
}

#[derive(tabled::Tabled, serde::Serialize)]
struct Outcome {
    #[tabled(rename = "HOSTNAME")]
    hostname: String,
    #[tabled(rename = "RESULT")]
    result: String,
}

/// Apply `op` to each host; print one line per host; exit 0, 1 (all failed) or 3 (some failed).
fn each_host(
    hostnames: &[String],
    format: Format,
    mut op: impl FnMut(&str) -> Result<String, crate::admin::AdminError>,
) -> Result<ExitCode, CliError> {
    let mut rows = Vec::new();
    let mut failed = 0;
    for host in hostnames {
        let result = op(host).unwrap_or_else(|e| {
            failed += 1;
            format!("error: {e}")
        });
        rows.push(Outcome {
            hostname: host.clone(),
            result,
        });
    }
    output::print(format, &rows, &rows)?;
    Ok(batch_exit(rows.len() - failed, failed))
}

/// Run a `hosts` subcommand.
pub fn run_hosts(
    settings: &Settings,
    cmd: &HostsCommand,
    format: Format,
) -> Result<ExitCode, CliError> {
    let mut s = Stores::open(settings)?;
    match cmd {
        HostsCommand::List => {
            let list = hosts::list(&mut s.db)?;
            output::print(format, &list, &json!({ "hosts": list }))?;
            Ok(ExitCode::SUCCESS)
        }
        HostsCommand::Add(HostsArgs { hostnames, reason }) => each_host(hostnames, format, |h| {
            hosts::add(&mut s.db, &s.notifier, &s.actor, h, reason.as_deref())
                .map(|added| format!("added {}", added.hostname))
        }),
        HostsCommand::Delete(HostsArgs { hostnames, reason }) => {
            each_host(hostnames, format, |h| {
                hosts::delete(&mut s.db, &s.notifier, &s.actor, h, reason.as_deref())
                    .map(|gone| format!("deleted {}", gone.hostname))
            })
        }
    }
}

/// Run a `teams` subcommand.
pub fn run_teams(
    settings: &Settings,
    cmd: &TeamsCommand,
    format: Format,
) -> Result<ExitCode, CliError> {
    let mut s = Stores::open(settings)?;
    match cmd {
        TeamsCommand::List => {
            let list = teams::list(&mut s.db)?;
            output::print(format, &list, &json!({ "teams": list }))?;
            Ok(ExitCode::SUCCESS)
        }
        TeamsCommand::Set {
            hostname,
            team,
            reason,
        } => {
            let (mapping, created) = teams::set(
                &mut s.db,
                &s.notifier,
                &s.actor,
                hostname,
                team,
                SetMode::Upsert,
                reason.as_deref(),
            )?;
            let verb = if created { "created" } else { "updated" };
            let rows = [Outcome {
                hostname: mapping.hostname.clone(),
                result: format!("{verb}: {}", mapping.team_assignment),
            }];
            output::print(
                format,
                &rows,
                &json!({ "team": mapping, "created": created }),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        TeamsCommand::Delete(HostsArgs { hostnames, reason }) => {
            each_host(hostnames, format, |h| {
                teams::delete(&mut s.db, &s.notifier, &s.actor, h, reason.as_deref())
                    .map(|gone| format!("deleted ({})", gone.team_assignment))
            })
        }
    }
}
