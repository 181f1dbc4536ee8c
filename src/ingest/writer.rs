//! Group commit: request handlers hand their serialised events to one writer thread, which
//! coalesces whatever has queued up into one Redis round trip (the enqueue Lua script), then
//! answers each request with its own outcome. A request is answered only after Redis has
//! acknowledged (or refused) its events.

use crate::backoff::Backoff;
use crate::store::redis::dynamic::DynamicConfig;
use crate::store::redis::keys::{Keys, Window};
use crate::store::redis::scripts::{self, Counter, EnqueueOutcome};
use crate::store::redis::{ReconnectingConnection, RedisConnector};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The answer to one request's enqueue: the outcome and the queue limit it was judged against.
pub type WriteResult = Result<(EnqueueOutcome, u64), String>;

struct Job {
    events: Vec<String>,
    reply: mpsc::SyncSender<WriteResult>,
}

/// What the writer needs to decide a batch.
pub struct WriterConfig {
    /// Key names.
    pub keys: Keys,
    /// Settings (`MAX_INGEST_QUEUE_SIZE`, the fallback of the dynamic limit).
    pub settings: crate::settings::Settings,
    /// Live overrides (`max_ingest_queue_size`).
    pub dynamic: Arc<DynamicConfig>,
    /// Most events per round trip.
    pub max_events: usize,
    /// Called with the queue depth after every batch (for the gauge).
    pub on_depth: Box<dyn Fn(u64) + Send>,
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
        self.tx
            .send(Job { events, reply })
            .map_err(|_| "writer stopped".to_string())?;
        answer.recv().map_err(|_| "writer stopped".to_string())?
    }
}

fn run(rx: mpsc::Receiver<Job>, mut conn: ReconnectingConnection, cfg: WriterConfig) {
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
        let limit = cfg.dynamic.int_or(
            crate::settings::dynamic_keys::MAX_INGEST_QUEUE_SIZE,
            &cfg.settings,
            &crate::settings::registry::MAX_INGEST_QUEUE_SIZE,
        ) as u64;
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
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok((outcome, limit)));
                }
            }
            Err(e) => {
                log::warn!("enqueue of {total} event(s) failed: {e}");
                let text = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(text.clone()));
                }
            }
        }
    }
}
