//! One received syslog line → one ingest event, the same event rsyslog's `mutt_event` template
//! (`examples/rsyslog/mutt.conf`) would have posted for it. Pure: no I/O, no clock, never fails.
//!
//! The daemon de-frames the stream (or takes a datagram), calls [`parse_line`] with the
//! [`Context`] of the reception, and queues [`Parsed::event`] like an ingest item. A rule written
//! against rsyslog's omhttp payload therefore matches the same line received natively: same field
//! names, same value spellings, and a `message` that contains rsyslog's `msg` (see the decisions
//! below for the few places where it holds more).
//!
//! # The event
//!
//! | field | always | value | rsyslog property |
//! |---|---|---|---|
//! | `timestamp` | yes | the sender's time, RFC 3339: RFC 5424 and ISO stamps keep their own fraction digits and offset (`Z` stays `Z`); RFC 3164 stamps get the offset of their zone as `±HH:MM` and the fraction digits the device sent; no usable stamp: `ctx.received_at` in `ctx.default_tz`, microseconds | `timereported` (`dateFormat="rfc3339"`) |
//! | `hostname` | yes | HOSTNAME of the header (RFC 5424), the host word after the stamp (RFC 3164) or Cisco's `origin-id` before it; none or NILVALUE: `ctx.source_ip` as text | `hostname` |
//! | `severity` | yes | `emerg` `alert` `crit` `err` `warning` `notice` `info` `debug` (PRI & 7) | `syslogseverity-text` |
//! | `syslog_severity` | yes | the same as a number 0–7, what rules match on (ingest would derive it from `severity`) | (`syslogseverity`) |
//! | `facility` | yes | `kern` `user` `mail` `daemon` `auth` `syslog` `lpr` `news` `uucp` `cron` `authpriv` `ftp` `ntp` `audit` `alert` `clock` `local0`…`local7` (PRI >> 3) | `syslogfacility-text` |
//! | `program` | yes | APP-NAME (RFC 5424) or the tag (RFC 3164) without `[pid]` and `:`, cut at its first `/` like rsyslog (`postfix/smtpd` → `postfix`); a path-like tag keeps its last part (Juniper `/kernel` → `kernel`); no tag or NILVALUE: `""` | `programname` |
//! | `message` | yes | MSG: the text after the tag (RFC 3164, one leading space dropped) or after STRUCTURED-DATA (RFC 5424, a UTF-8 BOM dropped) | `msg` |
//! | `source` | yes | `"syslog"` | constant |
//! | `_source_ip` | yes | `ctx.source_ip` as text (an IPv4-mapped IPv6 address as plain IPv4) | (`fromhost-ip`) |
//! | `procid` | when present | PROCID (RFC 5424, not NILVALUE) or the tag's `[pid]` (RFC 3164) | `procid` |
//! | `msgid` | when present | MSGID (RFC 5424, not NILVALUE) | `msgid` |
//! | `structured_data` | when present | RFC 5424 STRUCTURED-DATA as `{sd-id: {param: value}}`, `\"` `\\` `\]` decoded (any other `\` kept, RFC 5424 §6.3.3); a repeated SD-ID merges into one object, a repeated PARAM-NAME keeps its last value | `structured-data` (as text) |
//!
//! # Formats
//!
//! - **RFC 5424**: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`, NILVALUE `-` in
//!   any header field and for SD. A line that says version 1 but lacks a header field (or has
//!   an empty one) is a fallback line (below); STRUCTURED-DATA that does not parse (not closed,
//!   an unescaped `"` in a value, left out by the sender) stays at the head of `message` and
//!   `structured_data` is absent (rsyslog drops that text).
//! - **RFC 3164** as devices send it: `<PRI>` then `Mmm dd hh:mm:ss` (day space- or zero-padded,
//!   optional `.fff…` fraction), optional HOSTNAME, optional TAG (`name:`, `name[pid]:`,
//!   `name[pid]`), MSG. Also an RFC 3339 stamp in place of the BSD one (rsyslog's own forwarding
//!   format), a year before the month (NX-OS `2026 Mar  1 …`) or after the day (`Mar 01 2026 …`,
//!   ASA and Cisco `service timestamps … year`).
//! - **Cisco IOS / NX-OS**: `<PRI>[seq:] [origin-host:] [seq:] [*|.]stamp [ZONE]: %FAC-SEV-MNEMONIC: …`
//!   (the `*`/`.` clock-sync markers, milliseconds, zone names, `uptime` stamps such as `1d02h:`
//!   instead of a date, or no stamp at all). The sequence numbers are dropped, the origin host
//!   becomes `hostname`, and `message` starts at the text after the stamp (`%LINK-3-UPDOWN: …`).
//!   The classic `<PRI>Mmm dd hh:mm:ss host 52: %SYS-5-…` form drops the numeric "tag" too.
//! - **Juniper** `mib2d[1822]: SNMP_TRAP_LINK_DOWN: …`, **Arista** `Ebra: 1234: %LINEPROTO-…`
//!   (program `Ebra`, the `1234:` stays in the message, as with rsyslog), **Palo Alto** CSV after
//!   the host (no tag: the whole CSV is the message), **Linux** daemons and local `logger` lines
//!   without a host (`<13>Mar  1 18:46:11 user: text`).
//!
//! # Decisions
//!
//! - **No PRI**: RFC 3164 §4.3.3 defaults, `user.notice` (PRI 13), when the line starts with a
//!   time stamp; a line with neither PRI nor stamp is not syslog (fallback). A PRI that is not
//!   `<0>`…`<191>` makes the line a fallback line too (rsyslog reports such lines as facility
//!   `invld` with the whole line as `msg`).
//! - **PRI but nothing else recognisable** (`<13>just text`): RFC 3164 §4.3.2, the rest is the
//!   message (a leading tag still becomes `program`), `hostname` the sender, time the reception;
//!   this is not a fallback. rsyslog instead takes the first two words as host and tag.
//! - **Fallback** (`Parsed::fallback`): `message` is the whole line, `hostname` the sender's
//!   address, `notice`/`user`, `program` `""`, time the reception. The line never fails.
//! - **Encoding**: the line is decoded as UTF-8, invalid sequences replaced by U+FFFD
//!   (`Parsed::lossy_utf8`). Trailing CR, LF and NUL are stripped (rsyslog drops the trailing LF);
//!   other control characters stay as they are: rsyslog escapes them as `#ooo` and ingest decodes
//!   `#012`/`#011` back, so TAB and LF arrive the same on both paths. `message` decodes `#012`
//!   and `#011` the same way, as ingest does: an rsyslog relay forwarding to this receiver (the
//!   drop-ins in `examples/rsyslog/`) sends a message's LF and TAB escaped.
//! - **Year-less stamps** take the year (the received one, one before or one after) that puts
//!   them nearest to `ctx.received_at`: `Dec 31 23:59:59` received on Jan 1 is last year's, and
//!   `Jan 1 00:00:05` received on Dec 31 next year's. It follows that a stamp more than half a
//!   year behind is read as next year's (`Jun 15` received on Dec 31); rsyslog takes the current
//!   year. A date that exists in none of the three years (Feb 29) counts as unparsable.
//! - **Zones**: a stamp without zone is local time in `ctx.default_tz`; in a DST fold the earlier
//!   instant, in a DST gap the offset before the gap (the device's clock has not jumped yet).
//!   A zone name is recognised only as Cisco writes it (`show-timezone`), right before the `:`
//!   that ends the stamp: a name from the lists below, or any other 2–6 capital letters on a line
//!   that is Cisco's by its message counter, `*`/`.` marker, fraction or `%` message. It reads as:
//!   `UTC`, `GMT`, `UT` → UTC; else the abbreviation `ctx.default_tz` uses at that time (so
//!   `CET`/`CEST` follow the operator's zone and pick the side of a DST fold, and `CST` means
//!   China where Asia/Shanghai is the default); else a short table of common North American,
//!   European and Asia-Pacific names (`EST`…`PDT`, `WET`…`EEST`, `MSK`, `JST`, `AEST`, …; ambiguous
//!   ones such as `IST` left out); else the name is unknown and the time is local to
//!   `ctx.default_tz`. rsyslog's default parser reads no zone names (nor these Cisco stamps).
//! - **Unparsable stamp** (a month that does not exist, `25:61:00`, `-`): `ctx.received_at`.
//! - **Where rsyslog is wrong, mutt differs** (`message` then contains rsyslog's `msg`, so a
//!   `contains` rule written for the omhttp path still matches):
//!   - Cisco `<189>52: core-sw-01: *Mar  1 …: %LINK-3-UPDOWN: …`: rsyslog takes `52` as the tag,
//!     the sender's resolved name as host, the reception as time and the rest as message; mutt
//!     takes `core-sw-01` as host, the device's time, and `%LINK-3-UPDOWN: …` as message.
//!   - `%FAC-SEV-MNEMONIC:` after the host (`core-sw-01 %LINK-3-UPDOWN: Interface …`, ASA
//!     `%ASA-6-302013: …`): rsyslog takes the mnemonic as tag; mutt keeps it in the message.
//!   - A first word without `:` or `[pid]` (Palo Alto's `1,2026/03/01 18:46:11,…`, `prog text`):
//!     rsyslog takes it as tag (cutting Palo Alto's CSV); mutt keeps it in the message.
//!   - RFC 3164 `message` drops the one space after the tag (rsyslog keeps it), so `^%LINK`
//!     style regexes work.
//!   - rsyslog's parser with `force.tagEndingByColon="on"` and `remove.msgFirstSpace="on"`
//!     (checked with rsyslogd 8.2302) agrees with mutt on the last two points, except that it
//!     writes `-` for a missing program and wants the `:` after `name[pid]` too.
//!   - RFC 5424: the BOM before MSG is dropped (rsyslog keeps U+FEFF); a NILVALUE HOSTNAME is the
//!     sender's address and a NILVALUE APP-NAME `""` (rsyslog writes `-`).
//!   - A host without a name (`logger`'s local form) is the sender's address, not a resolved
//!     name: the daemon does no DNS.
//!
//! # Speed
//!
//! One pass over the line with byte tests, no regex; the only allocations are the event's text
//! values (plus the decoded copy of a line that was not valid UTF-8). The event is a typed
//! [`SyslogEvent`] serialised straight to JSON: a `serde_json::Map` (a key allocation and a hash
//! per field) cost more than the parse itself.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv6Addr};

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta,
    TimeZone, Timelike, Utc,
};
use chrono_tz::{OffsetName, Tz};
use serde_json::{Map, Value};

