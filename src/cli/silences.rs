//! `mutt silences list|show|add|expire|import|export`: maintenance windows through the management
//! layer (the same checks, audit rows and change notice as `/api/v2/silences`).

use super::manage::{batch_exit, Stores};
use super::output::{self, Format};
use super::rules::read_input;
use super::CliError;
use crate::admin::silences::{self, Listed, NewSilence};
use crate::admin::AdminError;
use crate::settings::Settings;
use crate::silences::schedule::{Schedule, Window};
use crate::silences::{HostMatch, Matchers, Silence};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::process::ExitCode;

/// `mutt silences …`
#[derive(Debug, clap::Subcommand)]
pub enum SilencesCommand {
    /// List the silences that have not ended (pending, active, waiting for their window)
    List {
        /// Include the ended ones
        #[arg(long)]
        expired: bool,
    },
    /// Show one silence
    Show {
        /// Silence id
        id: i32,
    },
    /// Hold back events that match every matcher given, from now (or --starts) until --ends or
    /// for --duration
    Add(Box<AddArgs>),
    /// End a silence now (a pending one never starts)
    Expire {
        /// Silence id
        id: i32,
        /// Why (kept in the audit row)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Create silences from a JSON or YAML file (`-` for stdin) as `export` writes it; ended
    /// ones are skipped and identical ones left alone, so importing twice changes nothing.
    /// Exit 3 when some entries were refused
    Import {
        /// File holding a list of silences, or `{silences: [...]}`
        file: String,
    },
    /// Write the silences that have not ended as YAML (JSON with `--output json`)
    Export {
        /// Write here instead of stdout
        #[arg(long, value_name = "PATH")]
        file: Option<std::path::PathBuf>,
    },
}

/// The matchers, times and comment of a new silence.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Host name, exactly (case-insensitive)
    #[arg(long, value_name = "HOSTNAME", conflicts_with_all = ["host_glob", "host_regex"])]
    host: Option<String>,
    /// Host names by shell glob, e.g. 'core-sw-*'
    #[arg(long, value_name = "GLOB", conflicts_with = "host_regex")]
    host_glob: Option<String>,
    /// Host names by regular expression (unanchored)
    #[arg(long, value_name = "REGEX")]
    host_regex: Option<String>,
    /// The rule that matched the event
    #[arg(long, value_name = "ID")]
    rule: Option<i32>,
    /// The team the event goes to (the rule's, or the device's when unhandled)
    #[arg(long)]
    team: Option<String>,
    /// Text the message contains (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    contains: Option<String>,
    /// Start, RFC 3339 (default: now)
    #[arg(long, value_name = "TIME")]
    starts: Option<String>,
    /// End, RFC 3339
    #[arg(long, value_name = "TIME", conflicts_with = "duration")]
    ends: Option<String>,
    /// How long from the start: 2h, 90m, 1d
    #[arg(long, value_name = "DURATION")]
    duration: Option<String>,
    /// A recurring window 'DAYS HH:MM-HH:MM' (e.g. 'sun 02:00-04:00', 'mon-fri 22:00-06:00');
    /// repeat for several. The silence then holds only inside them until --ends
    #[arg(long, value_name = "WINDOW")]
    every: Vec<String>,
    /// The zone of --every's times (IANA name)
    #[arg(long, value_name = "ZONE", default_value = "UTC", requires = "every")]
    time_zone: String,
    /// Why (required; shown wherever the silence is)
    #[arg(long)]
    comment: Option<String>,
}

impl AddArgs {
    fn to_new(&self) -> Result<NewSilence, AdminError> {
        let (hostname, hostname_match) = match (&self.host, &self.host_glob, &self.host_regex) {
            (Some(h), _, _) => (Some(h.clone()), HostMatch::Exact),
            (_, Some(g), _) => (Some(g.clone()), HostMatch::Glob),
            (_, _, Some(r)) => (Some(r.clone()), HostMatch::Regex),
            _ => (None, HostMatch::Exact),
        };
        let time = |field: &str, flag: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| {
                    DateTime::parse_from_rfc3339(t.trim())
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|_| {
                            AdminError::invalid(
                                field,
                                format!("--{flag} must be an RFC 3339 time (2026-12-07T22:00:00Z)"),
                            )
                        })
                })
                .transpose()
        };
        let duration = self
            .duration
            .as_deref()
            .map(|d| {
                crate::timefmt::parse_duration(d)
                    .map_err(|e| AdminError::invalid("duration", format!("--duration: {e}")))
            })
            .transpose()?;
        let schedule = if self.every.is_empty() {
            None
        } else {
            let windows = self
                .every
                .iter()
                .map(|w| Window::parse(w).map_err(|e| AdminError::invalid("schedule", e)))
                .collect::<Result<Vec<_>, _>>()?;
            Some(Schedule {
                time_zone: self.time_zone.clone(),
                windows,
            })
        };
        Ok(NewSilence {
            matchers: Matchers {
                hostname,
                hostname_match,
                rule_id: self.rule,
                team: self.team.clone(),
                contains: self.contains.clone(),
            },
            starts_at: time("starts_at", "starts", &self.starts)?,
            ends_at: time("ends_at", "ends", &self.ends)?,
            duration,
            schedule,
            comment: self.comment.clone(),
        })
    }
}

