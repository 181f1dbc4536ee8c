//! Silences (`silences`, migration 0004): create, list, show, expire, import and export. Each
//! change is committed with its `config_audit_log` row and announced as `silences`, so every
//! alerter applies it within a second. A silence is never edited or deleted: it is expired
//! (its end set to now), which keeps the history the audit rows' `silenced_by` points to.

use super::audit::{self, Change, Operation};
use super::{Actor, AdminError, Notifier};
use crate::silences::schedule::Schedule;
use crate::silences::{self, Matchers, Silence, State, COMMENT_MAX};
use crate::store::postgres::silences::{from_row, COLUMNS};
use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// The audit `table_name` and change notice of silences.
pub const TABLE: &str = "silences";

/// A silence to create, as the CLI and the REST API give it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewSilence {
    /// What it holds back.
    pub matchers: Matchers,
    /// From; now when absent.
    pub starts_at: Option<DateTime<Utc>>,
    /// Until; or give `duration`.
    pub ends_at: Option<DateTime<Utc>>,
    /// How long from `starts_at`; or give `ends_at`.
    pub duration: Option<std::time::Duration>,
    /// Recurring windows between the two.
    pub schedule: Option<Schedule>,
    /// Why.
    pub comment: Option<String>,
}

/// A silence with where it stands now, as listed and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    /// The silence.
    #[serde(flatten)]
    pub silence: Silence,
    /// `pending`, `active`, `waiting` (recurring, between windows) or `expired`.
    pub state: State,
}

impl Listed {
    fn of(silence: Silence, now: DateTime<Utc>) -> Listed {
        let state = match silences::compile(silence.clone()) {
            Ok(c) => c.state(now),
            // Edited by hand into something the alerter skips: it holds nothing.
            Err(_) if now >= silence.ends_at => State::Expired,
            Err(_) => State::Waiting,
        };
        Listed { silence, state }
    }
}

const TOP_FIELDS: [&str; 10] = [
    "matchers",
    "starts_at",
    "ends_at",
    "duration",
    "schedule",
    "comment",
    // Export output, accepted back by import and ignored: the new silence gets its own.
    "id",
    "created_by",
    "created_at",
    "state",
];

/// Read a silence to create from a JSON object (REST body, import file item); errors name the
/// field.
pub fn parse_new(body: &Map<String, Value>) -> Result<NewSilence, AdminError> {
    if let Some(unknown) = body.keys().find(|k| !TOP_FIELDS.contains(&k.as_str())) {
        return Err(AdminError::invalid(
            unknown,
            format!(
                "unknown field {unknown:?} (fields: matchers, starts_at, ends_at, duration, schedule, comment)"
            ),
        ));
    }
    let matchers = match body.get("matchers") {
        Some(v @ Value::Object(_)) => serde_json::from_value(v.clone()).map_err(|e| {
            AdminError::invalid(
                "matchers",
                format!("matchers: {e} (fields: hostname, hostname_match exact|glob|regex, rule_id, team, contains)"),
            )
        })?,
        _ => {
            return Err(AdminError::invalid(
                "matchers",
                "matchers is required: an object with hostname, hostname_match, rule_id, team or contains",
            ))
        }
    };
    let time = |field: &str| -> Result<Option<DateTime<Utc>>, AdminError> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s.trim())
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| {
                    AdminError::invalid(
                        field,
                        format!("{field} must be an RFC 3339 time (2026-12-07T22:00:00Z)"),
                    )
                }),
            Some(_) => Err(AdminError::invalid(
                field,
                format!("{field} must be an RFC 3339 time (2026-12-07T22:00:00Z)"),
            )),
        }
    };
    let duration = match body.get("duration") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            crate::timefmt::parse_duration(s)
                .map_err(|e| AdminError::invalid("duration", format!("duration: {e}")))?,
        ),
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            Some(std::time::Duration::from_secs(n.as_u64().unwrap_or(0)))
        }
        Some(_) => {
            return Err(AdminError::invalid(
                "duration",
                "duration must be a duration such as \"2h\" or \"90m\", or seconds",
            ))
        }
    };
    let schedule = match body.get("schedule") {
        None | Some(Value::Null) => None,
        Some(v) => Some(serde_json::from_value(v.clone()).map_err(|e| {
            AdminError::invalid(
                "schedule",
                format!("schedule: {e} (e.g. {{\"time_zone\": \"Europe/Berlin\", \"windows\": [{{\"days\": \"sun\", \"start\": \"02:00\", \"end\": \"04:00\"}}]}})"),
            )
        })?),
    };
    let comment = match body.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(AdminError::invalid("comment", "comment must be text")),
    };
    Ok(NewSilence {
        matchers,
        starts_at: time("starts_at")?,
        ends_at: time("ends_at")?,
        duration,
        schedule,
        comment,
    })
}

