//! Secrets from Vault against a local server speaking the Vault HTTP API (tests/common/vault.rs),
//! with the real Redis and PostgreSQL of the harness: startup, failures at startup, token
//! renewal and re-login, outages, and CURRENT/NEXT rotation while daemons serve a request loop.

mod common;
use common::daemon::Daemon;
use common::http_client::{build, request};
use common::vault::TestVault;
use common::{stderr, stdout, wait_for, wait_for_log, TestEnv};
use mutt::settings::{registry, Settings};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROLE_ID: &str = "mutt-role-id";
const SECRET_ID: &str = "mutt-secret-id-s3cr3t";
const LOC: &str = "secret/mutt";

struct Fixture {
    vault: TestVault,
    _dir: tempfile::TempDir,
    secret_id_file: String,
}

fn vault(ttl: u64, max_ttl: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret-id");
    std::fs::write(&path, format!("{SECRET_ID}\n")).unwrap();
    Fixture {
        vault: TestVault::start(
            ROLE_ID,
            SECRET_ID,
            Duration::from_secs(ttl),
            Duration::from_secs(max_ttl),
        ),
        secret_id_file: path.to_str().unwrap().to_string(),
        _dir: dir,
    }
}

impl Fixture {
    fn env(&self, refresh: &str) -> Vec<(String, String)> {
        [
            ("VAULT_ADDR", self.vault.addr()),
            ("VAULT_ROLE_ID", ROLE_ID.to_string()),
            ("VAULT_SECRET_ID_FILE", self.secret_id_file.clone()),
            ("VAULT_REFRESH_SECONDS", refresh.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

#[test]
fn config_show_takes_unset_secrets_from_vault_masked() {
    let t = TestEnv::new();
    let f = vault(60, 600);
    f.vault.put(
        LOC,
        &[
            ("DB_PASS_CURRENT", "vault-db-pw-1"),
            ("INGEST_API_KEY", "vault-ingest-key"),
            ("MOOG_API_KEY", "vault-moog-key"),
        ],
    );
    let mut extra: Vec<(&str, &str)> = vec![
        ("DB_PASS_CURRENT", ""),
        ("INGEST_API_KEY", "env-ingest-key"),
        // v2.5's spelling, mount included: the mount prefix is stripped.
        ("VAULT_PATH", "secret/mutt"),
        ("VAULT_NAMESPACE", "team-a"),
    ];
    let env = f.env("60");
    extra.extend(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let out = t.mutt(&["config", "show", "--output", "json"], &extra);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for secret in [
        "vault-db-pw-1",
        "vault-moog-key",
        "env-ingest-key",
        SECRET_ID,
    ] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert!(!stderr(&out).contains(SECRET_ID));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap().clone();
    assert_eq!(row("DB_PASS_CURRENT")["source"], "vault");
    assert_eq!(
        row("DB_PASS_CURRENT")["value"],
        "******** (vault secret/mutt)"
    );
    assert_eq!(row("MOOG_API_KEY")["source"], "vault");
    // Explicit environment beats Vault.
    assert_eq!(row("INGEST_API_KEY")["source"], "env");
    // Bound to Vault but absent from the secret: says so, still masked.
    assert_eq!(row("DB_PASS_NEXT")["source"], "vault");
    assert_eq!(row("DB_PASS_NEXT")["value"], "(not in vault secret/mutt)");
    assert_eq!(row("VAULT_ROLE_ID")["value"], ROLE_ID);
    assert_eq!(
        f.vault.namespaces().first().map(String::as_str),
        Some("team-a")
    );
}

#[test]
fn vault_trouble_at_startup_is_one_line_naming_the_variable() {
    let t = TestEnv::new();
    let f = vault(60, 600);
    f.vault.put(LOC, &[("MOOG_API_KEY", "k")]);
    let dead = common::DeadPort::new();
    let dead_addr = format!("http://{}", dead.addr());
    let missing = format!("{}.missing", f.secret_id_file);
    let wrong_dir = tempfile::tempdir().unwrap();
    let wrong = wrong_dir.path().join("wrong");
    std::fs::write(&wrong, "not-the-secret-id").unwrap();
    let wrong = wrong.to_str().unwrap().to_string();
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (
            vec![("VAULT_ADDR", dead_addr.as_str())],
            format!("mutt: invalid configuration: VAULT_ADDR: cannot reach Vault at {dead_addr}: connection refused"),
        ),
        (
            vec![("VAULT_SECRET_ID_FILE", wrong.as_str())],
            "VAULT_ROLE_ID: AppRole login refused by Vault (HTTP 400): invalid role or secret ID"
                .to_string(),
        ),
        (
            vec![("VAULT_SECRET_ID_FILE", missing.as_str())],
            format!("VAULT_SECRET_ID_FILE: cannot read {missing}"),
        ),
        (
            vec![("VAULT_PATH", "other")],
            "VAULT_PATH: reading the secret refused by Vault (HTTP 404) (no secret at secret/other)"
                .to_string(),
        ),
        (
            vec![("VAULT_ROLE_ID", "")],
            "VAULT_ROLE_ID: required when VAULT_ADDR is set".to_string(),
        ),
    ];
    for (overrides, needle) in cases {
        let mut env: HashMap<String, String> = t.env().into_iter().collect();
        env.extend(f.env("60"));
        for (k, v) in &overrides {
            if v.is_empty() {
                env.remove(*k);
            } else {
                env.insert(k.to_string(), v.to_string());
            }
        }
        let out = common::mutt_with_env(&["config", "show"], &env);
        assert_eq!(out.status.code(), Some(1), "{overrides:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{overrides:?}: {err}");
        assert!(err.contains(&needle), "{overrides:?}: {err}");
        assert!(!err.contains(SECRET_ID) && !err.contains("not-the-secret-id"));
    }
}

/// Settings loaded in this process from `env` (the way the binary loads them).
fn load(env: &[(String, String)]) -> Settings {
    let map: HashMap<String, String> = env.iter().cloned().collect();
    Settings::load(&[], &map).expect("settings load")
}

#[test]
fn tokens_are_renewed_replaced_and_outages_keep_the_last_secrets() {
    // Tokens live 3 s and at most 5 s: renewal at ~2 s, then a fresh login as the max TTL nears.
    let f = vault(3, 5);
    f.vault.put(LOC, &[("MOOG_API_KEY", "moog-1")]);
    // Capture from before the load, so the refresher's messages are all there.
    common::captured_log();
    let s = load(&f.env("0.5"));
    let key = s.secret(&registry::MOOG_API_KEY);
    assert_eq!(key.get().as_deref(), Some("moog-1"));
    assert!(!format!("{s:?}").contains("moog-1"), "Debug leaks a secret");

    // Periodic re-read picks up a rotation.
    f.vault.patch(LOC, &[("MOOG_API_KEY", "moog-2")]);
    wait_for(Duration::from_secs(10), "periodic re-read", || {
        key.get().as_deref() == Some("moog-2")
    });

    // The token is renewed (at 2/3 of its 3 s lease), then replaced by a fresh login (the
    // renewal grants less than half a lease as the max TTL nears); reads never stop.
    wait_for(
        Duration::from_secs(20),
        "a renewal, then a fresh login",
        || {
            let c = f.vault.counts();
            c.renewals >= 1 && c.logins >= 2
        },
    );
    f.vault.patch(LOC, &[("MOOG_API_KEY", "moog-3")]);
    wait_for(
        Duration::from_secs(10),
        "re-read with a replaced token",
        || key.get().as_deref() == Some("moog-3"),
    );

    // A revoked token: the read is refused, mutt logs in again and reads.
    let before = f.vault.counts().logins;
    f.vault.revoke_all();
    f.vault.patch(LOC, &[("MOOG_API_KEY", "moog-4")]);
    wait_for(Duration::from_secs(10), "re-login after revocation", || {
        key.get().as_deref() == Some("moog-4")
    });
    assert!(f.vault.counts().logins > before);

    // Vault down: a periodic re-read fails and the last good value stays; back up: changes
    // arrive again.
    f.vault.set_up(false);
    let unreachable = format!("cannot reach Vault at {}", f.vault.addr());
    wait_for(Duration::from_secs(20), "a failed re-read logged", || {
        common::captured_log()
            .lines()
            .any(|l| l.starts_with("cannot refresh secrets from Vault") && l.contains(&unreachable))
    });
    assert_eq!(key.get().as_deref(), Some("moog-4"));
    // A forced refresh while down neither blocks long nor loses the value.
    let started = Instant::now();
    assert!(key.refresh_now());
    assert!(started.elapsed() < Duration::from_secs(6));
    assert_eq!(key.get().as_deref(), Some("moog-4"));
    f.vault.patch(LOC, &[("MOOG_API_KEY", "moog-5")]);
    f.vault.set_up(true);
    wait_for(Duration::from_secs(20), "re-read after the outage", || {
        key.get().as_deref() == Some("moog-5")
    });
}

#[test]
fn a_connection_refused_with_both_passwords_rereads_vault_at_once() {
    let t = TestEnv::new();
    let role = format!("vr_{}", &t.prefix[2..].replace('_', ""));
    let mut admin = t.admin();
    admin
        .batch_execute(&format!("CREATE ROLE {role} LOGIN PASSWORD 'pw-a'"))
        .unwrap();
    let f = vault(60, 600);
    f.vault.put(LOC, &[("DB_PASS_CURRENT", "pw-a")]);
    // An hour between periodic reads: only the auth failure can bring the new password.
    let mut env: Vec<(String, String)> = t
        .env()
        .into_iter()
        .filter(|(k, _)| k != "DB_PASS_CURRENT" && k != "DB_USER")
        .collect();
    env.extend(f.env("3600"));
    env.push(("DB_USER".into(), role.clone()));
    let s = load(&env);
    use mutt::store::postgres::{PgConfig, PgConnector};
    let connector = PgConnector::new(PgConfig::from_settings(&s, "test")).unwrap();
    drop(connector.connect().expect("connect with Vault's password"));
    // The operator skips the NEXT step: Vault and the role change together.
    f.vault.put(LOC, &[("DB_PASS_CURRENT", "pw-b")]);
    admin
        .batch_execute(&format!("ALTER ROLE {role} PASSWORD 'pw-b'"))
        .unwrap();
    let reads = f.vault.counts().reads;
    drop(connector.connect().expect("re-read Vault and connect"));
    assert_eq!(f.vault.counts().reads, reads + 1);
}

/// A request loop against one daemon endpoint; counts failures with their status.
struct Load {
    stop: Arc<AtomicBool>,
    /// Held by the load around each request; held by the test, it keeps requests out.
    turn: Arc<Mutex<()>>,
    ok: Arc<AtomicU32>,
    failures: Arc<Mutex<Vec<(u16, String)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(
        addr: std::net::SocketAddr,
        method: &'static str,
        path: &'static str,
        body: &'static str,
        key: Arc<Mutex<String>>,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU32::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let turn = Arc::new(Mutex::new(()));
        let thread = {
            let (stop, ok, failures) = (Arc::clone(&stop), Arc::clone(&ok), Arc::clone(&failures));
            let turn = Arc::clone(&turn);
            std::thread::spawn(move || {
                // Bounded: about 50 requests a second on loopback.
                while !stop.load(Ordering::SeqCst) {
                    let k = key.lock().unwrap().clone();
                    let headers = [
                        ("X-API-KEY", k.as_str()),
                        ("Content-Type", "application/json"),
                    ];
                    let in_turn = turn.lock().unwrap();
                    let r = request(addr, &build(method, path, &headers, body));
                    drop(in_turn);
                    if (200..300).contains(&r.status) {
                        ok.fetch_add(1, Ordering::SeqCst);
                    } else {
                        failures.lock().unwrap().push((r.status, r.text()));
                    }
                    // Pacing, not a wait: a steady load that leaves the daemons CPU to work.
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        Load {
            stop,
            turn,
            ok,
            failures,
            thread: Some(thread),
        }
    }

    /// Keep the load's requests out (none is in flight once this returns) until the guard is
    /// dropped.
    fn pause(&self) -> std::sync::MutexGuard<'_, ()> {
        self.turn.lock().unwrap()
    }

    /// Successful requests so far.
    fn ok(&self) -> u32 {
        self.ok.load(Ordering::SeqCst)
    }

    /// Wait until `n` more requests have succeeded (the load keeps going through a step).
    fn wait_for_more(&self, n: u32, what: &str) {
        let from = self.ok();
        wait_for(Duration::from_secs(20), what, || self.ok() >= from + n);
    }

    fn finish(mut self) -> (u32, Vec<(u16, String)>) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        (
            self.ok.load(Ordering::SeqCst),
            self.failures.lock().unwrap().clone(),
        )
    }
}

const EV: &str = r#"{"hostname":"sw1.example.net","message":"link down","timestamp":"2026-11-22T04:00:00Z","syslog_severity":3}"#;

#[test]
fn rotation_under_load_loses_no_request() {
    let t = TestEnv::new();
    assert!(t.mutt(&["migrate"], &[]).status.success());
    let role = format!("vl_{}", &t.prefix[2..].replace('_', ""));
    let mut admin = t.admin();
    // Superuser so the web UI may read every table; the point here is the password.
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN SUPERUSER PASSWORD 'db-a'"
        ))
        .unwrap();
    let f = vault(60, 600);
    f.vault.put(
        LOC,
        &[
            ("DB_PASS_CURRENT", "db-a"),
            ("INGEST_API_KEY", "ingest-old"),
            ("WEBUI_API_KEY", "web-key-0123456789"),
        ],
    );
    // The password exists only in Vault.
    let mut env: Vec<(String, String)> = t
        .env()
        .into_iter()
        .filter(|(k, _)| k != "DB_PASS_CURRENT" && k != "DB_USER")
        .collect();
    env.extend(f.env("1"));
    env.push(("DB_USER".into(), role.clone()));
    env.push(("SECRETS_REFRESH_SECONDS".into(), "0.5".into()));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    let web = Daemon::start(&["web", "serve"], &env);
    let ingest = Daemon::start(&["ingest", "serve"], &env);

    let client_key = Arc::new(Mutex::new("ingest-old".to_string()));
    let ingest_load = Load::start(ingest.addr, "POST", "/ingest", EV, Arc::clone(&client_key));
    let web_key = Arc::new(Mutex::new("web-key-0123456789".to_string()));
    let web_load = Load::start(web.addr, "GET", "/api/v2/rules", "", web_key);
    // The documented procedure waits, between steps, until every reader has picked the change
    // up (at most VAULT_REFRESH_SECONDS plus SECRETS_REFRESH_SECONDS); here each wait is on the
    // observed pickup instead: every Vault client (one per daemon) has read the secret again,
    // and for an API key (cached for SECRETS_REFRESH_SECONDS) ingest answers accordingly.
    let reread = || {
        f.vault
            .wait_for_rereads(Duration::from_secs(3), Duration::from_secs(20))
    };
    let ingest_status = |key: &str| {
        request(
            ingest.addr,
            &build(
                "POST",
                "/ingest",
                &[("X-API-KEY", key), ("Content-Type", "application/json")],
                EV,
            ),
        )
        .status
    };
    ingest_load.wait_for_more(10, "the ingest load under way");
    web_load.wait_for_more(10, "the web load under way");

    // API key: publish old+new, move clients to new, retire old.
    f.vault
        .patch(LOC, &[("INGEST_API_KEY", "ingest-old,ingest-new")]);
    reread();
    wait_for(
        Duration::from_secs(20),
        "ingest to accept the new key",
        || (200..300).contains(&ingest_status("ingest-new")),
    );
    *client_key.lock().unwrap() = "ingest-new".into();

    // PostgreSQL: NEXT published, role changed, NEXT promoted.
    f.vault.patch(LOC, &[("DB_PASS_NEXT", "db-b")]);
    reread();
    admin
        .batch_execute(&format!("ALTER ROLE {role} PASSWORD 'db-b'"))
        .unwrap();
    end_idle_sessions(&mut admin, &role, &web_load);
    // The web UI's pool logs in again, with NEXT.
    wait_for_log(
        Duration::from_secs(20),
        "PostgreSQL accepted DB_PASS_NEXT after DB_PASS_CURRENT was refused",
        || web.stderr(),
    );
    web_load.wait_for_more(10, "the web load on NEXT");
    f.vault.patch(
        LOC,
        &[
            ("DB_PASS_CURRENT", "db-b"),
            ("DB_PASS_NEXT", ""),
            ("INGEST_API_KEY", "ingest-new"),
        ],
    );
    reread();
    wait_for(
        Duration::from_secs(20),
        "ingest to retire the old key",
        || ingest_status("ingest-old") == 401,
    );
    end_idle_sessions(&mut admin, &role, &web_load);
    ingest_load.wait_for_more(10, "the ingest load after the promotion");
    web_load.wait_for_more(10, "the web load after the promotion");

    // Vault goes away: everything keeps working on the last good secrets.
    f.vault.set_up(false);
    end_idle_sessions(&mut admin, &role, &web_load);
    let unreachable = format!("cannot reach Vault at {}", f.vault.addr());
    for (name, daemon) in [("web", &web), ("ingest", &ingest)] {
        wait_for(
            Duration::from_secs(20),
            &format!("{name} to log that Vault is unreachable"),
            || {
                daemon.stderr().lines().any(|l| {
                    l.contains("cannot refresh secrets from Vault") && l.contains(&unreachable)
                })
            },
        );
    }
    ingest_load.wait_for_more(10, "the ingest load without Vault");
    web_load.wait_for_more(10, "the web load without Vault");
    wait_for(Duration::from_secs(20), "over 50 requests each", || {
        ingest_load.ok() > 50 && web_load.ok() > 50
    });

    let (ingest_ok, ingest_failed) = ingest_load.finish();
    let (web_ok, web_failed) = web_load.finish();
    assert!(
        ingest_ok > 50 && web_ok > 50,
        "{ingest_ok} {web_ok} {:?}",
        ingest_failed.first()
    );
    assert!(
        ingest_failed.is_empty(),
        "ingest failures: {ingest_failed:?}\n{}",
        ingest.stderr()
    );
    assert!(
        web_failed.is_empty(),
        "web failures: {web_failed:?}\n{}",
        web.stderr()
    );

    // The retired key is refused now; the new one works, Vault still down.
    let r = request(
        ingest.addr,
        &build("POST", "/ingest", &[("X-API-KEY", "ingest-old")], EV),
    );
    assert_eq!(r.status, 401);
    let r = request(
        ingest.addr,
        &build(
            "POST",
            "/ingest",
            &[
                ("X-API-KEY", "ingest-new"),
                ("Content-Type", "application/json"),
            ],
            EV,
        ),
    );
    assert!((200..300).contains(&r.status), "{}", r.text());
    // The web UI's pool really went through NEXT and back to CURRENT.
    let web_log = web.stderr();
    assert!(
        web_log.contains("PostgreSQL accepted DB_PASS_NEXT after DB_PASS_CURRENT was refused"),
        "{web_log}"
    );
    for log in [web.stderr(), ingest.stderr()] {
        for secret in [
            "db-a",
            "db-b",
            "ingest-old",
            "ingest-new",
            SECRET_ID,
            "hvs.test",
        ] {
            assert!(!log.contains(secret), "{secret} in a log: {log}");
        }
    }
}

/// End the role's sessions so the web UI's pool must log in again, with its request loop
/// paused meanwhile: a session ended in the middle of a query would fail that request for
/// reasons that have nothing to do with secrets (the web UI is the only PostgreSQL user here).
/// Termination is asynchronous, so the load resumes only once the sessions are gone: a pooled
/// connection handed out before its backend exits would fail the same way.
fn end_idle_sessions(admin: &mut postgres::Client, role: &str, web_load: &Load) {
    let _paused = web_load.pause();
    let pids: Vec<i32> = admin
        .query(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE usename = $1 AND state = 'idle'",
            &[&role],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    wait_for(
        Duration::from_secs(20),
        "the ended sessions to be gone",
        || {
            let left: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)",
                    &[&pids],
                )
                .unwrap()
                .get(0);
            left == 0
        },
    );
}

#[test]
fn vault_cacert_is_the_only_trust_root() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let ca = |name: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
    };
    let (good, other) = (ca("vault test CA"), ca("some other CA"));
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &good)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (good_pem, other_pem, junk) = (
        dir.path().join("ca.pem"),
        dir.path().join("other.pem"),
        dir.path().join("junk.pem"),
    );
    std::fs::write(&good_pem, good.pem()).unwrap();
    std::fs::write(&other_pem, other.pem()).unwrap();
    std::fs::write(&junk, "not a certificate").unwrap();
    let secret_file = dir.path().join("sid");
    std::fs::write(&secret_file, SECRET_ID).unwrap();
    let v = TestVault::start_tls(
        ROLE_ID,
        SECRET_ID,
        Duration::from_secs(60),
        cert.pem().as_bytes(),
        key.serialize_pem().as_bytes(),
    );
    v.put(LOC, &[("MOOG_API_KEY", "tls-moog")]);
    let t = TestEnv::new();
    let run = |cacert: &std::path::Path| {
        let mut env: HashMap<String, String> = t.env().into_iter().collect();
        env.insert("VAULT_ADDR".into(), v.addr());
        env.insert("VAULT_ROLE_ID".into(), ROLE_ID.into());
        env.insert(
            "VAULT_SECRET_ID_FILE".into(),
            secret_file.to_str().unwrap().into(),
        );
        env.insert("VAULT_CACERT".into(), cacert.to_str().unwrap().into());
        common::mutt_with_env(&["config", "show", "--output", "json"], &env)
    };
    let out = run(&good_pem);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("(vault secret/mutt)"));
    let out = run(&other_pem);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("VAULT_ADDR: cannot reach Vault at {}: ", v.addr()))
            && err.to_lowercase().contains("certificate"),
        "{err}"
    );
    let out = run(&junk);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("VAULT_CACERT: "), "{}", stderr(&out));
}

