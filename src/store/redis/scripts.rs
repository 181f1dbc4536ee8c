//! The Lua scripts mutt runs on Redis, kept as `.lua` files beside this loader.
//!
//! `redis::Script` sends EVALSHA and falls back to loading the script once on NOSCRIPT (after a
//! Redis restart or SCRIPT FLUSH), so the script body crosses the wire only when needed.

use crate::wire::dlq::ReplayTo;
use ::redis as rd;
use std::sync::LazyLock;

static ENQUEUE: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/enqueue.lua")));

static RATE_LIMIT: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/rate_limit.lua")));

/// The decision of the shared rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Go ahead (and it was counted).
    Allowed,
    /// Refused; try again after this many seconds.
    Limited {
        /// Seconds until a request would be allowed.
        retry_after: u64,
    },
}

/// Count one request against `key` (a per-client hash) and decide, atomically, on server time.
pub fn rate_limit(
    conn: &mut rd::Connection,
    key: &str,
    limit: u64,
    window_seconds: u64,
) -> rd::RedisResult<RateDecision> {
    let (allowed, retry_after): (i64, u64) = RATE_LIMIT
        .key(key)
        .arg(limit)
        .arg(window_seconds)
        .invoke(conn)?;
    Ok(if allowed == 1 {
        RateDecision::Allowed
    } else {
        RateDecision::Limited { retry_after }
    })
}

static TAKE: LazyLock<rd::Script> = LazyLock::new(|| rd::Script::new(include_str!("lua/take.lua")));
static RECOVER: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/recover.lua")));
static UNHANDLED: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/unhandled.lua")));

/// Move up to `max` messages from `source` into `processing` (oldest first); each comes with
/// the number of times it was delivered before.
pub fn take(
    conn: &mut rd::Connection,
    source: &str,
    processing: &str,
    deliveries: &str,
    max: usize,
) -> rd::RedisResult<Vec<(String, u32)>> {
    let flat: Vec<rd::Value> = TAKE
        .key(source)
        .key(processing)
        .key(deliveries)
        .arg(max)
        .invoke(conn)?;
    let mut out = Vec::with_capacity(flat.len() / 2);
    let mut it = flat.into_iter();
    while let (Some(msg), Some(n)) = (it.next(), it.next()) {
        out.push((rd::from_redis_value(msg)?, rd::from_redis_value(n)?));
    }
    Ok(out)
}

/// Return a dead consumer's processing list to `source` (oldest first in line), counting a
/// delivery for each message. Returns how many moved.
pub fn recover(
    conn: &mut rd::Connection,
    processing: &str,
    source: &str,
    deliveries: &str,
) -> rd::RedisResult<u64> {
    RECOVER
        .key(processing)
        .key(source)
        .key(deliveries)
        .invoke(conn)
}

/// Count one unhandled event; pushes `meta_alert` onto `alert_queue` (and returns true) when the
/// count reaches `threshold` in the window.
pub fn count_unhandled(
    pipe: &mut rd::Pipeline,
    counter: &str,
    guard: &str,
    alert_queue: &str,
    threshold: i64,
    window_seconds: u64,
    meta_alert: &str,
) {
    pipe.invoke_script(
        UNHANDLED
            .key(counter)
            .key(guard)
            .key(alert_queue)
            .arg(threshold)
            .arg(window_seconds)
            .arg(meta_alert),
    );
}

/// Load every script that pipelines send by EVALSHA only (unhandled, dedup, dedup undo,
/// retry): done on each new daemon connection.
pub fn load_pipelined(conn: &mut rd::Connection) -> rd::RedisResult<()> {
    for script in [&*UNHANDLED, &*DEDUP, &*DEDUP_UNDO, &*RETRY] {
        script.prepare_invoke().load(conn)?;
    }
    Ok(())
}

/// Make sure the unhandled script is cached on the server (pipelines send EVALSHA only).
pub fn load_unhandled(conn: &mut rd::Connection) -> rd::RedisResult<()> {
    UNHANDLED.prepare_invoke().load(conn).map(|_| ())
}

