//! Silences (maintenance windows): which events an operator has asked to hold back, and when.
//! Pure: the alerter and `mutt rules test` hand in a decided event and the time, no I/O.
//!
//! - A silence has matchers, all of which must hold (at least one is given): `hostname` (exact,
//!   shell glob or regex, case-insensitive), `rule_id` (the rule that matched; an unhandled event
//!   has none), `team` (the rule's team, or the device's team for an unhandled event,
//!   case-insensitive) and `contains` (a case-insensitive substring of the message).
//! - It holds from `starts_at` (inclusive) to `ends_at` (exclusive), measured on the alerter's
//!   clock when it processes the event (as Alertmanager does), not on the device's time stamp.
//! - With a `schedule` it holds only inside the schedule's windows between those two instants
//!   (`ends_at` is then the schedule's end date); see [`schedule`].
//! - When several silences hold an event, the oldest (lowest id) is the one recorded.

pub mod schedule;

use chrono::{DateTime, Utc};
use schedule::{CompiledSchedule, Schedule};
use serde::{Deserialize, Serialize};

/// Longest `team` (`VARCHAR(100)`, as `alert_rules.team_assignment`).
pub const TEAM_MAX: usize = 100;
/// Longest `hostname` pattern.
pub const HOSTNAME_MAX: usize = 255;
/// Longest `contains` text.
pub const CONTAINS_MAX: usize = 1000;
/// Longest comment.
pub const COMMENT_MAX: usize = 1000;

/// How `hostname` is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostMatch {
    /// The whole name, case-insensitively.
    #[default]
    Exact,
    /// A shell glob (`core-sw-*`, `edge-[ab]?`), case-insensitively.
    Glob,
    /// A regular expression (the `regex` crate, unanchored like rules), case-insensitively.
    Regex,
}

impl HostMatch {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            HostMatch::Exact => "exact",
            HostMatch::Glob => "glob",
            HostMatch::Regex => "regex",
        }
    }

    /// Parse the stored spelling (any case).
    pub fn parse(text: &str) -> Option<HostMatch> {
        match text.trim().to_ascii_lowercase().as_str() {
            "exact" => Some(HostMatch::Exact),
            "glob" => Some(HostMatch::Glob),
            "regex" => Some(HostMatch::Regex),
            _ => None,
        }
    }
}

/// What a silence holds back; every matcher given must match.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matchers {
    /// The event's host name (or pattern, per `hostname_match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// How `hostname` is compared.
    #[serde(default)]
    pub hostname_match: HostMatch,
    /// The rule that matched the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<i32>,
    /// The team the event goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Text the message contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
}

impl Matchers {
    /// The matchers in one line, as an operator would read them
    /// (`host~glob:core-* rule=3 team=netops contains="LINK"`).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h) = &self.hostname {
            parts.push(match self.hostname_match {
                HostMatch::Exact => format!("host={h}"),
                HostMatch::Glob => format!("host~glob:{h}"),
                HostMatch::Regex => format!("host~/{h}/"),
            });
        }
        if let Some(r) = self.rule_id {
            parts.push(format!("rule={r}"));
        }
        if let Some(t) = &self.team {
            parts.push(format!("team={t}"));
        }
        if let Some(c) = &self.contains {
            parts.push(format!("contains={c:?}"));
        }
        parts.join(" ")
    }
}

/// One silence as stored, listed and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    /// Its id (`silences.id`, also `event_audit_log.silenced_by`).
    pub id: i32,
    /// What it holds back.
    pub matchers: Matchers,
    /// From (inclusive).
    pub starts_at: DateTime<Utc>,
    /// Until (exclusive); with a schedule, the schedule's end date.
    pub ends_at: DateTime<Utc>,
    /// The recurring windows, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Why (required, as amtool requires one).
    pub comment: String,
    /// Who created it (`cli:<user>` or `webui_api:<key name>`).
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Where a silence stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// `starts_at` is still ahead.
    Pending,
    /// It holds events now.
    Active,
    /// Between its windows: recurring, in its date range, outside every window now.
    Waiting,
    /// `ends_at` has passed (or it was expired).
    Expired,
}

impl State {
    /// The lower-case name (`active`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Active => "active",
            State::Waiting => "waiting",
            State::Expired => "expired",
        }
    }
}

/// The event as a silence sees it: decided, with its rule and team.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Host name.
    pub hostname: &'a str,
    /// Message text, if any.
    pub message: Option<&'a str>,
    /// The matched rule; `None` for an unhandled event.
    pub rule_id: Option<i32>,
    /// The team it goes to.
    pub team: &'a str,
}

#[derive(Debug, Clone)]
enum HostMatcher {
    Exact(String),
    Glob(globset::GlobMatcher),
    Regex(regex::Regex),
}

/// A silence ready to match.
#[derive(Debug, Clone)]
pub struct Compiled {
    silence: Silence,
    host: Option<HostMatcher>,
    team: Option<String>,
    contains: Option<String>,
    schedule: Option<CompiledSchedule>,
}

