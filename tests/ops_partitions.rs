//! `mutt partitions ensure|list|drop` against a real PostgreSQL: months created ahead with UTC
//! bounds, DEFAULT rows moved into their month, archive-then-drop keeping every row, and never
//! retiring a month that is not entirely past the cutoff.

mod common;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use common::sorted_ids as ids;
use common::{stderr, stdout, TestEnv};
use mutt::store::postgres::partitions::{add_months, MonthPartition};

fn count(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

/// The month `offset` months from the current one (negative: past).
fn month(offset: i32) -> MonthPartition {
    let now = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap();
    let day = if offset >= 0 {
        add_months(first, offset as u32)
    } else {
        first
            .checked_sub_months(chrono::Months::new((-offset) as u32))
            .unwrap()
    };
    MonthPartition::containing(day)
}

fn at(day: NaiveDate, days_in: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap()) + Duration::days(days_in)
}

/// A migrated database (current month only) with one rule for the audit rows' foreign key.
fn setup() -> (TestEnv, postgres::Client) {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate", "--partitions-ahead", "0"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut c = t.admin();
    c.batch_execute(
        "SET TIME ZONE 'UTC';
         INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment)
         VALUES ('x', 'Page_only', 'Ignore', 'NetOps')",
    )
    .unwrap();
    (t, c)
}

/// Insert one audit row per timestamp; returns their ids.
fn insert(c: &mut postgres::Client, times: &[DateTime<Utc>]) -> Vec<i64> {
    times
        .iter()
        .map(|ts| {
            c.query_one(
                "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision, raw_message)
                 VALUES ($1, 'h', 1, 'Page_only', '{}') RETURNING id",
                &[ts],
            )
            .unwrap()
            .get(0)
        })
        .collect()
}

fn exists(c: &mut postgres::Client, table: &str) -> bool {
    c.query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&table])
        .unwrap()
        .get(0)
}