/// rsyslog's `syslogseverity-text` names, indexed by severity.
pub const SEVERITY_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// rsyslog's `syslogfacility-text` names, indexed by facility (rsyslog 8.2302, checked).
pub const FACILITY_NAMES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
    "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

/// The PRI of a line that has none: `user.notice` (RFC 3164 §4.3.3).
pub const DEFAULT_PRI: u8 = 13;

/// RFC 5424's NILVALUE.
const NIL: &str = "-";

/// What the parser needs to know about a line besides its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// When the line arrived: the year of year-less stamps, the time of lines without one.
    pub received_at: DateTime<Utc>,
    /// The sender's address: the host of lines that name none.
    pub source_ip: IpAddr,
    /// The zone of stamps that carry no offset.
    pub default_tz: Tz,
}

/// One parsed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The ingest event (fields in the module documentation).
    pub event: SyslogEvent,
    /// The line was not syslog: `message` is the whole line, `hostname` the sender.
    pub fallback: bool,
    /// The line was not valid UTF-8; invalid sequences became U+FFFD.
    pub lossy_utf8: bool,
}

/// The ingest event of one line, serialised in the field order of the table above.
///
/// A typed struct rather than a `serde_json::Map`: building the map (a key allocation and a hash
/// per field) was the largest cost of a received line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SyslogEvent {
    /// RFC 3339, the sender's time (or the reception's).
    pub timestamp: String,
    /// The sender's name, or its address as text.
    pub hostname: String,
    /// rsyslog's severity name.
    pub severity: &'static str,
    /// The severity as a number 0–7.
    pub syslog_severity: u8,
    /// rsyslog's facility name.
    pub facility: &'static str,
    /// The program (tag or APP-NAME), `""` when none.
    pub program: String,
    /// MSG.
    pub message: String,
    /// Always `"syslog"`.
    pub source: &'static str,
    /// The sender's address as text.
    #[serde(rename = "_source_ip")]
    pub source_ip: String,
    /// PROCID or the tag's `[pid]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procid: Option<String>,
    /// MSGID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msgid: Option<String>,
    /// RFC 5424 STRUCTURED-DATA as `{sd-id: {param: value}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_data: Option<Map<String, Value>>,
}

