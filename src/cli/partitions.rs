//! `mutt partitions ensure|list|drop`: monthly partitions of `event_audit_log`.

use super::manage::batch_exit;
use super::output::{self, Format};
use super::progress::{self, Progress};
use super::CliError;
use crate::ops::partitions::{self as ops, DropMode, Step, Tuning};
use crate::settings::{registry, Settings};
use crate::store::postgres::partitions::EnsureOutcome;
use crate::store::postgres::{PgConfig, PgConnector};
use std::cell::RefCell;
use std::process::ExitCode;
use std::time::Duration;

/// `mutt partitions …`
#[derive(Debug, clap::Subcommand)]
pub enum PartitionsCommand {
    /// Create the missing partitions of the current month and N months after it (UTC calendar
    /// months); rows of those months waiting in DEFAULT move into them. Exit 3 if some month
    /// could not be created
    Ensure {
        /// Months after the current one [default: PARTITIONS_AHEAD, 3]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=120))]
        ahead: Option<u32>,
        /// Show what would be created and moved; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// List partitions (range, rows, size) and the rows waiting in DEFAULT per month
    List,
    /// Retire partitions whose whole range ends at least N calendar months before now: archive
    /// (move rows to event_audit_log_archive, then drop), detach, or drop. Exit 3 if some failed
    Drop {
        /// Months: a partition goes only when its upper bound ≤ now − N months
        #[arg(long, value_name = "N", required = true, value_parser = clap::value_parser!(u32).range(1..=1200))]
        older_than: u32,
        /// What to do with each retired partition
        #[arg(long, value_enum, default_value_t = DropMode::Archive)]
        mode: DropMode,
        /// List what would be retired; change nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(tabled::Tabled)]
struct EnsureRow {
    #[tabled(rename = "PARTITION")]
    name: String,
    #[tabled(rename = "ACTION")]
    action: String,
    #[tabled(rename = "ROWS FROM DEFAULT")]
    moved: i64,
}

#[derive(tabled::Tabled)]
struct ListRow {
    #[tabled(rename = "PARTITION")]
    name: String,
    #[tabled(rename = "FROM")]
    from: String,
    #[tabled(rename = "TO")]
    to: String,
    #[tabled(rename = "ROWS")]
    rows: i64,
    #[tabled(rename = "SIZE")]
    size: String,
}

#[derive(tabled::Tabled)]
struct DropRow {
    #[tabled(rename = "PARTITION")]
    name: String,
    #[tabled(rename = "UPPER BOUND")]
    to: String,
    #[tabled(rename = "ROWS")]
    rows: i64,
    #[tabled(rename = "ACTION")]
    action: String,
    #[tabled(rename = "ERROR")]
    error: String,
}

/// Run `mutt partitions …`.
pub fn run(
    settings: &Settings,
    cmd: &PartitionsCommand,
    format: Format,
) -> Result<ExitCode, CliError> {
    let connector = PgConnector::new(PgConfig::from_settings(settings, "partitions"))?;
    let mut client = connector.connect()?;
    let now = chrono::Utc::now();
    match cmd {
        PartitionsCommand::Ensure { ahead, dry_run } => {
            let ahead = ahead.unwrap_or(settings.int(&registry::PARTITIONS_AHEAD) as u32);
            if *dry_run {
                let plan = ops::plan_ensure(&mut client, now, ahead)?;
                let rows: Vec<EnsureRow> = plan
                    .iter()
                    .map(|p| EnsureRow {
                        name: p.name.clone(),
                        action: "would be created".into(),
                        moved: p.rows_in_default,
                    })
                    .collect();
                output::print(format, &rows, &plan)?;
                return Ok(ExitCode::SUCCESS);
            }
            // A bar only when rows wait in DEFAULT for the months to create: moving them is the
            // only part that can take long (counting them costs a scan, so only on a terminal).
            let to_move: i64 = if progress::shown(format) {
                ops::plan_ensure(&mut client, now, ahead)?
                    .iter()
                    .map(|p| p.rows_in_default)
                    .sum()
            } else {
                0
            };
            let bar = if to_move > 0 {
                Progress::new(Some(to_move as u64), "partitions ensure", format)
            } else {
                Progress::hidden()
            };
            let outcomes = ops::ensure(&mut client, now, ahead, &|step| match step {
                Step::Partition { name, .. } => {
                    bar.set_message(format!("rows moved from DEFAULT; creating {name}"))
                }
                Step::Rows(n) => bar.inc(n),
            })?;
            bar.finish();
            let mut failed = 0;
            let rows: Vec<EnsureRow> = outcomes
                .iter()
                .map(|o| match o {
                    EnsureOutcome::Exists { name } => EnsureRow {
                        name: name.clone(),
                        action: "exists".into(),
                        moved: 0,
                    },
                    EnsureOutcome::Created { name, moved_rows } => EnsureRow {
                        name: name.clone(),
                        action: "created".into(),
                        moved: *moved_rows as i64,
                    },
                    EnsureOutcome::Overlaps { name, detail } => {
                        failed += 1;
                        EnsureRow {
                            name: name.clone(),
                            action: format!("not created: {detail}"),
                            moved: 0,
                        }
                    }
                })
                .collect();
            output::print(format, &rows, &outcomes)?;
            if failed > 0 {
                eprintln!("mutt: partitions: {failed} month(s) could not be created");
            }
            Ok(batch_exit(outcomes.len() - failed, failed))
        }
        PartitionsCommand::List => {
            let listing = ops::list(&mut client)?;
            let rows: Vec<ListRow> = listing
                .partitions
                .iter()
                .map(|p| ListRow {
                    name: p.name.clone(),
                    from: if p.default {
                        "DEFAULT".into()
                    } else {
                        p.from.clone().unwrap_or_else(|| "MINVALUE".into())
                    },
                    to: if p.default {
                        String::new()
                    } else {
                        p.to.clone().unwrap_or_else(|| "MAXVALUE".into())
                    },
                    rows: p.rows,
                    size: p.size.clone(),
                })
                .collect();
            output::print(format, &rows, &listing)?;
            if format == Format::Table && !listing.default_rows_by_month.is_empty() {
                let months: Vec<String> = listing
                    .default_rows_by_month
                    .iter()
                    .map(|m| format!("{} ({} rows)", m.month, m.rows))
                    .collect();
                println!("in DEFAULT: {}", months.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        PartitionsCommand::Drop {
            older_than,
            mode,
            dry_run,
        } => {
            let cutoff = ops::months_cutoff(now, *older_than);
            if !*dry_run {
                take_lock(settings, &mut client)?;
            }
            let tuning = Tuning::from_settings(settings);
            let bar = Progress::new(Some(0), "partitions drop", format);
            let current = RefCell::new((String::new(), 0u64, 0u64));
            let on_step = |step: Step<'_>| {
                let mut cur = current.borrow_mut();
                match step {
                    Step::Partition {
                        name,
                        index,
                        count,
                        rows,
                    } => {
                        bar.set_length(count as u64);
                        bar.set_position(index as u64);
                        *cur = (name.to_string(), 0, rows);
                    }
                    Step::Rows(n) => cur.1 += n,
                }
                let (name, moved, rows) = &*cur;
                bar.set_message(match mode {
                    DropMode::Archive if !*dry_run => {
                        format!("{name}: {moved}/{rows} rows archived")
                    }
                    _ => format!("{name} ({rows} rows)"),
                });
            };
            let outcomes =
                ops::retire_before(&mut client, cutoff, *mode, *dry_run, &tuning, &on_step)?;
            bar.finish();
            let rows: Vec<DropRow> = outcomes
                .iter()
                .map(|o| DropRow {
                    name: o.name.clone(),
                    to: o.to.clone().unwrap_or_default(),
                    rows: o.rows,
                    action: o.action.clone(),
                    error: o.error.clone().unwrap_or_default(),
                })
                .collect();
            if outcomes.is_empty() && format == Format::Table {
                println!(
                    "nothing to retire: no partition ends before {}",
                    crate::timefmt::secs(cutoff)
                );
            } else {
                output::print(format, &rows, &outcomes)?;
            }
            let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
            if failed > 0 {
                eprintln!("mutt: partitions drop: {failed} partition(s) failed");
            }
            Ok(batch_exit(outcomes.len() - failed, failed))
        }
    }
}

/// Take the retention lock shared with `mutt retention run`, or fail with one line.
pub fn take_lock(settings: &Settings, client: &mut postgres::Client) -> Result<(), CliError> {
    let wait = Duration::from_secs(settings.int(&registry::RETENTION_LOCK_WAIT_SECONDS) as u64);
    if ops::take_retention_lock(client, wait)? {
        Ok(())
    } else {
        Err(CliError::Other(format!(
            "another `mutt retention run` or `mutt partitions drop` is running (waited {}s, RETENTION_LOCK_WAIT_SECONDS); nothing done",
            wait.as_secs()
        )))
    }
}
