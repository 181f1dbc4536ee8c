//! `mutt web serve` black-box: real HTTP against the real binary, real PostgreSQL and Redis.

mod common;
use common::daemon::Daemon;
use common::http_client::RawResponse;
use common::TestEnv;
use redis::Commands;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin-key-0123456789";
const READER: &str = "reader-key-0123456789";

/// changed_by, operation, record_key, old_values, new_values, reason, correlation_id
type AuditRow = (
    String,
    String,
    Option<String>,
    Option<Value>,
    Option<Value>,
    Option<String>,
    Option<String>,
);

struct Web {
    t: TestEnv,
    d: Daemon,
}

fn start_web(extra: &[(&str, &str)]) -> Web {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let d = launch(&t, extra);
    Web { t, d }
}

fn launch(t: &TestEnv, extra: &[(&str, &str)]) -> Daemon {
    let mut env = t.env();
    env.push((
        "WEBUI_API_KEYS".into(),
        format!("ops:admin:{ADMIN},viewer:read:{READER}"),
    ));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    // Nothing listens there: the SLO report must say "unknown", quickly.
    env.push((
        "PROMETHEUS_URL".into(),
        format!("http://{}", common::nobody_listens().addr()),
    ));
    env.push(("SLO_QUERY_TIMEOUT".into(), "1".into()));
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    }
    Daemon::start(&["web", "serve"], &env)
}

impl Web {
    fn call(&self, method: &str, path: &str, key: Option<&str>, body: &str) -> RawResponse {
        self.call_with(method, path, key, body, &[])
    }

    fn call_with(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &str,
        extra: &[(&str, &str)],
    ) -> RawResponse {
        let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
        if let Some(k) = key {
            headers.push(("X-API-KEY", k));
        }
        headers.extend_from_slice(extra);
        self.d.req(method, path, &headers, body)
    }

    /// Call as admin and return (status, JSON body).
    fn admin(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let text = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let r = self.call(method, path, Some(ADMIN), &text);
        (r.status, json_of(&r))
    }

    fn db(&self) -> postgres::Client {
        self.t.admin()
    }

    fn config_audit_rows(&self, table: &str) -> Vec<AuditRow> {
        self.db()
            .query(
                "SELECT changed_by, operation, record_key, old_values, new_values, reason, correlation_id
                   FROM config_audit_log WHERE table_name = $1 ORDER BY id",
                &[&table],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6)))
            .collect()
    }
}

fn json_of(r: &RawResponse) -> Value {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|_| panic!("not JSON ({}): {}", r.status, r.text()))
}

fn rule_body() -> Value {
    json!({"match_string": "LINK-3-UPDOWN", "prod_handling": "page_and_ticket",
           "dev_handling": "ticket_only", "team_assignment": "NetOps", "reason": "ticket 42"})
}

fn insert_event(db: &mut postgres::Client, at: &str, host: &str, rule: i32, event_id: &str) {
    db.execute(
        "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision,
             forwarded_to_moog, raw_message, event_id)
         VALUES ($1::text::timestamptz, $2, $3, 'page_and_ticket', true, '{}', $4)",
        &[&at, &host, &rule, &event_id],
    )
    .unwrap();
}

