use super::registry::*;
use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn flags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_load_and_every_registry_entry_is_present() {
    let s = Settings::load(&[], &env(&[])).unwrap();
    assert_eq!(s.text(&REDIS_HOST), "localhost");
    assert_eq!(s.port(&REDIS_PORT), 6379);
    assert_eq!(s.text(&DB_NAME), "mutt_db");
    assert_eq!(s.port(&SERVER_PORT_WEBUI), 8090);
    assert_eq!(s.text(&INGEST_QUEUE_NAME), "mutt:ingest_queue");
    assert_eq!(s.text(&ALERTER_DLQ_NAME), "mutt:dlq:alerter");
    assert_eq!(s.source(&REDIS_HOST), &Source::Default);
    assert!(!s.bool(&REDIS_TLS_ENABLED), "TLS is off for localhost");
    assert_eq!(s.show().len(), ALL.len());
    for def in ALL {
        let _ = s.source(def);
    }
}

#[test]
fn flag_beats_env_beats_url_beats_default() {
    let e = env(&[
        ("REDIS_URL", "redis://urlhost:7000/3"),
        ("REDIS_PORT", "7001"),
        ("DB_HOST", "envhost"),
    ]);
    let s = Settings::load(&flags(&[("DB_HOST", "flaghost")]), &e).unwrap();
    assert_eq!(s.text(&DB_HOST), "flaghost");
    assert_eq!(s.source(&DB_HOST), &Source::Flag);
    assert_eq!(s.port(&REDIS_PORT), 7001);
    assert_eq!(s.source(&REDIS_PORT), &Source::Env("REDIS_PORT".into()));
    assert_eq!(s.text(&REDIS_HOST), "urlhost");
    assert_eq!(s.source(&REDIS_HOST), &Source::Url("REDIS_URL"));
    assert_eq!(s.int(&REDIS_DB), 3);
    assert!(!s.bool(&REDIS_TLS_ENABLED));
}

#[test]
fn booleans_accept_the_documented_spellings() {
    for (text, want) in [
        ("true", true),
        ("TRUE", true),
        ("1", true),
        ("yes", true),
        ("On", true),
        ("false", false),
        ("0", false),
        ("no", false),
        ("OFF", false),
    ] {
        let s = Settings::load(&[], &env(&[("LOG_JSON_ENABLED", text)])).unwrap();
        assert_eq!(s.bool(&LOG_JSON_ENABLED), want, "{text}");
    }
    let err = Settings::load(&[], &env(&[("LOG_JSON_ENABLED", "maybe")])).unwrap_err();
    assert_eq!(err.variable, "LOG_JSON_ENABLED");
    assert_eq!(
        err.to_string(),
        "invalid configuration: LOG_JSON_ENABLED: \"maybe\" must be one of true/false/1/0/yes/no/on/off"
    );
}

#[test]
fn validation_errors_name_the_variable_and_rule() {
    let cases = [
        ("REDIS_PORT", "abc", "must be a port number from 1 to 65535"),
        (
            "REDIS_PORT",
            "70000",
            "must be a port number from 1 to 65535",
        ),
        ("DB_POOL_MAX_CONN", "0", "must be an integer from 1 to 1000"),
        (
            "REDIS_CONNECT_TIMEOUT",
            "-1",
            "must be a number from 0.1 to 300",
        ),
        (
            "LOG_LEVEL",
            "loud",
            "must be one of ERROR, WARN, INFO, DEBUG, TRACE, OFF",
        ),
        (
            "REDIS_URL",
            "http://x",
            "must start with redis://, rediss://, redis+sentinel://",
        ),
        (
            "DATABASE_URL",
            "postgres://h/db?sslmode=bogus",
            "sslmode must be",
        ),
    ];
    for (var, value, rule) in cases {
        let err = Settings::load(&[], &env(&[(var, value)])).unwrap_err();
        assert_eq!(err.variable, var, "{var}={value}");
        assert!(err.problem.contains(rule), "{var}={value}: {}", err.problem);
        assert!(!err.to_string().contains('\n'));
    }
    let err = Settings::load(&[], &env(&[("DB_POOL_MIN_CONN", "20")])).unwrap_err();
    assert_eq!(err.variable, "DB_POOL_MIN_CONN");
}

#[test]
fn tls_defaults_follow_locality_and_explicit_values_win() {
    for (host, tls) in [
        ("localhost", false),
        ("127.0.0.1", false),
        ("::1", false),
        ("redis.example.com", true),
        ("10.1.2.3", true),
    ] {
        let s = Settings::load(&[], &env(&[("REDIS_HOST", host), ("DB_HOST", host)])).unwrap();
        assert_eq!(s.bool(&REDIS_TLS_ENABLED), tls, "{host}");
        assert_eq!(s.bool(&DB_TLS_ENABLED), tls, "{host}");
    }
    let s = Settings::load(
        &[],
        &env(&[
            ("REDIS_HOST", "remote.example"),
            ("REDIS_TLS_ENABLED", "off"),
        ]),
    )
    .unwrap();
    assert!(!s.bool(&REDIS_TLS_ENABLED));
    let s = Settings::load(&[], &env(&[("REDIS_URL", "rediss://127.0.0.1:6380")])).unwrap();
    assert!(s.bool(&REDIS_TLS_ENABLED));
}

