//! The deployment kit in `deploy/` stays true to the code: the Prometheus rules use only metrics
//! mutt exports and each has a runbook entry, the Kubernetes manifests and systemd units run
//! commands the binary accepts on the ports the settings registry defaults to.

use mutt::settings::registry;
use serde_yaml_ng::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// All of `src/` as one text (metric names are registered as string literals).
fn source_text() -> String {
    fn walk(dir: &Path, out: &mut String) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut text = String::new();
    walk(&root().join("src"), &mut text);
    text
}

/// Whether `name` is registered in the source, directly or as a histogram's series.
fn metric_exists(name: &str, source: &str) -> bool {
    let quoted = |n: &str| source.contains(&format!("\"{n}\""));
    if quoted(name) {
        return true;
    }
    ["_bucket", "_sum", "_count"]
        .iter()
        .any(|suffix| name.strip_suffix(suffix).is_some_and(quoted))
}

#[test]
fn prometheus_rules_use_only_exported_metrics_and_have_runbooks() {
    let rules: Value = serde_yaml_ng::from_str(&read("deploy/prometheus/mutt-alerts.yml")).unwrap();
    let source = source_text();
    let ops = read("docs/OPERATIONS.md");
    let metric = regex::Regex::new(r"\bmutt_[a-z0-9_]+").unwrap();
    let mut alerts = BTreeSet::new();
    let mut problems = Vec::new();
    for group in rules["groups"].as_sequence().expect("groups") {
        for rule in group["rules"].as_sequence().expect("rules") {
            let alert = rule["alert"].as_str().expect("alert name").to_string();
            let expr = rule["expr"].as_str().expect("expr");
            assert!(alerts.insert(alert.clone()), "duplicate alert {alert}");
            for m in metric.find_iter(expr) {
                if !metric_exists(m.as_str(), &source) {
                    problems.push(format!(
                        "{alert}: {} is not a metric mutt exports",
                        m.as_str()
                    ));
                }
            }
            for field in ["summary", "runbook"] {
                if rule["annotations"][field].as_str().is_none() {
                    problems.push(format!("{alert}: annotation {field} missing"));
                }
            }
            if !matches!(
                rule["labels"]["severity"].as_str(),
                Some("critical" | "warning")
            ) {
                problems.push(format!("{alert}: severity must be critical or warning"));
            }
            if !ops.contains(&format!("\n### {alert}\n")) {
                problems.push(format!(
                    "{alert}: no `### {alert}` runbook entry in docs/OPERATIONS.md"
                ));
            }
        }
    }
    assert!(alerts.len() >= 10, "only {} alerts", alerts.len());
    assert!(problems.is_empty(), "{problems:#?}");
}

/// `args` (without the program name) parse as a mutt command line.
fn check_command(args: &[String], what: &str) {
    let argv = std::iter::once("mutt".to_string()).chain(args.iter().cloned());
    if let Err(e) = <mutt::cli::Cli as clap::Parser>::try_parse_from(argv) {
        panic!("{what}: `mutt {}` does not parse: {e}", args.join(" "));
    }
}

