//! `mutt retention run`: one policy set applied in order — event audit rows past the hot period
//! move to the archive (whole months by partition, the boundary month row by row), archive rows
//! past the archive period are deleted, config audit rows past theirs are deleted, and dead
//! letters past theirs leave the DLQ lists. Every step is batched; a dry run only counts.

use super::partitions::{self, DropMode, Tuning, ARCHIVE};
use crate::settings::{dynamic_keys, parse_bool, registry, Settings};
use crate::store::postgres::partitions::PARENT;
use crate::store::postgres::DbError;
use crate::store::redis::keys::{Dlq, Keys};
use crate::timefmt;
use crate::wire::dlq::dlq_entry_time;
use chrono::{DateTime, Duration, Months, Utc};
use redis as rd;

/// Shortest hot period accepted without `--force` (days).
pub const MIN_EVENT_HOT_DAYS: i64 = 30;
/// Shortest archive period accepted without `--force` (years).
pub const MIN_ARCHIVE_YEARS: i64 = 1;
/// Shortest config-audit period accepted without `--force` (days).
pub const MIN_CONFIG_AUDIT_DAYS: i64 = 365;
/// Shortest DLQ period accepted without `--force` (days).
pub const MIN_DLQ_DAYS: i64 = 7;

/// The policy set of one run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Policy {
    /// Retention may remove data at all (false: legal hold).
    pub enabled: bool,
    /// Days event_audit_log rows stay hot.
    pub event_hot_days: i64,
    /// Years archive rows are kept.
    pub archive_years: i64,
    /// Days config_audit_log rows are kept.
    pub config_audit_days: i64,
    /// Days dead letters are kept.
    pub dlq_days: i64,
}

impl Policy {
    /// The policy from settings, each value overridden by its dynamic key when `dynamic` holds
    /// one the key accepts (a bad stored value is ignored, as the daemons do).
    pub fn from_settings(settings: &Settings, dynamic: &dyn Fn(&str) -> Option<String>) -> Policy {
        let int = |key: &str, def: &registry::Def| -> i64 {
            dynamic(key)
                .filter(|v| dynamic_keys::find(key).is_some_and(|k| k.accepts(v)))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| settings.int(def))
        };
        let enabled = dynamic(dynamic_keys::RETENTION_ENFORCEMENT_ENABLED)
            .and_then(|v| parse_bool(&v))
            .unwrap_or_else(|| settings.bool(&registry::RETENTION_ENABLED));
        Policy {
            enabled,
            event_hot_days: int(
                dynamic_keys::EVENT_RETENTION_DAYS,
                &registry::RETENTION_EVENT_AUDIT_DAYS,
            ),
            archive_years: int(
                dynamic_keys::EVENT_ARCHIVE_RETENTION_YEARS,
                &registry::RETENTION_ARCHIVE_YEARS,
            ),
            config_audit_days: int(
                dynamic_keys::CONFIG_AUDIT_RETENTION_DAYS,
                &registry::RETENTION_AUDIT_DAYS,
            ),
            dlq_days: int(
                dynamic_keys::DLQ_RETENTION_DAYS,
                &registry::RETENTION_DLQ_DAYS,
            ),
        }
    }

    /// Every value below its safe minimum, worded for one error line (empty: all safe).
    pub fn below_minimums(&self) -> Vec<String> {
        let checks = [
            (
                "event audit",
                self.event_hot_days,
                MIN_EVENT_HOT_DAYS,
                "days",
            ),
            ("archive", self.archive_years, MIN_ARCHIVE_YEARS, "years"),
            (
                "config audit",
                self.config_audit_days,
                MIN_CONFIG_AUDIT_DAYS,
                "days",
            ),
            ("dlq", self.dlq_days, MIN_DLQ_DAYS, "days"),
        ];
        checks
            .iter()
            .filter(|(_, v, min, _)| v < min)
            .map(|(what, v, min, unit)| format!("{what} {v} {unit} < {min}"))
            .collect()
    }

    /// The instants before which each target's data has expired.
    pub fn cutoffs(&self, now: DateTime<Utc>) -> Cutoffs {
        let days = |n: i64| now - Duration::days(n);
        Cutoffs {
            event_hot: days(self.event_hot_days),
            archive: now
                .checked_sub_months(Months::new((self.archive_years * 12) as u32))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            config_audit: days(self.config_audit_days),
            dlq: days(self.dlq_days),
        }
    }
}

