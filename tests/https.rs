//! HTTPS listeners with certificates made by the test: the real `mutt ingest serve` and
//! `mutt web serve` speak TLS only when given a certificate, clients trusting the CA get through,
//! others do not, SIGHUP swaps the certificate for new connections, and the trap handler
//! delivers to the HTTPS ingest with its own CA setting.

mod common;
use common::daemon::Daemon;
use common::pki::Ca;
use common::TestEnv;
use redis::Commands;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "test-https-key";
const EV: &str =
    r#"{"hostname":"sw1.example.net","message":"link down","timestamp":"2026-11-22T04:00:00Z"}"#;

struct Pki {
    dir: tempfile::TempDir,
    ca: Ca,
}

impl Pki {
    /// `ca.pem`, `other-ca.pem`, and `server.crt`/`server.key` signed by `ca.pem` with CN `first`.
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::new("mutt test CA");
        ca.write(&dir.path().join("ca.pem"));
        Ca::new("some other CA").write(&dir.path().join("other-ca.pem"));
        let pki = Pki { dir, ca };
        pki.ca
            .issue("first", &pki.path("server.crt"), &pki.path("server.key"));
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// The DER of the leaf certificate currently in `server.crt`.
    fn leaf(&self) -> CertificateDer<'static> {
        let pem = std::fs::read(self.path("server.crt")).unwrap();
        let leaf = rustls_pemfile::certs(&mut pem.as_slice())
            .next()
            .unwrap()
            .unwrap();
        leaf
    }
}

/// A client trusting `ca`, without session resumption: a resumed session shows the certificate
/// of the handshake it resumes, which would hide a reload.
fn client_config(ca: &Path) -> Arc<rustls::ClientConfig> {
    let mut config = (*mutt::http::client_config_with_ca(ca, "TEST_CA").unwrap()).clone();
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

/// An HTTPS exchange on a fresh connection: the status line's code, the body, and the leaf
/// certificate the server presented.
struct Exchange {
    status: u16,
    head: String,
    body: String,
    peer: CertificateDer<'static>,
}

fn https(
    port: u16,
    config: &Arc<rustls::ClientConfig>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Exchange, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let conn = rustls::ClientConnection::new(
        Arc::clone(config),
        ServerName::try_from("127.0.0.1").unwrap(),
    )
    .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    // A given Content-Length wins: it declares a body larger than the one sent.
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    // A server refusing an oversized body answers and closes before reading all of it; the
    // answer is still there to read.
    if let Err(e) = tls.write_all(request.as_bytes()) {
        if tls.conn.peer_certificates().is_none() {
            return Err(e.to_string());
        }
    }
    let mut raw = Vec::new();
    // The server closes after answering (Connection: close); a missing close_notify is fine.
    match tls.read_to_end(&mut raw) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e.to_string()),
    }
    let peer = tls
        .conn
        .peer_certificates()
        .and_then(|c| c.first())
        .cloned()
        .ok_or("no peer certificate")?
        .into_owned();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line in {text:?}"))?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_string(), b.to_string()))
        .unwrap_or_default();
    Ok(Exchange {
        status,
        head,
        body,
        peer,
    })
}

/// One TLS connection used for several requests.
struct KeptAlive(rustls::StreamOwned<rustls::ClientConnection, TcpStream>);

impl KeptAlive {
    fn open(port: u16, config: &Arc<rustls::ClientConfig>) -> KeptAlive {
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let conn = rustls::ClientConnection::new(
            Arc::clone(config),
            ServerName::try_from("127.0.0.1").unwrap(),
        )
        .unwrap();
        KeptAlive(rustls::StreamOwned::new(conn, tcp))
    }

    /// GETs `path` and returns the status, reading exactly the response (Content-Length body).
    fn get(&mut self, path: &str) -> u16 {
        let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        self.0.write_all(request.as_bytes()).unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            self.0.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        let mut body = vec![0u8; length];
        self.0.read_exact(&mut body).unwrap();
        head.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn peer(&self) -> CertificateDer<'static> {
        self.0.conn.peer_certificates().unwrap()[0]
            .clone()
            .into_owned()
    }
}

