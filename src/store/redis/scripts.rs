//! The Lua scripts mutt runs on Redis, kept as `.lua` files beside this loader.
//!
//! `redis::Script` sends EVALSHA and falls back to loading the script once on NOSCRIPT (after a
//! Redis restart or SCRIPT FLUSH), so the script body crosses the wire only when needed.

use ::redis as rd;
use std::sync::LazyLock;

static ENQUEUE: LazyLock<rd::Script> =
    LazyLock::new(|| rd::Script::new(include_str!("lua/enqueue.lua")));

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
    let mut inv = ENQUEUE.key(queue);
    for c in counters {
        inv.key(&c.key);
    }
    inv.arg(limit);
    for c in counters {
        inv.arg(c.ttl_seconds);
    }
    for item in items {
        inv.arg(item);
    }
    let (status, depth): (i64, u64) = inv.invoke(conn)?;
    Ok(if status == 1 {
        EnqueueOutcome::Queued { depth }
    } else {
        EnqueueOutcome::Full { depth }
    })
}
