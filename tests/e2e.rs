//! `mutt e2e` against a whole stack the test starts: ingest, alerter, forwarder and mock Moog on
//! a private Redis and PostgreSQL.

mod common;
use common::daemon::Daemon;
use common::{stderr, stdout, TestEnv};

struct Stack {
    t: TestEnv,
    ingest: Daemon,
    _alerter: Daemon,
    forwarder: Option<Daemon>,
    mock: Daemon,
}

fn stack() -> Stack {
    let t = TestEnv::new();
    assert!(t.mutt(&["migrate"], &[]).status.success());
    let common_env = [
        ("MUTT_BIND_ADDRESS", "127.0.0.1".to_string()),
        ("DYNAMIC_CONFIG_REFRESH_SECONDS", "0.5".to_string()),
    ];
    let mock = Daemon::start(&["mock-moog"], &t.env());
    let mut e = common_env.to_vec();
    e.push(("INGEST_API_KEY", "e2e-key".into()));
    let ingest = Daemon::start(&["ingest", "serve"], &t.env_with(&e));
    let mut e = common_env.to_vec();
    e.extend([("BRPOPLPUSH_TIMEOUT", "0.2".into())]);
    let alerter = Daemon::start(&["alert", "run"], &t.env_with(&e));
    let mut e = common_env.to_vec();
    e.extend([
        ("MOOG_WEBHOOK_URL", format!("http://{}/events", mock.addr)),
        ("MOOG_API_KEY", "moog-key".into()),
    ]);
    let forwarder = Daemon::start(&["forward", "run"], &t.env_with(&e));
    Stack {
        t,
        ingest,
        _alerter: alerter,
        forwarder: Some(forwarder),
        mock,
    }
}

impl Stack {
    fn e2e(&self, timeout: &str) -> std::process::Output {
        let ingest = format!("http://{}/api/v2/ingest", self.ingest.addr);
        let sink = format!("http://{}", self.mock.addr);
        self.t.mutt(
            &[
                "e2e",
                "--ingest-url",
                &ingest,
                "--sink-url",
                &sink,
                "--timeout",
                timeout,
                "--rule-settle",
                "1",
            ],
            &[("MUTT_E2E_API_KEY", "e2e-key")],
        )
    }
}

#[test]
fn e2e_passes_against_a_working_stack_and_fails_without_a_forwarder() {
    let mut s = stack();
    let out = s.e2e("30");
    let table = stdout(&out);
    assert!(out.status.success(), "{table}\n{}", stderr(&out));
    for line in [
        "ingest accepts the events",
        "forwarded event audited",
        "audit-only event audited, not forwarded",
        "unhandled event not audited",
        "unhandled event counted",
        "forwarded event reached Moog once",
        "nothing else reached Moog",
        "Moog payload fields",
    ] {
        let row = table
            .lines()
            .find(|l| l.contains(line))
            .unwrap_or_else(|| panic!("no {line:?} in {table}"));
        assert!(row.contains("PASS"), "{row}");
    }
    // It cleaned up after itself.
    let mut c = s.t.admin();
    let rules: i64 = c
        .query_one("SELECT count(*) FROM alert_rules", &[])
        .unwrap()
        .get(0);
    assert_eq!(rules, 0);
    let rows: i64 = c
        .query_one("SELECT count(*) FROM event_audit_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);

    // Without a forwarder nothing reaches Moog: the run fails, says so, and exits 1.
    let mut f = s.forwarder.take().unwrap();
    assert!(f.terminate().success());
    let out = s.e2e("3");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let table = stdout(&out);
    let row = table
        .lines()
        .find(|l| l.contains("forwarded event reached Moog once"))
        .unwrap();
    assert!(row.contains("FAIL"), "{row}");
    assert!(stderr(&out).contains("check(s) failed"));
}
