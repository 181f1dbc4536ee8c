//! Syslog reception for `mutt syslog serve`: turning received lines into ingest events.

pub mod parse;
