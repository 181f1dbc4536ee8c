//! # mutt — the Multi-Use Telemetry Tool in one binary
//!
//! Events walk through the crate in one direction: ingest → queue → alert → queue → forward.
//! Every concept lives in exactly one module:
//!
//! - [`cli`]: the one clap tree and a handler per command group (the daemons' in `cli::daemons`),
//!   progress bars on a terminal (`cli::progress`) and password prompts (`cli::password`); turns
//!   errors into exit codes.
//! - [`settings`]: every setting once (env name, type, default, validation, source), the loader
//!   shared by all subcommands, secrets read from the environment, `<NAME>_FILE` or Vault
//!   (`settings::vault`, AppRole + KV v2), and the registry of dynamic keys
//!   (`settings::dynamic_keys`).
//! - [`logging`]: env_logger set-up, plain or one JSON object per line, with per-thread context
//!   (correlation id, trace id).
//! - [`trace`]: W3C Trace Context (`traceparent` in, `_traceparent` through the queues, `traceparent`
//!   to Moog), spans, and the bounded OTLP/HTTP JSON exporter behind `OTEL_ENABLED`.
//! - [`store::redis`]: Redis connections (timeouts, TLS, CURRENT/NEXT passwords, reconnect, the
//!   master found through Sentinels), the key builder every Redis key name comes from, the Lua
//!   scripts (`*.lua`) run by EVALSHA, `REDIS_MIN_REPLICAS_ACK`'s `WAIT` and replica view
//!   (`store::redis::replicas`), and the dynamic-config reader (`mutt:config:*` with PUBLISH
//!   invalidation).
//! - [`store::postgres`]: the r2d2 PostgreSQL pool (timeouts, TLS, CURRENT/NEXT passwords, several
//!   hosts with `target_session_attrs=read-write`), the
//!   embedded migrations of `migrations/`, monthly partition upkeep of `event_audit_log`, and the
//!   read of the rule engine's inputs (`store::postgres::rules`).
//! - [`crypto`]: the one process-wide rustls crypto provider.
//! - [`apikeys`]: API keys as SHA-256 digests compared in constant time, the set of currently
//!   valid keys (re-read from their secret source), shared by ingest and the web API.
//! - [`ingest`]: `mutt ingest serve`: body parsing and validation (pure), the group-commit
//!   writer, and the HTTP handlers.
//! - [`wire`]: the wire formats, each naming the v2.5 shape it keeps: the queued event (parse,
//!   ingest stamps, severity/OID/time normalising), the alert and meta-alert, the DLQ envelope
//!   and its replay, the rule row.
//! - [`syslog`]: `mutt syslog serve`: the line parser (RFC 5424, RFC 3164, device dialects),
//!   RFC 6587 de-framing, the RELP codec and session (all pure), and the UDP/TCP/TLS/RELP
//!   listeners on the daemon runtime.
//! - [`rules`]: the rule engine: pure matching and explanation of events against rules, and the
//!   silences that hold a decided event back.
//! - [`silences`]: silences (maintenance windows) as stored and listed, their matchers and
//!   recurring schedules in a named time zone (all pure).
//! - [`queue`]: the reliable list consumer shared by the alerter and the forwarder: batch takes,
//!   heartbeat and pod claim, janitor recovery with delivery counting, batch acknowledgement.
//! - [`alert`]: `mutt alert run`: the rule cache, per-message outcomes (pure, in `alert::event`),
//!   the dedup key (pure, in `alert::dedup`; decided by one Lua script), batched audit writes and
//!   the one-transaction Redis commit.
//! - [`forward`]: `mutt forward run`: Moog payloads (`payload`), the shared rate limit and circuit
//!   breaker (`gate`), keep-alive delivery (`sender`), the loop with delayed retries and the Moog
//!   DLQ (`worker`), and its metrics.
//! - [`remediate`]: `mutt remediate run`: replays the DLQs to their source queues (one active
//!   instance), parking poison messages in `mutt:dlq:dead`.
//! - [`daemon`]: the runtime every queue daemon (alerter, forwarder, remediation) runs on: health
//!   and metrics listeners (port 0 allowed), instance naming, readiness flags, dynamic config,
//!   queue claim with heartbeat and janitor, and the step/drain/leave loop; `MUTT_READY_FILE`,
//!   which every listener-owning process (ingest and web too) writes once bound.
//! - [`admin`]: the management layer shared by the REST API and the admin CLI: validated,
//!   audited, announced writes of rules, hosts, teams, silences and dynamic configuration; audit
//!   queries.
//! - [`snapshot`]: one reading of the system's state (queue, processing, retry and DLQ depths,
//!   breaker, instance records and heartbeats, rule counts, audit partitions) shared by
//!   `mutt status` and the dashboard's overview.
//! - [`web`]: `mutt web serve`: the REST API, API keys and sessions, the dashboard and pages.
//! - [`http`]: HTTP plumbing (hyper) for every daemon: routing, JSON error envelope, limits, health
//!   and metrics endpoints, graceful shutdown.
//! - [`shutdown`]: SIGTERM/SIGINT/SIGHUP handling shared by daemons and long commands.
//! - [`backoff`]: the pure exponential-backoff-with-jitter schedule used by every reconnect loop.
//! - [`timefmt`]: every RFC 3339 timestamp written anywhere, one named function per wire precision,
//!   and the one parser of duration arguments (humantime syntax or plain seconds).
//! - [`ops`]: operations: batch upkeep run from cron or timers (`mutt partitions ensure|list|drop`,
//!   `mutt retention run`: archive, purge, DLQ ageing; batched and advisory-locked), operator
//!   tools (`mutt dlq` to inspect, replay and purge dead letters; `mutt status`) and the snmptrapd
//!   trap handler (`mutt trap-handler`).
//! - [`dev`]: developer tooling: the launcher of private `redis-server` and PostgreSQL child
//!   processes (test harness and `mutt up`), and the `mutt load` generator.

pub mod admin;
pub mod alert;
pub mod apikeys;
pub mod backoff;
pub mod cli;
pub mod crypto;
pub mod daemon;
pub mod dev;
pub mod forward;
pub mod http;
pub mod ingest;
pub mod logging;
pub mod ops;
pub mod queue;
pub mod remediate;
pub mod rules;
pub mod settings;
pub mod shutdown;
pub mod silences;
pub mod snapshot;
pub mod store;
pub mod syslog;
pub mod timefmt;
pub mod trace;
pub mod web;
pub mod wire;
