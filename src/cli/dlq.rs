//! `mutt dlq list|stats|replay|purge`: the dead-letter lists, filtered by reason, age and host.

use super::manage::batch_exit;
use super::output::{self, Format};
use super::progress::Progress;
use super::{CliError, EXIT_FAILURE, EXIT_USAGE};
use crate::ops::dlq::{self, Filter, Outcome, Target};
use crate::settings::Settings;
use crate::store::redis::keys::{Dlq, Keys};
use crate::store::redis::{RedisConfig, RedisConnector};
use serde_json::{json, Value};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Characters of the message shown in the table.
const MESSAGE_WIDTH: usize = 60;

/// A DLQ as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DlqArg {
    /// Events the alerter could not process (`mutt:dlq:alerter`)
    Alerter,
    /// Alerts the forwarder could not deliver (`mutt:dlq:moog`)
    Moog,
    /// Entries whose replays were exhausted (`mutt:dlq:dead`)
    Dead,
}

impl DlqArg {
    fn dlq(self) -> Dlq {
        match self {
            DlqArg::Alerter => Dlq::Alerter,
            DlqArg::Moog => Dlq::Moog,
            DlqArg::Dead => Dlq::Dead,
        }
    }
}

/// A replay target as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// The ingest queue (events, processed again by the alerter)
    Alerter,
    /// The alert queue (alerts, delivered again by the forwarder)
    Moog,
}

/// Which entries to act on.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only entries whose failure reason contains TEXT (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Only entries that failed at least this long ago (90s, 15m, 2h, 7d, 1w, 1d12h; plain number = seconds)
    #[arg(long, value_name = "AGE", value_parser = dlq::parse_age)]
    pub older_than: Option<std::time::Duration>,
    /// Only entries that failed less than this long ago
    #[arg(long, value_name = "AGE", value_parser = dlq::parse_age)]
    pub newer_than: Option<std::time::Duration>,
    /// Only entries of this host name (case-insensitive)
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// At most N entries, the oldest matching first
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

impl FilterArgs {
    fn filter(&self) -> Filter {
        Filter {
            reason: self.reason.clone(),
            older_than: self.older_than,
            newer_than: self.newer_than,
            host: self.host.clone(),
            limit: self.limit,
        }
    }
}