/// A `mutt` daemon child whose listener speaks HTTPS.
struct TlsDaemon {
    daemon: Daemon,
}

impl TlsDaemon {
    /// Starts `mutt <args>` with `env` and waits until `GET /health/live` answers 200 over HTTPS.
    fn start(args: &[&str], env: &[(String, String)], ca: &Path) -> TlsDaemon {
        let mut daemon = Daemon::spawn(args, env);
        let config = client_config(ca);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            daemon.fail_if_exited(args);
            if let Ok(r) = https(daemon.addr.port(), &config, "GET", "/health/live", &[], "") {
                if r.status == 200 {
                    return TlsDaemon { daemon };
                }
            }
            assert!(
                Instant::now() < deadline,
                "mutt {args:?} did not come up: {}",
                daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn port(&self) -> u16 {
        self.daemon.addr.port()
    }

    fn stderr(&self) -> String {
        self.daemon.stderr()
    }

    fn signal(&self, signal: i32) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.daemon.pid() as i32, signal) };
    }
}

fn ingest_env(t: &TestEnv, pki: &Pki) -> Vec<(String, String)> {
    let mut env = t.env();
    env.extend([
        ("INGEST_API_KEY".to_string(), KEY.to_string()),
        ("MUTT_BIND_ADDRESS".to_string(), "127.0.0.1".to_string()),
        ("INGEST_TLS_CERT_PATH".to_string(), pki.s("server.crt")),
        ("INGEST_TLS_KEY_PATH".to_string(), pki.s("server.key")),
        ("MAX_BODY_BYTES".to_string(), "1024".to_string()),
    ]);
    env
}

fn queued(t: &TestEnv) -> Vec<String> {
    let mut redis = common::redis();
    redis
        .lrange(format!("{}:ingest_queue", t.prefix), 0, -1)
        .unwrap()
}

