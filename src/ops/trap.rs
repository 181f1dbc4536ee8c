//! `mutt trap-handler`: snmptrapd's `traphandle` program. It reads one trap from stdin, turns it
//! into an ingest event and POSTs it to `mutt ingest serve`.
//!
//! snmptrapd writes the trap as text: line 1 the sending host (`<UNKNOWN>` when it cannot be
//! named), line 2 the transport address (`UDP: [10.0.0.1]:51234->[10.0.0.2]:162`), then one
//! `OID value` line per varbind. How OIDs are spelled depends on snmptrapd's flags and installed
//! MIBs (`.1.3.6…`, `iso.3.6…`, `SNMPv2-MIB::snmpTrapOID.0`, `SNMPv2-SMI::enterprises.9…`), so
//! parsing normalises every spelling it can to dotted numeric: rules match on numbers.
//!
//! Parsing is pure ([`parse`], [`Trap::event`]); [`send`] does the HTTP. snmptrapd runs the
//! handler synchronously and waits for it, so retries are few and short.

use crate::backoff::Backoff;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Numeric OID of the `snmpTrapOID.0` varbind (SNMPv2-MIB).
pub const SNMP_TRAP_OID: &str = "1.3.6.1.6.3.1.1.4.1.0";

/// The `source` field of events made by the trap handler.
pub const SOURCE: &str = "snmptrap";

/// What snmptrapd prints on line 1 when it has no name or address for the sender.
const UNKNOWN_HOST: &str = "<UNKNOWN>";

/// Roots of the SMI tree (SNMPv2-SMI) and the well-known names of SNMPv2-MIB, IF-MIB and
/// DISMAN-EVENT-MIB that appear in nearly every trap: snmptrapd prints these symbolically when the
/// Debian `snmp-mibs-downloader` MIBs are installed, and the numeric form is what rules use.
const KNOWN_NAMES: &[(&str, &str)] = &[
    ("internet", "1.3.6.1"),
    ("directory", "1.3.6.1.1"),
    ("mgmt", "1.3.6.1.2"),
    ("mib-2", "1.3.6.1.2.1"),
    ("transmission", "1.3.6.1.2.1.10"),
    ("experimental", "1.3.6.1.3"),
    ("private", "1.3.6.1.4"),
    ("enterprises", "1.3.6.1.4.1"),
    ("security", "1.3.6.1.5"),
    ("snmpV2", "1.3.6.1.6"),
    ("snmpDomains", "1.3.6.1.6.1"),
    ("snmpProxys", "1.3.6.1.6.2"),
    ("snmpModules", "1.3.6.1.6.3"),
    ("zeroDotZero", "0.0"),
    ("sysUpTime", "1.3.6.1.2.1.1.3"),
    ("sysUpTimeInstance", "1.3.6.1.2.1.1.3.0"),
    ("snmpTrapOID", "1.3.6.1.6.3.1.1.4.1"),
    ("snmpTrapEnterprise", "1.3.6.1.6.3.1.1.4.3"),
    ("snmpTrapAddress", "1.3.6.1.6.3.18.1.3"),
    ("snmpTrapCommunity", "1.3.6.1.6.3.18.1.4"),
    ("coldStart", "1.3.6.1.6.3.1.1.5.1"),
    ("warmStart", "1.3.6.1.6.3.1.1.5.2"),
    ("linkDown", "1.3.6.1.6.3.1.1.5.3"),
    ("linkUp", "1.3.6.1.6.3.1.1.5.4"),
    ("authenticationFailure", "1.3.6.1.6.3.1.1.5.5"),
    ("ifIndex", "1.3.6.1.2.1.2.2.1.1"),
    ("ifDescr", "1.3.6.1.2.1.2.2.1.2"),
    ("ifAdminStatus", "1.3.6.1.2.1.2.2.1.7"),
    ("ifOperStatus", "1.3.6.1.2.1.2.2.1.8"),
];

/// One trap as snmptrapd handed it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    /// Line 1: the sender's name or address as snmptrapd resolved it.
    pub host: String,
    /// Line 2: the transport address, e.g. `UDP: [10.0.0.1]:51234->[10.0.0.2]:162`.
    pub transport: String,
    /// The varbinds in order, OIDs (and OID values) normalised where possible.
    pub varbinds: Vec<Varbind>,
}

