//! The reliable list consumer shared by the alerter and the forwarder.
//!
//! A message is always in exactly one place: the source queue, this pod's processing list, or
//! wherever the consumer's acknowledging transaction put it. Messages are taken in batches
//! (atomically moved into `…:processing:<family>:<pod>`), the pod proves it is alive with a
//! heartbeat written before the first take, and a janitor returns the processing lists of pods
//! whose heartbeat has expired to the source queue, oldest first, counting a delivery for each
//! message so a message that keeps killing its consumer is eventually dead-lettered.

use crate::store::redis::keys::{Consumer, Keys, Service};
use crate::store::redis::scripts;
use crate::wire::sha1_hex;
use ::redis as rd;
use std::sync::Arc;
use std::time::Duration;

/// Computes the status object a daemon attaches to each beat (`None`: nothing to report yet).
pub type StatusFn = dyn Fn() -> Option<serde_json::Value> + Send + Sync;

// Called at beat time rather than holding a stored value, so ages in the status are measured
// when the beat's `last_seen_ms` is taken and `mutt status` can add its own age to them.
#[derive(Clone, Default)]
struct StatusSource(Option<Arc<StatusFn>>);

impl std::fmt::Debug for StatusSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

/// One message taken from the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message exactly as queued.
    pub raw: String,
    /// How many earlier deliveries of it did not finish (consumer died).
    pub earlier_deliveries: u32,
}

/// Why a pod cannot start consuming.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Another live instance uses the same pod name.
    #[error("another {family} instance with POD_NAME {pod:?} is alive (heartbeat {key} is held); give each instance its own POD_NAME")]
    PodTaken {
        /// Consumer family.
        family: &'static str,
        /// The pod name.
        pod: String,
        /// The heartbeat key.
        key: String,
    },
    /// Redis failed.
    #[error("Redis: {0}")]
    Redis(#[from] rd::RedisError),
}

/// A pod's view of one reliable queue.
#[derive(Debug, Clone)]
pub struct ReliableQueue {
    keys: Keys,
    family: Consumer,
    pod: String,
    source: String,
    // Distinguishes this process from an earlier one with the same pod name.
    instance: String,
    // How long `mutt status` keeps listing this family's silent instances (0 = forever).
    forget_after: Duration,
    // Shared by clones, so the upkeep thread's beats report what the worker's owner set up.
    status: StatusSource,
}

impl ReliableQueue {
    /// The queue `source` consumed by `pod` of `family`.
    pub fn new(keys: Keys, family: Consumer, pod: &str, source: &str) -> ReliableQueue {
        ReliableQueue {
            keys,
            family,
            pod: pod.to_string(),
            source: source.to_string(),
            instance: uuid::Uuid::new_v4().to_string(),
            forget_after: Duration::ZERO,
            status: StatusSource::default(),
        }
    }

    /// Attach the object `status` returns to every beat in the instance hash (`mutt status`).
    pub fn reporting(
        mut self,
        status: impl Fn() -> Option<serde_json::Value> + Send + Sync + 'static,
    ) -> ReliableQueue {
        self.status = StatusSource(Some(Arc::new(status)));
        self
    }

    /// Forget instances of this family silent for longer than `after` when recording heartbeats
    /// for `mutt status` (`STATUS_FORGET_AFTER`).
    pub fn forgetting_after(mut self, after: Duration) -> ReliableQueue {
        self.forget_after = after;
        self
    }

    fn service(&self) -> Service {
        match self.family {
            Consumer::Alerter => Service::Alerter,
            Consumer::Moog => Service::Forwarder,
        }
    }

    /// Record this pod in the family's instance hash (what `mutt status` reads).
    fn record(&self, conn: &mut rd::Connection, ttl: Duration) -> rd::RedisResult<()> {
        let status = self.status.0.as_ref().and_then(|f| f());
        scripts::beat_with_status(
            conn,
            &self.keys.instances(self.service()),
            &self.pod,
            &self.instance,
            ttl.as_secs().max(1),
            self.forget_after.as_millis() as u64,
            status.as_ref(),
        )
        .map(|_| ())
    }