/// Parses one de-framed line (trailing CR, LF and NUL allowed) into its event. Never fails.
pub fn parse_line(line: &[u8], ctx: &Context) -> Parsed {
    let end = line
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n' | 0))
        .map_or(0, |i| i + 1);
    // `from_utf8` first: it is much faster than the lossy decoder on the (usual) valid line.
    let text = match std::str::from_utf8(&line[..end]) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&line[..end]),
    };
    let lossy_utf8 = matches!(text, Cow::Owned(_));
    let (header, fallback) = match header(&text) {
        Some(h) => (h, false),
        None => (Header::whole(&text), true),
    };
    Parsed {
        event: header.into_event(ctx),
        fallback,
        lossy_utf8,
    }
}

/// The parts of a line, borrowed from it; the event is built from this.
struct Header<'a> {
    pri: u8,
    stamp: Option<Stamp<'a>>,
    hostname: Option<&'a str>,
    program: &'a str,
    procid: Option<&'a str>,
    msgid: Option<&'a str>,
    structured_data: Option<Map<String, Value>>,
    message: &'a str,
}

impl<'a> Header<'a> {
    /// The fallback: the whole line as the message of a `user.notice` event.
    fn whole(text: &'a str) -> Header<'a> {
        Header::content(DEFAULT_PRI, text)
    }

    /// A header-less event: `message` is `text`.
    fn content(pri: u8, text: &'a str) -> Header<'a> {
        Header {
            pri,
            stamp: None,
            hostname: None,
            program: "",
            procid: None,
            msgid: None,
            structured_data: None,
            message: text,
        }
    }

    fn into_event(self, ctx: &Context) -> SyslogEvent {
        let severity = self.pri & 7;
        let facility = usize::from(self.pri >> 3);
        let source_ip = ctx.source_ip.to_canonical().to_string();
        let timestamp = self
            .stamp
            .and_then(|s| s.render(ctx))
            .unwrap_or_else(|| received(ctx));
        let hostname = match self.hostname {
            Some(h) => h.to_string(),
            None => source_ip.clone(),
        };
        let message = crate::ingest::parse::decode_rsyslog_escapes(self.message)
            .unwrap_or_else(|| self.message.to_string());
        SyslogEvent {
            timestamp,
            hostname,
            severity: SEVERITY_NAMES[usize::from(severity)],
            syslog_severity: severity,
            facility: FACILITY_NAMES[facility],
            program: self.program.to_string(),
            message,
            source: "syslog",
            source_ip,
            procid: self.procid.map(str::to_string),
            msgid: self.msgid.map(str::to_string),
            structured_data: self.structured_data,
        }
    }
}

/// The header of a syslog line, or `None` when the line is not syslog.
fn header(text: &str) -> Option<Header<'_>> {
    let (pri, rest, had_pri) = match text.strip_prefix('<') {
        Some(after) => {
            let (pri, rest) = pri(after)?;
            (pri, rest, true)
        }
        None => (DEFAULT_PRI, text, false),
    };
    if had_pri {
        if let Some(after) = rest.strip_prefix("1 ") {
            return rfc5424(after, pri);
        }
    }
    let (header, stamped) = rfc3164(rest, pri);
    (had_pri || stamped).then_some(header)
}

/// The PRI value after `<`: 1–3 digits, `>`, at most 191 (facility 23, severity 7).
fn pri(s: &str) -> Option<(u8, &str)> {
    let b = s.as_bytes();
    let digits = b.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
    if !(1..=3).contains(&digits) || b.get(digits) != Some(&b'>') {
        return None;
    }
    let value: u16 = s[..digits].parse().ok()?;
    let value = u8::try_from(value).ok().filter(|v| *v <= 191)?;
    Some((value, &s[digits + 1..]))
}

// ---------------------------------------------------------------------------------------------
// RFC 5424

/// `TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]` after `<PRI>1 `.
fn rfc5424(s: &str, pri: u8) -> Option<Header<'_>> {
    let (stamp, s) = s.split_once(' ')?;
    let (host, s) = s.split_once(' ')?;
    let (app, s) = s.split_once(' ')?;
    let (procid, s) = s.split_once(' ')?;
    let (msgid, s) = s.split_once(' ')?;
    if [stamp, host, app, procid, msgid]
        .iter()
        .any(|f| f.is_empty())
    {
        return None;
    }
    let (structured_data, message) = match structured_data(s) {
        Some((sd, rest)) if rest.is_empty() || rest.starts_with(' ') => {
            // RFC 5424 §6.4: the BOM says "UTF-8"; it is not part of the text.
            let msg = rest.strip_prefix(' ').unwrap_or(rest);
            (sd, msg.strip_prefix('\u{feff}').unwrap_or(msg))
        }
        // A header this complete is syslog even when its STRUCTURED-DATA is not (an unescaped
        // `"`, a sender that leaves SD out): keep that text at the head of the message, so
        // nothing is lost and `contains` rules still see it.
        _ => (None, s),
    };
    Some(Header {
        pri,
        stamp: (stamp != NIL).then(|| Stamp::Iso(iso_stamp(stamp))),
        hostname: not_nil(host),
        program: not_nil(app).map_or("", programname),
        procid: not_nil(procid),
        msgid: not_nil(msgid),
        structured_data,
        message,
    })
}

