//! TLS to real servers with certificates made by the test: Redis with `--tls-port` and PostgreSQL
//! with `ssl=on`, and a Redis Sentinel answering on a TLS port. The right CA connects (and the session really is encrypted); another CA, or TLS
//! off against a TLS-only port, fails.

mod common;
use common::TestEnv;
use mutt::dev::services::{
    private_port, LaunchError, PostgresOptions, PostgresServer, RedisOptions, RedisServer,
    SentinelOptions,
};
use mutt::store::postgres::{PgConfig, PgConnector};
use mutt::store::redis::{RedisConfig, RedisConnector};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::path::{Path, PathBuf};

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    /// A CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA.
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let ca = |name: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, name);
            CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
        };
        let good = ca("mutt test CA");
        let other = ca("some other CA");
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap()
            .signed_by(&key, &good)
            .unwrap();
        std::fs::write(dir.path().join("ca.pem"), good.pem()).unwrap();
        std::fs::write(dir.path().join("other-ca.pem"), other.pem()).unwrap();
        std::fs::write(dir.path().join("server.crt"), cert.pem()).unwrap();
        std::fs::write(dir.path().join("server.key"), key.serialize_pem()).unwrap();
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A Redis (or, with `sentinel`, a Sentinel) that also listens with TLS on a port of its own.
/// The launcher picks (and retries) the plain port; the TLS one is ours to pick the same way:
/// outside the ephemeral range, another one if the server finds it taken.
fn start_with_tls_port(pki: &Pki, sentinel: Option<SentinelOptions>) -> (u16, RedisServer) {
    (1..=5)
        .find_map(|attempt| {
            let tls_port = private_port().unwrap();
            let started = RedisServer::start(RedisOptions {
                sentinel: sentinel.clone(),
                extra_args: vec![
                    "--tls-port".into(),
                    tls_port.to_string(),
                    "--tls-cert-file".into(),
                    s(&pki.path("server.crt")).into(),
                    "--tls-key-file".into(),
                    s(&pki.path("server.key")).into(),
                    "--tls-ca-cert-file".into(),
                    s(&pki.path("ca.pem")).into(),
                    "--tls-auth-clients".into(),
                    "no".into(),
                ],
                ..Default::default()
            });
            match started {
                Ok(server) => Some((tls_port, server)),
                Err(LaunchError::PortInUse { .. }) if attempt < 5 => None,
                Err(e) => panic!("start a TLS Redis: {e}"),
            }
        })
        .expect("a free TLS port")
}

#[test]
fn redis_tls_verifies_the_server_certificate() {
    let pki = Pki::new();
    let (tls_port, _server) = start_with_tls_port(&pki, None);
    let t = TestEnv::new();
    let port = tls_port.to_string();
    let connect = |extra: &[(&str, &str)]| {
        let mut env = vec![
            ("REDIS_PORT", port.as_str()),
            ("REDIS_CONNECT_TIMEOUT", "2"),
            ("REDIS_SOCKET_TIMEOUT", "2"),
        ];
        env.extend_from_slice(extra);
        RedisConnector::new(RedisConfig::from_settings(&t.settings(&env))).connect()
    };

    let mut conn = connect(&[
        ("REDIS_TLS_ENABLED", "true"),
        ("REDIS_CA_CERT_PATH", s(&pki.path("ca.pem"))),
    ])
    .unwrap();
    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");

    let err = connect(&[
        ("REDIS_TLS_ENABLED", "true"),
        ("REDIS_CA_CERT_PATH", s(&pki.path("other-ca.pem"))),
    ])
    .err()
    .expect("a certificate from an unknown CA must be refused");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot connect to Redis at 127.0.0.1:{port}")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");

    // Plain text against the TLS port does not get a session either.
    assert!(connect(&[("REDIS_TLS_ENABLED", "false")]).is_err());
}

