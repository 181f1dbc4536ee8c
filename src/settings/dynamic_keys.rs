//! The registry of dynamic configuration keys (`mutt:config:<key>`): type, range, default, owner
//! and description of each (the canonical set of reference/webui.md §4.4). Writes through the REST
//! API and `mutt config set` are validated here.
//!
//! A key that overrides a static setting takes that setting's range and default, so the daemons'
//! reader (`DynamicConfig::int_or` in `store::redis::dynamic`) and a validated write always
//! agree on what is acceptable, and the documented default is the one mutt really uses.
//!
//! Deliberately not registered (see [`RETIRED`]): keys v2.5's seed scripts wrote but no code read
//! (`metrics_retention_days`, `log_retention_days`, `retention_check_interval_hours`, and the
//! legacy seed's `ingest_queue_depth_limit`, `alerter_cache_reload_interval`, `max_queue_depth`,
//! `moog_batch_size`, `moog_circuit_breaker_timeout`, `webui_cache_ttl`, `api_rate_limit`,
//! `log_level`, `metrics_enabled`), keys only the documentation mentioned (`remediation_enabled`,
//! `slo_window_hours`, `slo_ingest_success_target`, `slo_forward_success_target`,
//! `slo_burn_rate_warning`, `slo_burn_rate_critical`) and the unsupported aliases
//! `alerter_queue_warn` / `alerter_queue_shed`. Accepting them would let an operator change a value
//! that nothing reads.

use crate::settings::registry::{self, Def, Kind};
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

/// v2.5 key names that mutt deliberately does not register: seeded or documented, but read by
/// nothing (or unsupported aliases). Lets a writer say why such a key is refused.
pub const RETIRED: &[&str] = &[
    "alerter_cache_reload_interval",
    "alerter_queue_shed",
    "alerter_queue_warn",
    "api_rate_limit",
    "ingest_queue_depth_limit",
    "log_level",
    "log_retention_days",
    "max_queue_depth",
    "metrics_enabled",
    "metrics_retention_days",
    "moog_batch_size",
    "moog_circuit_breaker_timeout",
    "remediation_enabled",
    "retention_check_interval_hours",
    "slo_burn_rate_critical",
    "slo_burn_rate_warning",
    "slo_forward_success_target",
    "slo_ingest_success_target",
    "webui_cache_ttl",
];

/// The components that own keys, in documentation order.
pub const OWNERS: &[&str] = &[
    "ingestor",
    "alerter",
    "forwarder",
    "remediation",
    "webui",
    "retention",
];

/// The SLOs whose thresholds are dynamic keys `slo_<name>_…` (reference/webui.md §1.5).
pub const SLO_NAMES: &[&str] = &[
    "ingestor_availability",
    "ingestor_latency_p99",
    "forwarder_availability",
    "forwarder_latency_p99",
    "alerter_processing_success",
    "alerter_cache_reload_success",
];

macro_rules! key_names {
    ($($id:ident = $name:literal;)*) => {
        $(
            #[doc = concat!("Dynamic key `", $name, "`.")]
            pub const $id: &str = $name;
        )*
    };
}

