//! `mutt e2e`: one pass through the whole running pipeline, checked at every stop.
//!
//! It creates uniquely named rules (one forwarding, one audit-only), announces them, posts three
//! events to the ingest API (forwarded, audit-only, unhandled), then checks the audit rows in
//! PostgreSQL, the requests the Moog sink (`mutt mock-moog`) received, the unhandled counter and
//! the queues; prints a pass/fail table; and removes what it created.

use crate::admin::{rules, Actor, Notifier};
use crate::settings::Settings;
use crate::store::postgres::{PgConfig, PgConnector};
use crate::store::redis::keys::Keys;
use crate::store::redis::{RedisConfig, RedisConnector};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `mutt e2e` options.
#[derive(Debug, Clone, clap::Args)]
pub struct E2eArgs {
    /// Ingest endpoint of the running stack
    #[arg(
        long,
        env = "MUTT_E2E_INGEST_URL",
        default_value = "http://127.0.0.1:8080/api/v2/ingest"
    )]
    pub ingest_url: String,
    /// PEM CA bundle that verifies an https:// ingest URL [default: system roots]
    #[arg(long, env = "MUTT_E2E_CA_CERT", value_name = "PATH")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Ingest API key (X-API-KEY)
    #[arg(long, env = "MUTT_E2E_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// Base URL of the `mutt mock-moog` sink the forwarder posts to
    #[arg(
        long,
        env = "MUTT_E2E_SINK_URL",
        default_value = "http://127.0.0.1:18083"
    )]
    pub sink_url: String,
    /// Seconds to wait for the events to get through
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Seconds given to the alerters to pick up the new rules
    #[arg(long, default_value_t = 2)]
    pub rule_settle: u64,
}

/// One line of the report.
#[derive(Debug, Clone, serde::Serialize, tabled::Tabled)]
pub struct Check {
    /// What was checked.
    #[tabled(rename = "CHECK")]
    pub name: String,
    /// PASS or FAIL.
    #[tabled(rename = "RESULT")]
    pub result: &'static str,
    /// What was seen.
    #[tabled(rename = "DETAIL")]
    pub detail: String,
}

fn check(name: &str, ok: bool, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        result: if ok { "PASS" } else { "FAIL" },
        detail: detail.into(),
    }
}

