//! Group commit: request handlers hand their serialised events to one writer thread, which
//! coalesces whatever has queued up into one Redis round trip (the enqueue Lua script), then
//! answers each request with its own outcome. A request is answered only after Redis has
//! acknowledged (or refused) its events and, with `REDIS_MIN_REPLICAS_ACK` > 0, after `WAIT`
//! has seen them on that many replicas. While replicas are missing, batches are refused before
//! they are written (checked with `INFO replication`), so a client's retries do not pile up
//! copies of what it will send again.

use crate::backoff::Backoff;
use crate::store::redis::dynamic::Tunables;
use crate::store::redis::keys::{Keys, Window};
use crate::store::redis::replicas::{self, ReplicaAck};
use crate::store::redis::scripts::{self, Counter, EnqueueOutcome};
use crate::store::redis::{ReconnectingConnection, RedisConnector, RedisError};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The answer to one request's enqueue: the outcome and the queue limit it was judged against.
pub type WriteResult = Result<(EnqueueOutcome, u64), WriteError>;

/// Why events were not queued (or not durably enough to acknowledge).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// Redis could not be reached or refused the write.
    #[error("{0}")]
    Redis(String),
    /// Fewer replicas than `REDIS_MIN_REPLICAS_ACK` have (or would get) the events.
    #[error("{0}")]
    NotReplicated(String),
}

/// Called once with a job's outcome and its events given back (a caller that retries needs no
/// copy), on the writer thread: it must not block.
pub type Reply = Box<dyn FnOnce(WriteResult, Vec<String>) + Send>;

struct Job {
    events: Vec<String>,
    reply: Reply,
}

/// What the writer needs to decide a batch.
pub struct WriterConfig {
    /// Key names.
    pub keys: Keys,
    /// `MAX_INGEST_QUEUE_SIZE`, live (`max_ingest_queue_size`).
    pub tunables: Tunables,
    /// Most events per round trip.
    pub max_events: usize,
    /// Called with the queue depth after every batch (for the gauge).
    pub on_depth: Box<dyn Fn(u64) + Send>,
    /// Replicas a queued batch must reach before it is acknowledged.
    pub replica_ack: ReplicaAck,
}

/// The handle request handlers submit to.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

/// Owns the writer thread; dropping every [`Writer`] and then joining drains it.
pub struct WriterThread {
    handle: JoinHandle<()>,
}

impl WriterThread {
    /// Wait until every submitted job has been answered and the thread has ended.
    pub fn join(self) {
        let _ = self.handle.join();
    }
}

/// Start the writer thread.
pub fn start(
    connector: Arc<RedisConnector>,
    cfg: WriterConfig,
) -> std::io::Result<(Writer, WriterThread)> {
    let (tx, rx) = mpsc::channel::<Job>();
    // No retry inside a request: the client (rsyslog, snmptrapd's handler) retries on 503,
    // and a connection that failed is reopened on the next batch.
    let conn = ReconnectingConnection::new(connector, Backoff::new(Duration::ZERO, Duration::ZERO));
    let handle = std::thread::Builder::new()
        .name("ingest-writer".into())
        .spawn(move || run(rx, conn, cfg))?;
    Ok((Writer { tx }, WriterThread { handle }))
}

impl Writer {
    /// Enqueue `events` (all or nothing) and wait for Redis's answer.
    pub fn submit(&self, events: Vec<String>) -> WriteResult {
        let (reply, answer) = mpsc::sync_channel(1);
        self.submit_then(
            events,
            Box::new(move |result, _events| {
                let _ = reply.send(result);
            }),
        );
        answer
            .recv()
            .map_err(|_| WriteError::Redis("writer stopped".to_string()))?
    }

    /// Enqueue `events` (all or nothing) and hand Redis's answer to `reply` (for callers that
    /// must not block a thread while they wait, such as the syslog listeners' tasks).
    pub fn submit_then(&self, events: Vec<String>, reply: Reply) {
        if let Err(mpsc::SendError(job)) = self.tx.send(Job { events, reply }) {
            (job.reply)(
                Err(WriteError::Redis("writer stopped".to_string())),
                job.events,
            );
        }
    }
}

fn run(rx: mpsc::Receiver<Job>, mut conn: ReconnectingConnection, cfg: WriterConfig) {
    // Set by a WAIT that came back short; cleared once the master reports enough replicas.
    let mut replicas_short = false;
    // recv() fails only once every Writer is dropped and the channel is drained.
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        let mut total = jobs[0].events.len();
        while total < cfg.max_events {
            match rx.try_recv() {
                Ok(job) => {
                    total += job.events.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        if replicas_short {
            match conn.run(|c| replicas::shortfall_now(c, &cfg.replica_ack)) {
                Ok(None) => {
                    log::info!("Redis replicas are back: acknowledging writes again");
                    replicas_short = false;
                }
                Ok(Some(reason)) => {
                    refuse(jobs, WriteError::NotReplicated(reason));
                    continue;
                }
                Err(e) => {
                    refuse(jobs, WriteError::Redis(e.to_string()));
                    continue;
                }
            }
        }
        let limit = cfg.tunables.count(
            crate::settings::dynamic_keys::MAX_INGEST_QUEUE_SIZE,
            &crate::settings::registry::MAX_INGEST_QUEUE_SIZE,
        );
        let now = chrono::Utc::now();
        let counters: Vec<Counter> = Window::ALL
            .iter()
            .map(|w| Counter {
                key: cfg.keys.metrics_counter(*w, now),
                ttl_seconds: w.ttl_seconds(),
            })
            .collect();
        let groups: Vec<&[String]> = jobs.iter().map(|j| j.events.as_slice()).collect();
        let result = conn.run(|c| {
            scripts::enqueue_groups(c, cfg.keys.ingest_queue(), limit, &counters, &groups)
        });
        match result {
            Ok(outcomes) => {
                if let Some(EnqueueOutcome::Queued { depth } | EnqueueOutcome::Full { depth }) =
                    outcomes.last()
                {
                    (cfg.on_depth)(*depth);
                }
                let queued = outcomes
                    .iter()
                    .any(|o| matches!(o, EnqueueOutcome::Queued { .. }));
                // The same connection that wrote: WAIT counts this connection's writes.
                let durable = if queued && cfg.replica_ack.is_on() {
                    let confirmed = conn.run(|c| cfg.replica_ack.replicas_confirming(c));
                    match confirmed.and_then(|n| cfg.replica_ack.judge(n)) {
                        Ok(()) => Ok(()),
                        Err(e @ RedisError::Replicas { .. }) => {
                            replicas_short = true;
                            log::warn!(
                                "{total} event(s) queued on the master but not acknowledged: {e}"
                            );
                            Err(WriteError::NotReplicated(e.to_string()))
                        }
                        Err(e) => Err(WriteError::Redis(e.to_string())),
                    }
                } else {
                    Ok(())
                };
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let answer = match (&durable, outcome) {
                        (Err(e), EnqueueOutcome::Queued { .. }) => Err(e.clone()),
                        _ => Ok((outcome, limit)),
                    };
                    (job.reply)(answer, job.events);
                }
            }
            Err(e) => {
                log::warn!("enqueue of {total} event(s) failed: {e}");
                refuse(jobs, WriteError::Redis(e.to_string()));
            }
        }
    }
}

fn refuse(jobs: Vec<Job>, why: WriteError) {
    for job in jobs {
        (job.reply)(Err(why.clone()), job.events);
    }
}
