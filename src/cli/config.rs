//! `mutt config show` (every effective setting with its source, secrets masked) and the dynamic
//! configuration in Redis: `list`, `get`, `set`, `delete` through the management layer (validated
//! against the key registry, audited as `cli:<user>`, announced), and `watch`.

use super::manage::{self, Stores};
use super::output::{self, Format};
use super::CliError;
use crate::admin::config as dynamic;
use crate::admin::AdminError;
use crate::settings::Settings;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// Pause before `watch` subscribes again after losing Redis.
const WATCH_RECONNECT: Duration = Duration::from_secs(1);

/// `mutt config …`
#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print every effective setting, its source (flag/env/file/URL/default), secrets masked
    Show {
        /// Only settings of this group (general, redis, postgres, ports, queues, secrets)
        #[arg(long)]
        group: Option<String>,
    },
    /// List dynamic configuration keys: live value, default, where the value comes from
    List,
    /// Show one dynamic configuration key
    Get {
        /// Key (see `mutt config list`)
        key: String,
    },
    /// Set a dynamic configuration key (validated; audited; every daemon is told)
    Set {
        /// Key
        key: String,
        /// New value
        value: String,
        /// Write a key the registry does not know (any scalar value)
        #[arg(long)]
        force: bool,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Remove a dynamic configuration key from Redis, so its default applies again
    Delete {
        /// Key
        key: String,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Print configuration changes as they are announced (one line each) until Ctrl-C
    Watch {
        /// Stop after this many changes
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

#[derive(tabled::Tabled)]
struct DynamicRow {
    #[tabled(rename = "KEY")]
    key: String,
    #[tabled(rename = "VALUE")]
    value: String,
    #[tabled(rename = "DEFAULT")]
    default: String,
    #[tabled(rename = "SOURCE")]
    source: &'static str,
    #[tabled(rename = "OWNER")]
    owner: String,
    #[tabled(rename = "TYPE")]
    type_label: String,
}

fn dynamic_rows(entries: &[dynamic::ConfigEntry]) -> Vec<DynamicRow> {
    entries
        .iter()
        .map(|e| DynamicRow {
            key: e.key.clone(),
            value: e.value.clone(),
            default: e.default.clone().unwrap_or_else(|| "-".into()),
            source: e.source,
            owner: e.owner.clone(),
            type_label: e.type_label.clone(),
        })
        .collect()
}

#[derive(tabled::Tabled)]
struct ChangeRow {
    #[tabled(rename = "KEY")]
    key: String,
    #[tabled(rename = "OLD")]
    old: String,
    #[tabled(rename = "NEW")]
    new: String,
}

fn print_change(format: Format, change: &dynamic::ConfigChange) -> Result<(), CliError> {
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(default)".into());
    let rows = [ChangeRow {
        key: change.key.clone(),
        old: shown(&change.old_value),
        new: shown(&change.new_value),
    }];
    output::print(format, &rows, change)?;
    Ok(())
}

fn redis_conn(
    settings: &Settings,
) -> Result<(redis::Connection, crate::store::redis::keys::Keys), CliError> {
    let notifier = manage::notifier(settings);
    Ok((notifier.connect()?, notifier.keys().clone()))
}

/// What one change notice means: a dynamic key's new value, or a table the alerters reload.
fn describe_notice(
    conn: &mut redis::Connection,
    keys: &crate::store::redis::keys::Keys,
    payload: &str,
) -> Value {
    const TABLES: [&str; 3] = [
        crate::admin::rules::TABLE,
        crate::admin::hosts::TABLE,
        crate::admin::teams::TABLE,
    ];
    let at = crate::timefmt::auto(chrono::Utc::now());
    if TABLES.contains(&payload) {
        return json!({"at": at, "table": payload});
    }
    let value: Option<String> = redis::cmd("GET")
        .arg(keys.config(payload))
        .query(conn)
        .unwrap_or(None);
    json!({"at": at, "key": payload, "value": value})
}

fn notice_line(v: &Value) -> String {
    let at = v["at"].as_str().unwrap_or("");
    if let Some(table) = v["table"].as_str() {
        return format!("{at}  {table} changed (alerters reload it)");
    }
    let key = v["key"].as_str().unwrap_or("");
    match v["value"].as_str() {
        Some(value) => format!("{at}  {key} = {value}"),
        None => format!("{at}  {key} removed (default applies)"),
    }
}

/// Follow `mutt:config:updates`, printing each notice; resubscribes after losing Redis.
fn watch(settings: &Settings, format: Format, count: Option<u64>) -> Result<ExitCode, CliError> {
    let mut seen = 0u64;
    let mut out = std::io::stdout().lock();
    let mut announced = false;
    loop {
        let (mut sub, keys) = match redis_conn(settings) {
            Ok(c) => c,
            Err(e) if announced => {
                eprintln!("mutt: config watch: {e}; retrying");
                std::thread::sleep(WATCH_RECONNECT);
                continue;
            }
            Err(e) => return Err(e),
        };
        let (mut reader, _) = redis_conn(settings)?;
        let channel = keys.config_updates_channel();
        let mut pubsub = sub.as_pubsub();
        pubsub.subscribe(&channel).map_err(AdminError::from)?;
        if !announced {
            eprintln!("watching {channel} (Ctrl-C to stop)");
            announced = true;
        }
        loop {
            let msg = match pubsub.get_message() {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("mutt: config watch: lost Redis ({e}); resubscribing");
                    std::thread::sleep(WATCH_RECONNECT);
                    break;
                }
            };
            let payload: String = msg.get_payload().unwrap_or_default();
            let notice = describe_notice(&mut reader, &keys, &payload);
            match format {
                Format::Json => writeln!(out, "{notice}")?,
                Format::Table => writeln!(out, "{}", notice_line(&notice))?,
            }
            out.flush()?;
            seen += 1;
            if count.is_some_and(|n| seen >= n) {
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
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
        ConfigCommand::List => {
            let (mut conn, keys) = redis_conn(settings)?;
            let entries = dynamic::list(&mut conn, &keys, settings)?;
            output::print(
                format,
                &dynamic_rows(&entries),
                &json!({ "config": entries }),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Get { key } => {
            let (mut conn, keys) = redis_conn(settings)?;
            let entry = dynamic::get(&mut conn, &keys, settings, key)?;
            output::print(format, &dynamic_rows(std::slice::from_ref(&entry)), &entry)?;
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Set {
            key,
            value,
            force,
            reason,
        } => {
            let mut s = Stores::open(settings)?;
            let change = dynamic::set(
                &mut s.db,
                &s.notifier,
                &s.actor,
                key,
                &Value::String(value.clone()),
                *force,
                reason.as_deref(),
            )?;
            print_change(format, &change)?;
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Delete { key, reason } => {
            let mut s = Stores::open(settings)?;
            let change = dynamic::delete(&mut s.db, &s.notifier, &s.actor, key, reason.as_deref())?;
            print_change(format, &change)?;
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Watch { count } => watch(settings, format, *count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_read_as_one_line_each() {
        let at = "2026-12-06T10:00:00Z";
        assert_eq!(
            notice_line(&json!({"at": at, "key": "alerter_batch_size", "value": "50"})),
            "2026-12-06T10:00:00Z  alerter_batch_size = 50"
        );
        assert_eq!(
            notice_line(&json!({"at": at, "key": "alerter_batch_size", "value": null})),
            "2026-12-06T10:00:00Z  alerter_batch_size removed (default applies)"
        );
        assert_eq!(
            notice_line(&json!({"at": at, "table": "alert_rules"})),
            "2026-12-06T10:00:00Z  alert_rules changed (alerters reload it)"
        );
    }
}