#[test]
fn every_read_endpoint_answers_identically_on_v1_and_v2_with_version_headers() {
    let w = start_web(&[]);
    let (s, created) = w.admin("POST", "/api/v2/rules", rule_body());
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_i64().unwrap() as i32;
    assert_eq!(
        w.admin("POST", "/api/v2/dev-hosts", json!({"hostname": "lab-sw1"}))
            .0,
        201
    );
    assert_eq!(
        w.admin(
            "POST",
            "/api/v2/teams",
            json!({"hostname": "core-sw1", "team_assignment": "NetOps"})
        )
        .0,
        201
    );
    assert_eq!(
        w.admin(
            "PUT",
            "/api/v2/config/unhandled_threshold",
            json!({"value": 7})
        )
        .0,
        200
    );
    let now = chrono::Utc::now().to_rfc3339();
    insert_event(&mut w.db(), &now, "core-sw1", id, "ev-1");

    let paths = [
        "/metrics".to_string(),
        "/overview".into(),
        "/slo".into(),
        "/version".into(),
        "/rules".into(),
        format!("/rules/{id}"),
        "/dev-hosts".into(),
        "/dev-hosts/lab-sw1".into(),
        "/teams".into(),
        "/teams/core-sw1".into(),
        "/audit-logs?limit=1".into(),
        "/audit?limit=10".into(),
        "/config-audit?limit=1".into(),
        "/config".into(),
        "/config/unhandled_threshold".into(),
        "/config/history".into(),
    ];
    for p in &paths {
        let v1 = w.call("GET", &format!("/api/v1{p}"), Some(ADMIN), "");
        let v2 = w.call("GET", &format!("/api/v2{p}"), Some(ADMIN), "");
        assert_eq!(v1.status, 200, "{p}: {}", v1.text());
        assert_eq!(v2.status, 200, "{p}: {}", v2.text());
        assert_eq!(json_of(&v1), json_of(&v2), "{p} differs between v1 and v2");
        assert_eq!(
            v1.header("X-API-Deprecated"),
            Some("true"),
            "{p}: {:?}",
            v1.headers
        );
        assert!(v1.header("Sunset").is_some(), "{p}");
        assert_eq!(v2.header("X-API-Deprecated"), Some("false"), "{p}");
        assert_eq!(v2.header("X-API-Version"), Some("2.5"), "{p}");
        assert_eq!(v2.header("X-API-Supported-Versions"), Some("2.5, 2.0, 1.0"));
        assert_eq!(v2.header("X-Content-Type-Options"), Some("nosniff"));
    }

    let r = w.call_with(
        "GET",
        "/api/v2/rules",
        Some(ADMIN),
        "",
        &[("Accept-Version", "2.0")],
    );
    assert_eq!(r.header("X-API-Version"), Some("2.0"));
    let r = w.call_with(
        "GET",
        "/api/v2/rules",
        Some(ADMIN),
        "",
        &[("Accept-Version", "99.0")],
    );
    assert_eq!((r.status, r.header("X-API-Version")), (200, Some("2.5")));

    // Shapes the v2.5 tests and dashboard rely on.
    let get = |p: &str| json_of(&w.call("GET", p, Some(ADMIN), ""));
    let m = get("/api/v2/metrics");
    assert!(m["summary"]["current_rate_1m"].is_number(), "{m}");
    assert_eq!(m["chart_24h"]["labels"].as_array().unwrap().len(), 24);
    assert_eq!(m["chart_24h"]["data"].as_array().unwrap().len(), 24);
    let slo = get("/api/v2/slo");
    assert_eq!(slo["components"]["ingestor"]["state"], "unknown", "{slo}");
    assert_eq!(slo["components"]["forwarder"]["state"], "unknown", "{slo}");
    let ca = get("/api/v2/config-audit?limit=1");
    assert_eq!(ca["changes"].as_array().unwrap().len(), 1);
    assert_eq!(ca["pagination"]["limit"], 1);
    assert_eq!(ca["pagination"]["total"], 4, "{ca}");
    let logs = get("/api/v2/audit-logs?limit=1");
    assert_eq!(logs["logs"][0]["hostname"], "core-sw1");
    assert_eq!(logs["logs"][0]["event_id"], "ev-1");
    let version = json_of(&w.call("GET", "/api/v1/version", None, ""));
    let supported = version["supported_versions"].as_array().unwrap();
    assert!(supported.contains(&version["current_version"]));
    for v in supported {
        let h = &version["version_history"][v.as_str().unwrap()];
        assert!(h["released"].is_string() && h["status"].is_string());
        assert!(!h["changes"].as_array().unwrap().is_empty());
    }
    let ov = get("/api/v2/overview");
    assert_eq!(ov["rules"], json!({"active": 1, "total": 1}));
    assert_eq!(ov["breaker"]["state"], "closed");
    assert_eq!(ov["queues"]["ingest"], 0);

    let health = json_of(&w.call("GET", "/health", None, ""));
    assert_eq!(
        health,
        json!({"status": "healthy", "service": "mutt-webui", "version": env!("CARGO_PKG_VERSION"),
               "redis": "connected", "database": "connected"})
    );
    let metrics = w.call("GET", "/metrics", None, "").text();
    assert!(
        metrics.contains("mutt_webui_api_requests_total{endpoint=\"/rules\",status=\"success\"}"),
        "{metrics}"
    );
}

