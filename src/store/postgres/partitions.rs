//! Monthly range partitions of `event_audit_log`: calendar months in UTC, named
//! `event_audit_log_YYYY_MM`, created ahead of time; rows of that month already sitting in the
//! DEFAULT partition are moved into the new partition in the same transaction.

use super::pool::DbError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The partitioned parent table.
pub const PARENT: &str = "event_audit_log";

/// One calendar month's partition: `[from, to)` in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthPartition {
    /// `event_audit_log_YYYY_MM`.
    pub name: String,
    /// First day of the month.
    pub from: NaiveDate,
    /// First day of the next month.
    pub to: NaiveDate,
}

impl MonthPartition {
    /// The partition of the month containing `day`.
    pub fn containing(day: NaiveDate) -> MonthPartition {
        let from = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
        let to = add_months(from, 1);
        MonthPartition {
            name: format!("{PARENT}_{:04}_{:02}", from.year(), from.month()),
            from,
            to,
        }
    }

    fn bound(day: NaiveDate) -> String {
        format!("{} 00:00:00+00", day.format("%Y-%m-%d"))
    }

    /// Lower bound as a timestamptz literal body.
    pub fn from_literal(&self) -> String {
        Self::bound(self.from)
    }

    /// Upper bound as a timestamptz literal body.
    pub fn to_literal(&self) -> String {
        Self::bound(self.to)
    }

    /// The DDL that creates this partition directly (no rows to move).
    pub fn create_sql(&self) -> String {
        format!(
            "CREATE TABLE {} PARTITION OF {PARENT} FOR VALUES FROM ('{}') TO ('{}')",
            self.name,
            self.from_literal(),
            self.to_literal()
        )
    }
}

/// `day` plus `n` calendar months (day must be the 1st).
pub fn add_months(day: NaiveDate, n: u32) -> NaiveDate {
    let months = day.year() * 12 + day.month0() as i32 + n as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(day)
}

/// The current month (in UTC) and the `ahead` months after it.
pub fn months_to_ensure(now: DateTime<Utc>, ahead: u32) -> Vec<MonthPartition> {
    let first = MonthPartition::containing(now.date_naive()).from;
    (0..=ahead)
        .map(|i| MonthPartition::containing(add_months(first, i)))
        .collect()
}

/// What `ensure` did with one month.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EnsureOutcome {
    /// Already there.
    Exists {
        /// Partition name.
        name: String,
    },
    /// Created; `moved_rows` rows came over from the DEFAULT partition.
    Created {
        /// Partition name.
        name: String,
        /// Rows moved out of DEFAULT.
        moved_rows: u64,
    },
    /// Not created because an existing partition (e.g. a misaligned v2.5 one) overlaps the month;
    /// rows of the uncovered days keep landing in DEFAULT.
    Overlaps {
        /// Partition name.
        name: String,
        /// Server message naming the overlapping partition.
        detail: String,
    },
}

