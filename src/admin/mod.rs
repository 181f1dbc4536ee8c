//! The management layer shared by the REST API and the admin CLI: validated writes of rules,
//! development hosts, device teams, silences and dynamic configuration, each committed with its
//! `config_audit_log` row in one transaction and then announced on `mutt:config:updates`, and the
//! queries of both audit logs.
//!
//! Both front ends call these functions, so a rule saved from `mutt rules add` and one POSTed to
//! `/api/v2/rules` pass the same checks and leave the same audit row.

pub mod audit;
pub mod config;
pub mod hosts;
pub mod rules;
pub mod silences;
pub mod teams;

use crate::store::postgres::DbError;
use crate::store::redis::keys::Keys;
use crate::store::redis::RedisConnector;
use std::sync::Arc;

/// Longest `changed_by` the audit table takes (`VARCHAR(100)`).
pub const CHANGED_BY_MAX: usize = 100;

/// Who makes a change, and the request it belongs to (both go into the audit row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `webui_api:<key name>` or `cli:<os user>`; never part of a secret.
    pub changed_by: String,
    /// The request's correlation id, if any.
    pub correlation_id: Option<String>,
}

impl Actor {
    /// A REST API caller identified by the name of its API key.
    pub fn api(key_name: &str, correlation_id: &str) -> Actor {
        Actor {
            changed_by: clip(&format!("webui_api:{key_name}"), CHANGED_BY_MAX),
            correlation_id: Some(correlation_id.to_string()),
        }
    }

    /// The operating-system user running the CLI.
    pub fn cli() -> Actor {
        let user = ["USER", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
            // cron and some containers set neither; the uid still names who it was.
            .unwrap_or_else(|| format!("uid{}", current_uid()));
        Actor {
            changed_by: clip(&format!("cli:{user}"), CHANGED_BY_MAX),
            correlation_id: Some(uuid::Uuid::new_v4().to_string()),
        }
    }
}

fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Why a management operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The input is wrong; `field` names what to fix.
    #[error("{message}")]
    Invalid {
        /// The offending field (JSON name / CLI option).
        field: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// The record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with existing data (duplicate, or still referenced).
    #[error("{0}")]
    Conflict(String),
    /// PostgreSQL failed; nothing was changed.
    #[error("{0}")]
    Db(#[from] DbError),
    /// Redis failed; nothing was changed.
    #[error("Redis error: {0}")]
    Redis(String),
}

impl AdminError {
    /// An input error on `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> AdminError {
        AdminError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The HTTP status that reports it.
    pub fn status(&self) -> u16 {
        match self {
            AdminError::Invalid { .. } => 400,
            AdminError::NotFound(_) => 404,
            AdminError::Conflict(_) => 409,
            AdminError::Db(_) | AdminError::Redis(_) => 503,
        }
    }

    /// The message safe to show a client: store errors are summarised (details go to the log).
    pub fn public_message(&self) -> String {
        match self {
            AdminError::Db(_) => "database unavailable; nothing was changed".into(),
            AdminError::Redis(_) => "Redis unavailable; nothing was changed".into(),
            other => other.to_string(),
        }
    }
}

impl From<postgres::Error> for AdminError {
    fn from(e: postgres::Error) -> Self {
        AdminError::Db(DbError::Query(e))
    }
}

impl From<redis::RedisError> for AdminError {
    fn from(e: redis::RedisError) -> Self {
        AdminError::Redis(e.to_string())
    }
}

/// Tells the alerters (and every other dynamic-config reader) that something changed, by a
/// PUBLISH of a bare name on `mutt:config:updates` (v2.5's format).
#[derive(Clone)]
pub struct Notifier {
    connector: Arc<RedisConnector>,
    keys: Keys,
}

impl Notifier {
    /// A notifier publishing through `connector` on the channel of `keys`.
    pub fn new(connector: Arc<RedisConnector>, keys: Keys) -> Notifier {
        Notifier { connector, keys }
    }

    /// The key builder in use.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// A Redis connection for operations that need one (dynamic configuration).
    pub fn connect(&self) -> Result<redis::Connection, AdminError> {
        self.connector
            .connect()
            .map_err(|e| AdminError::Redis(e.to_string()))
    }

    /// Announce `payload` after a committed change. A failure is logged, not returned: the
    /// change is already committed and every reader also reloads periodically.
    pub fn announce(&self, payload: &str) {
        let published = self.connect().and_then(|mut conn| {
            redis::cmd("PUBLISH")
                .arg(self.keys.config_updates_channel())
                .arg(payload)
                .query::<i64>(&mut conn)
                .map_err(AdminError::from)
        });
        if let Err(e) = published {
            log::warn!("change committed but the {payload:?} notice was not published ({e}); readers pick it up at their next periodic reload");
        }
    }
}

/// Normalise a host name the way the alerter looks it up: trimmed, lower-case, 1–255 characters,
/// no whitespace or control characters.
pub fn normalise_hostname(field: &str, raw: &str) -> Result<String, AdminError> {
    let host = raw.trim().to_lowercase();
    if host.is_empty() {
        return Err(AdminError::invalid(field, format!("{field} is required")));
    }
    if host.chars().count() > 255 {
        return Err(AdminError::invalid(
            field,
            format!("{field} must be at most 255 characters"),
        ));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AdminError::invalid(
            field,
            format!("{field} must not contain spaces or control characters"),
        ));
    }
    Ok(host)
}

/// A required text field of at most `max` characters (trimmed).
pub fn required_text(field: &str, raw: Option<&str>, max: usize) -> Result<String, AdminError> {
    let text = raw.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Err(AdminError::invalid(field, format!("{field} is required")));
    }
    if text.chars().count() > max {
        return Err(AdminError::invalid(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_normalised_like_the_alerter_looks_them_up() {
        assert_eq!(
            normalise_hostname("hostname", "  Core-SW1 ").unwrap(),
            "core-sw1"
        );
        assert!(matches!(
            normalise_hostname("hostname", " "),
            Err(AdminError::Invalid { field, .. }) if field == "hostname"
        ));
        assert!(normalise_hostname("hostname", "a b").is_err());
        assert!(normalise_hostname("hostname", &"a".repeat(256)).is_err());
    }

    #[test]
    fn api_actor_names_the_key_never_its_secret() {
        let a = Actor::api("ops-team", "c1");
        assert_eq!(a.changed_by, "webui_api:ops-team");
        assert_eq!(a.correlation_id.as_deref(), Some("c1"));
        assert!(Actor::cli().changed_by.starts_with("cli:"));
    }

    #[test]
    fn store_errors_are_not_shown_to_clients() {
        let e = AdminError::Redis("connection refused to 10.0.0.1 with password x".into());
        assert_eq!(e.status(), 503);
        assert!(!e.public_message().contains("password"));
    }
}
