//! `mutt partitions list|drop` and the planning half of `ensure`: what is attached to
//! `event_audit_log` (read from the catalog, so misaligned v2.5 partitions are seen as they are),
//! what waits in DEFAULT, and the retirement of whole months (archive, detach or drop).
//!
//! Creation itself lives in [`crate::store::postgres::partitions`] (shared with `mutt migrate`).

use crate::store::postgres::partitions::{self as store, quote_ident, MonthPartition, PARENT};
use crate::store::postgres::DbError;
use crate::timefmt;
use chrono::{DateTime, Months, Utc};
use std::time::Duration;

/// The archive table rows are moved into.
pub const ARCHIVE: &str = "event_audit_log_archive";

/// Width of `event_audit_log_archive.archived_from_partition` (VARCHAR(50) in v2.5's schema).
const PARTITION_LABEL_MAX: usize = 50;

/// How batched work is paced (all from settings).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Rows moved or deleted per transaction.
    pub batch_size: i64,
    /// Pause between batches.
    pub pause: Duration,
    /// `lock_timeout` of DETACH/DROP, in milliseconds.
    pub ddl_lock_timeout_ms: i64,
}

impl Tuning {
    /// From the `RETENTION_*` settings.
    pub fn from_settings(settings: &crate::settings::Settings) -> Tuning {
        use crate::settings::registry;
        Tuning {
            batch_size: settings.int(&registry::RETENTION_BATCH_SIZE),
            pause: Duration::from_millis(settings.int(&registry::RETENTION_BATCH_PAUSE_MS) as u64),
            ddl_lock_timeout_ms: settings.int(&registry::RETENTION_DDL_LOCK_TIMEOUT_MS),
        }
    }
}

/// The range of one attached partition as the catalog states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// The DEFAULT partition.
    Default,
    /// `FROM (from) TO (to)`; `None` is MINVALUE / MAXVALUE.
    Range {
        /// Lower bound (inclusive).
        from: Option<DateTime<Utc>>,
        /// Upper bound (exclusive).
        to: Option<DateTime<Utc>>,
    },
}

/// Parse `pg_get_expr(relpartbound)`: `DEFAULT` or `FOR VALUES FROM ('…') TO ('…')`, timestamps
/// rendered with the session's UTC offset. `None` if the text is neither.
pub fn parse_bound(expr: &str) -> Option<Bound> {
    let expr = expr.trim();
    if expr.eq_ignore_ascii_case("DEFAULT") {
        return Some(Bound::Default);
    }
    let rest = expr.strip_prefix("FOR VALUES FROM (")?;
    let (from, rest) = rest.split_once(") TO (")?;
    let to = rest.strip_suffix(')')?;
    let one = |text: &str| -> Option<Option<DateTime<Utc>>> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("MINVALUE") || text.eq_ignore_ascii_case("MAXVALUE") {
            return Some(None);
        }
        let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
        DateTime::parse_from_str(inner, "%Y-%m-%d %H:%M:%S%.f%#z")
            .ok()
            .map(|t| Some(t.with_timezone(&Utc)))
    };
    Some(Bound::Range {
        from: one(from)?,
        to: one(to)?,
    })
}

/// One partition attached to the parent.
#[derive(Debug, Clone, PartialEq)]
pub struct Attached {
    /// Table name.
    pub name: String,
    /// Its range; `None` when the catalog text could not be read (never retired).
    pub bound: Option<Bound>,
}

impl Attached {
    /// Whether every row this partition can hold is older than `cutoff` (upper bound ≤ cutoff):
    /// the only partitions that may be retired whole.
    pub fn entirely_before(&self, cutoff: DateTime<Utc>) -> bool {
        matches!(self.bound, Some(Bound::Range { to: Some(to), .. }) if to <= cutoff)
    }
}

/// The partitions attached to `event_audit_log`, by name.
pub fn attached(client: &mut postgres::Client) -> Result<Vec<Attached>, DbError> {
    let rows = client.query(
        "SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid)
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::text::regclass ORDER BY 1",
        &[&PARENT],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            let expr: Option<String> = r.get(1);
            Attached {
                name: r.get(0),
                bound: expr.as_deref().and_then(parse_bound),
            }
        })
        .collect())
}

/// `now` minus `months` calendar months: `partitions drop --older-than N` retires partitions
/// whose upper bound is at or before this instant.
pub fn months_cutoff(now: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(months))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The partitions that may be retired for `cutoff`, oldest first.
pub fn retirable(parts: &[Attached], cutoff: DateTime<Utc>) -> Vec<Attached> {
    let mut out: Vec<Attached> = parts
        .iter()
        .filter(|p| p.entirely_before(cutoff))
        .cloned()
        .collect();
    out.sort_by_key(|p| match p.bound {
        Some(Bound::Range { to, .. }) => to,
        _ => None,
    });
    out
}

