//! The `mutt` binary's surface: help, version, usage errors, completions and man pages kept in
//! the repository, `config show`, configuration errors, JSON logs, and `mutt up`.

mod common;
use common::{mutt_with_env, stderr, stdout, TestEnv};
use std::collections::HashMap;

fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    mutt_with_env(args, &env)
}

#[test]
fn version_help_and_usage_errors() {
    let out = run(&["--version"], &[]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        format!("mutt {}", env!("CARGO_PKG_VERSION"))
    );

    let help = stdout(&run(&["--help"], &[]));
    for cmd in ["migrate", "config", "up", "completions"] {
        assert!(help.contains(cmd), "--help lacks {cmd}: {help}");
    }
    let sub = run(&["migrate", "--help"], &[]);
    assert!(sub.status.success());
    assert!(stdout(&sub).contains("--dry-run") && stdout(&sub).contains("--status"));

    let bad = run(&["migrate", "--bogus"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = run(&["--set", "novalue", "config", "show"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("expected NAME=VALUE"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn completions_print_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef mutt"),
        ("fish", "complete -c mutt"),
    ] {
        let out = run(&["completions", shell], &[]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell} script lacks {marker:?}");
        assert!(
            script.contains("migrate"),
            "{shell} script lacks subcommands"
        );
    }
}

/// `completions/` and `man/` hold files generated from the clap tree; they must match it.
/// Regenerate with `scripts/generate-docs.sh` (sets MUTT_BLESS=1).
#[test]
fn generated_completions_and_man_pages_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var("MUTT_BLESS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, content) in mutt::cli::generated_files() {
        let full = root.join(&path);
        if bless {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &content).unwrap();
        } else if std::fs::read(&full).ok().as_deref() != Some(content.as_slice()) {
            stale.push(path);
        }
    }
    // README.md's configuration reference is generated from the settings registry.
    if !generated_section_is_current(
        "README.md",
        "settings",
        &mutt::settings::registry::markdown_reference(),
        bless,
    ) {
        stale.push("README.md (configuration reference)".into());
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run scripts/generate-docs.sh"
    );
}

/// docs/OPERATIONS.md's table of dynamic keys is generated from their registry.
/// Regenerate with `scripts/generate-docs.sh` (sets MUTT_BLESS=1).
#[test]
fn generated_dynamic_keys_table_is_current() {
    let bless = std::env::var("MUTT_BLESS").is_ok_and(|v| v == "1");
    assert!(
        generated_section_is_current(
            "docs/OPERATIONS.md",
            "dynamic-keys",
            &mutt::settings::dynamic_keys::markdown_table(),
            bless,
        ),
        "stale dynamic-key table in docs/OPERATIONS.md: run scripts/generate-docs.sh"
    );
}

/// Whether the text between `<!-- {marker}:begin -->` and `<!-- {marker}:end -->` in `path`
/// equals `content`; with `bless`, write it there instead.
fn generated_section_is_current(path: &str, marker: &str, content: &str, bless: bool) -> bool {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let doc = std::fs::read_to_string(&full).unwrap();
    let (begin, end) = (
        format!("<!-- {marker}:begin -->\n"),
        format!("<!-- {marker}:end -->"),
    );
    let start = doc
        .find(&begin)
        .unwrap_or_else(|| panic!("{path} lacks the {marker}:begin marker"))
        + begin.len();
    let stop = doc
        .find(&end)
        .unwrap_or_else(|| panic!("{path} lacks the {marker}:end marker"));
    if bless {
        std::fs::write(&full, format!("{}{content}{}", &doc[..start], &doc[stop..])).unwrap();
        return true;
    }
    doc[start..stop] == *content
}

#[test]
fn config_show_reports_values_sources_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("db-pass");
    std::fs::write(&secret_file, "file-secret-value\n").unwrap();
    let env = [
        ("REDIS_HOST", "redis.internal"),
        ("DB_PASS_CURRENT_FILE", secret_file.to_str().unwrap()),
        ("MOOG_API_KEY", "env-secret-value"),
        (
            "DATABASE_URL",
            "postgres://u:url-secret@db.internal:5433/mutt",
        ),
    ];
    let out = run(
        &[
            "--set",
            "DB_NAME=from_flag",
            "config",
            "show",
            "--output",
            "json",
        ],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for secret in ["file-secret-value", "env-secret-value", "url-secret"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap().clone();
    assert_eq!(row("REDIS_HOST")["value"], "redis.internal");
    assert_eq!(row("REDIS_HOST")["source"], "env");
    assert_eq!(row("REDIS_PORT")["value"], "6379");
    assert_eq!(row("REDIS_PORT")["source"], "default");
    assert_eq!(row("DB_NAME")["value"], "from_flag");
    assert_eq!(row("DB_NAME")["source"], "flag");
    assert_eq!(row("DB_HOST")["value"], "db.internal");
    assert_eq!(row("DB_HOST")["source"], "DATABASE_URL");
    assert_eq!(row("DB_PASS_CURRENT")["source"], "file");
    assert_eq!(row("DB_PASS_CURRENT")["secret"], true);
    assert!(row("DB_PASS_CURRENT")["value"]
        .as_str()
        .unwrap()
        .starts_with("********"));
    assert_eq!(row("MOOG_API_KEY")["value"], "********");
    assert_eq!(
        row("REDIS_TLS_ENABLED")["value"],
        "true",
        "remote host: TLS on by default"
    );
    assert_eq!(row("INGEST_QUEUE_NAME")["value"], "mutt:ingest_queue");

    let table = run(&["config", "show", "--group", "redis"], &env);
    assert!(table.status.success());
    let table = stdout(&table);
    assert!(
        table.contains("SETTING")
            && table.contains("REDIS_HOST")
            && table.contains("redis.internal")
    );
    assert!(!table.contains("DB_HOST"), "group filter ignored: {table}");
}

#[test]
fn a_bad_variable_stops_startup_with_one_line() {
    for (var, value, needle) in [
        (
            "REDIS_PORT",
            "abc",
            "REDIS_PORT: \"abc\" must be a port number from 1 to 65535",
        ),
        (
            "LOG_JSON_ENABLED",
            "perhaps",
            "LOG_JSON_ENABLED: \"perhaps\" must be one of true/false/1/0/yes/no/on/off",
        ),
        (
            "DB_POOL_MAX_CONN",
            "0",
            "DB_POOL_MAX_CONN: \"0\" must be an integer from 1 to 1000",
        ),
    ] {
        let out = run(&["config", "show"], &[(var, value)]);
        assert_eq!(out.status.code(), Some(1), "{var}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(err.trim(), format!("mutt: invalid configuration: {needle}"));
    }
    let out = run(&["--set", "DB_PASS_CURRENT=x", "config", "show"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("secrets are not accepted on the command line"));
}

#[test]
fn json_logs_are_one_object_per_line() {
    let t = TestEnv::new();
    let out = t.mutt(
        &["migrate"],
        &[("LOG_JSON_ENABLED", "yes"), ("POD_NAME", "pod-7")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() >= 2, "expected migration log lines");
    for l in &lines {
        for field in ["timestamp", "level", "message", "target"] {
            assert!(l[field].is_string(), "{field} missing in {l}");
        }
        assert_eq!(l["service"], "migrate");
        assert_eq!(l["pod_name"], "pod-7");
        assert!(l["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    assert!(lines
        .iter()
        .any(|l| l["message"] == "applied migration 0001_v25_baseline.sql"));

    let quiet = t.mutt(&["migrate"], &[("LOG_LEVEL", "error")]);
    assert!(quiet.status.success());
    assert_eq!(
        stderr(&quiet),
        "",
        "LOG_LEVEL=error must silence info lines"
    );
}

#[test]
fn up_starts_private_stores_and_reports_missing_programs() {
    let out = run(
        &["up", "--check"],
        &[("PATH", &std::env::var("PATH").unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("export REDIS_URL=redis://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("export DATABASE_URL=postgres://mutt_user:"),
        "{text}"
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("sql".as_ref()))
        .count();
    assert!(
        text.contains(&format!("{migrations} migration(s) applied now")),
        "{text}"
    );
    assert!(text.contains("example rule(s) loaded"), "{text}");

    let out = run(&["up", "--check"], &[("PATH", "/nonexistent")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "redis-server not found on PATH: install it with `apt-get install redis-server`"
        ),
        "{err}"
    );
}
