//! The rule engine: pure matching of events against operator rules (CONTRACT §5), and an
//! explanation of every decision. No I/O: the alerter feeds it a snapshot of the tables.
//!
//! - Rules are tried in `priority ASC, id ASC`; the first match wins.
//! - `contains` and `regex` look at `message`, case-insensitively; regexes use the `regex` crate
//!   (linear time); a pattern it cannot compile is reported and the rule skipped.
//! - `oid_prefix` compares normalised OIDs (leading `.` dropped, `iso.` → `1.`, trailing `.*`
//!   ignored) on a dot boundary, against the rule's `trap_oid` (or its `match_string` when
//!   `trap_oid` is empty).
//! - A rule's `syslog_severity` and `trap_oid`, when set, are extra conditions on every match type.
//! - Development hosts and device teams are looked up case-insensitively.
//! - An event is forwarded iff the chosen handling, lower-cased, is `page_and_ticket`,
//!   `page_only` or `ticket_only`.

use crate::silences::{self, Silence};
use crate::wire::event::{normalise_oid, EventView};
use crate::wire::rule::{is_forward, Environment, MatchType, Rule};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Whether `oid` is `prefix` or below it (dot boundary; both already normalised).
pub fn oid_under(oid: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && (oid == prefix
            || (oid.starts_with(prefix) && oid.as_bytes().get(prefix.len()) == Some(&b'.')))
}

#[derive(Debug)]
enum Matcher {
    /// Lower-cased needle; `None` = no text condition (OID-only rule).
    Contains(Option<String>),
    Regex(Option<regex::Regex>),
    OidPrefix(String),
}

#[derive(Debug)]
struct Compiled {
    rule: Rule,
    matcher: Matcher,
    oid_condition: Option<String>,
}

/// A rule the engine could not use, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRule {
    /// The rule's id.
    pub rule_id: i32,
    /// Why it was skipped.
    pub reason: String,
}

/// Everything the engine decides with: rules, development hosts, device teams, and the silences
/// that hold decided events back.
#[derive(Debug, Default)]
pub struct Snapshot {
    rules: Vec<Compiled>,
    skipped: Vec<SkippedRule>,
    dev_hosts: HashSet<String>,
    teams: HashMap<String, String>,
    default_team: String,
    silences: silences::Set,
    skipped_silences: Vec<(i32, String)>,
}

/// The engine's verdict on one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    /// A rule matched.
    Matched {
        /// The matching rule.
        rule_id: i32,
        /// The handling value chosen for the environment.
        handling: String,
        /// The rule's team.
        team: String,
        /// prod or dev.
        environment: Environment,
        /// Whether an alert goes to Moog.
        forward: bool,
    },
    /// No rule matched.
    Unhandled {
        /// The device's team, or the default team.
        team: String,
        /// prod or dev.
        environment: Environment,
    },
}

/// Why one rule did or did not match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleTrace {
    /// The rule's id.
    pub rule_id: i32,
    /// Its priority.
    pub priority: i32,
    /// Whether it matched.
    pub matched: bool,
    /// What was checked, in words.
    pub reason: String,
}

/// A decision with the rules tried on the way to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Rules in the order tried, up to and including the match.
    pub tried: Vec<RuleTrace>,
    /// Rules that could not be used at all.
    pub skipped: Vec<SkippedRule>,
    /// The verdict.
    pub decision: Decision,
    /// The silence that would hold the event back now: audited, not alerted (or, unhandled,
    /// not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silenced_by: Option<Silence>,
}

impl Snapshot {
    /// Build a snapshot: rules are sorted `priority, id`; bad patterns are skipped and reported.
    pub fn new(
        rules: Vec<Rule>,
        dev_hosts: impl IntoIterator<Item = String>,
        teams: impl IntoIterator<Item = (String, String)>,
        default_team: &str,
    ) -> Snapshot {
        let mut rules = rules;
        rules.sort_by_key(|r| (r.priority, r.id));
        let mut compiled = Vec::with_capacity(rules.len());
        let mut skipped = Vec::new();
        for rule in rules {
            match compile(&rule) {
                Ok((matcher, oid_condition)) => compiled.push(Compiled {
                    rule,
                    matcher,
                    oid_condition,
                }),
                Err(reason) => skipped.push(SkippedRule {
                    rule_id: rule.id,
                    reason,
                }),
            }
        }
        Snapshot {
            rules: compiled,
            skipped,
            dev_hosts: dev_hosts.into_iter().map(|h| h.to_lowercase()).collect(),
            teams: teams
                .into_iter()
                .map(|(h, t)| (h.to_lowercase(), t))
                .collect(),
            default_team: default_team.to_string(),
            silences: silences::Set::default(),
            skipped_silences: Vec::new(),
        }
    }

