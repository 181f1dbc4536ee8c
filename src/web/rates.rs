//! The dashboard's ingest rates from the per-minute and per-hour counters the ingestor keeps.
//!
//! v2.5 SCANned the minute keys and averaged only the minutes that had traffic, and reported the
//! partial current minute as "current" (reference/webui.md §8 item 34). Here every key name is
//! derived from the clock, the windows are zero-filled, "current" is the last complete minute,
//! and one MGET reads everything.

use crate::store::redis::keys::{Keys, Window};
use chrono::{DateTime, Duration as TimeDelta, Utc};
use serde::Serialize;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Complete minutes read: the longest average is over one hour.
const MINUTES: usize = 60;
/// Complete minutes in the short average.
const SHORT_WINDOW_MINUTES: usize = 15;
/// Hourly buckets in the chart (one day).
const CHART_HOURS: usize = 24;
/// An hourly total divided by this is a per-minute rate, the unit of every figure here.
const MINUTES_PER_HOUR: f64 = 60.0;
/// Figures are rounded to cents of an event per minute (v2.5's 2 decimals).
const ROUNDING_SCALE: f64 = 100.0;
/// Chart label of an hourly bucket.
const HOUR_LABEL_FORMAT: &str = "%H:00";

/// The rates as served on /api/*/metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngestRates {
    /// Recent per-minute rates.
    pub summary: Summary,
    /// The last 24 hours, one point per hour.
    pub chart_24h: Chart,
}

/// Events per minute over the recent complete minutes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Events in the last complete minute.
    pub current_rate_1m: f64,
    /// Mean over the last 15 complete minutes (minutes without events count as 0).
    pub avg_rate_15m: f64,
    /// Mean over the last 60 complete minutes (minutes without events count as 0).
    pub avg_rate_1h: f64,
}

/// Hourly per-minute rates, oldest first; the last point is the current (partial) hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// `HH:00` (UTC) of each hour.
    pub labels: Vec<String>,
    /// The hour's total divided by 60.
    pub data: Vec<f64>,
}

/// Key names to MGET for `now` (60 minute keys newest first, then 24 hour keys oldest first) — pure.
pub fn keys_for(keys: &Keys, now: DateTime<Utc>) -> Vec<String> {
    let minutes =
        (1..=MINUTES).map(|back| keys.metrics_counter(Window::Minute, minutes_ago(now, back)));
    let hours = chart_hours(now).map(|at| keys.metrics_counter(Window::Hour, at));
    minutes.chain(hours).collect()
}

/// Compute from the MGET values in the order of `keys_for` (missing / non-numeric → 0) — pure.
pub fn compute(values: &[Option<String>], now: DateTime<Utc>) -> IngestRates {
    let value = |i: usize| {
        values
            .get(i)
            .and_then(|v| count(v.as_deref()))
            .unwrap_or(0.0)
    };
    let minutes: Vec<f64> = (0..MINUTES).map(value).collect();
    let mean = |n: usize| minutes[..n].iter().sum::<f64>() / n as f64;
    let (labels, data) = chart_hours(now)
        .enumerate()
        .map(|(i, at)| {
            let total = value(MINUTES + i);
            (
                at.format(HOUR_LABEL_FORMAT).to_string(),
                round2(total / MINUTES_PER_HOUR),
            )
        })
        .unzip();
    IngestRates {
        summary: Summary {
            current_rate_1m: round2(minutes[0]),
            avg_rate_15m: round2(mean(SHORT_WINDOW_MINUTES)),
            avg_rate_1h: round2(mean(MINUTES)),
        },
        chart_24h: Chart { labels, data },
    }
}

/// One MGET and compute.
pub fn read(
    conn: &mut redis::Connection,
    keys: &Keys,
    now: DateTime<Utc>,
) -> redis::RedisResult<IngestRates> {
    let names = keys_for(keys, now);
    let values: Vec<Option<String>> = redis::cmd("MGET").arg(&names).query(conn)?;
    Ok(compute(&values, now))
}

/// `now` moved back by `back` minutes.
fn minutes_ago(now: DateTime<Utc>, back: usize) -> DateTime<Utc> {
    now - TimeDelta::minutes(back as i64)
}

/// The instants (within their hour) of the chart's buckets, oldest first, ending with `now`'s hour.
fn chart_hours(now: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> {
    (0..CHART_HOURS)
        .rev()
        .map(move |back| now - TimeDelta::hours(back as i64))
}

/// A counter value; anything but a finite non-negative number reads as no events.
fn count(raw: Option<&str>) -> Option<f64> {
    raw.and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// Rounded to 2 decimals.
fn round2(v: f64) -> f64 {
    (v * ROUNDING_SCALE).round() / ROUNDING_SCALE
}

/// A cached answer and whether it was reused (v2.5 counts reuses as `success_cached`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cached<T> {
    /// The answer.
    pub value: T,
    /// True when it was computed by an earlier call.
    pub cached: bool,
}

/// Reuse of an answer younger than a TTL, shared by the rates and the SLO caches.
///
/// One refresh at a time: callers arriving during a slow refresh wait for it and reuse its
/// answer instead of all querying the backend at once.
#[derive(Debug)]
pub(super) struct TtlCache<T> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, T)>>,
    refresh: Mutex<()>,
}

