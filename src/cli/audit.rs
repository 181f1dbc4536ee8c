//! `mutt audit events|config`: the event audit log (keyset pages) and the configuration audit
//! log (numbered pages), with the REST API's filters and JSON shapes.

use super::manage::Stores;
use super::output::{self, Format};
use super::CliError;
use crate::admin::audit::{
    self, ConfigAuditFilter, ConfigAuditRow, Cursor, EventAuditFilter, EventAuditRow, Operation,
};
use crate::settings::Settings;
use serde_json::json;
use std::process::ExitCode;

/// Rows per page unless `--limit` says otherwise.
const DEFAULT_LIMIT: i64 = 50;
/// Longest message shown in a table cell (JSON output has the whole text).
const MESSAGE_CELL: usize = 80;

/// `mutt audit …`
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Search audited events, newest first
    Events {
        /// Only this host (exact name)
        #[arg(long)]
        host: Option<String>,
        /// Only events matched by this rule
        #[arg(long, value_name = "ID")]
        rule_id: Option<String>,
        /// From this time (RFC 3339, `YYYY-MM-DD HH:MM:SS` UTC, or a date)
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Up to this time (a date means its end)
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Rows per page (1–200)
        #[arg(long, value_name = "N")]
        limit: Option<String>,
        /// Continue after the last row of a previous page (its `next_cursor`)
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Show configuration changes (rules, hosts, teams, dynamic config), newest first
    Config {
        /// Who made the change (substring, case-insensitive), e.g. `cli:` or `webui_api:ops`
        #[arg(long)]
        changed_by: Option<String>,
        /// CREATE, UPDATE or DELETE
        #[arg(long)]
        operation: Option<String>,
        /// alert_rules, development_hosts, device_teams or dynamic_config
        #[arg(long)]
        table: Option<String>,
        /// Record id (rule id)
        #[arg(long, value_name = "ID")]
        record_id: Option<String>,
        /// Record key (host name or config key)
        #[arg(long, value_name = "KEY")]
        record_key: Option<String>,
        /// From this time
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Up to this time
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Page number (1-based)
        #[arg(long, value_name = "N")]
        page: Option<String>,
        /// Rows per page (1–200)
        #[arg(long, value_name = "N")]
        limit: Option<String>,
    },
}

#[derive(tabled::Tabled)]
struct EventLine {
    #[tabled(rename = "ID")]
    id: i64,
    #[tabled(rename = "EVENT TIME")]
    at: String,
    #[tabled(rename = "HOST")]
    host: String,
    #[tabled(rename = "RULE")]
    rule: i32,
    #[tabled(rename = "HANDLING")]
    handling: String,
    #[tabled(rename = "FORWARDED")]
    forwarded: String,
    #[tabled(rename = "MESSAGE")]
    message: String,
}