#[test]
fn postgres_tls_is_verify_full_with_the_given_ca() {
    let pki = Pki::new();
    let server = PostgresServer::start(PostgresOptions::default()).unwrap();
    // PostgreSQL wants its key owned by the server's user and private.
    let data = server.dir().join("data");
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&data).unwrap());
    for (from, to, mode) in [
        ("server.crt", "server.crt", 0o644),
        ("server.key", "server.key", 0o600),
    ] {
        let dest = data.join(to);
        std::fs::copy(pki.path(from), &dest).unwrap();
        std::os::unix::fs::chown(&dest, Some(owner), None).unwrap();
        std::fs::set_permissions(&dest, std::os::unix::fs::PermissionsExt::from_mode(mode))
            .unwrap();
    }
    let mut admin = server.admin_client("postgres").unwrap();
    admin.batch_execute("ALTER SYSTEM SET ssl = on").unwrap();
    admin.batch_execute("SELECT pg_reload_conf()").unwrap();
    // The reload is asynchronous: wait until a new session sees it.
    common::wait_for(
        std::time::Duration::from_secs(10),
        "ssl = on in a new session",
        || {
            let on: String = server
                .admin_client("postgres")
                .unwrap()
                .query_one("SHOW ssl", &[])
                .unwrap()
                .get(0);
            on == "on"
        },
    );

    let t = TestEnv::new();
    let port = server.port().to_string();
    let connect = |extra: &[(&str, &str)]| {
        let mut env = vec![
            ("DB_PORT", port.as_str()),
            ("DB_NAME", "postgres"),
            ("DB_PASS_CURRENT", server.password()),
            ("DB_CONNECT_TIMEOUT", "3"),
        ];
        env.extend_from_slice(extra);
        PgConnector::new(PgConfig::from_settings(&t.settings(&env), "test"))
            .and_then(|c| c.connect())
    };

    let mut client = connect(&[
        ("DB_TLS_ENABLED", "true"),
        ("DB_TLS_CA_CERT_PATH", s(&pki.path("ca.pem"))),
    ])
    .unwrap();
    let encrypted: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(encrypted, "the session must be encrypted");

    let err = connect(&[
        ("DB_TLS_ENABLED", "true"),
        ("DB_TLS_CA_CERT_PATH", s(&pki.path("other-ca.pem"))),
    ])
    .err()
    .expect("a certificate from an unknown CA must be refused");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot connect to PostgreSQL at 127.0.0.1:{port}/postgres"
        )),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");

    let err = connect(&[
        ("DB_TLS_ENABLED", "true"),
        ("DB_TLS_CA_CERT_PATH", "/nonexistent/ca.pem"),
    ])
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("cannot read DB_TLS_CA_CERT_PATH /nonexistent/ca.pem"),
        "{err}"
    );
}

#[test]
fn sentinels_over_tls_are_verified_like_redis_itself() {
    let pki = Pki::new();
    let master = RedisServer::start(RedisOptions::default()).unwrap();
    // The Sentinel keeps its plain port (the launcher's readiness probe) and adds a TLS one;
    // it reaches the master in plain text (tls-replication off), as mutt's data connection does.
    let (tls_port, _sentinel) = start_with_tls_port(
        &pki,
        Some(SentinelOptions {
            master_name: "tls-master".into(),
            master_port: master.port(),
            quorum: 1,
            down_after: std::time::Duration::from_secs(5),
            failover_timeout: std::time::Duration::from_secs(10),
            password: None,
        }),
    );
    let t = TestEnv::new();
    let sentinels = format!("127.0.0.1:{tls_port}");
    let connector = |ca: &str| {
        let settings = t.settings(&[
            ("REDIS_SENTINELS", sentinels.as_str()),
            ("REDIS_SENTINEL_MASTER", "tls-master"),
            ("REDIS_SENTINEL_TLS_ENABLED", "true"),
            ("REDIS_CA_CERT_PATH", ca),
            ("REDIS_CONNECT_TIMEOUT", "2"),
        ]);
        RedisConnector::new(RedisConfig::from_settings(&settings))
    };
    let good = connector(s(&pki.path("ca.pem")));
    let mut conn = good.connect().unwrap();
    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");
    assert_eq!(
        good.resolved_master(),
        Some(format!("127.0.0.1:{}", master.port()))
    );
    let err = connector(s(&pki.path("other-ca.pem")))
        .connect()
        .err()
        .expect("a Sentinel certificate from an unknown CA must be refused");
    assert!(err.to_string().contains("via Sentinels"), "{err}");
}
