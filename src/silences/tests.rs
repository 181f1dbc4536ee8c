use super::*;
use chrono::TimeZone;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    // 2026-03-01 is a Sunday.
    Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).unwrap()
}

fn silence(id: i32, matchers: Matchers) -> Silence {
    Silence {
        id,
        matchers,
        starts_at: t(10, 0),
        ends_at: t(12, 0),
        schedule: None,
        comment: "maintenance".into(),
        created_by: "cli:test".into(),
        created_at: t(9, 0),
    }
}

fn host(pattern: &str, how: HostMatch) -> Matchers {
    Matchers {
        hostname: Some(pattern.into()),
        hostname_match: how,
        ..Matchers::default()
    }
}

fn target<'a>(hostname: &'a str, message: &'a str, rule: Option<i32>, team: &'a str) -> Target<'a> {
    Target {
        hostname,
        message: Some(message),
        rule_id: rule,
        team,
    }
}

#[test]
fn every_kind_of_matcher() {
    let ev = target(
        "Core-SW-01",
        "%LINK-3-UPDOWN: Gi0/1 down",
        Some(7),
        "NetOps",
    );
    let cases: Vec<(Matchers, bool)> = vec![
        (host("core-sw-01", HostMatch::Exact), true),
        (host("CORE-SW-01", HostMatch::Exact), true),
        (host("core-sw-0", HostMatch::Exact), false),
        (host("core-sw-*", HostMatch::Glob), true),
        (host("core-sw-0[12]", HostMatch::Glob), true),
        (host("edge-*", HostMatch::Glob), false),
        (host("core-sw-0?", HostMatch::Glob), true),
        (host("^core-sw-\\d+$", HostMatch::Regex), true),
        (host("sw-0", HostMatch::Regex), true),
        (host("^sw", HostMatch::Regex), false),
        (
            Matchers {
                rule_id: Some(7),
                ..Matchers::default()
            },
            true,
        ),
        (
            Matchers {
                rule_id: Some(8),
                ..Matchers::default()
            },
            false,
        ),
        (
            Matchers {
                team: Some("netops".into()),
                ..Matchers::default()
            },
            true,
        ),
        (
            Matchers {
                team: Some("dba".into()),
                ..Matchers::default()
            },
            false,
        ),
        (
            Matchers {
                contains: Some("link-3-updown".into()),
                ..Matchers::default()
            },
            true,
        ),
        (
            Matchers {
                contains: Some("BGP".into()),
                ..Matchers::default()
            },
            false,
        ),
        // All given must match.
        (
            Matchers {
                hostname: Some("core-sw-*".into()),
                hostname_match: HostMatch::Glob,
                rule_id: Some(7),
                team: Some("NETOPS".into()),
                contains: Some("gi0/1".into()),
            },
            true,
        ),
        (
            Matchers {
                hostname: Some("core-sw-*".into()),
                hostname_match: HostMatch::Glob,
                rule_id: Some(7),
                team: Some("netops".into()),
                contains: Some("gi0/2".into()),
            },
            false,
        ),
    ];
    for (i, (m, want)) in cases.into_iter().enumerate() {
        let c = compile(silence(1, m.clone())).unwrap();
        assert_eq!(c.matches(&ev), want, "case {i}: {m:?}");
    }
}

#[test]
fn unhandled_events_have_no_rule_and_the_devices_team() {
    let ev = target("db-01", "disk full", None, "dba");
    let by_rule = compile(silence(
        1,
        Matchers {
            rule_id: Some(3),
            ..Matchers::default()
        },
    ))
    .unwrap();
    assert!(!by_rule.matches(&ev));
    let by_team = compile(silence(
        1,
        Matchers {
            team: Some("DBA".into()),
            ..Matchers::default()
        },
    ))
    .unwrap();
    assert!(by_team.matches(&ev));
    let no_message = Target {
        message: None,
        ..ev
    };
    let by_text = compile(silence(
        1,
        Matchers {
            contains: Some("disk".into()),
            ..Matchers::default()
        },
    ))
    .unwrap();
    assert!(by_text.matches(&ev));
    assert!(!by_text.matches(&no_message));
}

#[test]
fn time_range_is_start_inclusive_end_exclusive() {
    let c = compile(silence(1, host("h", HostMatch::Exact))).unwrap();
    let ev = target("h", "x", Some(1), "t");
    assert_eq!(c.state(t(9, 59)), State::Pending);
    assert!(!c.holds(&ev, t(9, 59)));
    assert_eq!(c.state(t(10, 0)), State::Active);
    assert!(c.holds(&ev, t(10, 0)));
    assert!(c.holds(&ev, t(11, 59)));
    assert_eq!(c.state(t(12, 0)), State::Expired);
    assert!(!c.holds(&ev, t(12, 0)));
}

