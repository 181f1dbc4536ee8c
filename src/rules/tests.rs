use super::*;
use crate::wire::event::parse_severity;

/// (message, trap_oid, severity, expected rule id)
type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<u8>, Option<i32>);

fn rule(
    id: i32,
    mt: MatchType,
    s: Option<&str>,
    oid: Option<&str>,
    sev: Option<i32>,
    prio: i32,
) -> Rule {
    Rule {
        id,
        match_string: s.map(String::from),
        trap_oid: oid.map(String::from),
        syslog_severity: sev,
        match_type: mt,
        priority: prio,
        prod_handling: "Page_and_ticket".into(),
        dev_handling: "Ticket_only".into(),
        team_assignment: format!("team{id}"),
    }
}

/// The v2.5 test fixtures (reference/alerter.md §9).
fn v25() -> Snapshot {
    let mut r2 = rule(2, MatchType::Contains, Some("ERROR"), None, None, 20);
    r2.prod_handling = "Ticket_only".into();
    r2.dev_handling = "Ignore".into();
    let mut r4 = rule(
        4,
        MatchType::OidPrefix,
        None,
        Some(".1.3.6.1.6.3.1.1.5.3"),
        None,
        15,
    );
    r4.dev_handling = "Ignore".into();
    Snapshot::new(
        vec![
            rule(1, MatchType::Contains, Some("CRITICAL"), None, None, 10),
            r2,
            rule(3, MatchType::Regex, Some("LINK-(UP|DOWN)"), None, None, 5),
            r4,
        ],
        ["dev-server-01", "test-server-01", "qa-server-01"].map(String::from),
        [("Router1.Prod.Example.com".to_string(), "NetOps".to_string())],
        "NETO",
    )
}

fn ev<'a>(
    host: &'a str,
    msg: Option<&'a str>,
    oid: Option<&'a str>,
    sev: Option<u8>,
) -> EventView<'a> {
    EventView {
        hostname: host,
        message: msg,
        trap_oid: oid,
        syslog_severity: sev,
    }
}

fn matched(d: &Decision) -> Option<i32> {
    match d {
        Decision::Matched { rule_id, .. } => Some(*rule_id),
        Decision::Unhandled { .. } => None,
    }
}

#[test]
fn v25_cases() {
    let s = v25();
    let cases: &[Case] = &[
        // contains is case-insensitive, partial words match
        (Some("CRITICAL: disk"), None, None, Some(1)),
        (Some("critical: disk"), None, None, Some(1)),
        (Some("SUPERCRITICALITY"), None, None, Some(1)),
        (Some("an error occurred"), None, None, Some(2)),
        // regex with a group; lowest priority number wins over CRITICAL (10)
        (Some("CRITICAL %LINK-DOWN Gi0/1"), None, None, Some(3)),
        (Some("link-up"), None, None, Some(3)),
        // OID prefix: exact and child match; sibling and parent do not
        (None, Some(".1.3.6.1.6.3.1.1.5.3"), None, Some(4)),
        (None, Some("1.3.6.1.6.3.1.1.5.3.7"), None, Some(4)),
        (None, Some("iso.3.6.1.6.3.1.1.5.3"), None, Some(4)),
        (None, Some(".1.3.6.1.6.3.1.1.5.4"), None, None),
        (None, Some(".1.3.6.1.6.3.1.1.5"), None, None),
        (None, Some(".1.3.6.1.6.3.1.1.5.31"), None, None),
        // nothing matches
        (Some("all quiet"), None, None, None),
        (None, None, None, None),
    ];
    for (msg, oid, sev, want) in cases {
        let d = s.decide(&ev("h", *msg, *oid, *sev));
        assert_eq!(matched(&d), *want, "{msg:?} {oid:?}");
    }
}

