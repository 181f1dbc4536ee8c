//! Dynamic configuration writes: `mutt:config:<key>` validated against the key registry, audited
//! with `record_key` = the key, then announced by a PUBLISH of the bare key (v2.5's protocol).
//!
//! The value lives in Redis and the audit row in PostgreSQL, so "one transaction" is built as:
//! open the PostgreSQL transaction, insert the audit row, SET in Redis, commit. If the insert
//! fails nothing was set; if the SET fails the transaction rolls back; if the commit fails the
//! old value is put back.

use super::audit::{self, Change, ConfigAuditFilter, Operation};
use super::{Actor, AdminError, Notifier};
use crate::settings::dynamic_keys::{self, DynamicKey, RESERVED};
use crate::settings::Settings;
use crate::store::redis::keys::Keys;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The audit `table_name` of dynamic configuration (v2.5's).
pub const TABLE: &str = "dynamic_config";
/// Longest value stored for an unregistered key written with `force`.
pub const FREE_VALUE_MAX: usize = 4096;
const KEY_MAX: usize = 100;

/// One key as the API and `mutt config list` show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigEntry {
    /// The key without prefix.
    pub key: String,
    /// The value in force: Redis's if set, else the default.
    pub value: String,
    /// The default (the linked setting's effective value, or the registry default).
    pub default: Option<String>,
    /// `redis` when Redis holds a value, else `default`.
    pub source: &'static str,
    /// Accepted values (`integer 1..=1000000`); `unregistered` for keys the registry lacks.
    #[serde(rename = "type")]
    pub type_label: String,
    /// The component that reads it.
    pub owner: String,
    /// What it does.
    pub description: String,
}

fn entry(
    def: Option<&DynamicKey>,
    key: &str,
    stored: Option<String>,
    settings: &Settings,
) -> ConfigEntry {
    let default = def.map(|d| d.effective_default(settings));
    let source = if stored.is_some() { "redis" } else { "default" };
    ConfigEntry {
        key: key.to_string(),
        value: stored.or_else(|| default.clone()).unwrap_or_default(),
        default,
        source,
        type_label: def.map_or_else(|| "unregistered".to_string(), |d| d.type_label()),
        owner: def.map_or("unknown", |d| d.owner).to_string(),
        description: def.map_or("", |d| d.description).to_string(),
    }
}

fn stored_keys(conn: &mut redis::Connection, keys: &Keys) -> Result<Vec<String>, AdminError> {
    let prefix = keys.config("");
    let mut found: Vec<String> = redis::cmd("SCAN")
        .cursor_arg(0)
        .arg("MATCH")
        .arg(format!("{prefix}*"))
        .arg("COUNT")
        .arg(1000)
        .clone()
        .iter::<String>(conn)?
        .filter_map(|k| k.ok())
        .filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))
        .filter(|k| !RESERVED.contains(&k.as_str()))
        .collect();
    found.sort();
    found.dedup();
    Ok(found)
}

/// Every registered key with its live value and source, plus any unregistered key Redis holds.
pub fn list(
    conn: &mut redis::Connection,
    keys: &Keys,
    settings: &Settings,
) -> Result<Vec<ConfigEntry>, AdminError> {
    let mut names: Vec<String> = dynamic_keys::ALL
        .iter()
        .map(|k| k.name.to_string())
        .collect();
    for k in stored_keys(conn, keys)? {
        if !names.contains(&k) {
            names.push(k);
        }
    }
    names.sort();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let full: Vec<String> = names.iter().map(|n| keys.config(n)).collect();
    let values: Vec<Option<String>> = redis::cmd("MGET").arg(&full).query(conn)?;
    Ok(names
        .iter()
        .zip(values)
        .map(|(n, v)| entry(dynamic_keys::find(n), n, v, settings))
        .collect())
}

/// The v2.5 `{"config": {key: value}}` map of a listing (values in force).
pub fn as_map(entries: &[ConfigEntry]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect()
}

fn check_key(key: &str) -> Result<(), AdminError> {
    if key.is_empty()
        || key.len() > KEY_MAX
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
    {
        return Err(AdminError::invalid(
            "key",
            format!("key must be 1..={KEY_MAX} characters of letters, digits, '_', '.', '-'"),
        ));
    }
    if RESERVED.contains(&key) {
        return Err(AdminError::invalid("key", format!("{key:?} is reserved")));
    }
    Ok(())
}

/// One key; unknown to both the registry and Redis is not found.
pub fn get(
    conn: &mut redis::Connection,
    keys: &Keys,
    settings: &Settings,
    key: &str,
) -> Result<ConfigEntry, AdminError> {
    check_key(key)?;
    let stored: Option<String> = redis::cmd("GET").arg(keys.config(key)).query(conn)?;
    let def = dynamic_keys::find(key);
    if def.is_none() && stored.is_none() {
        return Err(AdminError::NotFound(format!("Config key not found: {key}")));
    }
    Ok(entry(def, key, stored, settings))
}

