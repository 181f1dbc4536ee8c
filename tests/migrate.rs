//! `mutt migrate` against a real PostgreSQL: fresh schema, idempotence, status, dry run, v2.5
//! adoption, DEFAULT-partition rows, credentials, concurrency and tampering.

mod common;
use common::{stderr, stdout, TestEnv};

fn tables(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn count(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

fn column_type(c: &mut postgres::Client, table: &str, column: &str) -> Option<String> {
    c.query_opt(
        "SELECT data_type || coalesce('(' || character_maximum_length || ')', '') || ':' || is_nullable
         FROM information_schema.columns WHERE table_name = $1 AND column_name = $2",
        &[&table, &column],
    )
    .unwrap()
    .map(|r| r.get(0))
}

fn months_from_now(n: u32) -> String {
    let m = mutt::store::postgres::partitions::months_to_ensure(chrono::Utc::now(), n);
    m[n as usize].name.clone()
}

#[test]
fn fresh_database_gets_the_contract_schema_and_a_second_run_does_nothing() {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("applied 0001_v25_baseline.sql"), "{text}");
    assert!(text.contains("applied 0002_mutt_additions.sql"), "{text}");
    for i in 0..=3 {
        assert!(
            text.contains(&format!("created partition {}", months_from_now(i))),
            "{text}"
        );
    }

    let mut c = t.admin();
    let have = tables(&mut c);
    for want in [
        "alert_rules",
        "config_audit_log",
        "development_hosts",
        "device_teams",
        "event_audit_log",
        "event_audit_log_archive",
        "event_audit_log_default",
        "schema_migrations",
    ] {
        assert!(
            have.contains(&want.to_string()),
            "missing {want} in {have:?}"
        );
    }
    for i in 0..=3 {
        assert!(have.contains(&months_from_now(i)), "{have:?}");
    }
    assert_eq!(
        column_type(&mut c, "alert_rules", "match_string").as_deref(),
        Some("character varying(255):YES")
    );
    assert_eq!(
        column_type(&mut c, "alert_rules", "prod_handling").as_deref(),
        Some("character varying(100):NO")
    );
    assert_eq!(
        column_type(&mut c, "event_audit_log", "event_id").as_deref(),
        Some("text:YES")
    );
    assert_eq!(
        column_type(&mut c, "event_audit_log", "event_timestamp").as_deref(),
        Some("timestamp with time zone:NO")
    );
    assert_eq!(
        column_type(&mut c, "config_audit_log", "record_key").as_deref(),
        Some("text:YES")
    );
    assert_eq!(
        column_type(&mut c, "config_audit_log", "correlation_id").as_deref(),
        // v2.5's VARCHAR(36), widened by 0003 to the 128 characters ids may have.
        Some("character varying(128):YES")
    );
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM alert_rules"),
        0,
        "no sample rows"
    );
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM config_audit_log"),
        0,
        "no sample rows"
    );

    // v2.5 constraints hold.
    let bad = c.execute(
        "INSERT INTO alert_rules (match_type, prod_handling, dev_handling, team_assignment) VALUES ('contains','a','b','c')",
        &[],
    );
    assert!(
        bad.is_err(),
        "chk_match_criteria must refuse a rule with no criteria"
    );
    let bad = c.execute(
        "INSERT INTO alert_rules (match_string, syslog_severity, prod_handling, dev_handling, team_assignment) VALUES ('x', 9, 'a','b','c')",
        &[],
    );
    assert!(bad.is_err(), "chk_syslog_severity must refuse 9");
    let rule: i32 = c
        .query_one(
            "INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment) VALUES ('x','Page_only','Ignore','NetOps') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    // event_id is unique per (event_id, event_timestamp); other rows land in their month or DEFAULT.
    c.execute(
        "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision, event_id)
         VALUES (now(), 'h', $1, 'Page_only', 'e-1'), ('1999-01-01', 'h', $1, 'Page_only', 'e-2')",
        &[&rule],
    )
    .unwrap();
    let dup = c.execute(
        "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision, event_id)
         SELECT event_timestamp, 'h', $1, 'x', 'e-1' FROM event_audit_log WHERE event_id = 'e-1'",
        &[&rule],
    );
    assert!(
        dup.is_err(),
        "a second row with the same event_id and time must be refused"
    );
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_default"),
        1
    );

    let again = t.mutt(&["migrate"], &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stdout(&again).trim(), "nothing to do: schema is up to date");
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM schema_migrations"),
        mutt::store::postgres::migrate::MIGRATIONS.len() as i64
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM event_audit_log"), 2);
}

