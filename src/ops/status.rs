//! `mutt status`: one look at the whole system, and a verdict.
//!
//! What the stores hold is read by [`crate::snapshot`], the reading the dashboard's overview
//! shows too; this module judges it. Daemon instances come from the instance hashes
//! (`mutt:instances:<service>`) the alerter, forwarder and remediation refresh with each
//! heartbeat; an alerter or forwarder is up while its heartbeat key exists (what the janitor
//! believes too), remediation while its last beat is younger than the lease it announced. Ingest,
//! the syslog receiver and the web UI have no heartbeat: their health URLs are probed when
//! configured, and one that does not answer 2xx is down. A store that cannot be reached is
//! reported and the rest still shown.
//!
//! Alerters also put their rule count and cache age in their beats ([`CacheStatus`]). The age is
//! a monotonic interval measured at the beat, to which the beat's own age on Redis's clock is
//! added here, so no host's wall clock is involved.

use crate::rules::CacheStatus;
use crate::settings::{registry, Settings};
use crate::snapshot::{self, Instances};
use crate::store::postgres::partitions::PARENT;
use crate::store::postgres::{PgConfig, PgConnector};
use crate::store::redis::keys::{Consumer, Keys, Service};
use crate::store::redis::{RedisConfig, RedisConnector};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

pub use crate::snapshot::{DlqSizes, Month, Partitions, Queues, RuleCounts};

/// Months after the current one whose partitions are shown (the horizon `mutt migrate` creates).
pub const PARTITION_MONTHS_AHEAD: u32 = 3;

/// Missed timed reloads after which an alerter's rule cache (or its disagreement with
/// PostgreSQL) is worth a warning: one miss is a slow reload, three a stuck reloader.
pub const CACHE_STALE_RELOADS: u64 = 3;

/// What the verdict is measured against (settings `STATUS_*`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Health URL of the ingest API, if it should be probed.
    pub ingest_url: Option<String>,
    /// Health URL of the web UI, if it should be probed.
    pub webui_url: Option<String>,
    /// Health URL of the syslog receiver (`HEALTH_PORT_SYSLOG`), if it should be probed.
    pub syslog_url: Option<String>,
    /// Deadline of each probe.
    pub http_timeout: Duration,
    /// PEM CA bundle verifying https:// probe URLs (`None`: system roots).
    pub ca_cert: Option<std::path::PathBuf>,
    /// A DLQ with more entries than this is a problem.
    pub dlq_threshold: u64,
    /// Instances silent longer than this are no longer listed (zero: always listed).
    pub forget_after: Duration,
    /// Heartbeat lifetime assumed for alerters without an instance record (v2.5 pods).
    pub alerter_ttl: Duration,
    /// Heartbeat lifetime assumed for forwarders without an instance record.
    pub moog_ttl: Duration,
}

impl Options {
    /// The options as configured.
    pub fn from_settings(s: &Settings) -> Options {
        let url = |def| {
            s.opt_text(def)
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
        };
        Options {
            ingest_url: url(&registry::STATUS_INGEST_URL),
            webui_url: url(&registry::STATUS_WEBUI_URL),
            syslog_url: url(&registry::STATUS_SYSLOG_URL),
            http_timeout: s.duration(&registry::STATUS_HTTP_TIMEOUT),
            ca_cert: url(&registry::STATUS_CA_CERT_PATH).map(Into::into),
            dlq_threshold: s.int(&registry::STATUS_DLQ_THRESHOLD).max(0) as u64,
            forget_after: s.duration(&registry::STATUS_FORGET_AFTER),
            alerter_ttl: s.duration(&registry::ALERTER_JANITOR_TIMEOUT),
            moog_ttl: s.duration(&registry::MOOG_JANITOR_TIMEOUT),
        }
    }
}

/// Whether a store answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reach {
    /// It answered.
    pub up: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The Redis server mutt writes to, and its replicas as it reports them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replication {
    /// `host:port` of the server answered (the master the Sentinels named, under Sentinel).
    pub master: String,
    /// Found through `REDIS_SENTINELS`.
    pub via_sentinels: bool,
    /// `master`, or `slave` when the server is not the master.
    pub role: String,
    /// Its replicas with their lag.
    pub replicas: Vec<crate::store::redis::replicas::ReplicaLag>,
    /// `REDIS_MIN_REPLICAS_ACK`.
    pub min_replicas_ack: u32,
}