#[derive(tabled::Tabled)]
struct ConfigLine {
    #[tabled(rename = "ID")]
    id: i64,
    #[tabled(rename = "CHANGED AT")]
    at: String,
    #[tabled(rename = "BY")]
    by: String,
    #[tabled(rename = "OP")]
    op: String,
    #[tabled(rename = "TABLE")]
    table: String,
    #[tabled(rename = "RECORD")]
    record: String,
    #[tabled(rename = "CHANGE")]
    change: String,
    #[tabled(rename = "REASON")]
    reason: String,
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn event_line(r: &EventAuditRow) -> EventLine {
    EventLine {
        id: r.id,
        at: r.event_timestamp.clone(),
        host: r.hostname.clone(),
        rule: r.matched_rule_id,
        handling: r.handling_decision.clone(),
        forwarded: r
            .forwarded_to_moog
            .map_or_else(|| "-".into(), |f| f.to_string()),
        message: clip(r.raw_message.as_deref().unwrap_or(""), MESSAGE_CELL),
    }
}

/// `field: old → new` for each field that changed (the whole value for creates and deletes).
pub fn describe_change(old: Option<&serde_json::Value>, new: Option<&serde_json::Value>) -> String {
    let fields =
        |v: Option<&serde_json::Value>| v.and_then(|v| v.as_object().cloned()).unwrap_or_default();
    let (old, new) = (fields(old), fields(new));
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    let show = |v: Option<&serde_json::Value>| v.map_or_else(|| "∅".to_string(), |v| v.to_string());
    names
        .into_iter()
        .filter(|n| old.get(*n) != new.get(*n))
        .map(|n| format!("{n}: {} → {}", show(old.get(n)), show(new.get(n))))
        .collect::<Vec<_>>()
        .join("; ")
}

fn config_line(r: &ConfigAuditRow) -> ConfigLine {
    ConfigLine {
        id: r.id,
        at: r.changed_at.clone(),
        by: r.changed_by.clone(),
        op: r.operation.clone(),
        table: r.table_name.clone(),
        record: r
            .record_key
            .clone()
            .unwrap_or_else(|| r.record_id.to_string()),
        change: clip(
            &describe_change(r.old_values.as_ref(), r.new_values.as_ref()),
            MESSAGE_CELL * 2,
        ),
        reason: r.reason.clone().unwrap_or_default(),
    }
}

fn opt_time(
    field: &str,
    v: &Option<String>,
    end: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, CliError> {
    Ok(v.as_deref()
        .map(|t| audit::parse_time(field, t, end))
        .transpose()?)
}

fn opt_int(field: &str, v: &Option<String>, min: i64, max: i64) -> Result<Option<i64>, CliError> {
    Ok(v.as_deref()
        .map(|t| audit::parse_int(field, t, min, max))
        .transpose()?)
}

/// Run an `audit` subcommand.
pub fn run(settings: &Settings, cmd: &AuditCommand, format: Format) -> Result<ExitCode, CliError> {
    match cmd {
        AuditCommand::Events {
            host,
            rule_id,
            since,
            until,
            limit,
            cursor,
        } => {
            let filter = EventAuditFilter {
                hostname: host.clone(),
                rule_id: opt_int("rule-id", rule_id, 0, i32::MAX as i64)?.map(|n| n as i32),
                start: opt_time("since", since, false)?,
                end: opt_time("until", until, true)?,
                limit: opt_int("limit", limit, 1, 200)?.unwrap_or(DEFAULT_LIMIT),
                cursor: cursor
                    .as_deref()
                    .map(|c| Cursor::parse("cursor", c))
                    .transpose()?,
            };
            let mut s = Stores::open(settings)?;
            let (rows, page) = audit::query_events(&mut s.db, &filter)?;
            let lines: Vec<EventLine> = rows.iter().map(event_line).collect();
            output::print(format, &lines, &json!({"logs": rows, "pagination": page}))?;
            if format == Format::Table {
                if let Some(next) = &page.next_cursor {
                    eprintln!("more: add --cursor {next}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Config {
            changed_by,
            operation,
            table,
            record_id,
            record_key,
            since,
            until,
            page,
            limit,
        } => {
            let filter = ConfigAuditFilter {
                changed_by: changed_by.clone(),
                operation: operation
                    .as_deref()
                    .map(|o| Operation::parse("operation", o))
                    .transpose()?,
                table_name: table.clone(),
                record_id: opt_int("record-id", record_id, i32::MIN as i64, i32::MAX as i64)?
                    .map(|n| n as i32),
                record_key: record_key.clone(),
                start: opt_time("since", since, false)?,
                end: opt_time("until", until, true)?,
                page: opt_int("page", page, 1, i64::from(i32::MAX))?.unwrap_or(1),
                limit: opt_int("limit", limit, 1, 200)?.unwrap_or(DEFAULT_LIMIT),
            };
            let mut s = Stores::open(settings)?;
            let (rows, pagination) = audit::query_config(&mut s.db, &filter)?;
            let lines: Vec<ConfigLine> = rows.iter().map(config_line).collect();
            output::print(
                format,
                &lines,
                &json!({"logs": rows, "pagination": pagination}),
            )?;
            if format == Format::Table && pagination.page < pagination.pages {
                eprintln!(
                    "page {} of {} ({} changes): add --page {}",
                    pagination.page,
                    pagination.pages,
                    pagination.total,
                    pagination.page + 1
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_lists_only_the_fields_that_differ() {
        let old = json!({"priority": 10, "team_assignment": "NetOps"});
        let new = json!({"priority": 5, "team_assignment": "NetOps"});
        assert_eq!(describe_change(Some(&old), Some(&new)), "priority: 10 → 5");
        assert_eq!(
            describe_change(None, Some(&json!({"key": "k", "value": "1"}))),
            "key: ∅ → \"k\"; value: ∅ → \"1\""
        );
    }

    #[test]
    fn long_cells_are_clipped_with_an_ellipsis() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
