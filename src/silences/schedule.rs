//! Recurring maintenance windows: weekdays and a time-of-day range in a named time zone, like
//! Alertmanager's `time_intervals`, evaluated on the zone's wall clock.
//!
//! - A window `sun 02:00-04:00` holds from 02:00 to 04:00 local time every Sunday; the end is
//!   exclusive. `24:00` is accepted as an end (the end of the day).
//! - A window whose end is before its start crosses midnight: `fri 22:00-02:00` holds from Friday
//!   22:00 to Saturday 02:00 (the weekday names the day it starts).
//! - Daylight-saving changes follow the wall clock: on the night clocks spring forward,
//!   `02:00-04:00` in Europe/Berlin lasts one hour (02:00-03:00 does not exist); on the night
//!   they fall back it lasts three (02:00-03:00 happens twice).
//! - Days: `mon`…`sun`, ranges (`mon-fri`, `fri-mon` wraps), lists (`sat,sun`), or `daily`/`*`.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTES_PER_DAY: u32 = 24 * 60;

/// A recurring schedule as stored and sent over REST (`{"time_zone": …, "windows": […]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// An IANA zone name (`Europe/Berlin`, `UTC`).
    pub time_zone: String,
    /// At least one window; the schedule holds while any of them does.
    pub windows: Vec<Window>,
}

/// One weekly window (`{"days": "sun", "start": "02:00", "end": "04:00"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// The days it starts on: `sun`, `mon-fri`, `sat,sun`, `daily`.
    pub days: String,
    /// Local start time `HH:MM`.
    pub start: String,
    /// Local end time `HH:MM` (exclusive; `24:00` allowed; before `start` crosses midnight).
    pub end: String,
}

impl Window {
    /// Parse the CLI form `DAYS HH:MM-HH:MM` (`sun 02:00-04:00`).
    pub fn parse(text: &str) -> Result<Window, String> {
        let (days, times) = text.trim().split_once(char::is_whitespace).ok_or_else(|| {
            format!("{text:?} is not DAYS HH:MM-HH:MM (e.g. \"sun 02:00-04:00\")")
        })?;
        let (start, end) = times.trim().split_once('-').ok_or_else(|| {
            format!("{text:?} is not DAYS HH:MM-HH:MM (e.g. \"sun 02:00-04:00\")")
        })?;
        let window = Window {
            days: days.trim().to_string(),
            start: start.trim().to_string(),
            end: end.trim().to_string(),
        };
        window.compile()?;
        Ok(window)
    }

    fn compile(&self) -> Result<CompiledWindow, String> {
        let days = parse_days(&self.days)?;
        let start = parse_minute(&self.start, false)?;
        let end = parse_minute(&self.end, true)?;
        if start == end {
            return Err(format!(
                "window {} {}-{} is empty (start and end are the same time)",
                self.days, self.start, self.end
            ));
        }
        Ok(CompiledWindow { days, start, end })
    }
}

/// A schedule ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledSchedule {
    zone: Tz,
    windows: Vec<CompiledWindow>,
}

#[derive(Debug, Clone, Copy)]
struct CompiledWindow {
    /// Bit 0 = Monday … bit 6 = Sunday.
    days: u8,
    /// Minutes after local midnight.
    start: u32,
    end: u32,
}

impl Schedule {
    /// The schedule in one line (`sun 02:00-04:00, sat 22:00-02:00 Europe/Berlin`).
    pub fn summary(&self) -> String {
        let windows: Vec<String> = self
            .windows
            .iter()
            .map(|w| format!("{} {}-{}", w.days, w.start, w.end))
            .collect();
        format!("{} {}", windows.join(", "), self.time_zone)
    }

    /// Check the zone and every window; the error names what is wrong.
    pub fn compile(&self) -> Result<CompiledSchedule, String> {
        let zone: Tz = self.time_zone.trim().parse().map_err(|_| {
            format!(
                "time_zone {:?} is not an IANA zone name (e.g. Europe/Berlin, UTC)",
                self.time_zone
            )
        })?;
        if self.windows.is_empty() {
            return Err("a schedule needs at least one window".into());
        }
        let windows = self
            .windows
            .iter()
            .map(Window::compile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CompiledSchedule { zone, windows })
    }
}

