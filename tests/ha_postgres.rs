//! PostgreSQL failover against real servers: a primary and a streaming standby made with
//! `pg_basebackup`, both named in `DB_HOST`; the primary stopped while the alerter is writing,
//! the standby promoted with `pg_ctl promote`. The alerter and the admin CLI carry on against
//! the new primary without a restart, and no audit row is lost or doubled.

mod common;
use common::daemon::Daemon;
use mutt::dev::services::{PostgresOptions, PostgresServer};
use redis::Commands;
use std::time::Duration;

const DB: &str = "mutt_ha";

fn push(redis: &mut redis::Connection, queue: &str, range: std::ops::Range<usize>) {
    for n in range {
        let event = serde_json::json!({
            "hostname": "sw-pg", "message": format!("LINK-DOWN pg-{n}"),
            "timestamp": "2026-12-07T04:00:00Z", "_event_id": format!("pg-{n}"),
        });
        let _: () = redis.lpush(queue, event.to_string()).unwrap();
    }
}

fn audit_counts(pg: &PostgresServer) -> Option<(i64, i64)> {
    let mut c = pg.admin_client(DB).ok()?;
    let row = c
        .query_one(
            "SELECT count(*), count(DISTINCT event_id) FROM event_audit_log",
            &[],
        )
        .ok()?;
    Some((row.get(0), row.get(1)))
}

#[test]
fn the_alerter_and_the_cli_follow_a_promoted_standby_without_losing_or_doubling_a_row() {
    let mut primary = PostgresServer::start(PostgresOptions::default()).expect("primary");
    primary.create_database(DB).unwrap();
    let redis_port = common::services().redis.port();
    let prefix = format!("pgha{}", std::process::id());
    let env_for = |hosts: String| -> Vec<(String, String)> {
        [
            ("REDIS_HOST", "127.0.0.1".to_string()),
            ("REDIS_PORT", redis_port.to_string()),
            ("DB_HOST", hosts),
            ("DB_NAME", DB.to_string()),
            ("DB_USER", primary.superuser().to_string()),
            ("DB_PASS_CURRENT", primary.password().to_string()),
            ("DB_CONNECT_TIMEOUT", "2".to_string()),
            ("MUTT_KEY_PREFIX", prefix.clone()),
            ("MUTT_BIND_ADDRESS", "127.0.0.1".to_string()),
            ("BRPOPLPUSH_TIMEOUT", "0.2".to_string()),
            ("ALERTER_BATCH_SIZE", "50".to_string()),
            ("ALERT_DEDUP_WINDOW_SECONDS", "0".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let only_primary = env_for(format!("127.0.0.1:{}", primary.port()));
    let migrate = common::mutt_with_env(&["migrate"], &only_primary.iter().cloned().collect());
    assert!(migrate.status.success(), "{}", common::stderr(&migrate));
    primary
        .admin_client(DB)
        .unwrap()
        .batch_execute(common::LINK_DOWN_RULE)
        .unwrap();

    let standby = PostgresServer::start_standby(&primary).expect("standby");
    let mut check = standby.admin_client("postgres").unwrap();
    let in_recovery: bool = check
        .query_one("SELECT pg_is_in_recovery()", &[])
        .unwrap()
        .get(0);
    assert!(in_recovery, "the copy runs as a standby");

    // Both hosts, the primary first: the alerter must settle on whichever accepts writes.
    let env = env_for(format!(
        "127.0.0.1:{},127.0.0.1:{}",
        primary.port(),
        standby.port()
    ));
    let alerter = Daemon::start(&["alert", "run"], &env);
    alerter.wait_ready();
    let mut redis = common::redis();
    let queue = format!("{prefix}:ingest_queue");
    push(&mut redis, &queue, 0..500);
    common::wait_for(Duration::from_secs(60), "500 rows on the primary", || {
        audit_counts(&primary) == Some((500, 500))
    });

    // The primary goes away while more events are arriving.
    push(&mut redis, &queue, 500..1000);
    primary.stop();
    // While nothing accepts writes the batch waits; the CLI says why, naming both hosts.
    let out = common::mutt_with_env(
        &["rules", "list", "-o", "json"],
        &env.iter().cloned().collect(),
    );
    assert!(!out.status.success());
    let hosts = format!(
        "127.0.0.1:{},127.0.0.1:{}/{DB}",
        primary.port(),
        standby.port()
    );
    assert!(
        common::stderr(&out).contains(&format!("cannot connect to PostgreSQL at {hosts}")),
        "{}",
        common::stderr(&out)
    );
    push(&mut redis, &queue, 1000..1500);
    standby.promote().expect("promote");

    common::wait_for(
        Duration::from_secs(90),
        "all 1,500 events audited once on the new primary",
        || audit_counts(&standby) == Some((1500, 1500)),
    );
    let _ = &alerter;

    // The admin CLI, with the same DB_HOST list, reads and writes the new primary.
    let envmap = env.iter().cloned().collect();
    let out = common::mutt_with_env(&["rules", "list", "-o", "json"], &envmap);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules["rules"].as_array().map(|a| a.len()),
        Some(1),
        "{rules}"
    );
    let out = common::mutt_with_env(
        &[
            "rules",
            "add",
            "--match-string",
            "BGP-DOWN",
            "--match-type",
            "contains",
            "--priority",
            "20",
            "--prod-handling",
            "Page_and_ticket",
            "--dev-handling",
            "Ticket_only",
            "--team",
            "NetOps",
        ],
        &envmap,
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let n: i64 = standby
        .admin_client(DB)
        .unwrap()
        .query_one("SELECT count(*) FROM alert_rules", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}
