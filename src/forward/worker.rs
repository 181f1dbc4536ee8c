//! The forwarder's loop: take a batch (the reliable queue the alerter uses too), send it in
//! chunks as the shared rate limit grants permits, record each chunk in the breaker, then settle
//! it in one Redis transaction: retries scheduled, DLQ entries pushed, what was not sent put back,
//! the batch acknowledged.

use super::gate::Gate;
use super::metrics::Metrics;
use super::payload::{self, Outcome};
use super::sender::{Job, Senders};
use crate::daemon::{self, Flag};
use crate::queue::{Delivery, ReliableQueue};
use crate::shutdown::Shutdown;
use crate::store::redis::dynamic::Tunables;
use crate::store::redis::keys::{Dlq, Keys};
use crate::store::redis::scripts::{self, BreakerDecision};
use crate::store::redis::ReconnectingConnection;
use crate::trace::{Span, SpanKind, TraceContext};
use serde_json::{Map, Value};
use std::sync::mpsc;
use std::time::Duration;

// While the breaker is open, ask it again this often.
const BREAKER_POLL: Duration = Duration::from_millis(250);
// How long a take waits for alerts before the loop looks at the breaker again.
const TAKE_BLOCK: Duration = Duration::from_millis(500);

/// One forwarder instance's loop state.
pub(super) struct Worker {
    pub keys: Keys,
    pub queue: ReliableQueue,
    pub redis: ReconnectingConnection,
    pub gate: Gate,
    pub tunables: Tunables,
    pub metrics: Metrics,
    pub redis_ok: Flag,
    pub senders: Option<Senders>,
    pub pod: String,
    pub take_size: usize,
    pub per_request: usize,
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub retry_loaded: bool,
    pub shutdown: Shutdown,
}

/// What to do with a batch once sending is over.
#[derive(Default)]
struct Settle {
    retries: Vec<(u64, String)>,
    dlq: Vec<String>,
    unsent: Vec<String>,
    delivered: u64,
}

impl daemon::Worker for Worker {
    fn step(&mut self) -> bool {
        let decision = self.gate.allow(&mut self.redis, &self.tunables);
        if decision == BreakerDecision::Wait {
            return !self.shutdown.wait_timeout(BREAKER_POLL);
        }
        let max = if decision == BreakerDecision::Probe {
            1
        } else {
            self.take_size
        };
        let queue = self.queue.clone();
        let Some(batch) = daemon::take(
            &mut self.redis,
            &queue,
            max,
            TAKE_BLOCK,
            &self.shutdown,
            &self.redis_ok,
        ) else {
            return false;
        };
        if batch.is_empty() {
            if decision == BreakerDecision::Probe {
                // Nothing to probe with: hand the probe back by letting it expire.
                log::debug!("breaker probe granted but the queue is empty");
            }
            return true;
        }
        self.process(&batch);
        true
    }

    fn drain(&mut self) {
        // Requests in flight are answered before the heartbeat stops.
        if let Some(senders) = self.senders.take() {
            senders.join();
        }
    }

    fn leave(&mut self) {
        daemon::leave(&mut self.redis, &self.queue);
    }
}

impl Worker {
    fn process(&mut self, batch: &[Delivery]) {
        // The batch is its own trace; each POST gets a span in its alert's trace.
        let mut batch_span = Span::start(
            "forward.batch",
            SpanKind::Internal,
            TraceContext::new_root(),
            None,
        );
        batch_span.attr("mutt.batch_size", batch.len() as u64);
        let now_epoch = chrono::Utc::now().timestamp();
        let mut settle = Settle::default();
        // Parse everything first; what cannot be sent at all is dead-lettered.
        let mut alerts: Vec<Option<Map<String, Value>>> = Vec::with_capacity(batch.len());
        for d in batch {
            match serde_json::from_str::<Value>(&d.raw) {
                Ok(Value::Object(m)) => alerts.push(Some(m)),
                _ => {
                    settle.dlq.push(crate::wire::dlq::dlq_entry_for_text(
                        &d.raw,
                        "alert is not a JSON object",
                        0,
                        &self.pod,
                        chrono::Utc::now(),
                    ));
                    self.metrics.processed.with_label_values(&["dlq"]).inc();
                    alerts.push(None);
                }
            }
        }
        let mut pending: Vec<usize> = (0..batch.len()).filter(|i| alerts[*i].is_some()).collect();
        let mut breaker_opened = false;
        while !pending.is_empty() && !self.shutdown.is_requested() && !breaker_opened {
            let granted = self.gate.permits(
                &mut self.redis,
                &self.tunables,
                &self.shutdown,
                pending.len() as u64,
            );
            let Some(granted) = granted else { break };
            let chunk: Vec<usize> = pending.drain(..granted as usize).collect();
            let outcomes = self.send(&chunk, &alerts, now_epoch);
            let mut successes = Vec::with_capacity(outcomes.len());
            for (i, outcome) in outcomes {
                successes.push(!outcome.is_failure());
                self.settle_one(&mut settle, &alerts[i], outcome);
            }
            breaker_opened = self
                .gate
                .record(&mut self.redis, &self.tunables, &successes);
        }
        // Not sent (breaker opened, shutdown): back to the front of the line, retries untouched.
        settle.unsent = pending.iter().map(|i| batch[*i].raw.clone()).collect();
        self.commit(batch, settle);
    }