    fn family_name(&self) -> &'static str {
        match self.family {
            Consumer::Alerter => "alerter",
            Consumer::Moog => "forwarder",
        }
    }

    /// This pod's processing list.
    pub fn processing_key(&self) -> String {
        self.keys.processing(self.family, &self.pod)
    }

    /// This pod's heartbeat key.
    pub fn heartbeat_key(&self) -> String {
        self.keys.heartbeat(self.family, &self.pod)
    }

    /// The source queue.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The pod name.
    pub fn pod(&self) -> &str {
        &self.pod
    }

    /// Take the pod name: write the first heartbeat (refusing if another live instance holds it),
    /// then return whatever an earlier incarnation of this pod left in its processing list.
    pub fn claim(&self, conn: &mut rd::Connection, ttl: Duration) -> Result<u64, ClaimError> {
        let key = self.heartbeat_key();
        let set: Option<String> = rd::cmd("SET")
            .arg(&key)
            .arg(&self.instance)
            .arg("NX")
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query(conn)?;
        if set.is_none() {
            let holder: Option<String> = rd::cmd("GET").arg(&key).query(conn)?;
            if holder.as_deref() != Some(self.instance.as_str()) {
                return Err(ClaimError::PodTaken {
                    family: self.family_name(),
                    pod: self.pod.clone(),
                    key,
                });
            }
        }
        self.record(conn, ttl)?;
        let leftovers = scripts::recover(
            conn,
            &self.processing_key(),
            &self.source,
            &self.keys.deliveries(self.family),
        )?;
        if leftovers > 0 {
            log::warn!(
                "returned {leftovers} message(s) left by an earlier run of pod {} to {}",
                self.pod,
                self.source
            );
        }
        Ok(leftovers)
    }

    /// Refresh the heartbeat.
    pub fn heartbeat(&self, conn: &mut rd::Connection, ttl: Duration) -> rd::RedisResult<()> {
        rd::cmd("SET")
            .arg(self.heartbeat_key())
            .arg(&self.instance)
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query::<()>(conn)?;
        self.record(conn, ttl)
    }

    /// Drop the heartbeat on a clean exit (after the processing list is empty).
    pub fn release(&self, conn: &mut rd::Connection) -> rd::RedisResult<()> {
        // A clean exit is not an outage: `mutt status` stops listing the pod.
        rd::pipe()
            .cmd("DEL")
            .arg(self.heartbeat_key())
            .ignore()
            .cmd("HDEL")
            .arg(self.keys.instances(self.service()))
            .arg(&self.pod)
            .ignore()
            .query(conn)
    }

    /// Take up to `max` messages, waiting up to `block` for the first one.
    pub fn take(
        &self,
        conn: &mut rd::Connection,
        max: usize,
        block: Duration,
    ) -> rd::RedisResult<Vec<Delivery>> {
        let deliveries = self.keys.deliveries(self.family);
        let processing = self.processing_key();
        let mut got = scripts::take(conn, &self.source, &processing, &deliveries, max)?;
        if got.is_empty() && !block.is_zero() {
            // Block for the first message; then take the rest of the batch without waiting.
            let first: Option<String> = rd::cmd("BLMOVE")
                .arg(&self.source)
                .arg(&processing)
                .arg("RIGHT")
                .arg("LEFT")
                .arg(block.as_secs_f64())
                .query(conn)?;
            let Some(first) = first else {
                return Ok(Vec::new());
            };
            let earlier: Option<u32> = rd::cmd("HGET")
                .arg(&deliveries)
                .arg(sha1_hex(&first))
                .query(conn)?;
            got.push((first, earlier.unwrap_or(0)));
            got.extend(scripts::take(
                conn,
                &self.source,
                &processing,
                &deliveries,
                max.saturating_sub(1),
            )?);
        }
        Ok(got
            .into_iter()
            .map(|(raw, n)| Delivery {
                raw,
                earlier_deliveries: n,
            })
            .collect())
    }

    /// Add the commands that acknowledge a whole batch (`n` messages, the newest in the list) to
    /// `pipe`, which the caller runs as one MULTI/EXEC with the pushes to the next places.
    pub fn ack_batch(&self, pipe: &mut rd::Pipeline, batch: &[Delivery]) {
        // Only this pod pushes into its processing list, and a batch is pushed to its left end,
        // so the batch is exactly the leftmost `n` entries.
        pipe.cmd("LTRIM")
            .arg(self.processing_key())
            .arg(batch.len())
            .arg(-1)
            .ignore();
        let redelivered: Vec<String> = batch
            .iter()
            .filter(|d| d.earlier_deliveries > 0)
            .map(|d| sha1_hex(&d.raw))
            .collect();
        if !redelivered.is_empty() {
            pipe.cmd("HDEL")
                .arg(self.keys.deliveries(self.family))
                .arg(redelivered)
                .ignore();
        }
    }

    /// Put this pod's unfinished messages back at the head of the line (used on shutdown before
    /// a batch was started, and by tests).
    pub fn return_own(&self, conn: &mut rd::Connection) -> rd::RedisResult<u64> {
        // Returning them ourselves is not a failed delivery: move without counting.
        let mut moved = 0;
        loop {
            let msg: Option<String> = rd::cmd("LMOVE")
                .arg(self.processing_key())
                .arg(&self.source)
                .arg("LEFT")
                .arg("RIGHT")
                .query(conn)?;
            if msg.is_none() {
                return Ok(moved);
            }
            moved += 1;
        }
    }

    /// Clean exit: put back anything not finished (without counting a delivery), then drop the
    /// heartbeat. Returns how many messages were put back.
    pub fn leave(&self, conn: &mut rd::Connection) -> rd::RedisResult<u64> {
        let returned = self.return_own(conn)?;
        self.release(conn)?;
        if returned > 0 {
            log::info!(
                "returned {returned} unfinished message(s) to {}",
                self.source
            );
        }
        Ok(returned)
    }

    /// One janitor pass: return the processing lists of pods of this family whose heartbeat is
    /// gone. Returns (pod, messages moved) for each list recovered.
    pub fn janitor_pass(&self, conn: &mut rd::Connection) -> rd::RedisResult<Vec<(String, u64)>> {
        let pattern = self.keys.processing_pattern(self.family);
        let lists = crate::store::redis::scan_keys(conn, &pattern)?;
        let mut recovered = Vec::new();
        for list in lists {
            let Some(pod) = self.keys.pod_of_processing_key(self.family, &list) else {
                continue;
            };
            if pod == self.pod {
                continue;
            }
            let alive: bool = rd::cmd("EXISTS")
                .arg(self.keys.heartbeat(self.family, pod))
                .query(conn)?;
            if alive {
                continue;
            }
            let moved = scripts::recover(
                conn,
                &list,
                &self.source,
                &self.keys.deliveries(self.family),
            )?;
            if moved > 0 {
                log::warn!(
                    "janitor: returned {moved} message(s) of dead pod {pod} to {}",
                    self.source
                );
                recovered.push((pod.to_string(), moved));
            }
        }
        Ok(recovered)
    }
}