#[test]
fn status_and_dry_run_change_nothing() {
    let t = TestEnv::new();
    let dry = t.mutt(&["migrate", "--dry-run"], &[]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let sql = stdout(&dry);
    assert!(sql.contains("-- 0001_v25_baseline.sql"), "{sql}");
    assert!(
        sql.contains("CREATE TABLE IF NOT EXISTS alert_rules"),
        "{sql}"
    );
    assert!(sql.contains(&format!(
        "CREATE TABLE {} PARTITION OF event_audit_log",
        months_from_now(0)
    )));
    let mut c = t.admin();
    assert!(
        tables(&mut c).is_empty(),
        "dry run created {:?}",
        tables(&mut c)
    );

    let status = t.mutt(&["migrate", "--status", "--output", "json"], &[]);
    assert!(status.status.success(), "{}", stderr(&status));
    let v: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(
        v.as_array().unwrap().len(),
        mutt::store::postgres::migrate::MIGRATIONS.len()
    );
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["applied_at"].is_null()));
    assert!(tables(&mut c).is_empty());

    assert!(t.mutt(&["migrate"], &[]).status.success());
    let status = t.mutt(&["migrate", "--status", "--output", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(v[0]["name"], "0001_v25_baseline.sql");
    assert_eq!(v[1]["version"], 2);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["applied_at"].is_string() && m["modified"] == false));
    let table = stdout(&t.mutt(&["migrate", "--status"], &[]));
    assert!(
        table.contains("0002_mutt_additions.sql") && table.contains("applied"),
        "{table}"
    );
    let dry = t.mutt(&["migrate", "--dry-run"], &[]);
    assert_eq!(
        stdout(&dry).trim(),
        "-- nothing to do: schema is up to date"
    );
}

#[test]
fn a_v25_database_is_adopted_without_losing_rows() {
    let t = TestEnv::new();
    let mut c = t.admin();
    c.batch_execute(include_str!("fixtures/v25_schema.sql"))
        .unwrap();
    let before: Vec<(String, i64)> = [
        "alert_rules",
        "development_hosts",
        "device_teams",
        "event_audit_log",
        "event_audit_log_archive",
        "config_audit_log",
    ]
    .iter()
    .map(|t| {
        (
            t.to_string(),
            count(&mut c, &format!("SELECT count(*) FROM {t}")),
        )
    })
    .collect();
    assert_eq!(before[3].1, 3);

    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (table, n) in &before {
        assert_eq!(
            count(&mut c, &format!("SELECT count(*) FROM {table}")),
            *n,
            "{table}"
        );
    }
    // Rows are the same rows, not just the same number.
    let hosts: Vec<String> = c
        .query(
            "SELECT hostname::text FROM event_audit_log ORDER BY event_timestamp",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        hosts,
        [
            "router1.prod.example.com",
            "dev-router1",
            "switch1.prod.example.com"
        ]
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM config_audit_log WHERE changed_by = 'webui_session_user_alice'"
        ),
        1
    );
    // What mutt adds is there.
    assert_eq!(
        column_type(&mut c, "event_audit_log", "event_id").as_deref(),
        Some("text:YES")
    );
    assert_eq!(
        column_type(&mut c, "config_audit_log", "record_key").as_deref(),
        Some("text:YES")
    );
    let have = tables(&mut c);
    assert!(have.contains(&"event_audit_log_default".to_string()));
    assert!(
        have.contains(&"event_audit_log_2025_11".to_string()),
        "the v2.5 partition stays"
    );
    assert!(have.contains(&months_from_now(0)));
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM schema_migrations"),
        mutt::store::postgres::migrate::MIGRATIONS.len() as i64
    );
    // v2.5's own functions are left alone.
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM pg_proc WHERE proname = 'create_monthly_partition'"
        ),
        1
    );

    let again = t.mutt(&["migrate"], &[]);
    assert_eq!(stdout(&again).trim(), "nothing to do: schema is up to date");
}

