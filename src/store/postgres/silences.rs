//! The `silences` table (migration 0004) read into [`Silence`]s: the one row mapping the alerter's
//! snapshot and the management layer share.

use super::DbError;
use crate::silences::{HostMatch, Matchers, Silence};

/// The columns [`from_row`] reads, in its order.
pub const COLUMNS: &str = "id, hostname, hostname_match, rule_id, team, message_contains, \
                           starts_at, ends_at, schedule, comment, created_by, created_at";

const CURRENT_SQL: &str = "SELECT id, hostname, hostname_match, rule_id, team, message_contains,
        starts_at, ends_at, schedule, comment, created_by, created_at
   FROM silences WHERE ends_at > now() ORDER BY id";

/// A row of [`COLUMNS`] as a silence. A schedule that is not valid JSON of the schedule's shape
/// (edited by hand) is kept as an empty schedule, which fails to compile and is reported.
pub fn from_row(r: &postgres::Row) -> Silence {
    let schedule: Option<serde_json::Value> = r.get(8);
    Silence {
        id: r.get(0),
        matchers: Matchers {
            hostname: r.get(1),
            hostname_match: HostMatch::parse(r.get(2)).unwrap_or_default(),
            rule_id: r.get(3),
            team: r.get(4),
            contains: r.get(5),
        },
        starts_at: r.get(6),
        ends_at: r.get(7),
        schedule: schedule.map(|v| {
            serde_json::from_value(v).unwrap_or(crate::silences::schedule::Schedule {
                time_zone: String::new(),
                windows: Vec::new(),
            })
        }),
        comment: r.get(9),
        created_by: r.get(10),
        created_at: r.get(11),
    }
}

/// The silences that have not ended yet (pending, active or waiting), oldest first.
pub fn current(tx: &mut impl postgres::GenericClient) -> Result<Vec<Silence>, DbError> {
    Ok(tx.query(CURRENT_SQL, &[])?.iter().map(from_row).collect())
}
