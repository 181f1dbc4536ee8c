//! Synchronous HTTP plumbing for the daemons: routing, limits, metrics and health endpoints.

mod health;
mod metrics;
mod request;
mod response;
mod router;
mod server;

pub use health::{metrics_response, HealthBodyFn, HealthRoutes, ReadinessFn};
pub use metrics::HttpMetrics;
pub use request::{Request, CORRELATION_ID_HEADER};
pub use response::Response;
pub use router::{Handler, Router};
pub use server::{Server, ServerHandle};

/// Size limits applied to every request before it reaches a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted request body; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Largest accepted total size of all request header lines; larger gets 431.
    pub max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_header_bytes: 16 * 1024,
        }
    }
}