fn not_nil(field: &str) -> Option<&str> {
    (field != NIL).then_some(field)
}

/// STRUCTURED-DATA: NILVALUE or one or more `[SD-ID (SP PARAM-NAME="value")*]`.
fn structured_data(s: &str) -> Option<(Option<Map<String, Value>>, &str)> {
    if let Some(rest) = s.strip_prefix(NIL) {
        return Some((None, rest));
    }
    if !s.starts_with('[') {
        return None;
    }
    let mut sd = Map::new();
    let mut s = s;
    while let Some(after) = s.strip_prefix('[') {
        s = sd_element(after, &mut sd)?;
    }
    Some((Some(sd), s))
}

/// One SD-ELEMENT after its `[`, added to `sd`; returns the text after its `]`.
fn sd_element<'a>(s: &'a str, sd: &mut Map<String, Value>) -> Option<&'a str> {
    let id_len = sd_name_len(s);
    if id_len == 0 {
        return None;
    }
    let id = &s[..id_len];
    let mut s = &s[id_len..];
    let mut params = Map::new();
    loop {
        if let Some(rest) = s.strip_prefix(']') {
            s = rest;
            break;
        }
        let rest = s.strip_prefix(' ')?;
        let name_len = sd_name_len(rest);
        if name_len == 0 {
            return None;
        }
        let name = &rest[..name_len];
        let (value, rest) = sd_value(rest[name_len..].strip_prefix("=\"")?)?;
        params.insert(name.to_string(), Value::String(value));
        s = rest;
    }
    match sd.get_mut(id) {
        Some(Value::Object(existing)) => existing.extend(params),
        _ => {
            sd.insert(id.to_string(), Value::Object(params));
        }
    }
    Some(s)
}