/// A field error: which field, and what is wrong with it.
pub type FieldError = (&'static str, String);

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Check the matchers (at least one, patterns that compile) and the schedule.
pub fn compile(silence: Silence) -> Result<Compiled, FieldError> {
    let m = &silence.matchers;
    let (hostname, team, contains) = (given(&m.hostname), given(&m.team), given(&m.contains));
    if hostname.is_none() && team.is_none() && contains.is_none() && m.rule_id.is_none() {
        return Err((
            "matchers",
            "give at least one matcher: hostname, rule_id, team or contains".into(),
        ));
    }
    for (field, value, max) in [
        ("matchers.hostname", hostname, HOSTNAME_MAX),
        ("matchers.team", team, TEAM_MAX),
        ("matchers.contains", contains, CONTAINS_MAX),
    ] {
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err((field, format!("{field} must be at most {max} characters")));
        }
    }
    let host = match hostname {
        None => None,
        Some(h) => Some(match m.hostname_match {
            HostMatch::Exact => HostMatcher::Exact(h.to_lowercase()),
            HostMatch::Glob => HostMatcher::Glob(
                globset::GlobBuilder::new(h)
                    .case_insensitive(true)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| {
                        (
                            "matchers.hostname",
                            format!("hostname glob does not parse: {}", e.kind()),
                        )
                    })?
                    .compile_matcher(),
            ),
            HostMatch::Regex => HostMatcher::Regex(
                regex::RegexBuilder::new(h)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        let why = e.to_string();
                        let last = why.lines().last().unwrap_or("invalid pattern").trim();
                        (
                            "matchers.hostname",
                            format!("hostname regex does not compile: {last}"),
                        )
                    })?,
            ),
        }),
    };
    if silence.ends_at < silence.starts_at {
        return Err(("ends_at", "ends_at must not be before starts_at".into()));
    }
    let schedule = match &silence.schedule {
        None => None,
        Some(s) => Some(s.compile().map_err(|e| ("schedule", e))?),
    };
    Ok(Compiled {
        team: team.map(str::to_lowercase),
        contains: contains.map(str::to_lowercase),
        host,
        schedule,
        silence,
    })
}

impl Compiled {
    /// The silence as stored.
    pub fn silence(&self) -> &Silence {
        &self.silence
    }

    /// Where it stands at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> State {
        let s = &self.silence;
        if now >= s.ends_at {
            State::Expired
        } else if now < s.starts_at {
            State::Pending
        } else if self.schedule.as_ref().is_some_and(|sch| !sch.holds(now)) {
            State::Waiting
        } else {
            State::Active
        }
    }

    /// Whether the matchers hold for `target` (time aside).
    pub fn matches(&self, target: &Target<'_>) -> bool {
        let host = target.hostname.trim();
        let host_ok = match &self.host {
            None => true,
            Some(HostMatcher::Exact(h)) => {
                host.eq_ignore_ascii_case(h) || host.to_lowercase() == *h
            }
            Some(HostMatcher::Glob(g)) => g.is_match(host),
            Some(HostMatcher::Regex(r)) => r.is_match(host),
        };
        host_ok
            && self
                .silence
                .matchers
                .rule_id
                .is_none_or(|want| target.rule_id == Some(want))
            && self
                .team
                .as_deref()
                .is_none_or(|want| target.team.trim().to_lowercase() == want)
            && self.contains.as_deref().is_none_or(|needle| {
                target
                    .message
                    .is_some_and(|m| m.to_lowercase().contains(needle))
            })
    }

    /// Whether it holds `target` back at `now`.
    pub fn holds(&self, target: &Target<'_>, now: DateTime<Utc>) -> bool {
        self.state(now) == State::Active && self.matches(target)
    }
}

/// The silences an alerter applies, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Set {
    silences: Vec<Compiled>,
}

impl Set {
    /// A set of `silences`; those that do not compile (a pattern edited in the table by hand)
    /// are returned with the reason, and left out.
    pub fn new(silences: Vec<Silence>) -> (Set, Vec<(i32, String)>) {
        let mut out = Vec::with_capacity(silences.len());
        let mut skipped = Vec::new();
        for s in silences {
            let id = s.id;
            match compile(s) {
                Ok(c) => out.push(c),
                Err((field, why)) => skipped.push((id, format!("{field}: {why}"))),
            }
        }
        out.sort_by_key(|c| c.silence.id);
        (Set { silences: out }, skipped)
    }

    /// How many silences the set holds (pending, active and waiting alike).
    pub fn len(&self) -> usize {
        self.silences.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.silences.is_empty()
    }

    /// Every silence in the set.
    pub fn iter(&self) -> impl Iterator<Item = &Compiled> {
        self.silences.iter()
    }

    /// The silence that holds `target` back at `now`: the oldest of those that do.
    pub fn holding(&self, target: &Target<'_>, now: DateTime<Utc>) -> Option<&Silence> {
        self.silences
            .iter()
            .find(|c| c.holds(target, now))
            .map(Compiled::silence)
    }
}

#[cfg(test)]
mod tests;