#[test]
fn kubernetes_manifests_match_commands_and_ports() {
    let expected: &[(&str, &[&str], &[&registry::Def])] = &[
        (
            "ingest.yaml",
            &["ingest", "serve"],
            &[&registry::SERVER_PORT_INGESTOR],
        ),
        (
            "alert.yaml",
            &["alert", "run"],
            &[
                &registry::HEALTH_PORT_ALERTER,
                &registry::METRICS_PORT_ALERTER,
            ],
        ),
        (
            "forward.yaml",
            &["forward", "run"],
            &[&registry::HEALTH_PORT_MOOG, &registry::METRICS_PORT_MOOG],
        ),
        (
            "remediate.yaml",
            &["remediate", "run"],
            &[
                &registry::HEALTH_PORT_REMEDIATION,
                &registry::METRICS_PORT_REMEDIATION,
            ],
        ),
        (
            "web.yaml",
            &["web", "serve"],
            &[&registry::SERVER_PORT_WEBUI],
        ),
        (
            "syslog.yaml",
            &["syslog", "serve"],
            &[
                &registry::HEALTH_PORT_SYSLOG,
                &registry::METRICS_PORT_SYSLOG,
                &registry::SYSLOG_UDP_PORT,
                &registry::SYSLOG_TCP_PORT,
                &registry::SYSLOG_RELP_PORT,
                &registry::SYSLOG_TLS_PORT,
            ],
        ),
    ];
    // The protocol a listener speaks (Kubernetes defaults a port to TCP).
    let protocol = |def: &registry::Def| {
        if def.name == registry::SYSLOG_UDP_PORT.name {
            "UDP"
        } else {
            "TCP"
        }
    };
    for (file, args, ports) in expected {
        let text = read(&format!("deploy/kubernetes/{file}"));
        let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&text)
            .map(|d| serde::Deserialize::deserialize(d).unwrap())
            .collect();
        let deploy = docs
            .iter()
            .find(|d| d["kind"] == "Deployment")
            .unwrap_or_else(|| panic!("{file}: no Deployment"));
        let container = &deploy["spec"]["template"]["spec"]["containers"][0];
        let got: Vec<String> = container["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, *args, "{file}: args");
        check_command(&got, file);
        let declared: Vec<u64> = container["ports"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p["containerPort"].as_u64().unwrap())
            .collect();
        let defaults: Vec<u64> = ports
            .iter()
            .map(|d| d.default.unwrap().parse().unwrap())
            .collect();
        assert_eq!(declared, defaults, "{file}: ports");
        let protocols: Vec<&str> = container["ports"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p["protocol"].as_str().unwrap_or("TCP"))
            .collect();
        let wanted: Vec<&str> = ports.iter().map(|d| protocol(d)).collect();
        assert_eq!(protocols, wanted, "{file}: port protocols");
        // Every Service port targets a declared container port (by name or number) of the same
        // protocol.
        for service in docs.iter().filter(|d| d["kind"] == "Service") {
            for port in service["spec"]["ports"].as_sequence().unwrap() {
                let target = &port["targetPort"];
                let proto = port["protocol"].as_str().unwrap_or("TCP");
                let found = container["ports"].as_sequence().unwrap().iter().any(|c| {
                    (c["name"] == *target || c["containerPort"] == *target)
                        && c["protocol"].as_str().unwrap_or("TCP") == proto
                });
                assert!(
                    found,
                    "{file}: Service port {:?} targets no {proto} container port",
                    port["name"]
                );
            }
        }
        // Prometheus scrapes the metrics port (the service port where there is no other).
        let annotations = &deploy["spec"]["template"]["metadata"]["annotations"];
        if let Some(scraped) = annotations["prometheus.io/port"].as_str() {
            let metrics = container["ports"]
                .as_sequence()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "metrics")
                .unwrap_or(&container["ports"][0]);
            assert_eq!(
                scraped,
                metrics["containerPort"].as_u64().unwrap().to_string(),
                "{file}: prometheus.io/port"
            );
        }
        // The first port serves the probes (the health port where a daemon has two).
        let first = container["ports"][0]["name"].as_str().unwrap();
        for (probe, path) in [
            ("livenessProbe", "/health/live"),
            ("readinessProbe", "/health/ready"),
        ] {
            let get = &container[probe]["httpGet"];
            assert_eq!(get["path"].as_str(), Some(path), "{file}: {probe}");
            assert_eq!(get["port"].as_str(), Some(first), "{file}: {probe} port");
        }
    }
    for file in [
        "cronjob-retention.yaml",
        "cronjob-partitions.yaml",
        "job-migrate.yaml",
    ] {
        let doc: Value =
            serde_yaml_ng::from_str(&read(&format!("deploy/kubernetes/{file}"))).unwrap();
        let spec = if doc["kind"] == "CronJob" {
            &doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        } else {
            &doc["spec"]["template"]["spec"]
        };
        let args: Vec<String> = spec["containers"][0]["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        check_command(&args, file);
    }
    // The ConfigMap only names settings mutt knows (secrets only as *_FILE).
    let cm: Value = serde_yaml_ng::from_str(&read("deploy/kubernetes/configmap.yaml")).unwrap();
    for (k, _) in cm["data"].as_mapping().unwrap() {
        let k = k.as_str().unwrap();
        let def = registry::find(k)
            .or_else(|| k.strip_suffix("_FILE").and_then(registry::find))
            .unwrap_or_else(|| panic!("configmap.yaml: {k} is not a mutt setting"));
        if matches!(def.kind, registry::Kind::Secret) {
            assert!(
                k.ends_with("_FILE"),
                "configmap.yaml: secret {k} must be a _FILE"
            );
        }
    }
}

#[test]
fn systemd_units_are_hardened_and_run_real_commands() {
    let dir = root().join("deploy/systemd");
    let mut units: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    units.sort();
    let names: Vec<String> = units
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "mutt-ingest.service",
        "mutt-alert@.service",
        "mutt-forward@.service",
        "mutt-remediate.service",
        "mutt-web.service",
        "mutt-syslog.service",
        "mutt-retention.service",
        "mutt-retention.timer",
        "mutt-partitions.service",
        "mutt-partitions.timer",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "deploy/systemd lacks {want}"
        );
    }
    for (path, name) in units.iter().zip(&names) {
        if !name.ends_with(".service") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for line in [
            "User=mutt",
            "NoNewPrivileges=true",
            "ProtectSystem=strict",
            "ProtectHome=true",
            "PrivateTmp=true",
            "EnvironmentFile=/etc/mutt/mutt.env",
        ] {
            assert!(text.lines().any(|l| l == line), "{name} lacks {line}");
        }
        let oneshot = text.contains("Type=oneshot");
        if !oneshot {
            assert!(
                text.contains("\nRestart=on-failure\n"),
                "{name}: restart policy"
            );
            assert!(text.contains("\nRestartSec="), "{name}: RestartSec");
        }
        let exec = text
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap_or_else(|| panic!("{name}: no ExecStart"));
        let command = exec
            .split("/usr/local/bin/mutt ")
            .nth(1)
            .unwrap_or_else(|| panic!("{name}: ExecStart does not run /usr/local/bin/mutt"));
        let args: Vec<String> = command
            .trim_end_matches('\'')
            .split_whitespace()
            .map(str::to_string)
            .collect();
        check_command(&args, name);
    }
}
