//! The rule: one row of `alert_rules` as v2.5 defined it (`match_string`, `trap_oid`,
//! `syslog_severity`, `match_type`, `priority`, `prod_handling`, `dev_handling`,
//! `team_assignment`), also the JSON of the rules API, and the environment a host is in.

use serde::Serialize;

/// Handling values that send an alert to Moog (compared lower-cased).
pub const FORWARD_HANDLINGS: [&str; 3] = ["page_and_ticket", "page_only", "ticket_only"];

/// How a rule's pattern is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    /// Case-insensitive substring of `message`.
    Contains,
    /// Case-insensitive regular expression searched in `message`.
    Regex,
    /// The event's trap OID is the rule's OID or below it.
    OidPrefix,
}

impl MatchType {
    /// Parse the `alert_rules.match_type` column.
    pub fn parse(text: &str) -> Option<MatchType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "contains" => Some(MatchType::Contains),
            "regex" => Some(MatchType::Regex),
            "oid_prefix" => Some(MatchType::OidPrefix),
            _ => None,
        }
    }

    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchType::Contains => "contains",
            MatchType::Regex => "regex",
            MatchType::OidPrefix => "oid_prefix",
        }
    }
}

/// One row of `alert_rules` (active rules only reach the engine).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Primary key.
    pub id: i32,
    /// Text or pattern.
    pub match_string: Option<String>,
    /// OID (prefix) the event's trap must fall under.
    pub trap_oid: Option<String>,
    /// Severity the event must have, 0–7.
    pub syslog_severity: Option<i32>,
    /// How `match_string` is applied.
    pub match_type: MatchType,
    /// Lower wins.
    pub priority: i32,
    /// Handling for production hosts.
    pub prod_handling: String,
    /// Handling for development hosts.
    pub dev_handling: String,
    /// Team the alert is assigned to.
    pub team_assignment: String,
}

/// `prod` or `dev`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Not a development host.
    Prod,
    /// Listed in `development_hosts`.
    Dev,
}

impl Environment {
    /// `prod` or `dev`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Prod => "prod",
            Environment::Dev => "dev",
        }
    }
}

/// Whether a handling value sends an alert.
pub fn is_forward(handling: &str) -> bool {
    let lower = handling.trim().to_ascii_lowercase();
    FORWARD_HANDLINGS.contains(&lower.as_str())
}
