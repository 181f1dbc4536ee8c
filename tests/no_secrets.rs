//! No secret anywhere (CONTRACT §3): a whole pipeline runs with distinctive secrets (ingest key,
//! web keys, Moog key, PostgreSQL and Redis passwords, a wrong key a client guessed), is driven
//! through REST and the CLI, and then everything it produced is searched for each secret: every
//! daemon's stdout and stderr (JSON logs at debug level, so request lines and URLs are in them),
//! the CLI's output, every Redis key and value, every row of every PostgreSQL table, and the
//! requests Moog received, where the Moog key must appear in the Authorization header and
//! nowhere else.

mod common;
use common::daemon::Daemon;
use common::http_client::{build, request};
use common::{mutt_with_env, stderr, stdout, wait_until};
use mutt::dev::services::{PostgresOptions, PostgresServer, RedisOptions, RedisServer};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

const INGEST_KEY: &str = "ingestkey-S3CR3T-4f1c9a";
const WEB_ADMIN_KEY: &str = "webadmin-S3CR3T-7b2e0d";
const WEB_READ_KEY: &str = "webread-S3CR3T-91aa3c";
const MOOG_KEY: &str = "moogkey-S3CR3T-c0ffee";
const DB_PASS: &str = "dbpass-S3CR3T-5e6f7a";
const REDIS_PASS: &str = "redispass-S3CR3T-8d9e";
/// A retired Redis password still configured as CURRENT: connections must fall back to NEXT
/// without writing the old one anywhere.
const REDIS_OLD_PASS: &str = "redisold-S3CR3T-1234";
/// A key a client sends that is not valid (a typo of a real key would be just as sensitive).
const WRONG_KEY: &str = "wrongkey-S3CR3T-dead";

const SECRETS: [(&str, &str); 8] = [
    ("INGEST_API_KEY", INGEST_KEY),
    ("WEBUI_API_KEYS admin key", WEB_ADMIN_KEY),
    ("WEBUI_API_KEYS read key", WEB_READ_KEY),
    ("MOOG_API_KEY", MOOG_KEY),
    ("DB_PASS_CURRENT", DB_PASS),
    ("REDIS_PASS_NEXT", REDIS_PASS),
    ("REDIS_PASS_CURRENT (retired)", REDIS_OLD_PASS),
    ("a wrong client key", WRONG_KEY),
];

/// Every place a secret was found, as "secret in place".
fn hits(place: &str, text: &str, found: &mut Vec<String>) {
    for (name, secret) in SECRETS {
        if text.contains(secret) {
            found.push(format!("{name} in {place}"));
        }
    }
}

struct Pipeline {
    env: HashMap<String, String>,
    redis: RedisServer,
    pg: PostgresServer,
    db: String,
}