/// Per-target cutoffs: data strictly older is expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// event_audit_log → archive.
    pub event_hot: DateTime<Utc>,
    /// event_audit_log_archive deletion (calendar years back).
    pub archive: DateTime<Utc>,
    /// config_audit_log deletion.
    pub config_audit: DateTime<Utc>,
    /// DLQ entries removal.
    pub dlq: DateTime<Utc>,
}

/// The outcome of one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TargetReport {
    /// `event_audit`, `event_archive`, `config_audit`, `dlq:alerter`, `dlq:moog`, `dlq:dead`.
    pub target: String,
    /// The policy, e.g. `90 days`.
    pub policy: String,
    /// RFC 3339 cutoff; older data is expired.
    pub cutoff: String,
    /// `archived`, `deleted`, `removed`, or `would …` in a dry run.
    pub action: String,
    /// Rows or entries affected (or that would be).
    pub affected: u64,
    /// Extra facts (partitions dropped, undated DLQ entries kept, key name).
    pub detail: String,
    /// Why the target failed (one line); `None` when it succeeded.
    pub error: Option<String>,
}

/// How a run is done.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Count only; change nothing anywhere.
    pub dry_run: bool,
    /// Batch size, pause and DDL lock timeout.
    pub tuning: Tuning,
}

fn verb(dry_run: bool, done: &str) -> String {
    if dry_run {
        format!("would be {done}")
    } else {
        done.to_string()
    }
}

