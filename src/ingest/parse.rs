//! Turning an ingest request body into validated, normalised events. Pure: no I/O.
//!
//! A body is one JSON object, a JSON array of objects, or NDJSON (rsyslog's omhttp batches, one
//! object per line). A batch is all or nothing: every problem in every item is collected so the
//! client learns all of them from one 400.

use crate::wire::event::{normalise_oid, parse_severity, stamp_event, Stamp, StampText};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Most problems listed in one 400 body; the count of all of them is always given.
pub const MAX_LISTED_PROBLEMS: usize = 1000;

/// What is wrong with one item (or, with no index, with the whole body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 0-based position of the item in the batch; `None` for the body as a whole.
    pub index: Option<usize>,
    /// The field at fault, if one is.
    pub field: Option<String>,
    /// The rule broken, in words.
    pub problem: String,
}

impl Problem {
    fn body(problem: impl Into<String>) -> Problem {
        Problem {
            index: None,
            field: None,
            problem: problem.into(),
        }
    }

    fn item(index: usize, field: Option<&str>, problem: impl Into<String>) -> Problem {
        Problem {
            index: Some(index),
            field: field.map(str::to_string),
            problem: problem.into(),
        }
    }
}

/// How a `Content-Type` says to read the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`, `application/*+json`, NDJSON types, `text/*`, or none: all are read
    /// the same way (object, array or NDJSON), since rsyslog labels NDJSON batches as JSON.
    Json,
}

/// The body kind for a `Content-Type` header, or `None` for a type mutt does not read (415).
pub fn body_kind(content_type: Option<&str>) -> Option<BodyKind> {
    let Some(ct) = content_type else {
        return Some(BodyKind::Json);
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ok = essence.is_empty()
        || essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
        || matches!(
            essence.as_str(),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" | "application/x-jsonlines"
        )
        || essence.starts_with("text/")
        // curl -d labels bodies this way by default; the body is still JSON, so read it as such.
        || essence == "application/x-www-form-urlencoded";
    ok.then_some(BodyKind::Json)
}

/// Parse a body into its items (not yet validated).
pub fn split_items(body: &[u8]) -> Result<Vec<Value>, Problem> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Problem::body("body is empty"));
    }
    let mut values = Vec::new();
    let stream = serde_json::Deserializer::from_slice(body).into_iter::<Value>();
    for value in stream {
        match value {
            Ok(v) => values.push(v),
            Err(e) => {
                let what = if e.is_eof() {
                    "unexpected end of JSON"
                } else {
                    "invalid JSON"
                };
                let item = if values.is_empty() {
                    String::new()
                } else {
                    format!(" (item {})", values.len())
                };
                return Err(Problem::body(format!(
                    "{what}{item} at line {} column {}",
                    e.line(),
                    e.column()
                )));
            }
        }
    }
    if values.len() == 1 {
        if let Value::Array(_) = values[0] {
            let Some(Value::Array(items)) = values.pop() else {
                unreachable!("checked above")
            };
            if items.is_empty() {
                return Err(Problem::body("the array holds no events"));
            }
            return Ok(items);
        }
    }
    Ok(values)
}

/// rsyslog escapes control characters as `#ooo` octal; LF and TAB are the ones that matter.
pub fn decode_rsyslog_escapes(text: &str) -> Option<String> {
    if !text.contains("#012") && !text.contains("#011") {
        return None;
    }
    Some(text.replace("#012", "\n").replace("#011", "\t"))
}

