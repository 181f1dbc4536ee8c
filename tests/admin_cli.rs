//! The admin CLI (`mutt rules|hosts|teams|audit|config`) black-box: the real binary against real
//! PostgreSQL and Redis; every write must leave the audit row the REST API leaves, with
//! `changed_by` = `cli:<user>`, and announce the change.

mod common;
use common::TestEnv;
use redis::Commands;
use serde_json::{json, Value};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const USER: (&str, &str) = ("USER", "opsuser");

fn migrated() -> TestEnv {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    t
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn json_out(o: &Output) -> Value {
    serde_json::from_str(&common::stdout(o))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", common::stdout(o)))
}

/// Run mutt as `opsuser` and require success; returns stdout as JSON.
fn ok_json(t: &TestEnv, args: &[&str]) -> Value {
    let mut full = vec!["--output", "json"];
    full.extend_from_slice(args);
    let out = t.mutt(&full, &[USER]);
    assert_eq!(code(&out), 0, "{args:?}: {}", common::stderr(&out));
    json_out(&out)
}

/// (changed_by, operation, table_name, record_key, old_values, new_values, reason)
type Audit = (
    String,
    String,
    String,
    Option<String>,
    Option<Value>,
    Option<Value>,
    Option<String>,
);

fn audit_rows(t: &TestEnv) -> Vec<Audit> {
    t.admin()
        .query(
            "SELECT changed_by, operation, table_name, record_key, old_values, new_values, reason
               FROM config_audit_log ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
            )
        })
        .collect()
}

fn add_rule(t: &TestEnv, extra: &[&str]) -> i64 {
    let mut args = vec![
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
    ];
    args.extend_from_slice(extra);
    ok_json(t, &args)["id"].as_i64().expect("rule id")
}

#[test]
fn rules_are_created_updated_and_deleted_with_cli_audit_rows() {
    let t = migrated();
    let id = add_rule(
        &t,
        &[
            "--severity",
            "err",
            "--priority",
            "10",
            "--reason",
            "ticket 42",
        ],
    );
    let shown = ok_json(&t, &["rules", "show", &id.to_string()]);
    assert_eq!(shown["syslog_severity"], json!(3), "names become numbers");
    assert_eq!(shown["priority"], json!(10));
    assert_eq!(shown["is_active"], json!(true));

    let updated = ok_json(
        &t,
        &[
            "rules",
            "update",
            &id.to_string(),
            "--priority",
            "5",
            "--clear",
            "syslog_severity",
            "--active",
            "false",
        ],
    );
    assert_eq!(updated["priority"], json!(5));
    assert_eq!(updated["syslog_severity"], Value::Null);
    assert_eq!(updated["is_active"], json!(false));

    let listed = ok_json(&t, &["rules", "list", "--inactive"]);
    assert_eq!(listed["rules"].as_array().unwrap().len(), 1);
    assert_eq!(
        ok_json(&t, &["rules", "list", "--active"])["rules"],
        json!([])
    );

    ok_json(
        &t,
        &["rules", "delete", &id.to_string(), "--reason", "gone"],
    );
    let out = t.mutt(&["rules", "show", &id.to_string()], &[USER]);
    assert_eq!(code(&out), 1);
    assert!(
        common::stderr(&out).contains("not found"),
        "{}",
        common::stderr(&out)
    );

    let rows = audit_rows(&t);
    let ops: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(
        ops,
        [
            ("cli:opsuser", "CREATE"),
            ("cli:opsuser", "UPDATE"),
            ("cli:opsuser", "DELETE")
        ]
    );
    assert!(rows.iter().all(|r| r.2 == "alert_rules"));
    assert_eq!(rows[0].6.as_deref(), Some("ticket 42"));
    assert_eq!(rows[0].5.as_ref().unwrap()["priority"], json!(10));
    assert_eq!(rows[1].4.as_ref().unwrap()["priority"], json!(10));
    assert_eq!(rows[1].5.as_ref().unwrap()["priority"], json!(5));
    assert_eq!(rows[2].5, None);
    assert_eq!(rows[2].6.as_deref(), Some("gone"));
}

