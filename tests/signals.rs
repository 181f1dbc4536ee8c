//! Signal handling runs in its own test binary because signals are process-wide.

use std::sync::atomic::Ordering;
use std::time::Duration;

use mutt::shutdown::{sighup_flag, Shutdown};
use signal_hook::consts::{SIGHUP, SIGTERM};
use signal_hook::low_level::raise;

#[test]
fn sigterm_requests_shutdown_and_sighup_sets_flag() {
    let shutdown = Shutdown::new();
    shutdown
        .install_signal_handlers()
        .expect("install handlers");
    let hup = sighup_flag().expect("register SIGHUP");

    assert!(!hup.load(Ordering::SeqCst));
    raise(SIGHUP).expect("raise SIGHUP");
    assert!(hup.load(Ordering::SeqCst));
    assert!(!shutdown.is_requested());

    raise(SIGTERM).expect("raise SIGTERM");
    assert!(shutdown.wait_timeout(Duration::from_secs(10)));
}
