use super::*;
use crate::rules::Snapshot;
use crate::wire::alert::moog_severity;
use crate::wire::event::{parse_delivery, parse_timestamp};
use crate::wire::rule::{MatchType, Rule};
use chrono::TimeZone;
use serde_json::{json, Value};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn ev(extra: &str) -> String {
    format!(
        r#"{{"hostname":"sw1","message":"LINK-DOWN Gi0/1","timestamp":"2026-11-22T04:00:00Z"{extra}}}"#
    )
}

#[test]
fn timestamps_in_every_accepted_form() {
    let at = |s: &str| parse_timestamp(&Value::String(s.into()), now()).map(|t| t.to_rfc3339());
    assert_eq!(
        at("2026-11-22T04:00:00Z").as_deref(),
        Some("2026-11-22T04:00:00+00:00")
    );
    assert_eq!(
        at("2026-11-22T05:00:00+01:00").as_deref(),
        Some("2026-11-22T04:00:00+00:00")
    );
    assert_eq!(
        at("2026-11-22T04:24:26.452607Z").as_deref(),
        Some("2026-11-22T04:24:26.452607+00:00")
    );
    assert_eq!(
        at("2026-11-22 04:00:00").as_deref(),
        Some("2026-11-22T04:00:00+00:00")
    );
    assert_eq!(
        at("Nov 11 10:00:00").as_deref(),
        Some("2026-11-11T10:00:00+00:00")
    );
    assert_eq!(
        at("Nov  1 10:00:00").as_deref(),
        Some("2026-11-01T10:00:00+00:00")
    );
    // December's log line read in November is last year's.
    assert_eq!(
        at("Dec 31 23:00:00").as_deref(),
        Some("2025-12-31T23:00:00+00:00")
    );
    assert_eq!(
        at("1763784000").as_deref(),
        Some("2025-11-22T04:00:00+00:00")
    );
    assert_eq!(
        at("1763784000000").as_deref(),
        Some("2025-11-22T04:00:00+00:00")
    );
    let num = parse_timestamp(&json!(1763784000.5), now()).unwrap();
    assert_eq!(num.timestamp_millis(), 1_763_784_000_500);
    for bad in ["", "yesterday", "2026-13-45T00:00:00Z", "-5"] {
        assert_eq!(at(bad), None, "{bad}");
    }
    assert_eq!(parse_timestamp(&json!(true), now()), None);
}