#[test]
fn ingest_over_https_verifies_and_reloads_the_certificate_on_sighup() {
    let pki = Pki::new();
    let t = TestEnv::new();
    let daemon = TlsDaemon::start(
        &["ingest", "serve"],
        &ingest_env(&t, &pki),
        &pki.path("ca.pem"),
    );
    let port = daemon.port();
    let trusted = client_config(&pki.path("ca.pem"));
    // This one resumes sessions, as ordinary clients do: a reload must still show it the new
    // certificate.
    let resuming = mutt::http::client_config_with_ca(&pki.path("ca.pem"), "TEST_CA").unwrap();

    let r = https(
        port,
        &trusted,
        "POST",
        "/api/v2/ingest",
        &[("X-API-KEY", KEY), ("Content-Type", "application/json")],
        EV,
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.peer, pki.leaf());
    let queue = queued(&t);
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert!(queue[0].contains("sw1.example.net"), "{}", queue[0]);

    // The limits apply over TLS as over plain HTTP.
    let big = format!("{{\"message\":\"{}\"}}", "x".repeat(2000));
    let r = https(
        port,
        &trusted,
        "POST",
        "/api/v2/ingest",
        &[("X-API-KEY", KEY)],
        &big,
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.body);
    let huge = "h".repeat(20 * 1024);
    let r = https(
        port,
        &trusted,
        "GET",
        "/health/live",
        &[("X-Filler", &huge)],
        "",
    )
    .unwrap();
    assert_eq!(r.status, 431, "{}", r.body);

    // A client trusting another CA refuses the certificate.
    let err = https(
        port,
        &client_config(&pki.path("other-ca.pem")),
        "GET",
        "/health/live",
        &[],
        "",
    )
    .err()
    .expect("a certificate from an unknown CA must be refused");
    assert!(err.contains("certificate"), "{err}");

    // Plain HTTP on the TLS port gets no HTTP answer.
    let plain = common::http_client::Conn::open(format!("127.0.0.1:{port}").parse().unwrap())
        .and_then(|mut c| {
            c.set_read_timeout(Duration::from_secs(5))?;
            c.request(common::http_client::build("GET", "/health/live", &[], "").as_bytes())
        });
    assert!(
        plain.as_ref().map_or(true, |r| r.status != 200),
        "plain HTTP was answered: {plain:?}"
    );

    // Let the resuming client hold a session made with the first certificate.
    for _ in 0..2 {
        let r = https(port, &resuming, "GET", "/health/live", &[], "").unwrap();
        assert_eq!(r.status, 200);
    }

    // A keep-alive session opened before the reload keeps working after it.
    let mut kept = KeptAlive::open(port, &trusted);
    assert_eq!(kept.get("/health/live"), 200);
    let first_leaf = pki.leaf();
    pki.ca
        .issue("second", &pki.path("server.crt"), &pki.path("server.key"));
    let second_leaf = pki.leaf();
    assert_ne!(first_leaf, second_leaf);
    daemon.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = https(port, &resuming, "GET", "/health/live", &[], "").unwrap();
        if r.peer == second_leaf {
            break;
        }
        assert_eq!(r.peer, first_leaf);
        assert!(
            Instant::now() < deadline,
            "SIGHUP did not reload the certificate: {}",
            daemon.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(kept.get("/health/live"), 200);
    assert_eq!(kept.peer(), first_leaf);

    // A broken key at SIGHUP keeps the current certificate and logs one error.
    std::fs::write(pki.path("server.key"), "not a key").unwrap();
    daemon.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !daemon.stderr().contains("not reloaded") {
        assert!(
            Instant::now() < deadline,
            "no reload error logged: {}",
            daemon.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = daemon.stderr();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("not reloaded")).collect();
    assert_eq!(errors.len(), 1, "{log}");
    assert!(errors[0].contains("INGEST_TLS_KEY_PATH"), "{log}");
    let r = https(port, &trusted, "GET", "/health/live", &[], "").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.peer, second_leaf);
}

#[test]
fn a_bad_key_at_startup_exits_1_naming_the_variable() {
    let pki = Pki::new();
    let t = TestEnv::new();
    std::fs::write(pki.path("bad.key"), "-----BEGIN NOTHING-----\n").unwrap();
    for (args, cert_var, key_var) in [
        (
            &["ingest", "serve"][..],
            "INGEST_TLS_CERT_PATH",
            "INGEST_TLS_KEY_PATH",
        ),
        (
            &["web", "serve"][..],
            "WEBUI_TLS_CERT_PATH",
            "WEBUI_TLS_KEY_PATH",
        ),
    ] {
        // Startup stops at the key, before anything listens.
        let port = "0".to_string();
        let out = t.mutt(
            args,
            &[
                ("INGEST_API_KEY", KEY),
                ("WEBUI_API_KEY", KEY),
                ("SERVER_PORT_INGESTOR", &port),
                ("SERVER_PORT_WEBUI", &port),
                (cert_var, &pki.s("server.crt")),
                (key_var, &pki.s("bad.key")),
            ],
        );
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(key_var), "{args:?}: {err}");

        // A key that belongs to another certificate is refused too.
        pki.ca.issue("x", &pki.path("x.crt"), &pki.path("x.key"));
        let out = t.mutt(
            args,
            &[
                ("INGEST_API_KEY", KEY),
                ("WEBUI_API_KEY", KEY),
                (cert_var, &pki.s("server.crt")),
                (key_var, &pki.s("x.key")),
            ],
        );
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(key_var) && err.contains("does not fit"),
            "{err}"
        );

        // Only half of the pair is a configuration error naming the missing half.
        let out = t.mutt(
            args,
            &[
                ("INGEST_API_KEY", KEY),
                ("WEBUI_API_KEY", KEY),
                (cert_var, &pki.s("server.crt")),
            ],
        );
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(key_var), "{args:?}: {err}");
    }
}