/// Names of the partitions attached to the parent.
pub fn existing(client: &mut postgres::Client) -> Result<Vec<String>, DbError> {
    let rows = client.query(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::text::regclass ORDER BY 1",
        &[&PARENT],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Name of the DEFAULT partition of the parent, if it has one.
pub fn default_partition(client: &mut postgres::Client) -> Result<Option<String>, DbError> {
    let row = client.query_opt(
        "SELECT c.relname::text FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partdefid
         WHERE p.partrelid = $1::text::regclass",
        &[&PARENT],
    )?;
    Ok(row.map(|r| r.get(0)))
}

/// The months among the current and `ahead` next ones that have no partition yet.
pub fn missing(
    client: &mut postgres::Client,
    now: DateTime<Utc>,
    ahead: u32,
) -> Result<Vec<MonthPartition>, DbError> {
    let have = existing(client)?;
    Ok(months_to_ensure(now, ahead)
        .into_iter()
        .filter(|m| !have.contains(&m.name))
        .collect())
}

/// Create the partitions of the current month and `ahead` months after it where missing.
/// Each month is its own transaction; DEFAULT rows of that month move with it.
pub fn ensure(
    client: &mut postgres::Client,
    now: DateTime<Utc>,
    ahead: u32,
) -> Result<Vec<EnsureOutcome>, DbError> {
    let have = existing(client)?;
    let default = default_partition(client)?;
    let mut out = Vec::new();
    for month in months_to_ensure(now, ahead) {
        if have.contains(&month.name) {
            out.push(EnsureOutcome::Exists { name: month.name });
            continue;
        }
        match create_one(client, &month, default.as_deref()) {
            Ok(None) => out.push(EnsureOutcome::Exists { name: month.name }),
            Ok(Some(moved_rows)) => {
                log::info!(
                    "created partition {} ({moved_rows} rows moved from DEFAULT)",
                    month.name
                );
                out.push(EnsureOutcome::Created {
                    name: month.name,
                    moved_rows,
                });
            }
            Err(DbError::Query(e))
                if e.code() == Some(&postgres::error::SqlState::INVALID_OBJECT_DEFINITION) =>
            {
                let detail = e
                    .as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_default();
                log::warn!("partition {} not created: {detail}", month.name);
                out.push(EnsureOutcome::Overlaps {
                    name: month.name,
                    detail,
                });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

// Arbitrary but fixed: serialises partition creation between concurrent `ensure` runs (cron,
// daemons starting, `mutt migrate`), which would otherwise race on CREATE TABLE.
const PARTITION_LOCK_KEY: i64 = 0x6d75_7474_7061_7274; // "muttpart"

/// Create one month's partition; `None` if another run created it meanwhile.
fn create_one(
    client: &mut postgres::Client,
    month: &MonthPartition,
    default: Option<&str>,
) -> Result<Option<u64>, DbError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PARTITION_LOCK_KEY])?;
    let exists: bool = tx
        .query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&month.name])?
        .get(0);
    if exists {
        return Ok(None);
    }
    let (from, to) = (month.from_literal(), month.to_literal());
    let in_default: i64 = match default {
        Some(d) => tx
            .query_one(
                &format!(
                    "SELECT count(*) FROM {} WHERE event_timestamp >= $1::text::timestamptz
                     AND event_timestamp < $2::text::timestamptz",
                    quote_ident(d)
                ),
                &[&from, &to],
            )?
            .get(0),
        None => 0,
    };
    if in_default == 0 {
        tx.batch_execute(&month.create_sql())?;
        tx.commit()?;
        return Ok(Some(0));
    }
    let default = quote_ident(default.unwrap_or_default());
    let columns: String = tx
        .query_one(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
             WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped",
            &[&PARENT],
        )?
        .get(0);
    // Attaching scans DEFAULT for rows of the new range, so they must leave it first; doing it
    // all in one transaction means no reader ever sees the rows missing.
    tx.batch_execute(&format!(
        "CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
         INSERT INTO {name} ({columns}) SELECT {columns} FROM {default}
           WHERE event_timestamp >= '{from}' AND event_timestamp < '{to}';
         DELETE FROM {default} WHERE event_timestamp >= '{from}' AND event_timestamp < '{to}';
         ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ('{from}') TO ('{to}');",
        name = month.name,
    ))?;
    tx.commit()?;
    Ok(Some(in_default as u64))
}

/// `name` as a quoted SQL identifier (partition names come from the catalog).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn months_are_calendar_months_in_utc_across_year_end() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 59).unwrap();
        let names: Vec<String> = months_to_ensure(now, 3)
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(
            names,
            vec![
                "event_audit_log_2026_11",
                "event_audit_log_2026_12",
                "event_audit_log_2027_01",
                "event_audit_log_2027_02"
            ]
        );
        let dec = MonthPartition::containing(NaiveDate::from_ymd_opt(2026, 12, 15).unwrap());
        assert_eq!(dec.from_literal(), "2026-12-01 00:00:00+00");
        assert_eq!(dec.to_literal(), "2027-01-01 00:00:00+00");
    }

    #[test]
    fn twenty_months_ahead_skip_none() {
        let now = Utc.with_ymd_and_hms(2026, 1, 31, 12, 0, 0).unwrap();
        let months = months_to_ensure(now, 20);
        assert_eq!(months.len(), 21);
        for pair in months.windows(2) {
            assert_eq!(
                pair[0].to, pair[1].from,
                "{} → {}",
                pair[0].name, pair[1].name
            );
        }
        assert_eq!(months[20].name, "event_audit_log_2027_09");
    }

    #[test]
    fn create_sql_uses_utc_bounds() {
        let m = MonthPartition::containing(NaiveDate::from_ymd_opt(2027, 2, 3).unwrap());
        assert_eq!(
            m.create_sql(),
            "CREATE TABLE event_audit_log_2027_02 PARTITION OF event_audit_log FOR VALUES FROM ('2027-02-01 00:00:00+00') TO ('2027-03-01 00:00:00+00')"
        );
    }
}