/// One `OID value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Varbind {
    /// The OID, dotted numeric when it could be normalised, else as printed.
    pub oid: String,
    /// The value as printed (an OID value normalised like `oid`).
    pub value: String,
}

/// Why a traphandle input is not a trap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing on stdin.
    #[error("empty input: expected snmptrapd's traphandle format on stdin (host, transport, then OID value lines)")]
    Empty,
    /// No transport line.
    #[error("input ends after line 1: expected the transport address on line 2")]
    NoTransport,
}

/// Parse snmptrapd's traphandle input.
pub fn parse(input: &str) -> Result<Trap, ParseError> {
    let mut lines = input.lines().map(|l| l.trim_end_matches('\r'));
    let host = match lines.next() {
        Some(h) => h.trim().to_string(),
        None => return Err(ParseError::Empty),
    };
    if host.is_empty() && input.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let transport = lines
        .next()
        .ok_or(ParseError::NoTransport)?
        .trim()
        .to_string();
    let mut varbinds: Vec<Varbind> = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let (first, rest) = match trimmed.split_once(char::is_whitespace) {
            Some((f, r)) => (f, r.trim()),
            None => (trimmed, ""),
        };
        match (looks_like_oid(first), varbinds.last_mut()) {
            // A string value with an embedded newline continues on the next line.
            (false, Some(last)) => {
                last.value.push(' ');
                last.value.push_str(trimmed);
            }
            _ => varbinds.push(Varbind {
                oid: normalise_oid(first),
                value: normalise_value(rest),
            }),
        }
    }
    Ok(Trap {
        host,
        transport,
        varbinds,
    })
}

