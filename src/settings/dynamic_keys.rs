//! The registry of dynamic configuration keys (`mutt:config:<key>`): type, range, default, owner
//! and description of each (the canonical set of reference/webui.md §4.4). Writes through the REST
//! API and `mutt config set` are validated here.

use crate::settings::registry::Def;
use crate::settings::Settings;

/// The values a dynamic key accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueType {
    /// An integer in an inclusive range.
    Int { min: i64, max: i64 },
    /// A decimal number in an inclusive range.
    Float { min: f64, max: f64 },
    /// `true`/`false` (stored lower-case).
    Bool,
    /// One of these words (stored lower-case).
    OneOf(&'static [&'static str]),
}

/// One dynamic key.
#[derive(Debug)]
pub struct DynamicKey {
    /// The key without the `mutt:config:` prefix.
    pub name: &'static str,
    /// Accepted values.
    pub value_type: ValueType,
    /// Default when neither Redis nor a linked setting gives a value.
    pub default: &'static str,
    /// The component that reads it (`ingestor`, `alerter`, `forwarder`, `remediation`, `webui`, `retention`).
    pub owner: &'static str,
    /// The static setting this key overrides live, if any (its effective value is the default).
    pub setting: Option<&'static Def>,
    /// One-line description.
    pub description: &'static str,
}

/// Key names that can never be set (`updates` would collide with the notice channel).
pub const RESERVED: &[&str] = &["updates"];

/// Every dynamic key, sorted by name.
pub static ALL: &[&DynamicKey] = &[];

/// The key with this name.
pub fn find(name: &str) -> Option<&'static DynamicKey> {
    ALL.iter().copied().find(|k| k.name == name)
}

impl DynamicKey {
    /// Check a value given as JSON (number, bool or string) and return it as stored in Redis
    /// (`"250"`, `"true"`, `"dlq"`); `Err` says what is accepted.
    pub fn validate(&self, _value: &serde_json::Value) -> Result<String, String> {
        Err("not implemented yet".into())
    }

    /// The value in force when Redis holds none: the linked setting's effective value, else
    /// `default`.
    pub fn effective_default(&self, settings: &Settings) -> String {
        match self.setting {
            Some(def) => settings.text(def).to_string(),
            None => self.default.to_string(),
        }
    }

    /// A short human description of the accepted values (`integer 1..=1000000`).
    pub fn type_label(&self) -> String {
        String::new()
    }
}
