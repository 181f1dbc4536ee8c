//! Both audit logs: writing a `config_audit_log` row inside the caller's transaction, and the
//! filtered queries of `config_audit_log` (page numbers) and `event_audit_log` (keyset paging on
//! `(event_timestamp, id)`, because OFFSET on a partitioned table gets slower with every page).

use super::{Actor, AdminError};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use postgres::types::ToSql;
use serde::Serialize;
use serde_json::Value;

/// Default page size of audit queries (v2.5's).
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size (v2.5 clamped to 200 too).
pub const MAX_LIMIT: i64 = 200;

/// What a change did (`config_audit_log.operation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    /// A record was added.
    Create,
    /// A record was changed.
    Update,
    /// A record was removed.
    Delete,
}

impl Operation {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
        }
    }

    /// Parse any case (`update` → UPDATE), as v2.5's tests require.
    pub fn parse(field: &str, text: &str) -> Result<Operation, AdminError> {
        match text.trim().to_ascii_uppercase().as_str() {
            "CREATE" => Ok(Operation::Create),
            "UPDATE" => Ok(Operation::Update),
            "DELETE" => Ok(Operation::Delete),
            _ => Err(AdminError::invalid(
                field,
                format!("{field} must be one of CREATE, UPDATE, DELETE"),
            )),
        }
    }
}

/// One audited change, written with [`record`].
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// What happened.
    pub operation: Operation,
    /// The table changed (`alert_rules`, `development_hosts`, `device_teams`, `dynamic_config`).
    pub table: &'a str,
    /// Integer key of the record; for text keys, [`record_id_for_key`] of the key.
    pub record_id: i32,
    /// The text key (host name, config key), when the record has one.
    pub record_key: Option<&'a str>,
    /// Values before (none for CREATE).
    pub old_values: Option<Value>,
    /// Values after (none for DELETE).
    pub new_values: Option<Value>,
    /// Why, as the operator gave it.
    pub reason: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// A change of a record with an integer key (rules).
    pub fn of_id(
        operation: Operation,
        table: &'a str,
        id: i32,
        old_values: Option<Value>,
        new_values: Option<Value>,
        reason: Option<&'a str>,
    ) -> Change<'a> {
        Change {
            operation,
            table,
            record_id: id,
            record_key: None,
            old_values,
            new_values,
            reason,
        }
    }

    /// A change of a record keyed by text (host name, config key): `record_key` is the key and
    /// `record_id` its [`record_id_for_key`].
    pub fn of_key(
        operation: Operation,
        table: &'a str,
        key: &'a str,
        old_values: Option<Value>,
        new_values: Option<Value>,
        reason: Option<&'a str>,
    ) -> Change<'a> {
        Change {
            operation,
            table,
            record_id: record_id_for_key(key),
            record_key: Some(key),
            old_values,
            new_values,
            reason,
        }
    }
}

/// A stable positive `record_id` for a text key (CRC32, 31 bits, never 0). v2.5 used Python's
/// per-process randomised `hash()`, so the same key got a different id after every restart.
pub fn record_id_for_key(key: &str) -> i32 {
    let id = (crc32fast::hash(key.as_bytes()) & 0x7fff_ffff) as i32;
    id.max(1)
}

const INSERT_SQL: &str = "INSERT INTO config_audit_log
    (changed_by, operation, table_name, record_id, record_key, old_values, new_values, reason, correlation_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

/// Write the audit row of `change` inside `tx`: it commits or rolls back with the change itself.
pub fn record(
    tx: &mut postgres::Transaction<'_>,
    actor: &Actor,
    change: &Change<'_>,
) -> Result<i64, AdminError> {
    // v2.5 dropped values that make no sense for the operation; keep that rule.
    let old = match change.operation {
        Operation::Create => None,
        _ => change.old_values.clone(),
    };
    let new = match change.operation {
        Operation::Delete => None,
        _ => change.new_values.clone(),
    };
    let reason = change.reason.map(str::trim).filter(|r| !r.is_empty());
    let row = tx.query_one(
        INSERT_SQL,
        &[
            &actor.changed_by,
            &change.operation.as_str(),
            &change.table,
            &change.record_id,
            &change.record_key,
            &old,
            &new,
            &reason,
            &actor.correlation_id,
        ],
    )?;
    Ok(row.get(0))
}

/// Parse a time filter: RFC 3339, or a date (`2025-11-01`) meaning the start of that UTC day, or
/// with `end_of_day` its last microsecond (so `end_date=2025-11-30` includes the whole day).
pub fn parse_time(field: &str, text: &str, end_of_day: bool) -> Result<DateTime<Utc>, AdminError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    // datetime-local inputs and many scripts send no zone; read those as UTC.
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if end_of_day {
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or_default()
        } else {
            NaiveTime::MIN
        };
        return Ok(day.and_time(time).and_utc());
    }
    Err(AdminError::invalid(
        field,
        format!("{field} must be an RFC 3339 time (2025-11-01T10:00:00Z) or a date (2025-11-01)"),
    ))
}