/// `mutt dlq …`
#[derive(Debug, clap::Subcommand)]
pub enum DlqCommand {
    /// List entries of a DLQ, oldest first (index = position in the Redis list, 0 = newest)
    List {
        /// Which DLQ
        #[arg(value_enum)]
        dlq: DlqArg,
        /// Which entries
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Count entries per DLQ and per failure reason, with the oldest age
    Stats {
        /// Only this DLQ (default: all three)
        #[arg(value_enum)]
        dlq: Option<DlqArg>,
    },
    /// Move entries back to their queue (alerter → ingest queue, moog → alert queue), each atomically
    Replay {
        /// Which DLQ
        #[arg(value_enum)]
        dlq: DlqArg,
        /// Which entries
        #[command(flatten)]
        filter: FilterArgs,
        /// Target queue; required for the dead list (its entries may be events or alerts)
        #[arg(long, value_enum)]
        to: Option<TargetArg>,
        /// Report what would move without changing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete entries for good (asks for confirmation on a terminal)
    Purge {
        /// Which DLQ
        #[arg(value_enum)]
        dlq: DlqArg,
        /// Which entries
        #[command(flatten)]
        filter: FilterArgs,
        /// Do not ask (required when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
        /// Report what would be deleted without changing anything
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(tabled::Tabled)]
struct ListRow {
    #[tabled(rename = "INDEX")]
    index: usize,
    #[tabled(rename = "AGE")]
    age: String,
    #[tabled(rename = "HOST")]
    host: String,
    #[tabled(rename = "REASON")]
    reason: String,
    #[tabled(rename = "MESSAGE")]
    message: String,
}

#[derive(tabled::Tabled)]
struct StatsRow {
    #[tabled(rename = "DLQ")]
    dlq: String,
    #[tabled(rename = "REASON")]
    reason: String,
    #[tabled(rename = "COUNT")]
    count: usize,
    #[tabled(rename = "OLDEST")]
    oldest: String,
}

#[derive(tabled::Tabled)]
struct OutcomeRow {
    #[tabled(rename = "DLQ")]
    dlq: String,
    #[tabled(rename = "SELECTED")]
    selected: usize,
    #[tabled(rename = "DONE")]
    done: String,
    #[tabled(rename = "VANISHED")]
    vanished: usize,
    #[tabled(rename = "FAILED")]
    failed: usize,
}

fn shorten(text: &str, width: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= width {
        return one_line;
    }
    let mut s: String = one_line.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn usage(msg: &str) -> Result<ExitCode, CliError> {
    eprintln!("mutt: {msg}");
    Ok(ExitCode::from(EXIT_USAGE))
}

/// Run a `dlq` command.
pub fn run(settings: &Settings, cmd: &DlqCommand, format: Format) -> Result<ExitCode, CliError> {
    let keys = Keys::from_settings(settings);
    let mut conn = RedisConnector::new(RedisConfig::from_settings(settings)).connect()?;
    let redis_err = |e: redis::RedisError| CliError::Redis(e.into());
    let now = chrono::Utc::now();
    match cmd {
        DlqCommand::List { dlq: d, filter } => {
            let items = dlq::read(&mut conn, &keys, d.dlq()).map_err(redis_err)?;
            let chosen = dlq::select(items, &filter.filter(), now);
            let rows: Vec<ListRow> = chosen
                .iter()
                .map(|e| ListRow {
                    index: e.index,
                    age: e.age(now).map(dlq::human_age).unwrap_or("?".into()),
                    host: e.host().unwrap_or("").to_string(),
                    reason: shorten(e.reason().unwrap_or(""), MESSAGE_WIDTH),
                    message: shorten(e.message(), MESSAGE_WIDTH),
                })
                .collect();
            let full: Vec<Value> = chosen
                .iter()
                .map(|e| {
                    let entry = e
                        .value
                        .clone()
                        .map(Value::Object)
                        .unwrap_or_else(|| Value::String(e.raw.clone()));
                    json!({"index": e.index, "entry": entry})
                })
                .collect();
            output::print(format, &rows, &full)?;
            Ok(ExitCode::SUCCESS)
        }
        DlqCommand::Stats { dlq: d } => {
            let which: Vec<Dlq> = match d {
                Some(d) => vec![d.dlq()],
                None => dlq::ALL_DLQS.to_vec(),
            };
            let mut all = Vec::new();
            for d in which {
                let items = dlq::read(&mut conn, &keys, d).map_err(redis_err)?;
                all.push(dlq::stats(d, keys.dlq(d), items, now));
            }
            let mut rows = Vec::new();
            for s in &all {
                let oldest = s
                    .oldest_age_s
                    .map(|a| dlq::human_age(std::time::Duration::from_secs(a)))
                    .unwrap_or("-".into());
                rows.push(StatsRow {
                    dlq: s.dlq.clone(),
                    reason: "(all)".into(),
                    count: s.count,
                    oldest,
                });
                for (reason, n) in &s.reasons {
                    rows.push(StatsRow {
                        dlq: s.dlq.clone(),
                        reason: shorten(reason, MESSAGE_WIDTH),
                        count: *n,
                        oldest: String::new(),
                    });
                }
            }
            output::print(format, &rows, &all)?;
            Ok(ExitCode::SUCCESS)
        }
        DlqCommand::Replay {
            dlq: d,
            filter,
            to,
            dry_run,
        } => {
            let target = match (d.dlq(), to) {
                (Dlq::Dead, None) => {
                    return usage("dlq replay dead needs --to alerter|moog (dead entries may be events or alerts)")
                }
                (Dlq::Dead, Some(TargetArg::Alerter)) => Target::Alerter,
                (Dlq::Dead, Some(TargetArg::Moog)) => Target::Moog,
                (other, None) => Target::of(other).unwrap_or(Target::Alerter),
                (_, Some(_)) => {
                    return usage("--to applies to the dead list only: alerter entries go back to the ingest queue, moog entries to the alert queue")
                }
            };
            let items = dlq::read(&mut conn, &keys, d.dlq()).map_err(redis_err)?;
            let chosen = dlq::select(items, &filter.filter(), now);
            let bar = Progress::new(Some(chosen.len() as u64), "dlq replay", format);
            bar.set_message(format!("entries → {}", target.key(&keys)));
            let out = dlq::replay(
                &mut conn,
                &keys,
                d.dlq(),
                target,
                &chosen,
                *dry_run,
                now,
                &|n| bar.inc(n),
            )
            .map_err(redis_err)?;
            bar.finish();
            report(format, &out, "replayed")
        }
        DlqCommand::Purge {
            dlq: d,
            filter,
            yes,
            dry_run,
        } => {
            let items = dlq::read(&mut conn, &keys, d.dlq()).map_err(redis_err)?;
            let chosen = dlq::select(items, &filter.filter(), now);
            if !chosen.is_empty() && !*dry_run && !*yes {
                let what = format!(
                    "{} entr{} from {}",
                    chosen.len(),
                    if chosen.len() == 1 { "y" } else { "ies" },
                    keys.dlq(d.dlq())
                );
                if !std::io::stdin().is_terminal() {
                    return usage(&format!(
                        "refusing to purge {what} without --yes (stdin is not a terminal)"
                    ));
                }
                if !confirm(&format!("Delete {what} for good? [y/N] "))? {
                    eprintln!("mutt: nothing deleted");
                    return Ok(ExitCode::from(EXIT_FAILURE));
                }
            }
            let bar = Progress::new(Some(chosen.len() as u64), "dlq purge", format);
            bar.set_message(format!("entries of {}", keys.dlq(d.dlq())));
            let out = dlq::purge(&mut conn, &keys, d.dlq(), &chosen, *dry_run, &|n| {
                bar.inc(n)
            })
            .map_err(redis_err)?;
            bar.finish();
            report(format, &out, "purged")
        }
    }
}

fn confirm(prompt: &str) -> std::io::Result<bool> {
    let mut err = std::io::stderr().lock();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim().to_lowercase().as_str(), "y" | "yes"))
}

fn report(format: Format, out: &Outcome, verb: &str) -> Result<ExitCode, CliError> {
    let done = if out.dry_run {
        format!("{} (dry run)", out.done)
    } else {
        out.done.to_string()
    };
    let rows = [OutcomeRow {
        dlq: out.dlq.clone(),
        selected: out.selected,
        done,
        vanished: out.vanished,
        failed: out.failed,
    }];
    output::print(format, &rows, out)?;
    if format == Format::Table {
        let would = if out.dry_run { "would be " } else { "" };
        let to = out
            .target
            .as_deref()
            .map(|t| format!(" to {t}"))
            .unwrap_or_default();
        eprintln!("{} {would}{verb}{to}", out.done);
    }
    Ok(batch_exit(out.done, out.vanished + out.failed))
}