key_names! {
    ALERT_DEDUP_WINDOW_SECONDS = "alert_dedup_window_seconds";
    MAX_INGEST_QUEUE_SIZE = "max_ingest_queue_size";
    INGEST_MAX_RATE = "ingest_max_rate";
    INGEST_RATE_WINDOW = "ingest_rate_window";
    CACHE_RELOAD_INTERVAL = "cache_reload_interval";
    UNHANDLED_THRESHOLD = "unhandled_threshold";
    UNHANDLED_EXPIRY_SECONDS = "unhandled_expiry_seconds";
    ALERTER_QUEUE_WARN_THRESHOLD = "alerter_queue_warn_threshold";
    ALERTER_QUEUE_SHED_THRESHOLD = "alerter_queue_shed_threshold";
    ALERTER_SHED_MODE = "alerter_shed_mode";
    ALERTER_DEFER_SLEEP_MS = "alerter_defer_sleep_ms";
    MOOG_RATE_LIMIT = "moog_rate_limit";
    MOOG_RATE_PERIOD = "moog_rate_period";
    CIRCUIT_BREAKER_THRESHOLD = "circuit_breaker_threshold";
    CIRCUIT_BREAKER_TIMEOUT = "circuit_breaker_timeout";
    REMEDIATION_INTERVAL = "remediation_interval";
    REMEDIATION_BATCH_SIZE = "remediation_batch_size";
    MAX_POISON_RETRIES = "max_poison_retries";
    SLO_INGESTOR_AVAILABILITY_WINDOW_HOURS = "slo_ingestor_availability_window_hours";
    SLO_INGESTOR_AVAILABILITY_BURN_RATE_WARNING = "slo_ingestor_availability_burn_rate_warning";
    SLO_INGESTOR_AVAILABILITY_BURN_RATE_CRITICAL = "slo_ingestor_availability_burn_rate_critical";
    SLO_INGESTOR_LATENCY_P99_WINDOW_HOURS = "slo_ingestor_latency_p99_window_hours";
    SLO_INGESTOR_LATENCY_P99_UPPER_BOUND_WARNING = "slo_ingestor_latency_p99_upper_bound_warning";
    SLO_INGESTOR_LATENCY_P99_UPPER_BOUND_CRITICAL = "slo_ingestor_latency_p99_upper_bound_critical";
    SLO_FORWARDER_AVAILABILITY_WINDOW_HOURS = "slo_forwarder_availability_window_hours";
    SLO_FORWARDER_AVAILABILITY_BURN_RATE_WARNING = "slo_forwarder_availability_burn_rate_warning";
    SLO_FORWARDER_AVAILABILITY_BURN_RATE_CRITICAL = "slo_forwarder_availability_burn_rate_critical";
    SLO_FORWARDER_LATENCY_P99_WINDOW_HOURS = "slo_forwarder_latency_p99_window_hours";
    SLO_FORWARDER_LATENCY_P99_UPPER_BOUND_WARNING = "slo_forwarder_latency_p99_upper_bound_warning";
    SLO_FORWARDER_LATENCY_P99_UPPER_BOUND_CRITICAL = "slo_forwarder_latency_p99_upper_bound_critical";
    SLO_ALERTER_PROCESSING_SUCCESS_WINDOW_HOURS = "slo_alerter_processing_success_window_hours";
    SLO_ALERTER_PROCESSING_SUCCESS_BURN_RATE_WARNING = "slo_alerter_processing_success_burn_rate_warning";
    SLO_ALERTER_PROCESSING_SUCCESS_BURN_RATE_CRITICAL = "slo_alerter_processing_success_burn_rate_critical";
    SLO_ALERTER_CACHE_RELOAD_SUCCESS_WINDOW_HOURS = "slo_alerter_cache_reload_success_window_hours";
    SLO_ALERTER_CACHE_RELOAD_SUCCESS_BURN_RATE_WARNING = "slo_alerter_cache_reload_success_burn_rate_warning";
    SLO_ALERTER_CACHE_RELOAD_SUCCESS_BURN_RATE_CRITICAL = "slo_alerter_cache_reload_success_burn_rate_critical";
    SLO_WINDOW_HOURS = "slo_window_hours";
    EVENT_RETENTION_DAYS = "event_retention_days";
    EVENT_ARCHIVE_RETENTION_YEARS = "event_archive_retention_years";
    CONFIG_AUDIT_RETENTION_DAYS = "config_audit_retention_days";
    DLQ_RETENTION_DAYS = "dlq_retention_days";
    RETENTION_ENFORCEMENT_ENABLED = "retention_enforcement_enabled";
}

