//! PostgreSQL: the r2d2 pool (timeouts, verified TLS, CURRENT/NEXT passwords on every connect),
//! the embedded migrations of `migrations/`, and monthly partitions of `event_audit_log`.

pub mod migrate;
pub mod partitions;
pub mod pool;
pub mod rules;
pub mod silences;

pub use pool::{DbError, PgConfig, PgConnector, Pool};