/// Length of the SD-NAME at the start of `s`: printable US-ASCII except `=`, SP, `]`, `"`.
fn sd_name_len(s: &str) -> usize {
    s.bytes()
        .take_while(|&b| b > b' ' && b < 0x7f && !matches!(b, b'=' | b']' | b'"'))
        .count()
}

/// A PARAM-VALUE after its opening `"`, decoded; returns the text after the closing `"`.
fn sd_value(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                out.push_str(&s[run..i]);
                return Some((out, &s[i + 1..]));
            }
            // RFC 5424 §6.3.3: `\"`, `\\` and `\]` are escapes; any other `\` is a plain one.
            b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\' | b']')) => {
                out.push_str(&s[run..i]);
                run = i + 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// RFC 3164 and the device dialects

/// Everything after the PRI of a non-RFC 5424 line; also says whether a time stamp was found.
fn rfc3164(s: &str, pri: u8) -> (Header<'_>, bool) {
    let mut s = s;
    let mut hostname = None;
    // Cisco IOS/NX-OS: the message counter `52: `, then `logging origin-id`'s `host: `, then
    // `service sequence-numbers`' `000045: `, all before the stamp.
    let mut cisco = match seq(s, true) {
        Some(rest) => {
            s = rest;
            true
        }
        None => false,
    };
    if let Some((host, rest)) = origin_host(s, cisco) {
        hostname = Some(host);
        s = rest;
        cisco = true;
    }
    if cisco {
        if let Some(rest) = seq(s, false) {
            s = rest;
        }
    }
    let mut header = Header::content(pri, s);
    let mut stamped = false;
    match scan_stamp(s, cisco) {
        Some((stamp, rest, colon)) => {
            header.stamp = Some(stamp);
            stamped = true;
            s = rest;
            if colon {
                // Cisco's `stamp: %FAC-SEV-MNEMONIC: …`: no host or tag follows.
                header.hostname = hostname;
                header.message = s;
                return (header, true);
            }
        }
        None if cisco => {
            // `service timestamps … uptime` (`1d02h: `) or no stamp at all: the device's clock
            // says nothing usable, the message follows.
            header.hostname = hostname;
            header.message = uptime(s).unwrap_or(s);
            return (header, false);
        }
        None => {}
    }
    if stamped && hostname.is_none() {
        let (word, rest) = s.split_once(' ').unwrap_or((s, ""));
        if is_host_word(word) {
            hostname = not_nil(word);
            s = rest;
        }
    }
    header.hostname = hostname;
    if let Some(rest) = seq(s, false) {
        // `host 52: %SYS-5-CONFIG_I: …`: a sequence number where the tag would be.
        header.message = rest;
    } else if let Some((program, procid, rest)) = tag(s) {
        header.program = program;
        header.procid = procid;
        header.message = rest;
    } else {
        header.message = s;
    }
    (header, stamped)
}

/// A Cisco sequence number `52: ` (digits, `:`, space; NX-OS sends an empty one, `: `, when
/// `empty_ok`); returns the text after it.
fn seq(s: &str, empty_ok: bool) -> Option<&str> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if (digits == 0 && !empty_ok) || digits > 10 {
        return None;
    }
    s[digits..].strip_prefix(": ")
}

/// Cisco's `logging origin-id`: `host: ` followed by what follows it on Cisco lines; returns the
/// host and the text after it. After the message counter that is a stamp, an uptime, a sequence
/// number or the `%` message; without the counter (`no logging message-counter syslog`) only a
/// stamp ending in Cisco's `:` will do, since `word: ` is also what a tag looks like.
fn origin_host(s: &str, after_counter: bool) -> Option<(&str, &str)> {
    let len = s
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        .count();
    let host = &s[..len];
    if host.is_empty() || host.bytes().all(|b| b.is_ascii_digit()) || uptime(s).is_some() {
        return None;
    }
    let rest = s[len..].strip_prefix(": ")?;
    let cisco_next = if after_counter {
        rest.starts_with('%')
            || seq(rest, false).is_some()
            || uptime(rest).is_some()
            || scan_stamp(rest, true).is_some()
    } else {
        scan_stamp(rest, true).is_some_and(|(_, _, colon)| colon)
    };
    cisco_next.then_some((host, rest))
}

/// A Cisco uptime stamp `00:01:23: `, `00:01:23.456: `, `1d02h: ` or `2w3d: `; returns the text
/// after it.
fn uptime(s: &str) -> Option<&str> {
    let (word, rest) = s.split_once(' ').unwrap_or((s, ""));
    let body = word.strip_suffix(':')?.as_bytes();
    let clock = body.len() >= 8
        && body[..8].iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
        && (body.len() == 8
            || (body[8] == b'.' && body.len() > 9 && body[9..].iter().all(u8::is_ascii_digit)));
    let units = body.first().is_some_and(u8::is_ascii_digit)
        && body.last().is_some_and(|c| b"ywdhm".contains(c))
        && body
            .iter()
            .all(|c| c.is_ascii_digit() || b"ywdhm".contains(c))
        && !body
            .windows(2)
            .any(|w| w.iter().all(|c| !c.is_ascii_digit()));
    (clock || units).then_some(rest)
}