/// Apply `policy` at `now`: PostgreSQL targets on `pg` (the caller holds the retention lock),
/// DLQ targets on `redis` (`Err`: Redis unreachable, those targets fail). A failing target is
/// reported and the others still run. `progress(target, n)` hears work as it is done.
pub fn run(
    pg: &mut postgres::Client,
    redis: Result<&mut rd::Connection, String>,
    keys: &Keys,
    policy: &Policy,
    now: DateTime<Utc>,
    opts: &RunOptions,
    progress: &dyn Fn(&str, u64),
) -> Vec<TargetReport> {
    let cut = policy.cutoffs(now);
    let mut out = Vec::new();

    // Archive first, then purge the archive: rows archived today are never purged today unless
    // the archive period really says so.
    let mut report = TargetReport {
        target: "event_audit".into(),
        policy: format!("{} days", policy.event_hot_days),
        cutoff: timefmt::secs(cut.event_hot),
        action: verb(opts.dry_run, "archived"),
        affected: 0,
        detail: String::new(),
        error: None,
    };
    match event_audit(pg, cut.event_hot, opts, &|n| progress("event_audit", n)) {
        Ok((rows, parts, note)) => {
            report.affected = rows;
            report.detail = format!(
                "{parts} partition(s) {}{}",
                verb(opts.dry_run, "archived and dropped"),
                note.map(|n| format!("; {n}")).unwrap_or_default()
            );
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    out.push(report);

    let deletes = [
        (
            "event_archive",
            format!("{} years", policy.archive_years),
            cut.archive,
            ARCHIVE,
            "event_timestamp",
        ),
        (
            "config_audit",
            format!("{} days", policy.config_audit_days),
            cut.config_audit,
            "config_audit_log",
            "changed_at",
        ),
    ];
    for (target, policy_text, cutoff, table, column) in deletes {
        let mut report = TargetReport {
            target: target.into(),
            policy: policy_text,
            cutoff: timefmt::secs(cutoff),
            action: verb(opts.dry_run, "deleted"),
            affected: 0,
            detail: table.into(),
            error: None,
        };
        let result = if opts.dry_run {
            count_before(pg, table, column, cutoff)
        } else {
            delete_before(pg, table, column, cutoff, &opts.tuning, &|n| {
                progress(target, n)
            })
        };
        match result {
            Ok(n) => report.affected = n,
            Err(e) => report.error = Some(e.to_string()),
        }
        out.push(report);
    }

    let mut redis = redis;
    for (dlq, name) in [
        (Dlq::Alerter, "dlq:alerter"),
        (Dlq::Moog, "dlq:moog"),
        (Dlq::Dead, "dlq:dead"),
    ] {
        let key = keys.dlq(dlq);
        let mut report = TargetReport {
            target: name.into(),
            policy: format!("{} days", policy.dlq_days),
            cutoff: timefmt::secs(cut.dlq),
            action: verb(opts.dry_run, "removed"),
            affected: 0,
            detail: key.to_string(),
            error: None,
        };
        match redis.as_mut() {
            Err(e) => report.error = Some(e.clone()),
            Ok(conn) => {
                match expire_dlq(conn, key, cut.dlq, &opts.tuning, opts.dry_run, &|n| {
                    progress(name, n)
                }) {
                    Ok(o) => {
                        report.affected = o.expired;
                        if o.undated > 0 {
                            report.detail = format!("{key}; {} undated kept", o.undated);
                        }
                    }
                    Err(e) => report.error = Some(format!("Redis: {e}")),
                }
            }
        }
        out.push(report);
    }
    out
}

/// Whole months by partition (archive then drop), then the remaining expired rows (boundary
/// month, DEFAULT, misaligned partitions) row by row. Returns (rows, partitions dropped, a
/// note on a partition that could not be dropped).
fn event_audit(
    pg: &mut postgres::Client,
    cutoff: DateTime<Utc>,
    opts: &RunOptions,
    on_rows: &dyn Fn(u64),
) -> Result<(u64, usize, Option<String>), DbError> {
    if opts.dry_run {
        let rows = count_before(pg, PARENT, "event_timestamp", cutoff)?;
        let parts = partitions::retirable(&partitions::attached(pg)?, cutoff).len();
        return Ok((rows, parts, None));
    }
    let outcomes = partitions::retire_before(
        pg,
        cutoff,
        DropMode::Archive,
        false,
        &opts.tuning,
        &|step| {
            if let partitions::Step::Rows(n) = step {
                on_rows(n);
            }
        },
    )?;
    let mut rows: u64 = 0;
    let mut parts = 0;
    let mut failure = None;
    for o in &outcomes {
        rows += o.rows as u64;
        match &o.error {
            None => parts += 1,
            // Its rows still get archived row by row below; the drop is retried next run.
            Some(e) => failure = Some(format!("{} not dropped: {e}", o.name)),
        }
    }
    rows += partitions::archive_rows_before(pg, cutoff, &opts.tuning, on_rows)?;
    Ok((rows, parts, failure))
}

fn count_before(
    pg: &mut postgres::Client,
    table: &str,
    column: &str,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbError> {
    let n: i64 = pg
        .query_one(
            &format!("SELECT count(*) FROM {table} WHERE {column} < $1"),
            &[&cutoff],
        )?
        .get(0);
    Ok(n as u64)
}

/// Delete rows of `table` with `column` < `cutoff`, oldest first, `batch_size` per transaction.
fn delete_before(
    pg: &mut postgres::Client,
    table: &str,
    column: &str,
    cutoff: DateTime<Utc>,
    tuning: &Tuning,
    on_rows: &dyn Fn(u64),
) -> Result<u64, DbError> {
    // By primary key with SKIP LOCKED: short transactions, never waiting on a writer.
    let sql = format!(
        "DELETE FROM {table} WHERE id = ANY(ARRAY(
             SELECT id FROM {table} WHERE {column} < $1 ORDER BY {column}
             LIMIT $2 FOR UPDATE SKIP LOCKED))"
    );
    let mut total = 0;
    loop {
        let n = pg.execute(&sql, &[&cutoff, &tuning.batch_size])?;
        total += n;
        on_rows(n);
        if (n as i64) < tuning.batch_size {
            return Ok(total);
        }
        if !tuning.pause.is_zero() {
            std::thread::sleep(tuning.pause);
        }
    }
}

/// What the DLQ step found in one list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DlqOutcome {
    /// Entries past the cutoff (removed, or that would be).
    pub expired: u64,
    /// Entries without a readable time (kept).
    pub undated: u64,
}

