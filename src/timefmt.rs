//! RFC 3339 timestamps as they go on the wire: UTC, always with a `Z` suffix, at the precision
//! each contract fixes. Every formatted timestamp in the crate comes from one of these functions,
//! so a format's precision is chosen by name instead of by a `SecondsFormat` at each call site.
//!
//! The precision is part of each contract: consumers (Moogsoft, v2.5 scripts, dashboards, tests)
//! compare or parse these strings, so a call site must keep the function it uses. All of them
//! truncate (never round) sub-second digits, as chrono does.
//!
//! The one parser of duration arguments lives here too ([`parse_duration`]).
//!
//! Pure: depends on chrono and humantime only.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

/// Whole seconds, `2026-12-06T12:00:00Z`.
///
/// Used by operator reports: `mutt status`'s `checked_at`, the SLO report's `timestamp`, the
/// partition bounds and cutoffs of `mutt partitions` and `mutt retention`, and the demo event
/// that `mutt up` prints.
pub fn secs(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Milliseconds, `2026-12-06T12:00:00.120Z`.
///
/// Used by the event pipeline: ingest's `_received_at`, the DLQ entries' `_dlq.failed_at` and
/// remediation stamps, the alert messages' `event_timestamp`, the `timestamp` of events that
/// `mutt trap-handler`, `mutt load` and `mutt e2e` send, mock-moog's `received_at`, and the
/// plain-text log line prefix.
pub fn millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Microseconds, `2026-12-06T12:00:00.120000Z`.
///
/// Used by the JSON log lines' `timestamp` (`LOG_FORMAT=json`).
pub fn micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// As many fractional digits as the value needs, in groups of three: `…:00Z`, `…:00.120Z`,
/// `…:00.000001Z` or nine digits for nanoseconds.
///
/// Used by the admin REST API's answers (audit `changed_at` and `event_timestamp`) and the
/// `at` of `mutt config` exports, where stored values keep their own precision.
pub fn auto(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Parses a duration argument: humantime's syntax (`500ms`, `90s`, `1.5s`, `15m`, `2h 30m`,
/// `1h30m`, `7d`, `1w`; also `min`, `hours`, `days`, … spelled out, `M` = 30.44 days and
/// `y` = 365.25 days), or a plain non-negative number of seconds (`30`, `0.5`). Used by
/// `mutt load --duration/--timeout` and the `--older-than/--newer-than` ages of `mutt dlq`;
/// callers add their own limits and error prefix.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    match humantime::parse_duration(text) {
        Ok(d) => Ok(d),
        // humantime requires a unit; a bare number (no sign, no `inf`/`NaN`) means seconds.
        Err(e) if text.starts_with(|c: char| c.is_ascii_digit() || c == '.') => text
            .parse::<f64>()
            .map_err(|_| e.to_string())
            .and_then(|secs| Duration::try_from_secs_f64(secs).map_err(|_| "out of range".into())),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn at(nanos: u32) -> DateTime<Utc> {
        let naive = NaiveDate::from_ymd_opt(2026, 12, 6)
            .and_then(|d| d.and_hms_nano_opt(12, 34, 56, nanos))
            .expect("valid instant");
        Utc.from_utc_datetime(&naive)
    }

    #[test]
    fn each_precision_on_fixed_instants() {
        type Format = fn(DateTime<Utc>) -> String;
        let cases: [(&str, Format, u32, &str); 16] = [
            ("secs", secs, 0, "2026-12-06T12:34:56Z"),
            ("secs", secs, 120_000_000, "2026-12-06T12:34:56Z"),
            ("secs", secs, 999_999_999, "2026-12-06T12:34:56Z"),
            ("secs", secs, 1_000, "2026-12-06T12:34:56Z"),
            ("millis", millis, 0, "2026-12-06T12:34:56.000Z"),
            ("millis", millis, 120_000_000, "2026-12-06T12:34:56.120Z"),
            ("millis", millis, 999_999_999, "2026-12-06T12:34:56.999Z"),
            ("millis", millis, 1_000, "2026-12-06T12:34:56.000Z"),
            ("micros", micros, 0, "2026-12-06T12:34:56.000000Z"),
            ("micros", micros, 120_000_000, "2026-12-06T12:34:56.120000Z"),
            ("micros", micros, 999_999_999, "2026-12-06T12:34:56.999999Z"),
            ("micros", micros, 1_000, "2026-12-06T12:34:56.000001Z"),
            ("auto", auto, 0, "2026-12-06T12:34:56Z"),
            ("auto", auto, 120_000_000, "2026-12-06T12:34:56.120Z"),
            ("auto", auto, 999_999_999, "2026-12-06T12:34:56.999999999Z"),
            ("auto", auto, 1_000, "2026-12-06T12:34:56.000001Z"),
        ];
        for (name, format, nanos, expected) in cases {
            assert_eq!(format(at(nanos)), expected, "{name} of {nanos} ns");
        }
    }

    #[test]
    fn durations_in_humantime_syntax_or_plain_seconds() {
        let ms = Duration::from_millis;
        let s = Duration::from_secs;
        for (text, expected) in [
            ("30", s(30)),
            ("0.5", ms(500)),
            (".5", ms(500)),
            ("1e2", s(100)),
            ("500ms", ms(500)),
            ("10s", s(10)),
            ("1.5s", ms(1500)),
            (" 7 s ", s(7)),
            ("2m", s(120)),
            ("3 mins", s(180)),
            ("1h", s(3600)),
            ("2hrs", s(7200)),
            ("1h30m", s(5400)),
            ("2h 30m 5s", s(9005)),
            ("7d", s(604_800)),
            ("1w", s(604_800)),
            ("1y", s(31_557_600)),
        ] {
            assert_eq!(parse_duration(text), Ok(expected), "{text:?}");
        }
        for bad in [
            "",
            "s",
            "-1s",
            "-5",
            "10x",
            "1.2.3s",
            "abc",
            "1e999",
            "inf",
            "NaN",
            "5 parsecs",
            "99999999999999999999w",
            "99999999999999999999",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn every_format_parses_back_as_rfc3339_utc() {
        let t = at(123_456_789);
        for text in [secs(t), millis(t), micros(t), auto(t)] {
            let parsed = DateTime::parse_from_rfc3339(&text).expect("RFC 3339");
            assert_eq!(parsed.offset().local_minus_utc(), 0, "{text}");
            assert!(text.ends_with('Z'), "{text}");
            // Truncated, never rounded up: at most one second behind, never ahead.
            let behind = t - parsed.with_timezone(&Utc);
            assert!(behind >= chrono::TimeDelta::zero(), "{text}");
            assert!(behind < chrono::TimeDelta::seconds(1), "{text}");
        }
    }
}