/// A row of `partitions list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PartitionInfo {
    /// Table name.
    pub name: String,
    /// Lower bound, RFC 3339 (`null`: DEFAULT or MINVALUE).
    pub from: Option<String>,
    /// Upper bound, RFC 3339 (`null`: DEFAULT or MAXVALUE).
    pub to: Option<String>,
    /// Whether this is the DEFAULT partition.
    pub default: bool,
    /// Exact row count.
    pub rows: i64,
    /// Table + index + TOAST size in bytes.
    pub size_bytes: i64,
    /// The same, human readable.
    pub size: String,
}

/// Rows of one calendar month (UTC) sitting in the DEFAULT partition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DefaultMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Rows of that month.
    pub rows: i64,
}

/// What `partitions list` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listing {
    /// Every attached partition, by name.
    pub partitions: Vec<PartitionInfo>,
    /// What waits in DEFAULT, per month (rows `ensure` would move).
    pub default_rows_by_month: Vec<DefaultMonth>,
}

/// Everything attached to the parent with row counts and sizes, plus DEFAULT's rows per month.
pub fn list(client: &mut postgres::Client) -> Result<Listing, DbError> {
    let mut partitions = Vec::new();
    for part in attached(client)? {
        let size = client.query_one(
            "SELECT pg_total_relation_size($1::text::regclass),
                    pg_size_pretty(pg_total_relation_size($1::text::regclass))",
            &[&quote_ident(&part.name)],
        )?;
        let rows: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {}", quote_ident(&part.name)),
                &[],
            )?
            .get(0);
        let (from, to, default) = match &part.bound {
            Some(Bound::Default) => (None, None, true),
            Some(Bound::Range { from, to }) => {
                (from.map(timefmt::secs), to.map(timefmt::secs), false)
            }
            None => (None, None, false),
        };
        partitions.push(PartitionInfo {
            name: part.name,
            from,
            to,
            default,
            rows,
            size_bytes: size.get(0),
            size: size.get(1),
        });
    }
    let default_rows_by_month = match store::default_partition(client)? {
        Some(d) => default_months(client, &d)?,
        None => Vec::new(),
    };
    Ok(Listing {
        partitions,
        default_rows_by_month,
    })
}

fn default_months(
    client: &mut postgres::Client,
    default: &str,
) -> Result<Vec<DefaultMonth>, DbError> {
    let rows = client.query(
        &format!(
            "SELECT to_char(date_trunc('month', event_timestamp AT TIME ZONE 'UTC'), 'YYYY-MM'),
                    count(*)
             FROM {} GROUP BY 1 ORDER BY 1",
            quote_ident(default)
        ),
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| DefaultMonth {
            month: r.get(0),
            rows: r.get(1),
        })
        .collect())
}

/// `partitions ensure`: [`store::ensure`] one month at a time (same transactions, same
/// outcomes), telling `on_step` which month is next and how many DEFAULT rows moved into it,
/// so a long move out of DEFAULT can be shown as it goes.
pub fn ensure(
    client: &mut postgres::Client,
    now: DateTime<Utc>,
    ahead: u32,
    on_step: &dyn Fn(Step<'_>),
) -> Result<Vec<store::EnsureOutcome>, DbError> {
    let months = store::months_to_ensure(now, ahead);
    let count = months.len();
    let mut out = Vec::with_capacity(count);
    for (index, month) in months.into_iter().enumerate() {
        on_step(Step::Partition {
            name: &month.name,
            index,
            count,
            rows: 0,
        });
        // Midnight of the month's first day: `store::ensure` with 0 months ahead does exactly
        // this month.
        let start = month.from.and_time(chrono::NaiveTime::MIN).and_utc();
        for outcome in store::ensure(client, start, 0)? {
            match &outcome {
                store::EnsureOutcome::Created { moved_rows, .. } if *moved_rows > 0 => {
                    on_step(Step::Rows(*moved_rows))
                }
                _ => {}
            }
            out.push(outcome);
        }
    }
    Ok(out)
}

/// A month `ensure --dry-run` would create, with the DEFAULT rows it would move.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedMonth {
    /// Partition name.
    pub name: String,
    /// Rows of that month now in DEFAULT.
    pub rows_in_default: i64,
}

