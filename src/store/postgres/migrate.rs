//! `mutt migrate`: the numbered SQL files of `migrations/`, embedded in the binary, applied in
//! order, each in its own transaction, and recorded in `schema_migrations`.
//!
//! A session-level advisory lock serialises concurrent runs (two hosts starting at once). An
//! applied file whose text has changed since is refused: shipped migrations are never edited.

use super::pool::DbError;
use sha2::{Digest, Sha256};

/// One embedded migration file.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The number the file name starts with.
    pub version: i32,
    /// The file name.
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sql: include_str!(concat!("../../../migrations/", $file)),
        }
    };
}

/// Every migration, in order. A unit test checks this list against the `migrations/` folder.
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_v25_baseline.sql"),
    migration!(2, "0002_mutt_additions.sql"),
    migration!(3, "0003_config_audit_correlation.sql"),
    migration!(4, "0004_silences.sql"),
];

// Arbitrary but fixed: the key of the advisory lock every `mutt migrate` takes.
const MIGRATION_LOCK_KEY: i64 = 0x6d75_7474_6d69_6772; // "muttmigr"

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INT PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
)";

impl Migration {
    /// SHA-256 of the SQL text, hex.
    pub fn checksum(&self) -> String {
        Sha256::digest(self.sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A migration and whether (and when) it was applied.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MigrationStatus {
    /// Version number.
    pub version: i32,
    /// File name.
    pub name: &'static str,
    /// RFC 3339 time it was applied, `None` while pending.
    pub applied_at: Option<String>,
    /// The applied text differs from the embedded one.
    pub modified: bool,
}

impl MigrationStatus {
    /// `applied` or `pending`.
    pub fn state(&self) -> &'static str {
        if self.applied_at.is_some() {
            "applied"
        } else {
            "pending"
        }
    }
}

/// Applied/pending state of every embedded migration.
pub fn status(client: &mut postgres::Client) -> Result<Vec<MigrationStatus>, DbError> {
    let applied = applied(client)?;
    Ok(MIGRATIONS
        .iter()
        .map(|m| {
            let row = applied.iter().find(|(v, _, _)| *v == m.version);
            MigrationStatus {
                version: m.version,
                name: m.name,
                applied_at: row.map(|(_, _, at)| at.clone()),
                modified: row.is_some_and(|(_, sum, _)| *sum != m.checksum()),
            }
        })
        .collect())
}

fn applied(client: &mut postgres::Client) -> Result<Vec<(i32, String, String)>, DbError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client.query(
        "SELECT version, checksum,
                to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
         FROM schema_migrations ORDER BY version",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The migrations not yet applied, in order.
pub fn pending(client: &mut postgres::Client) -> Result<Vec<Migration>, DbError> {
    let done = applied(client)?;
    Ok(MIGRATIONS
        .iter()
        .filter(|m| !done.iter().any(|(v, _, _)| *v == m.version))
        .copied()
        .collect())
}

/// Apply every pending migration, each in its own transaction. Returns the ones applied.
pub fn apply(client: &mut postgres::Client) -> Result<Vec<Migration>, DbError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])?;
    let result = apply_locked(client);
    // The lock is per session; release it even on failure so a retry in the same session works.
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY]);
    result
}

fn apply_locked(client: &mut postgres::Client) -> Result<Vec<Migration>, DbError> {
    client.batch_execute(CREATE_TABLE)?;
    for s in status(client)? {
        if s.modified {
            return Err(DbError::Migration {
                file: s.name.to_string(),
                reason: "was changed after it was applied (checksum differs); ship changes as a new migration".into(),
            });
        }
    }
    let mut done = Vec::new();
    for m in pending(client)? {
        let mut tx = client.transaction()?;
        tx.batch_execute(m.sql).map_err(|e| DbError::Migration {
            file: m.name.to_string(),
            reason: e
                .as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string()),
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )?;
        tx.commit()?;
        log::info!("applied migration {}", m.name);
        done.push(m);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_matches_the_migrations_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, embedded);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version as usize,
                i + 1,
                "versions are 1, 2, 3, … with no gap"
            );
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }

    #[test]
    fn migrations_hold_no_sample_rows_and_no_drops() {
        for m in MIGRATIONS {
            let upper = m.sql.to_ascii_uppercase();
            assert!(!upper.contains("INSERT INTO"), "{} inserts rows", m.name);
            assert!(!upper.contains("DROP TABLE"), "{} drops a table", m.name);
            assert!(!upper.contains("TRUNCATE"), "{} truncates", m.name);
        }
    }
}