/// One daemon instance seen through its heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instance {
    /// `alerter`, `moog` or `remediation`.
    pub service: String,
    /// Its pod name.
    pub pod: String,
    /// Alive.
    pub up: bool,
    /// Seconds since its last heartbeat (Redis clock).
    pub heartbeat_age_s: f64,
    /// The heartbeat lifetime it announced.
    pub ttl_s: u64,
    /// An alerter's rule cache, when its beats report one.
    #[serde(flatten)]
    pub rule_cache: Option<RuleCache>,
}

/// An alerter's rule cache as of now (JSON fields of its instance).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCache {
    /// Rules in use.
    pub rules: u64,
    /// Active rules it loaded but cannot use (bad regex, OID rule without an OID).
    pub rules_skipped: u64,
    /// Seconds since the cache was loaded.
    pub rules_age_s: f64,
    /// Its `cache_reload_interval` (seconds between timed reloads).
    pub rules_reload_s: u64,
}

impl RuleCache {
    /// The cache an alerter reported in a beat seen `beat_age_ms` ago.
    pub fn from_beat(beat: &CacheStatus, beat_age_ms: u64) -> RuleCache {
        RuleCache {
            rules: beat.rules,
            rules_skipped: beat.rules_skipped,
            rules_age_s: beat.rules_age_ms.saturating_add(beat_age_ms) as f64 / 1000.0,
            rules_reload_s: beat.rules_reload_s,
        }
    }

    /// Age past which this cache is stale: [`CACHE_STALE_RELOADS`] reload intervals.
    pub fn stale_after_s(&self) -> u64 {
        self.rules_reload_s.saturating_mul(CACHE_STALE_RELOADS)
    }
}

/// One probed health URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    /// `ingest`, `syslog` or `webui`.
    pub service: String,
    /// The URL probed.
    pub url: String,
    /// Answered 2xx in time.
    pub up: bool,
    /// HTTP status, when one came back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Why it is down, when no status came back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One pod's processing list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Processing {
    /// `alerter` or `moog`.
    pub consumer: String,
    /// Pod name.
    pub pod: String,
    /// Messages taken and not finished.
    pub depth: u64,
}

/// Everything `mutt status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `healthy` is false when `problems` is not empty.
    pub healthy: bool,
    /// What makes the system unhealthy.
    pub problems: Vec<String>,
    /// Worth a look, not unhealthy.
    pub warnings: Vec<String>,
    /// When (RFC 3339 UTC).
    pub checked_at: String,
    /// Redis.
    pub redis: Reach,
    /// The Redis master and its replicas (Redis up).
    pub replication: Option<Replication>,
    /// PostgreSQL.
    pub postgres: Reach,
    /// Daemon instances with a heartbeat.
    pub instances: Vec<Instance>,
    /// Probed health URLs.
    pub endpoints: Vec<Endpoint>,
    /// Queue depths (Redis up).
    pub queues: Option<Queues>,
    /// Non-empty processing lists.
    pub processing: Vec<Processing>,
    /// DLQ sizes (Redis up).
    pub dlq: Option<DlqSizes>,
    /// Circuit breaker state (`CLOSED`, `OPEN`, `HALF_OPEN`; no key = `CLOSED`).
    pub breaker: Option<String>,
    /// Rules (PostgreSQL up).
    pub rules: Option<RuleCounts>,
    /// Audit partitions (PostgreSQL up).
    pub partitions: Option<Partitions>,
    /// Silences that have not ended, with what they held back in the last hour (PostgreSQL up).
    pub silences: Vec<snapshot::SilenceInForce>,
}

