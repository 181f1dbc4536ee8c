//! Alert deduplication (flap control), the pure part: which alerts count as repeats of each
//! other, and how a sent alert carries the repeats held back before it. The decision itself is
//! one Lua script (`store/redis/lua/dedup.lua`), atomic across every alerter.
//!
//! Two alerts are repeats when they have the same host (case-insensitive), the same rule, and,
//! with `ALERT_DEDUP_BY_MESSAGE` (the default), the same message after [`normalise`]: a flapping
//! `Gi0/1` repeats itself, but `Gi0/1` and `Gi0/2` going down are two alerts.

use regex::Regex;
use std::sync::LazyLock;

// RFC 3339 / ISO 8601 date-times, with optional fraction and offset.
static ISO_STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?\b:?")
        .expect("valid regex")
});
// BSD and Cisco stamps: `mar  1 18:46:11.123`, `mar 01 2026 18:46:11`, with `*`/`.` markers
// and a known zone name after (only known ones: `fan`, `psu` after a stamp are the message).
static BSD_STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[*.]?\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{1,2}(\s+\d{4})?\s+\d{1,2}:\d{2}:\d{2}(\.\d+)?(\s+(utc|gmt|ut|z|wet|west|cet|cest|eet|eest|msk|bst|ist|jst|kst|hkt|sgt|aest|aedt|acst|awst|nzst|nzdt|est|edt|cst|cdt|mst|mdt|pst|pdt|akst|akdt|hst)\b)?:?",
    )
    .expect("valid regex")
});
// A bare time of day, `18:46:11` or `18:46:11.123`.
static TIME_OF_DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b").expect("valid regex"));
// A number that counts: after `count`, `counter`, `seq`, `sequence`, `seqno`, `repeated`,
// `total` (with an optional `:`, `=` or `#`), or before `times`.
static COUNTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(count|counter|seq|sequence|seqno|repeated|total)(\s*[:=#]?\s*)\d+\b")
        .expect("valid regex")
});
static TIMES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d+\s+times\b").expect("valid regex"));
// A message sequence number at the start (`52: `, `000123: `).
static LEADING_SEQ: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\d+:\s+").expect("valid regex"));

/// The message as the dedup key sees it: lower-cased; date-times (RFC 3339/ISO 8601, BSD and
/// Cisco stamps with their `*`/`.` markers, zone name and a `:` after, bare `hh:mm:ss[.fff]`), a leading
/// sequence number (`52: `), and counts (the number after `count`, `counter`, `seq`,
/// `sequence`, `seqno`, `repeated`, `total`, and before `times`) removed; runs of white space
/// made one space. Every other number stays: interface names (`Gi0/1`), VLANs, addresses, AS
/// numbers, error codes.
pub fn normalise(message: &str) -> String {
    let text = message.to_lowercase();
    let text = LEADING_SEQ.replace(&text, "");
    let text = ISO_STAMP.replace_all(&text, "");
    let text = BSD_STAMP.replace_all(&text, "");
    let text = TIME_OF_DAY.replace_all(&text, "");
    let text = COUNTER.replace_all(&text, "$1$2");
    let text = TIMES.replace_all(&text, "times");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message part of the dedup key: 16 hex characters of the SHA-1 of the normalised message,
/// or `-` when the key leaves the message out.
pub fn message_signature(message: &str, by_message: bool) -> String {
    if by_message {
        crate::wire::sha1_hex(&normalise(message))[..16].to_string()
    } else {
        "-".into()
    }
}

/// `alert` (a JSON object) with `repeat_count` and `first_seen` added, which the forwarder puts
/// into the Moog event's `custom_info`; unchanged when nothing was held back.
pub fn with_repeats(alert: &str, repeat_count: u64, first_seen: &str) -> String {
    if repeat_count == 0 {
        return alert.to_string();
    }
    match serde_json::from_str::<serde_json::Value>(alert) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("repeat_count".into(), repeat_count.into());
            m.insert("first_seen".into(), first_seen.into());
            serde_json::Value::Object(m).to_string()
        }
        _ => alert.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_counters_and_sequence_numbers_go_interfaces_and_numbers_stay() {
        for (a, b) in [
            (
                "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
                "%link-3-updown: interface gi0/1, changed state to down",
            ),
            (
                "52: *Mar  1 18:46:11.123 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
                "%link-3-updown: interface gi0/1, changed state to down",
            ),
            (
                "2026-12-07T10:00:00.123Z BGP neighbor 10.0.0.1 (AS 65001) Down",
                "bgp neighbor 10.0.0.1 (as 65001) down",
            ),
            (
                "Mar 01 2026 18:46:11 PDT: CRC errors count: 57 on Te1/0/3",
                "crc errors count: on te1/0/3",
            ),
            (
                "last message repeated 14 times at 18:46:11",
                "last message repeated times at",
            ),
            ("seq=991 vlan 10 flapping", "seq= vlan 10 flapping"),
            // Only zone names are taken after a stamp: these two stay apart.
            ("Mar  1 18:46:11 fan 1 failed", "fan 1 failed"),
            ("Mar  1 18:46:11 psu 1 failed", "psu 1 failed"),
        ] {
            assert_eq!(normalise(a), b, "{a}");
        }
    }

    #[test]
    fn repeats_share_a_signature_and_other_interfaces_do_not() {
        let down = |iface: &str, at: &str| {
            format!("12: *Mar  1 {at}.001 UTC: %LINK-3-UPDOWN: Interface {iface}, changed state to down")
        };
        let a = message_signature(&down("Gi0/1", "18:46:11"), true);
        assert_eq!(a.len(), 16);
        assert_eq!(a, message_signature(&down("Gi0/1", "19:02:40"), true));
        assert_ne!(a, message_signature(&down("Gi0/2", "18:46:11"), true));
        assert_eq!(message_signature("anything", false), "-");
    }

    #[test]
    fn a_sent_alert_carries_its_repeats() {
        let alert = r#"{"hostname":"sw1","rule_id":3}"#;
        assert_eq!(with_repeats(alert, 0, ""), alert);
        assert_eq!(
            with_repeats(alert, 12, "2026-12-07T10:00:00.000Z"),
            r#"{"hostname":"sw1","rule_id":3,"repeat_count":12,"first_seen":"2026-12-07T10:00:00.000Z"}"#
        );
    }
}