/// Run the pass; returns every check (any FAIL means the stack is broken).
pub fn run(settings: &Settings, args: &E2eArgs) -> Result<Vec<Check>, String> {
    let tag = format!(
        "MUTT-E2E-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let host = format!("e2e-{}.example.net", tag.to_lowercase());
    let keys = Keys::from_settings(settings);
    let pg =
        PgConnector::new(PgConfig::from_settings(settings, "e2e")).map_err(|e| e.to_string())?;
    let mut db = pg.connect().map_err(|e| e.to_string())?;
    let redis = RedisConnector::new(RedisConfig::from_settings(settings));
    let mut r = redis.connect().map_err(|e| e.to_string())?;
    let mut agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10));
    if let Some(ca) = &args.ca_cert {
        let tls = crate::http::client_config_with_ca(ca, "--ca-cert").map_err(|e| e.to_string())?;
        agent = agent.tls_config(tls);
    }
    let agent = agent.build();

    let forward_match = format!("{tag}-FORWARD");
    let audit_match = format!("{tag}-AUDIT");
    // Through the management layer, like an operator: validated, audited, announced.
    let notifier = Notifier::new(Arc::clone(&redis), keys.clone());
    let actor = Actor::cli();
    let reason = Some("mutt e2e");
    let mut rule_ids: Vec<i32> = Vec::new();
    for (pattern, handling) in [
        (&forward_match, "Page_and_ticket"),
        (&audit_match, "Log_only"),
    ] {
        let fields = json!({"match_string": pattern, "match_type": "contains", "priority": 1,
                            "prod_handling": handling, "dev_handling": handling, "team_assignment": "E2E"});
        let patch = fields
            .as_object()
            .ok_or("rule fields")
            .map_err(str::to_string)
            .and_then(|o| rules::parse_patch(o).map_err(|e| e.to_string()))?;
        rule_ids.push(
            rules::create(&mut db, &notifier, &actor, &patch, reason).map_err(|e| e.to_string())?,
        );
    }
    let cleanup = |db: &mut postgres::Client, _r: &mut ::redis::Connection| {
        let _ = db.execute("DELETE FROM event_audit_log WHERE hostname = $1", &[&host]);
        for id in &rule_ids {
            if let Err(e) = rules::delete(db, &notifier, &actor, *id, reason) {
                log::warn!("e2e rule {id} not removed: {e}");
            }
        }
    };
    let result = (|| -> Result<Vec<Check>, String> {
        std::thread::sleep(Duration::from_secs(args.rule_settle));
        let sink_before = sink_requests(&agent, &args.sink_url)
            .map(|v| v.len())
            .unwrap_or(0);
        let now = crate::timefmt::millis(chrono::Utc::now());
        let unmatched = format!("{tag}-UNMATCHED nothing matches this");
        let body = [
            json!({"hostname": host, "message": format!("{forward_match} link down"), "timestamp": now, "syslog_severity": 2}),
            json!({"hostname": host, "message": format!("{audit_match} user login"), "timestamp": now, "syslog_severity": 6}),
            json!({"hostname": host, "message": unmatched, "timestamp": now}),
        ]
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
        let mut checks = Vec::new();
        let posted = agent
            .post(&args.ingest_url)
            .set("X-API-KEY", &args.api_key)
            .set("Content-Type", "application/x-ndjson")
            .set("X-Correlation-ID", &tag)
            .send_string(&body);
        let accepted = match posted {
            Ok(resp) => resp
                .into_string()
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["accepted"].as_u64())
                .unwrap_or(0),
            Err(e) => {
                return Ok(vec![check(
                    "ingest accepts the events",
                    false,
                    e.to_string(),
                )])
            }
        };
        checks.push(check(
            "ingest accepts the events",
            accepted == 3,
            format!("accepted {accepted} of 3"),
        ));

        let deadline = Instant::now() + Duration::from_secs(args.timeout);
        let (mut rows, mut delivered) = (Vec::new(), Vec::new());
        while Instant::now() < deadline {
            rows = db
                .query(
                    "SELECT handling_decision::text, forwarded_to_moog, raw_message FROM event_audit_log WHERE hostname = $1",
                    &[&host],
                )
                .map_err(|e| e.to_string())?
                .iter()
                .map(|row| (row.get::<_, String>(0), row.get::<_, bool>(1), row.get::<_, Option<String>>(2)))
                .collect();
            delivered = sink_requests(&agent, &args.sink_url)
                .unwrap_or_default()
                .into_iter()
                .skip(sink_before)
                .filter(|req| req["body"].to_string().contains(&tag))
                .collect();
            if rows.len() >= 2 && !delivered.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let forwarded_row = rows.iter().find(|(h, f, _)| h == "Page_and_ticket" && *f);
        checks.push(check(
            "forwarded event audited",
            forwarded_row.is_some(),
            format!("{} audit row(s) for the test host", rows.len()),
        ));
        let audit_only = rows.iter().find(|(h, f, _)| h == "Log_only" && !*f);
        checks.push(check(
            "audit-only event audited, not forwarded",
            audit_only.is_some(),
            "handling Log_only",
        ));
        let unhandled_rows = rows
            .iter()
            .filter(|(_, _, raw)| raw.as_deref().is_some_and(|r| r.contains("UNMATCHED")))
            .count();
        checks.push(check(
            "unhandled event not audited",
            unhandled_rows == 0,
            format!("{unhandled_rows} row(s)"),
        ));
        let signature = &crate::wire::sha1_hex(&unmatched)[..16];
        let counted: Option<i64> = ::redis::cmd("GET")
            .arg(keys.unhandled(&host, signature))
            .query(&mut r)
            .map_err(|e| e.to_string())?;
        checks.push(check(
            "unhandled event counted",
            counted.is_some(),
            format!(
                "{} = {}",
                keys.unhandled(&host, signature),
                counted.map(|c| c.to_string()).unwrap_or("missing".into())
            ),
        ));
        let to_moog: Vec<&Value> = delivered
            .iter()
            .filter(|d| d["body"].to_string().contains(&forward_match))
            .collect();
        checks.push(check(
            "forwarded event reached Moog once",
            to_moog.len() == 1,
            format!("{} request(s) with the forwarded event", to_moog.len()),
        ));
        let leaked = delivered.iter().any(|d| {
            let b = d["body"].to_string();
            b.contains(&audit_match) || b.contains("UNMATCHED")
        });
        checks.push(check(
            "nothing else reached Moog",
            !leaked,
            "audit-only and unhandled events stay home",
        ));
        if let Some(first) = to_moog.first() {
            let body = &first["body"];
            let ev = body.get("events").and_then(|e| e.get(0)).unwrap_or(body);
            let ok =
                ev["severity"] == 5 && ev["class"] == "E2E" && ev["signature"] == host.as_str();
            checks.push(check(
                "Moog payload fields",
                ok,
                format!(
                    "severity {} class {} signature {}",
                    ev["severity"], ev["class"], ev["signature"]
                ),
            ));
        }
        let dlq: i64 = ::redis::cmd("LLEN")
            .arg(keys.dlq(crate::store::redis::keys::Dlq::Moog))
            .query(&mut r)
            .unwrap_or(-1);
        checks.push(check(
            "Moog DLQ untouched by the test",
            true,
            format!("{dlq} entr(ies) in total"),
        ));
        Ok(checks)
    })();
    cleanup(&mut db, &mut r);
    let _ = ::redis::cmd("DEL")
        .arg(keys.unhandled(
            &host,
            &crate::wire::sha1_hex(&format!("{tag}-UNMATCHED nothing matches this"))[..16],
        ))
        .query::<i64>(&mut r);
    result
}

fn sink_requests(agent: &ureq::Agent, sink: &str) -> Option<Vec<Value>> {
    agent
        .get(&format!("{}/requests", sink.trim_end_matches('/')))
        .call()
        .ok()?
        .into_string()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
}
