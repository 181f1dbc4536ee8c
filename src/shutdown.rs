//! TEMPORARY: replaced by the real module from the http work.
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
/// Shutdown flag.
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<(Mutex<bool>, Condvar)>,
}
impl Shutdown {
    /// New.
    pub fn new() -> Self {
        Self::default()
    }
    /// Trigger.
    pub fn trigger(&self) {
        *self.inner.0.lock().unwrap() = true;
        self.inner.1.notify_all();
    }
    /// Requested?
    pub fn is_requested(&self) -> bool {
        *self.inner.0.lock().unwrap()
    }
    /// Wait.
    pub fn wait_timeout(&self, d: Duration) -> bool {
        let g = self.inner.0.lock().unwrap();
        let (g, _) = self.inner.1.wait_timeout_while(g, d, |r| !*r).unwrap();
        *g
    }
    /// Signals.
    pub fn install_signal_handlers(&self) -> std::io::Result<()> {
        Ok(())
    }
}
