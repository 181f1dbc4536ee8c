//! `mutt migrate [--status] [--dry-run]`.

use super::output::{self, Format};
use super::CliError;
use crate::settings::Settings;
use crate::store::postgres::{migrate, partitions, PgConfig, PgConnector};
use std::process::ExitCode;

/// Default number of months after the current one to create partitions for.
pub const DEFAULT_PARTITIONS_AHEAD: u32 = 3;

/// `mutt migrate` options.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// List applied and pending migrations; change nothing
    #[arg(long, conflicts_with = "dry_run")]
    pub status: bool,
    /// Print the SQL that would run; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Months after the current one to create event_audit_log partitions for
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PARTITIONS_AHEAD)]
    pub partitions_ahead: u32,
}

#[derive(tabled::Tabled, serde::Serialize)]
struct StatusRow {
    #[tabled(rename = "VERSION")]
    version: i32,
    #[tabled(rename = "NAME")]
    name: &'static str,
    #[tabled(rename = "STATE")]
    state: String,
    #[tabled(rename = "APPLIED AT")]
    applied_at: String,
}

#[derive(serde::Serialize)]
struct Report {
    applied: Vec<&'static str>,
    partitions: Vec<partitions::EnsureOutcome>,
}

/// Run `mutt migrate`.
pub fn run(settings: &Settings, args: &MigrateArgs, format: Format) -> Result<ExitCode, CliError> {
    let connector = PgConnector::new(PgConfig::from_settings(settings, "migrate"))?;
    let mut client = connector.connect()?;
    let now = chrono::Utc::now();

    if args.status {
        let status = migrate::status(&mut client)?;
        let rows: Vec<StatusRow> = status
            .iter()
            .map(|s| StatusRow {
                version: s.version,
                name: s.name,
                state: if s.modified {
                    "applied (modified since!)".into()
                } else {
                    s.state().into()
                },
                applied_at: s.applied_at.clone().unwrap_or_default(),
            })
            .collect();
        output::print(format, &rows, &status)?;
        return Ok(ExitCode::SUCCESS);
    }

    if args.dry_run {
        let pending = migrate::pending(&mut client)?;
        let parent_exists: bool = client
            .query_one("SELECT to_regclass('event_audit_log') IS NOT NULL", &[])
            .map_err(crate::store::postgres::DbError::from)?
            .get(0);
        let months = if parent_exists {
            partitions::missing(&mut client, now, args.partitions_ahead)?
        } else {
            partitions::months_to_ensure(now, args.partitions_ahead)
        };
        if pending.is_empty() && months.is_empty() {
            println!("-- nothing to do: schema is up to date");
        }
        for m in &pending {
            println!(
                "-- {} (would be applied in its own transaction)\n{}",
                m.name,
                m.sql.trim_end()
            );
        }
        for m in &months {
            println!(
                "-- partition {} (moves any DEFAULT rows of that month)\n{};",
                m.name,
                m.create_sql()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }

    let applied = migrate::apply(&mut client)?;
    let outcomes = partitions::ensure(&mut client, now, args.partitions_ahead)?;
    let report = Report {
        applied: applied.iter().map(|m| m.name).collect(),
        partitions: outcomes,
    };
    match format {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report)
                    .map_err(|e| CliError::Other(e.to_string()))?
            );
        }
        Format::Table => {
            for name in &report.applied {
                println!("applied {name}");
            }
            let mut created = 0;
            for p in &report.partitions {
                match p {
                    partitions::EnsureOutcome::Created { name, moved_rows } => {
                        created += 1;
                        println!("created partition {name} ({moved_rows} rows moved from DEFAULT)");
                    }
                    partitions::EnsureOutcome::Overlaps { name, detail } => {
                        println!("skipped partition {name}: {detail}");
                    }
                    partitions::EnsureOutcome::Exists { .. } => {}
                }
            }
            if report.applied.is_empty() && created == 0 {
                println!("nothing to do: schema is up to date");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