#[test]
fn deliveries_are_parsed_or_refused_with_a_reason() {
    let ok = parse_delivery(&ev(r#","syslog_severity":"err","_correlation_id":"c1","_event_id":"e1","trap_oid":"1.3.6""#), now()).unwrap();
    assert_eq!(
        (ok.hostname.as_str(), ok.severity, ok.event_id.as_str()),
        ("sw1", Some(3), "e1")
    );
    assert_eq!(
        (ok.correlation_id.as_str(), ok.trap_oid.as_deref()),
        ("c1", Some("1.3.6"))
    );

    let v25 = parse_delivery(&ev(r#","severity":"warning""#), now()).unwrap();
    assert_eq!(v25.correlation_id, "unknown");
    assert_eq!(
        v25.severity,
        Some(4),
        "rsyslog's text severity counts when the number is absent"
    );
    assert!(v25.event_id.starts_with("v25-") && v25.event_id.len() == 36);
    assert_eq!(
        v25.event_id,
        parse_delivery(&ev(r#","severity":"warning""#), now())
            .unwrap()
            .event_id
    );
    assert_ne!(
        v25.event_id,
        parse_delivery(&ev(r#","x":1"#), now()).unwrap().event_id
    );

    let long_host = format!(
        r#"{{"hostname":"{}","message":"m","timestamp":"2026-11-22T04:00:00Z"}}"#,
        "h".repeat(256)
    );
    for (raw, reason) in [
        ("not json", "invalid JSON at line 1 column 2"),
        ("[1,2]", "not a JSON object"),
        (
            r#"{"message":"m","timestamp":"t"}"#,
            "missing field hostname",
        ),
        (
            r#"{"hostname":"","message":"m","timestamp":"t"}"#,
            "field hostname is empty",
        ),
        (
            r#"{"hostname":"h","message":5,"timestamp":"t"}"#,
            "field message is not a string",
        ),
        (
            r#"{"hostname":"h","message":"m"}"#,
            "missing field timestamp",
        ),
        (
            r#"{"hostname":"h","message":"m","timestamp":"soon"}"#,
            "unparseable timestamp \"soon\"",
        ),
        (long_host.as_str(), "hostname longer than 255 characters"),
    ] {
        assert_eq!(parse_delivery(raw, now()).unwrap_err(), reason, "{raw}");
    }
}

#[test]
fn severities_map_to_moog_levels() {
    let got: Vec<&str> = [
        None,
        Some(0),
        Some(2),
        Some(3),
        Some(4),
        Some(5),
        Some(6),
        Some(7),
    ]
    .into_iter()
    .map(moog_severity)
    .collect();
    assert_eq!(
        got,
        ["Warning", "Critical", "Critical", "Major", "Warning", "Minor", "Info", "Info"]
    );
}

fn snapshot() -> Snapshot {
    let rule = |id, s: &str, prod: &str, dev: &str| Rule {
        id,
        match_string: Some(s.into()),
        trap_oid: None,
        syslog_severity: None,
        match_type: MatchType::Contains,
        priority: id,
        prod_handling: prod.into(),
        dev_handling: dev.into(),
        team_assignment: "NetOps".into(),
    };
    Snapshot::new(
        vec![
            rule(1, "LINK-DOWN", "Page_and_ticket", "Ticket_only"),
            rule(2, "AUDIT", "Log_only", "Log_only"),
        ],
        ["dev-sw".to_string()],
        [("quiet-host".to_string(), "Facilities".to_string())],
        "NETO",
    )
}

#[test]
fn handled_events_become_an_audit_row_and_an_alert() {
    let e = parse_delivery(
        &ev(
            r#","syslog_severity":3,"_correlation_id":"c9","_event_id":"e9","_traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01""#,
        ),
        now(),
    )
    .unwrap();
    let Outcome::Handled { row, alert } =
        outcome(&e, &snapshot().decide(&e.view()), None, 100, 86400)
    else {
        panic!("expected handled");
    };
    assert_eq!(
        row,
        AuditRow {
            event_timestamp: Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap(),
            hostname: "sw1".into(),
            matched_rule_id: 1,
            handling_decision: "Page_and_ticket".into(),
            forwarded_to_moog: true,
            raw_message: e.raw.clone(),
            event_id: "e9".into(),
            silenced_by: None,
            dedup_of: None,
        }
    );
    let alert: Value = serde_json::from_str(&alert.unwrap()).unwrap();
    assert_eq!(
        alert,
        json!({
            "hostname": "sw1", "team_assignment": "NetOps", "severity": "Major",
            "message_body": "LINK-DOWN Gi0/1", "raw_json": serde_json::from_str::<Value>(&e.raw).unwrap(),
            "_correlation_id": "c9", "_event_id": "e9", "_traceparent": e.trace.header(),
            "rule_id": 1, "handling": "Page_and_ticket",
            "environment": "prod", "event_timestamp": "2026-11-22T04:00:00.000Z"
        })
    );
    // The alert continues the event's trace with the alerter's own span.
    assert_eq!(e.trace.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_ne!(e.trace.span_id_hex(), "00f067aa0ba902b7");
    assert_eq!(
        e.trace_parent,
        crate::trace::TraceContext::parse(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        )
        .map(|p| p.span_id)
    );
    assert!(alert.get("api_key").is_none(), "no secret in the alert");
}

#[test]
fn audit_only_and_dev_events_are_audited_without_an_alert_when_not_forwarded() {
    let s = snapshot();
    let audit_only = parse_delivery(
        r#"{"hostname":"sw1","message":"AUDIT login","timestamp":"2026-11-22T04:00:00Z"}"#,
        now(),
    )
    .unwrap();
    match outcome(&audit_only, &s.decide(&audit_only.view()), None, 100, 60) {
        Outcome::Handled { row, alert } => {
            assert_eq!(
                (row.handling_decision.as_str(), row.forwarded_to_moog, alert),
                ("Log_only", false, None)
            );
        }
        other => panic!("{other:?}"),
    }
    let dev = parse_delivery(
        r#"{"hostname":"DEV-SW","message":"LINK-DOWN","timestamp":"2026-11-22T04:00:00Z"}"#,
        now(),
    )
    .unwrap();
    match outcome(&dev, &s.decide(&dev.view()), None, 100, 60) {
        Outcome::Handled { row, alert } => {
            assert_eq!(row.handling_decision, "Ticket_only");
            let a: Value = serde_json::from_str(&alert.unwrap()).unwrap();
            assert_eq!(a["environment"], "dev");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unhandled_events_carry_their_signature_and_meta_alert() {
    let s = snapshot();
    let msg = "x".repeat(300);
    let raw = format!(
        r#"{{"hostname":"quiet-host","message":"{msg}","timestamp":"2026-11-22T04:00:00Z"}}"#
    );
    let e = parse_delivery(&raw, now()).unwrap();
    let Outcome::Unhandled {
        signature,
        meta_alert,
    } = outcome(&e, &s.decide(&e.view()), None, 5, 3600)
    else {
        panic!("expected unhandled");
    };
    assert_eq!(signature, unhandled_signature(&msg));
    assert_eq!(signature.len(), 16);
    let m: Value = serde_json::from_str(&meta_alert).unwrap();
    assert_eq!(m["hostname"], "MUTT_Alerter");
    assert_eq!(m["team_assignment"], "Facilities");
    assert_eq!(m["severity"], "Warning");
    assert_eq!(
        m["message_body"],
        format!(
            "[MUTT] Detected 5 unhandled messages in 3600s from 'quiet-host'. Sample message: {}",
            "x".repeat(200)
        )
    );
    assert_eq!(m["handling"], "unhandled");
}

#[test]
fn dlq_entries_keep_the_message_and_say_why() {
    let e: Value = serde_json::from_str(&crate::wire::dlq::dlq_entry_for_text(
        &ev(""),
        "unparseable timestamp",
        1,
        "alerter-h",
        now(),
    ))
    .unwrap();
    assert_eq!(e["hostname"], "sw1");
    assert_eq!(
        e["_dlq"],
        json!({"reason":"unparseable timestamp","attempts":1,"last_status":null,"last_error":"unparseable timestamp",
               "failed_at":"2026-11-22T12:00:00.000Z","pod":"alerter-h"})
    );
    let bad: Value = serde_json::from_str(&crate::wire::dlq::dlq_entry_for_text(
        "not json",
        "invalid JSON",
        1,
        "p",
        now(),
    ))
    .unwrap();
    assert_eq!(bad["raw"], "not json");
}

#[test]
fn a_silenced_event_is_audited_without_an_alert_and_an_unhandled_one_is_not_counted() {
    let s = snapshot();
    let e = parse_delivery(&ev(r#","syslog_severity":3,"_event_id":"e1""#), now()).unwrap();
    let decision = s.decide(&e.view());
    let Outcome::Handled { row, alert } = outcome(&e, &decision, Some(12), 100, 60) else {
        panic!("expected handled");
    };
    assert_eq!(row.matched_rule_id, 1);
    assert_eq!(row.handling_decision, "Page_and_ticket");
    assert!(!row.forwarded_to_moog);
    assert_eq!(row.silenced_by, Some(12));
    assert_eq!(alert, None);
    let quiet = parse_delivery(
        r#"{"hostname":"quiet-host","message":"zzz","timestamp":"2026-11-22T04:00:00Z"}"#,
        now(),
    )
    .unwrap();
    assert_eq!(
        outcome(&quiet, &s.decide(&quiet.view()), Some(12), 100, 60),
        Outcome::Silenced { silence: 12 }
    );
}