impl CompiledSchedule {
    /// Whether some window holds at `t`, read on the zone's wall clock.
    pub fn holds(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.zone);
        let day = local.weekday().num_days_from_monday();
        let yesterday = (day + 6) % 7;
        let minute = local.hour() * 60 + local.minute();
        self.windows.iter().any(|w| {
            let on = |d: u32| w.days & (1 << d) != 0;
            if w.start < w.end {
                on(day) && (w.start..w.end).contains(&minute)
            } else {
                (on(day) && minute >= w.start) || (on(yesterday) && minute < w.end)
            }
        })
    }
}

fn day_index(name: &str) -> Result<u32, String> {
    let lower = name.trim().to_ascii_lowercase();
    DAY_NAMES
        .iter()
        .position(|d| lower == *d || (lower.len() > 3 && full_name(d).starts_with(&lower)))
        .map(|i| i as u32)
        .ok_or_else(|| format!("{name:?} is not a weekday (mon, tue, wed, thu, fri, sat, sun)"))
}

fn full_name(short: &str) -> &'static str {
    match short.parse::<Weekday>() {
        Ok(Weekday::Mon) => "monday",
        Ok(Weekday::Tue) => "tuesday",
        Ok(Weekday::Wed) => "wednesday",
        Ok(Weekday::Thu) => "thursday",
        Ok(Weekday::Fri) => "friday",
        Ok(Weekday::Sat) => "saturday",
        _ => "sunday",
    }
}

fn parse_days(text: &str) -> Result<u8, String> {
    let text = text.trim();
    if matches!(text.to_ascii_lowercase().as_str(), "daily" | "*") {
        return Ok(0x7f);
    }
    let mut mask = 0u8;
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from)?, day_index(to)?);
                let mut d = from;
                loop {
                    mask |= 1 << d;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => mask |= 1 << day_index(part)?,
        }
    }
    Ok(mask)
}

