//! Developer tooling: private Redis and PostgreSQL servers for the test harness and `mutt up`.

pub mod e2e;
pub mod load;
pub mod mock_moog;
pub mod services;