/// Whether the word after an RFC 3164 stamp is a host name (or address) rather than a tag.
fn is_host_word(word: &str) -> bool {
    if word.is_empty() || word.ends_with(':') {
        return false;
    }
    word.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        || (word.contains(':') && word.parse::<Ipv6Addr>().is_ok())
}

/// Bytes of an RFC 3164 tag's name as daemons really write them (`postfix/smtpd`, `(sd-pam)`).
fn is_tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b'@' | b'(' | b')' | b'+')
}

/// A tag `name:`, `name[pid]:`, `name[pid]` or a bare `:`; returns the program, the pid and the
/// message after it. A word without `:` or `[pid]`, or a `%` Cisco mnemonic, is not a tag.
fn tag(s: &str) -> Option<(&str, Option<&str>, &str)> {
    let len = s.bytes().take_while(|&b| is_tag_byte(b)).count();
    let name = &s[..len];
    let rest = &s[len..];
    let (procid, rest) = match rest.strip_prefix('[') {
        Some(after) => {
            let close = after.find(']')?;
            let pid = &after[..close];
            if len == 0 || pid.is_empty() || pid.contains(' ') {
                return None;
            }
            let after = &after[close + 1..];
            match after.strip_prefix(':') {
                Some(rest) => (Some(pid), rest),
                None if after.is_empty() || after.starts_with(' ') => (Some(pid), after),
                None => return None,
            }
        }
        None => (None, rest.strip_prefix(':')?),
    };
    let message = rest.strip_prefix(' ').unwrap_or(rest);
    Some((programname(name), procid, message))
}

/// rsyslog's `programname` of a tag: up to the first `/`; a path (`/kernel`) gives its last part.
fn programname(name: &str) -> &str {
    match name.strip_prefix('/') {
        Some(path) => path.rsplit('/').next().unwrap_or(path),
        None => name.split('/').next().unwrap_or(name),
    }
}

// ---------------------------------------------------------------------------------------------
// Time stamps

/// A time stamp as found in the line, not yet placed in time.
enum Stamp<'a> {
    /// RFC 3339 (RFC 5424, or in an RFC 3164 line); `None` when malformed.
    Iso(Option<IsoStamp>),
    /// BSD `Mmm dd hh:mm:ss` with what devices add to it.
    Bsd(BsdStamp<'a>),
}

/// An RFC 3339 stamp's parts.
struct IsoStamp {
    local: NaiveDateTime,
    digits: u8,
    zone: Zone<'static>,
}

/// A BSD stamp's parts; the year may be missing and the date invalid.
struct BsdStamp<'a> {
    year: Option<i32>,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    digits: u8,
    zone: Zone<'a>,
}

/// Which zone a stamp's local time is in.
#[derive(Clone, Copy)]
enum Zone<'a> {
    /// None given: `ctx.default_tz`.
    Default,
    /// RFC 3339 `Z`, rendered as `Z` again.
    Z,
    /// An RFC 3339 numeric offset.
    Fixed(FixedOffset),
    /// A zone name (Cisco `show-timezone`).
    Named(&'a str),
}

impl Stamp<'_> {
    /// The stamp as RFC 3339 text, or `None` if it names no real time.
    fn render(self, ctx: &Context) -> Option<String> {
        match self {
            Stamp::Iso(iso) => {
                let iso = iso?;
                let offset = offset_of(iso.local, iso.zone, ctx.default_tz);
                Some(rfc3339(
                    iso.local,
                    offset,
                    iso.digits,
                    matches!(iso.zone, Zone::Z),
                ))
            }
            Stamp::Bsd(bsd) => {
                let at = |year: i32| {
                    let local = NaiveDate::from_ymd_opt(year, bsd.month, bsd.day)?
                        .and_hms_nano_opt(bsd.hour, bsd.minute, bsd.second, bsd.nanos)?;
                    Some((local, offset_of(local, bsd.zone, ctx.default_tz)))
                };
                let (local, offset) = match bsd.year {
                    Some(year) => at(year)?,
                    None => {
                        // The year that puts the stamp nearest to the reception.
                        let year = ctx.received_at.year();
                        (year - 1..=year + 1)
                            .filter_map(at)
                            .min_by_key(|(local, offset)| {
                                let utc = local.and_utc()
                                    - TimeDelta::seconds(i64::from(offset.local_minus_utc()));
                                (utc - ctx.received_at).abs()
                            })?
                    }
                };
                Some(rfc3339(local, offset, bsd.digits, false))
            }
        }
    }
}