/// Validate `value` for `key`: against the registry, or, with `force`, any scalar for a key the
/// registry does not know.
pub fn validate(key: &str, value: &Value, force: bool) -> Result<String, AdminError> {
    check_key(key)?;
    match dynamic_keys::find(key) {
        Some(def) => def
            .validate(value)
            .map_err(|m| AdminError::invalid("value", format!("{key}: {m}"))),
        None if force => match value {
            Value::String(s) if s.len() <= FREE_VALUE_MAX => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(AdminError::invalid(
                "value",
                format!("value must be a string, number or boolean of at most {FREE_VALUE_MAX} bytes"),
            )),
        },
        None => Err(AdminError::invalid(
            "key",
            format!("unknown configuration key {key:?} (see `mutt config list`; force to write it anyway)"),
        )),
    }
}

/// What a write changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigChange {
    /// The key.
    pub key: String,
    /// The value Redis held before (null: none).
    pub old_value: Option<String>,
    /// The value stored now (null after a delete).
    pub new_value: Option<String>,
}

fn pair(key: &str, value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|v| json!({"key": key, "value": v}))
}

/// Set `key` to `value` (validated), audited and announced.
pub fn set(
    db: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    key: &str,
    value: &Value,
    force: bool,
    reason: Option<&str>,
) -> Result<ConfigChange, AdminError> {
    let new_value = validate(key, value, force)?;
    write(db, notifier, actor, key, Some(new_value), reason)
}

/// Remove `key` from Redis (its default applies again), audited and announced.
pub fn delete(
    db: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    key: &str,
    reason: Option<&str>,
) -> Result<ConfigChange, AdminError> {
    check_key(key)?;
    write(db, notifier, actor, key, None, reason)
}

fn write(
    db: &mut postgres::Client,
    notifier: &Notifier,
    actor: &Actor,
    key: &str,
    new_value: Option<String>,
    reason: Option<&str>,
) -> Result<ConfigChange, AdminError> {
    let mut conn = notifier.connect()?;
    let redis_key = notifier.keys().config(key);
    let old_value: Option<String> = redis::cmd("GET").arg(&redis_key).query(&mut conn)?;
    if new_value.is_none() && old_value.is_none() {
        return Err(AdminError::NotFound(format!("Config key not found: {key}")));
    }
    let operation = match (&old_value, &new_value) {
        (None, _) => Operation::Create,
        (Some(_), Some(_)) => Operation::Update,
        (Some(_), None) => Operation::Delete,
    };
    let mut tx = db.transaction()?;
    audit::record(
        &mut tx,
        actor,
        &Change::of_key(
            operation,
            TABLE,
            key,
            pair(key, &old_value),
            pair(key, &new_value),
            reason,
        ),
    )?;
    match &new_value {
        Some(v) => redis::cmd("SET")
            .arg(&redis_key)
            .arg(v)
            .query::<()>(&mut conn)?,
        None => redis::cmd("DEL").arg(&redis_key).query::<()>(&mut conn)?,
    }
    if let Err(e) = tx.commit() {
        let restored = match &old_value {
            Some(v) => redis::cmd("SET")
                .arg(&redis_key)
                .arg(v)
                .query::<()>(&mut conn),
            None => redis::cmd("DEL").arg(&redis_key).query::<()>(&mut conn),
        };
        if let Err(re) = restored {
            log::error!("audit commit for config key {key} failed and the old value could not be restored: {re}");
        }
        return Err(e.into());
    }
    notifier.announce(key);
    Ok(ConfigChange {
        key: key.to_string(),
        old_value,
        new_value,
    })
}

/// The audit history of dynamic configuration (one key, or all), newest first.
pub fn history(
    db: &mut postgres::Client,
    key: Option<&str>,
    page: i64,
    limit: i64,
) -> Result<(Vec<audit::ConfigAuditRow>, audit::Pagination), AdminError> {
    audit::query_config(
        db,
        &ConfigAuditFilter {
            table_name: Some(TABLE.to_string()),
            record_key: key.map(str::to_string),
            page,
            limit,
            ..Default::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_before_anything_is_stored() {
        assert!(check_key("unhandled_threshold").is_ok());
        for bad in ["", "updates", "a b", "x:y", &"k".repeat(101)] {
            assert!(
                matches!(check_key(bad), Err(AdminError::Invalid { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn unknown_keys_need_force_and_a_scalar() {
        assert!(matches!(
            validate("no_such_key", &json!("1"), false),
            Err(AdminError::Invalid { field, .. }) if field == "key"
        ));
        assert_eq!(validate("no_such_key", &json!(5), true).unwrap(), "5");
        assert!(validate("no_such_key", &json!({"a": 1}), true).is_err());
    }
}