/// Look at everything; never fails: what cannot be read is reported as a problem.
pub fn collect(settings: &Settings, opts: &Options) -> Report {
    let now = Utc::now();
    let mut r = Report {
        healthy: true,
        problems: Vec::new(),
        warnings: Vec::new(),
        checked_at: crate::timefmt::secs(now),
        redis: Reach {
            up: false,
            error: None,
        },
        replication: None,
        postgres: Reach {
            up: false,
            error: None,
        },
        instances: Vec::new(),
        endpoints: Vec::new(),
        queues: None,
        processing: Vec::new(),
        dlq: None,
        breaker: None,
        rules: None,
        partitions: None,
        silences: Vec::new(),
    };
    let keys = Keys::from_settings(settings);
    let mut held = std::collections::BTreeMap::new();
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    match connector.connect() {
        Ok(mut conn) => match read_redis(&mut conn, &keys, opts, &mut r) {
            Ok(()) => {
                r.redis.up = true;
                held = snapshot::read_held(&mut conn, &keys, now).unwrap_or_default();
                r.replication = read_replication(&mut conn, &connector);
            }
            Err(e) => r.redis.error = Some(format!("Redis command failed: {e}")),
        },
        Err(e) => r.redis.error = Some(e.to_string()),
    }
    match PgConnector::new(PgConfig::from_settings(settings, "mutt-status"))
        .and_then(|c| c.connect())
    {
        Ok(mut client) => {
            r.postgres.up = true;
            read_postgres(&mut client, now, &mut r);
            match snapshot::read_silences(&mut client) {
                Ok(list) => r.silences = snapshot::silences_in_force(list, &held, now),
                Err(e) => r.problems.push(format!("silences: {e}")),
            }
        }
        Err(e) => r.postgres.error = Some(e.to_string()),
    }
    let probed = [
        ("ingest", &opts.ingest_url),
        ("syslog", &opts.syslog_url),
        ("webui", &opts.webui_url),
    ];
    for (service, url) in probed {
        if let Some(url) = url {
            r.endpoints.push(probe(service, url, opts));
        }
    }
    assess(&mut r, opts);
    r
}

fn read_redis(
    conn: &mut redis::Connection,
    keys: &Keys,
    opts: &Options,
    r: &mut Report,
) -> redis::RedisResult<()> {
    let state = snapshot::read_redis(conn, keys)?;
    r.queues = Some(state.queues);
    r.dlq = Some(state.dlq);
    r.breaker = Some(state.breaker);
    r.processing = state
        .processing
        .into_iter()
        .map(|p| Processing {
            consumer: p.consumer.name().into(),
            pod: p.pod,
            depth: p.depth,
        })
        .collect();
    let seen = snapshot::read_instances(conn, keys)?;
    r.instances = instances(&seen, state.time_ms, opts);
    Ok(())
}

fn read_replication(
    conn: &mut redis::Connection,
    connector: &RedisConnector,
) -> Option<Replication> {
    let text: String = ::redis::cmd("INFO").arg("replication").query(conn).ok()?;
    let (role, _offset, replicas) = crate::store::redis::replicas::replication_view(&text);
    let cfg = connector.config();
    Some(Replication {
        master: connector
            .resolved_master()
            .unwrap_or_else(|| format!("{}:{}", cfg.host, cfg.port)),
        via_sentinels: cfg.uses_sentinels(),
        role,
        replicas,
        min_replicas_ack: cfg.replica_ack.min,
    })
}

/// The consumer family whose heartbeat key says whether an instance of `service` is alive.
fn consumer_of(service: Service) -> Option<Consumer> {
    match service {
        Service::Alerter => Some(Consumer::Alerter),
        Service::Forwarder => Some(Consumer::Moog),
        Service::Remediation => None,
    }
}

