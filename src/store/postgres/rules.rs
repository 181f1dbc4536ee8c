//! The rule engine's inputs read from PostgreSQL: active rules, development hosts, device teams
//! and the silences not yet ended, as one consistent [`Snapshot`] (the alerter's cache and `mutt rules test` share it).

use super::{DbError, Pool};
use crate::rules::Snapshot;
use crate::wire::rule::{MatchType, Rule};

const RULES_SQL: &str = "SELECT id, match_string, trap_oid, syslog_severity, match_type, priority,
        prod_handling, dev_handling, team_assignment
   FROM alert_rules WHERE is_active = true ORDER BY priority ASC, id ASC";
const DEV_HOSTS_SQL: &str = "SELECT hostname FROM development_hosts";
const TEAMS_SQL: &str = "SELECT hostname, team_assignment FROM device_teams";

/// Read a fresh snapshot from the three tables (one connection, one read-only transaction, so
/// the three reads are consistent with each other).
pub fn load_snapshot(pool: &Pool, default_team: &str) -> Result<Snapshot, DbError> {
    load_snapshot_from(&mut *pool.get()?, default_team)
}

/// [`load_snapshot`] on a connection the caller holds (the admin CLI and `rules test` have no pool).
pub fn load_snapshot_from(
    conn: &mut postgres::Client,
    default_team: &str,
) -> Result<Snapshot, DbError> {
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
    let silences = super::silences::current(&mut tx)?;
    tx.commit()?;
    Ok(Snapshot::new(rules, hosts, teams, default_team).with_silences(silences))
}
