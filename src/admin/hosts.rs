//! Development hosts (`development_hosts`): events from these hosts use a rule's `dev_handling`.
//! Names are stored normalised (trimmed, lower-case), as the alerter looks them up.

use super::audit::{self, Change, Operation};
use super::{normalise_hostname, Actor, AdminError, Notifier};
use serde::Serialize;
use serde_json::json;

/// The audit `table_name` and change notice of development hosts.
pub const TABLE: &str = "development_hosts";

/// One development host.
#[derive(Debug, Clone, PartialEq, Serialize, tabled::Tabled)]
pub struct DevHost {
    /// The host name.
    #[tabled(rename = "HOSTNAME")]
    pub hostname: String,
}

/// Every development host, by name.
pub fn list(client: &mut postgres::Client) -> Result<Vec<DevHost>, AdminError> {
    Ok(client
        .query(
            "SELECT hostname FROM development_hosts ORDER BY hostname",
            &[],
        )?
        .iter()
        .map(|r| DevHost { hostname: r.get(0) })
        .collect())
}

fn not_found() -> AdminError {
    AdminError::NotFound("Hostname not found".into())
}

// v2.5 stored names as given; match them case-insensitively so old rows can be found and removed.
const FIND_SQL: &str = "SELECT hostname FROM development_hosts WHERE lower(hostname) = $1";

/// One development host.
pub fn get(client: &mut postgres::Client, hostname: &str) -> Result<DevHost, AdminError> {
    let host = normalise_hostname("hostname", hostname)?;
    client
        .query_opt(FIND_SQL, &[&host])?
        .map(|r| DevHost { hostname: r.get(0) })
        .ok_or_else(not_found)
}

/// Add a development host; an existing one is a conflict.
pub fn add(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    hostname: &str,
    reason: Option<&str>,
) -> Result<DevHost, AdminError> {
    let host = normalise_hostname("hostname", hostname)?;
    let mut tx = client.transaction()?;
    if tx.query_opt(FIND_SQL, &[&host])?.is_some() {
        return Err(AdminError::Conflict("Hostname already exists".into()));
    }
    let inserted = tx.execute(
        "INSERT INTO development_hosts (hostname) VALUES ($1) ON CONFLICT DO NOTHING",
        &[&host],
    )?;
    if inserted == 0 {
        return Err(AdminError::Conflict("Hostname already exists".into()));
    }
    audit::record(
        &mut tx,
        actor,
        &Change::of_key(
            Operation::Create,
            TABLE,
            &host,
            None,
            Some(json!({ "hostname": host })),
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(DevHost { hostname: host })
}

/// Remove a development host.
pub fn delete(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    hostname: &str,
    reason: Option<&str>,
) -> Result<DevHost, AdminError> {
    let host = normalise_hostname("hostname", hostname)?;
    let mut tx = client.transaction()?;
    let stored: String = tx
        .query_opt(
            "DELETE FROM development_hosts WHERE lower(hostname) = $1 RETURNING hostname",
            &[&host],
        )?
        .map(|r| r.get(0))
        .ok_or_else(not_found)?;
    audit::record(
        &mut tx,
        actor,
        &Change::of_key(
            Operation::Delete,
            TABLE,
            &host,
            Some(json!({ "hostname": stored })),
            None,
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(DevHost { hostname: stored })
}