/// The silence `new` describes, checked and normalised (not stored yet; id 0).
pub fn build(new: &NewSilence, actor: &Actor, now: DateTime<Utc>) -> Result<Silence, AdminError> {
    let comment = super::required_text("comment", new.comment.as_deref(), COMMENT_MAX)?;
    // Whole seconds: what an operator types and reads back (`mutt silences list`, exports).
    let whole = |t: DateTime<Utc>| t.with_nanosecond(0).unwrap_or(t);
    let starts_at = whole(new.starts_at.unwrap_or(now));
    let ends_at = match (new.ends_at, new.duration) {
        (Some(_), Some(_)) => {
            return Err(AdminError::invalid(
                "duration",
                "give ends_at or duration, not both",
            ))
        }
        (Some(end), None) => whole(end),
        (None, Some(d)) => chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| starts_at.checked_add_signed(d))
            .map(whole)
            .ok_or_else(|| AdminError::invalid("duration", "duration is too long"))?,
        (None, None) => {
            return Err(AdminError::invalid(
                "ends_at",
                "give ends_at or duration (e.g. 2h): a silence always ends",
            ))
        }
    };
    if ends_at <= starts_at {
        return Err(AdminError::invalid(
            "ends_at",
            "ends_at must be after starts_at",
        ));
    }
    if ends_at <= now {
        return Err(AdminError::invalid(
            "ends_at",
            "ends_at is in the past: the silence would hold nothing",
        ));
    }
    let m = &new.matchers;
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let hostname = trimmed(&m.hostname).map(|h| match m.hostname_match {
        silences::HostMatch::Exact => h.to_lowercase(),
        _ => h,
    });
    let silence = Silence {
        id: 0,
        matchers: Matchers {
            hostname,
            hostname_match: m.hostname_match,
            rule_id: m.rule_id,
            team: trimmed(&m.team),
            contains: trimmed(&m.contains),
        },
        starts_at,
        ends_at,
        schedule: new.schedule.clone(),
        comment,
        created_by: actor.changed_by.clone(),
        created_at: now,
    };
    silences::compile(silence.clone()).map_err(|(field, why)| AdminError::invalid(field, why))?;
    Ok(silence)
}

fn audit_values(s: &Silence) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

const INSERT_SQL: &str = "INSERT INTO silences
    (hostname, hostname_match, rule_id, team, message_contains, starts_at, ends_at, schedule, comment, created_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// Store `new` as a silence: checked, committed with its audit row, announced.
pub fn create(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    new: &NewSilence,
) -> Result<Listed, AdminError> {
    let now = Utc::now();
    let s = build(new, actor, now)?;
    let mut tx = client.transaction()?;
    let stored = insert(&mut tx, actor, &s)?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(Listed::of(stored, now))
}

fn insert(
    tx: &mut postgres::Transaction<'_>,
    actor: &Actor,
    s: &Silence,
) -> Result<Silence, AdminError> {
    if let Some(rule) = s.matchers.rule_id {
        if tx
            .query_opt("SELECT 1 FROM alert_rules WHERE id = $1", &[&rule])?
            .is_none()
        {
            return Err(AdminError::invalid(
                "matchers.rule_id",
                format!("there is no rule {rule}"),
            ));
        }
    }
    let schedule = s
        .schedule
        .as_ref()
        .map(|sch| serde_json::to_value(sch).unwrap_or(Value::Null));
    let m = &s.matchers;
    let row = tx.query_one(
        &format!("{INSERT_SQL} RETURNING {COLUMNS}"),
        &[
            &m.hostname,
            &m.hostname_match.as_str(),
            &m.rule_id,
            &m.team,
            &m.contains,
            &s.starts_at,
            &s.ends_at,
            &schedule,
            &s.comment,
            &s.created_by,
        ],
    )?;
    let stored = from_row(&row);
    audit::record(
        tx,
        actor,
        &Change::of_id(
            Operation::Create,
            TABLE,
            stored.id,
            None,
            Some(audit_values(&stored)),
            Some(&stored.comment),
        ),
    )?;
    Ok(stored)
}

/// Silences that have not ended (pending, active, waiting), or all of them with `expired`,
/// oldest first.
pub fn list(client: &mut postgres::Client, expired: bool) -> Result<Vec<Listed>, AdminError> {
    let now = Utc::now();
    Ok(client
        .query(
            &format!("SELECT {COLUMNS} FROM silences WHERE $1 OR ends_at > now() ORDER BY id"),
            &[&expired],
        )?
        .iter()
        .map(|r| Listed::of(from_row(r), now))
        .collect())
}

fn not_found(id: i32) -> AdminError {
    AdminError::NotFound(format!("Silence {id} not found"))
}

/// One silence.
pub fn get(client: &mut postgres::Client, id: i32) -> Result<Listed, AdminError> {
    client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM silences WHERE id = $1"),
            &[&id],
        )?
        .map(|r| Listed::of(from_row(&r), Utc::now()))
        .ok_or_else(|| not_found(id))
}