#[test]
fn invalid_rules_are_refused_naming_the_field_and_nothing_is_written() {
    let t = migrated();
    let cases: [(&[&str], &str); 4] = [
        (&["--match-type", "glob"], "match_type"),
        (&["--priority", "high"], "priority"),
        (&["--severity", "loud"], "syslog_severity"),
        (
            &["--match-type", "regex", "--match-string", "BGP.*(Down"],
            "regex",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec![
            "rules",
            "add",
            "--prod-handling",
            "p",
            "--dev-handling",
            "d",
            "--team",
            "t",
        ];
        if !extra.contains(&"--match-string") {
            args.extend(["--match-string", "x"]);
        }
        args.extend_from_slice(extra);
        let out = t.mutt(&args, &[USER]);
        assert_eq!(code(&out), 1, "{extra:?}");
        let err = common::stderr(&out);
        assert!(
            err.starts_with("mutt: ") && err.contains(needle),
            "{extra:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    let out = t.mutt(&["rules", "add", "--match-string", "x"], &[USER]);
    assert_eq!(code(&out), 1);
    assert!(common::stderr(&out).contains("prod_handling"));
    let n: i64 = t
        .admin()
        .query_one("SELECT count(*) FROM alert_rules", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    assert!(audit_rows(&t).is_empty());
}

#[test]
fn a_rule_with_audited_events_cannot_be_deleted() {
    let t = migrated();
    let id = add_rule(&t, &[]);
    t.admin()
        .execute(
            "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision)
             VALUES (now(), 'r1', $1, 'page')",
            &[&(id as i32)],
        )
        .unwrap();
    let out = t.mutt(&["rules", "delete", &id.to_string()], &[USER]);
    assert_eq!(code(&out), 1);
    assert!(
        common::stderr(&out).contains("deactivate"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(
        ok_json(&t, &["rules", "list"])["rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn run_with_stdin(t: &TestEnv, args: &[&str], input: &str) -> Output {
    common::mutt_with_stdin(t, args, &[USER], input)
}

#[test]
fn export_then_import_round_trips_and_import_reports_refused_entries() {
    let t = migrated();
    add_rule(&t, &["--priority", "7"]);
    add_rule(
        &t,
        &[
            "--match-type",
            "oid_prefix",
            "--trap-oid",
            "1.3.6.1.6.3.1.1.5",
        ],
    );

    let out = t.mutt(&["rules", "export"], &[USER]);
    assert_eq!(code(&out), 0, "{}", common::stderr(&out));
    let yaml = common::stdout(&out);
    assert!(yaml.starts_with("rules:"), "{yaml}");

    // Importing what was exported changes nothing: every entry is identical to a rule.
    let again = run_with_stdin(&t, &["--output", "json", "rules", "import", "-"], &yaml);
    assert_eq!(code(&again), 0, "{}", common::stderr(&again));
    let report = json_out(&again);
    assert_eq!(report["created"], json!([]));
    assert_eq!(report["unchanged"], json!(2));

    // Into a fresh database, the same file recreates the same rules.
    let fresh = migrated();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let imported = ok_json(&fresh, &["rules", "import", file.to_str().unwrap()]);
    assert_eq!(imported["created"].as_array().unwrap().len(), 2);
    let strip = |v: Value| -> Vec<Value> {
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("id");
                r
            })
            .collect()
    };
    assert_eq!(
        strip(ok_json(&fresh, &["rules", "list"])),
        strip(ok_json(&t, &["rules", "list"]))
    );
    let creates = audit_rows(&fresh);
    assert_eq!(creates.len(), 2);
    assert!(creates
        .iter()
        .all(|r| r.0 == "cli:opsuser" && r.1 == "CREATE"));

    // One good and one bad entry: the good one is imported, exit 3 (partial).
    let mixed = r#"[{"match_string": "OSPF", "prod_handling": "p", "dev_handling": "d",
                     "team_assignment": "t"},
                    {"match_string": "x", "priority": -1, "prod_handling": "p",
                     "dev_handling": "d", "team_assignment": "t"}]"#;
    let out = run_with_stdin(&fresh, &["--output", "json", "rules", "import", "-"], mixed);
    assert_eq!(code(&out), 3, "{}", common::stderr(&out));
    let report = json_out(&out);
    assert_eq!(report["created"].as_array().unwrap().len(), 1);
    assert_eq!(report["failed"][0]["index"], json!(2));
    assert_eq!(report["failed"][0]["field"], json!("priority"));

    // Nothing importable at all: exit 1.
    let out = run_with_stdin(&fresh, &["rules", "import", "-"], r#"[{"colour": "red"}]"#);
    assert_eq!(code(&out), 1);
}

#[test]
fn rules_test_explains_one_event_or_a_file_of_events() {
    let t = migrated();
    let id = add_rule(&t, &["--priority", "10"]);
    ok_json(&t, &["hosts", "add", "lab-r1"]);

    let one = ok_json(
        &t,
        &[
            "rules",
            "test",
            "--hostname",
            "core-r1",
            "--message",
            "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
        ],
    );
    let decision = &one["results"][0]["explanation"]["decision"];
    assert_eq!(decision["outcome"], json!("matched"));
    assert_eq!(decision["rule_id"], json!(id));
    assert_eq!(decision["handling"], json!("page_and_ticket"));
    assert_eq!(decision["environment"], json!("prod"));

    let events = concat!(
        "{\"hostname\": \"lab-r1\", \"message\": \"LINK-3-UPDOWN\"}\n",
        "{\"hostname\": \"core-r2\", \"message\": \"all quiet\"}\n",
        "\"not an event\"\n"
    );
    let out = run_with_stdin(
        &t,
        &["--output", "json", "rules", "test", "--file", "-"],
        events,
    );
    assert_eq!(
        code(&out),
        3,
        "one of three is not an object: {}",
        common::stderr(&out)
    );
    let results = json_out(&out)["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0]["explanation"]["decision"]["handling"],
        json!("ticket_only")
    );
    assert_eq!(
        results[0]["explanation"]["decision"]["environment"],
        json!("dev")
    );
    assert_eq!(
        results[1]["explanation"]["decision"]["outcome"],
        json!("unhandled")
    );
    assert!(results[2]["error"]
        .as_str()
        .unwrap()
        .contains("JSON object"));

    // The human form names the verdict.
    let out = t.mutt(
        &[
            "rules",
            "test",
            "--event",
            r#"{"hostname":"x","message":"LINK-3-UPDOWN"}"#,
        ],
        &[USER],
    );
    assert_eq!(code(&out), 0);
    assert!(
        common::stdout(&out).contains(&format!("matched rule {id}: page_and_ticket for NetOps")),
        "{}",
        common::stdout(&out)
    );
}

#[test]
fn hosts_and_teams_are_managed_and_audited() {
    let t = migrated();
    let added = ok_json(&t, &["hosts", "add", " Lab-R1 ", "lab-r2"]);
    assert_eq!(added[0]["result"], json!("added lab-r1"));
    let out = t.mutt(&["hosts", "add", "lab-r2", "lab-r3"], &[USER]);
    assert_eq!(code(&out), 3, "lab-r2 exists, lab-r3 is new");
    assert_eq!(
        ok_json(&t, &["hosts", "list"])["hosts"],
        json!([{"hostname": "lab-r1"}, {"hostname": "lab-r2"}, {"hostname": "lab-r3"}])
    );
    ok_json(&t, &["hosts", "delete", "LAB-R3"]);
    let out = t.mutt(&["hosts", "delete", "nope"], &[USER]);
    assert_eq!(code(&out), 1);

    let set = ok_json(&t, &["teams", "set", "core-r1", "NetOps"]);
    assert_eq!(set["created"], json!(true));
    let changed = ok_json(
        &t,
        &["teams", "set", "CORE-R1", "Backbone", "--reason", "reorg"],
    );
    assert_eq!(changed["created"], json!(false));
    assert_eq!(
        ok_json(&t, &["teams", "list"])["teams"],
        json!([{"hostname": "core-r1", "team_assignment": "Backbone"}])
    );
    ok_json(&t, &["teams", "delete", "core-r1"]);
    assert_eq!(ok_json(&t, &["teams", "list"])["teams"], json!([]));

    let rows = audit_rows(&t);
    let summary: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.1.as_str(), r.2.as_str(), r.3.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("CREATE", "development_hosts", Some("lab-r1")),
            ("CREATE", "development_hosts", Some("lab-r2")),
            ("CREATE", "development_hosts", Some("lab-r3")),
            ("DELETE", "development_hosts", Some("lab-r3")),
            ("CREATE", "device_teams", Some("core-r1")),
            ("UPDATE", "device_teams", Some("core-r1")),
            ("DELETE", "device_teams", Some("core-r1")),
        ]
    );
    assert!(rows.iter().all(|r| r.0 == "cli:opsuser"));
    assert_eq!(rows[5].6.as_deref(), Some("reorg"));
    assert_eq!(
        rows[5].4.as_ref().unwrap()["team_assignment"],
        json!("NetOps")
    );
}

#[test]
fn audit_queries_filter_and_page() {
    let t = migrated();
    let id = add_rule(&t, &[]);
    ok_json(&t, &["hosts", "add", "lab-r1"]);
    let mut db = t.admin();
    for (i, host) in ["r1", "r2", "r1"].iter().enumerate() {
        db.execute(
            "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision, raw_message)
             VALUES ('2026-11-01T10:00:00Z'::timestamptz + make_interval(mins => $1), $2, $3, 'page', $4)",
            &[&(i as i32), host, &(id as i32), &format!("msg {i}")],
        )
        .unwrap();
    }
    let r1 = ok_json(&t, &["audit", "events", "--host", "r1"]);
    let msgs: Vec<&str> = r1["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["raw_message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs, ["msg 2", "msg 0"], "newest first");

    let page1 = ok_json(&t, &["audit", "events", "--limit", "2"]);
    assert_eq!(page1["logs"].as_array().unwrap().len(), 2);
    let cursor = page1["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let page2 = ok_json(
        &t,
        &["audit", "events", "--limit", "2", "--cursor", &cursor],
    );
    assert_eq!(page2["logs"][0]["raw_message"], json!("msg 0"));
    assert_eq!(page2["pagination"]["next_cursor"], Value::Null);

    let window = ok_json(
        &t,
        &[
            "audit",
            "events",
            "--since",
            "2026-11-01T10:01:00Z",
            "--until",
            "2026-11-01T10:01:30Z",
        ],
    );
    assert_eq!(window["logs"][0]["raw_message"], json!("msg 1"));
    assert_eq!(window["logs"].as_array().unwrap().len(), 1);

    let out = t.mutt(&["audit", "events", "--since", "yesterday-ish"], &[USER]);
    assert_eq!(code(&out), 1);
    assert!(
        common::stderr(&out).contains("since"),
        "{}",
        common::stderr(&out)
    );

    let hosts = ok_json(&t, &["audit", "config", "--table", "development_hosts"]);
    assert_eq!(hosts["pagination"]["total"], json!(1));
    assert_eq!(hosts["logs"][0]["record_key"], json!("lab-r1"));
    let by_cli = ok_json(
        &t,
        &["audit", "config", "--changed-by", "CLI:OPS", "--limit", "1"],
    );
    assert_eq!(by_cli["pagination"]["total"], json!(2));
    assert_eq!(by_cli["pagination"]["pages"], json!(2));
    let creates = ok_json(&t, &["audit", "config", "--operation", "delete"]);
    assert_eq!(creates["pagination"]["total"], json!(0));
    let out = t.mutt(&["audit", "config", "--operation", "MERGE"], &[USER]);
    assert_eq!(code(&out), 1);

    // The table form shows what changed.
    let out = t.mutt(
        &["audit", "config", "--table", "development_hosts"],
        &[USER],
    );
    assert!(
        common::stdout(&out).contains("hostname: ∅ → \"lab-r1\""),
        "{}",
        common::stdout(&out)
    );
}

fn numsub(conn: &mut redis::Connection, channel: &str) -> i64 {
    let v: (String, i64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query(conn)
        .unwrap();
    v.1
}

#[test]
fn dynamic_config_is_validated_audited_announced_and_watchable() {
    let t = migrated();
    let mut r = common::redis();
    let key = format!("{}:config:remediation_batch_size", t.prefix);
    let channel = format!("{}:config:updates", t.prefix);

    let listed = ok_json(&t, &["config", "list"]);
    let entry = listed["config"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == json!("remediation_batch_size"))
        .cloned()
        .expect("registered key listed");
    assert_eq!(entry["source"], json!("default"));

    // Start watching before changing anything; wait until it has subscribed.
    let watcher = Command::new(env!("CARGO_BIN_EXE_mutt"))
        .args(["--output", "json", "config", "watch", "--count", "3"])
        .env_clear()
        .envs(t.env())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while numsub(&mut r, &channel) == 0 {
        assert!(Instant::now() < deadline, "watch never subscribed");
        std::thread::sleep(Duration::from_millis(20));
    }

    let out = t.mutt(&["config", "set", "remediation_batch_size", "0"], &[USER]);
    assert_eq!(code(&out), 1, "below the registered minimum");
    assert!(common::stderr(&out).contains("remediation_batch_size"));
    let out = t.mutt(&["config", "set", "no_such_key", "1"], &[USER]);
    assert_eq!(code(&out), 1);
    assert!(common::stderr(&out).contains("unknown configuration key"));

    let change = ok_json(
        &t,
        &[
            "config",
            "set",
            "remediation_batch_size",
            "250",
            "--reason",
            "burst",
        ],
    );
    assert_eq!(
        change,
        json!({"key": "remediation_batch_size", "old_value": null, "new_value": "250"})
    );
    let stored: Option<String> = r.get(&key).unwrap();
    assert_eq!(stored.as_deref(), Some("250"));
    assert_eq!(
        ok_json(&t, &["config", "get", "remediation_batch_size"])["source"],
        json!("redis")
    );

    ok_json(&t, &["hosts", "add", "lab-r9"]);
    ok_json(&t, &["config", "delete", "remediation_batch_size"]);
    let stored: Option<String> = r.get(&key).unwrap();
    assert_eq!(stored, None);

    let watched = watcher.wait_with_output().unwrap();
    assert!(watched.status.success(), "{}", common::stderr(&watched));
    let lines: Vec<Value> = common::stdout(&watched)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["key"], json!("remediation_batch_size"));
    assert_eq!(lines[0]["value"], json!("250"));
    assert_eq!(lines[1]["table"], json!("development_hosts"));
    assert_eq!(lines[2]["key"], json!("remediation_batch_size"));
    assert_eq!(lines[2]["value"], Value::Null);

    let rows: Vec<Audit> = audit_rows(&t)
        .into_iter()
        .filter(|r| r.2 == "dynamic_config")
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "cli:opsuser");
    assert_eq!(rows[0].1, "CREATE");
    assert_eq!(rows[0].3.as_deref(), Some("remediation_batch_size"));
    assert_eq!(rows[0].6.as_deref(), Some("burst"));
    assert_eq!(rows[1].1, "DELETE");
    assert_eq!(
        rows[1].4,
        Some(json!({"key": "remediation_batch_size", "value": "250"}))
    );
}

#[test]
fn without_a_user_variable_the_uid_names_the_actor() {
    let t = migrated();
    let out = t.mutt(&["hosts", "add", "lab-r1"], &[]);
    assert_eq!(code(&out), 0, "{}", common::stderr(&out));
    let by = &audit_rows(&t)[0].0;
    assert!(by.starts_with("cli:uid"), "{by}");
}

// ---------------------------------------------------------------------------------------------
// Terminals: progress bars and password prompts (real pseudo-terminals, see common::pty)

/// `n` distinct, valid rules as an import document.
fn many_rules(n: usize) -> String {
    let rules: Vec<Value> = (0..n)
        .map(|i| {
            json!({"match_string": format!("BULK-{i}"), "match_type": "contains",
                   "prod_handling": "page_and_ticket", "dev_handling": "ticket_only",
                   "team_assignment": "NetOps", "priority": 100 + i})
        })
        .collect();
    json!({ "rules": rules }).to_string()
}

#[test]
fn rules_import_draws_a_bar_on_a_terminal_only_for_tables() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.json");
    std::fs::write(&file, many_rules(300)).unwrap();
    let path = file.to_str().unwrap();

    // A table on a terminal: the bar on stderr, stdout (a pipe) only the summary.
    let t = migrated();
    let term = common::pty::Terminal::spawn(&["rules", "import", path], &t.env(), false);
    let done = term.finish();
    done.assert_bar_drawn(&["rules import"]);
    assert!(
        done.stdout.starts_with("300 entries: 300 created"),
        "{:?}",
        done.stdout
    );

    // `-o json` on the same terminal: no bar, stdout is JSON.
    let t = migrated();
    let term =
        common::pty::Terminal::spawn(&["-o", "json", "rules", "import", path], &t.env(), false);
    let done = term.finish();
    done.assert_no_bar(&["rules import"]);
    let report: Value = serde_json::from_str(&done.stdout).expect("stdout is JSON");
    assert_eq!(report["created"].as_array().unwrap().len(), 300);

    // No terminal at all (cron, CI): a table, and nothing drawn.
    let t = migrated();
    let out = t.mutt(&["rules", "import", path], &[]);
    assert_eq!(code(&out), 0, "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(
        !err.contains("rules import") && !common::pty::drawn(&err),
        "{err:?}"
    );
    assert!(common::stdout(&out).starts_with("300 entries: 300 created"));
}

/// This test's environment without any PostgreSQL password.
fn env_without_db_password(t: &TestEnv) -> Vec<(String, String)> {
    t.env()
        .into_iter()
        .filter(|(k, _)| k != "DB_PASS_CURRENT")
        .collect()
}

#[test]
fn a_missing_postgres_password_is_asked_for_on_a_terminal_without_echo() {
    let t = migrated();
    add_rule(&t, &[]);
    let password = common::services().pg.password().to_string();
    let prompt = format!(
        "PostgreSQL password for {}@127.0.0.1: ",
        common::services().pg.superuser()
    );
    let mut term =
        common::pty::Terminal::spawn(&["rules", "list"], &env_without_db_password(&t), false);
    // A wrong one first: refused, asked again.
    term.wait_for(&prompt);
    term.wait_echo_off();
    term.type_text("not-the-password\r");
    term.wait_for("PostgreSQL refused that password");
    term.wait_for_count(&prompt, 2);
    term.wait_echo_off();
    term.type_text(&format!("{password}\r"));
    let done = term.finish();
    assert!(done.status.success(), "{:?}", done.screen);
    assert!(
        done.stdout.contains("LINK-3-UPDOWN"),
        "the command ran with the typed password: {:?}",
        done.stdout
    );
    assert!(
        !done.screen.contains(&password) && !done.screen.contains("not-the-password"),
        "a typed password was echoed: {:?}",
        done.screen
    );
    assert!(!done.stdout.contains(&password));
}

#[test]
fn without_a_terminal_a_missing_postgres_password_fails_at_once_with_one_line() {
    let t = migrated();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mutt"))
        .args(["rules", "list"])
        .env_clear()
        .envs(env_without_db_password(&t))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + common::pty::DEADLINE;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "mutt hung without a terminal");
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 1);
    let err = common::stderr(&out);
    assert!(
        err.contains("PostgreSQL authentication failed") && err.contains("DB_PASS_CURRENT"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.contains("password for"),
        "no prompt off a terminal: {err}"
    );
}