static DEDUP: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/dedup.lua")));
static DEDUP_UNDO: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/dedup_undo.lua")));

/// The three keys of one dedup key: its hash, its held set, its previous held set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupKeys {
    /// `mutt:dedup:…`
    pub hash: String,
    /// `…:held`
    pub held: String,
    /// `…:held_prev`
    pub held_prev: String,
}

/// What the dedup script decided for one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DedupDecision {
    /// Send it, carrying the repeats held back since the last alert of its key.
    Send {
        /// How many were held back (0: none).
        repeat_count: u64,
        /// The time of the first of them (empty when none).
        first_seen: String,
    },
    /// Hold it back: a repeat of the alert of event `of`, sent within the window.
    Held {
        /// The event id of the alert sent for its key.
        of: String,
    },
}

impl DedupDecision {
    /// The script's answer `(send, repeat_count, text)` as a decision.
    pub fn from_reply((send, repeat_count, text): (i64, u64, String)) -> DedupDecision {
        if send == 1 {
            DedupDecision::Send {
                repeat_count,
                first_seen: text,
            }
        } else {
            DedupDecision::Held { of: text }
        }
    }
}

/// Decide one alert's dedup (see `lua/dedup.lua`); the answer, a `(i64, u64, String)`, reads
/// with [`DedupDecision::from_reply`].
pub fn dedup_decide(
    pipe: &mut rd::Pipeline,
    keys: &DedupKeys,
    event_id: &str,
    window_ms: u64,
    event_time: &str,
    ttl_seconds: u64,
) {
    pipe.invoke_script(
        DEDUP
            .key(&keys.hash)
            .key(&keys.held)
            .key(&keys.held_prev)
            .arg(event_id)
            .arg(window_ms)
            .arg(event_time)
            .arg(ttl_seconds),
    );
}

/// Make sure the dedup script is cached on the server (pipelines send EVALSHA only).
pub fn load_dedup(conn: &mut rd::Connection) -> rd::RedisResult<()> {
    DEDUP.prepare_invoke().load(conn).map(|_| ())
}

/// Take back the dedup decision of an event that was not audited (see `lua/dedup_undo.lua`).
pub fn dedup_undo(pipe: &mut rd::Pipeline, keys: &DedupKeys, event_id: &str) {
    pipe.invoke_script(
        DEDUP_UNDO
            .key(&keys.hash)
            .key(&keys.held)
            .key(&keys.held_prev)
            .arg(event_id),
    )
    .ignore();
}

/// Make sure the dedup undo script is cached on the server.
pub fn load_dedup_undo(conn: &mut rd::Connection) -> rd::RedisResult<()> {
    DEDUP_UNDO.prepare_invoke().load(conn).map(|_| ())
}

static BREAKER: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/breaker.lua")));
static PERMITS: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/permits.lua")));
static RETRY: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/retry.lua")));

/// The four keys of a circuit breaker named `name`.
pub fn breaker_keys(keys: &crate::store::redis::keys::Keys, name: &str) -> [String; 4] {
    ["state", "failures", "open_time", "probe"].map(|f| keys.circuit_breaker(name, f))
}

/// The breaker's answer to "may I send?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerDecision {
    /// Closed: send.
    Send,
    /// Half open, and this caller holds the single probe.
    Probe,
    /// Open (or another caller is probing): do not send.
    Wait,
}

/// Ask the breaker whether to send.
pub fn breaker_allow(
    conn: &mut rd::Connection,
    keys: &[String; 4],
    open_timeout_s: u64,
    caller: &str,
    probe_ttl_s: u64,
) -> rd::RedisResult<(BreakerDecision, String)> {
    let mut inv = BREAKER.prepare_invoke();
    for k in keys {
        inv.key(k);
    }
    let (d, state): (i64, String) = inv
        .arg("allow")
        .arg(open_timeout_s)
        .arg(caller)
        .arg(probe_ttl_s.max(1))
        .invoke(conn)?;
    let decision = match d {
        1 => BreakerDecision::Send,
        2 => BreakerDecision::Probe,
        _ => BreakerDecision::Wait,
    };
    Ok((decision, state))
}