// Type and default of a key that overrides `def`. Evaluated at compile time, so a setting whose
// kind has no dynamic counterpart (text, secrets) cannot be linked at all.
const fn linked(
    name: &'static str,
    owner: &'static str,
    def: &'static Def,
    description: &'static str,
) -> DynamicKey {
    let value_type = match def.kind {
        Kind::Int { min, max } => ValueType::Int { min, max },
        Kind::Port => ValueType::Int { min: 1, max: 65535 },
        Kind::ListenPort => ValueType::Int { min: 0, max: 65535 },
        Kind::Float { min, max } => ValueType::Float { min, max },
        Kind::Bool | Kind::TlsAuto { .. } => ValueType::Bool,
        Kind::OneOf(choices) => ValueType::OneOf(choices),
        Kind::Text | Kind::LogLevel | Kind::Secret => {
            panic!("only numeric, boolean and one-of settings can be linked to a dynamic key")
        }
    };
    let default = match def.default {
        Some(d) => d,
        None => panic!("a linked setting needs a default"),
    };
    DynamicKey {
        name,
        value_type,
        default,
        owner,
        setting: Some(def),
        description,
    }
}

const fn own(
    name: &'static str,
    owner: &'static str,
    value_type: ValueType,
    default: &'static str,
    description: &'static str,
) -> DynamicKey {
    DynamicKey {
        name,
        value_type,
        default,
        owner,
        setting: None,
        description,
    }
}

// SLO windows are Prometheus range selectors (`[<n>h]`); 30 days covers the usual SLO periods.
const SLO_WINDOW: ValueType = ValueType::Int { min: 1, max: 720 };
// Burn-rate multiples of the error budget.
const BURN_RATE: ValueType = ValueType::Float {
    min: 0.0,
    max: 1000.0,
};
// Latency bounds in seconds.
const UPPER_BOUND: ValueType = ValueType::Float {
    min: 0.0,
    max: 3600.0,
};

