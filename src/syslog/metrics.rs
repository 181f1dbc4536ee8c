//! The syslog receiver's metrics, labelled by transport (`udp`, `tcp`, `tls`, `relp`).

use crate::daemon::MetricSet;
use prometheus::{IntCounterVec, IntGaugeVec, Registry};

/// Every `mutt_syslog_*` family.
#[derive(Clone)]
pub struct Metrics {
    /// Messages taken off the wire (before any drop).
    pub received: IntCounterVec,
    /// Messages stored in the ingest queue.
    pub queued: IntCounterVec,
    /// Lines no syslog format matched: stored with the whole line as their message.
    pub parse_fallbacks: IntCounterVec,
    /// Messages longer than `SYSLOG_MAX_MESSAGE_BYTES`, stored cut to it.
    pub truncated: IntCounterVec,
    /// Messages with invalid UTF-8, stored decoded lossily.
    pub invalid_utf8: IntCounterVec,
    /// Messages lost, by reason (UDP only: streams push back instead).
    pub dropped: IntCounterVec,
    /// Stream connections open now.
    pub connections: IntGaugeVec,
    /// Stream connections accepted.
    pub connections_total: IntCounterVec,
    /// Connections or datagrams refused, by reason (`not_allowed`, `connection_limit`, `tls`).
    pub refused: IntCounterVec,
    /// Connections closed for a framing or protocol error.
    pub frame_errors: IntCounterVec,
    /// Times a listener stopped reading because the queue was full or Redis unreachable.
    pub paused: IntCounterVec,
}

impl Metrics {
    /// Register the families in `r`.
    pub fn new(r: &Registry) -> prometheus::Result<Metrics> {
        let m = MetricSet(r);
        let t = &["transport"];
        Ok(Metrics {
            received: m.counters(
                "mutt_syslog_messages_received_total",
                "Messages received",
                t,
            )?,
            queued: m.counters("mutt_syslog_messages_queued_total", "Messages queued", t)?,
            parse_fallbacks: m.counters(
                "mutt_syslog_parse_fallbacks_total",
                "Lines stored whole because no syslog format matched",
                t,
            )?,
            truncated: m.counters(
                "mutt_syslog_messages_truncated_total",
                "Messages cut to SYSLOG_MAX_MESSAGE_BYTES",
                t,
            )?,
            invalid_utf8: m.counters(
                "mutt_syslog_invalid_utf8_total",
                "Messages with invalid UTF-8, decoded lossily",
                t,
            )?,
            dropped: m.counters(
                "mutt_syslog_messages_dropped_total",
                "Messages lost (UDP cannot push back)",
                &["reason"],
            )?,
            connections: m.gauges("mutt_syslog_connections", "Open stream connections", t)?,
            connections_total: m.counters(
                "mutt_syslog_connections_total",
                "Stream connections accepted",
                t,
            )?,
            refused: m.counters(
                "mutt_syslog_refused_total",
                "Connections or datagrams refused",
                &["transport", "reason"],
            )?,
            frame_errors: m.counters(
                "mutt_syslog_frame_errors_total",
                "Connections closed for a framing or protocol error",
                t,
            )?,
            paused: m.counters(
                "mutt_syslog_backpressure_pauses_total",
                "Times reading paused until the ingest queue took a batch",
                t,
            )?,
        })
    }
}