    /// The snapshot with `silences` in force; those that do not compile are left out and listed
    /// by [`Snapshot::skipped_silences`].
    pub fn with_silences(mut self, list: Vec<Silence>) -> Snapshot {
        let (set, skipped) = silences::Set::new(list);
        self.silences = set;
        self.skipped_silences = skipped;
        self
    }

    /// The silences in force (not yet ended).
    pub fn silences(&self) -> &silences::Set {
        &self.silences
    }

    /// Silences left out (id, why): edited by hand into something that does not compile.
    pub fn skipped_silences(&self) -> &[(i32, String)] {
        &self.skipped_silences
    }

    /// The silence that holds `event`, decided as `decision`, back at `now`.
    pub fn silence_for(
        &self,
        event: &EventView<'_>,
        decision: &Decision,
        now: DateTime<Utc>,
    ) -> Option<&Silence> {
        if self.silences.is_empty() {
            return None;
        }
        let (rule_id, team) = match decision {
            Decision::Matched { rule_id, team, .. } => (Some(*rule_id), team.as_str()),
            Decision::Unhandled { team, .. } => (None, team.as_str()),
        };
        self.silences.holding(
            &silences::Target {
                hostname: event.hostname,
                message: event.message,
                rule_id,
                team,
            },
            now,
        )
    }

    /// Rules in use.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Rules that could not be used (bad regex, OID rule without an OID).
    pub fn skipped(&self) -> &[SkippedRule] {
        &self.skipped
    }

    /// Development hosts known.
    pub fn dev_host_count(&self) -> usize {
        self.dev_hosts.len()
    }

    /// Device teams known.
    pub fn team_count(&self) -> usize {
        self.teams.len()
    }

    /// prod or dev for a host.
    pub fn environment(&self, hostname: &str) -> Environment {
        if self.dev_hosts.contains(&hostname.to_lowercase()) {
            Environment::Dev
        } else {
            Environment::Prod
        }
    }

    /// The owning team of a device (for unhandled events), or the default team.
    pub fn device_team(&self, hostname: &str) -> &str {
        self.teams
            .get(&hostname.to_lowercase())
            .map(String::as_str)
            .unwrap_or(&self.default_team)
    }

    /// Decide for one event.
    pub fn decide(&self, event: &EventView<'_>) -> Decision {
        let lowered = event.message.map(str::to_lowercase);
        let oid = event.trap_oid.map(normalise_oid);
        let hit = self
            .rules
            .iter()
            .find(|c| check(c, event, lowered.as_deref(), oid.as_deref()).is_ok());
        self.verdict(hit.map(|c| &c.rule), event.hostname)
    }

    /// Decide for one event and say why, rule by rule, and which silence would hold it at `now`.
    pub fn explain(&self, event: &EventView<'_>, now: DateTime<Utc>) -> Explanation {
        let lowered = event.message.map(str::to_lowercase);
        let oid = event.trap_oid.map(normalise_oid);
        let mut tried = Vec::new();
        let mut hit = None;
        for c in &self.rules {
            let result = check(c, event, lowered.as_deref(), oid.as_deref());
            let matched = result.is_ok();
            tried.push(RuleTrace {
                rule_id: c.rule.id,
                priority: c.rule.priority,
                matched,
                reason: result.unwrap_or_else(|e| e),
            });
            if matched {
                hit = Some(&c.rule);
                break;
            }
        }
        let decision = self.verdict(hit, event.hostname);
        Explanation {
            tried,
            skipped: self.skipped.clone(),
            silenced_by: self.silence_for(event, &decision, now).cloned(),
            decision,
        }
    }

