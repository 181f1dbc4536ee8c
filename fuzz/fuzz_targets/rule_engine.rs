//! Arbitrary rules (match strings, regexes, OIDs, severities, priorities, handlings) and
//! arbitrary events through `Snapshot::new`, `decide` and `explain`.
//!
//! Besides "no panic", it checks that `explain` reaches the same verdict as `decide`, that the
//! rule it names as matched is the last one it tried, and that every rule is either in use or
//! reported as skipped.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mutt::rules::{
    is_forward, normalise_oid, oid_under, parse_severity, Decision, EventView, MatchType, Rule,
    Snapshot,
};

const HANDLINGS: [&str; 5] = ["Page_and_ticket", "page_only", "ticket_only", "Ignore", " "];
const HOSTS: [&str; 4] = ["core-rtr-01", "CORE-RTR-01", "dev-sw-9", ""];

fn text(u: &mut Unstructured<'_>) -> Result<String> {
    // Half the time a short string from a realistic alphabet, so OIDs and regexes line up.
    if u.arbitrary::<bool>()? {
        let len = u.int_in_range(0..=24)?;
        let alphabet = b"1.36*iso.ab|()[]^$?+{}\\ LINKDOWNlinkdown\xc3\xa9";
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            bytes.push(*u.choose(alphabet)?);
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        u.arbitrary()
    }
}

fn opt_text(u: &mut Unstructured<'_>) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

fn handling(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 4)? {
        u.arbitrary()
    } else {
        Ok(u.choose(&HANDLINGS)?.to_string())
    }
}

fn host(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 4)? {
        u.arbitrary()
    } else {
        Ok(u.choose(&HOSTS)?.to_string())
    }
}

fn rule(u: &mut Unstructured<'_>) -> Result<Rule> {
    Ok(Rule {
        id: u.int_in_range(-3..=20)?,
        match_string: opt_text(u)?,
        trap_oid: opt_text(u)?,
        syslog_severity: if u.arbitrary()? {
            Some(u.int_in_range(-2..=9)?)
        } else {
            None
        },
        match_type: *u.choose(&[MatchType::Contains, MatchType::Regex, MatchType::OidPrefix])?,
        priority: u.arbitrary()?,
        prod_handling: handling(u)?,
        dev_handling: handling(u)?,
        team_assignment: u.arbitrary()?,
    })
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let n = u.int_in_range(0..=6)?;
    let rules = (0..n).map(|_| rule(u)).collect::<Result<Vec<_>>>()?;
    let dev_hosts = (0..u.int_in_range(0..=2)?)
        .map(|_| host(u))
        .collect::<Result<Vec<_>>>()?;
    let teams = (0..u.int_in_range(0..=2)?)
        .map(|_| Ok((host(u)?, u.arbitrary::<String>()?)))
        .collect::<Result<Vec<_>>>()?;
    let default_team: String = u.arbitrary()?;
    let snapshot = Snapshot::new(rules, dev_hosts, teams, &default_team);
    assert_eq!(
        snapshot.rule_count() + snapshot.skipped().len(),
        n,
        "a rule was neither used nor reported as skipped"
    );
    for _ in 0..u.int_in_range(1..=4)? {
        let hostname = host(u)?;
        let message = opt_text(u)?;
        let trap_oid = opt_text(u)?;
        let severity = if u.arbitrary()? {
            Some(u.int_in_range(0..=9)?)
        } else {
            None
        };
        let event = EventView {
            hostname: &hostname,
            message: message.as_deref(),
            trap_oid: trap_oid.as_deref(),
            syslog_severity: severity,
        };
        let decision = snapshot.decide(&event);
        let explanation = snapshot.explain(&event);
        assert_eq!(
            decision, explanation.decision,
            "explain and decide disagree"
        );
        match &decision {
            Decision::Matched {
                rule_id,
                handling,
                forward,
                ..
            } => {
                let last = explanation.tried.last().expect("a match was tried");
                assert!(last.matched && last.rule_id == *rule_id);
                assert_eq!(*forward, is_forward(handling));
            }
            Decision::Unhandled { .. } => {
                assert!(explanation.tried.iter().all(|t| !t.matched));
            }
        }
    }
    // The OID and severity helpers on their own.
    let a = text(u)?;
    let b = text(u)?;
    let (na, nb) = (normalise_oid(&a), normalise_oid(&b));
    assert_eq!(normalise_oid(&na), na, "normalise_oid is not idempotent");
    let _ = oid_under(&na, &nb);
    let _ = parse_severity(&serde_json::Value::String(a));
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