/// Every dynamic key, sorted by name.
pub static ALL: &[&DynamicKey] = &[
    &linked(
        ALERT_DEDUP_WINDOW_SECONDS,
        "alerter",
        &registry::ALERT_DEDUP_WINDOW_SECONDS,
        "Seconds in which a repeat of an alert already sent is held back and counted (0: off)",
    ),
    &linked(
        ALERTER_DEFER_SLEEP_MS,
        "alerter",
        &registry::ALERTER_DEFER_SLEEP_MS,
        "Pause in milliseconds when deferring under backpressure",
    ),
    &linked(
        ALERTER_QUEUE_SHED_THRESHOLD,
        "alerter",
        &registry::ALERTER_QUEUE_SHED_THRESHOLD,
        "Alert-queue depth past which the alerter sheds or defers (0: never)",
    ),
    &linked(
        ALERTER_QUEUE_WARN_THRESHOLD,
        "alerter",
        &registry::ALERTER_QUEUE_WARN_THRESHOLD,
        "Alert-queue depth that logs a warning (0: never)",
    ),
    &linked(
        ALERTER_SHED_MODE,
        "alerter",
        &registry::ALERTER_SHED_MODE,
        "Past the shed threshold: defer (pause consuming) or dlq (move events to the DLQ)",
    ),
    &linked(
        CACHE_RELOAD_INTERVAL,
        "alerter",
        &registry::CACHE_RELOAD_INTERVAL,
        "Seconds between rule/host/team cache reloads",
    ),
    &linked(
        CIRCUIT_BREAKER_THRESHOLD,
        "forwarder",
        &registry::CIRCUIT_BREAKER_THRESHOLD,
        "Consecutive Moog failures that open the circuit breaker",
    ),
    &linked(
        CIRCUIT_BREAKER_TIMEOUT,
        "forwarder",
        &registry::CIRCUIT_BREAKER_TIMEOUT,
        "Seconds the breaker stays open before one probe",
    ),
    &linked(
        CONFIG_AUDIT_RETENTION_DAYS,
        "retention",
        &registry::RETENTION_AUDIT_DAYS,
        "Days config_audit_log rows are kept",
    ),
    &linked(
        DLQ_RETENTION_DAYS,
        "retention",
        &registry::RETENTION_DLQ_DAYS,
        "Days dead letters are kept",
    ),
    &linked(
        EVENT_ARCHIVE_RETENTION_YEARS,
        "retention",
        &registry::RETENTION_ARCHIVE_YEARS,
        "Years archived events are kept",
    ),
    &linked(
        EVENT_RETENTION_DAYS,
        "retention",
        &registry::RETENTION_EVENT_AUDIT_DAYS,
        "Days events stay in the active event_audit_log",
    ),
    &linked(
        INGEST_MAX_RATE,
        "ingestor",
        &registry::INGEST_MAX_RATE,
        "Requests per window per API key when rate limiting is on",
    ),
    &linked(
        INGEST_RATE_WINDOW,
        "ingestor",
        &registry::INGEST_RATE_WINDOW,
        "Rate-limit window in seconds",
    ),
    &linked(
        MAX_INGEST_QUEUE_SIZE,
        "ingestor",
        &registry::MAX_INGEST_QUEUE_SIZE,
        "Ingest queue depth past which requests get 503 (also caps remediation replays)",
    ),
    &linked(
        MAX_POISON_RETRIES,
        "remediation",
        &registry::MAX_POISON_RETRIES,
        "Replays of a dead letter before it moves to the dead list",
    ),
    &linked(
        MOOG_RATE_LIMIT,
        "forwarder",
        &registry::MOOG_RATE_LIMIT,
        "Alerts per period sent to Moog by all forwarders together",
    ),
    &linked(
        MOOG_RATE_PERIOD,
        "forwarder",
        &registry::MOOG_RATE_PERIOD,
        "Moog rate-limit period in seconds",
    ),
    &linked(
        REMEDIATION_BATCH_SIZE,
        "remediation",
        &registry::REMEDIATION_BATCH_SIZE,
        "Entries replayed per DLQ per cycle",
    ),
    &linked(
        REMEDIATION_INTERVAL,
        "remediation",
        &registry::REMEDIATION_INTERVAL,
        "Seconds between replay cycles",
    ),
    &linked(
        RETENTION_ENFORCEMENT_ENABLED,
        "retention",
        &registry::RETENTION_ENABLED,
        "Whether the retention enforcer deletes expired data",
    ),
    &own(
        SLO_ALERTER_CACHE_RELOAD_SUCCESS_BURN_RATE_CRITICAL,
        "webui",
        BURN_RATE,
        "10",
        "Burn rate at which alerter_cache_reload_success is critical",
    ),
    &own(
        SLO_ALERTER_CACHE_RELOAD_SUCCESS_BURN_RATE_WARNING,
        "webui",
        BURN_RATE,
        "5",
        "Burn rate at which alerter_cache_reload_success is a warning",
    ),
    &own(
        SLO_ALERTER_CACHE_RELOAD_SUCCESS_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of the alerter_cache_reload_success SLO",
    ),
    &own(
        SLO_ALERTER_PROCESSING_SUCCESS_BURN_RATE_CRITICAL,
        "webui",
        BURN_RATE,
        "10",
        "Burn rate at which alerter_processing_success is critical",
    ),
    &own(
        SLO_ALERTER_PROCESSING_SUCCESS_BURN_RATE_WARNING,
        "webui",
        BURN_RATE,
        "5",
        "Burn rate at which alerter_processing_success is a warning",
    ),
    &own(
        SLO_ALERTER_PROCESSING_SUCCESS_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of the alerter_processing_success SLO",
    ),
    &own(
        SLO_FORWARDER_AVAILABILITY_BURN_RATE_CRITICAL,
        "webui",
        BURN_RATE,
        "10",
        "Burn rate at which forwarder_availability is critical",
    ),
    &own(
        SLO_FORWARDER_AVAILABILITY_BURN_RATE_WARNING,
        "webui",
        BURN_RATE,
        "5",
        "Burn rate at which forwarder_availability is a warning",
    ),
    &own(
        SLO_FORWARDER_AVAILABILITY_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of the forwarder_availability SLO",
    ),
    &own(
        SLO_FORWARDER_LATENCY_P99_UPPER_BOUND_CRITICAL,
        "webui",
        UPPER_BOUND,
        "5",
        "Seconds of p99 Moog latency that are critical",
    ),
    &own(
        SLO_FORWARDER_LATENCY_P99_UPPER_BOUND_WARNING,
        "webui",
        UPPER_BOUND,
        "3",
        "Seconds of p99 Moog latency that are a warning",
    ),
    &own(
        SLO_FORWARDER_LATENCY_P99_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of the forwarder_latency_p99 SLO",
    ),
    &own(
        SLO_INGESTOR_AVAILABILITY_BURN_RATE_CRITICAL,
        "webui",
        BURN_RATE,
        "10",
        "Burn rate at which ingestor_availability is critical",
    ),
    &own(
        SLO_INGESTOR_AVAILABILITY_BURN_RATE_WARNING,
        "webui",
        BURN_RATE,
        "5",
        "Burn rate at which ingestor_availability is a warning",
    ),
    &own(
        SLO_INGESTOR_AVAILABILITY_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of the ingestor_availability SLO",
    ),
    &own(
        SLO_INGESTOR_LATENCY_P99_UPPER_BOUND_CRITICAL,
        "webui",
        UPPER_BOUND,
        "1",
        "Seconds of p99 ingest latency that are critical",
    ),
    &own(
        SLO_INGESTOR_LATENCY_P99_UPPER_BOUND_WARNING,
        "webui",
        UPPER_BOUND,
        "0.75",
        "Seconds of p99 ingest latency that are a warning",
    ),
    &own(
        SLO_INGESTOR_LATENCY_P99_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of the ingestor_latency_p99 SLO",
    ),
    &own(
        SLO_WINDOW_HOURS,
        "webui",
        SLO_WINDOW,
        "24",
        "Window in hours of an SLO that sets none of its own, and of the SLO report",
    ),
    &linked(
        UNHANDLED_EXPIRY_SECONDS,
        "alerter",
        &registry::UNHANDLED_EXPIRY_SECONDS,
        "Window in seconds of the unhandled-event count",
    ),
    &linked(
        UNHANDLED_THRESHOLD,
        "alerter",
        &registry::UNHANDLED_THRESHOLD,
        "Unmatched events from one host and message that raise a meta-alert (0: never)",
    ),
];