#[test]
fn keys_have_scopes_and_every_error_is_a_json_envelope() {
    let mut w = start_web(&[]);
    let cid = "req-abc.123";
    for (key, expect) in [
        (None, 401),
        (Some("wrong"), 401),
        (Some(READER), 200),
        (Some(ADMIN), 200),
    ] {
        let r = w.call_with(
            "GET",
            "/api/v2/rules",
            key,
            "",
            &[("X-Correlation-ID", cid)],
        );
        assert_eq!(r.status, expect, "{key:?}");
        if expect == 401 {
            assert_eq!(
                json_of(&r),
                json!({"error": "Unauthorized", "correlation_id": cid})
            );
        }
    }
    let r = w.call(
        "POST",
        "/api/v2/rules",
        Some(READER),
        &rule_body().to_string(),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(json_of(&r)["error"]
        .as_str()
        .unwrap()
        .contains("admin scope"));
    assert_eq!(
        w.db()
            .query_one("SELECT count(*) FROM alert_rules", &[])
            .unwrap()
            .get::<_, i64>(0),
        0
    );
    // v2.5's query-string key still works (deprecated).
    assert_eq!(
        w.call("GET", &format!("/api/v1/rules?api_key={READER}"), None, "")
            .status,
        200
    );
    // Public routes.
    assert_eq!(w.call("GET", "/api/v1/version", None, "").status, 200);
    assert_eq!(w.call("GET", "/health/live", None, "").status, 200);
    assert_eq!(w.call("GET", "/health/ready", None, "").status, 200);
    // 404 and 405 are JSON too, with the correlation id echoed.
    let r = w.call_with(
        "GET",
        "/api/v2/nothing-here",
        Some(ADMIN),
        "",
        &[("X-Correlation-ID", cid)],
    );
    assert_eq!(r.status, 404);
    assert_eq!(json_of(&r)["correlation_id"], cid);
    assert_eq!(r.header("X-Correlation-ID"), Some(cid));
    let r = w.call("PATCH", "/api/v2/rules", Some(ADMIN), "{}");
    assert_eq!(r.status, 405);
    assert!(json_of(&r)["error"].is_string());
    // Pages need a session: no key in URLs.
    let r = w.call("GET", "/rules", Some(ADMIN), "");
    assert_eq!((r.status, r.header("Location")), (303, Some("/login")));
    // SIGTERM: a clean exit (the state holding the PostgreSQL pool is dropped off the runtime).
    let status = w.d.terminate();
    assert!(status.success(), "{status:?}: {}", w.d.stderr());
}

#[test]
fn web_serve_refuses_to_start_without_keys_or_with_a_malformed_list() {
    let t = TestEnv::new();
    let out = t.mutt(&["web", "serve"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("WEBUI_API_KEYS"), "{err}");
    let out = t.mutt(
        &["web", "serve"],
        &[("WEBUI_API_KEYS", "ops:owner:s3cret-value")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert!(
        err.contains("WEBUI_API_KEYS") && err.contains("scope"),
        "{err}"
    );
    assert!(!err.contains("s3cret-value"), "{err}");
}

#[test]
fn rules_are_validated_written_with_their_audit_row_and_protected_when_referenced() {
    let w = start_web(&[]);
    let cid = "cid-rules-1";
    let r = w.call_with(
        "POST",
        "/api/v2/rules",
        Some(ADMIN),
        &rule_body().to_string(),
        &[("X-Correlation-ID", cid)],
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = json_of(&r);
    assert_eq!(body["message"], "Rule created successfully");
    let id = body["id"].as_i64().unwrap();
    let audit = w.config_audit_rows("alert_rules");
    assert_eq!(audit.len(), 1);
    let (by, op, _, old, new, reason, corr) = &audit[0];
    assert_eq!((by.as_str(), op.as_str()), ("webui_api:ops", "CREATE"));
    assert_eq!(old, &None);
    let new = new.as_ref().unwrap();
    assert_eq!(new["match_string"], "LINK-3-UPDOWN");
    assert_eq!(new["priority"], 100);
    assert_eq!(reason.as_deref(), Some("ticket 42"));
    assert_eq!(corr.as_deref(), Some(cid));

    let got = json_of(&w.call("GET", &format!("/api/v2/rules/{id}"), Some(ADMIN), ""));
    assert_eq!(got["match_type"], "contains");
    assert_eq!(got["is_active"], true);

    // Each invalid field is refused with 400 naming it; nothing is written.
    let bad: [(&str, Value); 9] = [
        ("match_type", json!("glob")),
        ("priority", json!("high")),
        ("syslog_severity", json!(9)),
        ("is_active", json!("perhaps")),
        ("team_assignment", json!("")),
        ("prod_handling", json!("x".repeat(101))),
        ("match_string", json!("(unclosed")),
        ("trap_oid", json!("1.3.six")),
        ("colour", json!("red")),
    ];
    for (field, value) in bad {
        let mut b = rule_body();
        b[field] = value;
        if field == "match_string" {
            b["match_type"] = json!("regex");
        }
        let (s, e) = w.admin("POST", "/api/v2/rules", b);
        assert_eq!(s, 400, "{field}: {e}");
        assert_eq!(e["field"], field, "{e}");
        assert!(e["correlation_id"].is_string());
    }
    let r = w.call("POST", "/api/v2/rules", Some(ADMIN), "{not json");
    assert_eq!(r.status, 400);
    let (s, e) = w.admin("POST", "/api/v2/rules", json!({"match_string": "x"}));
    assert_eq!(s, 400);
    assert!(e["error"]
        .as_str()
        .unwrap()
        .contains("prod_handling, dev_handling, team_assignment"));
    assert_eq!(w.config_audit_rows("alert_rules").len(), 1);

    // Update: the audit row keeps old and new values of the fields sent.
    let (s, e) = w.admin(
        "PUT",
        &format!("/api/v2/rules/{id}"),
        json!({"priority": 200, "reason": "tune"}),
    );
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["rule"]["priority"], 200);
    let audit = w.config_audit_rows("alert_rules");
    let (_, op, _, old, new, reason, _) = &audit[1];
    assert_eq!(op, "UPDATE");
    assert_eq!(old.as_ref().unwrap(), &json!({"priority": 100}));
    assert_eq!(new.as_ref().unwrap(), &json!({"priority": 200}));
    assert_eq!(reason.as_deref(), Some("tune"));
    assert_eq!(
        w.admin("PUT", &format!("/api/v2/rules/{id}"), json!({})).0,
        400
    );
    assert_eq!(
        w.admin("PUT", "/api/v2/rules/999999", json!({"priority": 1}))
            .0,
        404
    );
    assert_eq!(w.admin("GET", "/api/v2/rules/999999", Value::Null).0, 404);
    let (s, e) = w.admin("GET", "/api/v2/rules/abc", Value::Null);
    assert_eq!((s, e["field"].as_str()), (400, Some("id")));

    // A rule that audited events reference cannot be deleted: 409 says to deactivate it.
    insert_event(
        &mut w.db(),
        &chrono::Utc::now().to_rfc3339(),
        "h1",
        id as i32,
        "ev-ref",
    );
    let (s, e) = w.admin("DELETE", &format!("/api/v2/rules/{id}"), Value::Null);
    assert_eq!(s, 409, "{e}");
    assert!(e["error"].as_str().unwrap().contains("deactivate"));
    let (s, _) = w.admin(
        "PUT",
        &format!("/api/v2/rules/{id}"),
        json!({"is_active": false}),
    );
    assert_eq!(s, 200);
    let active = json_of(&w.call("GET", "/api/v2/rules?active=true", Some(ADMIN), ""));
    assert_eq!(active["rules"], json!([]));

    // An unreferenced rule is deleted; the reason may come from a header.
    let (_, c) = w.admin("POST", "/api/v2/rules", rule_body());
    let id2 = c["id"].as_i64().unwrap();
    let r = w.call_with(
        "DELETE",
        &format!("/api/v2/rules/{id2}"),
        Some(ADMIN),
        "",
        &[("X-Change-Reason", "obsolete")],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(json_of(&r)["message"], "Rule deleted successfully");
    let audit = w.config_audit_rows("alert_rules");
    let (_, op, _, old, new, reason, _) = audit.last().unwrap();
    assert_eq!(op, "DELETE");
    assert_eq!(old.as_ref().unwrap()["match_string"], "LINK-3-UPDOWN");
    assert_eq!(new, &None);
    assert_eq!(reason.as_deref(), Some("obsolete"));
    assert_eq!(
        w.admin("DELETE", &format!("/api/v2/rules/{id2}"), Value::Null)
            .0,
        404
    );
}

#[test]
fn rule_test_explains_an_event_against_the_live_rules() {
    let w = start_web(&[]);
    let (_, c) = w.admin("POST", "/api/v2/rules", rule_body());
    let id = c["id"].clone();
    let (s, e) = w.admin(
        "POST",
        "/api/v2/rules/test",
        json!({"event": {"hostname": "core-sw1", "message": "%LINK-3-UPDOWN: Gi0/1 down"}}),
    );
    assert_eq!(s, 200, "{e}");
    let d = &e["explanation"]["decision"];
    assert_eq!(d["outcome"], "matched");
    assert_eq!(d["rule_id"], id);
    assert_eq!(d["forward"], true);
    let (_, e) = w.admin(
        "POST",
        "/api/v2/rules/test",
        json!({"event": {"hostname": "core-sw1", "message": "all quiet"}}),
    );
    assert_eq!(e["explanation"]["decision"]["outcome"], "unhandled");
    assert_eq!(e["explanation"]["tried"][0]["matched"], false);
    assert_eq!(w.admin("POST", "/api/v2/rules/test", json!({})).0, 400);
}

#[test]
fn hosts_and_teams_are_normalised_audited_and_complete() {
    let w = start_web(&[]);
    let (s, e) = w.admin(
        "POST",
        "/api/v2/dev-hosts",
        json!({"hostname": " Lab-SW1 ", "reason": "lab"}),
    );
    assert_eq!((s, e["hostname"].as_str()), (201, Some("lab-sw1")), "{e}");
    assert_eq!(
        w.admin("POST", "/api/v2/dev-hosts", json!({"hostname": "LAB-sw1"}))
            .0,
        409
    );
    let (s, e) = w.admin("POST", "/api/v2/dev-hosts", json!({}));
    assert_eq!((s, e["field"].as_str()), (400, Some("hostname")));
    assert_eq!(
        w.admin("GET", "/api/v2/dev-hosts/LAB-SW1", Value::Null).1,
        json!({"hostname": "lab-sw1"})
    );
    assert_eq!(
        w.admin("PUT", "/api/v2/dev-hosts/lab-sw1", Value::Null).0,
        200
    );
    assert_eq!(
        w.admin("PUT", "/api/v2/dev-hosts/lab-sw2", Value::Null).0,
        201
    );
    assert_eq!(
        w.admin("GET", "/api/v2/dev-hosts", Value::Null).1,
        json!({"hosts": [{"hostname": "lab-sw1"}, {"hostname": "lab-sw2"}]})
    );
    assert_eq!(
        w.admin("DELETE", "/api/v2/dev-hosts/lab-sw2", Value::Null)
            .0,
        200
    );
    assert_eq!(
        w.admin("DELETE", "/api/v2/dev-hosts/lab-sw2", Value::Null)
            .0,
        404
    );
    let audit = w.config_audit_rows("development_hosts");
    let ops: Vec<(&str, Option<&str>)> = audit
        .iter()
        .map(|a| (a.1.as_str(), a.2.as_deref()))
        .collect();
    assert_eq!(
        ops,
        [
            ("CREATE", Some("lab-sw1")),
            ("CREATE", Some("lab-sw2")),
            ("DELETE", Some("lab-sw2"))
        ]
    );
    assert_eq!(audit[0].5.as_deref(), Some("lab"));

    let (s, _) = w.admin(
        "POST",
        "/api/v2/teams",
        json!({"hostname": "Core-SW1", "team_assignment": "NetOps"}),
    );
    assert_eq!(s, 201);
    assert_eq!(
        w.admin(
            "POST",
            "/api/v2/teams",
            json!({"hostname": "core-sw1", "team_assignment": "X"})
        )
        .0,
        409
    );
    let (s, e) = w.admin("POST", "/api/v2/teams", json!({"hostname": "core-sw2"}));
    assert_eq!((s, e["field"].as_str()), (400, Some("team_assignment")));
    assert_eq!(
        w.admin(
            "PUT",
            "/api/v2/teams/core-sw1",
            json!({"team_assignment": "Core"})
        )
        .0,
        200
    );
    assert_eq!(
        w.admin(
            "PUT",
            "/api/v2/teams/nope",
            json!({"team_assignment": "Core"})
        )
        .0,
        404
    );
    assert_eq!(w.admin("PUT", "/api/v2/teams/core-sw1", json!({})).0, 400);
    assert_eq!(
        w.admin("GET", "/api/v2/teams/core-sw1", Value::Null).1,
        json!({"hostname": "core-sw1", "team_assignment": "Core"})
    );
    assert_eq!(
        w.admin("DELETE", "/api/v2/teams/core-sw1", Value::Null).0,
        200
    );
    assert_eq!(w.admin("GET", "/api/v2/teams/core-sw1", Value::Null).0, 404);
    let audit = w.config_audit_rows("device_teams");
    assert_eq!(audit.len(), 3);
    assert_eq!(audit[1].1, "UPDATE");
    assert_eq!(audit[1].3.as_ref().unwrap()["team_assignment"], "NetOps");
    assert_eq!(audit[1].4.as_ref().unwrap()["team_assignment"], "Core");
    assert_eq!(audit[2].1, "DELETE");
}

#[test]
fn dynamic_config_is_validated_audited_published_and_listed_live() {
    let w = start_web(&[]);
    let channel = format!("{}:config:updates", w.t.prefix);
    let mut sub = common::redis();
    let (tx, rx) = std::sync::mpsc::channel();
    let ch = channel.clone();
    std::thread::spawn(move || {
        let mut ps = sub.as_pubsub();
        ps.subscribe(&ch).unwrap();
        tx.send(String::new()).unwrap();
        while let Ok(msg) = ps.get_message() {
            if tx.send(msg.get_payload::<String>().unwrap()).is_err() {
                break;
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(5)).unwrap();

    let (s, e) = w.admin(
        "PUT",
        "/api/v2/config/unhandled_threshold",
        json!({"value": 5, "reason": "noisy"}),
    );
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        e,
        json!({"key": "unhandled_threshold", "old_value": null, "new_value": "5"})
    );
    let key = format!("{}:config:unhandled_threshold", w.t.prefix);
    let mut r = common::redis();
    assert_eq!(
        r.get::<_, Option<String>>(&key).unwrap().as_deref(),
        Some("5")
    );
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        "unhandled_threshold"
    );

    let (s, e) = w.admin(
        "PUT",
        "/api/v2/config/unhandled_threshold",
        json!({"value": "lots"}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("value")), "{e}");
    let (s, e) = w.admin(
        "PUT",
        "/api/v2/config/unhandled_threshold",
        json!({"reason": "x"}),
    );
    assert_eq!((s, e["field"].as_str()), (400, Some("value")), "{e}");
    let (s, e) = w.admin("PUT", "/api/v2/config/no_such_key", json!({"value": 1}));
    assert_eq!((s, e["field"].as_str()), (400, Some("key")), "{e}");
    assert_eq!(
        w.admin("PUT", "/api/v2/config/updates", json!({"value": 1}))
            .0,
        400
    );
    assert_eq!(
        w.admin(
            "PUT",
            "/api/v2/config/custom_flag?force=true",
            json!({"value": "on"})
        )
        .0,
        200
    );
    assert_eq!(
        r.get::<_, Option<String>>(format!("{}:config:updates", w.t.prefix))
            .unwrap(),
        None
    );

    let list = w.admin("GET", "/api/v2/config", Value::Null).1;
    assert_eq!(list["config"]["unhandled_threshold"], "5");
    assert_eq!(list["config"]["custom_flag"], "on");
    let entry = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == "unhandled_threshold")
        .unwrap()
        .clone();
    assert_eq!(entry["source"], "redis");
    assert_eq!(entry["default"], "100");
    assert_eq!(entry["owner"], "alerter");
    let other = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == "moog_rate_limit")
        .unwrap()
        .clone();
    assert_eq!(other["source"], "default");
    // A key set behind the API's back shows up at once (read live, not from a cache).
    let _: () = r
        .set(format!("{}:config:moog_rate_limit", w.t.prefix), "42")
        .unwrap();
    let one = w
        .admin("GET", "/api/v2/config/moog_rate_limit", Value::Null)
        .1;
    assert_eq!(
        (one["value"].as_str(), one["source"].as_str()),
        (Some("42"), Some("redis"))
    );
    assert_eq!(
        w.admin("GET", "/api/v2/config/never_heard_of", Value::Null)
            .0,
        404
    );

    let (s, e) = w.admin("DELETE", "/api/v2/config/unhandled_threshold", Value::Null);
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["old_value"], "5");
    assert_eq!(r.get::<_, Option<String>>(&key).unwrap(), None);
    assert_eq!(
        w.admin("DELETE", "/api/v2/config/unhandled_threshold", Value::Null)
            .0,
        404
    );
    let h = w
        .admin(
            "GET",
            "/api/v2/config/history?key=unhandled_threshold",
            Value::Null,
        )
        .1;
    let ops: Vec<&str> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["DELETE", "CREATE"], "{h}");
    assert_eq!(
        h["history"][1]["new_values"],
        json!({"key": "unhandled_threshold", "value": "5"})
    );
    assert_eq!(h["history"][1]["record_key"], "unhandled_threshold");
    assert_eq!(h["history"][1]["reason"], "noisy");
    assert_eq!(h["pagination"]["total"], 2);
}

#[test]
fn a_failing_audit_insert_rolls_back_the_change() {
    let w = start_web(&[]);
    let mut db = w.db();
    db.batch_execute(
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'audit storage refused'; END $$;
         CREATE TRIGGER refuse_audit BEFORE INSERT ON config_audit_log
           FOR EACH ROW EXECUTE FUNCTION refuse_audit();",
    )
    .unwrap();
    let (s, e) = w.admin("POST", "/api/v2/rules", rule_body());
    assert_eq!(s, 503, "{e}");
    assert!(
        !e["error"].as_str().unwrap().contains("refused"),
        "leaks SQL error text: {e}"
    );
    let count =
        |db: &mut postgres::Client, sql: &str| db.query_one(sql, &[]).unwrap().get::<_, i64>(0);
    assert_eq!(count(&mut db, "SELECT count(*) FROM alert_rules"), 0);
    assert_eq!(
        w.admin("POST", "/api/v2/dev-hosts", json!({"hostname": "h1"}))
            .0,
        503
    );
    assert_eq!(count(&mut db, "SELECT count(*) FROM development_hosts"), 0);
    assert_eq!(
        w.admin(
            "POST",
            "/api/v2/teams",
            json!({"hostname": "h1", "team_assignment": "T"})
        )
        .0,
        503
    );
    assert_eq!(count(&mut db, "SELECT count(*) FROM device_teams"), 0);
    assert_eq!(
        w.admin(
            "PUT",
            "/api/v2/config/unhandled_threshold",
            json!({"value": 3})
        )
        .0,
        503
    );
    let mut r = common::redis();
    let key = format!("{}:config:unhandled_threshold", w.t.prefix);
    assert_eq!(r.get::<_, Option<String>>(&key).unwrap(), None);
}

#[test]
fn event_audit_search_filters_and_pages_by_keyset() {
    let w = start_web(&[]);
    let (_, c) = w.admin("POST", "/api/v2/rules", rule_body());
    let rule = c["id"].as_i64().unwrap() as i32;
    let mut db = w.db();
    let base = chrono::Utc::now() - chrono::Duration::hours(1);
    for i in 0..5 {
        let at = (base + chrono::Duration::minutes(i)).to_rfc3339();
        let host = if i % 2 == 0 { "even-host" } else { "odd-host" };
        insert_event(&mut db, &at, host, rule, &format!("ev-{i}"));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v2/audit-logs?limit=2&cursor={c}"),
            None => "/api/v2/audit-logs?limit=2".to_string(),
        };
        let (s, page) = w.admin("GET", &path, Value::Null);
        assert_eq!(s, 200, "{page}");
        pages += 1;
        for row in page["logs"].as_array().unwrap() {
            seen.push(row["event_id"].as_str().unwrap().to_string());
        }
        match page["pagination"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["ev-4", "ev-3", "ev-2", "ev-1", "ev-0"]);

    let odd = w
        .admin("GET", "/api/v2/audit-logs?hostname=odd-host", Value::Null)
        .1;
    assert_eq!(odd["logs"].as_array().unwrap().len(), 2);
    let by_rule = w
        .admin(
            "GET",
            &format!("/api/v2/audit-logs?rule_id={rule}"),
            Value::Null,
        )
        .1;
    assert_eq!(by_rule["logs"].as_array().unwrap().len(), 5);
    let start =
        (base + chrono::Duration::minutes(3)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let late = w
        .admin(
            "GET",
            &format!("/api/v2/audit-logs?start_date={start}"),
            Value::Null,
        )
        .1;
    assert_eq!(late["logs"].as_array().unwrap().len(), 2, "{late}");
    assert!(late["logs"][0]["event_timestamp"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    for (q, field) in [
        ("start_date=yesterday", "start_date"),
        ("limit=many", "limit"),
        ("rule_id=x", "rule_id"),
        ("cursor=zzz", "cursor"),
    ] {
        let (s, e) = w.admin("GET", &format!("/api/v2/audit-logs?{q}"), Value::Null);
        assert_eq!((s, e["field"].as_str()), (400, Some(field)), "{q}: {e}");
    }
}

#[test]
fn config_audit_filters_accept_v25_inputs_and_refuse_bad_ones() {
    let w = start_web(&[]);
    let (_, c) = w.admin("POST", "/api/v2/rules", rule_body());
    let id = c["id"].as_i64().unwrap();
    w.admin(
        "PUT",
        &format!("/api/v2/rules/{id}"),
        json!({"priority": 5}),
    );
    w.admin("POST", "/api/v2/dev-hosts", json!({"hostname": "h1"}));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let q = format!(
        "/api/v2/config-audit?changed_by=OPS&table_name=alert_rules&record_id={id}&operation=update&start_date={today}&end_date={today}"
    );
    let (s, e) = w.admin("GET", &q, Value::Null);
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["changes"].as_array().unwrap().len(), 1, "{e}");
    assert_eq!(e["changes"][0]["changed_by"], "webui_api:ops");
    assert_eq!(e["changes"][0]["operation"], "UPDATE");
    let logs = w
        .admin(
            "GET",
            "/api/v1/audit?table_name=development_hosts",
            Value::Null,
        )
        .1;
    assert_eq!(logs["logs"][0]["record_key"], "h1");
    assert_eq!(
        logs["pagination"],
        json!({"page": 1, "limit": 50, "total": 1, "pages": 1})
    );
    let (s, e) = w.admin("GET", "/api/v2/config-audit?operation=UPSERT", Value::Null);
    assert_eq!((s, e["field"].as_str()), (400, Some("operation")));
    let (s, e) = w.admin("GET", "/api/v2/audit?end_date=31/12/2025", Value::Null);
    assert_eq!((s, e["field"].as_str()), (400, Some("end_date")));
    let big = w.admin("GET", "/api/v2/audit?limit=500", Value::Null).1;
    assert_eq!(big["pagination"]["limit"], 200);
}

#[test]
fn the_alerter_uses_a_rule_created_through_the_api_within_a_second() {
    let w = start_web(&[]);
    let mut env = w.t.env();
    // The periodic reload is an hour away: only the change notice can explain a quick pickup.
    env.push(("CACHE_RELOAD_INTERVAL".into(), "3600".into()));
    let _alerter = Daemon::start(&["alert", "run"], &env);
    common::wait_for(Duration::from_secs(20), "the alerter to be ready", || {
        _alerter.req("GET", "/health/ready", &[], "").status == 200
    });

    let (s, c) = w.admin("POST", "/api/v2/rules", rule_body());
    assert_eq!(s, 201);
    let id = c["id"].as_i64().unwrap() as i32;
    // Probe events, one at a time, each decided before the next is pushed, until one is
    // audited: those before it met the old rules, it met the new one. The promise is "within a
    // second"; the deadline is generous so a loaded machine cannot fail it, and with the
    // periodic reload an hour away only the notice can meet it.
    let mut r = common::redis();
    let mut db = w.db();
    let queue = format!("{}:ingest_queue", w.t.prefix);
    let processing = format!("{}:processing:alerter:*", w.t.prefix);
    let deadline = Instant::now() + Duration::from_secs(10);
    let picked = (0..)
        .find(|n| {
            let event = json!({"hostname": "core-sw1", "message": "%LINK-3-UPDOWN: Gi0/2 down",
                               "timestamp": chrono::Utc::now().to_rfc3339(), "syslog_severity": 3,
                               "_event_id": format!("pickup-{n}")});
            let _: () = r.lpush(&queue, event.to_string()).unwrap();
            common::wait_for(Duration::from_secs(10), "the probe to be processed", || {
                let lists: Vec<String> = r.keys(&processing).unwrap();
                let in_flight: i64 = lists.iter().map(|l| r.llen::<_, i64>(l).unwrap()).sum();
                r.llen::<_, i64>(&queue).unwrap() == 0 && in_flight == 0
            });
            let audited = db
                .query_opt(
                    "SELECT 1 FROM event_audit_log WHERE event_id = $1",
                    &[&format!("pickup-{n}")],
                )
                .unwrap()
                .is_some();
            assert!(
                audited || Instant::now() < deadline,
                "the new rule was not used within 10 s"
            );
            audited
        })
        .unwrap();
    let rows = db
        .query(
            "SELECT event_id, matched_rule_id FROM event_audit_log WHERE event_id LIKE 'pickup-%'",
            &[],
        )
        .unwrap();
    let got: Vec<(String, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        got,
        [(format!("pickup-{picked}"), id)],
        "only the event after the pickup, matched by the rule created through the API"
    );
}

fn form_login(w: &Web, key: &str) -> RawResponse {
    let body = format!("api_key={key}");
    w.d.req(
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &body,
    )
}

#[test]
fn pages_log_in_to_a_session_whose_writes_need_the_csrf_token_and_failures_are_limited() {
    let w = start_web(&[("WEBUI_LOGIN_MAX_FAILURES", "3")]);
    let r = w.call("GET", "/login", None, "");
    assert_eq!(r.status, 200);
    assert!(r
        .header("Content-Security-Policy")
        .unwrap()
        .contains("default-src 'self'"));
    assert_eq!(r.header("X-Frame-Options"), Some("DENY"));

    let r = form_login(&w, ADMIN);
    assert_eq!((r.status, r.header("Location")), (303, Some("/")));
    let set_cookie = r.header("Set-Cookie").unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    // Plain HTTP: a Secure cookie would never come back and the login would loop.
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert!(
        !set_cookie.contains(ADMIN),
        "the key leaked into the cookie"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let page = w.d.req("GET", "/rules", &[("Cookie", &cookie)], "");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<html"), "{}", page.text());
    let s = json_of(&w.d.req("GET", "/session", &[("Cookie", &cookie)], ""));
    assert_eq!(
        (s["name"].as_str(), s["scope"].as_str()),
        (Some("ops"), Some("admin"))
    );
    let csrf = s["csrf_token"].as_str().unwrap().to_string();

    let body = rule_body().to_string();
    let json = ("Content-Type", "application/json");
    let r =
        w.d.req("POST", "/api/v2/rules", &[json, ("Cookie", &cookie)], &body);
    assert_eq!(r.status, 403, "a cookie alone must not write: {}", r.text());
    let r = w.d.req(
        "POST",
        "/api/v2/rules",
        &[json, ("Cookie", &cookie), ("X-CSRF-Token", "forged")],
        &body,
    );
    assert_eq!(r.status, 403);
    let r = w.d.req(
        "POST",
        "/api/v2/rules",
        &[json, ("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let audit = w.config_audit_rows("alert_rules");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "webui_api:ops");

    let r = w.d.req("POST", "/logout", &[("Cookie", &cookie)], "");
    assert_eq!((r.status, r.header("Location")), (303, Some("/login")));
    let r = w.d.req("GET", "/rules", &[("Cookie", &cookie)], "");
    assert_eq!((r.status, r.header("Location")), (303, Some("/login")));

    for _ in 0..3 {
        let r = form_login(&w, "wrong-key");
        assert_eq!(
            (r.status, r.header("Location")),
            (303, Some("/login?error=1"))
        );
        assert!(r.header("Set-Cookie").is_none());
    }
    let r = form_login(&w, ADMIN);
    assert_eq!(
        r.status, 429,
        "too many failures must lock the address out for a while"
    );
    assert_eq!(r.header("Retry-After"), Some("60"));
}

#[test]
fn ingest_rates_use_the_last_complete_minute_and_zero_filled_windows() {
    use chrono::Timelike;
    let w = start_web(&[]);
    // Stay clear of a minute boundary between seeding and reading: wait for the next minute if
    // less than 5 s of this one are left (a wait on the clock itself).
    let second = chrono::Utc::now().second();
    if second >= 55 {
        std::thread::sleep(Duration::from_secs(u64::from(60 - second)));
    }
    let now = chrono::Utc::now();
    let minute = |ago: i64| {
        format!(
            "{}:metrics:1m:{}",
            w.t.prefix,
            (now - chrono::Duration::minutes(ago)).format("%Y-%m-%dT%H:%M")
        )
    };
    let mut r = common::redis();
    // The current, partial minute must not count; the last complete one is 30; 20 minutes ago 60.
    let _: () = r.set(minute(0), 999).unwrap();
    let _: () = r.set(minute(1), 30).unwrap();
    let _: () = r.set(minute(20), 60).unwrap();
    let _: () = r
        .set(
            format!("{}:metrics:1h:{}", w.t.prefix, now.format("%Y-%m-%dT%H")),
            120,
        )
        .unwrap();
    let (s, m) = w.admin("GET", "/api/v2/metrics", Value::Null);
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["summary"]["current_rate_1m"], 30.0, "{m}");
    assert_eq!(m["summary"]["avg_rate_15m"], 2.0, "{m}");
    assert_eq!(m["summary"]["avg_rate_1h"], 1.5, "{m}");
    assert_eq!(m["chart_24h"]["data"][23], 2.0, "{m}");
    assert_eq!(
        m["chart_24h"]["labels"][23],
        now.format("%H:00").to_string()
    );
    assert_eq!(m["chart_24h"]["data"][22], 0.0);
}
