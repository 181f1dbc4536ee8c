//! Writing `event_audit_log` rows: one transaction per batch, idempotent on
//! `(event_id, event_timestamp)`, so a redelivered batch writes nothing twice.

use super::event::AuditRow;
use crate::store::postgres::{DbError, Pool};
use chrono::{DateTime, Utc};
use postgres::error::SqlState;

const INSERT_SQL: &str = "INSERT INTO event_audit_log
    (event_timestamp, hostname, matched_rule_id, handling_decision, forwarded_to_moog, raw_message, event_id, silenced_by, dedup_of)
  SELECT * FROM unnest($1::timestamptz[], $2::varchar[], $3::int[], $4::varchar[], $5::bool[], $6::text[], $7::text[], $8::int[], $9::text[])
  ON CONFLICT (event_id, event_timestamp) DO NOTHING";

/// How a failed write should be handled.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteFailure {
    /// The database is unreachable or overloaded: keep the batch, wait, retry.
    Unavailable(String),
    /// Some rows are refused by the database itself: find them and dead-letter them.
    Data(String),
}

/// Classify a database error: connection trouble and server shutdown are transient; anything the
/// server refuses for the data's sake (bad value, constraint) is not.
pub fn classify(e: &DbError) -> WriteFailure {
    let text = e.to_string();
    match e {
        DbError::Query(pe) => match pe.code() {
            Some(code) if is_transient_state(code) => WriteFailure::Unavailable(text),
            Some(_) => WriteFailure::Data(text),
            None => WriteFailure::Unavailable(text),
        },
        _ => WriteFailure::Unavailable(text),
    }
}

fn is_transient_state(code: &SqlState) -> bool {
    let c = code.code();
    // 08: connection exception; 53: insufficient resources; 57: operator intervention
    // (admin shutdown, cannot connect now); 40: serialization failure / deadlock; 25006: a
    // read-only transaction (the server was a primary and is a standby now).
    c == "25006"
        || c.starts_with("08")
        || c.starts_with("53")
        || c.starts_with("57")
        || c.starts_with("40")
        || c == "55P03"
}

/// Insert `rows` in one transaction. Returns how many were new.
pub fn insert(pool: &Pool, rows: &[&AuditRow]) -> Result<u64, DbError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut conn = pool.get()?;
    let mut tx = conn.transaction()?;
    let n = insert_in(&mut tx, rows)?;
    tx.commit()?;
    Ok(n)
}

fn insert_in(tx: &mut postgres::Transaction<'_>, rows: &[&AuditRow]) -> Result<u64, DbError> {
    let ts: Vec<DateTime<Utc>> = rows.iter().map(|r| r.event_timestamp).collect();
    let hosts: Vec<&str> = rows.iter().map(|r| r.hostname.as_str()).collect();
    let rule_ids: Vec<i32> = rows.iter().map(|r| r.matched_rule_id).collect();
    let handlings: Vec<&str> = rows.iter().map(|r| r.handling_decision.as_str()).collect();
    let forwarded: Vec<bool> = rows.iter().map(|r| r.forwarded_to_moog).collect();
    let raws: Vec<&str> = rows.iter().map(|r| r.raw_message.as_str()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.event_id.as_str()).collect();
    let silenced: Vec<Option<i32>> = rows.iter().map(|r| r.silenced_by).collect();
    let dedup_of: Vec<Option<&str>> = rows.iter().map(|r| r.dedup_of.as_deref()).collect();
    Ok(tx.execute(
        INSERT_SQL,
        &[
            &ts, &hosts, &rule_ids, &handlings, &forwarded, &raws, &ids, &silenced, &dedup_of,
        ],
    )?)
}

/// After a data error: insert row by row (each under a savepoint in one transaction) and return
/// the indexes of the rows the database refuses, with its reason.
pub fn insert_isolating(pool: &Pool, rows: &[&AuditRow]) -> Result<Vec<(usize, String)>, DbError> {
    let mut conn = pool.get()?;
    let mut tx = conn.transaction()?;
    let mut refused = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut sp = tx.savepoint("row")?;
        match insert_in(&mut sp, std::slice::from_ref(row)) {
            Ok(_) => sp.commit()?,
            Err(e) => match classify(&e) {
                WriteFailure::Data(reason) => {
                    sp.rollback()?;
                    refused.push((i, reason));
                }
                WriteFailure::Unavailable(_) => return Err(e),
            },
        }
    }
    tx.commit()?;
    Ok(refused)
}
