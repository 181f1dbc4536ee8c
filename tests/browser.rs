//! The web UI in a real browser: headless Chromium, driven over WebDriver, against the real
//! `mutt web serve` with real PostgreSQL and Redis behind it. Logs in with a key, reads the
//! dashboard, creates a rule through the rules page and finds its audit row on the config-audit
//! page, then silences an event from its audit row and expires the silence, checking PostgreSQL at
//! each step. Fails (never skips) when Chromium is missing.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::Browser;
use common::daemon::Daemon;
use common::TestEnv;
use serde_json::json;
use std::panic::AssertUnwindSafe;

/// Script errors and CSP violations in the console (network failures are judged by the page).
fn script_errors(b: &Browser) -> Vec<String> {
    b.console_errors()
        .into_iter()
        .filter(|m| !m.contains("Failed to load resource"))
        .collect()
}

fn assert_no_script_errors(b: &Browser, page: &str) {
    let errors = script_errors(b);
    assert!(errors.is_empty(), "{page}: console errors: {errors:#?}");
}

#[test]
fn login_dashboard_rule_created_in_the_browser_is_stored_and_audited() {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(
        out.status.success(),
        "migrate failed: {}",
        common::stderr(&out)
    );

    let key = uuid::Uuid::new_v4().simple().to_string();
    let env = t.env_with(&[
        ("WEBUI_API_KEYS", format!("admin:admin:{key}")),
        ("MUTT_BIND_ADDRESS", "127.0.0.1".to_string()),
    ]);
    let daemon = Daemon::start(&["web", "serve"], &env);
    let base = format!("http://{}", daemon.addr);
    let b = Browser::start();

    let run = std::panic::catch_unwind(AssertUnwindSafe(|| flow(&t, &b, &base, &key)));
    if let Err(panic) = run {
        // Leave evidence for whoever reads the failure: a screenshot and the server's log.
        let shot = std::env::temp_dir().join(format!("mutt-browser-failure-{}.png", t.db));
        b.screenshot(&shot);
        eprintln!("screenshot: {}", shot.display());
        eprintln!("mutt web serve stderr:\n{}", daemon.stderr());
        std::panic::resume_unwind(panic);
    }
}

