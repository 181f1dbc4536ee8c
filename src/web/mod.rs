//! `mutt web serve`: the REST API, the dashboard and the management pages.

pub mod pages;
pub mod rates;
pub mod slo;
pub mod version;