/// The time stamp at the start of `s`, the text after it, and whether it ended with Cisco's `:`.
/// `cisco`: the line had a Cisco sequence number, so a zone name before `:` is expected.
fn scan_stamp(s: &str, cisco: bool) -> Option<(Stamp<'_>, &str, bool)> {
    let b = s.as_bytes();
    if b.len() >= 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
    {
        let (word, rest) = s.split_once(' ').unwrap_or((s, ""));
        return Some((Stamp::Iso(iso_stamp(word)), rest, false));
    }
    let mut i = 0;
    // Cisco's clock markers: `*` not synchronised, `.` synchronisation lost.
    let marker = matches!(b.first(), Some(b'*' | b'.'));
    if marker {
        i = 1;
    }
    let mut year = None;
    if let Some(y) = digits_at(b, i, 4) {
        // NX-OS: `2026 Mar  1 18:46:11`.
        if b.get(i + 4) == Some(&b' ') && b.get(i + 5).is_some_and(u8::is_ascii_alphabetic) {
            year = Some(y as i32);
            i += 5;
        }
    }
    let month = month(b.get(i..i + 3)?)?;
    i += 3;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let (day, len) = match digits_at(b, i, 2) {
        Some(d) => (d, 2),
        None => (digits_at(b, i, 1)?, 1),
    };
    i += len;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    if let Some(y) = digits_at(b, i, 4) {
        // `Mar 01 2026 18:46:11` (ASA, Cisco `service timestamps … year`).
        if b.get(i + 4) == Some(&b' ') {
            year = Some(y as i32);
            i += 5;
        }
    }
    let hour = digits_at(b, i, 2)?;
    let minute = (b.get(i + 2) == Some(&b':')).then(|| digits_at(b, i + 3, 2))??;
    let second = (b.get(i + 5) == Some(&b':')).then(|| digits_at(b, i + 6, 2))??;
    i += 8;
    let (nanos, digits, len) = fraction(b, i);
    i += len;
    let mut zone = Zone::Default;
    if b.get(i) == Some(&b' ') {
        let len = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if (2..=6).contains(&len) && b.get(i + 1 + len) == Some(&b':') {
            let name = &s[i + 1..i + 1 + len];
            let cisco_like =
                cisco || marker || digits > 0 || s[i + 2 + len..].trim_start().starts_with('%');
            if UTC_NAMES.contains(&name)
                || ZONE_OFFSETS.iter().any(|(n, _)| *n == name)
                || (cisco_like && name.bytes().all(|c| c.is_ascii_uppercase()))
            {
                zone = Zone::Named(name);
                i += 1 + len;
            }
        }
    }
    let colon = b.get(i) == Some(&b':');
    if colon {
        i += 1;
    }
    let rest = match b.get(i) {
        None => "",
        Some(b' ') => &s[i + 1..],
        Some(_) => return None,
    };
    let stamp = BsdStamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        digits,
        zone,
    };
    Some((Stamp::Bsd(stamp), rest, colon))
}