fn flow(t: &TestEnv, b: &Browser, base: &str, key: &str) {
    // Without a session every page sends the browser to the login page.
    b.goto(&format!("{base}/"));
    b.wait_for("the redirect to /login", || {
        (b.path() == "/login").then_some(())
    });
    b.wait_visible("#api-key");
    assert_no_script_errors(b, "/login");

    // A wrong key comes back to the login page with the error shown.
    b.type_into("#api-key", "not-the-key");
    b.click(&b.wait_visible("#login-submit"));
    b.wait_for("the 'Invalid API key' message", || {
        (b.path() == "/login?error=1"
            && b.text("#login-error").as_deref() == Some("Invalid API key"))
        .then_some(())
    });

    // The right key lands on the dashboard, whose cards fill with numbers.
    b.type_into("#api-key", key);
    b.click(&b.wait_visible("#login-submit"));
    b.wait_for("the dashboard after login", || {
        (b.path() == "/").then_some(())
    });
    for card in ["#current-rate", "#avg-15m", "#avg-1h"] {
        let text = b.wait_for(&format!("{card} to show a number"), || {
            b.text(card).filter(|s| s.parse::<f64>().is_ok())
        });
        assert_ne!(text, "Error");
    }
    assert_no_script_errors(b, "/");

    // Create a rule through the rules page form.
    let needle = format!(
        "BROWSER-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    b.goto(&format!("{base}/rules"));
    b.wait_visible("#rule-form");
    b.type_into("#rule-match-string", &needle);
    b.select("#rule-match-type", "contains");
    b.type_into("#rule-priority", "42");
    b.select("#rule-severity", "3");
    b.type_into("#rule-prod-handling", "Page_and_ticket");
    b.type_into("#rule-dev-handling", "Ticket_only");
    b.type_into("#rule-team", "NetOps-browser");
    b.type_into("#rule-reason", "created by the browser test");
    b.click(&b.wait_visible("#rule-submit"));

    let rule_id: i32 = b.wait_for("the new rule in #rules-table", || {
        let id = b.exec(
            "for (const tr of document.querySelectorAll('#rules-table tr[data-rule-id]')) { \
               if (tr.textContent.includes(arguments[0])) return tr.dataset.ruleId; } \
             return null;",
            &[json!(needle)],
        );
        id.as_str().and_then(|s| s.parse().ok())
    });
    let message = b.text("#rule-message").unwrap_or_default();
    assert!(
        message.contains("created") && message.contains(&rule_id.to_string()),
        "#rule-message says {message:?}"
    );
    assert_no_script_errors(b, "/rules");

    // The rule is in PostgreSQL as typed.
    let mut db = t.admin();
    let rows = db
        .query(
            "SELECT id, match_type, priority, syslog_severity, prod_handling, dev_handling, \
             team_assignment, is_active FROM alert_rules WHERE match_string = $1",
            &[&needle],
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "one alert_rules row for {needle}");
    let r = &rows[0];
    assert_eq!(r.get::<_, i32>("id"), rule_id);
    assert_eq!(r.get::<_, String>("match_type"), "contains");
    assert_eq!(r.get::<_, i32>("priority"), 42);
    assert_eq!(r.get::<_, Option<i32>>("syslog_severity"), Some(3));
    assert_eq!(r.get::<_, String>("prod_handling"), "Page_and_ticket");
    assert_eq!(r.get::<_, String>("dev_handling"), "Ticket_only");
    assert_eq!(r.get::<_, String>("team_assignment"), "NetOps-browser");
    assert!(r.get::<_, bool>("is_active"));

    // The config-audit page lists the CREATE by the key's name.
    b.goto(&format!("{base}/audit"));
    b.wait_for("the CREATE row in #config-audit-table", || {
        let found = b.exec(
            "for (const tr of document.querySelectorAll('#config-audit-table tbody tr')) { \
               const cells = Array.from(tr.cells, (c) => c.textContent.trim()); \
               if (cells.includes('webui_api:admin') && cells.includes('CREATE') && \
                   cells.includes('alert_rules') && \
                   cells.some((c) => c.split(' · ').includes(arguments[0]))) return true; } \
             return false;",
            &[json!(rule_id.to_string())],
        );
        (found == json!(true)).then_some(())
    });
    assert_no_script_errors(b, "/audit");

    // And config_audit_log holds that row, with the reason typed in the form.
    let rows = db
        .query(
            "SELECT changed_by, operation, reason FROM config_audit_log \
             WHERE table_name = 'alert_rules' AND record_id = $1",
            &[&rule_id],
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "one config_audit_log row for rule {rule_id}");
    assert_eq!(rows[0].get::<_, String>("changed_by"), "webui_api:admin");
    assert_eq!(rows[0].get::<_, String>("operation"), "CREATE");
    assert_eq!(
        rows[0].get::<_, Option<String>>("reason").as_deref(),
        Some("created by the browser test")
    );

    silence_from_an_audit_row(t, b, base, rule_id);
}

/// An event audit row's "Silence events like this" opens the silences page prefilled; the
/// silence added there is stored as shown, listed, on the dashboard, and expired from the list.
fn silence_from_an_audit_row(t: &TestEnv, b: &Browser, base: &str, rule_id: i32) {
    let mut db = t.admin();
    db.execute(
        "INSERT INTO event_audit_log (event_timestamp, hostname, matched_rule_id, handling_decision,          forwarded_to_moog, raw_message, event_id)          VALUES (now(), 'edge-sw-07', $1, 'Page_and_ticket', true, '{}', 'browser-event')",
        &[&rule_id],
    )
    .unwrap();
    b.goto(&format!("{base}/audit-logs"));
    let link = b.wait_visible("#audit-logs-table a.silence-like");
    b.click(&link);
    b.wait_for("the silences page", || {
        b.path().starts_with("/silences?").then_some(())
    });
    b.wait_visible("#silence-form");
    let prefilled = b.exec(
        "return [document.getElementById('silence-hostname').value,                  document.getElementById('silence-rule-id').value];",
        &[],
    );
    assert_eq!(prefilled, json!(["edge-sw-07", rule_id.to_string()]));
    b.type_into("#silence-comment", "browser maintenance");
    b.click(&b.wait_visible("#silence-submit"));
    let silence_id: i32 = b.wait_for("the new silence in #silences-table", || {
        let id = b.exec(
            "const tr = document.querySelector('#silences-table tr[data-silence-id]');              return tr ? tr.dataset.silenceId : null;",
            &[],
        );
        id.as_str().and_then(|s| s.parse().ok())
    });
    assert_no_script_errors(b, "/silences");
    let row = db
        .query_one(
            "SELECT hostname, hostname_match, rule_id, comment, created_by,              (ends_at - starts_at) = interval '2 hours' FROM silences WHERE id = $1",
            &[&silence_id],
        )
        .unwrap();
    assert_eq!(
        row.get::<_, Option<String>>(0).as_deref(),
        Some("edge-sw-07")
    );
    assert_eq!(row.get::<_, String>(1), "exact");
    assert_eq!(row.get::<_, Option<i32>>(2), Some(rule_id));
    assert_eq!(row.get::<_, String>(3), "browser maintenance");
    assert_eq!(row.get::<_, String>(4), "webui_api:admin");
    assert!(row.get::<_, bool>(5), "the form's default duration is 2h");

    // The dashboard lists it.
    b.goto(&format!("{base}/"));
    b.wait_for("the silence on the dashboard", || {
        let text = b.exec(
            "const tr = document.querySelector('#silences-table tr[data-silence-id]');              return tr ? tr.textContent : null;",
            &[],
        );
        text.as_str()
            .filter(|t| t.contains("host=edge-sw-07") && t.contains("browser maintenance"))
            .map(|_| ())
    });
    assert_no_script_errors(b, "/");

    // Expire it from the list (the reason prompt answered by the test).
    b.goto(&format!("{base}/silences"));
    let expire = b.wait_visible("#silences-table button.danger");
    b.exec("window.prompt = () => 'done early';", &[]);
    b.click(&expire);
    b.wait_for("the silence to leave the list", || {
        let left = b.exec(
            "return document.querySelector('#silences-table tr[data-silence-id]') === null;",
            &[],
        );
        (left == json!(true)).then_some(())
    });
    let ended: bool = db
        .query_one(
            "SELECT ends_at <= now() FROM silences WHERE id = $1",
            &[&silence_id],
        )
        .unwrap()
        .get(0);
    assert!(ended);
    let reason: Option<String> = db
        .query_one(
            "SELECT reason FROM config_audit_log WHERE table_name = 'silences'              AND record_id = $1 AND operation = 'UPDATE'",
            &[&silence_id],
        )
        .unwrap()
        .get(0);
    assert_eq!(reason.as_deref(), Some("done early"));
    assert_no_script_errors(b, "/silences");
}