/// The trap OID named by the `snmpTrapOID.0` varbind of a trap rendered as text (snmptrapd's
/// syslog line or traphandle input), in any of net-snmp's spellings.
pub fn trap_oid_from_message(message: &str) -> Option<String> {
    const MARKERS: [&str; 3] = [
        "snmpTrapOID.0",
        "iso.3.6.1.6.3.1.1.4.1.0",
        "1.3.6.1.6.3.1.1.4.1.0",
    ];
    let at = MARKERS
        .iter()
        .filter_map(|m| message.find(m).map(|i| i + m.len()))
        .min()?;
    let rest = message[at..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let rest = rest.strip_prefix("OID:").unwrap_or(rest).trim_start();
    let value: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    (!value.is_empty()).then(|| normalise_oid(&value))
}

/// Validate and normalise one item in place; push every problem found.
pub fn check_item(
    index: usize,
    item: &mut Value,
    required: &[String],
    problems: &mut Vec<Problem>,
) {
    let Value::Object(map) = item else {
        problems.push(Problem::item(index, None, "must be a JSON object"));
        return;
    };
    for field in required {
        match map.get(field.as_str()) {
            None | Some(Value::Null) => {
                problems.push(Problem::item(index, Some(field), "is required"))
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                problems.push(Problem::item(index, Some(field), "must not be empty"))
            }
            Some(Value::String(_)) => {}
            Some(_) => problems.push(Problem::item(index, Some(field), "must be a string")),
        }
    }
    match map.get("syslog_severity") {
        Some(Value::Null) | None => {
            // rsyslog sends the severity as text in `severity`; the alerter matches on the number.
            if let Some(level) = map.get("severity").and_then(parse_severity) {
                map.insert("syslog_severity".into(), Value::from(level));
            }
        }
        Some(v) => match parse_severity(v) {
            Some(level) => {
                if !matches!(v, Value::Number(_)) {
                    map.insert("syslog_severity".into(), Value::from(level));
                }
            }
            None => problems.push(Problem::item(
                index,
                Some("syslog_severity"),
                "must be 0-7 or a syslog severity name (emerg, alert, crit, err, warning, notice, info, debug)",
            )),
        },
    }
    if let Some(Value::String(msg)) = map.get("message") {
        if let Some(decoded) = decode_rsyslog_escapes(msg) {
            map.insert("message".into(), Value::String(decoded));
        }
    }
    // rsyslog's payload carries traps only as text: name the trap so OID rules can match it.
    if map.get("trap_oid").is_none_or(Value::is_null) {
        if let Some(oid) = map
            .get("message")
            .and_then(Value::as_str)
            .and_then(trap_oid_from_message)
        {
            map.insert("trap_oid".into(), Value::String(oid));
        }
    }
}

/// Parse and validate a whole body. Either every item is good, or every problem is returned.
pub fn parse_events(
    body: &[u8],
    required: &[String],
) -> Result<Vec<Map<String, Value>>, Vec<Problem>> {
    let mut items = split_items(body).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    for (index, item) in items.iter_mut().enumerate() {
        check_item(index, item, required, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(items
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

/// The fields mutt adds; a client sending one of them takes the slow path, which overwrites it.
const STAMP_KEYS: [&str; 4] = [
    "_correlation_id",
    "_event_id",
    "_received_at",
    "_traceparent",
];

/// Parse, validate, normalise and stamp a whole body into queue messages. Either every item is
/// good, or every problem is returned.
///
/// Most events need no change besides the stamp, so they are not rebuilt: the item's own JSON
/// text is kept and the added fields are spliced in before its closing brace (which also keeps
/// the client's fields byte for byte). Anything unusual (escaped keys, duplicate keys, values to
/// rewrite, a problem to report) goes through the general path of [`check_item`].
pub fn prepare(
    body: &[u8],
    required: &[String],
    stamp: &Stamp<'_>,
) -> Result<Vec<String>, Vec<Problem>> {
    let raws = split_raw(body).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(raws.len());
    let stamp_text = StampText::new(stamp);
    for (index, raw) in raws.iter().enumerate() {
        if let Some(fast) = fast_item(raw, required, &stamp_text) {
            out.push(fast);
            continue;
        }
        let mut value: Value = match serde_json::from_str(raw.get()) {
            Ok(v) => v,
            Err(_) => {
                problems.push(Problem::item(index, None, "invalid JSON"));
                continue;
            }
        };
        let before = problems.len();
        check_item(index, &mut value, required, &mut problems);
        if problems.len() == before {
            if let Value::Object(map) = value {
                out.push(stamp_event(map, stamp));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The items of a body as raw JSON texts borrowed from it.
fn split_raw(body: &[u8]) -> Result<Vec<&RawValue>, Problem> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Problem::body("body is empty"));
    }
    let mut values: Vec<&RawValue> = Vec::new();
    for value in serde_json::Deserializer::from_slice(body).into_iter::<&RawValue>() {
        match value {
            Ok(v) => values.push(v),
            Err(e) => return Err(syntax_problem(&e, values.len())),
        }
    }
    if values.len() == 1 && values[0].get().starts_with('[') {
        let items: Vec<&RawValue> =
            serde_json::from_str(values[0].get()).map_err(|e| syntax_problem(&e, 0))?;
        if items.is_empty() {
            return Err(Problem::body("the array holds no events"));
        }
        return Ok(items);
    }
    Ok(values)
}

fn syntax_problem(e: &serde_json::Error, items_before: usize) -> Problem {
    let what = if e.is_eof() {
        "unexpected end of JSON"
    } else {
        "invalid JSON"
    };
    let item = if items_before == 0 {
        String::new()
    } else {
        format!(" (item {items_before})")
    };
    Problem::body(format!(
        "{what}{item} at line {} column {}",
        e.line(),
        e.column()
    ))
}

/// An object's top-level fields as raw texts, without building the values.
struct RawFields<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for RawFields<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = RawFields<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::new();
                // Keys with escapes cannot be borrowed; the caller then takes the general path.
                while let Some((k, v)) = map.next_entry::<&'de str, &'de RawValue>()? {
                    fields.push((k, v));
                }
                Ok(RawFields(fields))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// Whether an item may hold something the raw scan lets through but a full parse refuses: a
/// number beyond `f64` (an exponent, or a run of over 300 digits), a `\u` escape (a lone
/// surrogate is refused, and an escaped key can spell the next case), serde_json's private
/// `$serde_json::private::RawValue` key (a `Value` cannot hold it), or nesting near serde_json's
/// depth limit of 128. Such items take the general path, which parses them fully and reports
/// them; kept on the fast path they were accepted (200) and then dead-lettered by the alerter as
/// unparseable (all found by fuzzing). Conservative on purpose: a false alarm (an exponent-like
/// "1e5" or an escaped "é" in text) costs only speed.
fn needs_full_parse(text: &str) -> bool {
    if text.contains("\\u") || text.contains("$serde_json") {
        return true;
    }
    let b = text.as_bytes();
    let mut digits = 0usize;
    let mut opens = 0usize;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > 300 {
                return true;
            }
            continue;
        }
        match c {
            b'e' | b'E'
                if digits > 0 && matches!(b.get(i + 1), Some(b'0'..=b'9' | b'+' | b'-')) =>
            {
                return true
            }
            b'{' | b'[' => {
                opens += 1;
                if opens > 100 {
                    return true;
                }
            }
            _ => {}
        }
        digits = 0;
    }
    false
}

/// The stamped message for an item that needs no rewriting, or `None` for the general path.
fn fast_item(raw: &RawValue, required: &[String], stamp: &StampText) -> Option<String> {
    let text = raw.get();
    if !text.starts_with('{') || needs_full_parse(text) {
        return None;
    }
    let RawFields(fields) = serde_json::from_str(text).ok()?;
    for (i, (k, _)) in fields.iter().enumerate() {
        if fields[..i].iter().any(|(other, _)| other == k) {
            return None;
        }
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.get())
    };
    for field in required {
        let value: &str = serde_json::from_str(get(field)?).ok()?;
        if value.trim().is_empty() {
            return None;
        }
    }
    if STAMP_KEYS.iter().any(|k| get(k).is_some()) {
        return None;
    }
    let mut added = String::new();
    match get("syslog_severity") {
        Some(v) => {
            let level: u64 = serde_json::from_str(v).ok()?;
            if level > 7 {
                return None;
            }
        }
        None => {
            if let Some(sev) = get("severity") {
                let sev: Value = serde_json::from_str(sev).ok()?;
                if let Some(level) = parse_severity(&sev) {
                    added.push_str(&format!(",\"syslog_severity\":{level}"));
                }
            }
        }
    }
    let message = get("message");
    if message.is_some_and(|m| m.contains("#012") || m.contains("#011")) {
        return None;
    }
    match get("trap_oid") {
        Some("null") => return None,
        Some(_) => {}
        None => {
            let text: Option<String> = message.and_then(|m| serde_json::from_str(m).ok());
            if let Some(oid) = text.as_deref().and_then(trap_oid_from_message) {
                added.push_str(",\"trap_oid\":");
                added.push_str(&Value::String(oid).to_string());
            }
        }
    }
    let body = text[..text.len() - 1].trim_end();
    let mut out = String::with_capacity(text.len() + added.len() + stamp.len());
    out.push_str(body);
    let added = if fields.is_empty() {
        added.trim_start_matches(',')
    } else {
        added.as_str()
    };
    out.push_str(added);
    if !(fields.is_empty() && added.is_empty()) {
        out.push(',');
    }
    stamp.append_to(&mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req() -> Vec<String> {
        ["hostname", "message", "timestamp"]
            .map(String::from)
            .to_vec()
    }

    fn ok(body: &str) -> Vec<Map<String, Value>> {
        parse_events(body.as_bytes(), &req()).unwrap_or_else(|p| panic!("{body}: {p:?}"))
    }

    fn bad(body: &str) -> Vec<Problem> {
        parse_events(body.as_bytes(), &req()).expect_err(body)
    }

    const EV: &str = r#"{"hostname":"h","message":"m","timestamp":"2026-11-22T04:00:00Z"}"#;

    /// Both paths must refuse an item the alerter could not parse back (fuzz findings).
    fn refused_by_both_paths(extra: &str) {
        let body = format!(
            r#"{{"hostname":"h","message":"m","timestamp":"2026-11-22T04:00:00Z","x":{extra}}}"#
        );
        let stamp = Stamp {
            correlation_id: "c",
            received_at: "2026-11-22T04:00:00Z",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        let general = parse_events(body.as_bytes(), &req());
        assert!(general.is_err(), "general path accepted {body}");
        let problems = prepare(body.as_bytes(), &req(), &stamp).expect_err(&body);
        assert_eq!(problems[0].index, Some(0));
        assert_eq!(problems[0].problem, "invalid JSON");
    }

    #[test]
    fn fuzz_ingest_body_number_out_of_range_is_refused_on_the_fast_path() {
        refused_by_both_paths("1e400");
        refused_by_both_paths("-1.5E+999");
        refused_by_both_paths(&"9".repeat(400));
    }

    #[test]
    fn fuzz_ingest_body_lone_surrogate_is_refused_on_the_fast_path() {
        refused_by_both_paths(r#""\ud800""#);
        refused_by_both_paths(r#"["\uDFFF"]"#);
    }

    #[test]
    fn fuzz_ingest_body_serde_json_raw_value_key_is_refused_on_the_fast_path() {
        refused_by_both_paths(r#"{"$serde_json::private::RawValue":""}"#);
        refused_by_both_paths(r#"{"\u0024serde_json::private::RawValue":""}"#);
        let body =
            r#"{"$serde_json::private::RawValue":"","hostname":"h","message":"m","timestamp":"t"}"#;
        let stamp = Stamp {
            correlation_id: "c",
            received_at: "2026-11-22T04:00:00Z",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        assert!(prepare(body.as_bytes(), &req(), &stamp).is_err());
    }

    #[test]
    fn fuzz_ingest_body_nesting_past_the_depth_limit_is_refused_on_the_fast_path() {
        refused_by_both_paths(&format!("{}{}", "[".repeat(200), "]".repeat(200)));
    }

    #[test]
    fn items_that_only_look_risky_are_still_accepted() {
        // The pre-scan is conservative: these go the general path and are accepted there.
        let stamp = Stamp {
            correlation_id: "c",
            received_at: "2026-11-22T04:00:00Z",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        for extra in [
            r#""0x1e4f""#,
            "1.5e3",
            r#""caf\u00e9""#,
            r#""\ud83d\ude00""#,
            &"[".repeat(50),
        ] {
            let closing = "]".repeat(extra.matches('[').count());
            let body = format!(
                r#"{{"hostname":"h","message":"m","timestamp":"2026-11-22T04:00:00Z","x":{extra}{closing}}}"#
            );
            assert_eq!(ok(&body).len(), 1);
            assert_eq!(
                prepare(body.as_bytes(), &req(), &stamp).unwrap().len(),
                1,
                "{body}"
            );
        }
    }

    #[test]
    fn object_array_and_ndjson_bodies() {
        assert_eq!(ok(EV).len(), 1);
        assert_eq!(ok(&format!("[{EV},{EV},{EV}]")).len(), 3);
        assert_eq!(ok(&format!("{EV}\n{EV}\n")).len(), 2);
        assert_eq!(ok(&format!("  {EV}\r\n\r\n{EV}")).len(), 2);
    }

    #[test]
    fn body_level_problems() {
        for (body, want) in [
            ("", "body is empty"),
            ("   \n", "body is empty"),
            ("[]", "the array holds no events"),
            (
                "{\"hostname\":",
                "unexpected end of JSON at line 1 column 12",
            ),
            ("{bad}", "invalid JSON at line 1 column 2"),
            ("{\"a\":NaN}", "invalid JSON at line 1 column 6"),
        ] {
            assert_eq!(bad(body), vec![Problem::body(want)], "{body}");
        }
        let p = bad(&format!("{EV}\n{{oops"));
        assert_eq!(p[0].problem, "invalid JSON (item 1) at line 2 column 2");
    }

    #[test]
    fn item_problems_are_all_listed() {
        let body = format!(
            r#"[{EV}, 5, {{"hostname":"","message":7,"timestamp":null}}, {{"hostname":"h","message":"m","timestamp":"t","syslog_severity":9}}]"#
        );
        let p = bad(&body);
        let got: Vec<(Option<usize>, Option<&str>, &str)> = p
            .iter()
            .map(|p| (p.index, p.field.as_deref(), p.problem.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(1), None, "must be a JSON object"),
                (Some(2), Some("hostname"), "must not be empty"),
                (Some(2), Some("message"), "must be a string"),
                (Some(2), Some("timestamp"), "is required"),
                (
                    Some(3),
                    Some("syslog_severity"),
                    "must be 0-7 or a syslog severity name (emerg, alert, crit, err, warning, notice, info, debug)"
                ),
            ]
        );
        assert_eq!(bad("null")[0].problem, "must be a JSON object");
        assert_eq!(bad("[1]")[0].index, Some(0));
    }

    #[test]
    fn severities_are_numbers_numeric_strings_or_names() {
        for (given, want) in [
            (json!(0), 0),
            (json!(7), 7),
            (json!("3"), 3),
            (json!("err"), 3),
            (json!("WARNING"), 4),
            (json!("emerg"), 0),
            (json!("informational"), 6),
        ] {
            let mut v = json!({"hostname":"h","message":"m","timestamp":"t","syslog_severity": given.clone()});
            let mut p = Vec::new();
            check_item(0, &mut v, &req(), &mut p);
            assert!(p.is_empty(), "{given}");
            assert_eq!(v["syslog_severity"], json!(want), "{given}");
        }
        for given in [
            json!(8),
            json!(-1),
            json!(2.5),
            json!("loud"),
            json!(true),
            json!("8"),
        ] {
            let mut v = json!({"hostname":"h","message":"m","timestamp":"t","syslog_severity": given.clone()});
            let mut p = Vec::new();
            check_item(0, &mut v, &req(), &mut p);
            assert_eq!(p.len(), 1, "{given}");
        }
    }

    #[test]
    fn rsyslog_shape_is_normalised() {
        let line = r#"{"timestamp":"2026-11-22T04:24:26.452607Z","hostname":"sw1","severity":"err","facility":"local0","message":" 2026 trap#012.1.3.6.1.2.1.1.3.0 = x#011y","source":"snmp"}"#;
        let events = ok(&format!("{line}\n{line}"));
        assert_eq!(events[0]["syslog_severity"], json!(3));
        assert_eq!(
            events[0]["severity"],
            json!("err"),
            "the original field stays"
        );
        assert_eq!(
            events[0]["message"],
            json!(" 2026 trap\n.1.3.6.1.2.1.1.3.0 = x\ty")
        );
        // An unknown text severity is left alone rather than refused.
        let e = ok(r#"{"hostname":"h","message":"m","timestamp":"t","severity":"chatty"}"#);
        assert!(e[0].get("syslog_severity").is_none());
    }

    #[test]
    fn trap_oids_are_found_in_every_net_snmp_spelling() {
        for (message, want) in [
            ("x]:\n.1.3.6.1.2.1.1.3.0 = Timeticks: (5) 0:00\t.1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.6.3.1.1.5.3", Some("1.3.6.1.6.3.1.1.5.3")),
            ("iso.3.6.1.2.1.1.3.0 0:0:08:36.85\niso.3.6.1.6.3.1.1.4.1.0 iso.3.6.1.6.3.1.1.5.3\n", Some("1.3.6.1.6.3.1.1.5.3")),
            ("SNMPv2-MIB::snmpTrapOID.0 = OID: IF-MIB::linkDown", Some("IF-MIB::linkDown")),
            ("%LINK-3-UPDOWN: Interface Gi0/1, changed state to down", None),
            ("snmpTrapOID.0 = OID: ", None),
        ] {
            assert_eq!(trap_oid_from_message(message).as_deref(), want, "{message}");
        }
        assert_eq!(normalise_oid(".1.3.6.1.4.1.9"), "1.3.6.1.4.1.9");
        assert_eq!(normalise_oid("iso.3.6.1"), "1.3.6.1");
        let e = ok(
            r#"{"hostname":"h","message":"a snmpTrapOID.0 = OID: .1.3.6.1.6.3.1.1.5.4","timestamp":"t"}"#,
        );
        assert_eq!(e[0]["trap_oid"], json!("1.3.6.1.6.3.1.1.5.4"));
        let e = ok(
            r#"{"hostname":"h","message":"a snmpTrapOID.0 = OID: .1.3.6.1.6.3.1.1.5.4","timestamp":"t","trap_oid":"9.9"}"#,
        );
        assert_eq!(e[0]["trap_oid"], json!("9.9"), "a client's trap_oid wins");
    }

    #[test]
    fn stamping_keeps_fields_and_order() {
        let mut events = ok(
            r#"{"zeta":1,"hostname":"h","message":"m","timestamp":"t","_correlation_id":"client"}"#,
        );
        let text = stamp_event(
            events.remove(0),
            &Stamp {
                correlation_id: "cid-1",
                received_at: "2026-11-22T04:00:00.000Z",
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            },
        );
        let v: Map<String, Value> = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> = v.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "zeta",
                "hostname",
                "message",
                "timestamp",
                "_correlation_id",
                "_event_id",
                "_received_at",
                "_traceparent"
            ]
        );
        assert_eq!(v["_correlation_id"], "cid-1");
        assert_eq!(
            v["_traceparent"],
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        );
        assert_eq!(v["_event_id"].as_str().unwrap().len(), 36);
    }

    fn prepared(body: &str) -> Vec<Value> {
        let stamp = Stamp {
            correlation_id: "cid",
            received_at: "2026-11-22T04:00:00.000Z",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        prepare(body.as_bytes(), &req(), &stamp)
            .unwrap_or_else(|p| panic!("{body}: {p:?}"))
            .iter()
            .map(|s| serde_json::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}")))
            .collect()
    }

    fn without_event_id(mut v: Value) -> Value {
        v.as_object_mut().unwrap().remove("_event_id");
        v
    }

    #[test]
    fn the_fast_path_and_the_general_path_agree() {
        let bodies = [
            EV.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","syslog_severity":3,"n":1.50,"deep":{"a":[1,{"b":null}]}}"#.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","severity":"warning"}"#.to_string(),
            r#"{"hostname":"h","message":"x snmpTrapOID.0 = OID: iso.3.6.1.6.3.1.1.5.3","timestamp":"t"}"#.to_string(),
            r#"{"hostname":"h","message":"decode#012me","timestamp":"t","severity":"err"}"#.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","syslog_severity":"crit"}"#.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","_correlation_id":"client","_event_id":"x"}"#.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","trap_oid":null}"#.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","_traceparent":"client"}"#.to_string(),
            r#"{"host\u006eame":"h","message":"m","timestamp":"t"}"#.to_string(),
            r#"{"hostname":"h\u00e9","message":"é \"quoted\"","timestamp":"t"}"#.to_string(),
            r#"{"hostname":"h","message":"m","timestamp":"t","dup":1,"dup":2}"#.to_string(),
        ];
        for body in &bodies {
            let fast = prepared(body);
            let mut slow_events = parse_events(body.as_bytes(), &req()).unwrap();
            let slow: Value = serde_json::from_str(&stamp_event(
                slow_events.remove(0),
                &Stamp {
                    correlation_id: "cid",
                    received_at: "2026-11-22T04:00:00.000Z",
                    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                },
            ))
            .unwrap();
            assert_eq!(
                without_event_id(fast[0].clone()),
                without_event_id(slow),
                "{body}"
            );
            assert_eq!(fast[0]["_event_id"].as_str().unwrap().len(), 36);
        }
        // The client's own text is kept as sent on the fast path (e.g. number spelling).
        let stamp = Stamp {
            correlation_id: "c",
            received_at: "r",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        let out = prepare(
            br#"{"hostname":"h","message":"m","timestamp":"t","n":1.50}"#,
            &req(),
            &stamp,
        )
        .unwrap();
        assert!(out[0].starts_with(r#"{"hostname":"h","message":"m","timestamp":"t","n":1.50,"_correlation_id":"c","_event_id":""#), "{}", out[0]);
        for (body, want) in [
            ("{}", r#"{"_correlation_id":"c""#),
            (
                r#"{"severity":"err"}"#,
                r#"{"severity":"err","syslog_severity":3,"_correlation_id":"c""#,
            ),
        ] {
            let out = prepare(body.as_bytes(), &[], &stamp).unwrap();
            assert!(out[0].starts_with(want), "{}", out[0]);
            assert!(serde_json::from_str::<Value>(&out[0]).is_ok(), "{}", out[0]);
        }
        let batch = prepared(&format!("[{EV},{EV}]"));
        assert_eq!(batch.len(), 2);
        assert_ne!(batch[0]["_event_id"], batch[1]["_event_id"]);
    }

    #[test]
    fn prepare_reports_the_same_problems_as_parse_events() {
        let stamp = Stamp {
            correlation_id: "c",
            received_at: "r",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        for body in [
            "",
            "[]",
            "{\"hostname\":",
            "[1,{\"hostname\":\"\"}]",
            "{\"hostname\":\"h\",\"message\":\"m\",\"timestamp\":\"t\",\"syslog_severity\":9}",
            "null",
        ] {
            assert_eq!(
                prepare(body.as_bytes(), &req(), &stamp).unwrap_err(),
                parse_events(body.as_bytes(), &req()).unwrap_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn content_types() {
        for ct in [
            None,
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("application/x-ndjson"),
            Some("application/vnd.mutt+json"),
            Some("text/plain"),
        ] {
            assert_eq!(body_kind(ct), Some(BodyKind::Json), "{ct:?}");
        }
        assert_eq!(
            body_kind(Some("application/x-www-form-urlencoded")),
            Some(BodyKind::Json)
        );
        for ct in ["application/xml", "multipart/form-data", "image/png"] {
            assert_eq!(body_kind(Some(ct)), None, "{ct}");
        }
    }
}