fn attached(c: &mut postgres::Client) -> Vec<(String, String)> {
    c.query(
        "SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'event_audit_log'::regclass ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[test]
fn ensure_creates_the_current_and_following_months_with_utc_bounds() {
    let (t, mut c) = setup();
    let out = t.mutt(&["partitions", "ensure", "--ahead", "2", "-o", "json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let actions: Vec<(String, String)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_string(),
                o["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            (month(0).name, "exists".to_string()),
            (month(1).name, "created".to_string()),
            (month(2).name, "created".to_string()),
        ]
    );
    let parts = attached(&mut c);
    for i in 0..=2 {
        let m = month(i);
        let bound = &parts.iter().find(|(n, _)| *n == m.name).unwrap().1;
        assert_eq!(
            bound,
            &format!(
                "FOR VALUES FROM ('{}') TO ('{}')",
                m.from_literal(),
                m.to_literal()
            )
        );
    }
    assert!(!exists(&mut c, &month(3).name));

    // Dry run names what is missing and creates nothing; a second real run changes nothing.
    let dry = t.mutt(&["partitions", "ensure", "--ahead", "4", "--dry-run"], &[]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(
        text.contains(&month(3).name) && text.contains(&month(4).name),
        "{text}"
    );
    assert!(!text.contains(&month(2).name), "{text}");
    assert!(!exists(&mut c, &month(3).name));
    let again = t.mutt(&["partitions", "ensure", "--ahead", "2"], &[]);
    assert!(again.status.success());
    assert!(!stdout(&again).contains("created"), "{}", stdout(&again));
    assert_eq!(attached(&mut c), parts);
}

#[test]
fn default_rows_move_into_their_new_month_and_list_shows_them_first() {
    let (t, mut c) = setup();
    let far = month(5);
    let moved = insert(&mut c, &[at(far.from, 0), at(far.from, 20), at(far.to, -1)]);
    let later = insert(&mut c, &[at(month(7).from, 3)]);
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_default"),
        4
    );

    let list = t.mutt(&["partitions", "list", "-o", "json"], &[]);
    assert!(list.status.success(), "{}", stderr(&list));
    let listing: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    let waiting = &listing["default_rows_by_month"];
    assert_eq!(waiting[0]["month"], far.from.format("%Y-%m").to_string());
    assert_eq!(waiting[0]["rows"], 3);
    assert_eq!(waiting[1]["rows"], 1);
    let default = listing["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["default"] == true)
        .unwrap();
    assert_eq!(default["rows"], 4);
    let table = stdout(&t.mutt(&["partitions", "list"], &[]));
    assert!(
        table.contains("in DEFAULT:") && table.contains("(3 rows)"),
        "{table}"
    );

    let dry = t.mutt(
        &[
            "partitions",
            "ensure",
            "--ahead",
            "5",
            "--dry-run",
            "-o",
            "json",
        ],
        &[],
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&dry)).unwrap();
    let planned = plan
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == far.name.as_str())
        .unwrap();
    assert_eq!(planned["rows_in_default"], 3);
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_default"),
        4
    );

    let out = t.mutt(&["partitions", "ensure", "--ahead", "5"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        ids(&mut c, &format!("SELECT id FROM {}", far.name)),
        moved,
        "the month's rows now live in its partition"
    );
    assert_eq!(
        ids(&mut c, "SELECT id FROM event_audit_log_default"),
        later,
        "rows of months still without a partition stay in DEFAULT"
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM event_audit_log"), 4);
}

#[test]
fn archive_mode_keeps_every_row_and_retires_only_months_wholly_past_the_cutoff() {
    let (t, mut c) = setup();
    for i in [-4, -3, -2, -1] {
        c.batch_execute(&month(i).create_sql()).unwrap();
    }
    let mut old = Vec::new();
    for i in [-4, -3] {
        let m = month(i);
        old.extend(insert(
            &mut c,
            &[at(m.from, 0), at(m.from, 1), at(m.from, 9), at(m.to, -1)],
        ));
    }
    // Month −2 starts before the cutoff (now − 2 months) but ends after it: it stays whole.
    let boundary = month(-2);
    let kept = insert(&mut c, &[at(boundary.from, 0), at(boundary.to, -1)]);
    let current = insert(&mut c, &[Utc::now()]);
    // A held-back row keeps what held it back in the archive.
    c.execute(
        "UPDATE event_audit_log SET silenced_by = 7, dedup_of = 'sent-1' WHERE id = $1",
        &[&old[0]],
    )
    .unwrap();

    let dry = t.mutt(
        &[
            "partitions",
            "drop",
            "--older-than",
            "2",
            "--dry-run",
            "-o",
            "json",
        ],
        &[],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&dry)).unwrap();
    let names: Vec<&str> = plan
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![month(-4).name.as_str(), month(-3).name.as_str()]
    );
    assert_eq!(plan[0]["rows"], 4);
    assert!(exists(&mut c, &month(-4).name), "dry run drops nothing");
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_archive"),
        0
    );

    // Batches of 3 exercise the batched move (4 rows per month).
    let out = t.mutt(
        &["partitions", "drop", "--older-than", "2", "-o", "json"],
        &[("RETENTION_BATCH_SIZE", "3")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(report
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["action"] == "archived" && p["rows"] == 4));

    assert_eq!(
        ids(&mut c, "SELECT original_id FROM event_audit_log_archive"),
        old,
        "every row of the retired months is in the archive, once"
    );
    for i in [-4, -3] {
        let name = month(i).name;
        assert!(!exists(&mut c, &name), "{name} dropped");
        assert_eq!(
            count(
                &mut c,
                &format!(
                    "SELECT count(*) FROM event_audit_log_archive WHERE archived_from_partition = '{name}'"
                )
            ),
            4
        );
    }
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM event_audit_log_archive a WHERE a.original_partition_timestamp <> a.event_timestamp OR a.hostname <> 'h' OR a.raw_message <> '{}'"
        ),
        0,
        "columns copied by name"
    );
    assert_eq!(
        count(
            &mut c,
            &format!(
                "SELECT count(*) FROM event_audit_log_archive WHERE original_id = {} \
                 AND silenced_by = 7 AND dedup_of = 'sent-1'",
                old[0]
            )
        ),
        1,
        "silenced_by and dedup_of archived"
    );
    assert_eq!(
        ids(&mut c, &format!("SELECT id FROM {}", boundary.name)),
        kept
    );
    assert!(exists(&mut c, &month(-1).name));
    let mut remaining = kept.clone();
    remaining.extend(&current);
    remaining.sort();
    assert_eq!(ids(&mut c, "SELECT id FROM event_audit_log"), remaining);

    // Idempotent: nothing left to retire.
    let again = t.mutt(
        &["partitions", "drop", "--older-than", "2", "-o", "json"],
        &[],
    );
    assert!(again.status.success());
    assert_eq!(stdout(&again).trim(), "[]");
}

