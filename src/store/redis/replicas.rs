//! `REDIS_MIN_REPLICAS_ACK`: an acknowledgement that leaves Redis (an ingest 200, a RELP
//! `rsp 200`, a batch commit) waits until the write it stands for is on that many replicas.
//!
//! Redis replicates asynchronously: a write the master answered can die with the master, and
//! after a failover the promoted replica never saw it. `WAIT n timeout` on the connection that
//! wrote blocks until `n` replicas have acknowledged every write that connection made, or the
//! timeout passes; it answers how many did. Only when that reaches `n` is the write safe to
//! acknowledge. A short answer is never turned into success: the caller answers 503, or holds
//! its acknowledgement and asks again.

use super::RedisError;
use crate::settings::{registry, Settings};
use ::redis as rd;
use std::time::Duration;

/// How many replicas a write needs before it is acknowledged, and how long to wait for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaAck {
    /// `REDIS_MIN_REPLICAS_ACK`; 0 = acknowledge on the master's answer.
    pub min: u32,
    /// `REDIS_REPLICAS_ACK_TIMEOUT_MS`.
    pub timeout: Duration,
}

impl ReplicaAck {
    /// The policy the settings describe.
    pub fn from_settings(s: &Settings) -> ReplicaAck {
        ReplicaAck {
            min: s.int(&registry::REDIS_MIN_REPLICAS_ACK) as u32,
            timeout: Duration::from_millis(s.int(&registry::REDIS_REPLICAS_ACK_TIMEOUT_MS) as u64),
        }
    }

    /// Acknowledge on the master's answer (v2.5's behaviour).
    pub fn none() -> ReplicaAck {
        ReplicaAck {
            min: 0,
            timeout: Duration::from_millis(1000),
        }
    }

    /// Whether writes wait for replicas at all.
    pub fn is_on(&self) -> bool {
        self.min > 0
    }

    /// Judge `WAIT`'s answer: the count of replicas that confirmed.
    pub fn judge(&self, acked: i64) -> Result<(), RedisError> {
        let acked = u32::try_from(acked.max(0)).unwrap_or(u32::MAX);
        if acked >= self.min {
            Ok(())
        } else {
            Err(RedisError::Replicas {
                acked,
                wanted: self.min,
                timeout_ms: self.timeout.as_millis() as u64,
            })
        }
    }

    /// `WAIT`: block until every write made so far on `conn` is on `min` replicas or the
    /// timeout passes; the number of replicas that confirmed (judge it with [`Self::judge`]).
    pub fn replicas_confirming(&self, conn: &mut rd::Connection) -> rd::RedisResult<i64> {
        rd::cmd("WAIT")
            .arg(self.min)
            .arg(self.timeout.as_millis() as u64)
            .query(conn)
    }

    /// The readiness verdict for a master that has `in_sync` replicas connected: `Some(reason)`
    /// when fewer than `min` remain, so nothing can be acknowledged.
    pub fn shortfall(&self, in_sync: u32) -> Option<String> {
        (in_sync < self.min).then(|| {
            format!(
                "Redis master has {in_sync} connected replica{} and REDIS_MIN_REPLICAS_ACK is {}: writes cannot be acknowledged",
                if in_sync == 1 { "" } else { "s" },
                self.min
            )
        })
    }
}

/// Ask the master: `Some(reason)` while it has fewer online replicas than `ack` needs.
pub fn shortfall_now(
    conn: &mut rd::Connection,
    ack: &ReplicaAck,
) -> rd::RedisResult<Option<String>> {
    if !ack.is_on() {
        return Ok(None);
    }
    let info: String = rd::cmd("INFO").arg("replication").query(conn)?;
    Ok(ack.shortfall(connected_replicas(&info)))
}

/// Replicas the master reports as connected and online (`INFO replication`'s `slaveN` lines).
pub fn connected_replicas(info_replication: &str) -> u32 {
    info_replication
        .lines()
        .filter(|l| {
            l.strip_prefix("slave")
                .and_then(|rest| rest.split_once(':'))
                .is_some_and(|(n, fields)| {
                    n.chars().all(|c| c.is_ascii_digit()) && fields.contains("state=online")
                })
        })
        .count() as u32
}

/// One replica as the master sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReplicaLag {
    /// `ip:port` the replica announced.
    pub address: String,
    /// `online`, `wait_bgsave`, `send_bulk`, …
    pub state: String,
    /// Bytes of the replication stream the replica has not acknowledged.
    pub lag_bytes: i64,
    /// Seconds since the replica last acknowledged.
    pub lag_seconds: i64,
}

/// The master's role and replicas from `INFO replication`: `(role, master_repl_offset,
/// replicas)`.
pub fn replication_view(info_replication: &str) -> (String, i64, Vec<ReplicaLag>) {
    let field = |name: &str| {
        info_replication
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(|v| v.trim().to_string())
    };
    let role = field("role").unwrap_or_default();
    let offset = field("master_repl_offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let replicas = info_replication
        .lines()
        .filter_map(|l| {
            let (key, fields) = l.split_once(':')?;
            let n = key.strip_prefix("slave")?;
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let get = |k: &str| {
                fields
                    .trim()
                    .split(',')
                    .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
                    .unwrap_or("")
                    .to_string()
            };
            let replica_offset: i64 = get("offset").parse().unwrap_or(0);
            Some(ReplicaLag {
                address: format!("{}:{}", get("ip"), get("port")),
                state: get("state"),
                lag_bytes: (offset - replica_offset).max(0),
                lag_seconds: get("lag").parse().unwrap_or(0),
            })
        })
        .collect();
    (role, offset, replicas)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\n\
        slave0:ip=127.0.0.1,port=21001,state=online,offset=1500,lag=0\r\n\
        slave1:ip=127.0.0.1,port=21002,state=wait_bgsave,offset=0,lag=3\r\n\
        master_failover_state:no-failover\r\nmaster_repl_offset:1600\r\n";

    #[test]
    fn online_replicas_are_counted() {
        assert_eq!(connected_replicas(INFO), 1);
        assert_eq!(
            connected_replicas("role:master\r\nconnected_slaves:0\r\n"),
            0
        );
    }

    #[test]
    fn the_view_reports_lag_in_bytes_and_seconds() {
        let (role, offset, replicas) = replication_view(INFO);
        assert_eq!(role, "master");
        assert_eq!(offset, 1600);
        assert_eq!(
            replicas,
            vec![
                ReplicaLag {
                    address: "127.0.0.1:21001".into(),
                    state: "online".into(),
                    lag_bytes: 100,
                    lag_seconds: 0,
                },
                ReplicaLag {
                    address: "127.0.0.1:21002".into(),
                    state: "wait_bgsave".into(),
                    lag_bytes: 1600,
                    lag_seconds: 3,
                },
            ]
        );
    }

    #[test]
    fn a_short_wait_is_an_error_naming_the_setting() {
        let policy = ReplicaAck {
            min: 2,
            timeout: Duration::from_millis(250),
        };
        assert!(policy.judge(2).is_ok());
        assert!(policy.judge(3).is_ok());
        let err = policy.judge(1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Redis write reached 1 of the 2 replicas REDIS_MIN_REPLICAS_ACK asks for within 250 ms"
        );
        assert!(err.is_transient());
        assert!(ReplicaAck::none().judge(0).is_ok());
        assert_eq!(policy.shortfall(2), None);
        assert_eq!(
            policy.shortfall(1).as_deref(),
            Some("Redis master has 1 connected replica and REDIS_MIN_REPLICAS_ACK is 2: writes cannot be acknowledged")
        );
    }
}