#[test]
fn environment_selects_the_handling_and_forwarding() {
    let s = v25();
    let d = s.decide(&ev("DEV-SERVER-01", Some("an ERROR"), None, None));
    assert_eq!(
        d,
        Decision::Matched {
            rule_id: 2,
            handling: "Ignore".into(),
            team: "team2".into(),
            environment: Environment::Dev,
            forward: false
        }
    );
    let d = s.decide(&ev("prod-1", Some("an ERROR"), None, None));
    assert_eq!(
        d,
        Decision::Matched {
            rule_id: 2,
            handling: "Ticket_only".into(),
            team: "team2".into(),
            environment: Environment::Prod,
            forward: true
        }
    );
}

#[test]
fn unhandled_events_get_the_device_team_or_the_default() {
    let s = v25();
    assert_eq!(
        s.decide(&ev("router1.prod.EXAMPLE.com", Some("quiet"), None, None)),
        Decision::Unhandled {
            team: "NetOps".into(),
            environment: Environment::Prod
        }
    );
    assert_eq!(
        s.decide(&ev("qa-server-01", Some("quiet"), None, None)),
        Decision::Unhandled {
            team: "NETO".into(),
            environment: Environment::Dev
        }
    );
}

#[test]
fn forward_values_are_case_insensitive() {
    for (h, want) in [
        ("Page_and_ticket", true),
        ("PAGE_ONLY", true),
        ("ticket_only", true),
        (" Ticket_Only ", true),
        ("Ignore", false),
        ("Email_only", false),
        ("", false),
    ] {
        assert_eq!(is_forward(h), want, "{h}");
    }
}

#[test]
fn ties_break_on_id_and_priority_orders() {
    let s = Snapshot::new(
        vec![
            rule(9, MatchType::Contains, Some("x"), None, None, 50),
            rule(7, MatchType::Contains, Some("x"), None, None, 50),
            rule(8, MatchType::Contains, Some("x"), None, None, 60),
        ],
        [],
        [],
        "NETO",
    );
    assert_eq!(matched(&s.decide(&ev("h", Some("x"), None, None))), Some(7));
}

#[test]
fn severity_and_trap_oid_are_extra_conditions_on_every_type() {
    let s = Snapshot::new(
        vec![
            rule(1, MatchType::Contains, Some("fan"), None, Some(2), 1),
            rule(
                2,
                MatchType::Regex,
                Some("^link"),
                Some("1.3.6.1.6.3.1.1.5"),
                None,
                2,
            ),
            rule(
                3,
                MatchType::OidPrefix,
                None,
                Some("1.3.6.1.4.1.9.*"),
                Some(4),
                3,
            ),
            rule(
                4,
                MatchType::Contains,
                None,
                Some(".1.3.6.1.4.1.2636"),
                None,
                4,
            ),
        ],
        [],
        [],
        "NETO",
    );
    let cases: &[Case] = &[
        (Some("fan failed"), None, Some(2), Some(1)),
        (Some("fan failed"), None, Some(3), None),
        (Some("fan failed"), None, None, None),
        (
            Some("LINK down"),
            Some("1.3.6.1.6.3.1.1.5.3"),
            None,
            Some(2),
        ),
        (Some("LINK down"), None, None, None),
        (Some("LINK down"), Some("1.3.6.1.6.3.1.1.6"), None, None),
        (None, Some(".1.3.6.1.4.1.9.9.41.2"), Some(4), Some(3)),
        (None, Some(".1.3.6.1.4.1.9.9.41.2"), Some(5), None),
        (
            Some("anything"),
            Some("1.3.6.1.4.1.2636.4.1"),
            None,
            Some(4),
        ),
    ];
    for (msg, oid, sev, want) in cases {
        assert_eq!(
            matched(&s.decide(&ev("h", *msg, *oid, *sev))),
            *want,
            "{msg:?} {oid:?} {sev:?}"
        );
    }
}