#[test]
fn rows_waiting_in_default_move_into_their_new_month() {
    let t = TestEnv::new();
    assert!(t
        .mutt(&["migrate", "--partitions-ahead", "1"], &[])
        .status
        .success());
    let mut c = t.admin();
    c.batch_execute(
        "INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment) VALUES ('x','Page_only','Ignore','NetOps')",
    )
    .unwrap();
    let far = months_from_now(5);
    let (year, month) = (&far[16..20], &far[21..23]);
    c.batch_execute(&format!(
        "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision)
         VALUES ('{year}-{month}-10 12:00:00+00', 'h1', 1, 'Page_only'), ('{year}-{month}-28 23:00:00+00', 'h2', 1, 'Page_only')"
    ))
    .unwrap();
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_default"),
        2
    );

    let out = t.mutt(
        &["migrate", "--partitions-ahead", "5", "--output", "json"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let moved: Vec<&serde_json::Value> = report["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == far.as_str())
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0]["action"], "created");
    assert_eq!(moved[0]["moved_rows"], 2);
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM event_audit_log_default"),
        0
    );
    assert_eq!(count(&mut c, &format!("SELECT count(*) FROM {far}")), 2);
    assert_eq!(count(&mut c, "SELECT count(*) FROM event_audit_log"), 2);
}

#[test]
fn wrong_password_fails_with_one_line_and_next_password_rescues() {
    let t = TestEnv::new();
    let real = common::services().pg.password().to_string();

    let out = t.mutt(&["migrate"], &[("DB_PASS_CURRENT", "wrong-secret-1")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("PostgreSQL authentication failed"), "{err}");
    assert!(err.contains("DB_PASS_CURRENT"), "{err}");
    assert!(!err.contains("wrong-secret-1"), "the secret leaked: {err}");

    let out = t.mutt(
        &["migrate"],
        &[
            ("DB_PASS_CURRENT", "wrong-secret-1"),
            ("DB_PASS_NEXT", &real),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("applied 0001_v25_baseline.sql"));
    assert!(
        stderr(&out).contains("accepted DB_PASS_NEXT"),
        "{}",
        stderr(&out)
    );

    let out = t.mutt(
        &["migrate"],
        &[("DB_PASS_CURRENT", "wrong-1"), ("DB_PASS_NEXT", "wrong-2")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("tried DB_PASS_CURRENT and DB_PASS_NEXT"),
        "{}",
        stderr(&out)
    );

    let out = t.mutt(&["migrate"], &[("DB_PASS_CURRENT", "")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no password; set DB_PASS_CURRENT"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreachable_database_is_one_clear_line() {
    let t = TestEnv::new();
    let port = mutt::dev::services::private_port().unwrap().to_string();
    let out = t.mutt(
        &["migrate"],
        &[("DB_PORT", &port), ("DB_CONNECT_TIMEOUT", "2")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "mutt: cannot connect to PostgreSQL at 127.0.0.1:{port}/"
        )),
        "{err}"
    );
}

#[test]
fn concurrent_runs_apply_each_migration_once() {
    let t = TestEnv::new();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let env = t.env();
            std::thread::spawn(move || {
                let env: std::collections::HashMap<String, String> = env.into_iter().collect();
                common::mutt_with_env(&["migrate"], &env)
            })
        })
        .collect();
    for r in runs {
        let out = r.join().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut c = t.admin();
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM schema_migrations"),
        mutt::store::postgres::migrate::MIGRATIONS.len() as i64
    );
}

#[test]
fn an_edited_applied_migration_is_refused() {
    let t = TestEnv::new();
    assert!(t.mutt(&["migrate"], &[]).status.success());
    t.admin()
        .batch_execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        .unwrap();
    let out = t.mutt(&["migrate"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("migration 0001_v25_baseline.sql: was changed after it was applied"),
        "{err}"
    );
}