/// Record delivery outcomes in order (`true` = success); returns the new state and failure count.
pub fn breaker_record(
    conn: &mut rd::Connection,
    keys: &[String; 4],
    threshold: u64,
    outcomes: &[bool],
) -> rd::RedisResult<(String, i64)> {
    let seq: String = outcomes
        .iter()
        .map(|ok| if *ok { 'S' } else { 'F' })
        .collect();
    let mut inv = BREAKER.prepare_invoke();
    for k in keys {
        inv.key(k);
    }
    inv.arg("record")
        .arg(threshold.max(1))
        .arg(seq)
        .invoke(conn)
}

/// Take up to `wanted` permits of the shared limit; returns (granted, ms to wait for more).
pub fn permits(
    conn: &mut rd::Connection,
    key: &str,
    limit: u64,
    window_ms: u64,
    wanted: u64,
) -> rd::RedisResult<(u64, u64)> {
    PERMITS
        .key(key)
        .key(format!("{key}:seq"))
        .arg(limit)
        .arg(window_ms.max(1))
        .arg(wanted)
        .invoke(conn)
}

/// Add "schedule these retries" to a pipeline: each (delay, message) becomes due after `delay`
/// on Redis's clock.
pub fn schedule_retries(pipe: &mut rd::Pipeline, retry_set: &str, items: &[(u64, String)]) {
    let mut inv = RETRY.key(retry_set);
    inv.arg("schedule");
    for (delay_ms, msg) in items {
        inv.arg(*delay_ms).arg(msg);
    }
    pipe.invoke_script(&inv).ignore();
}

/// Make sure the retry script is cached on the server (pipelines send EVALSHA only).
pub fn load_retry(conn: &mut rd::Connection) -> rd::RedisResult<()> {
    RETRY.prepare_invoke().load(conn).map(|_| ())
}

/// Move up to `max` due retries to the consumer end of `queue`; returns how many moved.
pub fn move_due_retries(
    conn: &mut rd::Connection,
    retry_set: &str,
    queue: &str,
    max: u64,
) -> rd::RedisResult<u64> {
    RETRY
        .key(retry_set)
        .key(queue)
        .arg("due")
        .arg(max)
        .invoke(conn)
}

static REPLAY: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/replay.lua")));

/// Move the oldest DLQ entries (`originals`, oldest first, as read) to their destinations in one
/// step. Returns (replayed, dead), or `None` if the DLQ changed since it was read.
pub fn replay(
    conn: &mut rd::Connection,
    dlq: &str,
    target: &str,
    dead: &str,
    moves: &[(String, ReplayTo)],
) -> rd::RedisResult<Option<(u64, u64)>> {
    let mut inv = REPLAY.key(dlq);
    inv.key(target).key(dead).arg(moves.len());
    for (original, to) in moves {
        inv.arg(original);
        match to {
            ReplayTo::Target(t) => inv.arg("t").arg(t),
            ReplayTo::Dead(t) => inv.arg("d").arg(t),
        };
    }
    let (replayed, dead_n): (i64, u64) = inv.invoke(conn)?;
    Ok((replayed >= 0).then_some((replayed as u64, dead_n)))
}

/// The SHA1 Redis knows the enqueue script by.
pub fn enqueue_sha() -> &'static str {
    ENQUEUE.get_hash()
}

/// One counter the enqueue script increments by the number of items pushed.
#[derive(Debug, Clone)]
pub struct Counter {
    /// Key to INCRBY.
    pub key: String,
    /// Expiry set when the key has none yet (seconds).
    pub ttl_seconds: u64,
}

/// What happened to a bounded enqueue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnqueueOutcome {
    /// Every item was pushed; the queue now holds `depth` items.
    Queued { depth: u64 },
    /// Nothing was pushed because `depth` plus the batch would pass the limit.
    Full { depth: u64 },
}

