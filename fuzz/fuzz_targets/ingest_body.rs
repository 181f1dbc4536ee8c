//! The ingest body parser and validator with arbitrary bytes and content types.
//!
//! Input layout: one byte picks a `Content-Type` (or, past the list, the next line is used as
//! one); one byte picks the required-field list; the rest is the body. Besides "no panic", it
//! checks that the fast path (`prepare`) and the general path (`parse_events`) agree on whether
//! a body is good and how many events it holds, and that every queued message is a JSON object
//! with the three stamped fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutt::ingest::parse;

const TYPES: [Option<&str>; 8] = [
    None,
    Some("application/json"),
    Some("application/x-ndjson; charset=utf-8"),
    Some("text/plain"),
    Some("application/vnd.mutt+json"),
    Some("application/x-www-form-urlencoded"),
    Some("image/png"),
    Some(""),
];

fuzz_target!(|data: &[u8]| {
    let (Some(&ct_pick), Some(&req_pick)) = (data.first(), data.get(1)) else {
        return;
    };
    let mut body = &data[2..];
    let owned_ct;
    let ct = match TYPES.get(ct_pick as usize) {
        Some(t) => *t,
        None => {
            let end = body.iter().position(|b| *b == b'\n').unwrap_or(body.len());
            owned_ct = String::from_utf8_lossy(&body[..end]).into_owned();
            body = &body[(end + 1).min(body.len())..];
            Some(owned_ct.as_str())
        }
    };
    if parse::body_kind(ct).is_none() {
        return; // 415: the body is never read.
    }
    let required: Vec<String> = match req_pick % 3 {
        0 => vec![],
        1 => vec!["hostname".into()],
        _ => vec!["hostname".into(), "message".into()],
    };
    let stamp = parse::Stamp {
        correlation_id: "fuzz-correlation",
        received_at: "2026-01-01T00:00:00Z",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    };
    let general = parse::parse_events(body, &required);
    let fast = parse::prepare(body, &required, &stamp);
    match (&general, &fast) {
        (Ok(events), Ok(messages)) => {
            assert_eq!(
                events.len(),
                messages.len(),
                "paths disagree on the event count"
            );
            for m in messages {
                let v: serde_json::Value =
                    serde_json::from_str(m).expect("a queued message is JSON");
                let o = v.as_object().expect("a queued message is an object");
                for k in [
                    "_correlation_id",
                    "_event_id",
                    "_received_at",
                    "_traceparent",
                ] {
                    assert!(o.contains_key(k), "queued message lacks {k}");
                }
            }
        }
        (Err(a), Err(b)) => {
            assert!(!a.is_empty() && !b.is_empty(), "an error lists no problem");
        }
        _ => panic!(
            "fast and general paths disagree: general {:?}, fast {:?}",
            general.as_ref().map(Vec::len),
            fast.as_ref().map(Vec::len)
        ),
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = parse::decode_rsyslog_escapes(text);
        let _ = parse::trap_oid_from_message(text);
        let _ = parse::normalise_oid(text);
    }
});
