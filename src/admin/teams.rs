//! Device teams (`device_teams`): the team an unhandled event of a host is assigned to. Names
//! are stored normalised (trimmed, lower-case), as the alerter looks them up.

use super::audit::{self, Change, Operation};
use super::{normalise_hostname, required_text, Actor, AdminError, Notifier};
use serde::Serialize;
use serde_json::json;

/// The audit `table_name` and change notice of device teams.
pub const TABLE: &str = "device_teams";
/// Longest team name (`VARCHAR(100)`).
pub const TEAM_MAX: usize = 100;

/// One host → team mapping.
#[derive(Debug, Clone, PartialEq, Serialize, tabled::Tabled)]
pub struct DeviceTeam {
    /// The host name.
    #[tabled(rename = "HOSTNAME")]
    pub hostname: String,
    /// Its team.
    #[tabled(rename = "TEAM")]
    pub team_assignment: String,
}

fn mapping(r: &postgres::Row) -> DeviceTeam {
    DeviceTeam {
        hostname: r.get(0),
        team_assignment: r.get(1),
    }
}

/// Every mapping, by host name.
pub fn list(client: &mut postgres::Client) -> Result<Vec<DeviceTeam>, AdminError> {
    Ok(client
        .query(
            "SELECT hostname, team_assignment FROM device_teams ORDER BY hostname",
            &[],
        )?
        .iter()
        .map(mapping)
        .collect())
}

fn not_found() -> AdminError {
    AdminError::NotFound("Hostname not found".into())
}

// v2.5 stored names as given; match them case-insensitively so old rows are found.
const FIND_SQL: &str =
    "SELECT hostname, team_assignment FROM device_teams WHERE lower(hostname) = $1";

/// One mapping.
pub fn get(client: &mut postgres::Client, hostname: &str) -> Result<DeviceTeam, AdminError> {
    let host = normalise_hostname("hostname", hostname)?;
    client
        .query_opt(FIND_SQL, &[&host])?
        .map(|r| mapping(&r))
        .ok_or_else(not_found)
}

/// How [`set`] treats an existing or missing mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetMode {
    /// Only create (POST): an existing mapping is a conflict.
    Create,
    /// Only change (PUT): a missing mapping is not found.
    Update,
    /// Create or change (`mutt teams set`).
    Upsert,
}

/// Create or change the team of `hostname`; returns the mapping and whether it was created.
pub fn set(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    hostname: &str,
    team: &str,
    mode: SetMode,
    reason: Option<&str>,
) -> Result<(DeviceTeam, bool), AdminError> {
    let host = normalise_hostname("hostname", hostname)?;
    let team = required_text("team_assignment", Some(team), TEAM_MAX)?;
    let mut tx = client.transaction()?;
    let old = tx
        .query_opt(&format!("{FIND_SQL} FOR UPDATE"), &[&host])?
        .map(|r| mapping(&r));
    let created = match (&old, mode) {
        (Some(_), SetMode::Create) => {
            return Err(AdminError::Conflict(
                "Hostname already has a team assignment".into(),
            ))
        }
        (None, SetMode::Update) => return Err(not_found()),
        (Some(o), _) => {
            tx.execute(
                "UPDATE device_teams SET team_assignment = $2 WHERE hostname = $1",
                &[&o.hostname, &team],
            )?;
            false
        }
        (None, _) => {
            tx.execute(
                "INSERT INTO device_teams (hostname, team_assignment) VALUES ($1, $2)",
                &[&host, &team],
            )?;
            true
        }
    };
    let stored = old
        .as_ref()
        .map(|o| o.hostname.clone())
        .unwrap_or_else(|| host.clone());
    audit::record(
        &mut tx,
        actor,
        &Change::of_key(
            if created {
                Operation::Create
            } else {
                Operation::Update
            },
            TABLE,
            &host,
            old.as_ref()
                .map(|o| json!({"hostname": o.hostname, "team_assignment": o.team_assignment})),
            Some(json!({"hostname": stored, "team_assignment": team})),
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok((
        DeviceTeam {
            hostname: stored,
            team_assignment: team,
        },
        created,
    ))
}

/// Remove the mapping of `hostname`.
pub fn delete(
    client: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    hostname: &str,
    reason: Option<&str>,
) -> Result<DeviceTeam, AdminError> {
    let host = normalise_hostname("hostname", hostname)?;
    let mut tx = client.transaction()?;
    let old = tx
        .query_opt(
            "DELETE FROM device_teams WHERE lower(hostname) = $1 RETURNING hostname, team_assignment",
            &[&host],
        )?
        .map(|r| mapping(&r))
        .ok_or_else(not_found)?;
    audit::record(
        &mut tx,
        actor,
        &Change::of_key(
            Operation::Delete,
            TABLE,
            &host,
            Some(json!({"hostname": old.hostname, "team_assignment": old.team_assignment})),
            None,
            reason,
        ),
    )?;
    tx.commit()?;
    notifier.announce(TABLE);
    Ok(old)
}
