//! `mutt retention run`: apply the retention policy set once (cron, systemd timer, CronJob).

use super::manage::batch_exit;
use super::output::{self, Format};
use super::progress::Progress;
use super::CliError;
use crate::ops::partitions::Tuning;
use crate::ops::retention::{self, Policy, RunOptions, TargetReport};
use crate::settings::{registry, Settings};
use crate::store::postgres::{PgConfig, PgConnector};
use crate::store::redis::keys::Keys;
use crate::store::redis::{RedisConfig, RedisConnector};
use std::cell::RefCell;
use std::process::ExitCode;

/// `mutt retention …`
#[derive(Debug, clap::Subcommand)]
pub enum RetentionCommand {
    /// Apply the policies once: archive event audit rows past the hot period, delete archive rows,
    /// config audit rows and dead letters past theirs. Exit 3 if some target failed
    Run {
        /// Report what would be removed per target; change nothing (PostgreSQL or Redis)
        #[arg(long)]
        dry_run: bool,
        /// Apply periods below the safe minimums (event audit 30 days, archive 1 year, config
        /// audit 365 days, DLQ 7 days)
        #[arg(long)]
        force: bool,
    },
}

#[derive(tabled::Tabled)]
struct Row {
    #[tabled(rename = "TARGET")]
    target: String,
    #[tabled(rename = "POLICY")]
    policy: String,
    #[tabled(rename = "CUTOFF")]
    cutoff: String,
    #[tabled(rename = "ACTION")]
    action: String,
    #[tabled(rename = "AFFECTED")]
    affected: u64,
    #[tabled(rename = "DETAIL")]
    detail: String,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    dry_run: bool,
    policy: &'a Policy,
    targets: &'a [TargetReport],
}

/// Run `mutt retention …`.
pub fn run(
    settings: &Settings,
    cmd: &RetentionCommand,
    format: Format,
) -> Result<ExitCode, CliError> {
    let RetentionCommand::Run { dry_run, force } = cmd;
    let keys = Keys::from_settings(settings);
    let mut redis = RedisConnector::new(RedisConfig::from_settings(settings))
        .connect()
        .map_err(|e| e.to_string());
    let dynamic_enabled = settings.bool(&registry::DYNAMIC_CONFIG_ENABLED);
    let policy = {
        let conn = RefCell::new(redis.as_mut().ok());
        Policy::from_settings(settings, &|key| {
            if !dynamic_enabled {
                return None;
            }
            let mut conn = conn.borrow_mut();
            let c = conn.as_mut()?;
            redis::cmd("GET")
                .arg(keys.config(key))
                .query::<Option<String>>(*c)
                .ok()
                .flatten()
        })
    };
    if !policy.enabled {
        eprintln!(
            "mutt: retention is disabled (RETENTION_ENABLED or retention_enforcement_enabled is false); nothing done"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let unsafe_values = policy.below_minimums();
    if !unsafe_values.is_empty() && !*force {
        return Err(CliError::Other(format!(
            "retention policy below the safe minimum: {}; pass --force to apply it",
            unsafe_values.join(", ")
        )));
    }

    let connector = PgConnector::new(PgConfig::from_settings(settings, "retention"))?;
    let mut pg = connector.connect()?;
    if !*dry_run {
        super::partitions::take_lock(settings, &mut pg)?;
    }

    // One spinner for the whole run; its message names the target at work and its count the
    // rows or entries done there.
    let bar = Progress::new(None, "retention", format);
    bar.set_message(if *dry_run { "counting" } else { "starting" });
    let current = RefCell::new(String::new());
    let progress = |target: &str, n: u64| {
        let mut cur = current.borrow_mut();
        if *cur != target {
            *cur = target.to_string();
            bar.set_message(target.to_string());
            bar.set_position(0);
        }
        bar.inc(n);
    };
    let opts = RunOptions {
        dry_run: *dry_run,
        tuning: Tuning::from_settings(settings),
    };
    let reports = retention::run(
        &mut pg,
        redis.as_mut().map_err(|e| e.clone()),
        &keys,
        &policy,
        chrono::Utc::now(),
        &opts,
        &progress,
    );
    bar.finish();

    let rows: Vec<Row> = reports
        .iter()
        .map(|r| Row {
            target: r.target.clone(),
            policy: r.policy.clone(),
            cutoff: r.cutoff.clone(),
            action: if r.error.is_some() {
                "failed".into()
            } else {
                r.action.clone()
            },
            affected: r.affected,
            detail: r.error.clone().unwrap_or_else(|| r.detail.clone()),
        })
        .collect();
    let report = Report {
        dry_run: *dry_run,
        policy: &policy,
        targets: &reports,
    };
    output::print(format, &rows, &report)?;
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    for r in reports.iter().filter(|r| r.error.is_some()) {
        eprintln!(
            "mutt: retention {}: {}",
            r.target,
            r.error.as_deref().unwrap_or_default()
        );
    }
    Ok(batch_exit(reports.len() - failed, failed))
}