    /// Send the alerts at `chunk` (in requests of `per_request`); returns each alert's outcome.
    fn send(
        &mut self,
        chunk: &[usize],
        alerts: &[Option<Map<String, Value>>],
        now_epoch: i64,
    ) -> Vec<(usize, Outcome)> {
        let Some(tx) = self.senders.as_ref().and_then(|s| s.tx.clone()) else {
            return Vec::new();
        };
        let (reply_tx, reply_rx) = mpsc::channel();
        let batching = self.per_request > 1;
        let mut requests = 0;
        for group in chunk.chunks(self.per_request.max(1)) {
            let events: Vec<Value> = group
                .iter()
                .filter_map(|i| {
                    alerts[*i]
                        .as_ref()
                        .map(|a| payload::moog_event(a, now_epoch))
                })
                .collect();
            // One header per request: a batched request continues its first alert's trace.
            let (trace, trace_parent) = TraceContext::continue_from(
                group
                    .first()
                    .and_then(|i| alerts[*i].as_ref())
                    .and_then(|a| a.get(crate::trace::QUEUE_FIELD))
                    .and_then(Value::as_str),
            );
            let job = Job {
                indexes: group.to_vec(),
                body: payload::request_body(&events, batching),
                trace,
                trace_parent,
                reply: reply_tx.clone(),
            };
            if tx.send(job).is_ok() {
                requests += 1;
            }
        }
        drop(reply_tx);
        let mut out = Vec::with_capacity(chunk.len());
        for _ in 0..requests {
            let Ok((indexes, outcome, elapsed)) = reply_rx.recv() else {
                break;
            };
            self.metrics.latency.observe(elapsed.as_secs_f64());
            let (status, reason) = match &outcome {
                Outcome::Delivered => ("success", ""),
                Outcome::Retry {
                    status: Some(429), ..
                } => ("fail", "rate_limit"),
                _ => ("fail", "http"),
            };
            self.metrics
                .requests
                .with_label_values(&[status, reason])
                .inc();
            for i in indexes {
                out.push((i, outcome.clone()));
            }
        }
        // Keep the batch's order for the breaker's "consecutive" count and the DLQ.
        out.sort_by_key(|(i, _)| *i);
        out
    }

    fn settle_one(
        &self,
        settle: &mut Settle,
        alert: &Option<Map<String, Value>>,
        outcome: Outcome,
    ) {
        let Some(alert) = alert else { return };
        let now = chrono::Utc::now();
        match outcome {
            Outcome::Delivered => {
                settle.delivered += 1;
                self.metrics.processed.with_label_values(&["success"]).inc();
            }
            Outcome::Retry {
                status,
                retry_after,
                error,
            } => {
                let attempt = crate::wire::alert::retry_count(alert) + 1;
                if attempt > self.max_retries {
                    self.metrics
                        .requests
                        .with_label_values(&["fail", "retry_exhausted"])
                        .inc();
                    self.metrics.processed.with_label_values(&["dlq"]).inc();
                    settle.dlq.push(crate::wire::dlq::dlq_entry(
                        alert.clone(),
                        "retries exhausted",
                        attempt,
                        status,
                        &error,
                        &self.pod,
                        now,
                    ));
                } else {
                    let delay =
                        payload::retry_delay(attempt, self.base_delay, self.max_delay, retry_after);
                    self.metrics.processed.with_label_values(&["error"]).inc();
                    self.metrics.retries_scheduled.inc();
                    settle.retries.push((
                        delay.as_millis() as u64,
                        crate::wire::alert::with_retry_count(alert, attempt),
                    ));
                }
            }
            Outcome::Reject { status, error } => {
                self.metrics.processed.with_label_values(&["dlq"]).inc();
                settle.dlq.push(crate::wire::dlq::dlq_entry(
                    alert.clone(),
                    "rejected by Moog",
                    crate::wire::alert::retry_count(alert) + 1,
                    Some(status),
                    &error,
                    &self.pod,
                    now,
                ));
            }
        }
    }

    fn commit(&mut self, batch: &[Delivery], settle: Settle) {
        let (retry_set, dlq, alert_queue) = (
            self.keys.moog_retry(),
            self.keys.dlq(Dlq::Moog).to_string(),
            self.keys.alert_queue().to_string(),
        );
        let queue = self.queue.clone();
        let mut loaded = self.retry_loaded;
        let result = self.redis.run_until_ok(&Shutdown::new(), |c| {
            if !loaded && !settle.retries.is_empty() {
                scripts::load_retry(c)?;
                loaded = true;
            }
            let mut pipe = ::redis::pipe();
            pipe.atomic();
            if !settle.retries.is_empty() {
                scripts::schedule_retries(&mut pipe, &retry_set, &settle.retries);
            }
            if !settle.dlq.is_empty() {
                pipe.cmd("LPUSH").arg(&dlq).arg(&settle.dlq).ignore();
            }
            if !settle.unsent.is_empty() {
                // Oldest last, so it ends up at the consumer end and goes first.
                let back: Vec<&String> = settle.unsent.iter().rev().collect();
                pipe.cmd("RPUSH").arg(&alert_queue).arg(back).ignore();
            }
            queue.ack_batch(&mut pipe, batch);
            pipe.cmd("LLEN").arg(queue.processing_key());
            pipe.cmd("LLEN").arg(&dlq);
            let depths: (i64, i64) = pipe.query(c)?;
            Ok(depths)
        });
        self.retry_loaded = loaded;
        match result {
            Some(Ok((processing, dlq_depth))) => {
                self.metrics.processing_depth.set(processing);
                self.metrics.dlq_depth.set(dlq_depth);
                // As the alerter: the next batch waits for the replicas to confirm this one.
                if let Err(e) = self.redis.wait_for_replicas(&self.shutdown) {
                    log::warn!("batch settled, replicas unconfirmed: {e}");
                }
            }
            Some(Err(e)) => {
                self.retry_loaded = false;
                log::error!("settling a batch failed: {e}; it stays in the processing list");
            }
            None => {}
        }
    }
}
