//! The wire formats: the JSON messages mutt exchanges through Redis with itself and with v2.5
//! daemons, and the rule rows both read. Each submodule names the v2.5 shape it keeps and what
//! mutt adds; everything that builds or reads one of these messages goes through here.
//!
//! - [`event`]: an event on `mutt:ingest_queue` (parsed by the alerter, stamped by ingest).
//! - [`alert`]: an alert on `mutt:alert_queue` and the retry set (built by the alerter, read by the
//!   forwarder).
//! - [`dlq`]: a dead letter in `mutt:dlq:*` and its replay.
//! - [`rule`]: a rule row and the environment a host is in.

pub mod alert;
pub mod dlq;
pub mod event;
pub mod rule;

/// Hex SHA-1 of a message (the deliveries hash field; same as Lua's `redis.sha1hex`).
pub fn sha1_hex(text: &str) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_known_vectors() {
        assert_eq!(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}
