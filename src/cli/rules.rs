//! `mutt rules list|show|add|update|delete|import|export|test`: alert rules through the
//! management layer, so the CLI and the REST API accept the same rules and leave the same
//! audit rows (`changed_by` = `cli:<user>`).

use super::manage::{batch_exit, Stores};
use super::output::{self, Format};
use super::progress::Progress;
use super::CliError;
use crate::admin::rules::{self, RuleRow};
use crate::admin::AdminError;
use crate::rules::{Decision, Explanation};
use crate::settings::{registry, Settings};
use serde_json::{json, Map, Value};
use std::io::{Read, Write};
use std::process::ExitCode;

/// The rule fields as flags; each maps to the JSON field of the same name (dashes → underscores).
#[derive(Debug, Default, clap::Args)]
pub struct RuleFields {
    /// Text (contains) or pattern (regex) to look for in the message
    #[arg(long)]
    match_string: Option<String>,
    /// contains, regex or oid_prefix
    #[arg(long, value_name = "TYPE")]
    match_type: Option<String>,
    /// Trap OID (prefix) the event must carry
    #[arg(long, value_name = "OID")]
    trap_oid: Option<String>,
    /// Severity the event must have: 0–7 or a syslog name (err, warning, …)
    #[arg(long, value_name = "SEVERITY")]
    severity: Option<String>,
    /// Lower wins (default 100)
    #[arg(long)]
    priority: Option<String>,
    /// Handling for production hosts
    #[arg(long, value_name = "HANDLING")]
    prod_handling: Option<String>,
    /// Handling for development hosts
    #[arg(long, value_name = "HANDLING")]
    dev_handling: Option<String>,
    /// Team of the alert
    #[arg(long)]
    team: Option<String>,
    /// Whether the rule is used (true/false)
    #[arg(long, value_name = "BOOL")]
    active: Option<String>,
}