/// End silence `id` now (a pending one never starts); an ended one is a conflict.
pub fn expire(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    id: i32,
    reason: Option<&str>,
) -> Result<Listed, AdminError> {
    let mut tx = client.transaction()?;
    let old = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM silences WHERE id = $1 FOR UPDATE"),
            &[&id],
        )?
        .map(|r| from_row(&r))
        .ok_or_else(|| not_found(id))?;
    let new = tx
        .query_opt(
            &format!(
                "UPDATE silences SET ends_at = date_trunc('second', now()),
                        starts_at = least(starts_at, date_trunc('second', now()))
                  WHERE id = $1 AND ends_at > now() RETURNING {COLUMNS}"
            ),
            &[&id],
        )?
        .map(|r| from_row(&r))
        .ok_or_else(|| AdminError::Conflict(format!("Silence {id} has already ended")))?;
    audit::record(
        &mut tx,
        actor,
        &Change::of_id(
            Operation::Update,
            TABLE,
            id,
            Some(audit_values(&old)),
            Some(audit_values(&new)),
            reason.or(Some("expired")),
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(Listed::of(new, Utc::now()))
}

/// What [`import`] did with one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportResult {
    /// Position in the file (from 0).
    pub index: usize,
    /// `created`, `unchanged` (an identical silence exists), `skipped` (already ended) or
    /// `error`.
    pub result: &'static str,
    /// The silence created or found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// What was wrong, for `error` and `skipped`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Create each of `items` (the shape `export` writes, or REST bodies) that has not ended and has
/// no identical current silence; one transaction per item, one announcement at the end.
pub fn import(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    items: &[Value],
) -> Result<Vec<ImportResult>, AdminError> {
    let now = Utc::now();
    let mut out = Vec::with_capacity(items.len());
    let mut changed = false;
    for (index, item) in items.iter().enumerate() {
        let result = |result, id, message: Option<String>| ImportResult {
            index,
            result,
            id,
            message,
        };
        let built = match item.as_object() {
            Some(obj) => parse_new(obj).and_then(|new| {
                if new.ends_at.is_some_and(|e| e <= now) {
                    return Ok(None);
                }
                build(&new, actor, now).map(Some)
            }),
            None => Err(AdminError::invalid(
                "silence",
                "each item must be an object",
            )),
        };
        let s = match built {
            Ok(Some(s)) => s,
            Ok(None) => {
                out.push(result("skipped", None, Some("already ended".into())));
                continue;
            }
            Err(e) => {
                out.push(result("error", None, Some(e.public_message())));
                continue;
            }
        };
        let found = match identical(client, &s) {
            Ok(found) => found,
            Err(e) => {
                if changed {
                    notifier.announce(TABLE);
                }
                return Err(e);
            }
        };
        if let Some(id) = found {
            out.push(result("unchanged", Some(id), None));
            continue;
        }
        match insert_one(client, actor, &s) {
            Ok(id) => {
                changed = true;
                out.push(result("created", Some(id), None));
            }
            Err(e @ AdminError::Invalid { .. }) => {
                out.push(result("error", None, Some(e.public_message())))
            }
            Err(e) => {
                // What was committed before the failure is in force: say so to the alerters.
                if changed {
                    notifier.announce(TABLE);
                }
                return Err(e);
            }
        }
    }
    if changed {
        notifier.announce(TABLE);
    }
    Ok(out)
}

fn insert_one(
    client: &mut postgres::Client,
    actor: &Actor,
    s: &Silence,
) -> Result<i32, AdminError> {
    let mut tx = client.transaction()?;
    let stored = insert(&mut tx, actor, s)?;
    tx.commit()?;
    Ok(stored.id)
}

/// A current silence with the same matchers, times, schedule and comment as `s`.
fn identical(client: &mut postgres::Client, s: &Silence) -> Result<Option<i32>, AdminError> {
    let rows = client.query(
        &format!("SELECT {COLUMNS} FROM silences WHERE ends_at > now() AND starts_at = $1 AND ends_at = $2"),
        &[&s.starts_at, &s.ends_at],
    )?;
    Ok(rows.iter().map(from_row).find_map(|o| {
        (o.matchers == s.matchers && o.schedule == s.schedule && o.comment == s.comment)
            .then_some(o.id)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn actor() -> Actor {
        Actor {
            changed_by: "cli:test".into(),
            correlation_id: None,
        }
    }

    fn field_of(body: Value) -> String {
        let now = Utc::now();
        match parse_new(body.as_object().unwrap()).and_then(|n| build(&n, &actor(), now)) {
            Err(AdminError::Invalid { field, .. }) => field,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn a_duration_or_an_end_is_required_and_the_end_is_ahead() {
        let ok =
            json!({"matchers": {"hostname": " Core-SW-01 "}, "duration": "2h", "comment": "swap"});
        let now = Utc::now();
        let s = build(&parse_new(ok.as_object().unwrap()).unwrap(), &actor(), now).unwrap();
        assert_eq!(s.matchers.hostname.as_deref(), Some("core-sw-01"));
        assert_eq!(s.starts_at, now.with_nanosecond(0).unwrap());
        assert_eq!(s.ends_at - s.starts_at, chrono::Duration::hours(2));
        assert_eq!(s.created_by, "cli:test");
        assert_eq!(
            field_of(json!({"matchers": {"hostname": "h"}, "comment": "x"})),
            "ends_at"
        );
        assert_eq!(
            field_of(
                json!({"matchers": {"hostname": "h"}, "comment": "x", "ends_at": "2020-01-01T00:00:00Z"})
            ),
            "ends_at"
        );
        assert_eq!(
            field_of(
                json!({"matchers": {"hostname": "h"}, "comment": "x", "duration": "2h", "ends_at": "2099-01-01T00:00:00Z"})
            ),
            "duration"
        );
        assert_eq!(
            field_of(json!({"matchers": {"hostname": "h"}, "duration": "2h"})),
            "comment"
        );
        assert_eq!(
            field_of(json!({"matchers": {"hostname": "h"}, "duration": "soon", "comment": "x"})),
            "duration"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(
            field_of(json!({"duration": "2h", "comment": "x"})),
            "matchers"
        );
        assert_eq!(
            field_of(json!({"matchers": {}, "duration": "2h", "comment": "x"})),
            "matchers"
        );
        assert_eq!(
            field_of(json!({"matchers": {"host": "h"}, "duration": "2h", "comment": "x"})),
            "matchers"
        );
        assert_eq!(
            field_of(
                json!({"matchers": {"hostname": "(", "hostname_match": "regex"}, "duration": "2h", "comment": "x"})
            ),
            "matchers.hostname"
        );
        assert_eq!(
            field_of(
                json!({"matchers": {"hostname": "h"}, "duration": "2h", "comment": "x", "until": "x"})
            ),
            "until"
        );
        assert_eq!(
            field_of(json!({"matchers": {"hostname": "h"}, "ends_at": "tomorrow", "comment": "x"})),
            "ends_at"
        );
        assert_eq!(
            field_of(
                json!({"matchers": {"hostname": "h"}, "duration": "2h", "comment": "x",
                       "schedule": {"time_zone": "Europe/Berlin", "windows": [{"days": "sun", "start": "02:00", "end": "02:00"}]}})
            ),
            "schedule"
        );
    }

    #[test]
    fn export_output_is_accepted_back() {
        let s = Silence {
            id: 7,
            matchers: Matchers {
                team: Some("netops".into()),
                ..Matchers::default()
            },
            starts_at: Utc::now(),
            ends_at: Utc::now() + chrono::Duration::hours(1),
            schedule: None,
            comment: "x".into(),
            created_by: "cli:someone".into(),
            created_at: Utc::now(),
        };
        let listed = serde_json::to_value(Listed::of(s.clone(), Utc::now())).unwrap();
        assert_eq!(listed["state"], "active");
        let new = parse_new(listed.as_object().unwrap()).unwrap();
        assert_eq!(new.matchers, s.matchers);
        assert_eq!(new.ends_at, Some(s.ends_at));
    }
}