#[derive(tabled::Tabled)]
struct Line {
    #[tabled(rename = "ID")]
    id: i32,
    #[tabled(rename = "STATE")]
    state: &'static str,
    #[tabled(rename = "MATCHERS")]
    matchers: String,
    #[tabled(rename = "STARTS")]
    starts: String,
    #[tabled(rename = "ENDS")]
    ends: String,
    #[tabled(rename = "SCHEDULE")]
    schedule: String,
    #[tabled(rename = "CREATED BY")]
    created_by: String,
    #[tabled(rename = "COMMENT")]
    comment: String,
}

fn line(l: &Listed) -> Line {
    let s: &Silence = &l.silence;
    Line {
        id: s.id,
        state: l.state.as_str(),
        matchers: s.matchers.summary(),
        starts: crate::timefmt::secs(s.starts_at),
        ends: crate::timefmt::secs(s.ends_at),
        schedule: s.schedule.as_ref().map_or("-".into(), Schedule::summary),
        created_by: s.created_by.clone(),
        comment: s.comment.clone(),
    }
}

fn print_listed(format: Format, list: &[Listed], json: &Value) -> Result<(), CliError> {
    let rows: Vec<Line> = list.iter().map(line).collect();
    output::print(format, &rows, json)?;
    Ok(())
}

/// The items of an import file: a list, or `{silences: [...]}`, in YAML or JSON.
pub fn parse_document(text: &str) -> Result<Vec<Value>, AdminError> {
    let doc: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| AdminError::invalid("file", format!("not YAML or JSON: {e}")))?;
    match doc {
        Value::Array(items) => Ok(items),
        Value::Object(mut m) => match m.remove("silences") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(AdminError::invalid(
                "file",
                "expected a list of silences or {silences: [...]}",
            )),
        },
        _ => Err(AdminError::invalid(
            "file",
            "expected a list of silences or {silences: [...]}",
        )),
    }
}

/// Run a `silences` subcommand.
pub fn run(
    settings: &Settings,
    cmd: &SilencesCommand,
    format: Format,
) -> Result<ExitCode, CliError> {
    let mut s = Stores::open(settings)?;
    match cmd {
        SilencesCommand::List { expired } => {
            let list = silences::list(&mut s.db, *expired)?;
            print_listed(format, &list, &json!({ "silences": list }))?;
        }
        SilencesCommand::Show { id } => {
            let one = silences::get(&mut s.db, *id)?;
            print_listed(
                format,
                std::slice::from_ref(&one),
                &json!({ "silence": one }),
            )?;
        }
        SilencesCommand::Add(args) => {
            let new = args.to_new()?;
            let created = silences::create(&mut s.db, &s.notifier, &s.actor, &new)?;
            print_listed(
                format,
                std::slice::from_ref(&created),
                &json!({ "silence": created }),
            )?;
        }
        SilencesCommand::Expire { id, reason } => {
            let gone = silences::expire(&mut s.db, &s.notifier, &s.actor, *id, reason.as_deref())?;
            print_listed(
                format,
                std::slice::from_ref(&gone),
                &json!({ "silence": gone }),
            )?;
        }
        SilencesCommand::Import { file } => {
            let items = parse_document(&read_input(file)?)?;
            let results = silences::import(&mut s.db, &s.notifier, &s.actor, &items)?;
            let failed = results.iter().filter(|r| r.result == "error").count();
            match format {
                Format::Json => output::print::<Line>(format, &[], &json!({ "results": results }))?,
                Format::Table => {
                    let count = |what: &str| results.iter().filter(|r| r.result == what).count();
                    println!(
                        "{} entries: {} created, {} unchanged, {} skipped (ended), {} refused",
                        results.len(),
                        count("created"),
                        count("unchanged"),
                        count("skipped"),
                        failed
                    );
                    for r in results.iter().filter(|r| r.result == "error") {
                        eprintln!(
                            "entry {}: {}",
                            r.index,
                            r.message.as_deref().unwrap_or("refused")
                        );
                    }
                }
            }
            return Ok(batch_exit(results.len() - failed, failed));
        }
        SilencesCommand::Export { file } => {
            let list = silences::list(&mut s.db, false)?;
            let items: Vec<&Silence> = list.iter().map(|l| &l.silence).collect();
            let doc = json!({ "silences": items });
            output::write_export(format, &doc, file.as_deref(), list.len(), "silences")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_files_are_lists_or_documents() {
        assert_eq!(parse_document("[{\"a\": 1}]").unwrap().len(), 1);
        assert_eq!(
            parse_document("silences:\n  - comment: x\n  - comment: y\n")
                .unwrap()
                .len(),
            2
        );
        assert!(parse_document("rules: []").is_err());
    }
}
