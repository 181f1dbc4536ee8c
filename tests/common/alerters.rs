//! Alerters run against the test's own queues: start them, feed the ingest queue, wait until
//! every event is decided, read what was alerted.

use super::daemon::Daemon;
use super::TestEnv;
use redis::Commands;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A test's environment with a Redis connection to its queues.
pub struct Alerters {
    /// The test's databases and key prefix.
    pub t: TestEnv,
    /// A connection to the harness's Redis.
    pub redis: redis::Connection,
}

impl Alerters {
    /// Alerters for `t`.
    pub fn new(t: TestEnv) -> Alerters {
        Alerters {
            redis: super::redis(),
            t,
        }
    }

    /// `<prefix>:<rest>`.
    pub fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.t.prefix)
    }

    /// Start `mutt alert run` as `pod` (short blocking takes, no backpressure, plus `extra`)
    /// and wait until it is ready (rules loaded).
    pub fn start(&self, pod: &str, extra: &[(&str, &str)]) -> Daemon {
        let mut overrides: Vec<(&str, String)> = vec![
            ("POD_NAME", pod.into()),
            ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
            ("BRPOPLPUSH_TIMEOUT", "0.2".into()),
            ("ALERTER_QUEUE_SHED_THRESHOLD", "1000000".into()),
        ];
        overrides.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        let d = Daemon::start(&["alert", "run"], &self.t.env_with(&overrides));
        d.wait_ready();
        d
    }

    /// Queue one event.
    pub fn push(&mut self, event: &Value) {
        let _: () = self
            .redis
            .lpush(self.key("ingest_queue"), event.to_string())
            .unwrap();
    }

    /// Wait (bounded) until the ingest queue and every alerter processing list are empty.
    pub fn drained(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let queued: i64 = self.redis.llen(self.key("ingest_queue")).unwrap();
            let lists: Vec<String> = self.redis.keys(self.key("processing:alerter:*")).unwrap();
            let in_flight: i64 = lists
                .iter()
                .map(|l| self.redis.llen::<_, i64>(l).unwrap())
                .sum();
            if queued == 0 && in_flight == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not drained: {queued} queued, {in_flight} in flight"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The alerts queued, oldest first.
    pub fn alerts(&mut self) -> Vec<Value> {
        let q = self.key("alert_queue");
        super::json_list(&mut self.redis, &q)
    }
}

/// The value of one series on a daemon's `/metrics` (0 when absent).
pub fn metric(d: &Daemon, series: &str) -> f64 {
    let body = d.req("GET", "/metrics", &[], "").text();
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}
