//! TLS to real servers with certificates made by the test: Redis with `--tls-port` and PostgreSQL
//! with `ssl=on`. The right CA connects (and the session really is encrypted); another CA, or TLS
//! off against a TLS-only port, fails.

mod common;
use common::TestEnv;
use mutt::dev::services::{
    private_port, PostgresOptions, PostgresServer, RedisOptions, RedisServer,
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

#[test]
fn redis_tls_verifies_the_server_certificate() {
    let pki = Pki::new();
    let tls_port = private_port().unwrap();
    let _server = RedisServer::start(RedisOptions {
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
    })
    .unwrap();
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
    for _ in 0..100 {
        let on: String = server
            .admin_client("postgres")
            .unwrap()
            .query_one("SHOW ssl", &[])
            .unwrap()
            .get(0);
        if on == "on" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

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