#[test]
fn detach_leaves_the_table_and_drop_removes_it() {
    let (t, mut c) = setup();
    for i in [-6, -5] {
        c.batch_execute(&month(i).create_sql()).unwrap();
    }
    insert(&mut c, &[at(month(-6).from, 2), at(month(-5).from, 2)]);

    let out = t.mutt(
        &[
            "partitions",
            "drop",
            "--older-than",
            "5",
            "--mode",
            "detach",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let detached = month(-6).name;
    assert!(exists(&mut c, &detached), "detach keeps the table");
    assert_eq!(
        count(&mut c, &format!("SELECT count(*) FROM {detached}")),
        1
    );
    assert!(!attached(&mut c).iter().any(|(n, _)| *n == detached));
    assert!(
        exists(&mut c, &month(-5).name),
        "−5 ends after now − 5 months"
    );

    let out = t.mutt(
        &["partitions", "drop", "--older-than", "4", "--mode", "drop"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!exists(&mut c, &month(-5).name));
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_archive"),
        0
    );
}

#[test]
fn drop_needs_a_positive_older_than() {
    let t = TestEnv::new();
    let out = t.mutt(&["partitions", "drop"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = t.mutt(&["partitions", "drop", "--older-than", "0"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_busy_parent_makes_the_drop_fail_fast_without_losing_or_doubling_rows() {
    let (t, mut c) = setup();
    let old = month(-8);
    c.batch_execute(&old.create_sql()).unwrap();
    let rows = insert(&mut c, &[at(old.from, 1), at(old.from, 2), at(old.from, 3)]);

    // A long reader on the parent: DETACH needs an exclusive lock and must give up, not queue.
    let mut reader = t.admin();
    let mut tx = reader.transaction().unwrap();
    tx.query("SELECT count(*) FROM event_audit_log", &[])
        .unwrap();
    let started = std::time::Instant::now();
    let out = t.mutt(
        &["partitions", "drop", "--older-than", "6"],
        &[("RETENTION_DDL_LOCK_TIMEOUT_MS", "300")],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("1 partition(s) failed"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("lock timeout"), "{}", stdout(&out));
    assert_eq!(
        ids(&mut c, "SELECT original_id FROM event_audit_log_archive"),
        rows,
        "the rows were archived before the drop was attempted"
    );
    assert!(exists(&mut c, &old.name), "still there, empty");
    tx.rollback().unwrap();

    let out = t.mutt(&["partitions", "drop", "--older-than", "6"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!exists(&mut c, &old.name));
    assert_eq!(
        ids(&mut c, "SELECT original_id FROM event_audit_log_archive"),
        rows,
        "nothing archived twice"
    );
}

#[test]
fn retirement_and_ensure_report_each_partition_and_every_row_moved() {
    use mutt::ops::partitions::{self as ops, DropMode, Step, Tuning};
    use std::cell::RefCell;
    let (_t, mut c) = setup();
    for i in [-4, -3] {
        c.batch_execute(&month(i).create_sql()).unwrap();
        let m = month(i);
        insert(
            &mut c,
            &[at(m.from, 0), at(m.from, 1), at(m.from, 9), at(m.to, -1)],
        );
    }
    let far = month(2);
    insert(&mut c, &[at(far.from, 0), at(far.from, 3)]);

    // What a progress bar would hear, as text.
    let heard = RefCell::new(Vec::<String>::new());
    let record = |s: Step<'_>| {
        heard.borrow_mut().push(match s {
            Step::Partition {
                name,
                index,
                count,
                rows,
            } => format!("{name} {index}/{count} {rows}"),
            Step::Rows(n) => format!("+{n}"),
        })
    };
    let tuning = Tuning {
        batch_size: 3,
        pause: std::time::Duration::ZERO,
        ddl_lock_timeout_ms: 5_000,
    };
    let cutoff = ops::months_cutoff(Utc::now(), 2);
    let out =
        ops::retire_before(&mut c, cutoff, DropMode::Archive, false, &tuning, &record).unwrap();
    assert_eq!(out.len(), 2);
    let (a, b) = (month(-4).name, month(-3).name);
    // Batches of 3 of 4 rows: 3, then 1 (short batch ends the loop), then the sweep finds 0.
    assert_eq!(
        heard.take(),
        vec![
            format!("{a} 0/2 4"),
            "+3".into(),
            "+1".into(),
            "+0".into(),
            format!("{b} 1/2 4"),
            "+3".into(),
            "+1".into(),
            "+0".into(),
        ]
    );

    let outcomes = ops::ensure(&mut c, Utc::now(), 2, &record).unwrap();
    assert_eq!(outcomes.len(), 3);
    let heard = heard.take();
    assert_eq!(heard.len(), 4, "{heard:?}");
    assert_eq!(heard[2], format!("{} 2/3 0", far.name));
    assert_eq!(
        heard[3], "+2",
        "the two DEFAULT rows moved into {}",
        far.name
    );
    assert_eq!(
        count(&mut c, &format!("SELECT count(*) FROM {}", far.name)),
        2
    );
}

#[test]
fn drop_and_ensure_draw_bars_on_a_terminal_only_when_there_is_work() {
    let (t, mut c) = setup();
    c.batch_execute(&month(-4).create_sql()).unwrap();
    let m = month(-4);
    insert(&mut c, &[at(m.from, 0), at(m.from, 1)]);
    let far = month(2);
    insert(&mut c, &[at(far.from, 0)]);

    let done = common::pty::Terminal::spawn(
        &["partitions", "drop", "--older-than", "2"],
        &t.env(),
        false,
    )
    .finish();
    done.assert_bar_drawn(&["partitions drop", &m.name]);
    assert!(done.stdout.contains("archived"), "{:?}", done.stdout);

    // Rows wait in DEFAULT for a month to create: a bar.
    let done =
        common::pty::Terminal::spawn(&["partitions", "ensure", "--ahead", "2"], &t.env(), false)
            .finish();
    done.assert_bar_drawn(&["partitions ensure"]);
    assert!(done.stdout.contains("created"), "{:?}", done.stdout);

    // Nothing to move (and nothing to create): no bar at all, and none with -o json.
    for args in [
        &["partitions", "ensure", "--ahead", "2"][..],
        &["-o", "json", "partitions", "drop", "--older-than", "2"][..],
    ] {
        let done = common::pty::Terminal::spawn(args, &t.env(), false).finish();
        done.assert_no_bar(&["partitions"]);
    }
}