fn parse_minute(text: &str, is_end: bool) -> Result<u32, String> {
    let bad = || format!("{text:?} is not a time of day HH:MM");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && (m != 0 || !is_end)) {
        return Err(bad());
    }
    Ok((h * 60 + m).min(MINUTES_PER_DAY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn schedule(zone: &str, windows: &[&str]) -> CompiledSchedule {
        Schedule {
            time_zone: zone.into(),
            windows: windows.iter().map(|w| Window::parse(w).unwrap()).collect(),
        }
        .compile()
        .unwrap()
    }

    fn at(zone: &str, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        let tz: Tz = zone.parse().unwrap();
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_weekly_window_holds_on_its_day_between_its_times() {
        let s = schedule("Europe/Berlin", &["sun 02:00-04:00"]);
        // 2026-03-01 is a Sunday.
        assert!(!s.holds(at("Europe/Berlin", 2026, 3, 1, 1, 59)));
        assert!(s.holds(at("Europe/Berlin", 2026, 3, 1, 2, 0)));
        assert!(s.holds(at("Europe/Berlin", 2026, 3, 1, 3, 59)));
        assert!(!s.holds(at("Europe/Berlin", 2026, 3, 1, 4, 0)));
        assert!(!s.holds(at("Europe/Berlin", 2026, 3, 2, 3, 0)), "Monday");
        // 03:00 Berlin is 02:00 UTC in winter: the zone, not UTC, decides.
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 3, 1, 2, 30, 0).unwrap()));
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 3, 1, 3, 30, 0).unwrap()));
    }

    #[test]
    fn a_window_ending_before_it_starts_crosses_midnight() {
        let s = schedule("UTC", &["fri 22:00-02:00"]);
        // 2026-03-06 is a Friday.
        assert!(!s.holds(at("UTC", 2026, 3, 6, 21, 59)));
        assert!(s.holds(at("UTC", 2026, 3, 6, 22, 0)));
        assert!(s.holds(at("UTC", 2026, 3, 7, 1, 59)), "Saturday morning");
        assert!(!s.holds(at("UTC", 2026, 3, 7, 2, 0)));
        assert!(!s.holds(at("UTC", 2026, 3, 7, 22, 30)), "Saturday evening");
        assert!(!s.holds(at("UTC", 2026, 3, 6, 1, 0)), "Friday morning");
    }

    #[test]
    fn daylight_saving_follows_the_wall_clock() {
        let s = schedule("Europe/Berlin", &["sun 02:00-04:00"]);
        // Spring forward, Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST, so the window is
        // 01:00-02:00 UTC, one hour.
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap()));
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()));
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 3, 29, 1, 59, 0).unwrap()));
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 3, 29, 2, 0, 0).unwrap()));
        // Fall back, Sunday 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00-04:00 local is
        // 00:00-03:00 UTC, three hours.
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 10, 24, 23, 59, 0).unwrap()));
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 10, 25, 0, 0, 0).unwrap()));
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 10, 25, 2, 59, 0).unwrap()));
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 10, 25, 3, 0, 0).unwrap()));
    }

    #[test]
    fn a_midnight_window_across_a_dst_change() {
        // Saturday 23:00 to Sunday 03:00 in New York, on the night clocks spring forward
        // (2026-03-08 02:00 EST → 03:00 EDT): 04:00 to 07:00 UTC, three hours.
        let s = schedule("America/New_York", &["sat 23:00-03:00"]);
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 3, 8, 3, 59, 0).unwrap()));
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 3, 8, 4, 0, 0).unwrap()));
        assert!(s.holds(Utc.with_ymd_and_hms(2026, 3, 8, 6, 59, 0).unwrap()));
        assert!(!s.holds(Utc.with_ymd_and_hms(2026, 3, 8, 7, 0, 0).unwrap()));
    }

    #[test]
    fn day_lists_ranges_and_daily() {
        let weekdays = schedule("UTC", &["mon-fri 09:00-17:00"]);
        assert!(weekdays.holds(at("UTC", 2026, 3, 2, 9, 0)), "Monday");
        assert!(weekdays.holds(at("UTC", 2026, 3, 6, 16, 59)), "Friday");
        assert!(!weekdays.holds(at("UTC", 2026, 3, 7, 12, 0)), "Saturday");
        let wrap = schedule("UTC", &["fri-mon 00:00-24:00"]);
        assert!(wrap.holds(at("UTC", 2026, 3, 1, 23, 59)), "Sunday");
        assert!(!wrap.holds(at("UTC", 2026, 3, 4, 12, 0)), "Wednesday");
        let weekend = schedule("UTC", &["Saturday,sun 00:00-24:00"]);
        assert!(weekend.holds(at("UTC", 2026, 3, 7, 0, 0)));
        assert!(!weekend.holds(at("UTC", 2026, 3, 6, 23, 59)));
        let daily = schedule("UTC", &["daily 23:30-00:30"]);
        assert!(daily.holds(at("UTC", 2026, 3, 4, 0, 15)));
        assert!(!daily.holds(at("UTC", 2026, 3, 4, 0, 30)));
    }

    #[test]
    fn a_schedule_reads_in_one_line() {
        let s = Schedule {
            time_zone: "Europe/Berlin".into(),
            windows: vec![
                Window::parse("sun 02:00-04:00").unwrap(),
                Window::parse("sat 22:00-02:00").unwrap(),
            ],
        };
        assert_eq!(
            s.summary(),
            "sun 02:00-04:00, sat 22:00-02:00 Europe/Berlin"
        );
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        for (text, want) in [
            ("sun", "is not DAYS HH:MM-HH:MM"),
            ("sun 02:00", "is not DAYS HH:MM-HH:MM"),
            ("sunny 02:00-04:00", "is not a weekday"),
            ("sun 25:00-04:00", "is not a time of day"),
            ("sun 24:00-04:00", "is not a time of day"),
            ("sun 02:60-04:00", "is not a time of day"),
            ("sun 02:00-02:00", "is empty"),
        ] {
            let e = Window::parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
        let e = Schedule {
            time_zone: "Mars/Olympus".into(),
            windows: vec![Window::parse("sun 02:00-04:00").unwrap()],
        }
        .compile()
        .unwrap_err();
        assert!(e.contains("not an IANA zone"), "{e}");
        let e = Schedule {
            time_zone: "UTC".into(),
            windows: vec![],
        }
        .compile()
        .unwrap_err();
        assert!(e.contains("at least one window"), "{e}");
    }
}