/// The instances worth listing, as of Redis time `now_ms` (pure). An alerter or forwarder is up
/// while its heartbeat key exists, remediation while its last beat is younger than its lease;
/// records silent for longer than `forget_after` are dropped.
fn instances(seen: &Instances, now_ms: u64, opts: &Options) -> Vec<Instance> {
    let mut out = Vec::new();
    for rec in &seen.records {
        let Some(beat) = parse_beat(&rec.record) else {
            continue;
        };
        let (last_seen_ms, ttl_s) = (beat.last_seen_ms, beat.ttl_s);
        let age_ms = now_ms.saturating_sub(last_seen_ms);
        if !opts.forget_after.is_zero() && age_ms as u128 > opts.forget_after.as_millis() {
            continue;
        }
        let up = match consumer_of(rec.service) {
            Some(c) => seen.heartbeat(c, &rec.pod).is_some(),
            None => age_ms <= ttl_s.saturating_mul(1000),
        };
        out.push(Instance {
            service: rec.service.name().into(),
            pod: rec.pod.clone(),
            up,
            heartbeat_age_s: age_ms as f64 / 1000.0,
            ttl_s,
            rule_cache: beat.cache.map(|c| RuleCache::from_beat(&c, age_ms)),
        });
    }
    // Pods alive without an instance record (a v2.5 daemon sharing this Redis during a
    // migration) are still seen through their heartbeat keys; their age assumes our lifetime.
    for (service, c, ttl) in [
        (Service::Alerter, Consumer::Alerter, opts.alerter_ttl),
        (Service::Forwarder, Consumer::Moog, opts.moog_ttl),
    ] {
        for beat in seen.heartbeats.iter().filter(|h| h.consumer == c) {
            if out
                .iter()
                .any(|i| i.service == service.name() && i.pod == beat.pod)
            {
                continue;
            }
            let ttl_ms = ttl.as_millis() as i64;
            out.push(Instance {
                service: service.name().into(),
                pod: beat.pod.clone(),
                up: true,
                heartbeat_age_s: (ttl_ms - beat.ttl_left_ms).max(0) as f64 / 1000.0,
                ttl_s: ttl.as_secs(),
                rule_cache: None,
            });
        }
    }
    out.sort_by(|a, b| (&a.service, &a.pod).cmp(&(&b.service, &b.pod)));
    out
}

/// One instance record of the instance hash.
#[derive(Debug, PartialEq)]
struct Beat {
    last_seen_ms: u64,
    ttl_s: u64,
    // Alerters only, and only once their rules are loaded.
    cache: Option<CacheStatus>,
}

fn parse_beat(text: &str) -> Option<Beat> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some(Beat {
        last_seen_ms: v.get("last_seen_ms")?.as_u64()?,
        ttl_s: v.get("ttl_s")?.as_u64()?,
        cache: serde_json::from_value(v).ok(),
    })
}

fn read_postgres(client: &mut postgres::Client, now: DateTime<Utc>, r: &mut Report) {
    match snapshot::read_rules(client) {
        Ok(rules) => r.rules = Some(rules),
        Err(e) => r.problems.push(format!(
            "rules: {}",
            crate::store::postgres::pool::short_reason(&e)
        )),
    }
    match snapshot::read_partitions(client, now, PARTITION_MONTHS_AHEAD) {
        Ok(p) => r.partitions = Some(p),
        Err(e) => r.problems.push(format!("partitions: {e}")),
    }
}

fn probe(service: &str, url: &str, opts: &Options) -> Endpoint {
    let endpoint = |up, http_status, error| Endpoint {
        service: service.into(),
        url: url.into(),
        up,
        http_status,
        error,
    };
    let mut agent = ureq::AgentBuilder::new().timeout(opts.http_timeout);
    if let Some(ca) = &opts.ca_cert {
        match crate::http::client_config_with_ca(ca, registry::STATUS_CA_CERT_PATH.name) {
            Ok(tls) => agent = agent.tls_config(tls),
            Err(e) => return endpoint(false, None, Some(e.to_string())),
        }
    }
    let agent = agent.build();
    let (up, http_status, error) = match agent.get(url).call() {
        Ok(resp) => (true, Some(resp.status()), None),
        Err(ureq::Error::Status(code, _)) => (false, Some(code), None),
        Err(e) => (false, None, Some(short_transport_error(&e))),
    };
    endpoint(up, http_status, error)
}

fn short_transport_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Transport(t) => t
            .message()
            .map(str::to_string)
            .unwrap_or_else(|| t.kind().to_string()),
        other => other.to_string(),
    }
}