impl Pipeline {
    fn start() -> Pipeline {
        let redis = RedisServer::start(RedisOptions {
            password: Some(REDIS_PASS.into()),
            ..RedisOptions::default()
        })
        .expect("start a password-protected Redis");
        let pg = PostgresServer::start(PostgresOptions {
            password: DB_PASS.into(),
            ..PostgresOptions::default()
        })
        .expect("start PostgreSQL");
        let db = "nosecrets".to_string();
        pg.create_database(&db).expect("create database");
        let env: HashMap<String, String> = [
            ("REDIS_HOST", "127.0.0.1".to_string()),
            ("REDIS_PORT", redis.port().to_string()),
            ("REDIS_PASS_CURRENT", REDIS_OLD_PASS.into()),
            ("REDIS_PASS_NEXT", REDIS_PASS.into()),
            ("DB_HOST", "127.0.0.1".into()),
            ("DB_PORT", pg.port().to_string()),
            ("DB_NAME", db.clone()),
            ("DB_USER", pg.superuser().into()),
            ("DB_PASS_CURRENT", DB_PASS.into()),
            ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
            ("LOG_JSON_ENABLED", "true".into()),
            ("LOG_LEVEL", "debug".into()),
            ("DYNAMIC_CONFIG_REFRESH_SECONDS", "0.5".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Pipeline { env, redis, pg, db }
    }

    fn env_with(&self, extra: &[(&str, String)]) -> Vec<(String, String)> {
        let mut env = self.env.clone();
        for (k, v) in extra {
            env.insert(k.to_string(), v.clone());
        }
        env.into_iter().collect()
    }

    fn cli(&self, args: &[&str], output: &mut Vec<(String, String)>) -> std::process::Output {
        let mut env = self.env.clone();
        env.insert("USER".into(), "tester".into());
        let out = mutt_with_env(args, &env);
        output.push((
            format!("`mutt {}` output", args.join(" ")),
            format!("{}\n{}", stdout(&out), stderr(&out)),
        ));
        out
    }
}

#[test]
fn no_secret_reaches_a_log_queue_audit_row_url_or_moog_body() {
    let p = Pipeline::start();
    let mut cli_output = Vec::new();
    let out = p.cli(&["migrate"], &mut cli_output);
    assert!(out.status.success(), "{}", stderr(&out));

    let mock = Daemon::start(&["mock-moog"], &p.env_with(&[]));
    let moog_env = vec![
        ("MOOG_WEBHOOK_URL", format!("http://{}/events", mock.addr)),
        ("MOOG_API_KEY", MOOG_KEY.to_string()),
    ];
    let ingest = Daemon::start(
        &["ingest", "serve"],
        &p.env_with(&[("INGEST_API_KEY", INGEST_KEY.into())]),
    );
    let alerter = Daemon::start(
        &["alert", "run"],
        &p.env_with(&[("BRPOPLPUSH_TIMEOUT", "0.2".into())]),
    );
    let mut e = moog_env.clone();
    e.extend([]);
    let forwarder = Daemon::start(&["forward", "run"], &p.env_with(&e));
    let mut e = moog_env.clone();
    e.extend([("REMEDIATION_INTERVAL", "1".into())]);
    let remediator = Daemon::start(&["remediate", "run"], &p.env_with(&e));
    let web = Daemon::start(
        &["web", "serve"],
        &p.env_with(&[
            (
                "WEBUI_API_KEYS",
                format!("ops:admin:{WEB_ADMIN_KEY},viewer:read:{WEB_READ_KEY}"),
            ),
            (
                "PROMETHEUS_URL",
                format!("http://{}", common::nobody_listens().addr()),
            ),
            ("SLO_QUERY_TIMEOUT", "1".into()),
        ]),
    );

    // Admin writes through the CLI and through REST.
    let out = p.cli(
        &[
            "rules",
            "add",
            "--match-string",
            "LINK-3-UPDOWN",
            "--prod-handling",
            "page_and_ticket",
            "--dev-handling",
            "ticket_only",
            "--team",
            "NetOps",
            "--reason",
            "cli write",
        ],
        &mut cli_output,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for args in [
        &["hosts", "add", "lab-sw1"][..],
        &["config", "set", "unhandled_threshold", "9"],
        &["config", "show"],
        &["rules", "list"],
        &["status"],
    ] {
        p.cli(args, &mut cli_output);
    }
    let admin = [
        ("X-API-KEY", WEB_ADMIN_KEY),
        ("Content-Type", "application/json"),
    ];
    let r = web.req(
        "POST",
        "/api/v2/rules",
        &admin,
        r#"{"match_string":"BGP-5-ADJCHANGE","prod_handling":"page_only","dev_handling":"ignore","team_assignment":"Core","reason":"rest write"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = web.req(
        "POST",
        "/api/v2/teams",
        &admin,
        r#"{"hostname":"core-sw1","team_assignment":"NetOps"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = web.req(
        "PUT",
        "/api/v2/config/unhandled_threshold",
        &admin,
        r#"{"value": 7}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // The deprecated query-string key: its URL must not be logged with the key in it.
    let r = web.req(
        "GET",
        &format!("/api/v2/rules?api_key={WEB_READ_KEY}"),
        &[],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Failed authentications with a guessed key, on every surface that takes one.
    let r = web.req("GET", "/api/v2/rules", &[("X-API-KEY", WRONG_KEY)], "");
    assert_eq!(r.status, 401);
    let r = web.req(
        "GET",
        &format!("/api/v2/rules?api_key={WRONG_KEY}"),
        &[],
        "",
    );
    assert_eq!(r.status, 401);
    let r = web.req(
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("api_key={WRONG_KEY}"),
    );
    assert!(
        r.status == 401 || r.status == 303 || r.status == 200,
        "{}",
        r.status
    );
    let r = web.req(
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("api_key={WEB_ADMIN_KEY}"),
    );
    assert!(r.status < 400, "{}", r.status);
    let r = ingest.req(
        "POST",
        "/api/v2/ingest",
        &[("X-API-KEY", WRONG_KEY)],
        r#"{"hostname":"x","message":"y"}"#,
    );
    assert_eq!(r.status, 401);

    // Events: one forwarded, one unhandled, one rejected.
    let ingest_headers = [
        ("X-API-KEY", INGEST_KEY),
        ("Content-Type", "application/json"),
    ];
    let body = concat!(
        r#"{"hostname":"core-sw1","timestamp":"2026-01-01T00:00:00Z","message":"%LINK-3-UPDOWN: Interface Gi0/1, changed state to down","syslog_severity":3}"#,
        "\n",
        r#"{"hostname":"core-sw2","timestamp":"2026-01-01T00:00:01Z","message":"nothing matches this","severity":"info"}"#,
        "\n"
    );
    let r = ingest.req("POST", "/api/v2/ingest", &ingest_headers, body);
    assert!(r.status < 300, "{} {}", r.status, r.text());
    let r = ingest.req(
        "POST",
        "/api/v2/ingest",
        &ingest_headers,
        r#"{"message":1}"#,
    );
    assert_eq!(r.status, 400);

    // Remediation cycles so far (the counter is on its health port).
    let loops = |d: &Daemon| -> u64 {
        d.req("GET", "/metrics", &[], "")
            .text()
            .lines()
            .find_map(|l| l.strip_prefix("mutt_remediation_loops_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let mut moog_records = Vec::new();
    wait_until(
        &mut moog_records,
        Duration::from_secs(30),
        "the forwarded event at mock Moog",
        |records: &mut Vec<Value>| {
            let r = request(mock.addr, &build("GET", "/requests", &[], ""));
            *records = serde_json::from_slice::<Vec<Value>>(&r.body).unwrap_or_default();
            !records.is_empty()
        },
    );
    // Let the audit row, counters and the remediator's cycle land: both events decided and
    // every queue acknowledged, the audit row written, and a remediation cycle run since.
    let cycles = loops(&remediator);
    let mut conn = redis::Client::open(format!(
        "redis://:{REDIS_PASS}@127.0.0.1:{}",
        p.redis.port()
    ))
    .unwrap()
    .get_connection()
    .unwrap();
    common::wait_for(Duration::from_secs(30), "every queue drained", || {
        let mut lists: Vec<String> = redis::cmd("KEYS")
            .arg("mutt:processing:*")
            .query(&mut conn)
            .unwrap();
        lists.extend(["mutt:ingest_queue".into(), "mutt:alert_queue".into()]);
        lists
            .iter()
            .all(|l| redis::cmd("LLEN").arg(l).query::<i64>(&mut conn).unwrap() == 0)
    });
    let mut db = p.pg.admin_client(&p.db).unwrap();
    common::wait_for(Duration::from_secs(30), "the audit row", || {
        db.query_one("SELECT count(*) FROM event_audit_log", &[])
            .unwrap()
            .get::<_, i64>(0)
            >= 1
    });
    common::wait_for(Duration::from_secs(30), "a remediation cycle", || {
        loops(&remediator) > cycles
    });

    let mut found = Vec::new();

    // Moog: the key must be in the Authorization header of every request, and nowhere else.
    for (i, record) in moog_records.iter().enumerate() {
        let mut record = record.clone();
        let auth = record["headers"]["authorization"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(auth, format!("Bearer {MOOG_KEY}"), "Moog request {i}");
        record["headers"]
            .as_object_mut()
            .unwrap()
            .remove("authorization");
        hits(
            &format!("Moog request {i} (besides Authorization)"),
            &record.to_string(),
            &mut found,
        );
    }

    // Every Redis key and value.
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut conn).unwrap();
    assert!(
        !keys.is_empty(),
        "the pipeline left nothing in Redis to look at"
    );
    for key in &keys {
        let kind: String = redis::cmd("TYPE").arg(key).query(&mut conn).unwrap();
        let value: redis::Value = match kind.as_str() {
            "string" => redis::cmd("GET").arg(key).query(&mut conn),
            "list" => redis::cmd("LRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .query(&mut conn),
            "hash" => redis::cmd("HGETALL").arg(key).query(&mut conn),
            "set" => redis::cmd("SMEMBERS").arg(key).query(&mut conn),
            "zset" => redis::cmd("ZRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .arg("WITHSCORES")
                .query(&mut conn),
            "stream" => redis::cmd("XRANGE")
                .arg(key)
                .arg("-")
                .arg("+")
                .query(&mut conn),
            other => panic!("Redis key {key} has a type this test does not read: {other}"),
        }
        .unwrap();
        hits(&format!("Redis key {key}"), key, &mut found);
        hits(
            &format!("Redis value of {key} ({kind})"),
            &redis_text(&value),
            &mut found,
        );
    }

    // Every row of every table.
    let tables: Vec<(String, String)> = db
        .query(
            "SELECT table_schema, table_name FROM information_schema.tables
              WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
                AND table_type = 'BASE TABLE'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(tables.iter().any(|(_, t)| t == "config_audit_log"));
    let mut rows_seen = 0;
    for (schema, table) in &tables {
        let sql = format!("SELECT row_to_json(t)::text FROM \"{schema}\".\"{table}\" t");
        for row in db.query(&sql, &[]).unwrap() {
            rows_seen += 1;
            let text: String = row.get(0);
            hits(&format!("table {schema}.{table}"), &text, &mut found);
        }
    }
    assert!(rows_seen > 0);
    let audited: i64 = db
        .query_one("SELECT count(*) FROM event_audit_log", &[])
        .unwrap()
        .get(0);
    assert!(audited >= 1, "the forwarded event was not audited");

    // Every log line and every CLI output; stopping the daemons adds their shutdown lines.
    let mut daemons = [
        ("ingest", ingest),
        ("alerter", alerter),
        ("forwarder", forwarder),
        ("remediator", remediator),
        ("web", web),
        ("mock-moog", mock),
    ];
    for (name, d) in daemons.iter_mut() {
        d.terminate();
        let (out, err) = (d.stdout(), d.stderr());
        assert!(
            !(out.is_empty() && err.is_empty()),
            "{name} logged nothing: is LOG_LEVEL honoured?"
        );
        hits(&format!("{name} stdout"), &out, &mut found);
        hits(&format!("{name} stderr"), &err, &mut found);
    }
    for (place, text) in &cli_output {
        hits(place, text, &mut found);
    }

    if std::env::var_os("NO_SECRETS_DUMP").is_some() {
        for (name, d) in &daemons {
            eprintln!("=== {name}\n{}{}", d.stdout(), d.stderr());
        }
    }
    // Positive controls: the scans did read the pipeline's data, logs and URLs.
    let scanned = |needle: &str| {
        daemons
            .iter()
            .any(|(_, d)| d.stdout().contains(needle) || d.stderr().contains(needle))
    };
    assert!(
        scanned("GET /api/v2/rules -> 401"),
        "request lines are not logged"
    );
    assert!(
        scanned("POST /api/v2/ingest -> 200"),
        "ingest requests are not logged"
    );
    assert!(
        moog_records
            .iter()
            .any(|r| r.to_string().contains("LINK-3-UPDOWN")),
        "the forwarded event is not in the Moog records"
    );
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
}

/// A Redis reply as searchable text (bulk strings lossily decoded).
fn redis_text(v: &redis::Value) -> String {
    match v {
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        redis::Value::SimpleString(s) => s.clone(),
        redis::Value::Array(items) | redis::Value::Set(items) => {
            items.iter().map(redis_text).collect::<Vec<_>>().join("\n")
        }
        redis::Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", redis_text(k), redis_text(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("{other:?}"),
    }
}
