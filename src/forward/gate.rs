//! Whether and when to send, decided with every forwarder instance: the shared circuit breaker
//! (one atomic Lua state machine, a single half-open probe) and the shared rate limit (a limited
//! alert waits; it is never dropped).

use super::metrics::Metrics;
use super::BREAKER;
use crate::settings::{dynamic_keys as dk, registry};
use crate::shutdown::Shutdown;
use crate::store::redis::dynamic::Tunables;
use crate::store::redis::keys::Keys;
use crate::store::redis::scripts::{self, BreakerDecision};
use crate::store::redis::ReconnectingConnection;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The breaker's state as the `mutt_circuit_breaker_state` gauge shows it.
fn state_number(state: &str) -> i64 {
    match state {
        "OPEN" => 2,
        "HALF_OPEN" => 1,
        _ => 0,
    }
}

/// The breaker and the rate limit, as seen from one forwarder instance.
pub(super) struct Gate {
    pub breaker_enabled: bool,
    breaker_keys: [String; 4],
    rate_key: String,
    pod: String,
    probe_ttl: Duration,
    /// Last state seen, shared with `/health`.
    state: Arc<Mutex<String>>,
    metrics: Metrics,
}

impl Gate {
    pub fn new(
        keys: &Keys,
        pod: &str,
        breaker_enabled: bool,
        probe_ttl: Duration,
        state: Arc<Mutex<String>>,
        metrics: Metrics,
    ) -> Gate {
        Gate {
            breaker_enabled,
            breaker_keys: scripts::breaker_keys(keys, BREAKER),
            rate_key: keys.moog_rate_limit().to_string(),
            pod: pod.to_string(),
            probe_ttl,
            state,
            metrics,
        }
    }

    /// Ask the breaker whether to send now: everything, one probe, or nothing.
    pub fn allow(
        &self,
        redis: &mut ReconnectingConnection,
        tunables: &Tunables,
    ) -> BreakerDecision {
        if !self.breaker_enabled {
            return BreakerDecision::Send;
        }
        let timeout = tunables.count(
            dk::CIRCUIT_BREAKER_TIMEOUT,
            &registry::CIRCUIT_BREAKER_TIMEOUT,
        );
        let (keys, ttl) = (&self.breaker_keys, self.probe_ttl.as_secs());
        match redis.run(|c| scripts::breaker_allow(c, keys, timeout, &self.pod, ttl)) {
            Ok((decision, state)) => {
                self.note_state(&state);
                decision
            }
            // Redis trouble shows up again at the take, which waits it out.
            Err(_) => BreakerDecision::Send,
        }
    }

    /// Record a chunk's outcomes in the breaker (in batch order); true when it is now not closed.
    pub fn record(
        &self,
        redis: &mut ReconnectingConnection,
        tunables: &Tunables,
        successes: &[bool],
    ) -> bool {
        if !self.breaker_enabled {
            return false;
        }
        let threshold = tunables.count(
            dk::CIRCUIT_BREAKER_THRESHOLD,
            &registry::CIRCUIT_BREAKER_THRESHOLD,
        );
        let keys = &self.breaker_keys;
        match redis.run(|c| scripts::breaker_record(c, keys, threshold, successes)) {
            Ok((state, failures)) => {
                self.metrics
                    .breaker_failures
                    .with_label_values(&[BREAKER])
                    .set(failures);
                self.note_state(&state);
                state != "CLOSED"
            }
            Err(_) => false,
        }
    }

    /// Wait for up to `wanted` permits of the shared limit; `None` if shutdown came first.
    pub fn permits(
        &self,
        redis: &mut ReconnectingConnection,
        tunables: &Tunables,
        shutdown: &Shutdown,
        wanted: u64,
    ) -> Option<u64> {
        loop {
            let limit = tunables
                .count(dk::MOOG_RATE_LIMIT, &registry::MOOG_RATE_LIMIT)
                .max(1);
            let period_ms = tunables
                .count(dk::MOOG_RATE_PERIOD, &registry::MOOG_RATE_PERIOD)
                .max(1)
                * 1000;
            match redis.run_until_ok(shutdown, |c| {
                scripts::permits(c, &self.rate_key, limit, period_ms, wanted)
            })? {
                Ok((granted, _)) if granted > 0 => return Some(granted),
                Ok((_, wait_ms)) => {
                    self.metrics.rate_limit_hits.inc();
                    if shutdown.wait_timeout(Duration::from_millis(wait_ms.max(1))) {
                        return None;
                    }
                }
                Err(e) => {
                    log::warn!("rate limit: {e}");
                    if shutdown.wait_timeout(Duration::from_millis(200)) {
                        return None;
                    }
                }
            }
        }
    }

    fn note_state(&self, state: &str) {
        if let Ok(mut cur) = self.state.lock() {
            if *cur != state {
                self.metrics
                    .breaker_changes
                    .with_label_values(&[BREAKER, cur.as_str(), state])
                    .inc();
                log::warn!("circuit breaker {BREAKER}: {cur} -> {state}");
                *cur = state.to_string();
            }
        }
        self.metrics
            .breaker_state
            .with_label_values(&[BREAKER])
            .set(state_number(state));
    }
}