/// Parse a positive integer filter.
pub fn parse_int(field: &str, text: &str, min: i64, max: i64) -> Result<i64, AdminError> {
    match text.trim().parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(AdminError::invalid(
            field,
            format!("{field} must be an integer in {min}..={max}"),
        )),
    }
}

/// Filters of the config-audit query (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigAuditFilter {
    /// Case-insensitive substring of `changed_by` (`%`/`_` taken literally).
    pub changed_by: Option<String>,
    /// Exact operation.
    pub operation: Option<Operation>,
    /// Exact table name.
    pub table_name: Option<String>,
    /// Exact record id.
    pub record_id: Option<i32>,
    /// Exact text key (host name, config key).
    pub record_key: Option<String>,
    /// `changed_at >=`.
    pub start: Option<DateTime<Utc>>,
    /// `changed_at <=`.
    pub end: Option<DateTime<Utc>>,
    /// 1-based page.
    pub page: i64,
    /// Rows per page, 1..=200.
    pub limit: i64,
}

/// One `config_audit_log` row as every API and CLI answer shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigAuditRow {
    /// Row id.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub changed_at: String,
    /// Who.
    pub changed_by: String,
    /// CREATE, UPDATE or DELETE.
    pub operation: String,
    /// Which table.
    pub table_name: String,
    /// Which record (integer key).
    pub record_id: i32,
    /// Which record (text key), when it has one.
    pub record_key: Option<String>,
    /// Before.
    pub old_values: Option<Value>,
    /// After.
    pub new_values: Option<Value>,
    /// Why.
    pub reason: Option<String>,
    /// The request that made it.
    pub correlation_id: Option<String>,
}

/// v2.5's page block: `{page, limit, total, pages}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pagination {
    /// 1-based page.
    pub page: i64,
    /// Rows per page.
    pub limit: i64,
    /// Rows matching the filters.
    pub total: i64,
    /// Number of pages (0 when empty).
    pub pages: i64,
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Builds a WHERE clause with numbered parameters.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync>>,
}

