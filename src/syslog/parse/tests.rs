use super::*;
use chrono::TimeZone;

/// One fixture line (format in `tests/fixtures/syslog/README.md`).
struct Case {
    at: String,
    line: Vec<u8>,
    ctx: Context,
    expect: Map<String, Value>,
    fallback: bool,
    lossy_utf8: bool,
}

fn default_ctx() -> Context {
    Context {
        received_at: Utc.with_ymd_and_hms(2026, 3, 1, 18, 50, 0).unwrap(),
        source_ip: "192.0.2.10".parse().unwrap(),
        default_tz: Tz::UTC,
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn cases(file: &str) -> Vec<Case> {
    let path = format!(
        "{}/tests/fixtures/syslog/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let at = format!("{file}:{}", n + 1);
        let v: Value = serde_json::from_str(raw).unwrap_or_else(|e| panic!("{at}: {e}"));
        let line = match (v.get("line"), v.get("line_hex")) {
            (Some(Value::String(s)), None) => s.as_bytes().to_vec(),
            (None, Some(Value::String(h))) => hex(h),
            _ => panic!("{at}: needs one of line / line_hex"),
        };
        let mut ctx = default_ctx();
        if let Some(c) = v.get("ctx") {
            if let Some(t) = c.get("received_at").and_then(Value::as_str) {
                ctx.received_at = DateTime::parse_from_rfc3339(t).unwrap().to_utc();
            }
            if let Some(ip) = c.get("source_ip").and_then(Value::as_str) {
                ctx.source_ip = ip.parse().unwrap();
            }
            if let Some(tz) = c.get("default_tz").and_then(Value::as_str) {
                ctx.default_tz = tz.parse().unwrap();
            }
        }
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        let Some(Value::Object(expect)) = v.get("expect") else {
            panic!("{at}: needs an expect object")
        };
        out.push(Case {
            at,
            line,
            ctx,
            expect: expect.clone(),
            fallback: flag("fallback"),
            lossy_utf8: flag("lossy_utf8"),
        });
    }
    assert!(!out.is_empty(), "{file} holds no cases");
    out
}

/// The event as the JSON object it is queued as.
fn map(event: &SyslogEvent) -> Map<String, Value> {
    match serde_json::to_value(event) {
        Ok(Value::Object(m)) => m,
        other => panic!("not an object: {other:?}"),
    }
}

/// Every case of `file`, all failures reported at once.
fn check(file: &str) {
    let mut failures = Vec::new();
    for case in cases(file) {
        let got = parse_line(&case.line, &case.ctx);
        if map(&got.event) != case.expect
            || got.fallback != case.fallback
            || got.lossy_utf8 != case.lossy_utf8
        {
            failures.push(format!(
                "{}: {}\n  want {} fallback={} lossy={}\n  got  {} fallback={} lossy={}",
                case.at,
                String::from_utf8_lossy(&case.line).escape_debug(),
                Value::Object(case.expect),
                case.fallback,
                case.lossy_utf8,
                Value::Object(map(&got.event)),
                got.fallback,
                got.lossy_utf8,
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn rfc5424_fixtures() {
    check("rfc5424.jsonl");
}

#[test]
fn rfc3164_fixtures() {
    check("rfc3164.jsonl");
}

#[test]
fn device_fixtures() {
    check("devices.jsonl");
}

#[test]
fn edge_fixtures() {
    check("edge.jsonl");
}

#[test]
fn every_pri_names_rsyslogs_facility_and_severity() {
    let ctx = default_ctx();
    for pri in 0u8..=191 {
        let line = format!("<{pri}>Mar  1 18:46:11 host prog: x");
        let e = map(&parse_line(line.as_bytes(), &ctx).event);
        assert_eq!(e["facility"], FACILITY_NAMES[usize::from(pri / 8)]);
        assert_eq!(e["severity"], SEVERITY_NAMES[usize::from(pri % 8)]);
        assert_eq!(e["syslog_severity"], pri % 8);
    }
    // Spot checks against rsyslog 8.2302's syslogfacility-text output.
    assert_eq!(FACILITY_NAMES[10], "authpriv");
    assert_eq!(FACILITY_NAMES[13], "audit");
    assert_eq!(FACILITY_NAMES[14], "alert");
    assert_eq!(FACILITY_NAMES[15], "clock");
    assert_eq!(FACILITY_NAMES[23], "local7");
}

/// Ingest must take the event as it is: it passes validation, and ingest's reading of the text
/// `severity` is the number we wrote.
#[test]
fn events_pass_ingest_validation_unchanged() {
    let required = ["hostname".to_string(), "timestamp".to_string()];
    for file in [
        "rfc5424.jsonl",
        "rfc3164.jsonl",
        "devices.jsonl",
        "edge.jsonl",
    ] {
        for case in cases(file) {
            let event = map(&parse_line(&case.line, &case.ctx).event);
            let mut item = Value::Object(event.clone());
            let mut problems = Vec::new();
            crate::ingest::parse::check_item(0, &mut item, &required, &mut problems);
            assert!(problems.is_empty(), "{}: {problems:?}", case.at);
            assert_eq!(
                crate::wire::event::parse_severity(&event["severity"]),
                event["syslog_severity"].as_u64().map(|n| n as u8),
                "{}",
                case.at
            );
            let ts = event["timestamp"].as_str().unwrap();
            assert!(
                DateTime::parse_from_rfc3339(ts).is_ok(),
                "{}: {ts}",
                case.at
            );
        }
    }
}

/// Truncated and mangled lines never panic and always give an event with every field.
#[test]
fn damaged_lines_still_give_events() {
    let ctx = default_ctx();
    let mut lines = Vec::new();
    for file in [
        "rfc5424.jsonl",
        "rfc3164.jsonl",
        "devices.jsonl",
        "edge.jsonl",
    ] {
        lines.extend(cases(file).into_iter().map(|c| c.line));
    }
    for line in &lines {
        for end in 0..=line.len() {
            let cut = &line[..end];
            for variant in [cut.to_vec(), [cut, b"\xff]\"\\ :[".as_slice()].concat()] {
                let p = map(&parse_line(&variant, &ctx).event);
                for key in [
                    "timestamp",
                    "hostname",
                    "severity",
                    "facility",
                    "program",
                    "message",
                ] {
                    assert!(p[key].is_string(), "{key} of {variant:?}");
                }
                assert!(!p["hostname"].as_str().unwrap().is_empty());
                let ts = p["timestamp"].as_str().unwrap();
                assert!(DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
            }
        }
    }
}

#[test]
fn timestamps_keep_the_senders_precision() {
    let ctx = default_ctx();
    let ts = |line: &str| map(&parse_line(line.as_bytes(), &ctx).event)["timestamp"].clone();
    assert_eq!(
        ts("<13>Mar  1 18:46:11.1 h p: x"),
        "2026-03-01T18:46:11.1+00:00"
    );
    assert_eq!(
        ts("<13>Mar  1 18:46:11.1234567891 h p: x"),
        "2026-03-01T18:46:11.123456789+00:00"
    );
    assert_eq!(
        ts("<13>1 2026-03-01T18:46:11.000-00:00 h p - - - x"),
        "2026-03-01T18:46:11.000+00:00"
    );
}