/// What `ensure` would do, changing nothing.
pub fn plan_ensure(
    client: &mut postgres::Client,
    now: DateTime<Utc>,
    ahead: u32,
) -> Result<Vec<PlannedMonth>, DbError> {
    let missing = store::missing(client, now, ahead)?;
    let waiting = match store::default_partition(client)? {
        Some(d) => default_months(client, &d)?,
        None => Vec::new(),
    };
    Ok(missing
        .into_iter()
        .map(|m: MonthPartition| {
            let month = m.from.format("%Y-%m").to_string();
            let rows_in_default = waiting
                .iter()
                .find(|w| w.month == month)
                .map_or(0, |w| w.rows);
            PlannedMonth {
                name: m.name,
                rows_in_default,
            }
        })
        .collect())
}

/// How `partitions drop` retires a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropMode {
    /// Move every row into event_audit_log_archive, then drop the emptied partition.
    Archive,
    /// Detach the partition and leave it as a plain table (for dumping elsewhere).
    Detach,
    /// Detach and drop: the rows are gone.
    Drop,
}

/// What happened (or would happen) to one retired partition.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DropOutcome {
    /// Partition name.
    pub name: String,
    /// Upper bound, RFC 3339.
    pub to: Option<String>,
    /// Rows it held (moved to the archive in `archive` mode).
    pub rows: i64,
    /// `archived`, `detached`, `dropped`, or `would …` in a dry run.
    pub action: String,
    /// Why it failed, if it did (one line).
    pub error: Option<String>,
}

/// How a long partition job (retire, ensure) advances, reported as it goes so the CLI can draw
/// a progress bar; the jobs themselves know nothing about terminals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Work on partition `name` begins: number `index` (from 0) of `count`, holding `rows` rows
    /// (0 when they are not counted beforehand).
    Partition {
        /// Partition name.
        name: &'a str,
        /// Its position in this run, from 0.
        index: usize,
        /// How many partitions this run works on.
        count: usize,
        /// Rows it holds, as counted before the work (0: not counted).
        rows: u64,
    },
    /// `n` more rows were moved (to the archive, or out of DEFAULT).
    Rows(u64),
}

/// Retire every partition entirely before `cutoff` (see [`retirable`]), each on its own; a
/// failure is recorded on that partition and the others still run. `on_step` hears each
/// partition as it starts and the rows moved.
pub fn retire_before(
    client: &mut postgres::Client,
    cutoff: DateTime<Utc>,
    mode: DropMode,
    dry_run: bool,
    tuning: &Tuning,
    on_step: &dyn Fn(Step<'_>),
) -> Result<Vec<DropOutcome>, DbError> {
    let parts = retirable(&attached(client)?, cutoff);
    let count = parts.len();
    let on_rows = |n: u64| on_step(Step::Rows(n));
    let mut out = Vec::new();
    for (index, part) in parts.into_iter().enumerate() {
        let to = match part.bound {
            Some(Bound::Range { to, .. }) => to.map(timefmt::secs),
            _ => None,
        };
        let rows: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {}", quote_ident(&part.name)),
                &[],
            )?
            .get(0);
        on_step(Step::Partition {
            name: &part.name,
            index,
            count,
            rows: rows.max(0) as u64,
        });
        let verb = match mode {
            DropMode::Archive => "archived",
            DropMode::Detach => "detached",
            DropMode::Drop => "dropped",
        };
        if dry_run {
            out.push(DropOutcome {
                name: part.name,
                to,
                rows,
                action: format!("would be {verb}"),
                error: None,
            });
            continue;
        }
        // In archive mode `rows` becomes what really moved, even when the final drop fails.
        let mut moved = rows as u64;
        let result = match mode {
            DropMode::Archive => {
                moved = 0;
                archive_partition(client, &part.name, tuning, &on_rows, &mut moved)
            }
            DropMode::Detach => detach(client, &part.name, false, tuning),
            DropMode::Drop => detach(client, &part.name, true, tuning),
        };
        let (action, error) = match result {
            Ok(()) => {
                log::info!("partition {} {verb} ({moved} rows)", part.name);
                (verb.to_string(), None)
            }
            Err(e) => {
                log::warn!("partition {}: {e}", part.name);
                (format!("not {verb}"), Some(e.to_string()))
            }
        };
        out.push(DropOutcome {
            name: part.name,
            to,
            rows: moved as i64,
            action,
            error,
        });
    }
    Ok(out)
}