/// The key with this name.
pub fn find(name: &str) -> Option<&'static DynamicKey> {
    ALL.iter().copied().find(|k| k.name == name)
}

/// The registry as a Markdown table (kept in docs/OPERATIONS.md by a test).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| Key | Type | Default | Owner | Description |\n|---|---|---|---|---|\n");
    for key in ALL {
        let default = match key.setting {
            Some(def) => format!("`{}` (`{}`)", key.default, def.name),
            None => format!("`{}`", key.default),
        };
        out.push_str(&format!(
            "| `{}` | {} | {default} | {} | {} |\n",
            key.name,
            key.type_label(),
            key.owner,
            key.description
        ));
    }
    out
}

impl DynamicKey {
    /// Check a value given as JSON (number, bool or string) and return it as stored in Redis
    /// (`"250"`, `"true"`, `"dlq"`); `Err` says what is accepted.
    pub fn validate(&self, value: &serde_json::Value) -> Result<String, String> {
        use serde_json::Value as J;
        let text = match value {
            J::String(s) => s.trim().to_string(),
            J::Number(n) => n.to_string(),
            J::Bool(b) => b.to_string(),
            J::Null => return Err(format!("expected {}, not null", self.expected())),
            J::Array(_) => return Err(format!("expected {}, not an array", self.expected())),
            J::Object(_) => return Err(format!("expected {}, not an object", self.expected())),
        };
        self.parse(&text)
            .ok_or_else(|| format!("expected {}", self.expected()))
    }