/// Warnings about alerter `pod`'s rule cache `c` against the table's counts `rules` (pure): the
/// cache is older than [`RuleCache::stale_after_s`], or its rule count has differed from the
/// active rules for longer than that. The disagreement is dated from the last audited rule change
/// (a change after it is announced and picked up at once), else from the cache's load; an
/// unaudited SQL edit after an older audited change can so warn until the next timed reload.
pub fn cache_warnings(pod: &str, c: &RuleCache, rules: Option<&RuleCounts>) -> Vec<String> {
    let limit = c.stale_after_s() as f64;
    let mut out = Vec::new();
    if c.rules_age_s > limit {
        out.push(format!(
            "alerter {pod}'s rule cache is {:.0}s old (reloads every {}s; limit {limit:.0}s)",
            c.rules_age_s, c.rules_reload_s
        ));
    }
    if let Some(t) = rules {
        let loaded = c.rules.saturating_add(c.rules_skipped);
        let (differing_s, since) = match t.last_change_age_s {
            Some(s) => (s, "the last rule change"),
            None => (c.rules_age_s, "its last load"),
        };
        if i64::try_from(loaded).ok() != Some(t.active) && differing_s > limit {
            out.push(format!(
                "alerter {pod} holds {loaded} rule(s) but PostgreSQL has {} active, \
                 {differing_s:.0}s after {since} (limit {limit:.0}s)",
                t.active
            ));
        }
    }
    out
}

