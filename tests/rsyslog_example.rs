//! examples/rsyslog/mutt.conf against a real rsyslogd (Debian's `rsyslog`, installed by
//! scripts/setup.sh) and a real `mutt ingest serve`: the example's template renders messages with
//! quotes, backslashes, tabs and non-ASCII text, batched the way its `batch.format="jsonarray"`
//! batches them, and mutt queues every one. Debian does not package omhttp, so the test swaps
//! only the example's omhttp action for an omfile one with the same template and posts the
//! rendered batch itself with omhttp's headers. Loopback only.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use mutt::dev::services::{find_program, private_port};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const KEY: &str = "test-rsyslog-key";

fn rsyslogd() -> PathBuf {
    find_program("rsyslogd", &[PathBuf::from("/usr/sbin")])
        .expect("rsyslogd is not installed: run scripts/setup.sh (Debian package rsyslog)")
}

/// The example with a UDP input on `port` and its omhttp action replaced by omfile → `out`.
fn test_config(port: u16, work: &Path, out: &Path) -> String {
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rsyslog/mutt.conf"),
    )
    .unwrap();
    let start = example
        .find("    action(\n        type=\"omhttp\"")
        .expect("the example's omhttp action");
    let end = start
        + example[start..]
            .find("\n    )\n")
            .expect("end of the action")
        + 7;
    let action = &example[start..end];
    for param in [
        "restpath=\"api/v2/ingest\"",
        "batch.format=\"jsonarray\"",
        "template=\"mutt_event\"",
        "httpheaders=[\"X-API-KEY: ",
    ] {
        assert!(action.contains(param), "the example's action lacks {param}");
    }
    let header = format!(
        "global(workDirectory=\"{}\")\nmodule(load=\"imudp\")\ninput(type=\"imudp\" address=\"127.0.0.1\" port=\"{port}\")\n",
        work.display()
    );
    let body = example.replace("module(load=\"omhttp\")", "").replace(
        action,
        &format!(
            "    action(type=\"omfile\" file=\"{}\" template=\"mutt_event\")\n",
            out.display()
        ),
    );
    format!("{header}{body}")
}

struct Rsyslog(Child);

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn example_template_renders_events_mutt_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rendered.ndjson");
    let conf = dir.path().join("rsyslog.conf");
    // rsyslogd is told its port: one outside the ephemeral range, so no client socket of
    // another process can be sitting on it (it was free for TCP a moment ago; checked for UDP
    // when rsyslogd is up).
    let port = private_port().unwrap();
    std::fs::write(&conf, test_config(port, dir.path(), &out)).unwrap();
    let check = Command::new(rsyslogd())
        .args(["-N1", "-f"])
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "rsyslogd -N1: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut rsyslog = Rsyslog(
        Command::new(rsyslogd())
            .args(["-n", "-f"])
            .arg(&conf)
            .arg("-i")
            .arg(dir.path().join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rsyslogd"),
    );

    // RFC 5424 and RFC 3164 messages with everything a naive template breaks on.
    let tricky = "Failed password for \"root\" from 10.0.0.1 \\ C:\\x / tab\there – ünïcode";
    let messages = [
        format!("<35>1 2026-11-22T04:24:26.452607Z sw1.example.net sshd 42 - - {tricky}"),
        "<132>Nov 22 04:24:26 rtr2 app: plain message".to_string(),
    ];
    // UDP sent before rsyslogd binds its port is lost: send once it is bound (from then on
    // the kernel queues what arrives).
    common::wait_for(Duration::from_secs(20), "rsyslogd to bind its port", || {
        if let Some(status) = rsyslog.0.try_wait().unwrap() {
            panic!("rsyslogd exited ({status})");
        }
        common::udp_port_bound(port)
    });
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for m in &messages {
        sender.send_to(m.as_bytes(), ("127.0.0.1", port)).unwrap();
    }
    let rendered: Vec<String> =
        common::eventually(Duration::from_secs(20), "both messages rendered", || {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            let has = |host: &str| lines.iter().any(|l| l.contains(host));
            (has("sw1.example.net") && has("rtr2")).then_some(lines)
        });
    for line in &rendered {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["source"], "syslog");
    }

    // Post the batch as omhttp's jsonarray format does.
    let t = TestEnv::new();
    let mut env = t.env();
    env.push(("INGEST_API_KEY".into(), KEY.into()));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    let ingest = Daemon::start(&["ingest", "serve"], &env);
    let body = format!("[{}]", rendered.join(","));
    let r = ingest.req(
        "POST",
        "/api/v2/ingest",
        &[
            ("X-API-KEY", KEY),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Expect", ""),
        ],
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let mut redis = common::redis();
    let queued = common::json_list(&mut redis, &format!("{}:ingest_queue", t.prefix));
    assert_eq!(queued.len(), rendered.len());
    let ssh = queued
        .iter()
        .find(|e| e["hostname"] == "sw1.example.net")
        .expect("the RFC 5424 event");
    assert_eq!(ssh["message"], tricky);
    assert_eq!(ssh["severity"], "err");
    assert_eq!(ssh["syslog_severity"], 3);
    assert_eq!(ssh["facility"], "auth");
    assert_eq!(ssh["program"], "sshd");
    assert_eq!(ssh["timestamp"], "2026-11-22T04:24:26.452607Z");
    let plain = queued.iter().find(|e| e["hostname"] == "rtr2").unwrap();
    assert_eq!(plain["syslog_severity"], 4);
    assert_eq!(plain["facility"], "local0");
    assert_eq!(plain["message"].as_str().unwrap().trim(), "plain message");
}