/// Keep a pod's heartbeat fresh every `every` (lifetime `ttl`) and run a janitor pass every
/// `janitor_every`, on a thread of its own, until `stop`.
pub fn spawn_upkeep(
    connector: std::sync::Arc<crate::store::redis::RedisConnector>,
    queue: ReliableQueue,
    every: Duration,
    ttl: Duration,
    janitor_every: Duration,
    stop: crate::shutdown::Shutdown,
) -> std::io::Result<()> {
    use crate::backoff::Backoff;
    use crate::store::redis::ReconnectingConnection;
    use std::time::Instant;
    std::thread::Builder::new()
        .name(format!("{}-upkeep", queue.family_name()))
        .spawn(move || {
            let mut conn = ReconnectingConnection::new(
                connector,
                Backoff::new(Duration::from_millis(200), every),
            );
            let mut next_janitor = Instant::now();
            while !stop.wait_timeout(every.min(janitor_every)) {
                if let Err(e) = conn.run(|c| queue.heartbeat(c, ttl)) {
                    log::warn!("heartbeat: {e}");
                }
                if Instant::now() >= next_janitor {
                    if let Err(e) = conn.run(|c| queue.janitor_pass(c)) {
                        log::warn!("janitor: {e}");
                    }
                    next_janitor = Instant::now() + janitor_every;
                }
            }
        })?;
    Ok(())
}