#[test]
fn bad_rules_are_skipped_and_reported() {
    let s = Snapshot::new(
        vec![
            rule(1, MatchType::Regex, Some("(unclosed"), None, None, 1),
            rule(2, MatchType::Regex, Some("(?<=look)behind"), None, None, 2),
            rule(3, MatchType::OidPrefix, None, None, None, 3),
            rule(4, MatchType::Contains, Some("ok"), None, None, 4),
        ],
        [],
        [],
        "NETO",
    );
    assert_eq!(s.rule_count(), 1);
    let ids: Vec<i32> = s.skipped().iter().map(|k| k.rule_id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert!(
        s.skipped()[0].reason.starts_with("regex does not compile"),
        "{:?}",
        s.skipped()[0]
    );
    assert_eq!(s.skipped()[2].reason, "oid_prefix rule has no OID");
    assert_eq!(
        matched(&s.decide(&ev("h", Some("ok (unclosed"), None, None))),
        Some(4)
    );
}

#[test]
fn explain_lists_each_rule_tried_and_why() {
    let s = v25();
    let x = s.explain(
        &ev("h", Some("an ERROR occurred"), None, Some(3)),
        chrono::Utc::now(),
    );
    let trace: Vec<(i32, bool, &str)> = x
        .tried
        .iter()
        .map(|t| (t.rule_id, t.matched, t.reason.as_str()))
        .collect();
    assert_eq!(
        trace,
        vec![
            (3, false, "message does not match /LINK-(UP|DOWN)/"),
            (1, false, "message does not contain \"critical\""),
            (4, false, "event has no trap_oid"),
            (2, true, "message contains \"error\""),
        ]
    );
    assert_eq!(matched(&x.decision), Some(2));
    let none = s.explain(&ev("h", None, Some("1.2.3"), None), chrono::Utc::now());
    assert_eq!(none.tried.len(), 4);
    assert!(none.tried.iter().all(|t| !t.matched));
    assert_eq!(
        none.tried[2].reason,
        "trap_oid 1.2.3 is not under 1.3.6.1.6.3.1.1.5.3"
    );
}

#[test]
fn fuzz_rule_engine_normalise_oid_is_idempotent() {
    for (given, want) in [
        ("..1.3", "1.3"),
        ("...]KW", "]KW"),
        ("1.3 .", "1.3"),
        ("1.3 .* .", "1.3"),
        ("iso .", "1"),
        (" . .1.3", "1.3"),
        ("iso.*", "1"),
        (".*", ""),
        ("* .", "*"),
    ] {
        let once = normalise_oid(given);
        assert_eq!(once, want, "{given:?}");
        assert_eq!(normalise_oid(&once), once, "{given:?} is not a fixed point");
    }
}

#[test]
fn oid_normalisation_and_boundaries() {
    for (given, want) in [
        (".1.3.6.1", "1.3.6.1"),
        ("iso.3.6.1", "1.3.6.1"),
        ("1.3.6.1.*", "1.3.6.1"),
        ("1.3.6.1.", "1.3.6.1"),
        (" 1.3 ", "1.3"),
    ] {
        assert_eq!(normalise_oid(given), want, "{given}");
    }
    assert!(oid_under("1.3.6.1", "1.3.6.1"));
    assert!(oid_under("1.3.6.1.2", "1.3.6.1"));
    assert!(!oid_under("1.3.6.10", "1.3.6.1"));
    assert!(!oid_under("1.3.6", "1.3.6.1"));
    assert!(!oid_under("1.3", ""));
}

#[test]
fn severities_parse_from_numbers_strings_and_names() {
    use serde_json::json;
    for (v, want) in [
        (json!(3), Some(3)),
        (json!("3"), Some(3)),
        (json!("Notice"), Some(5)),
        (json!("crit"), Some(2)),
        (json!(8), None),
        (json!("x"), None),
        (json!(null), None),
        (json!(2.0), None),
    ] {
        assert_eq!(parse_severity(&v), want, "{v}");
    }
    assert_eq!(MatchType::parse("OID_PREFIX"), Some(MatchType::OidPrefix));
    assert_eq!(MatchType::parse("glob"), None);
}