#[test]
fn a_rejected_key_makes_ingest_reread_vault_early() {
    let t = TestEnv::new();
    let f = vault(60, 600);
    f.vault.put(LOC, &[("INGEST_API_KEY", "first-key")]);
    let mut env = t.env();
    // An hour between periodic reads: only the rejected key can bring the new one early.
    env.extend(f.env("3600"));
    env.push(("SECRETS_REFRESH_SECONDS".into(), "0".into()));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    let ingest = Daemon::start(&["ingest", "serve"], &env);
    let post = |key: &str| {
        request(
            ingest.addr,
            &build(
                "POST",
                "/ingest",
                &[("X-API-KEY", key), ("Content-Type", "application/json")],
                EV,
            ),
        )
        .status
    };
    assert_eq!(post("first-key"), 200);
    f.vault
        .put(LOC, &[("INGEST_API_KEY", "first-key,second-key")]);
    let reads = f.vault.counts().reads;
    assert_eq!(post("second-key"), 401);
    wait_for(Duration::from_secs(10), "the early re-read", || {
        f.vault.counts().reads > reads
    });
    assert_eq!(post("second-key"), 200);
    // Unknown keys cannot make mutt hammer Vault: at most one re-read per 5 seconds.
    let reads = f.vault.counts().reads;
    for _ in 0..20 {
        assert_eq!(post("wrong-key"), 401);
    }
    // Deliberately idle: no burst of re-reads may follow (a requested one takes milliseconds).
    std::thread::sleep(Duration::from_millis(250));
    assert!(f.vault.counts().reads <= reads + 1);
}

