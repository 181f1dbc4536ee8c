//! Exponential backoff with full jitter: the one schedule every reconnect and retry loop uses.
//!
//! Pure arithmetic so it can be tested without a server; the caller sleeps.

use std::time::Duration;

/// A reconnect schedule: attempt `n` waits a random time in `[0, min(max, base * 2^n)]`.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// A schedule starting at `base` and never waiting longer than `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max: max.max(base),
            attempt: 0,
        }
    }

    /// The upper bound of the wait before attempt `attempt` (0-based), before jitter.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        // Saturate the shift: 2^31 * base is far past any sane max already.
        let factor = 1u64.checked_shl(attempt.min(31)).unwrap_or(u64::MAX);
        let millis = (self.base.as_millis() as u64).saturating_mul(factor);
        Duration::from_millis(millis).min(self.max)
    }

    /// The next wait, with full jitter, and advance the attempt counter.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        jitter(ceiling)
    }

    /// Forget past failures after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// How many delays have been handed out since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}

/// A uniformly random duration in `[0, ceiling]`.
pub fn jitter(ceiling: Duration) -> Duration {
    let millis = ceiling.as_millis() as u64;
    if millis == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::random_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let ceilings: Vec<u64> = (0..6).map(|n| b.ceiling(n).as_millis() as u64).collect();
        assert_eq!(ceilings, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.ceiling(200), Duration::from_secs(1));
    }

    #[test]
    fn delays_stay_within_ceiling_and_reset_restarts() {
        let mut b = Backoff::new(Duration::from_millis(50), Duration::from_millis(400));
        for n in 0..10 {
            let ceiling = b.ceiling(n);
            let d = b.next_delay();
            assert!(d <= ceiling, "attempt {n}: {d:?} > {ceiling:?}");
        }
        assert_eq!(b.attempts(), 10);
        b.reset();
        assert_eq!(b.attempts(), 0);
        assert!(b.next_delay() <= Duration::from_millis(50));
    }

    #[test]
    fn max_below_base_is_raised_to_base() {
        let b = Backoff::new(Duration::from_millis(500), Duration::from_millis(10));
        assert_eq!(b.ceiling(3), Duration::from_millis(500));
    }
}