/// An RFC 3339 date-time (`T` or `t`, fraction up to 9 digits kept, `Z`, `±hh:mm` or none).
fn iso_stamp(word: &str) -> Option<IsoStamp> {
    let b = word.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits_at(b, 0, 4)?;
    let date = NaiveDate::from_ymd_opt(year as i32, digits_at(b, 5, 2)?, digits_at(b, 8, 2)?)?;
    let (nanos, digits, len) = fraction(b, 19);
    let local = date.and_hms_nano_opt(
        digits_at(b, 11, 2)?,
        digits_at(b, 14, 2)?,
        digits_at(b, 17, 2)?,
        nanos,
    )?;
    let i = 19 + len;
    let zone = match b.get(i) {
        None => Zone::Default,
        Some(b'Z' | b'z') if b.len() == i + 1 => Zone::Z,
        Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let (h, m) = (digits_at(b, i + 1, 2)?, digits_at(b, i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i32;
            Zone::Fixed(FixedOffset::east_opt(if *sign == b'-' {
                -secs
            } else {
                secs
            })?)
        }
        _ => return None,
    };
    Some(IsoStamp {
        local,
        digits,
        zone,
    })
}

/// `n` ASCII digits at `b[i..]` as a number.
fn digits_at(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let digits = b.get(i..i + n)?;
    digits.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// A `.digits` fraction at `b[i..]`: nanoseconds, digits kept (at most 9), bytes consumed.
fn fraction(b: &[u8], i: usize) -> (u32, u8, usize) {
    if b.get(i) != Some(&b'.') {
        return (0, 0, 0);
    }
    let all = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if all == 0 {
        return (0, 0, 0);
    }
    let kept = all.min(9);
    let mut nanos = 0u32;
    for c in &b[i + 1..i + 1 + kept] {
        nanos = nanos * 10 + u32::from(c - b'0');
    }
    nanos *= 10u32.pow((9 - kept) as u32);
    (nanos, kept as u8, 1 + all)
}

/// A three-letter English month name (any case) as 1–12.
fn month(name: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let lower = [
        name.first()?.to_ascii_lowercase(),
        name.get(1)?.to_ascii_lowercase(),
        name.get(2)?.to_ascii_lowercase(),
    ];
    MONTHS
        .iter()
        .position(|m| **m == lower)
        .map(|i| i as u32 + 1)
}

/// Zone names that mean UTC.
const UTC_NAMES: [&str; 3] = ["UTC", "GMT", "UT"];

/// Common zone names and their offsets (seconds east of UTC), used when `default_tz` does not
/// use the name itself. Ambiguous names (IST: India, Israel or Ireland) are left out.
const ZONE_OFFSETS: [(&str, i32); 29] = [
    ("WET", 0),
    ("WEST", 3600),
    ("BST", 3600),
    ("CET", 3600),
    ("CEST", 7200),
    ("MET", 3600),
    ("MEST", 7200),
    ("EET", 7200),
    ("EEST", 10800),
    ("MSK", 10800),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("CST", -6 * 3600),
    ("CDT", -5 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PST", -8 * 3600),
    ("PDT", -7 * 3600),
    ("AKST", -9 * 3600),
    ("AKDT", -8 * 3600),
    ("HST", -10 * 3600),
    ("JST", 9 * 3600),
    ("KST", 9 * 3600),
    ("HKT", 8 * 3600),
    ("SGT", 8 * 3600),
    ("AEST", 10 * 3600),
    ("AEDT", 11 * 3600),
    ("NZST", 12 * 3600),
    ("NZDT", 13 * 3600),
];

/// The UTC offset of local time `local` in `zone` (`tz` for none or an unknown name).
fn offset_of(local: NaiveDateTime, zone: Zone<'_>, tz: Tz) -> FixedOffset {
    let utc = FixedOffset::east_opt(0).expect("0 is a valid offset");
    match zone {
        Zone::Z => utc,
        Zone::Fixed(offset) => offset,
        Zone::Default => default_offset(local, tz),
        Zone::Named(name) => {
            if UTC_NAMES.contains(&name) {
                return utc;
            }
            // The operator's own zone decides what its abbreviations mean (and which side of a
            // DST fold `CET`/`CEST` is).
            match tz.offset_from_local_datetime(&local) {
                LocalResult::Single(o) if o.abbreviation() == Some(name) => return o.fix(),
                LocalResult::Ambiguous(a, b) => {
                    if a.abbreviation() == Some(name) {
                        return a.fix();
                    }
                    if b.abbreviation() == Some(name) {
                        return b.fix();
                    }
                }
                _ => {}
            }
            match ZONE_OFFSETS.iter().find(|(n, _)| *n == name) {
                Some((_, secs)) => FixedOffset::east_opt(*secs).unwrap_or(utc),
                None => default_offset(local, tz),
            }
        }
    }
}

/// `tz`'s offset at local time `local`: the earlier instant's in a DST fold; in a DST gap the
/// offset in force a day before (the device's clock has not jumped yet).
fn default_offset(local: NaiveDateTime, tz: Tz) -> FixedOffset {
    match tz.offset_from_local_datetime(&local) {
        LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => o.fix(),
        LocalResult::None => match tz.offset_from_local_datetime(&(local - TimeDelta::days(1))) {
            LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => o.fix(),
            LocalResult::None => tz.offset_from_utc_datetime(&local).fix(),
        },
    }
}

/// `ctx.received_at` in `ctx.default_tz`, microseconds (rsyslog's rendering of its own clock).
fn received(ctx: &Context) -> String {
    let local = ctx.received_at.with_timezone(&ctx.default_tz);
    rfc3339(local.naive_local(), local.offset().fix(), 6, false)
}

/// `local` at `offset` as RFC 3339 with `digits` fraction digits; `Z` instead of `+00:00` if `z`.
fn rfc3339(local: NaiveDateTime, offset: FixedOffset, digits: u8, z: bool) -> String {
    // Digits pushed by hand: `write!` with padding was a tenth of the parse time.
    fn push(out: &mut String, value: u32, width: u32) {
        for i in (0..width).rev() {
            out.push(char::from(b'0' + (value / 10u32.pow(i) % 10) as u8));
        }
    }
    let mut out = String::with_capacity(36);
    // Years come from 4-digit fields, so always 0..=9999.
    push(&mut out, local.year().clamp(0, 9999) as u32, 4);
    out.push('-');
    push(&mut out, local.month(), 2);
    out.push('-');
    push(&mut out, local.day(), 2);
    out.push('T');
    push(&mut out, local.hour(), 2);
    out.push(':');
    push(&mut out, local.minute(), 2);
    out.push(':');
    push(&mut out, local.second(), 2);
    if digits > 0 {
        out.push('.');
        let frac = local.nanosecond() % 1_000_000_000;
        push(
            &mut out,
            frac / 10u32.pow(9 - u32::from(digits)),
            u32::from(digits),
        );
    }
    if z {
        out.push('Z');
    } else {
        let secs = offset.local_minus_utc();
        out.push(if secs < 0 { '-' } else { '+' });
        let secs = secs.unsigned_abs();
        push(&mut out, secs / 3600, 2);
        out.push(':');
        push(&mut out, secs % 3600 / 60, 2);
    }
    out
}

#[cfg(test)]
mod tests;
