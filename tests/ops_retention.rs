//! `mutt retention run` against real PostgreSQL and Redis: a seeded database and DLQ lists lose
//! exactly what is past each policy, a dry run changes nothing anywhere, two concurrent runs
//! archive each row once, short periods need `--force`, and a failing store gives exit 3.

mod common;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use common::sorted_ids as ids;
use common::{stderr, stdout, TestEnv};
use mutt::store::postgres::partitions::MonthPartition;
use redis::Commands;

fn count(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

fn ago(days: i64) -> DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

fn month_back(n: u32) -> MonthPartition {
    let now = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap();
    MonthPartition::containing(first.checked_sub_months(chrono::Months::new(n)).unwrap())
}

fn dlq_keys(t: &TestEnv) -> [String; 3] {
    ["alerter", "moog", "dead"].map(|d| format!("{}:dlq:{d}", t.prefix))
}

/// What the seed expects to survive and to go.
struct Seed {
    events_old: Vec<i64>,
    events_young: Vec<i64>,
    archive_kept: Vec<i64>,
    config_kept: Vec<i64>,
    dlq_kept: Vec<String>,
    dlq_expired_per_list: usize,
}

fn dlq_entry(failed_days: Option<i64>, received_days: Option<i64>, tag: &str) -> String {
    let mut v = serde_json::json!({"hostname": "h", "message": tag});
    if let Some(d) = received_days {
        v["_received_at"] = ago(d)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into();
    }
    if let Some(d) = failed_days {
        v["_dlq"] = serde_json::json!({
            "reason": "x",
            "failed_at": ago(d).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
    }
    v.to_string()
}

/// Migrate, add past monthly partitions, and seed rows of known ages everywhere.
fn seed(t: &TestEnv) -> Seed {
    let out = t.mutt(&["migrate", "--partitions-ahead", "0"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut c = t.admin();
    c.batch_execute(
        "INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment)
         VALUES ('x', 'Page_only', 'Ignore', 'NetOps')",
    )
    .unwrap();
    for n in 1..=6 {
        c.batch_execute(&month_back(n).create_sql()).unwrap();
    }
    let mut insert = |days: &[i64]| -> Vec<i64> {
        days.iter()
            .map(|d| {
                c.query_one(
                    "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision)
                     VALUES ($1, 'h', 1, 'Page_only') RETURNING id",
                    &[&ago(*d)],
                )
                .unwrap()
                .get(0)
            })
            .collect()
    };
    // 400 days: before every partition (DEFAULT); 170/160: a whole past month; 91–95: the
    // boundary month, row by row.
    let mut events_old = insert(&[400, 170, 165, 160, 95, 92, 91]);
    events_old.sort();
    let mut events_young = insert(&[89, 60, 10, 0]);
    events_young.sort();

    let mut archive = |years_days: &[i64]| -> Vec<i64> {
        years_days
            .iter()
            .map(|d| {
                c.query_one(
                    "INSERT INTO event_audit_log_archive (event_timestamp, hostname, matched_rule_id, handling_decision)
                     VALUES ($1, 'h', 1, 'Page_only') RETURNING id",
                    &[&ago(*d)],
                )
                .unwrap()
                .get(0)
            })
            .collect()
    };
    archive(&[9 * 365, 7 * 365 + 5]);
    let mut archive_kept = archive(&[7 * 365 - 5, 365]);
    archive_kept.sort();

    let mut config = |days: &[i64]| -> Vec<i64> {
        days.iter()
            .map(|d| {
                c.query_one(
                    "INSERT INTO config_audit_log (changed_at, changed_by, operation, table_name, record_id)
                     VALUES ($1, 'cli:test', 'UPDATE', 'alert_rules', 1) RETURNING id",
                    &[&ago(*d)],
                )
                .unwrap()
                .get(0)
            })
            .collect()
    };
    config(&[800, 366]);
    let mut config_kept = config(&[364, 0]);
    config_kept.sort();

    // Newest first, as producers LPUSH; expired ones scattered (remediation pushes back).
    let entries = [
        (dlq_entry(Some(29), Some(50), "kept-failed-recently"), true),
        (dlq_entry(Some(40), None, "old-failed"), false),
        ("not json".to_string(), true),
        (dlq_entry(None, Some(35), "old-received"), false),
        (dlq_entry(None, None, "undated"), true),
        (dlq_entry(None, Some(2), "young-received"), true),
        (dlq_entry(Some(31), Some(31), "old-both"), false),
    ];
    let mut r = common::redis();
    for key in dlq_keys(t) {
        for (e, _) in &entries {
            let _: () = r.rpush(&key, e).unwrap();
        }
    }
    Seed {
        events_old,
        events_young,
        archive_kept,
        config_kept,
        dlq_kept: entries
            .iter()
            .filter(|(_, keep)| *keep)
            .map(|(e, _)| e.clone())
            .collect(),
        dlq_expired_per_list: entries.iter().filter(|(_, keep)| !keep).count(),
    }
}

fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn affected(report: &serde_json::Value, target: &str) -> u64 {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == target)
        .unwrap_or_else(|| panic!("no {target}"))["affected"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_run_removes_exactly_what_is_past_each_policy() {
    let t = TestEnv::new();
    let s = seed(&t);
    // Batches of 2 so every target takes several transactions.
    let out = t.mutt(
        &["retention", "run", "-o", "json"],
        &[("RETENTION_BATCH_SIZE", "2")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(affected(&r, "event_audit"), s.events_old.len() as u64);
    assert_eq!(affected(&r, "event_archive"), 2);
    assert_eq!(affected(&r, "config_audit"), 2);
    for d in ["dlq:alerter", "dlq:moog", "dlq:dead"] {
        assert_eq!(affected(&r, d), s.dlq_expired_per_list as u64, "{d}");
    }

    let mut c = t.admin();
    assert_eq!(
        ids(&mut c, "SELECT id FROM event_audit_log"),
        s.events_young
    );
    assert_eq!(
        ids(
            &mut c,
            "SELECT original_id FROM event_audit_log_archive WHERE original_id IS NOT NULL"
        ),
        s.events_old,
        "old events moved to the archive, each once"
    );
    let mut kept = s.archive_kept.clone();
    kept.extend(ids(
        &mut c,
        "SELECT id FROM event_audit_log_archive WHERE original_id IS NOT NULL",
    ));
    kept.sort();
    assert_eq!(ids(&mut c, "SELECT id FROM event_audit_log_archive"), kept);
    assert_eq!(
        ids(&mut c, "SELECT id FROM config_audit_log"),
        s.config_kept
    );

    // The whole month of the 160–170-day rows went by partition; DEFAULT rows are labelled so.
    let whole = count(
        &mut c,
        "SELECT count(*) FROM event_audit_log_archive WHERE archived_from_partition LIKE 'event_audit_log_20%'",
    );
    assert!(whole >= 3, "{whole}");
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM event_audit_log_archive WHERE archived_from_partition = 'event_audit_log_default'"
        ),
        1
    );
    assert!(!c
        .query_one(
            "SELECT to_regclass($1::text) IS NOT NULL",
            &[&month_back(6).name]
        )
        .unwrap()
        .get::<_, bool>(0));

    let mut redis = common::redis();
    for key in dlq_keys(&t) {
        let left: Vec<String> = redis.lrange(&key, 0, -1).unwrap();
        assert_eq!(left, s.dlq_kept, "{key}");
    }

    // A second run finds nothing.
    let again = t.mutt(&["retention", "run", "-o", "json"], &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    let r = report(&again);
    assert!(r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["affected"] == 0));
}

fn snapshot(t: &TestEnv) -> Vec<String> {
    let mut c = t.admin();
    let mut out = Vec::new();
    for table in [
        "event_audit_log",
        "event_audit_log_archive",
        "config_audit_log",
    ] {
        for row in c
            .query(
                &format!("SELECT row_to_json(x)::text FROM {table} x ORDER BY id"),
                &[],
            )
            .unwrap()
        {
            out.push(format!("{table}: {}", row.get::<_, String>(0)));
        }
    }
    for row in c
        .query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'event_audit_log'::regclass ORDER BY 1",
            &[],
        )
        .unwrap()
    {
        out.push(format!("partition: {}", row.get::<_, String>(0)));
    }
    let mut redis = common::redis();
    for key in dlq_keys(t) {
        let items: Vec<String> = redis.lrange(&key, 0, -1).unwrap();
        out.push(format!("{key}: {items:?}"));
    }
    out
}

#[test]
fn dry_run_reports_per_target_and_changes_nothing_anywhere() {
    let t = TestEnv::new();
    let s = seed(&t);
    let before = snapshot(&t);
    let out = t.mutt(&["retention", "run", "--dry-run", "-o", "json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(snapshot(&t), before);
    let r = report(&out);
    assert_eq!(r["dry_run"], true);
    assert_eq!(affected(&r, "event_audit"), s.events_old.len() as u64);
    assert_eq!(affected(&r, "event_archive"), 2);
    assert_eq!(affected(&r, "config_audit"), 2);
    assert_eq!(affected(&r, "dlq:moog"), s.dlq_expired_per_list as u64);

    let table = t.mutt(&["retention", "run", "--dry-run"], &[]);
    assert!(table.status.success());
    let text = stdout(&table);
    assert!(
        text.contains("TARGET") && text.contains("would be archived"),
        "{text}"
    );
    assert_eq!(snapshot(&t), before);
}

#[test]
fn two_concurrent_runs_archive_each_row_exactly_once() {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate", "--partitions-ahead", "0"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut c = t.admin();
    c.batch_execute(&format!(
        "INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment)
         VALUES ('x', 'Page_only', 'Ignore', 'NetOps');
         {};
         INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision)
         SELECT now() - interval '100 days' - (g % 200) * interval '1 day', 'h', 1, 'Page_only'
         FROM generate_series(1, 3000) g;
         INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision)
         SELECT now() - (g % 80) * interval '1 day', 'h', 1, 'Page_only'
         FROM generate_series(1, 500) g;",
        month_back(5).create_sql()
    ))
    .unwrap();
    let expected = ids(
        &mut c,
        "SELECT id FROM event_audit_log WHERE event_timestamp < now() - interval '90 days'",
    );
    assert_eq!(expected.len(), 3000);

    let env = [
        ("RETENTION_BATCH_SIZE", "50"),
        ("RETENTION_LOCK_WAIT_SECONDS", "120"),
    ];
    let outs: Vec<std::process::Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| t.mutt(&["retention", "run", "-o", "json"], &env)))
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut total = 0;
    for out in &outs {
        assert!(out.status.success(), "{}", stderr(out));
        total += affected(&report(out), "event_audit");
    }
    assert_eq!(total, 3000, "the two reports add up to the rows archived");
    assert_eq!(
        ids(&mut c, "SELECT original_id FROM event_audit_log_archive"),
        expected,
        "each row archived exactly once"
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM event_audit_log"), 500);

    // Without waiting, a run that finds the lock taken says so in one line and exits 1.
    let mut holder = t.admin();
    holder
        .batch_execute("SELECT pg_advisory_lock(x'6d7574747265746e'::bigint)")
        .unwrap();
    let blocked = t.mutt(&["retention", "run"], &[]);
    assert_eq!(blocked.status.code(), Some(1));
    let err = stderr(&blocked);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("another `mutt retention run`"), "{err}");
    let blocked = t.mutt(&["partitions", "drop", "--older-than", "1"], &[]);
    assert_eq!(blocked.status.code(), Some(1), "{}", stderr(&blocked));
}

#[test]
fn short_periods_are_refused_without_force_and_legal_hold_does_nothing() {
    let t = TestEnv::new();
    let s = seed(&t);
    let before = snapshot(&t);

    let out = t.mutt(
        &["retention", "run"],
        &[("RETENTION_EVENT_AUDIT_DAYS", "5")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("event audit 5 days < 30") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(snapshot(&t), before);

    // The dynamic key overrides the setting (and is checked the same way).
    let mut r = common::redis();
    let _: () = r
        .set(format!("{}:config:dlq_retention_days", t.prefix), "1")
        .unwrap();
    let out = t.mutt(&["retention", "run"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("dlq 1 days < 7"), "{}", stderr(&out));

    let _: () = r
        .set(
            format!("{}:config:retention_enforcement_enabled", t.prefix),
            "false",
        )
        .unwrap();
    let out = t.mutt(&["retention", "run"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("disabled"));
    assert_eq!(snapshot(&t), before);
    let _: () = r
        .del(format!("{}:config:retention_enforcement_enabled", t.prefix))
        .unwrap();

    // With --force: DLQ entries older than 1 day go too (the 2-day-old one included).
    let out = t.mutt(&["retention", "run", "--force", "-o", "json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        affected(&report(&out), "dlq:alerter"),
        s.dlq_expired_per_list as u64 + 2
    );
}

#[test]
fn an_unreachable_redis_is_a_partial_failure() {
    let t = TestEnv::new();
    let s = seed(&t);
    let out = t.mutt(
        &["retention", "run", "-o", "json"],
        &[("REDIS_PORT", "1"), ("REDIS_CONNECT_TIMEOUT", "1")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(affected(&r, "event_audit"), s.events_old.len() as u64);
    let dlq = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "dlq:alerter")
        .unwrap();
    assert!(dlq["error"].is_string());
    assert!(!stderr(&out).contains("SELECT"), "{}", stderr(&out));
}

#[test]
fn a_run_on_a_terminal_shows_progress_for_tables_only() {
    let t = TestEnv::new();
    seed(&t);
    let env = t.env_with(&[("RETENTION_BATCH_SIZE", "2".to_string())]);
    let done =
        common::pty::Terminal::spawn(&["-o", "json", "retention", "run"], &env, false).finish();
    done.assert_no_bar(&[]);
    let r: serde_json::Value = serde_json::from_str(&done.stdout).expect("stdout is JSON");
    assert!(affected(&r, "event_audit") > 0);

    let t = TestEnv::new();
    seed(&t);
    let env = t.env_with(&[("RETENTION_BATCH_SIZE", "2".to_string())]);
    let done = common::pty::Terminal::spawn(&["retention", "run"], &env, false).finish();
    done.assert_bar_drawn(&["retention", "event_audit"]);
    assert!(done.stdout.contains("TARGET"), "{:?}", done.stdout);
}