    fn verdict(&self, hit: Option<&Rule>, hostname: &str) -> Decision {
        let environment = self.environment(hostname);
        match hit {
            Some(rule) => {
                let handling = match environment {
                    Environment::Prod => &rule.prod_handling,
                    Environment::Dev => &rule.dev_handling,
                };
                Decision::Matched {
                    rule_id: rule.id,
                    handling: handling.clone(),
                    team: rule.team_assignment.clone(),
                    environment,
                    forward: is_forward(handling),
                }
            }
            None => Decision::Unhandled {
                team: self.device_team(hostname).to_string(),
                environment,
            },
        }
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn compile(rule: &Rule) -> Result<(Matcher, Option<String>), String> {
    let trap = non_empty(&rule.trap_oid).map(normalise_oid);
    match rule.match_type {
        MatchType::Contains => Ok((
            Matcher::Contains(non_empty(&rule.match_string).map(str::to_lowercase)),
            trap,
        )),
        MatchType::Regex => match non_empty(&rule.match_string) {
            None => Ok((Matcher::Regex(None), trap)),
            Some(pattern) => regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map(|re| (Matcher::Regex(Some(re)), trap))
                .map_err(|e| {
                    format!(
                        "regex does not compile: {}",
                        e.to_string()
                            .lines()
                            .last()
                            .unwrap_or("invalid pattern")
                            .trim()
                    )
                }),
        },
        MatchType::OidPrefix => {
            let prefix = trap
                .clone()
                .or_else(|| non_empty(&rule.match_string).map(normalise_oid))
                .filter(|p| !p.is_empty())
                .ok_or_else(|| "oid_prefix rule has no OID".to_string())?;
            Ok((Matcher::OidPrefix(prefix), None))
        }
    }
}

/// Whether the engine can use `rule` (its regex compiles, an `oid_prefix` rule has an OID); the
/// same check that makes a loaded rule skipped, so a saved rule is never one the alerter skips.
pub fn validate(rule: &Rule) -> Result<(), String> {
    compile(rule).map(|_| ())
}

/// `Ok(why it matched)` or `Err(why not)`.
fn check(
    c: &Compiled,
    event: &EventView<'_>,
    lowered: Option<&str>,
    oid: Option<&str>,
) -> Result<String, String> {
    if let Some(want) = c.rule.syslog_severity {
        match event.syslog_severity {
            Some(have) if i32::from(have) == want => {}
            Some(have) => return Err(format!("severity {have} is not the rule's {want}")),
            None => return Err(format!("event has no severity (rule wants {want})")),
        }
    }
    if let Some(prefix) = &c.oid_condition {
        match oid {
            Some(o) if oid_under(o, prefix) => {}
            Some(o) => return Err(format!("trap_oid {o} is not under {prefix}")),
            None => return Err(format!("event has no trap_oid (rule wants {prefix})")),
        }
    }
    match &c.matcher {
        Matcher::Contains(None) | Matcher::Regex(None) => Ok("trap_oid condition met".into()),
        Matcher::Contains(Some(needle)) => match lowered {
            Some(m) if m.contains(needle.as_str()) => Ok(format!("message contains {needle:?}")),
            Some(_) => Err(format!("message does not contain {needle:?}")),
            None => Err("event has no message".into()),
        },
        Matcher::Regex(Some(re)) => match event.message {
            Some(m) if re.is_match(m) => Ok(format!("message matches /{}/", re.as_str())),
            Some(_) => Err(format!("message does not match /{}/", re.as_str())),
            None => Err("event has no message".into()),
        },
        Matcher::OidPrefix(prefix) => match oid {
            Some(o) if oid_under(o, prefix) => Ok(format!("trap_oid {o} is under {prefix}")),
            Some(o) => Err(format!("trap_oid {o} is not under {prefix}")),
            None => Err("event has no trap_oid".into()),
        },
    }
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
    pub fn of(snapshot: &Snapshot, age: std::time::Duration, reload_s: u64) -> CacheStatus {
        CacheStatus {
            rules: snapshot.rule_count() as u64,
            rules_skipped: snapshot.skipped().len() as u64,
            rules_age_ms: age.as_millis() as u64,
            rules_reload_s: reload_s,
        }
    }
}

#[cfg(test)]
mod tests;