    /// The value in force when Redis holds none: the linked setting's effective value, else
    /// `default`.
    pub fn effective_default(&self, settings: &Settings) -> String {
        match self.setting {
            Some(def) => settings.display_value(def),
            None => self.default.to_string(),
        }
    }

    /// A short human description of the accepted values (`integer 1..=1000000`).
    pub fn type_label(&self) -> String {
        match self.value_type {
            ValueType::Int { min, max } => format!("integer {min}..={max}"),
            ValueType::Float { min, max } => format!("number {min}..={max}"),
            ValueType::Bool => "boolean".to_string(),
            ValueType::OneOf(choices) => format!("one of {}", choices.join(", ")),
        }
    }

    /// Whether `stored` (a value as read from Redis) is one this key accepts; readers use it to
    /// ignore a value written around the validated paths.
    pub fn accepts(&self, stored: &str) -> bool {
        self.parse(stored.trim()).is_some()
    }

    // The canonical stored form of `text`, if acceptable.
    fn parse(&self, text: &str) -> Option<String> {
        match self.value_type {
            ValueType::Int { min, max } => text
                .parse::<i64>()
                .ok()
                .filter(|i| (min..=max).contains(i))
                .map(|i| i.to_string()),
            // `+ 0.0` turns -0 into 0, so the stored text never reads "-0".
            ValueType::Float { min, max } => text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f >= min && *f <= max)
                .map(|f| (f + 0.0).to_string()),
            ValueType::Bool => crate::settings::parse_bool(text).map(|b| b.to_string()),
            ValueType::OneOf(choices) => {
                let lower = text.to_ascii_lowercase();
                choices.contains(&lower.as_str()).then_some(lower)
            }
        }
    }

    fn expected(&self) -> String {
        match self.value_type {
            ValueType::Int { min, max } => format!("an integer in {min}..={max}"),
            ValueType::Float { min, max } => format!("a number in {min}..={max}"),
            ValueType::Bool => "true or false (also 1/0, yes/no, on/off)".to_string(),
            ValueType::OneOf(choices) => format!("one of {}", choices.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_unique_sorted_and_well_formed() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must sort before {} (and be unique)",
                pair[0].name,
                pair[1].name
            );
        }
        for key in ALL {
            assert!(
                key.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                key.name
            );
            assert!(
                OWNERS.contains(&key.owner),
                "{}: owner {}",
                key.name,
                key.owner
            );
            assert!(!key.description.is_empty(), "{}", key.name);
            assert!(std::ptr::eq(find(key.name).unwrap(), *key));
        }
        assert!(find("no_such_key").is_none());
    }

    #[test]
    fn reserved_and_retired_names_are_not_registered() {
        for name in RESERVED.iter().chain(RETIRED) {
            assert!(find(name).is_none(), "{name} must not be a dynamic key");
        }
    }

    #[test]
    fn the_canonical_set_is_complete() {
        for name in [
            "max_ingest_queue_size",
            "ingest_max_rate",
            "ingest_rate_window",
            "cache_reload_interval",
            "unhandled_threshold",
            "unhandled_expiry_seconds",
            "alert_dedup_window_seconds",
            "alerter_queue_warn_threshold",
            "alerter_queue_shed_threshold",
            "alerter_shed_mode",
            "alerter_defer_sleep_ms",
            "moog_rate_limit",
            "moog_rate_period",
            "circuit_breaker_threshold",
            "circuit_breaker_timeout",
            "event_retention_days",
            "event_archive_retention_years",
            "config_audit_retention_days",
            "dlq_retention_days",
            "retention_enforcement_enabled",
            "remediation_interval",
            "remediation_batch_size",
            "max_poison_retries",
        ] {
            assert!(find(name).is_some(), "{name} missing");
        }
        let mut slo_keys = 0;
        for slo in SLO_NAMES {
            let latency = slo.ends_with("_p99");
            let (warn, crit, default_warn) = if latency {
                ("upper_bound_warning", "upper_bound_critical", None)
            } else {
                ("burn_rate_warning", "burn_rate_critical", Some("5"))
            };
            let window = find(&format!("slo_{slo}_window_hours")).expect(slo);
            assert_eq!(window.default, "24");
            let w = find(&format!("slo_{slo}_{warn}")).expect(slo);
            let c = find(&format!("slo_{slo}_{crit}")).expect(slo);
            if let Some(d) = default_warn {
                assert_eq!((w.default, c.default), (d, "10"), "{slo}");
            }
            let (w, c): (f64, f64) = (w.default.parse().unwrap(), c.default.parse().unwrap());
            assert!(w < c, "{slo}: warning {w} must be below critical {c}");
            slo_keys += 3;
        }
        // Plus the report-wide window.
        assert!(find(SLO_WINDOW_HOURS).is_some());
        assert_eq!(
            ALL.iter().filter(|k| k.name.starts_with("slo_")).count(),
            slo_keys + 1
        );
        assert_eq!(
            find(SLO_INGESTOR_LATENCY_P99_UPPER_BOUND_WARNING)
                .unwrap()
                .default,
            "0.75"
        );
    }

    #[test]
    fn linked_settings_have_the_same_kind_range_and_default() {
        let settings = Settings::load(&[], &Default::default()).unwrap();
        for key in ALL {
            // Every default must be stored exactly as a validated write would store it.
            assert_eq!(
                key.validate(&json!(key.default)).as_deref(),
                Ok(key.default),
                "{}",
                key.name
            );
            let Some(def) = key.setting else {
                assert_eq!(key.effective_default(&settings), key.default);
                continue;
            };
            let compatible = match (key.value_type, def.kind) {
                (ValueType::Int { min, max }, Kind::Int { min: a, max: b }) => (min, max) == (a, b),
                (ValueType::Float { min, max }, Kind::Float { min: a, max: b }) => {
                    (min, max) == (a, b)
                }
                (ValueType::Bool, Kind::Bool) => true,
                (ValueType::OneOf(x), Kind::OneOf(y)) => x == y,
                _ => false,
            };
            assert!(compatible, "{} vs {}", key.name, def.name);
            assert_eq!(Some(key.default), def.default, "{}", key.name);
            assert_eq!(
                key.effective_default(&settings),
                key.default,
                "{}",
                key.name
            );
            assert!(
                def.help.contains(key.name),
                "{}'s help should name the dynamic key {}",
                def.name,
                key.name
            );
        }
    }

    #[test]
    fn effective_default_follows_the_linked_setting() {
        let env = [
            ("MAX_INGEST_QUEUE_SIZE", "5000"),
            ("ALERTER_SHED_MODE", "DLQ"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let settings = Settings::load(&[], &env).unwrap();
        let key = |n| find(n).unwrap();
        assert_eq!(
            key(MAX_INGEST_QUEUE_SIZE).effective_default(&settings),
            "5000"
        );
        assert_eq!(key(ALERTER_SHED_MODE).effective_default(&settings), "dlq");
        assert_eq!(key(ALERTER_SHED_MODE).default, "defer");
        assert_eq!(key(EVENT_RETENTION_DAYS).effective_default(&settings), "90");
        assert_eq!(
            key(RETENTION_ENFORCEMENT_ENABLED).effective_default(&settings),
            "true"
        );
    }

    #[test]
    fn integers_accept_numbers_and_numeric_text_in_range() {
        let k = find(MAX_INGEST_QUEUE_SIZE).unwrap();
        assert_eq!(k.type_label(), "integer 1..=1000000000");
        assert_eq!(k.validate(&json!(250)).as_deref(), Ok("250"));
        assert_eq!(k.validate(&json!(" 250 ")).as_deref(), Ok("250"));
        assert_eq!(
            k.validate(&json!(1_000_000_000)).as_deref(),
            Ok("1000000000")
        );
        let expected = "expected an integer in 1..=1000000000";
        for bad in [
            json!(0),
            json!(-5),
            json!(1_000_000_001_u64),
            json!(u64::MAX),
            json!(2.5),
            json!(250.0),
            json!("2.5"),
            json!("lots"),
            json!(""),
            json!(true),
        ] {
            assert_eq!(k.validate(&bad), Err(expected.to_string()), "{bad}");
        }
        assert_eq!(
            k.validate(&serde_json::Value::Null),
            Err(format!("{expected}, not null"))
        );
        assert_eq!(
            k.validate(&json!([1])),
            Err(format!("{expected}, not an array"))
        );
        assert_eq!(
            k.validate(&json!({"v": 1})),
            Err(format!("{expected}, not an object"))
        );
        assert!(k.accepts(" 7 ") && !k.accepts("0"));
    }

    #[test]
    fn floats_are_stored_in_shortest_form() {
        let k = find(SLO_INGESTOR_LATENCY_P99_UPPER_BOUND_WARNING).unwrap();
        assert_eq!(k.type_label(), "number 0..=3600");
        for (given, stored) in [
            (json!(0.75), "0.75"),
            (json!(5.0), "5"),
            (json!(2), "2"),
            (json!("1.50"), "1.5"),
            (json!(" 3600 "), "3600"),
            (json!("-0"), "0"),
            (json!("1e1"), "10"),
        ] {
            assert_eq!(k.validate(&given).as_deref(), Ok(stored), "{given}");
        }
        for bad in [
            json!(-0.1),
            json!(3600.5),
            json!("NaN"),
            json!("inf"),
            json!("fast"),
            json!(false),
        ] {
            assert_eq!(
                k.validate(&bad),
                Err("expected a number in 0..=3600".to_string()),
                "{bad}"
            );
        }
        assert!(k.validate(&serde_json::Value::Null).is_err());
    }

    #[test]
    fn booleans_accept_the_usual_spellings_and_store_true_or_false() {
        let k = find(RETENTION_ENFORCEMENT_ENABLED).unwrap();
        assert_eq!(k.type_label(), "boolean");
        for (given, stored) in [
            (json!(true), "true"),
            (json!(false), "false"),
            (json!("TRUE"), "true"),
            (json!(" yes "), "true"),
            (json!("on"), "true"),
            (json!("Off"), "false"),
            (json!("no"), "false"),
            (json!(1), "true"),
            (json!(0), "false"),
            (json!("0"), "false"),
        ] {
            assert_eq!(k.validate(&given).as_deref(), Ok(stored), "{given}");
        }
        for bad in [json!(2), json!("maybe"), json!(""), json!({})] {
            let err = k.validate(&bad).unwrap_err();
            assert!(err.starts_with("expected true or false"), "{bad}: {err}");
        }
    }

    #[test]
    fn one_of_is_case_insensitive_and_stored_lower_case() {
        let k = find(ALERTER_SHED_MODE).unwrap();
        assert_eq!(k.type_label(), "one of defer, dlq");
        assert_eq!(k.validate(&json!("DLQ")).as_deref(), Ok("dlq"));
        assert_eq!(k.validate(&json!(" Defer ")).as_deref(), Ok("defer"));
        for bad in [json!("drop"), json!(1), json!(true), json!("")] {
            assert_eq!(
                k.validate(&bad),
                Err("expected one of defer, dlq".to_string()),
                "{bad}"
            );
        }
    }

    #[test]
    fn markdown_table_has_one_row_per_key() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), ALL.len() + 2);
        assert!(table.contains(
            "| `alerter_shed_mode` | one of defer, dlq | `defer` (`ALERTER_SHED_MODE`) | alerter |"
        ));
        assert!(table.contains(
            "| `event_retention_days` | integer 1..=36500 | `90` (`RETENTION_EVENT_AUDIT_DAYS`) | retention |"
        ));
    }
}