impl Where {
    fn push(&mut self, clause: &str, value: Box<dyn ToSql + Sync>) {
        self.params.push(value);
        self.clauses
            .push(clause.replace('?', &format!("${}", self.params.len())));
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

const CONFIG_COLUMNS: &str =
    "id, changed_at, changed_by, operation, table_name, record_id, record_key,
    old_values, new_values, reason, correlation_id";

fn config_row(r: &postgres::Row) -> ConfigAuditRow {
    ConfigAuditRow {
        id: r.get(0),
        changed_at: crate::timefmt::auto(r.get(1)),
        changed_by: r.get(2),
        operation: r.get(3),
        table_name: r.get(4),
        record_id: r.get(5),
        record_key: r.get(6),
        old_values: r.get(7),
        new_values: r.get(8),
        reason: r.get(9),
        correlation_id: r.get(10),
    }
}

/// Query `config_audit_log`, newest first, one page.
pub fn query_config(
    client: &mut postgres::Client,
    filter: &ConfigAuditFilter,
) -> Result<(Vec<ConfigAuditRow>, Pagination), AdminError> {
    let mut w = Where::default();
    if let Some(by) = &filter.changed_by {
        w.push(
            "changed_by ILIKE ? ESCAPE '\\'",
            Box::new(format!("%{}%", escape_like(by))),
        );
    }
    if let Some(op) = filter.operation {
        w.push("operation = ?", Box::new(op.as_str().to_string()));
    }
    if let Some(t) = &filter.table_name {
        w.push("table_name = ?", Box::new(t.clone()));
    }
    if let Some(id) = filter.record_id {
        w.push("record_id = ?", Box::new(id));
    }
    if let Some(k) = &filter.record_key {
        w.push("record_key = ?", Box::new(k.clone()));
    }
    if let Some(s) = filter.start {
        w.push("changed_at >= ?", Box::new(s));
    }
    if let Some(e) = filter.end {
        w.push("changed_at <= ?", Box::new(e));
    }
    let limit = filter.limit.clamp(1, MAX_LIMIT);
    let page = filter.page.max(1);
    let where_sql = w.sql();
    let mut tx = client.build_transaction().read_only(true).start()?;
    let total: i64 = tx
        .query_one(
            &format!("SELECT count(*) FROM config_audit_log{where_sql}"),
            &w.refs(),
        )?
        .get(0);
    let rows = tx.query(
        &format!(
            "SELECT {CONFIG_COLUMNS} FROM config_audit_log{where_sql}
              ORDER BY changed_at DESC, id DESC LIMIT {limit} OFFSET {}",
            (page - 1) * limit
        ),
        &w.refs(),
    )?;
    tx.commit()?;
    let pages = if total == 0 {
        0
    } else {
        (total + limit - 1) / limit
    };
    Ok((
        rows.iter().map(config_row).collect(),
        Pagination {
            page,
            limit,
            total,
            pages,
        },
    ))
}

/// Filters of the event-audit search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventAuditFilter {
    /// Exact host name.
    pub hostname: Option<String>,
    /// `matched_rule_id`.
    pub rule_id: Option<i32>,
    /// `event_timestamp >=`.
    pub start: Option<DateTime<Utc>>,
    /// `event_timestamp <=`.
    pub end: Option<DateTime<Utc>>,
    /// Rows per page, 1..=200.
    pub limit: i64,
    /// Continue after this row (from the previous page's `next_cursor`).
    pub cursor: Option<Cursor>,
}

/// Position in the event audit log: the last row seen, ordered by `(event_timestamp, id)` DESC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Microseconds since the epoch of the row's `event_timestamp`.
    pub micros: i64,
    /// The row's id.
    pub id: i64,
}

impl Cursor {
    /// The opaque text form (`<micros>.<id>`, URL-safe).
    pub fn encode(&self) -> String {
        format!("{}.{}", self.micros, self.id)
    }