/// `mutt rules …`
#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// List rules in the order the engine tries them (priority, then id)
    List {
        /// Only active rules
        #[arg(long, conflicts_with = "inactive")]
        active: bool,
        /// Only inactive rules
        #[arg(long)]
        inactive: bool,
    },
    /// Show one rule
    Show {
        /// Rule id
        id: i32,
    },
    /// Create a rule
    Add {
        #[command(flatten)]
        fields: RuleFields,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Change fields of a rule
    Update {
        /// Rule id
        id: i32,
        #[command(flatten)]
        fields: RuleFields,
        /// Clear a field: match_string, trap_oid or syslog_severity (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Delete a rule (refused while audited events reference it: deactivate it instead)
    Delete {
        /// Rule id
        id: i32,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Create rules from a YAML or JSON file (`-` for stdin); rules identical to existing ones are
    /// skipped, so importing twice changes nothing. Exit 3 when some entries were refused
    Import {
        /// File holding a list of rules, or `{rules: [...]}` as `export` writes
        file: String,
        /// Why (kept in the audit rows)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Write every rule as YAML (JSON with `--output json`), ready for `import`
    Export {
        /// Write here instead of stdout
        #[arg(long, value_name = "PATH")]
        file: Option<std::path::PathBuf>,
    },
    /// Explain how the live rules decide an event, or each event of a file
    Test {
        /// The sending device
        #[arg(long)]
        hostname: Option<String>,
        /// The message text
        #[arg(long)]
        message: Option<String>,
        /// The trap OID
        #[arg(long, value_name = "OID")]
        trap_oid: Option<String>,
        /// 0–7 or a syslog name
        #[arg(long)]
        severity: Option<String>,
        /// A whole event as a JSON object
        #[arg(long, value_name = "JSON", conflicts_with_all = ["hostname", "message", "trap_oid", "severity", "file"])]
        event: Option<String>,
        /// Events as JSON (an array, one object per line, or concatenated objects); `-` for stdin
        #[arg(long, value_name = "PATH", conflicts_with_all = ["hostname", "message", "trap_oid", "severity"])]
        file: Option<String>,
        /// Decide as of this time (RFC 3339) instead of now: which silence would hold the event
        /// then (e.g. inside next Sunday's maintenance window)
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
}

impl RuleFields {
    /// The flags given, as the JSON object the management layer validates.
    fn to_map(&self) -> Result<Map<String, Value>, AdminError> {
        let mut m = Map::new();
        let text = [
            ("match_string", &self.match_string),
            ("match_type", &self.match_type),
            ("trap_oid", &self.trap_oid),
            ("priority", &self.priority),
            ("prod_handling", &self.prod_handling),
            ("dev_handling", &self.dev_handling),
            ("team_assignment", &self.team),
            ("is_active", &self.active),
        ];
        for (name, value) in text {
            if let Some(v) = value {
                m.insert(name.into(), Value::String(v.clone()));
            }
        }
        if let Some(s) = &self.severity {
            m.insert("syslog_severity".into(), severity_value(s)?);
        }
        Ok(m)
    }
}

/// A severity flag as the number the rules table holds (names are the operator's convenience).
fn severity_value(text: &str) -> Result<Value, AdminError> {
    crate::wire::event::parse_severity(&Value::String(text.to_string()))
        .map(|n| json!(n))
        .ok_or_else(|| {
            AdminError::invalid(
                "syslog_severity",
                "syslog_severity must be 0..7 or a syslog name (emerg, alert, crit, err, warning, notice, info, debug)",
            )
        })
}

#[derive(tabled::Tabled)]
struct RuleLine {
    #[tabled(rename = "ID")]
    id: i32,
    #[tabled(rename = "PRIO")]
    priority: i32,
    #[tabled(rename = "TYPE")]
    match_type: String,
    #[tabled(rename = "MATCH")]
    matches: String,
    #[tabled(rename = "SEV")]
    severity: String,
    #[tabled(rename = "PROD")]
    prod: String,
    #[tabled(rename = "DEV")]
    dev: String,
    #[tabled(rename = "TEAM")]
    team: String,
    #[tabled(rename = "ACTIVE")]
    active: bool,
}

fn rule_line(r: &RuleRow) -> RuleLine {
    let matches = [r.match_string.as_deref(), r.trap_oid.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    RuleLine {
        id: r.id,
        priority: r.priority,
        match_type: r.match_type.clone(),
        matches,
        severity: r
            .syslog_severity
            .map_or_else(|| "-".into(), |s| s.to_string()),
        prod: r.prod_handling.clone(),
        dev: r.dev_handling.clone(),
        team: r.team_assignment.clone(),
        active: r.is_active,
    }
}

fn print_rules(format: Format, list: &[RuleRow], json: &Value) -> Result<(), CliError> {
    let lines: Vec<RuleLine> = list.iter().map(rule_line).collect();
    output::print(format, &lines, json)?;
    Ok(())
}

/// Read a file argument, `-` meaning stdin.
/// The text of `path`, or of stdin for `-`.
pub(super) fn read_input(path: &str) -> Result<String, CliError> {
    let mut text = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Other(format!("cannot read {path}: {e}")))?;
    }
    Ok(text)
}

/// Events from a file: a JSON array, or JSON objects one after another (JSON lines included).
pub fn parse_events(text: &str) -> Result<Vec<Value>, AdminError> {
    let mut events = Vec::new();
    for (i, item) in serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .enumerate()
    {
        match item {
            Ok(Value::Array(list)) => events.extend(list),
            Ok(v) => events.push(v),
            Err(e) => {
                return Err(AdminError::invalid(
                    "file",
                    format!("event {} is not valid JSON: {e}", i + 1),
                ))
            }
        }
    }
    if events.is_empty() {
        return Err(AdminError::invalid("file", "no events in the file"));
    }
    Ok(events)
}

/// One line saying what the engine decided.
pub fn verdict(decision: &Decision) -> String {
    match decision {
        Decision::Matched {
            rule_id,
            handling,
            team,
            environment,
            forward,
        } => format!(
            "matched rule {rule_id}: {handling} for {team} ({} host; {})",
            environment.as_str(),
            if *forward {
                "alert goes to Moog"
            } else {
                "no alert"
            }
        ),
        Decision::Unhandled { team, environment } => format!(
            "no rule matched: unhandled, team {team} ({} host)",
            environment.as_str()
        ),
    }
}

#[derive(tabled::Tabled)]
struct TraceLine {
    #[tabled(rename = "RULE")]
    rule: i32,
    #[tabled(rename = "PRIO")]
    priority: i32,
    #[tabled(rename = "MATCHED")]
    matched: bool,
    #[tabled(rename = "WHY")]
    reason: String,
}

fn print_explanation(
    out: &mut impl Write,
    n: usize,
    event: &Value,
    x: &Explanation,
) -> std::io::Result<()> {
    writeln!(out, "event {n}: {event}")?;
    if !x.tried.is_empty() {
        let lines: Vec<TraceLine> = x
            .tried
            .iter()
            .map(|t| TraceLine {
                rule: t.rule_id,
                priority: t.priority,
                matched: t.matched,
                reason: t.reason.clone(),
            })
            .collect();
        let mut table = tabled::Table::new(lines);
        table.with(tabled::settings::Style::psql());
        writeln!(out, "{table}")?;
    }
    for s in &x.skipped {
        writeln!(out, "  rule {} skipped: {}", s.rule_id, s.reason)?;
    }
    writeln!(out, "→ {}", verdict(&x.decision))?;
    if let Some(line) = silence_line(x) {
        writeln!(out, "→ {line}")?;
    }
    writeln!(out)
}

/// What a silence would do to the event, in words, when one holds it.
pub fn silence_line(x: &Explanation) -> Option<String> {
    let s = x.silenced_by.as_ref()?;
    let effect = match x.decision {
        Decision::Matched { .. } => "audited with silenced_by, no alert",
        Decision::Unhandled { .. } => "not counted towards a meta-alert",
    };
    Some(format!(
        "held back by silence {} until {} ({}): {effect}",
        s.id,
        crate::timefmt::secs(s.ends_at),
        s.comment
    ))
}

/// Run a `rules` subcommand.
pub fn run(settings: &Settings, cmd: &RulesCommand, format: Format) -> Result<ExitCode, CliError> {
    let mut s = Stores::open(settings)?;
    match cmd {
        RulesCommand::List { active, inactive } => {
            let filter = match (active, inactive) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            let list = rules::list(&mut s.db, filter)?;
            print_rules(format, &list, &json!({ "rules": list }))?;
        }
        RulesCommand::Show { id } => {
            let rule = rules::get(&mut s.db, *id)?;
            print_rules(format, std::slice::from_ref(&rule), &json!(rule))?;
        }
        RulesCommand::Add { fields, reason } => {
            let patch = rules::parse_patch(&fields.to_map()?)?;
            let id = rules::create(&mut s.db, &s.notifier, &s.actor, &patch, reason.as_deref())?;
            let rule = rules::get(&mut s.db, id)?;
            if format == Format::Table {
                println!("created rule {id}");
            }
            print_rules(format, std::slice::from_ref(&rule), &json!(rule))?;
        }
        RulesCommand::Update {
            id,
            fields,
            clear,
            reason,
        } => {
            let mut map = fields.to_map()?;
            for field in clear {
                match field.as_str() {
                    "match_string" | "trap_oid" | "syslog_severity" if !map.contains_key(field) => {
                        map.insert(field.clone(), Value::Null);
                    }
                    "match_string" | "trap_oid" | "syslog_severity" => {
                        return Err(AdminError::invalid(field, format!("{field} is both set and cleared")).into())
                    }
                    other => {
                        return Err(AdminError::invalid(
                            "clear",
                            format!("cannot clear {other:?}; clearable fields are match_string, trap_oid, syslog_severity"),
                        )
                        .into())
                    }
                }
            }
            let patch = rules::parse_patch(&map)?;
            let rule = rules::update(
                &mut s.db,
                &s.notifier,
                &s.actor,
                *id,
                &patch,
                reason.as_deref(),
            )?;
            print_rules(format, std::slice::from_ref(&rule), &json!(rule))?;
        }
        RulesCommand::Delete { id, reason } => {
            let old = rules::delete(&mut s.db, &s.notifier, &s.actor, *id, reason.as_deref())?;
            if format == Format::Table {
                println!("deleted rule {id}");
            }
            print_rules(format, std::slice::from_ref(&old), &json!(old))?;
        }
        RulesCommand::Import { file, reason } => {
            let entries = rules::parse_document(&read_input(file)?)?;
            let bar = Progress::new(Some(entries.len() as u64), "rules import", format);
            bar.set_message("entries");
            let report = rules::import_with_progress(
                &mut s.db,
                &s.notifier,
                &s.actor,
                &entries,
                reason.as_deref(),
                &|n| bar.inc(n),
            )?;
            bar.finish();
            match format {
                Format::Json => output::print::<RuleLine>(format, &[], &report)?,
                Format::Table => {
                    let ids: Vec<String> = report.created.iter().map(i32::to_string).collect();
                    println!(
                        "{} entries: {} created{}, {} unchanged, {} refused",
                        entries.len(),
                        report.created.len(),
                        if ids.is_empty() {
                            String::new()
                        } else {
                            format!(" (ids {})", ids.join(", "))
                        },
                        report.unchanged,
                        report.failed.len()
                    );
                    for f in &report.failed {
                        eprintln!("entry {}: {}", f.index, f.error);
                    }
                }
            }
            return Ok(batch_exit(
                report.created.len() + report.unchanged,
                report.failed.len(),
            ));
        }
        RulesCommand::Export { file } => {
            let list = rules::list(&mut s.db, None)?;
            let doc = json!({ "rules": list.iter().map(RuleRow::fields).collect::<Vec<_>>() });
            output::write_export(format, &doc, file.as_deref(), list.len(), "rules")?;
        }
        RulesCommand::Test {
            hostname,
            message,
            trap_oid,
            severity,
            event,
            file,
            at,
        } => {
            let events = match (event, file) {
                (Some(text), _) => vec![serde_json::from_str::<Value>(text).map_err(|e| {
                    AdminError::invalid("event", format!("--event is not valid JSON: {e}"))
                })?],
                (None, Some(path)) => parse_events(&read_input(path)?)?,
                (None, None) => {
                    let Some(host) = hostname else {
                        return Err(AdminError::invalid(
                            "hostname",
                            "give --hostname (with --message/--trap-oid/--severity), --event or --file",
                        )
                        .into());
                    };
                    let mut e = json!({ "hostname": host });
                    if let Some(m) = message {
                        e["message"] = json!(m);
                    }
                    if let Some(o) = trap_oid {
                        e["trap_oid"] = json!(o);
                    }
                    if let Some(sev) = severity {
                        e["syslog_severity"] = severity_value(sev)?;
                    }
                    vec![e]
                }
            };
            let default_team = settings.text(&registry::UNHANDLED_DEFAULT_TEAM).to_string();
            let at = match at {
                None => chrono::Utc::now(),
                Some(text) => chrono::DateTime::parse_from_rfc3339(text.trim())
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(|_| {
                        AdminError::invalid(
                            "at",
                            "--at must be an RFC 3339 time (2026-12-07T22:00:00Z)",
                        )
                    })?,
            };
            let results = rules::test_events(&mut s.db, &default_team, &events, at)?;
            let failed = results.iter().filter(|r| r.is_err()).count();
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => {
                    let items: Vec<Value> = events
                        .iter()
                        .zip(&results)
                        .map(|(e, r)| match r {
                            Ok(x) => json!({"event": e, "explanation": x}),
                            Err(err) => json!({"event": e, "error": err.to_string()}),
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut out, &json!({ "results": items }))
                        .map_err(std::io::Error::other)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    for (n, (e, r)) in events.iter().zip(&results).enumerate() {
                        match r {
                            Ok(x) => print_explanation(&mut out, n + 1, e, x)?,
                            Err(err) => writeln!(out, "event {}: {e}\n→ refused: {err}\n", n + 1)?,
                        }
                    }
                }
            }
            return Ok(batch_exit(events.len() - failed, failed));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_the_json_fields_the_api_takes() {
        let f = RuleFields {
            match_string: Some("LINK-3".into()),
            severity: Some("err".into()),
            team: Some("NetOps".into()),
            active: Some("no".into()),
            ..Default::default()
        };
        let m = f.to_map().unwrap();
        assert_eq!(m["match_string"], json!("LINK-3"));
        assert_eq!(m["syslog_severity"], json!(3));
        assert_eq!(m["team_assignment"], json!("NetOps"));
        assert_eq!(m["is_active"], json!("no"));
        assert_eq!(m.len(), 4);
    }

    #[test]
    fn a_bad_severity_names_the_field() {
        let f = RuleFields {
            severity: Some("loud".into()),
            ..Default::default()
        };
        assert!(
            matches!(f.to_map(), Err(AdminError::Invalid { field, .. }) if field == "syslog_severity")
        );
    }

    #[test]
    fn event_files_may_be_arrays_lines_or_concatenated_objects() {
        assert_eq!(
            parse_events("[{\"hostname\":\"a\"},{\"hostname\":\"b\"}]")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            parse_events("{\"hostname\":\"a\"}\n{\"hostname\":\"b\"}\n")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            parse_events("{\n  \"hostname\": \"a\"\n}\n").unwrap().len(),
            1
        );
        assert!(parse_events("{\"hostname\":").is_err());
        assert!(parse_events("  ").is_err());
    }
}