/// LPUSH `items` onto `queue` and bump `counters`, atomically, unless the batch would take the
/// queue past `limit` (0 = no limit), in which case nothing changes.
pub fn enqueue_bounded(
    conn: &mut rd::Connection,
    queue: &str,
    limit: u64,
    counters: &[Counter],
    items: &[String],
) -> rd::RedisResult<EnqueueOutcome> {
    let outcomes = enqueue_groups(conn, queue, limit, counters, &[items])?;
    outcomes.into_iter().next().ok_or_else(|| {
        (
            rd::ErrorKind::UnexpectedReturnType,
            "enqueue script returned nothing",
        )
            .into()
    })
}

/// Group commit: in one round trip, push each group of `items` (each all or nothing against
/// `limit`) and bump `counters` by the number pushed. Returns one outcome per group, in order.
pub fn enqueue_groups<S: AsRef<str>>(
    conn: &mut rd::Connection,
    queue: &str,
    limit: u64,
    counters: &[Counter],
    groups: &[&[S]],
) -> rd::RedisResult<Vec<EnqueueOutcome>> {
    let mut inv = ENQUEUE.key(queue);
    for c in counters {
        inv.key(&c.key);
    }
    inv.arg(limit);
    for c in counters {
        inv.arg(c.ttl_seconds);
    }
    inv.arg(groups.len());
    for g in groups {
        inv.arg(g.len());
    }
    for g in groups {
        for item in g.iter() {
            inv.arg(item.as_ref());
        }
    }
    let flat: Vec<u64> = inv.invoke(conn)?;
    if flat.len() != groups.len() * 2 {
        return Err((
            rd::ErrorKind::UnexpectedReturnType,
            "enqueue script returned a wrong count",
        )
            .into());
    }
    Ok(flat
        .chunks(2)
        .map(|pair| match pair {
            [1, depth] => EnqueueOutcome::Queued { depth: *depth },
            [_, depth] => EnqueueOutcome::Full { depth: *depth },
            _ => EnqueueOutcome::Full { depth: 0 },
        })
        .collect())
}

static BEAT: LazyLock<rd::Script> = LazyLock::new(|| rd::Script::new(include_str!("lua/beat.lua")));

/// Record a heartbeat of `pod` (instance `instance`, lifetime `ttl_s`) in the instance hash on
/// Redis's clock, dropping entries silent for more than `forget_ms` (0 = keep all).
pub fn beat(
    conn: &mut rd::Connection,
    hash: &str,
    pod: &str,
    instance: &str,
    ttl_s: u64,
    forget_ms: u64,
) -> rd::RedisResult<u64> {
    beat_with_status(conn, hash, pod, instance, ttl_s, forget_ms, None)
}

/// [`beat`], also merging the fields of the JSON object `status` into the record (the record's
/// own fields win); anything but an object is ignored.
pub fn beat_with_status(
    conn: &mut rd::Connection,
    hash: &str,
    pod: &str,
    instance: &str,
    ttl_s: u64,
    forget_ms: u64,
    status: Option<&serde_json::Value>,
) -> rd::RedisResult<u64> {
    let mut inv = BEAT.key(hash);
    inv.arg(pod).arg(instance).arg(ttl_s).arg(forget_ms);
    if let Some(s) = status.filter(|s| s.is_object()) {
        inv.arg(s.to_string());
    }
    inv.invoke(conn)
}

static DLQ_MOVE: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/dlq_move.lua")));

/// Move each (original, replacement) from `dlq` to `target` atomically; one `true` (moved) or
/// `false` (no longer in the DLQ) per pair, in order.
pub fn dlq_move(
    conn: &mut rd::Connection,
    dlq: &str,
    target: &str,
    pairs: &[(String, String)],
) -> rd::RedisResult<Vec<bool>> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut inv = DLQ_MOVE.key(dlq);
    inv.key(target);
    for (original, replacement) in pairs {
        inv.arg(original).arg(replacement);
    }
    let flags: Vec<i64> = inv.invoke(conn)?;
    Ok(flags.into_iter().map(|f| f == 1).collect())
}
