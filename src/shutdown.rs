//! Process-wide shutdown coordination and signal handling.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Cloneable handle used to request and observe a graceful shutdown.
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    requested: AtomicBool,
    // The flag is flipped while holding this lock so a waiter cannot check the flag,
    // miss the notification, and then sleep for its whole timeout.
    lock: Mutex<()>,
    wakeup: Condvar,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shutdown")
            .field("requested", &self.is_requested())
            .finish()
    }
}

impl Shutdown {
    /// Creates a handle in the "running" state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests shutdown on SIGTERM or SIGINT.
    ///
    /// A background thread receives the signals so that condvar waiters can be woken,
    /// which is not possible from inside an async-signal handler.
    pub fn install_signal_handlers(&self) -> std::io::Result<()> {
        let mut signals = Signals::new([SIGTERM, SIGINT])?;
        let shutdown = self.clone();
        thread::Builder::new()
            .name("shutdown-signals".to_owned())
            .spawn(move || {
                for signal in signals.forever() {
                    log::info!("received signal {signal}, shutting down");
                    shutdown.trigger();
                }
            })?;
        Ok(())
    }

    /// Requests shutdown and wakes every waiter immediately.
    pub fn trigger(&self) {
        let _guard = self
            .inner
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner.requested.store(true, Ordering::SeqCst);
        self.inner.wakeup.notify_all();
    }

    /// Returns whether shutdown has been requested.
    pub fn is_requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }

    /// Sleeps until shutdown is requested or `timeout` elapses; returns true if requested.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut guard = self
            .inner
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.is_requested() {
                return true;
            }
            let remaining = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                // A timeout too large to represent is effectively "forever".
                None => Duration::MAX,
            };
            if remaining.is_zero() {
                return false;
            }
            guard = self
                .inner
                .wakeup
                .wait_timeout(guard, remaining)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Blocks until shutdown is requested.
    pub fn wait(&self) {
        let mut guard = self
            .inner
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !self.is_requested() {
            guard = self
                .inner
                .wakeup
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Registers SIGHUP to set the returned flag; daemons poll and clear it to reload config.
pub fn sighup_flag() -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(SIGHUP, Arc::clone(&flag))?;
    Ok(flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_timeout_returns_false_when_not_triggered() {
        let shutdown = Shutdown::new();
        assert!(!shutdown.wait_timeout(Duration::from_millis(20)));
        assert!(!shutdown.is_requested());
    }

    #[test]
    fn trigger_wakes_waiter_promptly() {
        let shutdown = Shutdown::new();
        let waiter = shutdown.clone();
        let started = Instant::now();
        let handle = thread::spawn(move || waiter.wait_timeout(Duration::from_secs(30)));
        thread::sleep(Duration::from_millis(50));
        shutdown.trigger();
        assert!(handle.join().expect("waiter thread"));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(shutdown.is_requested());
        shutdown.wait();
    }
}