/// A poisoned lock only means another request panicked; the cached data is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T: Clone> TtlCache<T> {
    pub(super) fn new(ttl: Duration) -> TtlCache<T> {
        TtlCache {
            ttl,
            slot: Mutex::new(None),
            refresh: Mutex::new(()),
        }
    }

    fn fresh(&self, now: Instant) -> Option<T> {
        lock(&self.slot)
            .as_ref()
            .filter(|(at, _)| now.saturating_duration_since(*at) < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// The cached answer if young enough, else `compute`'s (stored only when it succeeds).
    pub(super) fn get_or_try<E>(
        &self,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<Cached<T>, E> {
        let reused = |value| Cached {
            value,
            cached: true,
        };
        if let Some(v) = self.fresh(Instant::now()) {
            return Ok(reused(v));
        }
        let _refreshing = lock(&self.refresh);
        if let Some(v) = self.fresh(Instant::now()) {
            return Ok(reused(v));
        }
        let value = compute()?;
        *lock(&self.slot) = Some((Instant::now(), value.clone()));
        Ok(Cached {
            value,
            cached: false,
        })
    }
}

/// Thread-safe reuse of the ingest rates for `METRICS_CACHE_TTL`; errors are never cached.
#[derive(Debug)]
pub struct RatesCache(TtlCache<IngestRates>);

impl RatesCache {
    /// A cache reusing answers younger than `ttl` (zero: never reuse).
    pub fn new(ttl: Duration) -> RatesCache {
        RatesCache(TtlCache::new(ttl))
    }

    /// The cached rates if young enough, else `compute`'s (typically a [`read`]).
    pub fn get<E>(
        &self,
        compute: impl FnOnce() -> Result<IngestRates, E>,
    ) -> Result<Cached<IngestRates>, E> {
        self.0.get_or_try(compute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::convert::Infallible;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn keys() -> Keys {
        Keys::with_prefix("mutt")
    }

    /// MGET values for `keys_for(now)` from a map of key name → value.
    fn values_for(now: DateTime<Utc>, set: &[(&str, &str)]) -> Vec<Option<String>> {
        keys_for(&keys(), now)
            .iter()
            .map(|k| {
                set.iter()
                    .find(|(name, _)| name == k)
                    .map(|(_, v)| v.to_string())
            })
            .collect()
    }

    #[test]
    fn keys_are_complete_minutes_newest_first_then_hours_oldest_first() {
        let now = at(2026, 3, 4, 10, 30, 45);
        let ks = keys_for(&keys(), now);
        assert_eq!(ks.len(), MINUTES + CHART_HOURS);
        assert_eq!(ks[0], "mutt:metrics:1m:2026-03-04T10:29");
        assert_eq!(ks[1], "mutt:metrics:1m:2026-03-04T10:28");
        assert_eq!(ks[MINUTES - 1], "mutt:metrics:1m:2026-03-04T09:30");
        assert_eq!(ks[MINUTES], "mutt:metrics:1h:2026-03-03T11");
        assert_eq!(
            ks[MINUTES + CHART_HOURS - 1],
            "mutt:metrics:1h:2026-03-04T10"
        );
        assert!(!ks.contains(&"mutt:metrics:1m:2026-03-04T10:30".to_string()));
    }

    #[test]
    fn current_rate_is_the_last_complete_minute() {
        let now = at(2026, 3, 4, 10, 30, 5);
        let v = values_for(
            now,
            &[
                ("mutt:metrics:1m:2026-03-04T10:30", "999"),
                ("mutt:metrics:1m:2026-03-04T10:29", "42"),
            ],
        );
        assert_eq!(compute(&v, now).summary.current_rate_1m, 42.0);
    }

    #[test]
    fn empty_minutes_count_as_zero() {
        let now = at(2026, 3, 4, 10, 30, 5);
        // Only three of the last 15 minutes saw traffic; v2.5 would report their mean (30).
        let v = values_for(
            now,
            &[
                ("mutt:metrics:1m:2026-03-04T10:29", "30"),
                ("mutt:metrics:1m:2026-03-04T10:20", "30"),
                ("mutt:metrics:1m:2026-03-04T10:15", "30"),
                ("mutt:metrics:1m:2026-03-04T09:45", "60"),
            ],
        );
        let s = compute(&v, now).summary;
        assert_eq!(s.avg_rate_15m, 6.0);
        assert_eq!(s.avg_rate_1h, 2.5);
    }

    #[test]
    fn missing_and_garbage_values_read_as_zero() {
        let now = at(2026, 3, 4, 10, 30, 5);
        let mut v = values_for(now, &[]);
        v[0] = Some("not a number".into());
        v[1] = Some("-5".into());
        v[2] = Some("NaN".into());
        v[3] = Some(" 15 ".into());
        let r = compute(&v, now);
        assert_eq!(r.summary.current_rate_1m, 0.0);
        assert_eq!(r.summary.avg_rate_15m, 1.0);
        // A short reply is treated as missing keys, never a panic.
        let short = compute(&[Some("7".into())], now);
        assert_eq!(short.summary.current_rate_1m, 7.0);
        assert_eq!(short.chart_24h.data, vec![0.0; CHART_HOURS]);
        assert_eq!(compute(&[], now).summary.avg_rate_1h, 0.0);
    }

    #[test]
    fn figures_are_rounded_to_two_decimals() {
        let now = at(2026, 3, 4, 10, 30, 5);
        let v = values_for(
            now,
            &[
                ("mutt:metrics:1m:2026-03-04T10:29", "1"),
                ("mutt:metrics:1m:2026-03-04T10:28", "1"),
                ("mutt:metrics:1h:2026-03-04T10", "100"),
            ],
        );
        let r = compute(&v, now);
        assert_eq!(r.summary.avg_rate_15m, 0.13); // 2/15 = 0.1333…
        assert_eq!(r.summary.avg_rate_1h, 0.03); // 2/60 = 0.0333…
        assert_eq!(r.chart_24h.data[CHART_HOURS - 1], 1.67); // 100/60 = 1.666…
    }

    #[test]
    fn chart_runs_oldest_to_current_hour_across_midnight() {
        let now = at(2026, 1, 1, 1, 5, 0);
        let v = values_for(
            now,
            &[
                ("mutt:metrics:1h:2025-12-31T02", "60"),
                ("mutt:metrics:1h:2025-12-31T23", "120"),
                ("mutt:metrics:1h:2026-01-01T00", "180"),
                ("mutt:metrics:1h:2026-01-01T01", "30"),
            ],
        );
        let c = compute(&v, now).chart_24h;
        assert_eq!(c.labels.len(), CHART_HOURS);
        assert_eq!(c.labels[0], "02:00");
        assert_eq!(c.labels[21], "23:00");
        assert_eq!(c.labels[22], "00:00");
        assert_eq!(c.labels[23], "01:00");
        assert_eq!(c.data[0], 1.0);
        assert_eq!(c.data[21], 2.0);
        assert_eq!(c.data[22], 3.0);
        assert_eq!(c.data[23], 0.5);
        assert_eq!(c.data[1..21], [0.0; 20]);
    }

    #[test]
    fn minute_window_crosses_midnight() {
        let now = at(2026, 1, 1, 0, 0, 30);
        let ks = keys_for(&keys(), now);
        assert_eq!(ks[0], "mutt:metrics:1m:2025-12-31T23:59");
        assert_eq!(ks[MINUTES - 1], "mutt:metrics:1m:2025-12-31T23:00");
    }

    #[test]
    fn serialises_in_the_v25_shape() {
        let now = at(2026, 3, 4, 10, 30, 5);
        let j = serde_json::to_value(compute(&[], now)).unwrap();
        for k in ["current_rate_1m", "avg_rate_15m", "avg_rate_1h"] {
            assert!(j["summary"][k].is_f64(), "{k}");
        }
        assert_eq!(j["chart_24h"]["labels"].as_array().unwrap().len(), 24);
        assert_eq!(j["chart_24h"]["data"].as_array().unwrap().len(), 24);
    }

    #[test]
    fn cache_reuses_young_answers_and_never_caches_errors() {
        let now = at(2026, 3, 4, 10, 30, 5);
        let cache = RatesCache::new(Duration::from_secs(3600));
        let failed: Result<Cached<IngestRates>, &str> = cache.get(|| Err("redis down"));
        assert_eq!(failed, Err("redis down"));
        let first = cache
            .get(|| Ok::<_, Infallible>(compute(&[], now)))
            .unwrap();
        assert!(!first.cached);
        let second = cache
            .get(|| -> Result<IngestRates, Infallible> { panic!("must reuse") })
            .unwrap();
        assert!(second.cached);
        assert_eq!(second.value, first.value);
    }

    #[test]
    fn zero_ttl_cache_always_recomputes() {
        let now = at(2026, 3, 4, 10, 30, 5);
        let cache = RatesCache::new(Duration::ZERO);
        for _ in 0..2 {
            let got = cache
                .get(|| Ok::<_, Infallible>(compute(&[], now)))
                .unwrap();
            assert!(!got.cached);
        }
    }

    #[test]
    fn concurrent_callers_share_one_refresh() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let now = at(2026, 3, 4, 10, 30, 5);
        let cache = RatesCache::new(Duration::from_secs(3600));
        let computed = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    cache
                        .get(|| {
                            computed.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                            Ok::<_, Infallible>(compute(&[], now))
                        })
                        .unwrap()
                });
            }
        });
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }
}
