//! The alerter's cache of rules, development hosts and device teams: loaded from PostgreSQL,
//! swapped atomically, reloaded on a timer, on SIGHUP and on a change notice.

use crate::rules::Snapshot;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Notices on `mutt:config:updates` that mean "reload" (the empty notice means "resynced after a
/// reconnect: something may have been missed").
pub const RELOAD_NOTICES: [&str; 5] = [
    "alert_rules",
    "development_hosts",
    "device_teams",
    "silences",
    "",
];

/// The current snapshot and the reload machinery.
#[derive(Default)]
pub struct Cache {
    current: RwLock<Option<(Arc<Snapshot>, Instant)>>,
    requested: Mutex<bool>,
    wake: Condvar,
}

impl Cache {
    /// An empty cache (not ready until the first load).
    pub fn new() -> Arc<Cache> {
        Arc::new(Cache::default())
    }

    /// The snapshot in use, if one was ever loaded.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .map(|(s, _)| Arc::clone(s))
    }

    /// The snapshot in use and the time since it was loaded (read together, so they agree).
    pub fn loaded(&self) -> Option<(Arc<Snapshot>, Duration)> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .map(|(s, at)| (Arc::clone(s), at.elapsed()))
    }

    /// Seconds since the last successful load.
    pub fn age(&self) -> Option<Duration> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .map(|(_, at)| at.elapsed())
    }

    /// Install a new snapshot.
    pub fn swap(&self, snapshot: Snapshot) {
        if let Ok(mut cur) = self.current.write() {
            *cur = Some((Arc::new(snapshot), Instant::now()));
        }
    }

    /// Ask the reload thread to reload now.
    pub fn request_reload(&self) {
        if let Ok(mut r) = self.requested.lock() {
            *r = true;
            self.wake.notify_all();
        }
    }

    /// Wait until a reload is requested or `timeout` passes; true if requested.
    pub fn wait_for_request(&self, timeout: Duration) -> bool {
        let Ok(guard) = self.requested.lock() else {
            return false;
        };
        let Ok((mut guard, _)) = self.wake.wait_timeout_while(guard, timeout, |r| !*r) else {
            return false;
        };
        std::mem::take(&mut *guard)
    }
}