    /// Parse the text form.
    pub fn parse(field: &str, text: &str) -> Result<Cursor, AdminError> {
        let bad = || AdminError::invalid(field, format!("{field} is not a cursor this API gave"));
        let (micros, id) = text.trim().split_once('.').ok_or_else(bad)?;
        Ok(Cursor {
            micros: micros.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// One `event_audit_log` row as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventAuditRow {
    /// Row id (unique within its partition).
    pub id: i64,
    /// When the event happened (RFC 3339 UTC).
    pub event_timestamp: String,
    /// Sending device.
    pub hostname: String,
    /// Rule that matched.
    pub matched_rule_id: i32,
    /// Handling chosen.
    pub handling_decision: String,
    /// Whether it went to Moog.
    pub forwarded_to_moog: Option<bool>,
    /// The event as received.
    pub raw_message: Option<String>,
    /// mutt's event id (absent on v2.5 rows).
    pub event_id: Option<String>,
    /// The silence that held it back (no alert); left out of the body otherwise, as v2.5 had it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silenced_by: Option<i32>,
    /// The event whose alert it repeated within the dedup window (no alert of its own); left
    /// out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedup_of: Option<String>,
}

/// The keyset page block of the event search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventPage {
    /// Rows per page.
    pub limit: i64,
    /// Pass as `cursor` to get the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Search `event_audit_log`, newest first, one keyset page.
pub fn query_events(
    client: &mut postgres::Client,
    filter: &EventAuditFilter,
) -> Result<(Vec<EventAuditRow>, EventPage), AdminError> {
    let mut w = Where::default();
    if let Some(h) = &filter.hostname {
        w.push("hostname = ?", Box::new(h.clone()));
    }
    if let Some(r) = filter.rule_id {
        w.push("matched_rule_id = ?", Box::new(r));
    }
    if let Some(s) = filter.start {
        w.push("event_timestamp >= ?", Box::new(s));
    }
    if let Some(e) = filter.end {
        w.push("event_timestamp <= ?", Box::new(e));
    }
    if let Some(c) = filter.cursor {
        let at = DateTime::<Utc>::from_timestamp_micros(c.micros)
            .ok_or_else(|| AdminError::invalid("cursor", "cursor is out of range"))?;
        w.push("event_timestamp <= ?", Box::new(at));
        let n = w.params.len();
        w.params.push(Box::new(c.id));
        w.clauses.push(format!(
            "(event_timestamp, id) < (${n}, ${})",
            w.params.len()
        ));
    }
    let limit = filter.limit.clamp(1, MAX_LIMIT);
    // One extra row tells whether another page exists without a COUNT over all partitions.
    let rows = client.query(
        &format!(
            "SELECT id, event_timestamp, hostname, matched_rule_id, handling_decision,
                    forwarded_to_moog, raw_message, event_id, silenced_by, dedup_of
               FROM event_audit_log{}
              ORDER BY event_timestamp DESC, id DESC LIMIT {}",
            w.sql(),
            limit + 1
        ),
        &w.refs(),
    )?;
    let more = rows.len() as i64 > limit;
    let mut out = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last = None;
    for r in rows.iter().take(limit as usize) {
        let at: DateTime<Utc> = r.get(1);
        let id: i64 = r.get(0);
        last = Some(Cursor {
            micros: at.timestamp_micros(),
            id,
        });
        out.push(EventAuditRow {
            id,
            event_timestamp: crate::timefmt::auto(at),
            hostname: r.get(2),
            matched_rule_id: r.get(3),
            handling_decision: r.get(4),
            forwarded_to_moog: r.get(5),
            raw_message: r.get(6),
            event_id: r.get(7),
            silenced_by: r.get(8),
            dedup_of: r.get(9),
        });
    }
    Ok((
        out,
        EventPage {
            limit,
            next_cursor: if more { last.map(|c| c.encode()) } else { None },
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_of_text_keys_are_stable_and_positive() {
        assert_eq!(record_id_for_key("core-sw1"), record_id_for_key("core-sw1"));
        assert_ne!(record_id_for_key("core-sw1"), record_id_for_key("core-sw2"));
        for k in ["", "a", "unhandled_threshold", "x".repeat(300).as_str()] {
            assert!(record_id_for_key(k) >= 1);
        }
    }

    #[test]
    fn operations_parse_in_any_case() {
        assert_eq!(
            Operation::parse("operation", "update").unwrap(),
            Operation::Update
        );
        assert!(matches!(
            Operation::parse("operation", "UPSERT"),
            Err(AdminError::Invalid { field, .. }) if field == "operation"
        ));
    }

    #[test]
    fn times_accept_rfc3339_dates_and_zone_less_local_times() {
        let t = parse_time("start_date", "2025-11-01", false).unwrap();
        assert_eq!(crate::timefmt::auto(t), "2025-11-01T00:00:00Z");
        let t = parse_time("end_date", "2025-11-30", true).unwrap();
        assert_eq!(crate::timefmt::auto(t), "2025-11-30T23:59:59.999999Z");
        let t = parse_time("start_date", "2025-11-01T10:00:00+02:00", false).unwrap();
        assert_eq!(crate::timefmt::auto(t), "2025-11-01T08:00:00Z");
        let t = parse_time("start_date", "2025-11-01T10:30", false).unwrap();
        assert_eq!(crate::timefmt::auto(t), "2025-11-01T10:30:00Z");
        assert!(parse_time("start_date", "yesterday", false).is_err());
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let c = Cursor {
            micros: 1_700_000_000_123_456,
            id: 42,
        };
        assert_eq!(Cursor::parse("cursor", &c.encode()).unwrap(), c);
        assert!(Cursor::parse("cursor", "abc").is_err());
        assert!(Cursor::parse("cursor", "1.x").is_err());
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
