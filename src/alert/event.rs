//! What the alerter does to one message, as pure functions: parse and check it, derive its id
//! and time, and build the alert, meta-alert, audit row and DLQ entry. No I/O.

use crate::rules::Decision;
use crate::wire::alert::{alert_message, meta_alert};
use crate::wire::event::Event;
use chrono::{DateTime, Utc};

/// First 16 hex characters of the SHA-1 of the message: v2.5's unhandled signature.
pub fn unhandled_signature(message: &str) -> String {
    crate::wire::sha1_hex(message)[..16].to_string()
}

/// One `event_audit_log` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Device time.
    pub event_timestamp: DateTime<Utc>,
    /// Host.
    pub hostname: String,
    /// Rule.
    pub matched_rule_id: i32,
    /// Handling chosen.
    pub handling_decision: String,
    /// Whether an alert was queued.
    pub forwarded_to_moog: bool,
    /// The queued text.
    pub raw_message: String,
    /// Idempotency key.
    pub event_id: String,
    /// The silence that held it back (then `forwarded_to_moog` is false).
    pub silenced_by: Option<i32>,
    /// The event whose alert it repeated within the dedup window (then `forwarded_to_moog` is
    /// false).
    pub dedup_of: Option<String>,
}

/// What to do with one parsed event.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Audit it, and queue `alert` if there is one.
    Handled {
        /// The audit row.
        row: AuditRow,
        /// The alert message, when forwarded.
        alert: Option<String>,
    },
    /// Unhandled, but held back by a silence: neither counted nor audited.
    Silenced {
        /// The silence.
        silence: i32,
    },
    /// Count it as unhandled.
    Unhandled {
        /// Counter key signature.
        signature: String,
        /// The meta-alert to raise if this one reaches the threshold.
        meta_alert: String,
    },
}

/// Decide what happens to an event under `decision`, held back by `silence` when one holds it:
/// a matched event is still audited (same rule, same handling) with `forwarded_to_moog = false`
/// and no alert; an unhandled one is not counted towards a meta-alert.
pub fn outcome(
    ev: &Event,
    decision: &Decision,
    silence: Option<i32>,
    threshold: i64,
    window: u64,
) -> Outcome {
    let forwarded = |forward: bool| forward && silence.is_none();
    match (decision, silence) {
        (
            Decision::Matched {
                rule_id,
                handling,
                team,
                environment,
                forward,
            },
            _,
        ) => Outcome::Handled {
            row: AuditRow {
                event_timestamp: ev.timestamp,
                hostname: ev.hostname.clone(),
                matched_rule_id: *rule_id,
                handling_decision: handling.clone(),
                forwarded_to_moog: forwarded(*forward),
                raw_message: ev.raw.clone(),
                event_id: ev.event_id.clone(),
                silenced_by: silence,
                dedup_of: None,
            },
            alert: forwarded(*forward)
                .then(|| alert_message(ev, *rule_id, handling, team, *environment)),
        },
        (Decision::Unhandled { .. }, Some(silence)) => Outcome::Silenced { silence },
        (Decision::Unhandled { team, environment }, None) => Outcome::Unhandled {
            signature: unhandled_signature(&ev.message),
            meta_alert: meta_alert(ev, team, *environment, threshold, window),
        },
    }
}

#[cfg(test)]
mod tests;