/// Whether a token is an OID in one of net-snmp's spellings (not the middle of a string value).
fn looks_like_oid(token: &str) -> bool {
    let t = token.strip_prefix('.').unwrap_or(token);
    if t.starts_with("iso.") || t == "iso" {
        return true;
    }
    if t.contains("::") {
        return t.split("::").next().is_some_and(|m| {
            !m.is_empty()
                && m.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    }
    t.contains('.') && t.chars().all(|c| c.is_ascii_digit() || c == '.') && !t.starts_with('.')
}

/// An OID in dotted numeric form when possible: leading dot dropped, `iso` → `1`, a known
/// `MODULE::name[.suffix]` expanded; anything else is returned as printed.
pub fn normalise_oid(oid: &str) -> String {
    let oid = oid.trim();
    let oid = oid.strip_prefix("OID:").map(str::trim).unwrap_or(oid);
    if let Some((_, name)) = oid.split_once("::") {
        let (head, suffix) = match name.split_once('.') {
            Some((h, s)) => (h, Some(s)),
            None => (name, None),
        };
        let known = KNOWN_NAMES.iter().find(|(n, _)| *n == head);
        return match (known, suffix) {
            (Some((_, num)), Some(s)) if is_numeric(s) => format!("{num}.{s}"),
            (Some((_, num)), None) => num.to_string(),
            _ => oid.to_string(),
        };
    }
    let numeric = crate::wire::event::normalise_oid(oid);
    if is_numeric(&numeric) {
        numeric
    } else {
        oid.to_string()
    }
}

fn is_numeric(dotted: &str) -> bool {
    !dotted.is_empty()
        && dotted
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A value normalised when it is an OID (`OID: ` type prefix dropped); other values unchanged.
fn normalise_value(value: &str) -> String {
    let bare = value.strip_prefix("OID:").map(str::trim).unwrap_or(value);
    if !bare.contains(char::is_whitespace) && looks_like_oid(bare) {
        normalise_oid(bare)
    } else {
        value.to_string()
    }
}

/// The sender's IP address from a transport line (`UDP: [10.0.0.1]:51234->[…]:162`,
/// `UDP/IPv6: [::1]:…`, `TCP: [10.0.0.1]:…`, or the bare address older net-snmp printed).
pub fn transport_address(transport: &str) -> Option<String> {
    let t = transport.trim();
    if let Some(open) = t.find('[') {
        let close = t[open..].find(']')? + open;
        let addr = t[open + 1..close].trim();
        return (!addr.is_empty()).then(|| addr.to_string());
    }
    let rest = t.split_once(": ").map(|(_, r)| r).unwrap_or(t);
    let rest = rest.split("->").next().unwrap_or(rest).trim();
    // `10.0.0.1:51234` or a bare `10.0.0.1`; IPv6 without brackets is not printed by net-snmp.
    let addr = match rest.rsplit_once(':') {
        Some((a, port)) if port.bytes().all(|b| b.is_ascii_digit()) => a,
        _ => rest,
    };
    let ok = addr.parse::<std::net::IpAddr>().is_ok();
    ok.then(|| addr.to_string())
}

impl Trap {
    /// The device the trap is about: line 1, or the address from line 2 when line 1 is empty or
    /// `<UNKNOWN>`. With `-n` (no name lookups) snmptrapd repeats the transport on line 1; its
    /// address is used then.
    pub fn hostname(&self) -> Option<String> {
        let host = self.host.trim();
        if host.is_empty() || host == UNKNOWN_HOST {
            return transport_address(&self.transport);
        }
        if host.contains('[') || host.contains("->") {
            return transport_address(host).or_else(|| transport_address(&self.transport));
        }
        Some(host.to_string())
    }

    /// The trap's OID: the value of the `snmpTrapOID.0` varbind.
    pub fn trap_oid(&self) -> Option<&str> {
        self.varbinds
            .iter()
            .find(|v| v.oid == SNMP_TRAP_OID || v.oid.ends_with("::snmpTrapOID.0"))
            .map(|v| v.value.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The varbinds as one line: `OID = value` joined by `; ` (the alerter's text rules read it).
    pub fn message(&self) -> String {
        self.varbinds
            .iter()
            .map(|v| format!("{} = {}", v.oid, v.value))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The ingest event for this trap, stamped `timestamp` (RFC 3339).
    pub fn event(&self, timestamp: &str) -> Value {
        let mut ev = Map::new();
        let source_ip = transport_address(&self.transport);
        let hostname = self.hostname().unwrap_or_else(|| UNKNOWN_HOST.to_string());
        ev.insert("hostname".into(), Value::String(hostname));
        let message = self.message();
        // The ingest requires a non-empty message; a trap without varbinds still happened.
        let message = if message.is_empty() {
            format!("SNMP trap without varbinds via {}", self.transport)
        } else {
            message
        };
        ev.insert("message".into(), Value::String(message));
        ev.insert("timestamp".into(), Value::String(timestamp.to_string()));
        if let Some(oid) = self.trap_oid() {
            ev.insert("trap_oid".into(), Value::String(oid.to_string()));
        }
        ev.insert("source".into(), Value::String(SOURCE.into()));
        if let Some(ip) = source_ip {
            ev.insert("source_ip".into(), Value::String(ip));
        }
        ev.insert("transport".into(), Value::String(self.transport.clone()));
        let varbinds: Vec<Value> = self
            .varbinds
            .iter()
            .map(|v| json!({"oid": v.oid, "value": v.value}))
            .collect();
        ev.insert("varbinds".into(), Value::Array(varbinds));
        Value::Object(ev)
    }
}

/// Where and how to POST events.
#[derive(Debug, Clone)]
pub struct SendConfig {
    /// Full ingest URL (`…/api/v2/ingest`).
    pub url: String,
    /// API keys to try in order (CURRENT, NEXT): a 401 moves on to the next one.
    pub keys: Vec<String>,
    /// Connect and whole-request timeout of one attempt.
    pub timeout: Duration,
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// Backoff between attempts.
    pub retry_base: Duration,
    /// Longest wait between attempts.
    pub retry_max: Duration,
    /// TLS roots for an HTTPS ingest with a private CA; `None`: ureq's defaults.
    pub tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

/// Why an event was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// No API key configured.
    #[error("no ingest API key: set INGEST_API_KEY or INGEST_API_KEY_FILE")]
    NoKey,
    /// The ingest refused the event for good (4xx other than 408/429).
    #[error("ingest at {url} rejected the trap: HTTP {status}: {body}")]
    Rejected {
        /// URL posted to.
        url: String,
        /// Status code.
        status: u16,
        /// Start of the answer body.
        body: String,
    },
    /// Every attempt failed with a transient error.
    #[error("ingest at {url} unreachable after {attempts} attempt(s): {last}")]
    Exhausted {
        /// URL posted to.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        last: String,
    },
}

/// Longest answer body quoted in an error (an HTML error page would drown the log line).
const MAX_QUOTED_BODY: usize = 300;

/// POST `event` to the ingest, retrying transient failures; returns the final status code.
pub fn send(event: &Value, cfg: &SendConfig) -> Result<u16, SendError> {
    if cfg.keys.is_empty() {
        return Err(SendError::NoKey);
    }
    let mut agent = ureq::AgentBuilder::new()
        .timeout_connect(cfg.timeout)
        .timeout(cfg.timeout)
        .user_agent(concat!("mutt-trap-handler/", env!("CARGO_PKG_VERSION")));
    if let Some(tls) = &cfg.tls {
        agent = agent.tls_config(std::sync::Arc::clone(tls));
    }
    let agent = agent.build();
    let body = event.to_string();
    let mut backoff = Backoff::new(cfg.retry_base, cfg.retry_max);
    let mut key_index = 0;
    let mut last = String::new();
    let attempts = cfg.attempts.max(1);
    let mut made = 0;
    while made < attempts {
        made += 1;
        let result = agent
            .post(&cfg.url)
            .set("Content-Type", "application/json")
            .set("X-API-KEY", &cfg.keys[key_index])
            .send_string(&body);
        match result {
            Ok(resp) => return Ok(resp.status()),
            Err(ureq::Error::Status(401, _)) if key_index + 1 < cfg.keys.len() => {
                // A key rotation in progress: the next key is tried at once, not counted.
                key_index += 1;
                made -= 1;
                continue;
            }
            Err(ureq::Error::Status(code, resp)) if !is_transient(code) => {
                let mut text = resp.into_string().unwrap_or_default();
                truncate(&mut text, MAX_QUOTED_BODY);
                return Err(SendError::Rejected {
                    url: cfg.url.clone(),
                    status: code,
                    body: text.trim().to_string(),
                });
            }
            Err(ureq::Error::Status(code, _)) => last = format!("HTTP {code}"),
            Err(ureq::Error::Transport(t)) => last = t.to_string(),
        }
        if made < attempts {
            std::thread::sleep(backoff.next_delay());
        }
    }
    Err(SendError::Exhausted {
        url: cfg.url.clone(),
        attempts: made,
        last,
    })
}

/// Statuses worth another try: timeouts, rate limits, and server-side trouble (queue full,
/// Redis down, a restarting ingest behind a proxy).
fn is_transient(code: u16) -> bool {
    code == 408 || code == 429 || code >= 500
}

fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
}

/// Log one line to the local syslog (facility daemon, tag `mutt-trap-handler`): snmptrapd
/// discards its handlers' stderr unless run in the foreground, so syslog is where operators look.
pub fn syslog_error(message: &str) {
    use std::ffi::CString;
    // syslog(3) keeps the ident pointer, so it must live for the whole process.
    static IDENT: &std::ffi::CStr = c"mutt-trap-handler";
    let Ok(text) = CString::new(message.replace('\0', " ")) else {
        return;
    };
    // SAFETY: IDENT is a 'static NUL-terminated string; the format is a literal "%s" with one
    // NUL-terminated argument, so syslog reads nothing beyond it.
    unsafe {
        libc::openlog(IDENT.as_ptr(), libc::LOG_PID, libc::LOG_DAEMON);
        libc::syslog(libc::LOG_ERR, c"%s".as_ptr(), text.as_ptr());
        libc::closelog();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// snmptrapd 5.9 on Debian without MIBs (the default): `iso.` spellings, real v2c trap.
    const V2C_ISO: &str = "localhost\nUDP: [127.0.0.1]:47299->[127.0.0.1]:47162\n\
        iso.3.6.1.2.1.1.3.0 0:0:08:36.85\n\
        iso.3.6.1.6.3.1.1.4.1.0 iso.3.6.1.6.3.1.1.5.3\n\
        iso.3.6.1.2.1.2.2.1.1.2 2\n\
        iso.3.6.1.2.1.2.2.1.2.2 \"Gi0/2\"\n";

    /// With MIBs loaded: symbolic names.
    const V2C_MIBS: &str = "sw1.example.net\nUDP: [10.1.2.3]:161->[10.0.0.5]:162\n\
        DISMAN-EVENT-MIB::sysUpTimeInstance 1:2:03:04.05\n\
        SNMPv2-MIB::snmpTrapOID.0 IF-MIB::linkUp\n\
        IF-MIB::ifIndex.7 7\n\
        IF-MIB::ifOperStatus.7 up\n";

    /// `-On` (numeric, leading dot) and an unresolved sender.
    const V2C_NUMERIC_UNKNOWN: &str = "<UNKNOWN>\nUDP: [192.0.2.10]:50000->[192.0.2.1]:162\n\
        .1.3.6.1.2.1.1.3.0 0:0:00:01.00\n\
        .1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.9.9.41.2.0.1\n";

    /// v1 trap: snmptrapd converts it (RFC 3584) and appends snmpTrapAddress/Community/Enterprise.
    const V1_SMI: &str = "rtr1\nUDP: [198.51.100.7]:1024->[198.51.100.1]:162\n\
        iso.3.6.1.2.1.1.3.0 0:0:00:05.00\n\
        iso.3.6.1.6.3.1.1.4.1.0 SNMPv2-SMI::enterprises.9.0.1\n\
        SNMPv2-SMI::enterprises.9.9.1 \"line one\n\
        line two\"\n\
        iso.3.6.1.6.3.18.1.3.0 198.51.100.7\n\
        iso.3.6.1.6.3.18.1.4.0 \"public\"\n\
        iso.3.6.1.6.3.1.1.4.3.0 iso.3.6.1.4.1.9\n";

    #[test]
    fn v2c_trap_without_mibs() {
        let t = parse(V2C_ISO).unwrap();
        assert_eq!(t.hostname().as_deref(), Some("localhost"));
        assert_eq!(t.trap_oid(), Some("1.3.6.1.6.3.1.1.5.3"));
        assert_eq!(t.varbinds.len(), 4);
        assert_eq!(t.varbinds[3].oid, "1.3.6.1.2.1.2.2.1.2.2");
        assert_eq!(t.varbinds[3].value, "\"Gi0/2\"");
        assert_eq!(
            t.message(),
            "1.3.6.1.2.1.1.3.0 = 0:0:08:36.85; 1.3.6.1.6.3.1.1.4.1.0 = 1.3.6.1.6.3.1.1.5.3; \
             1.3.6.1.2.1.2.2.1.1.2 = 2; 1.3.6.1.2.1.2.2.1.2.2 = \"Gi0/2\""
        );
    }

    #[test]
    fn symbolic_names_become_numeric_where_known() {
        let t = parse(V2C_MIBS).unwrap();
        assert_eq!(t.trap_oid(), Some("1.3.6.1.6.3.1.1.5.4"));
        assert_eq!(t.varbinds[0].oid, "1.3.6.1.2.1.1.3.0");
        assert_eq!(t.varbinds[2].oid, "1.3.6.1.2.1.2.2.1.1.7");
        assert_eq!(t.varbinds[3].value, "up");
        assert_eq!(normalise_oid("FOO-MIB::fooAlarm"), "FOO-MIB::fooAlarm");
        assert_eq!(
            normalise_oid("SNMPv2-SMI::enterprises.9.9.41.2.0.1"),
            "1.3.6.1.4.1.9.9.41.2.0.1"
        );
        assert_eq!(normalise_oid("OID: .1.3.6.1"), "1.3.6.1");
    }

    #[test]
    fn unknown_sender_falls_back_to_transport_address() {
        let t = parse(V2C_NUMERIC_UNKNOWN).unwrap();
        assert_eq!(t.hostname().as_deref(), Some("192.0.2.10"));
        assert_eq!(t.trap_oid(), Some("1.3.6.1.4.1.9.9.41.2.0.1"));
        let empty_host = parse("\nUDP: [192.0.2.11]:50000->[192.0.2.1]:162\n").unwrap();
        assert_eq!(empty_host.hostname().as_deref(), Some("192.0.2.11"));
        assert!(empty_host.varbinds.is_empty());
        // snmptrapd -n (captured from 5.9.3): line 1 repeats the transport.
        let numeric = parse(
            "UDP: [127.0.0.1]:46019->[127.0.0.1]:39165\nUDP: [127.0.0.1]:46019->[127.0.0.1]:39165\n\
             iso.3.6.1.6.3.1.1.4.1.0 iso.3.6.1.6.3.1.1.5.4\n",
        )
        .unwrap();
        assert_eq!(numeric.hostname().as_deref(), Some("127.0.0.1"));
        let v6 = parse("UDP/IPv6: [::1]:5->[::1]:162\nUDP/IPv6: [::1]:5->[::1]:162\n").unwrap();
        assert_eq!(v6.hostname().as_deref(), Some("::1"));
    }

    #[test]
    fn v1_trap_with_multiline_string_and_smi_values() {
        let t = parse(V1_SMI).unwrap();
        assert_eq!(t.trap_oid(), Some("1.3.6.1.4.1.9.0.1"));
        assert_eq!(t.varbinds.len(), 6);
        assert_eq!(t.varbinds[2].oid, "1.3.6.1.4.1.9.9.1");
        assert_eq!(t.varbinds[2].value, "\"line one line two\"");
        assert_eq!(t.varbinds[5].value, "1.3.6.1.4.1.9");
        assert_eq!(t.varbinds[3].value, "198.51.100.7");
        assert!(!t.message().contains('\n'));
    }

    #[test]
    fn transport_addresses_in_every_spelling() {
        for (line, want) in [
            ("UDP: [127.0.0.1]:51234->[127.0.0.1]:162", Some("127.0.0.1")),
            ("UDP/IPv6: [::1]:51234->[::1]:162", Some("::1")),
            ("TCP: [10.0.0.9]:40000->[10.0.0.1]:162", Some("10.0.0.9")),
            ("UDP: [10.0.0.9]:40000", Some("10.0.0.9")),
            ("10.0.0.9", Some("10.0.0.9")),
            ("UDP: 10.0.0.9:1234->10.0.0.1:162", Some("10.0.0.9")),
            ("garbage", None),
            ("", None),
        ] {
            assert_eq!(transport_address(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn event_carries_the_ingest_fields() {
        let t = parse(V2C_NUMERIC_UNKNOWN).unwrap();
        let ev = t.event("2026-11-22T04:00:00.000Z");
        assert_eq!(ev["hostname"], "192.0.2.10");
        assert_eq!(ev["trap_oid"], "1.3.6.1.4.1.9.9.41.2.0.1");
        assert_eq!(ev["timestamp"], "2026-11-22T04:00:00.000Z");
        assert_eq!(ev["source"], "snmptrap");
        assert_eq!(ev["source_ip"], "192.0.2.10");
        assert_eq!(ev["varbinds"][1]["oid"], SNMP_TRAP_OID);
        // The ingest's own extraction from the message agrees with ours.
        let msg = ev["message"].as_str().unwrap();
        assert_eq!(
            crate::ingest::parse::trap_oid_from_message(msg).as_deref(),
            Some("1.3.6.1.4.1.9.9.41.2.0.1")
        );
        let bare = parse("h\nUDP: [192.0.2.1]:1->[192.0.2.2]:162\n").unwrap();
        let ev = bare.event("t");
        assert!(ev.get("trap_oid").is_none());
        assert!(!ev["message"].as_str().unwrap().is_empty());
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert_eq!(parse(""), Err(ParseError::Empty));
        assert_eq!(parse("  \n"), Err(ParseError::Empty));
        assert_eq!(parse("host-only"), Err(ParseError::NoTransport));
    }

    #[test]
    fn transient_statuses() {
        assert!(is_transient(503) && is_transient(429) && is_transient(500));
        assert!(!is_transient(400) && !is_transient(401) && !is_transient(413));
    }
}