#[test]
fn key_prefix_drives_default_queue_names_but_explicit_names_win() {
    let s = Settings::load(
        &[],
        &env(&[
            ("MUTT_KEY_PREFIX", "t1"),
            ("ALERT_QUEUE_NAME", "custom:alerts"),
        ]),
    )
    .unwrap();
    assert_eq!(s.text(&INGEST_QUEUE_NAME), "t1:ingest_queue");
    assert_eq!(s.text(&ALERT_QUEUE_NAME), "custom:alerts");
    assert_eq!(s.text(&METRICS_PREFIX), "t1:metrics");
}

#[test]
fn database_url_supplies_components_and_password() {
    let s = Settings::load(
        &[],
        &env(&[(
            "DATABASE_URL",
            "postgres://app%40x:p%2Fss@db.example:6543/prod?sslmode=verify-full&sslrootcert=/ca.pem",
        )]),
    )
    .unwrap();
    assert_eq!(s.text(&DB_HOST), "db.example");
    assert_eq!(s.port(&DB_PORT), 6543);
    assert_eq!(s.text(&DB_NAME), "prod");
    assert_eq!(s.text(&DB_USER), "app@x");
    assert!(s.bool(&DB_TLS_ENABLED));
    assert_eq!(s.text(&DB_TLS_CA_CERT_PATH), "/ca.pem");
    assert_eq!(s.secret(&DB_PASS_CURRENT).get().as_deref(), Some("p/ss"));
    let shown = s.show();
    let url = shown.iter().find(|r| r.name == "DATABASE_URL").unwrap();
    assert!(!url.value.contains("p%2Fss") && url.value.contains("********"));
}

#[test]
fn url_userinfo_keeps_ampersands_and_plus_signs() {
    // `&` and `+` are legal unescaped in URL userinfo; they are not form separators there.
    let s = Settings::load(
        &[],
        &env(&[
            ("DATABASE_URL", "postgres://a+b:p&q+r%3D%25@db.example/prod"),
            ("REDIS_URL", "redis://u&v:s&t+1@cache.example:6380/2"),
        ]),
    )
    .unwrap();
    assert_eq!(s.text(&DB_USER), "a+b");
    assert_eq!(s.secret(&DB_PASS_CURRENT).get().as_deref(), Some("p&q+r=%"));
    assert_eq!(s.text(&REDIS_USERNAME), "u&v");
    assert_eq!(
        s.secret(&REDIS_PASS_CURRENT).get().as_deref(),
        Some("s&t+1")
    );
}

#[test]
fn secrets_come_from_env_file_or_alias_and_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("db");
    std::fs::write(&file, "from-file\n").unwrap();
    let s = Settings::load(
        &[],
        &env(&[
            ("DB_PASS_CURRENT_FILE", file.to_str().unwrap()),
            ("REDIS_PASS", "legacy"),
            ("MOOG_API_KEY", "m00g"),
        ]),
    )
    .unwrap();
    assert_eq!(
        s.secret(&DB_PASS_CURRENT).get().as_deref(),
        Some("from-file")
    );
    assert_eq!(s.source(&DB_PASS_CURRENT), &Source::File(file.clone()));
    assert_eq!(
        s.secret(&REDIS_PASS_CURRENT).get().as_deref(),
        Some("legacy")
    );
    assert_eq!(
        s.source(&REDIS_PASS_CURRENT),
        &Source::Env("REDIS_PASS".into())
    );
    let shown = serde_json::to_string(&s.show()).unwrap();
    assert!(!shown.contains("from-file") && !shown.contains("legacy") && !shown.contains("m00g"));

    let err = Settings::load(
        &[],
        &env(&[
            ("DB_PASS_CURRENT", "x"),
            ("DB_PASS_CURRENT_FILE", file.to_str().unwrap()),
        ]),
    )
    .unwrap_err();
    assert_eq!(err.variable, "DB_PASS_CURRENT");
    let err = Settings::load(&[], &env(&[("DB_PASS_NEXT_FILE", "/nonexistent/pw")])).unwrap_err();
    assert_eq!(err.variable, "DB_PASS_NEXT_FILE");
}