#[test]
fn redis_password_from_vault_rotates_and_a_refused_connect_rereads_vault() {
    use mutt::dev::services::{RedisOptions, RedisServer};
    use mutt::settings::secrets::Slot;
    use mutt::store::redis::{RedisConfig, RedisConnector};
    let t = TestEnv::new();
    let server = RedisServer::start(RedisOptions {
        password: Some("r-a".into()),
        ..Default::default()
    })
    .unwrap();
    let f = vault(60, 600);
    // v2.5's field name for the current password is still read.
    f.vault.put(LOC, &[("REDIS_PASS", "r-a")]);
    let mut env = t.env();
    env.retain(|(k, _)| k != "REDIS_PORT");
    env.push(("REDIS_PORT".into(), server.port().to_string()));
    env.extend(f.env("3600"));
    let s = load(&env);
    let connector = RedisConnector::new(RedisConfig::from_settings(&s));
    let mut conn = connector.connect().expect("connect with Vault's password");

    // Documented procedure, but the periodic read is an hour away: the refused connect re-reads.
    f.vault.put(
        LOC,
        &[("REDIS_PASS_CURRENT", "r-a"), ("REDIS_PASS_NEXT", "r-b")],
    );
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("r-b")
        .query::<()>(&mut conn)
        .unwrap();
    drop(connector.connect().expect("NEXT from a fresh Vault read"));
    assert_eq!(connector.active_slot(), Slot::Next);
    f.vault.put(LOC, &[("REDIS_PASS_CURRENT", "r-b")]);
    // Within a second of the last forced read: NEXT (cached) still works, no Vault call needed.
    let reads = f.vault.counts().reads;
    drop(connector.connect().expect("cached NEXT"));
    assert_eq!(f.vault.counts().reads, reads);
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("r-c")
        .query::<()>(&mut conn)
        .unwrap();
    f.vault.put(LOC, &[("REDIS_PASS_CURRENT", "r-c")]);
    // Forced re-reads are at least a second apart: refused connects within that second do not
    // call Vault; the first one after it reads CURRENT afresh and connects.
    let fresh = common::eventually(
        Duration::from_secs(10),
        "CURRENT from a fresh Vault read",
        || connector.connect().ok(),
    );
    drop(fresh);
    assert_eq!(
        f.vault.counts().reads,
        reads + 1,
        "one forced read, not one per refusal"
    );
    assert_eq!(connector.active_slot(), Slot::Current);
}