#[test]
fn a_missing_redis_password_is_asked_for_and_none_when_not_needed() {
    use mutt::dev::services::{RedisOptions, RedisServer};
    let t = TestEnv::new();
    // A Redis that lets us in without a password: nothing is asked.
    let term = common::pty::Terminal::spawn(&["dlq", "stats"], &t.env(), false);
    let done = term.finish();
    assert!(done.status.success(), "{:?}", done.screen);
    assert!(!done.screen.contains("password"), "{:?}", done.screen);

    let secret = uuid::Uuid::new_v4().simple().to_string();
    let redis = RedisServer::start(RedisOptions {
        password: Some(secret.clone()),
        ..RedisOptions::default()
    })
    .unwrap();
    let env = t.env_with(&[("REDIS_PORT", redis.port().to_string())]);
    let mut term = common::pty::Terminal::spawn(&["dlq", "stats"], &env, false);
    term.wait_for(&format!("Redis password for 127.0.0.1:{}: ", redis.port()));
    term.wait_echo_off();
    term.type_text(&format!("{secret}\r"));
    let done = term.finish();
    assert!(done.status.success(), "{:?}", done.screen);
    assert!(done.stdout.contains("alerter"), "{:?}", done.stdout);
    assert!(!done.screen.contains(&secret), "echoed: {:?}", done.screen);
}