#[test]
fn secrets_and_unknown_names_are_refused_as_flags() {
    let err = Settings::load(&flags(&[("DB_PASS_CURRENT", "x")]), &env(&[])).unwrap_err();
    assert!(err.problem.contains("not accepted on the command line"));
    let err = Settings::load(&flags(&[("NO_SUCH_THING", "x")]), &env(&[])).unwrap_err();
    assert_eq!(err.problem, "unknown setting name");
}

#[test]
fn pod_name_is_stable_per_host() {
    let s = Settings::load(&[], &env(&[])).unwrap();
    assert_eq!(s.pod_name("alerter"), s.pod_name("alerter"));
    assert!(s.pod_name("alerter").starts_with("alerter-"));
    assert!(s.instance_name("alerter", 8082).ends_with("-8082"));
    assert_ne!(
        s.instance_name("alerter", 8082),
        s.instance_name("alerter", 9082)
    );
    let s = Settings::load(&[], &env(&[("POD_NAME", "a-1")])).unwrap();
    assert_eq!(s.pod_name("alerter"), "a-1");
    assert_eq!(s.instance_name("alerter", 8082), "a-1");
}

#[test]
fn host_lists_take_ports_and_ipv6_brackets() {
    assert_eq!(
        host_list("pg1:5433, pg2,[::1]:6000,::1", 5432).unwrap(),
        vec![
            ("pg1".to_string(), 5433),
            ("pg2".to_string(), 5432),
            ("::1".to_string(), 6000),
            ("::1".to_string(), 5432),
        ]
    );
    assert_eq!(host_list("", 1).unwrap(), vec![]);
    assert!(host_list("a,,b", 1).is_err());
    assert!(host_list("a:x", 1).is_err());
    let err = Settings::load(&[], &env(&[("DB_HOST", "pg1:99999,pg2")])).unwrap_err();
    assert_eq!(err.variable, "DB_HOST");
    let err = Settings::load(&[], &env(&[("REDIS_SENTINELS", "s1:x")])).unwrap_err();
    assert_eq!(err.variable, "REDIS_SENTINELS");
}

#[test]
fn multi_host_database_url_lists_every_host() {
    let s = Settings::load(
        &[],
        &env(&[(
            "DATABASE_URL",
            "postgres://app:secret@127.0.0.1:5432,127.0.0.2:5433/prod?target_session_attrs=read-write",
        )]),
    )
    .unwrap();
    assert_eq!(s.text(&DB_HOST), "127.0.0.1:5432,127.0.0.2:5433");
    assert_eq!(s.text(&DB_NAME), "prod");
    assert_eq!(s.text(&DB_USER), "app");
    assert_eq!(s.secret(&DB_PASS_CURRENT).get().as_deref(), Some("secret"));
    assert!(
        !s.bool(&DB_TLS_ENABLED),
        "every host is local: TLS off by default"
    );
    let shown = s.show();
    let url = shown.iter().find(|r| r.name == "DATABASE_URL").unwrap();
    assert_eq!(
        url.value,
        "postgres://app:********@127.0.0.1:5432,127.0.0.2:5433/prod?target_session_attrs=read-write"
    );
}

#[test]
fn sentinel_url_names_sentinels_master_and_db() {
    let s = Settings::load(
        &[],
        &env(&[(
            "REDIS_URL",
            "redis+sentinel://:pw@s1:26379,s2:26380/cache/3",
        )]),
    )
    .unwrap();
    assert_eq!(s.text(&REDIS_SENTINELS), "s1:26379,s2:26380");
    assert_eq!(s.text(&REDIS_SENTINEL_MASTER), "cache");
    assert_eq!(s.int(&REDIS_DB), 3);
    assert_eq!(s.secret(&REDIS_PASS_CURRENT).get().as_deref(), Some("pw"));
    let one = Settings::load(&[], &env(&[("REDIS_URL", "redis+sentinel://s1/cache")])).unwrap();
    assert_eq!(one.text(&REDIS_SENTINELS), "s1:26379");
    let err =
        Settings::load(&[], &env(&[("REDIS_URL", "redis+sentinel://s1:1,s2:2/")])).unwrap_err();
    assert_eq!(err.variable, "REDIS_URL");
    let err = Settings::load(&[], &env(&[("REDIS_URL", "redis://a:1,b:2/0")])).unwrap_err();
    assert_eq!(err.variable, "REDIS_URL");
}

#[test]
fn replica_wait_must_fit_in_the_reply_timeout() {
    let err = Settings::load(
        &[],
        &env(&[
            ("REDIS_MIN_REPLICAS_ACK", "1"),
            ("REDIS_REPLICAS_ACK_TIMEOUT_MS", "20000"),
            ("REDIS_SOCKET_TIMEOUT", "10"),
        ]),
    )
    .unwrap_err();
    assert_eq!(err.variable, "REDIS_REPLICAS_ACK_TIMEOUT_MS");
    assert!(Settings::load(&[], &env(&[("REDIS_MIN_REPLICAS_ACK", "1")])).is_ok());
}