#[test]
fn a_recurring_silence_holds_only_inside_its_windows_and_its_dates() {
    let mut s = silence(1, host("h", HostMatch::Exact));
    s.starts_at = t(0, 0);
    s.ends_at = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
    s.schedule = Some(Schedule {
        time_zone: "Europe/Berlin".into(),
        windows: vec![schedule::Window::parse("sun 02:00-04:00").unwrap()],
    });
    let c = compile(s).unwrap();
    let ev = target("h", "x", None, "t");
    // 02:00-04:00 Berlin on 2026-03-01 is 01:00-03:00 UTC.
    assert_eq!(c.state(t(0, 30)), State::Waiting);
    assert!(c.holds(&ev, t(1, 0)));
    assert!(!c.holds(&ev, t(3, 0)));
    let next_sunday = Utc.with_ymd_and_hms(2026, 3, 8, 2, 0, 0).unwrap();
    assert!(c.holds(&ev, next_sunday));
    let after_end = Utc.with_ymd_and_hms(2026, 4, 5, 2, 0, 0).unwrap();
    assert_eq!(c.state(after_end), State::Expired);
    assert!(!c.holds(&ev, after_end));
}

#[test]
fn the_oldest_holding_silence_is_the_one_recorded() {
    let (set, skipped) = Set::new(vec![
        silence(9, host("h", HostMatch::Exact)),
        silence(4, host("*", HostMatch::Glob)),
        silence(2, host("other", HostMatch::Exact)),
    ]);
    assert!(skipped.is_empty());
    assert_eq!(set.len(), 3);
    let ev = target("h", "x", Some(1), "t");
    assert_eq!(set.holding(&ev, t(11, 0)).map(|s| s.id), Some(4));
    assert_eq!(set.holding(&ev, t(13, 0)).map(|s| s.id), None);
}

#[test]
fn bad_silences_name_their_field() {
    let field = |s: Silence| compile(s).unwrap_err().0;
    assert_eq!(field(silence(1, Matchers::default())), "matchers");
    assert_eq!(
        field(silence(
            1,
            Matchers {
                hostname: Some("  ".into()),
                ..Matchers::default()
            }
        )),
        "matchers"
    );
    assert_eq!(
        field(silence(1, host("core-[", HostMatch::Glob))),
        "matchers.hostname"
    );
    assert_eq!(
        field(silence(1, host("(", HostMatch::Regex))),
        "matchers.hostname"
    );
    let mut backwards = silence(1, host("h", HostMatch::Exact));
    backwards.ends_at = t(9, 0);
    assert_eq!(field(backwards), "ends_at");
    let mut bad_zone = silence(1, host("h", HostMatch::Exact));
    bad_zone.schedule = Some(Schedule {
        time_zone: "Nowhere/City".into(),
        windows: vec![schedule::Window::parse("sun 02:00-04:00").unwrap()],
    });
    assert_eq!(field(bad_zone), "schedule");
    // A silence edited by hand into something that does not compile is left out, and said.
    let (set, skipped) = Set::new(vec![silence(5, host("(", HostMatch::Regex))]);
    assert!(set.is_empty());
    assert_eq!(skipped[0].0, 5);
    assert!(
        skipped[0].1.starts_with("matchers.hostname: "),
        "{skipped:?}"
    );
}

#[test]
fn silences_round_trip_as_json() {
    let mut s = silence(3, host("core-*", HostMatch::Glob));
    s.schedule = Some(Schedule {
        time_zone: "UTC".into(),
        windows: vec![schedule::Window::parse("sat,sun 01:00-05:00").unwrap()],
    });
    let text = serde_json::to_string(&s).unwrap();
    let back: Silence = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["matchers"],
        serde_json::json!({"hostname": "core-*", "hostname_match": "glob"})
    );
    assert_eq!(
        v["schedule"]["windows"][0],
        serde_json::json!({"days": "sat,sun", "start": "01:00", "end": "05:00"})
    );
}

#[test]
fn matchers_read_in_one_line() {
    let m = Matchers {
        hostname: Some("core-*".into()),
        hostname_match: HostMatch::Glob,
        rule_id: Some(3),
        team: Some("netops".into()),
        contains: Some("LINK".into()),
    };
    assert_eq!(
        m.summary(),
        r#"host~glob:core-* rule=3 team=netops contains="LINK""#
    );
    assert_eq!(host("h", HostMatch::Exact).summary(), "host=h");
    assert_eq!(host("^h", HostMatch::Regex).summary(), "host~/^h/");
}
