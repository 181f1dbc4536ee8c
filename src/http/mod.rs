//! HTTP plumbing for the daemons: routing, limits, metrics and health endpoints.
//!
//! Handlers are plain synchronous functions; the transport underneath is hyper on a small
//! tokio runtime owned by [`Server`], with handlers run on its blocking pool.

use std::time::Duration;

mod health;
mod metrics;
mod request;
mod response;
mod router;
mod server;
mod tls;
pub mod version;

pub use health::{flag_check, metrics_response, HealthBodyFn, HealthRoutes, ReadinessFn};
pub use metrics::{registered, HttpMetrics};
pub use request::{Request, CORRELATION_ID_HEADER};
pub use response::Response;
pub use router::{Handler, Router};
pub use server::{Server, ServerHandle};
pub use tls::{client_config_with_ca, listener_tls, Handshake, ServerTls, TlsFiles};

/// Size and time limits applied to every request before it reaches a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted request body; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Largest accepted total size of all request header lines; larger gets 431.
    pub max_header_bytes: usize,
    /// Longest wait for a complete request head, also between keep-alive requests; then the
    /// connection is closed without an answer. `Duration::ZERO` disables it.
    pub header_read_timeout: Duration,
    /// Longest time to receive a whole request body once its head arrived; then 408.
    /// `Duration::ZERO` disables it.
    pub body_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_header_bytes: 16 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}
