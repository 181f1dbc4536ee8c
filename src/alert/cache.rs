//! The alerter's cache of rules, development hosts and device teams: loaded from PostgreSQL,
//! swapped atomically, reloaded on a timer, on SIGHUP and on a change notice.

use crate::rules::{MatchType, Rule, Snapshot};
use crate::store::postgres::{DbError, Pool};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Notices on `mutt:config:updates` that mean "reload" (the empty notice means "resynced after a
/// reconnect: something may have been missed").
pub const RELOAD_NOTICES: [&str; 4] = ["alert_rules", "development_hosts", "device_teams", ""];

const RULES_SQL: &str = "SELECT id, match_string, trap_oid, syslog_severity, match_type, priority,
        prod_handling, dev_handling, team_assignment
   FROM alert_rules WHERE is_active = true ORDER BY priority ASC, id ASC";
const DEV_HOSTS_SQL: &str = "SELECT hostname FROM development_hosts";
const TEAMS_SQL: &str = "SELECT hostname, team_assignment FROM device_teams";

/// Read a fresh snapshot from the three tables (one connection, one read-only transaction, so
/// the three reads are consistent with each other).
pub fn load(pool: &Pool, default_team: &str) -> Result<Snapshot, DbError> {
    load_from(&mut *pool.get()?, default_team)
}

/// [`load`] on a connection the caller holds (the admin CLI and `rules test` have no pool).
pub fn load_from(conn: &mut postgres::Client, default_team: &str) -> Result<Snapshot, DbError> {
    let mut tx = conn.build_transaction().read_only(true).start()?;
    let rules: Vec<Rule> = tx
        .query(RULES_SQL, &[])?
        .iter()
        .filter_map(|r| {
            let match_type: String = r.get(4);
            let Some(mt) = MatchType::parse(&match_type) else {
                log::error!(
                    "rule {} has unknown match_type {match_type:?}; skipped",
                    r.get::<_, i32>(0)
                );
                return None;
            };
            Some(Rule {
                id: r.get(0),
                match_string: r.get(1),
                trap_oid: r.get(2),
                syslog_severity: r.get(3),
                match_type: mt,
                priority: r.get(5),
                prod_handling: r.get(6),
                dev_handling: r.get(7),
                team_assignment: r.get(8),
            })
        })
        .collect();
    let hosts: Vec<String> = tx
        .query(DEV_HOSTS_SQL, &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let teams: Vec<(String, String)> = tx
        .query(TEAMS_SQL, &[])?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    tx.commit()?;
    Ok(Snapshot::new(rules, hosts, teams, default_team))
}

/// What an alerter adds to its heartbeat record for `mutt status` (fields of
/// `mutt:instances:alerter` entries; absent on beats before the first load and on older pods).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CacheStatus {
    /// Rules in use in the snapshot.
    pub rules: u64,
    /// Active rules loaded but unusable (bad regex, OID rule without an OID).
    pub rules_skipped: u64,
    /// Milliseconds between the snapshot's load and the beat (a monotonic interval, so no
    /// clock skew; `mutt status` adds the beat's own age).
    pub rules_age_ms: u64,
    /// Seconds between timed reloads in effect at the beat (`cache_reload_interval`).
    pub rules_reload_s: u64,
}

impl CacheStatus {
    /// The status of `snapshot`, loaded `age` ago, reloaded every `reload_s` seconds.
    pub fn of(snapshot: &Snapshot, age: Duration, reload_s: u64) -> CacheStatus {
        CacheStatus {
            rules: snapshot.rule_count() as u64,
            rules_skipped: snapshot.skipped().len() as u64,
            rules_age_ms: age.as_millis() as u64,
            rules_reload_s: reload_s,
        }
    }
}

/// The current snapshot and the reload machinery.
#[derive(Default)]
pub struct Cache {
    current: RwLock<Option<(Arc<Snapshot>, Instant)>>,
    requested: Mutex<bool>,
    wake: Condvar,
}

impl Cache {
    /// An empty cache (not ready until the first load).
    pub fn new() -> Arc<Cache> {
        Arc::new(Cache::default())
    }

    /// The snapshot in use, if one was ever loaded.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .map(|(s, _)| Arc::clone(s))
    }

    /// The snapshot in use and the time since it was loaded (read together, so they agree).
    pub fn loaded(&self) -> Option<(Arc<Snapshot>, Duration)> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .map(|(s, at)| (Arc::clone(s), at.elapsed()))
    }

    /// Seconds since the last successful load.
    pub fn age(&self) -> Option<Duration> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .map(|(_, at)| at.elapsed())
    }

    /// Install a new snapshot.
    pub fn swap(&self, snapshot: Snapshot) {
        if let Ok(mut cur) = self.current.write() {
            *cur = Some((Arc::new(snapshot), Instant::now()));
        }
    }

    /// Ask the reload thread to reload now.
    pub fn request_reload(&self) {
        if let Ok(mut r) = self.requested.lock() {
            *r = true;
            self.wake.notify_all();
        }
    }

    /// Wait until a reload is requested or `timeout` passes; true if requested.
    pub fn wait_for_request(&self, timeout: Duration) -> bool {
        let Ok(guard) = self.requested.lock() else {
            return false;
        };
        let Ok((mut guard, _)) = self.wake.wait_timeout_while(guard, timeout, |r| !*r) else {
            return false;
        };
        std::mem::take(&mut *guard)
    }
}