/// Fill `problems`, `warnings` and `healthy` from what was collected (pure).
pub fn assess(r: &mut Report, opts: &Options) {
    let mut problems = std::mem::take(&mut r.problems);
    let mut warnings = std::mem::take(&mut r.warnings);
    for (name, reach) in [("Redis", &r.redis), ("PostgreSQL", &r.postgres)] {
        if !reach.up {
            problems.push(format!(
                "{name} unreachable: {}",
                reach.error.as_deref().unwrap_or("no answer")
            ));
        }
    }
    if let Some(rep) = &r.replication {
        if rep.role != "master" {
            problems.push(format!(
                "Redis at {} is a replica ({}): mutt needs the master",
                rep.master, rep.role
            ));
        }
        let online = rep.replicas.iter().filter(|x| x.state == "online").count() as u32;
        if online < rep.min_replicas_ack {
            problems.push(format!(
                "Redis master {} has {online} online replica(s) and REDIS_MIN_REPLICAS_ACK is {}: nothing can be acknowledged",
                rep.master, rep.min_replicas_ack
            ));
        }
    }
    for i in r.instances.iter().filter(|i| !i.up) {
        problems.push(format!(
            "{} {} is down: last heartbeat {:.0}s ago (lifetime {}s)",
            i.service, i.pod, i.heartbeat_age_s, i.ttl_s
        ));
    }
    for i in r.instances.iter().filter(|i| i.up) {
        if let Some(c) = &i.rule_cache {
            warnings.extend(cache_warnings(&i.pod, c, r.rules.as_ref()));
        }
    }
    if r.redis.up {
        for service in [Service::Alerter, Service::Forwarder] {
            if !r
                .instances
                .iter()
                .any(|i| i.up && i.service == service.name())
            {
                warnings.push(format!("no {} instance is running", service.name()));
            }
        }
    }
    for e in r.endpoints.iter().filter(|e| !e.up) {
        let why = match (e.http_status, &e.error) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(err)) => err.clone(),
            (None, None) => "no answer".into(),
        };
        problems.push(format!("{} is down: {} answered {why}", e.service, e.url));
    }
    match r.breaker.as_deref() {
        Some("OPEN") => problems.push("the Moog circuit breaker is open".into()),
        Some("HALF_OPEN") => {
            warnings.push("the Moog circuit breaker is half open (probing)".into())
        }
        _ => {}
    }
    if let Some(d) = &r.dlq {
        for (name, n) in [("alerter", d.alerter), ("moog", d.moog), ("dead", d.dead)] {
            if n > opts.dlq_threshold {
                problems.push(format!(
                    "DLQ {name} holds {n} entries (threshold {})",
                    opts.dlq_threshold
                ));
            }
        }
    }
    if let Some(p) = &r.partitions {
        for (i, m) in p.months.iter().enumerate().filter(|(_, m)| !m.exists) {
            if i == 0 {
                problems.push(format!(
                    "no audit partition for the current month {} (events land in DEFAULT)",
                    m.month
                ));
            } else {
                warnings.push(format!(
                    "no audit partition yet for {} (run `mutt partitions ensure` or `mutt migrate`)",
                    m.month
                ));
            }
        }
        match p.default_rows {
            None => warnings.push(format!("{PARENT} has no DEFAULT partition")),
            Some(n) if n > 0 => warnings.push(format!(
                "{n} audit rows sit in the DEFAULT partition (no monthly partition covered them)"
            )),
            Some(_) => {}
        }
    }
    r.healthy = problems.is_empty();
    r.problems = problems;
    r.warnings = warnings;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            ingest_url: None,
            webui_url: None,
            syslog_url: None,
            http_timeout: Duration::from_secs(1),
            ca_cert: None,
            dlq_threshold: 10,
            forget_after: Duration::from_secs(3600),
            alerter_ttl: Duration::from_secs(30),
            moog_ttl: Duration::from_secs(30),
        }
    }

    fn healthy_report() -> Report {
        let up = Reach {
            up: true,
            error: None,
        };
        let inst = |service: &str| Instance {
            service: service.into(),
            pod: "p1".into(),
            up: true,
            heartbeat_age_s: 1.0,
            ttl_s: 30,
            rule_cache: (service == "alerter").then(|| cache(1, 10.0)),
        };
        Report {
            healthy: false,
            problems: vec![],
            warnings: vec![],
            checked_at: String::new(),
            redis: up.clone(),
            replication: Some(Replication {
                master: "127.0.0.1:6379".into(),
                via_sentinels: false,
                role: "master".into(),
                replicas: vec![],
                min_replicas_ack: 0,
            }),
            postgres: up,
            instances: vec![inst("alerter"), inst("moog")],
            endpoints: vec![],
            queues: Some(Queues {
                ingest: 0,
                alert: 0,
                retry: 0,
            }),
            processing: vec![],
            dlq: Some(DlqSizes {
                alerter: 10,
                moog: 0,
                dead: 0,
            }),
            breaker: Some("CLOSED".into()),
            rules: Some(RuleCounts {
                active: 1,
                total: 1,
                last_change_age_s: Some(5000.0),
            }),
            partitions: Some(Partitions {
                months: vec![Month {
                    month: "2026-12".into(),
                    partition: "event_audit_log_2026_12".into(),
                    exists: true,
                }],
                default_rows: Some(0),
            }),
            silences: vec![],
        }
    }

    #[test]
    fn a_healthy_system_has_no_problems() {
        let mut r = healthy_report();
        assess(&mut r, &opts());
        assert!(r.healthy, "{:?}", r.problems);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    type Breakage = Box<dyn Fn(&mut Report)>;

    #[test]
    fn each_unhealthy_condition_is_a_problem() {
        let cases: Vec<(&str, Breakage)> = vec![
            ("Redis unreachable", Box::new(|r| r.redis.up = false)),
            (
                "is a replica",
                Box::new(|r| {
                    if let Some(rep) = r.replication.as_mut() {
                        rep.role = "slave".into();
                    }
                }),
            ),
            (
                "REDIS_MIN_REPLICAS_ACK is 1",
                Box::new(|r| {
                    if let Some(rep) = r.replication.as_mut() {
                        rep.min_replicas_ack = 1;
                    }
                }),
            ),
            (
                "PostgreSQL unreachable",
                Box::new(|r| r.postgres.up = false),
            ),
            (
                "alerter p1 is down",
                Box::new(|r| r.instances[0].up = false),
            ),
            (
                "breaker is open",
                Box::new(|r| r.breaker = Some("OPEN".into())),
            ),
            (
                "DLQ alerter holds 11",
                Box::new(|r| r.dlq.as_mut().unwrap().alerter = 11),
            ),
            (
                "current month 2026-12",
                Box::new(|r| r.partitions.as_mut().unwrap().months[0].exists = false),
            ),
            (
                "ingest is down",
                Box::new(|r| {
                    r.endpoints.push(Endpoint {
                        service: "ingest".into(),
                        url: "http://x/health".into(),
                        up: false,
                        http_status: Some(503),
                        error: None,
                    })
                }),
            ),
            (
                "syslog is down: http://s:8089/health/ready answered Connection refused",
                Box::new(|r| {
                    r.endpoints.push(Endpoint {
                        service: "syslog".into(),
                        url: "http://s:8089/health/ready".into(),
                        up: false,
                        http_status: None,
                        error: Some("Connection refused".into()),
                    })
                }),
            ),
        ];
        for (expected, break_it) in cases {
            let mut r = healthy_report();
            break_it(&mut r);
            assess(&mut r, &opts());
            assert!(!r.healthy, "{expected}");
            assert!(
                r.problems.iter().any(|p| p.contains(expected)),
                "{expected}: {:?}",
                r.problems
            );
        }
    }

    #[test]
    fn lesser_conditions_are_warnings() {
        let mut r = healthy_report();
        r.instances.retain(|i| i.service != "moog");
        r.breaker = Some("HALF_OPEN".into());
        let p = r.partitions.as_mut().unwrap();
        p.default_rows = Some(4);
        p.months.push(Month {
            month: "2027-01".into(),
            partition: "event_audit_log_2027_01".into(),
            exists: false,
        });
        assess(&mut r, &opts());
        assert!(r.healthy, "{:?}", r.problems);
        assert_eq!(r.warnings.len(), 4, "{:?}", r.warnings);
    }

    fn cache(rules: u64, age_s: f64) -> RuleCache {
        RuleCache {
            rules,
            rules_skipped: 0,
            rules_age_s: age_s,
            rules_reload_s: 300,
        }
    }

    #[test]
    fn instance_records_parse() {
        let plain = Beat {
            last_seen_ms: 1000,
            ttl_s: 30,
            cache: None,
        };
        assert_eq!(
            parse_beat(r#"{"instance":"i","last_seen_ms":1000,"ttl_s":30}"#),
            Some(plain)
        );
        assert_eq!(parse_beat("nope"), None);
        let alerter = parse_beat(
            r#"{"instance":"i","last_seen_ms":1000,"ttl_s":30,"rules":7,"rules_skipped":1,
                "rules_age_ms":2500,"rules_reload_s":300}"#,
        )
        .unwrap();
        assert_eq!(
            alerter.cache,
            Some(CacheStatus {
                rules: 7,
                rules_skipped: 1,
                rules_age_ms: 2500,
                rules_reload_s: 300
            })
        );
        // A partial status is no status.
        let partial = parse_beat(r#"{"last_seen_ms":1000,"ttl_s":30,"rules":7}"#).unwrap();
        assert_eq!(partial.cache, None);
    }

    #[test]
    fn instances_follow_heartbeat_keys_leases_and_forget_after() {
        use crate::snapshot::{Heartbeat, InstanceRecord};
        let record = |service, pod: &str, last_seen_ms: u64, ttl_s: u64| InstanceRecord {
            service,
            pod: pod.into(),
            record: format!(r#"{{"instance":"i","last_seen_ms":{last_seen_ms},"ttl_s":{ttl_s}}}"#),
        };
        let beat = |consumer, pod: &str, ttl_left_ms| Heartbeat {
            consumer,
            pod: pod.into(),
            ttl_left_ms,
        };
        let now_ms = 10_000_000;
        let seen = Instances {
            records: vec![
                record(Service::Forwarder, "m-live", now_ms - 1_000, 30),
                record(Service::Alerter, "a-dead", now_ms - 2_000, 30),
                record(Service::Alerter, "a-live", now_ms - 500, 30),
                record(Service::Remediation, "r-live", now_ms - 11_000, 12),
                record(Service::Remediation, "r-late", now_ms - 13_000, 12),
                // Silent longer than forget_after (3600 s): not listed, even with a heartbeat.
                record(Service::Alerter, "a-old", now_ms - 3_601_000, 30),
                InstanceRecord {
                    service: Service::Alerter,
                    pod: "garbled".into(),
                    record: "not json".into(),
                },
            ],
            heartbeats: vec![
                beat(Consumer::Alerter, "a-live", 29_500),
                beat(Consumer::Moog, "m-live", 29_000),
                beat(Consumer::Alerter, "legacy", 26_000),
                beat(Consumer::Alerter, "a-old", 26_000),
            ],
        };
        let got: Vec<(String, String, bool, f64, u64)> = instances(&seen, now_ms, &opts())
            .into_iter()
            .map(|i| (i.service, i.pod, i.up, i.heartbeat_age_s, i.ttl_s))
            .collect();
        let row = |s: &str, p: &str, up, age, ttl| (s.to_string(), p.to_string(), up, age, ttl);
        assert_eq!(
            got,
            vec![
                row("alerter", "a-dead", false, 2.0, 30),
                row("alerter", "a-live", true, 0.5, 30),
                // A heartbeat key without a live record: its age assumes our lifetime (30 s).
                row("alerter", "a-old", true, 4.0, 30),
                row("alerter", "legacy", true, 4.0, 30),
                row("moog", "m-live", true, 1.0, 30),
                row("remediation", "r-late", false, 13.0, 12),
                row("remediation", "r-live", true, 11.0, 12),
            ]
        );
    }

    #[test]
    fn the_cache_age_adds_the_beats_own_age() {
        let beat = CacheStatus {
            rules: 3,
            rules_skipped: 0,
            rules_age_ms: 1500,
            rules_reload_s: 60,
        };
        let c = RuleCache::from_beat(&beat, 2250);
        assert_eq!(c.rules_age_s, 3.75);
        assert_eq!(c.rules, 3);
        assert_eq!(c.stale_after_s(), 180);
        let huge = CacheStatus {
            rules_age_ms: u64::MAX,
            ..beat
        };
        assert_eq!(
            RuleCache::from_beat(&huge, 5).rules_age_s,
            u64::MAX as f64 / 1000.0
        );
    }

    #[test]
    fn cache_verdicts() {
        let rules = |active, changed: Option<f64>| RuleCounts {
            active,
            total: active,
            last_change_age_s: changed,
        };
        let limit = 3.0 * 300.0;
        // (cache, table, expected warnings containing)
        let cases: Vec<(RuleCache, Option<RuleCounts>, Vec<&str>)> = vec![
            (cache(4, 10.0), Some(rules(4, Some(5000.0))), vec![]),
            (cache(4, limit), Some(rules(4, None)), vec![]),
            (
                cache(4, limit + 1.0),
                Some(rules(4, None)),
                vec!["901s old"],
            ),
            (cache(4, limit + 1.0), None, vec!["901s old"]),
            // A fresh change not picked up yet: propagation, not a problem.
            (cache(4, 10.0), Some(rules(5, Some(2.0))), vec![]),
            (cache(4, 950.0), Some(rules(5, Some(2.0))), vec!["950s old"]),
            // Reloaded after an old change yet still different: the clock runs from the change.
            (
                cache(4, 10.0),
                Some(rules(5, Some(1000.0))),
                vec![
                    "holds 4 rule(s) but PostgreSQL has 5 active, 1000s after the last rule change",
                ],
            ),
            // No audited change: dated from the load.
            (cache(4, 10.0), Some(rules(5, None)), vec![]),
            (
                cache(4, 1000.0),
                Some(rules(5, None)),
                vec!["1000s old", "1000s after its last load"],
            ),
            // Skipped rules were loaded: they count towards the table's active rules.
            (
                RuleCache {
                    rules_skipped: 1,
                    ..cache(4, 10.0)
                },
                Some(rules(5, Some(1000.0))),
                vec![],
            ),
        ];
        for (i, (c, t, expected)) in cases.into_iter().enumerate() {
            let got = cache_warnings("p1", &c, t.as_ref());
            assert_eq!(got.len(), expected.len(), "case {i}: {got:?}");
            for (g, e) in got.iter().zip(&expected) {
                assert!(g.contains(e) && g.contains("alerter p1"), "case {i}: {g}");
            }
        }
    }

    #[test]
    fn cache_warnings_are_not_problems_and_skip_down_alerters() {
        let mut r = healthy_report();
        r.instances[0].rule_cache = Some(cache(0, 5000.0));
        assess(&mut r, &opts());
        assert!(r.healthy, "{:?}", r.problems);
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);

        let mut r = healthy_report();
        r.instances[0].rule_cache = Some(cache(0, 5000.0));
        r.instances[0].up = false;
        assess(&mut r, &opts());
        assert!(
            r.warnings.iter().all(|w| !w.contains("rule")),
            "{:?}",
            r.warnings
        );
    }
}