/// Remove entries of `key` that failed before `cutoff`, reading `batch_size` at a time. Each
/// removal is `LREM key 1 <entry>` in an atomic pipeline: an entry remediation took meanwhile is
/// simply not found, and a newer entry is never touched.
pub fn expire_dlq(
    conn: &mut rd::Connection,
    key: &str,
    cutoff: DateTime<Utc>,
    tuning: &Tuning,
    dry_run: bool,
    on_entries: &dyn Fn(u64),
) -> rd::RedisResult<DlqOutcome> {
    let mut out = DlqOutcome::default();
    let batch = tuning.batch_size.max(1) as isize;
    let mut start: isize = 0;
    loop {
        let items: Vec<String> = rd::cmd("LRANGE")
            .arg(key)
            .arg(start)
            .arg(start + batch - 1)
            .query(conn)?;
        let mut expired = Vec::new();
        for item in &items {
            match dlq_entry_time(item) {
                Some(t) if t < cutoff => expired.push(item),
                Some(_) => {}
                None => out.undated += 1,
            }
        }
        let mut removed = 0u64;
        if dry_run {
            out.expired += expired.len() as u64;
        } else if !expired.is_empty() {
            let mut pipe = rd::pipe();
            pipe.atomic();
            for item in &expired {
                pipe.cmd("LREM").arg(key).arg(1).arg(item.as_str());
            }
            let counts: Vec<u64> = pipe.query(conn)?;
            removed = counts.iter().sum();
            out.expired += removed;
            on_entries(removed);
        }
        if (items.len() as isize) < batch {
            return Ok(out);
        }
        // Removed entries were inside the window just read, so the unread ones moved up.
        start += items.len() as isize - removed as isize;
        if !tuning.pause.is_zero() {
            std::thread::sleep(tuning.pause);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> Policy {
        Policy {
            enabled: true,
            event_hot_days: 90,
            archive_years: 7,
            config_audit_days: 365,
            dlq_days: 30,
        }
    }

    #[test]
    fn cutoffs_are_days_back_and_calendar_years_for_the_archive() {
        let now = Utc.with_ymd_and_hms(2028, 2, 29, 12, 0, 0).unwrap();
        let c = policy().cutoffs(now);
        assert_eq!(
            c.event_hot,
            Utc.with_ymd_and_hms(2027, 12, 1, 12, 0, 0).unwrap()
        );
        // 365 days, not a calendar year: the span holds 29 February.
        assert_eq!(
            c.config_audit,
            Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
        );
        assert_eq!(c.dlq, Utc.with_ymd_and_hms(2028, 1, 30, 12, 0, 0).unwrap());
        // Seven calendar years from a leap day clamp to 28 February.
        assert_eq!(
            c.archive,
            Utc.with_ymd_and_hms(2021, 2, 28, 12, 0, 0).unwrap()
        );
    }

    #[test]
    fn defaults_are_safe_and_short_periods_are_named() {
        assert!(policy().below_minimums().is_empty());
        let p = Policy {
            event_hot_days: 3,
            dlq_days: 1,
            ..policy()
        };
        assert_eq!(
            p.below_minimums(),
            vec!["event audit 3 days < 30", "dlq 1 days < 7"]
        );
    }

    #[test]
    fn dynamic_values_win_when_acceptable() {
        let settings = Settings::load(&[], &Default::default()).unwrap();
        let p = Policy::from_settings(&settings, &|_| None);
        assert_eq!(p, policy());
        let p = Policy::from_settings(&settings, &|k| match k {
            "event_retention_days" => Some("45".into()),
            "dlq_retention_days" => Some("0".into()),
            "retention_enforcement_enabled" => Some("false".into()),
            _ => None,
        });
        assert_eq!(p.event_hot_days, 45);
        assert_eq!(p.dlq_days, 30, "an out-of-range stored value is ignored");
        assert!(!p.enabled);
    }

    #[test]
    fn dlq_time_prefers_failure_time_then_receive_time() {
        let t = |s: &str| dlq_entry_time(s).map(|t| t.to_rfc3339());
        assert_eq!(
            t(
                r#"{"_received_at":"2026-01-01T00:00:00Z","_dlq":{"failed_at":"2026-02-01T00:00:00.000Z"}}"#
            ),
            Some("2026-02-01T00:00:00+00:00".into())
        );
        assert_eq!(
            t(r#"{"failed_at":"2026-03-01T01:00:00+01:00","timestamp":"2020-01-01T00:00:00Z"}"#),
            Some("2026-03-01T00:00:00+00:00".into())
        );
        assert_eq!(
            t(r#"{"_received_at":"2026-01-01T00:00:00.123Z"}"#),
            Some("2026-01-01T00:00:00.123+00:00".into())
        );
        // Device time alone does not date a dead letter; nor does garbage.
        assert_eq!(t(r#"{"timestamp":"2020-01-01T00:00:00Z"}"#), None);
        assert_eq!(t("not json"), None);
        assert_eq!(t(r#"{"_dlq":{"failed_at":"yesterday"}}"#), None);
    }
}