#[test]
fn web_serves_https() {
    let pki = Pki::new();
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let mut env = t.env();
    env.extend([
        ("WEBUI_API_KEY".to_string(), KEY.to_string()),
        ("MUTT_BIND_ADDRESS".to_string(), "127.0.0.1".to_string()),
        ("WEBUI_TLS_CERT_PATH".to_string(), pki.s("server.crt")),
        ("WEBUI_TLS_KEY_PATH".to_string(), pki.s("server.key")),
    ]);
    let daemon = TlsDaemon::start(&["web", "serve"], &env, &pki.path("ca.pem"));
    let port = daemon.port();
    let r = https(
        port,
        &client_config(&pki.path("ca.pem")),
        "GET",
        "/health",
        &[],
        "",
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.peer, pki.leaf());

    // The web listener's limits: 256 KiB bodies, 16 KiB of headers.
    let trusted = client_config(&pki.path("ca.pem"));

    // Over HTTPS the session cookie must never travel in clear text.
    let form = format!("api_key={KEY}");
    let r = https(
        port,
        &trusted,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    )
    .unwrap();
    assert_eq!(r.status, 303, "{}", r.body);
    let cookie = r
        .head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no Set-Cookie in {}", r.head));
    assert!(cookie.contains("; Secure"), "{cookie}");
    let declared = (256 * 1024 + 1).to_string();
    let r = https(
        port,
        &trusted,
        "POST",
        "/api/v2/rules",
        &[("X-API-KEY", KEY), ("Content-Length", &declared)],
        "xx",
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.body);
    let huge = "h".repeat(20 * 1024);
    let r = https(port, &trusted, "GET", "/health", &[("X-Filler", &huge)], "").unwrap();
    assert_eq!(r.status, 431, "{}", r.body);
}

#[test]
fn trap_handler_delivers_to_https_ingest_with_its_ca() {
    let pki = Pki::new();
    let t = TestEnv::new();
    let daemon = TlsDaemon::start(
        &["ingest", "serve"],
        &ingest_env(&t, &pki),
        &pki.path("ca.pem"),
    );
    let port = daemon.port();
    let url = format!("https://127.0.0.1:{port}/api/v2/ingest");
    let trap = "router7.example.net\nUDP: [127.0.0.1]:59527->[127.0.0.1]:162\n\
        iso.3.6.1.2.1.1.3.0 0:0:15:23.07\n\
        iso.3.6.1.6.3.1.1.4.1.0 iso.3.6.1.6.3.1.1.5.3\n";
    let base = [
        ("INGEST_API_KEY", KEY),
        ("TRAP_HANDLER_INGEST_URL", url.as_str()),
        ("TRAP_HANDLER_ATTEMPTS", "1"),
    ];

    // Without the CA the system roots do not know the private CA: refused, exit 1.
    let out = common::mutt_with_stdin(&t, &["trap-handler"], &base, trap);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert!(queued(&t).is_empty());

    let ca = pki.s("ca.pem");
    let mut with_ca = base.to_vec();
    with_ca.push(("TRAP_HANDLER_CA_CERT_PATH", ca.as_str()));
    let out = common::mutt_with_stdin(&t, &["trap-handler"], &with_ca, trap);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let queue = queued(&t);
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert!(queue[0].contains("router7.example.net"), "{}", queue[0]);
    // `mutt status` probes the HTTPS ingest with its own CA setting.
    let health = format!("https://127.0.0.1:{port}/health/live");
    let status = |extra: &[(&str, &str)]| {
        let mut env = vec![("STATUS_INGEST_URL", health.as_str())];
        env.extend_from_slice(extra);
        let out = t.mutt(&["status", "-o", "json"], &env);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&out)));
        report["endpoints"][0].clone()
    };
    let endpoint = status(&[("STATUS_CA_CERT_PATH", ca.as_str())]);
    assert_eq!(endpoint["up"], true, "{endpoint}");
    let endpoint = status(&[]);
    assert_eq!(endpoint["up"], false, "{endpoint}");
}

#[test]
fn sighup_is_harmless_to_a_plain_ingest() {
    let t = TestEnv::new();
    let mut env = t.env();
    env.extend([
        ("INGEST_API_KEY".to_string(), KEY.to_string()),
        ("MUTT_BIND_ADDRESS".to_string(), "127.0.0.1".to_string()),
    ]);
    let mut daemon = Daemon::start(&["ingest", "serve"], &env);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(daemon.pid() as i32, libc::SIGHUP) };
    common::wait_signal_taken(daemon.pid(), libc::SIGHUP);
    assert_eq!(daemon.req("GET", "/health/live", &[], "").status, 200);
    assert!(daemon.terminate().success());
}