// The columns of an audit row, in the order both tables share (the archive adds its own id and
// the provenance columns). Explicit, because v2.5 copied positionally and put source ids in the
// archive's primary key.
const ROW_COLUMNS: &str = "event_timestamp, hostname, matched_rule_id, handling_decision, \
                           forwarded_to_moog, raw_message, event_id, silenced_by, dedup_of";

/// `INSERT INTO archive … SELECT … FROM moved` where `moved` yields audit rows plus a `part`
/// column naming their partition.
fn archive_insert_from(moved: &str) -> String {
    format!(
        "INSERT INTO {ARCHIVE} ({ROW_COLUMNS}, archived_from_partition, original_id,
                                original_partition_timestamp)
         SELECT {ROW_COLUMNS}, left(part, {PARTITION_LABEL_MAX}), id, event_timestamp FROM {moved}"
    )
}

fn pause(tuning: &Tuning) {
    if !tuning.pause.is_zero() {
        std::thread::sleep(tuning.pause);
    }
}

/// Move a partition's rows into the archive in batches (each its own short transaction, so
/// readers and the alerter never wait on a long one), then detach and drop it in one
/// transaction that also sweeps any row written meanwhile. `moved` counts rows archived (also
/// when a later step fails: committed batches stay archived).
pub fn archive_partition(
    client: &mut postgres::Client,
    name: &str,
    tuning: &Tuning,
    on_rows: &dyn Fn(u64),
    moved: &mut u64,
) -> Result<(), DbError> {
    let table = quote_ident(name);
    let batch_sql = format!(
        "WITH moved AS (
             DELETE FROM {table} WHERE ctid = ANY(ARRAY(
                 SELECT ctid FROM {table} LIMIT $1 FOR UPDATE SKIP LOCKED))
             RETURNING *, $2::text AS part)
         {}",
        archive_insert_from("moved")
    );
    loop {
        let mut tx = client.transaction()?;
        let n = tx.execute(&batch_sql, &[&tuning.batch_size, &name])?;
        tx.commit()?;
        *moved += n;
        on_rows(n);
        if (n as i64) < tuning.batch_size {
            break;
        }
        pause(tuning);
    }
    let mut tx = begin_detach(client, &table, tuning)?;
    let late = tx.execute(
        &format!(
            "WITH moved AS (SELECT *, $1::text AS part FROM {table}) {}",
            archive_insert_from("moved")
        ),
        &[&name],
    )?;
    tx.batch_execute(&format!("DROP TABLE {table}"))?;
    tx.commit()?;
    *moved += late;
    on_rows(late);
    Ok(())
}

/// Open a transaction that has detached `table` (a quoted name) from the parent, waiting at
/// most the DDL lock timeout so the alerter's inserts never queue behind it.
fn begin_detach<'c>(
    client: &'c mut postgres::Client,
    table: &str,
    tuning: &Tuning,
) -> Result<postgres::Transaction<'c>, DbError> {
    let mut tx = client.transaction()?;
    tx.batch_execute(&format!(
        "SET LOCAL lock_timeout = {}",
        tuning.ddl_lock_timeout_ms
    ))?;
    tx.batch_execute(&format!("ALTER TABLE {PARENT} DETACH PARTITION {table}"))?;
    Ok(tx)
}

/// Detach a partition (and drop it when `drop`), waiting at most the DDL lock timeout for the
/// parent's lock. DETACH … CONCURRENTLY is not possible while a DEFAULT partition exists.
fn detach(
    client: &mut postgres::Client,
    name: &str,
    drop: bool,
    tuning: &Tuning,
) -> Result<(), DbError> {
    let table = quote_ident(name);
    let mut tx = begin_detach(client, &table, tuning)?;
    if drop {
        tx.batch_execute(&format!("DROP TABLE {table}"))?;
    }
    tx.commit()?;
    Ok(())
}

/// Move rows of the parent (any partition, DEFAULT included) older than `cutoff` into the
/// archive, `batch_size` per transaction; rows locked by someone else are left for the next run.
/// Returns rows moved.
pub fn archive_rows_before(
    client: &mut postgres::Client,
    cutoff: DateTime<Utc>,
    tuning: &Tuning,
    on_rows: &dyn Fn(u64),
) -> Result<u64, DbError> {
    // Matching on the primary key (id, event_timestamp) lets each partition use its index;
    // tableoid names the partition the row really came from.
    let sql = format!(
        "WITH batch AS (
             SELECT id, event_timestamp FROM {PARENT} WHERE event_timestamp < $1
             LIMIT $2 FOR UPDATE SKIP LOCKED),
         moved AS (
             DELETE FROM {PARENT} e USING batch b
             WHERE e.id = b.id AND e.event_timestamp = b.event_timestamp
             RETURNING e.*, e.tableoid::regclass::text AS part)
         {}",
        archive_insert_from("moved")
    );
    let mut total = 0u64;
    loop {
        let mut tx = client.transaction()?;
        let n = tx.execute(&sql, &[&cutoff, &tuning.batch_size])?;
        tx.commit()?;
        total += n;
        on_rows(n);
        if (n as i64) < tuning.batch_size {
            return Ok(total);
        }
        pause(tuning);
    }
}

// Arbitrary but fixed: held (session level) by every `retention run` and `partitions drop`, so
// two of them never work on the same rows at once.
const RETENTION_LOCK_KEY: i64 = 0x6d75_7474_7265_746e; // "muttretn"

// How often a waiting run retries the lock.
const LOCK_POLL: Duration = Duration::from_millis(200);

/// Take the retention lock, retrying for up to `wait`; `false` if another run still holds it.
/// Released when the connection closes.
pub fn take_retention_lock(client: &mut postgres::Client, wait: Duration) -> Result<bool, DbError> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&RETENTION_LOCK_KEY])?
            .get(0);
        if got {
            return Ok(true);
        }
        if std::time::Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(LOCK_POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    fn month(name: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Attached {
        Attached {
            name: name.into(),
            bound: Some(Bound::Range {
                from: Some(from),
                to: Some(to),
            }),
        }
    }

    #[test]
    fn bounds_parse_in_any_session_offset() {
        assert_eq!(parse_bound("DEFAULT"), Some(Bound::Default));
        assert_eq!(
            parse_bound("FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')"),
            Some(Bound::Range {
                from: Some(utc(2026, 11, 1)),
                to: Some(utc(2026, 12, 1)),
            })
        );
        assert_eq!(
            parse_bound("FOR VALUES FROM ('2026-10-31 20:00:00-04') TO ('2026-11-30 19:00:00-05')"),
            Some(Bound::Range {
                from: Some(utc(2026, 11, 1)),
                to: Some(utc(2026, 12, 1)),
            })
        );
        assert_eq!(
            parse_bound("FOR VALUES FROM (MINVALUE) TO ('2026-01-01 05:30:00+05:30')"),
            Some(Bound::Range {
                from: None,
                to: Some(utc(2026, 1, 1)),
            })
        );
        assert_eq!(parse_bound("FOR VALUES IN (1)"), None);
    }

    #[test]
    fn months_cutoff_is_calendar_months_back() {
        let now = Utc.with_ymd_and_hms(2026, 5, 31, 10, 0, 0).unwrap();
        // Clamped to the last day of a shorter month.
        assert_eq!(
            months_cutoff(now, 3),
            Utc.with_ymd_and_hms(2026, 2, 28, 10, 0, 0).unwrap()
        );
        assert_eq!(
            months_cutoff(now, 12),
            Utc.with_ymd_and_hms(2025, 5, 31, 10, 0, 0).unwrap()
        );
    }

    #[test]
    fn only_months_wholly_before_the_cutoff_are_retirable() {
        let parts = vec![
            month("event_audit_log_2026_03", utc(2026, 3, 1), utc(2026, 4, 1)),
            month("event_audit_log_2026_01", utc(2026, 1, 1), utc(2026, 2, 1)),
            month("event_audit_log_2026_02", utc(2026, 2, 1), utc(2026, 3, 1)),
            // v2.5's misaligned partition: mid-month to mid-month.
            month(
                "event_audit_log_2026_02x",
                utc(2026, 2, 15),
                utc(2026, 3, 15),
            ),
            Attached {
                name: "event_audit_log_default".into(),
                bound: Some(Bound::Default),
            },
            Attached {
                name: "open_ended".into(),
                bound: Some(Bound::Range {
                    from: Some(utc(2026, 1, 1)),
                    to: None,
                }),
            },
            Attached {
                name: "unreadable".into(),
                bound: None,
            },
        ];
        // Cutoff inside March: March is not entirely past it; upper bound == cutoff counts.
        let names =
            |c| -> Vec<String> { retirable(&parts, c).into_iter().map(|p| p.name).collect() };
        assert_eq!(
            names(Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()),
            vec!["event_audit_log_2026_01", "event_audit_log_2026_02"]
        );
        assert_eq!(
            names(utc(2026, 3, 15)),
            vec![
                "event_audit_log_2026_01",
                "event_audit_log_2026_02",
                "event_audit_log_2026_02x"
            ]
        );
        assert!(names(utc(2026, 1, 31)).is_empty());
    }
}
