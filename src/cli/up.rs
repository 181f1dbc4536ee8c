//! `mutt up`: the whole pipeline in one process, for a laptop or a demo.
//!
//! Without `REDIS_URL` / `DATABASE_URL` it starts private `redis-server` and PostgreSQL child
//! processes in a data directory (the test harness's launcher, [`crate::dev::services`]),
//! migrates the schema, then runs ingest, the syslog receiver, the alerter, the forwarder,
//! remediation and the web UI on threads of this process, plus the mock Moog sink when no
//! `MOOG_WEBHOOK_URL` is set. Once every daemon answers its readiness probe it prints where
//! everything is, the API keys, a `curl` and a `logger` command to try.
//! SIGINT/SIGTERM stops the daemons (each drains as it does on its own), then the servers; a
//! temporary data directory is removed, a `--data-dir` is kept. Any daemon failing stops the rest
//! and exits 1.
//!
//! The daemons get the user's settings with overrides: the private servers' addresses, a local
//! bind address, generated API keys when none are configured, the mock sink as webhook, and the
//! `--port-offset`. Overrides go through the one settings loader, so every daemon sees exactly
//! what `mutt config show` would with those values.

use super::CliError;
use crate::dev::mock_moog::{self, MockMoogArgs};
use crate::dev::services::{PostgresOptions, PostgresServer, RedisOptions, RedisServer};
use crate::settings::registry::{self, Def, Kind};
use crate::settings::{ConfigError, Settings, Source};
use crate::shutdown::Shutdown;
use crate::store::postgres::{migrate, partitions, PgConfig, PgConnector};
use crate::store::redis::keys::Keys;
use crate::store::redis::{RedisConfig, RedisConnector};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const PRIVATE_DB: &str = "mutt_db";
const PRIVATE_USER: &str = "mutt_user";
/// Address the daemons bind to unless `MUTT_BIND_ADDRESS` is set: a demo prints its keys, so it
/// should not be reachable from the network by default.
const LOCAL_BIND: &str = "127.0.0.1";
/// How long the daemons get to become ready (a cold PostgreSQL pool, the first rule load).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the daemons get to drain after Ctrl-C before `mutt up` gives up on them.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// The example rules loaded by `mutt up`, embedded so it works from any directory.
pub const EXAMPLE_RULES: &str = include_str!("../../examples/rules.yaml");
/// Host of the example event the banner's `curl` sends.
pub const DEMO_HOST: &str = "core-sw-01.example.net";
/// Message of the example event: matches the example rule `%LINK-3-UPDOWN` (forwarded).
pub const DEMO_MESSAGE: &str =
    "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down";
/// Message of the banner's `logger` command: the same rule, another interface, so its alert is
/// told apart from the `curl`'s.
pub const DEMO_SYSLOG_MESSAGE: &str =
    "%LINK-3-UPDOWN: Interface GigabitEthernet0/2, changed state to down";
/// Tag (RFC 5424 APP-NAME, the event's `program`) of the banner's `logger` command.
pub const DEMO_SYSLOG_TAG: &str = "mutt-up";

/// `mutt up` options.
#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Keep Redis/PostgreSQL data (and the generated API keys) here across runs (default: a
    /// temporary directory removed on exit)
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Start the stores, migrate, load the example rules, print, and exit at once instead of
    /// running the pipeline (for scripts)
    #[arg(long)]
    pub check: bool,
    /// Add N to every port the pipeline listens on (ingest, syslog UDP/TCP/RELP, health and
    /// metrics, web UI, mock Moog sink), so two stacks can run side by side; `--set NAME=PORT`
    /// moves a single one
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port_offset: u16,
    /// Port of the mock Moog sink, run when MOOG_WEBHOOK_URL is not set (0 picks a free one)
    /// [default: 18083 + --port-offset]
    #[arg(long, value_name = "PORT")]
    pub mock_moog_port: Option<u16>,
}

fn given(settings: &Settings, def: &Def) -> bool {
    !matches!(settings.source(def), Source::Default | Source::Unset)
}

/// Setting overrides for the daemons: each replaces the user's value of that setting, whether
/// it came from a flag, the environment (any alias, or `<NAME>_FILE`) or nowhere.
#[derive(Default)]
struct Overrides {
    /// `None` removes the user's value, so the setting falls back to a URL part or its default.
    values: Vec<(&'static Def, Option<String>)>,
}

impl Overrides {
    fn set(&mut self, def: &'static Def, value: impl Into<String>) {
        self.values.retain(|(d, _)| d.name != def.name);
        self.values.push((def, Some(value.into())));
    }

    fn clear(&mut self, def: &'static Def) {
        self.values.retain(|(d, _)| d.name != def.name);
        self.values.push((def, None));
    }

    /// The user's flags and environment with these overrides applied. Secrets cannot be flags
    /// (the loader refuses them), so they go in through the environment map.
    fn load(&self, user_flags: &[(String, String)]) -> Result<Settings, ConfigError> {
        let mut env: HashMap<String, String> = std::env::vars().collect();
        let mut flags: Vec<(String, String)> = user_flags
            .iter()
            .filter(|(name, _)| !self.values.iter().any(|(d, _)| d.name == name))
            .cloned()
            .collect();
        for (def, value) in &self.values {
            for name in std::iter::once(def.name).chain(def.aliases.iter().copied()) {
                env.remove(name);
                env.remove(&format!("{name}_FILE"));
            }
            match value {
                Some(v) if def.kind == Kind::Secret => {
                    env.insert(def.name.to_string(), v.clone());
                }
                Some(v) => flags.push((def.name.to_string(), v.clone())),
                None => {}
            }
        }
        Settings::load(&flags, &env)
    }
}

/// The protocol of a listener: TCP and UDP ports are separate namespaces (syslog's UDP and TCP
/// listeners share 5514).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    Tcp,
    Udp,
}

/// The settings naming a listener of a daemon `mutt up` runs. Each must differ from the others
/// of its protocol: in one process two daemons cannot share a port.
fn listener_settings() -> [(&'static Def, Proto); 12] {
    [
        (&registry::SERVER_PORT_INGESTOR, Proto::Tcp),
        (&registry::SERVER_PORT_WEBUI, Proto::Tcp),
        (&registry::METRICS_PORT_ALERTER, Proto::Tcp),
        (&registry::HEALTH_PORT_ALERTER, Proto::Tcp),
        (&registry::METRICS_PORT_MOOG, Proto::Tcp),
        (&registry::HEALTH_PORT_MOOG, Proto::Tcp),
        (&registry::METRICS_PORT_REMEDIATION, Proto::Tcp),
        (&registry::HEALTH_PORT_REMEDIATION, Proto::Tcp),
        (&registry::METRICS_PORT_SYSLOG, Proto::Tcp),
        (&registry::HEALTH_PORT_SYSLOG, Proto::Tcp),
        (&registry::SYSLOG_UDP_PORT, Proto::Udp),
        (&registry::SYSLOG_TCP_PORT, Proto::Tcp),
    ]
}

/// The syslog receiver's transport listeners besides UDP and TCP: on when their port is not 0,
/// TLS only with a certificate (as `mutt syslog serve` decides).
fn syslog_extra_listeners(settings: &Settings) -> Vec<(&'static Def, Proto)> {
    let mut extra = vec![(&registry::SYSLOG_RELP_PORT, Proto::Tcp)];
    if syslog_tls_configured(settings) {
        extra.push((&registry::SYSLOG_TLS_PORT, Proto::Tcp));
    }
    extra
}

fn syslog_tls_configured(settings: &Settings) -> bool {
    let set = |def| settings.opt_text(def).is_some_and(|p| !p.trim().is_empty());
    set(&registry::SYSLOG_TLS_CERT_PATH) && set(&registry::SYSLOG_TLS_KEY_PATH)
}

/// A syslog transport's port setting, where 0 means off (and stays off under `--port-offset`).
fn is_syslog_transport(def: &Def) -> bool {
    [
        &registry::SYSLOG_UDP_PORT,
        &registry::SYSLOG_TCP_PORT,
        &registry::SYSLOG_TLS_PORT,
        &registry::SYSLOG_RELP_PORT,
    ]
    .iter()
    .any(|d| d.name == def.name)
}

/// Whether the syslog receiver has a transport to listen on; with none it is not started
/// (`mutt syslog serve` would refuse to run).
fn syslog_wanted(settings: &Settings) -> bool {
    let port = |def| settings.port(def) != 0;
    port(&registry::SYSLOG_UDP_PORT)
        || port(&registry::SYSLOG_TCP_PORT)
        || port(&registry::SYSLOG_RELP_PORT)
        || (syslog_tls_configured(settings) && port(&registry::SYSLOG_TLS_PORT))
}

fn offset_port(port: u16, offset: u16, what: &str) -> Result<u16, CliError> {
    port.checked_add(offset).ok_or_else(|| {
        CliError::Other(format!(
            "--port-offset {offset} moves {what} ({port}) past 65535"
        ))
    })
}

/// Each listener's port after `--port-offset`, checked for clashes and (unless `--check`) for
/// being free, so a busy port fails before anything starts, naming the setting to change. A
/// syslog transport that is off (port 0) is left out.
fn plan_ports(
    settings: &Settings,
    args: &UpArgs,
    bind: &str,
    mock: Option<u16>,
) -> Result<Vec<(&'static Def, u16)>, CliError> {
    let mut planned = Vec::new();
    let mut named: Vec<(String, Proto, u16)> = Vec::new();
    let listeners = listener_settings()
        .into_iter()
        .chain(syslog_extra_listeners(settings));
    for (def, proto) in listeners {
        if is_syslog_transport(def) && settings.port(def) == 0 {
            continue;
        }
        let port = offset_port(settings.port(def), args.port_offset, def.name)?;
        planned.push((def, port));
        named.push((def.name.to_string(), proto, port));
    }
    if let Some(port) = mock.filter(|p| *p != 0) {
        named.push(("--mock-moog-port".to_string(), Proto::Tcp, port));
    }
    for (i, (a, proto, port)) in named.iter().enumerate() {
        if let Some((b, _, _)) = named[..i].iter().find(|(_, q, p)| p == port && q == proto) {
            return Err(CliError::Other(format!(
                "{b} and {a} are both port {port}; in one process every listener needs its own port"
            )));
        }
    }
    if !args.check {
        for (name, proto, port) in &named {
            let free = match proto {
                Proto::Tcp => std::net::TcpListener::bind((bind, *port)).map(drop),
                Proto::Udp => std::net::UdpSocket::bind((bind, *port)).map(drop),
            };
            if let Err(err) = free {
                let single = if name.starts_with("--") {
                    format!("{name} PORT")
                } else {
                    format!("--set {name}=PORT")
                };
                let what = match proto {
                    Proto::Tcp => "",
                    Proto::Udp => "/udp",
                };
                return Err(CliError::Other(format!(
                    "port {port}{what} ({name}) on {bind} is not available ({err}); move every port \
                     with --port-offset N, or this one with {single}"
                )));
            }
        }
    }
    Ok(planned)
}

/// Run `mutt up`; `user_flags` are the setting flags of the command line.
pub fn run(
    settings: &Settings,
    user_flags: &[(String, String)],
    args: &UpArgs,
) -> Result<ExitCode, CliError> {
    let shutdown = Shutdown::new();
    shutdown.install_signal_handlers()?;

    let mut overrides = Overrides::default();
    let bind = if given(settings, &registry::MUTT_BIND_ADDRESS) {
        settings.text(&registry::MUTT_BIND_ADDRESS).to_string()
    } else {
        overrides.set(&registry::MUTT_BIND_ADDRESS, LOCAL_BIND);
        LOCAL_BIND.to_string()
    };
    // The daemons share this process: one ready file each would overwrite the others'.
    overrides.set(&registry::MUTT_READY_FILE, "");
    let run_mock = !given(settings, &registry::MOOG_WEBHOOK_URL);
    let mock_port = match args.mock_moog_port {
        Some(p) => p,
        None => offset_port(mock_moog::DEFAULT_PORT, args.port_offset, "the mock sink")?,
    };
    let ports = plan_ports(settings, args, &bind, run_mock.then_some(mock_port))?;
    if args.port_offset > 0 {
        for (def, port) in &ports {
            overrides.set(def, port.to_string());
        }
    }

    let redis_server = if given(settings, &registry::REDIS_URL) {
        None
    } else {
        let dir = args.data_dir.as_ref().map(|d| d.join("redis"));
        // A kept data directory should keep the queues too; a scratch one need not write them.
        let extra_args = if dir.is_some() {
            vec!["--appendonly".to_string(), "yes".to_string()]
        } else {
            Vec::new()
        };
        let server = RedisServer::start(RedisOptions {
            dir,
            extra_args,
            ..Default::default()
        })?;
        for def in [
            &registry::REDIS_HOST,
            &registry::REDIS_PORT,
            &registry::REDIS_DB,
            &registry::REDIS_USERNAME,
            &registry::REDIS_TLS_ENABLED,
            &registry::REDIS_PASS_CURRENT,
            &registry::REDIS_PASS_NEXT,
        ] {
            overrides.clear(def);
        }
        overrides.set(&registry::REDIS_URL, format!("{}/0", server.url()));
        Some(server)
    };

    let pg_server = if given(settings, &registry::DATABASE_URL) {
        None
    } else {
        let dir = args.data_dir.as_ref().map(|d| d.join("postgres"));
        let password = match &dir {
            Some(d) => persistent_secret(&d.with_extension("password"))?,
            None => random_secret(),
        };
        let server = PostgresServer::start(PostgresOptions {
            superuser: PRIVATE_USER.into(),
            password: password.clone(),
            dir,
            ..Default::default()
        })?;
        server.create_database(PRIVATE_DB)?;
        for def in [
            &registry::DB_HOST,
            &registry::DB_PORT,
            &registry::DB_NAME,
            &registry::DB_USER,
            &registry::DB_TLS_ENABLED,
            &registry::DB_TLS_CA_CERT_PATH,
            &registry::DB_PASS_CURRENT,
            &registry::DB_PASS_NEXT,
        ] {
            overrides.clear(def);
        }
        overrides.set(
            &registry::DATABASE_URL,
            format!(
                "postgres://{PRIVATE_USER}:{password}@127.0.0.1:{}/{PRIVATE_DB}?sslmode=disable",
                server.port()
            ),
        );
        Some(server)
    };

    let ingest_key = generated_key(settings, &[&registry::INGEST_API_KEY], args, "ingest-api")?;
    if let Some(key) = &ingest_key {
        overrides.set(&registry::INGEST_API_KEY, key.clone());
    }
    let web_key = generated_key(
        settings,
        &[&registry::WEBUI_API_KEYS, &registry::WEBUI_API_KEY],
        args,
        "webui-api",
    )?;
    if let Some(key) = &web_key {
        overrides.set(
            &registry::WEBUI_API_KEYS,
            format!("{WEB_KEY_NAME}:admin:{key}"),
        );
    }

    let store_settings = overrides.load(user_flags)?;
    let redis = RedisConnector::new(RedisConfig::from_settings(&store_settings));
    drop(redis.connect()?);
    let connector = PgConnector::new(PgConfig::from_settings(&store_settings, "up"))?;
    let mut client = connector.connect()?;
    let applied = migrate::apply(&mut client)?;
    let parts = partitions::ensure(
        &mut client,
        chrono::Utc::now(),
        super::migrate::DEFAULT_PARTITIONS_AHEAD,
    )?;
    let rules = load_example_rules(&mut client, redis, &store_settings)?;
    drop(client);

    println!("mutt up: Redis and PostgreSQL are ready");
    match &redis_server {
        Some(server) => println!("  export REDIS_URL={}", server.url()),
        None => println!("  Redis: your REDIS_URL"),
    }
    match &pg_server {
        Some(server) => println!("  export DATABASE_URL={}", server.url(PRIVATE_DB)),
        None => println!("  PostgreSQL: your DATABASE_URL"),
    }
    println!(
        "  schema: {} migration(s) applied now, {} partition(s) present or created",
        applied.len(),
        parts.len()
    );
    match &rules {
        RulesLoaded::Examples(n) => println!(
            "  rules: {n} example rule(s) loaded from examples/rules.yaml"
        ),
        RulesLoaded::Kept(n) => println!(
            "  rules: {n} rule(s) already in the database (examples are loaded only into an empty rules table)"
        ),
    }
    if args.check {
        return Ok(ExitCode::SUCCESS);
    }

    let mock = if run_mock {
        let handle = mock_moog::start(
            &MockMoogArgs {
                port: Some(mock_port),
                ..MockMoogArgs::default()
            },
            &shutdown,
        )
        .map_err(|e| CliError::Other(format!("mock Moog sink on port {mock_port}: {e}")))?;
        let url = format!("http://{}", handle.local_addr());
        overrides.set(
            &registry::MOOG_WEBHOOK_URL,
            format!("{url}{}", mock_moog::DEFAULT_PATH),
        );
        Some((handle, url))
    } else {
        None
    };
    let daemon_settings = overrides.load(user_flags)?;
    let daemons: Vec<&'static Daemon> = DAEMONS
        .iter()
        .filter(|d| (d.wanted)(&daemon_settings))
        .collect();

    let (done_tx, done_rx) = mpsc::channel();
    let mut threads = Vec::new();
    for &daemon in &daemons {
        let settings = daemon_settings.clone();
        let stop = shutdown.clone();
        let done = done_tx.clone();
        let thread = std::thread::Builder::new()
            .name(format!("up-{}", daemon.name))
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    (daemon.run)(&settings, &stop)
                }))
                .unwrap_or_else(|_| Err("panicked".to_string()));
                let _ = done.send((daemon.name, result));
            })?;
        threads.push(thread);
    }
    drop(done_tx);

    let host = connect_host(&bind);
    let mut outcome = wait_ready(&daemon_settings, &daemons, &host, &done_rx, &shutdown);
    if outcome.is_ok() && !shutdown.is_requested() {
        print_banner(&Banner {
            settings: &daemon_settings,
            host: &host,
            ingest_key: ingest_key.as_deref(),
            web_key: web_key.as_deref(),
            mock_url: mock.as_ref().map(|(_, url)| url.as_str()),
            examples: matches!(rules, RulesLoaded::Examples(_)),
            syslog: daemons.iter().any(|d| d.name == "syslog"),
            database_url: pg_server
                .as_ref()
                .map(|_| daemon_settings.text(&registry::DATABASE_URL).to_string()),
        });
        outcome = match done_rx.recv() {
            Ok((name, Ok(()))) if shutdown.is_requested() => {
                log::debug!("{name} stopped");
                Ok(1)
            }
            Ok((name, Ok(()))) => Err((1, format!("{name} stopped on its own"))),
            Ok((name, Err(err))) => Err((1, format!("{name} failed: {err}"))),
            Err(_) => Err((0, "every daemon thread is gone".to_string())),
        };
    }
    let (reported, failure) = match outcome {
        Ok(n) => (n, None),
        Err((n, why)) => {
            log::error!("mutt up: {why}; stopping the pipeline");
            (n, Some(why))
        }
    };
    println!("mutt up: stopping");
    shutdown.trigger();
    let stopped_cleanly = drain(&done_rx, daemons.len() - reported);
    if let Some((handle, _)) = mock {
        if let Err(err) = handle.join() {
            log::warn!("mock Moog sink: {err}");
        }
    }
    if stopped_cleanly {
        for thread in threads {
            let _ = thread.join();
        }
    }
    // The daemons are done with them: stop PostgreSQL (a checkpoint, so a kept data directory
    // is consistent) and Redis, and remove their directories unless they are a --data-dir.
    drop(pg_server);
    drop(redis_server);
    match failure {
        Some(why) => Err(CliError::Other(why)),
        None if !stopped_cleanly => Err(CliError::Other(format!(
            "some daemons did not stop within {} s",
            STOP_TIMEOUT.as_secs()
        ))),
        None => {
            println!("mutt up: stopped");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One daemon `mutt up` runs on a thread of its own.
struct Daemon {
    name: &'static str,
    run: fn(&Settings, &Shutdown) -> Result<(), String>,
    /// The setting holding the port its readiness probe answers on.
    probe_port: &'static Def,
    /// Whether it runs with these settings.
    wanted: fn(&Settings) -> bool,
}

/// Name of the web key `mutt up` generates (audit rows say `webui_api:admin`).
const WEB_KEY_NAME: &str = "admin";

static DAEMONS: [Daemon; 6] = [
    Daemon {
        name: "ingest",
        run: |s, stop| crate::ingest::serve(s, stop).map_err(|e| e.to_string()),
        probe_port: &registry::SERVER_PORT_INGESTOR,
        wanted: |_| true,
    },
    Daemon {
        name: "syslog",
        run: |s, stop| {
            crate::syslog::serve::run(s, stop, &crate::syslog::serve::Overrides::default())
                .map_err(|e| e.to_string())
        },
        probe_port: &registry::HEALTH_PORT_SYSLOG,
        wanted: syslog_wanted,
    },
    Daemon {
        name: "alerter",
        run: |s, stop| crate::alert::run(s, stop).map_err(|e| e.to_string()),
        probe_port: &registry::HEALTH_PORT_ALERTER,
        wanted: |_| true,
    },
    Daemon {
        name: "forwarder",
        run: |s, stop| crate::forward::run(s, stop).map_err(|e| e.to_string()),
        probe_port: &registry::HEALTH_PORT_MOOG,
        wanted: |_| true,
    },
    Daemon {
        name: "remediation",
        run: |s, stop| crate::remediate::run(s, stop).map_err(|e| e.to_string()),
        probe_port: &registry::HEALTH_PORT_REMEDIATION,
        wanted: |_| true,
    },
    Daemon {
        name: "web",
        run: |s, stop| crate::web::serve(s, stop).map_err(|e| e.to_string()),
        probe_port: &registry::SERVER_PORT_WEBUI,
        wanted: |_| true,
    },
];

type Exit = (&'static str, Result<(), String>);

/// Wait until every daemon's `/health/ready` answers 200. `Ok(n)`: ready (or Ctrl-C), `n`
/// daemons already exited; `Err((n, why))`: one failed or they took too long.
fn wait_ready(
    settings: &Settings,
    daemons: &[&'static Daemon],
    host: &str,
    done: &mpsc::Receiver<Exit>,
    shutdown: &Shutdown,
) -> Result<usize, (usize, String)> {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(2))
        .build();
    let mut pending: Vec<&Daemon> = daemons.to_vec();
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        pending.retain(|d| {
            let url = format!("http://{host}:{}/health/ready", settings.port(d.probe_port));
            !matches!(agent.get(&url).call(), Ok(r) if r.status() == 200)
        });
        if pending.is_empty() {
            return Ok(0);
        }
        match done.recv_timeout(Duration::from_millis(100)) {
            Ok((name, Err(err))) => return Err((1, format!("{name} failed: {err}"))),
            Ok((name, Ok(()))) if shutdown.is_requested() => {
                log::debug!("{name} stopped before it was ready");
                return Ok(1);
            }
            Ok((name, Ok(()))) => return Err((1, format!("{name} stopped on its own"))),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err((daemons.len(), "every daemon thread is gone".into()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if shutdown.is_requested() {
            return Ok(0);
        }
        if Instant::now() > deadline {
            let names: Vec<&str> = pending.iter().map(|d| d.name).collect();
            return Err((
                0,
                format!(
                    "not ready within {} s: {}",
                    READY_TIMEOUT.as_secs(),
                    names.join(", ")
                ),
            ));
        }
    }
}

/// Collect the exits of `remaining` daemons (shutdown already requested); false if one failed
/// or did not stop in time. Failures are logged here, as they happen.
fn drain(done: &mpsc::Receiver<Exit>, remaining: usize) -> bool {
    let deadline = Instant::now() + STOP_TIMEOUT;
    let mut clean = true;
    for _ in 0..remaining {
        match done.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok((name, Ok(()))) => log::info!("mutt up: {name} stopped"),
            Ok((name, Err(err))) => {
                log::error!("mutt up: {name} failed while stopping: {err}");
                clean = false;
            }
            Err(_) => return false,
        }
    }
    clean
}

/// The address to reach a listener bound to `bind` from this host.
fn connect_host(bind: &str) -> String {
    match bind.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
        Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
        _ if bind.is_empty() => "127.0.0.1".to_string(),
        _ => bind.to_string(),
    }
}

/// What the ready banner shows.
struct Banner<'a> {
    settings: &'a Settings,
    host: &'a str,
    /// The generated ingest key; `None` when the user configured one (never printed then).
    ingest_key: Option<&'a str>,
    /// The generated web key; `None` when the user configured keys (never printed then).
    web_key: Option<&'a str>,
    /// Base URL of the mock sink, when it runs.
    mock_url: Option<&'a str>,
    /// URL of the private database, when there is one.
    database_url: Option<String>,
    /// Whether the example rules were loaded now (so the `curl`'s event matches one).
    examples: bool,
    /// Whether the syslog receiver runs.
    syslog: bool,
}

/// The syslog receiver's listeners that are on: (transport, port).
fn syslog_listeners(s: &Settings) -> Vec<(&'static str, u16)> {
    let mut on = vec![
        ("udp", s.port(&registry::SYSLOG_UDP_PORT)),
        ("tcp", s.port(&registry::SYSLOG_TCP_PORT)),
    ];
    if syslog_tls_configured(s) {
        on.push(("tls", s.port(&registry::SYSLOG_TLS_PORT)));
    }
    on.push(("relp", s.port(&registry::SYSLOG_RELP_PORT)));
    on.retain(|(_, port)| *port != 0);
    on
}

/// A `logger` (util-linux) command that sends [`DEMO_SYSLOG_MESSAGE`] to the receiver: over TCP
/// with octet counting when TCP is on, else over UDP; `None` when neither is.
pub fn logger_command(s: &Settings, host: &str) -> Option<String> {
    // `logger -n` takes a bare IPv6 address, not the URL form.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let (tcp, udp) = (
        s.port(&registry::SYSLOG_TCP_PORT),
        s.port(&registry::SYSLOG_UDP_PORT),
    );
    let transport = match (tcp, udp) {
        (0, 0) => return None,
        (0, port) => format!("-P {port} -d"),
        (port, _) => format!("-P {port} -T --octet-count"),
    };
    Some(format!(
        "logger -n {host} {transport} -p local0.err -t {DEMO_SYSLOG_TAG} '{DEMO_SYSLOG_MESSAGE}'"
    ))
}

fn print_banner(b: &Banner<'_>) {
    let s = b.settings;
    let ingest_url = format!(
        "http://{}:{}/api/v2/ingest",
        b.host,
        s.port(&registry::SERVER_PORT_INGESTOR)
    );
    let key_header = match b.ingest_key {
        Some(key) => format!("'X-API-KEY: {key}'"),
        // A configured key is the user's secret: refer to it rather than print it.
        None => "\"X-API-KEY: $INGEST_API_KEY\"".to_string(),
    };
    let now = crate::timefmt::secs(chrono::Utc::now());
    let event = serde_json::json!({
        "hostname": DEMO_HOST,
        "message": DEMO_MESSAGE,
        "timestamp": now,
        "syslog_severity": 3,
    });
    let probe =
        |health: &Def, metrics: &Def| format!("{} (metrics {})", s.port(health), s.port(metrics));

    let web_url = format!("http://{}:{}", b.host, s.port(&registry::SERVER_PORT_WEBUI));
    println!();
    println!("mutt up: the pipeline is running; Ctrl-C stops it");
    println!("  dashboard:      {web_url}/  (log in with the web API key)");
    match b.web_key {
        Some(key) => println!("  web API key:    {key}  (name {WEB_KEY_NAME}, scope admin)"),
        None => println!("  web API key:    yours (WEBUI_API_KEYS / WEBUI_API_KEY)"),
    }
    println!("  ingest API:     {ingest_url}");
    match b.ingest_key {
        Some(key) => println!("  ingest API key: {key}"),
        None => println!("  ingest API key: yours (INGEST_API_KEY)"),
    }
    match b.mock_url {
        Some(url) => println!(
            "  mock Moog sink: {url}{} (what it received: {url}/requests, counters: {url}/stats)",
            mock_moog::DEFAULT_PATH
        ),
        None => println!("  Moog webhook:   {}", s.text(&registry::MOOG_WEBHOOK_URL)),
    }
    if b.syslog {
        let on: Vec<String> = syslog_listeners(s)
            .iter()
            .map(|(t, port)| format!("{t} {}:{port}", b.host))
            .collect();
        println!("  syslog:         {}", on.join(", "));
    }
    let syslog_probe = if b.syslog {
        format!(
            ", syslog {}",
            probe(
                &registry::HEALTH_PORT_SYSLOG,
                &registry::METRICS_PORT_SYSLOG
            )
        )
    } else {
        String::new()
    };
    println!(
        "  health ports:   ingest {} (/metrics too), alerter {}, forwarder {}, remediation {}{syslog_probe}",
        s.port(&registry::SERVER_PORT_INGESTOR),
        probe(
            &registry::HEALTH_PORT_ALERTER,
            &registry::METRICS_PORT_ALERTER
        ),
        probe(&registry::HEALTH_PORT_MOOG, &registry::METRICS_PORT_MOOG),
        probe(
            &registry::HEALTH_PORT_REMEDIATION,
            &registry::METRICS_PORT_REMEDIATION
        ),
    );
    println!();
    if b.examples {
        println!("Send a link-down syslog event (example rule \"%LINK-3-UPDOWN\": Page_and_ticket, NetOps):");
    } else {
        println!("Send a link-down syslog event:");
    }
    println!();
    println!("  curl -sS -X POST '{ingest_url}' \\");
    println!("    -H 'Content-Type: application/json' -H {key_header} \\");
    println!("    -d '{event}'");
    println!();
    if let Some(logger) = b.syslog.then(|| logger_command(s, b.host)).flatten() {
        println!("Or send one as syslog, to the receiver (util-linux `logger`; this host's name is the event's hostname):");
        println!();
        println!("  {logger}");
        println!();
    }
    println!("Then look:");
    let web_header = match b.web_key {
        Some(key) => format!("'X-API-KEY: {key}'"),
        None => "\"X-API-KEY: $WEBUI_API_KEY\"".to_string(),
    };
    println!("  {web_url}/audit-logs    # the event in the audit search (dashboard: {web_url}/)");
    println!(
        "  curl -s -H {web_header} '{web_url}/api/v2/audit-logs?hostname={DEMO_HOST}&limit=5'"
    );
    if let Some(url) = b.mock_url {
        println!("  curl -s {url}/requests    # the alert the mock Moog sink received");
    }
    if let Some(db) = &b.database_url {
        println!(
            "  psql '{db}' -c 'SELECT event_timestamp, hostname, handling_decision, forwarded_to_moog FROM event_audit_log ORDER BY id DESC LIMIT 5'"
        );
    }
    println!();
}

/// What `mutt up` did about rules.
enum RulesLoaded {
    /// The rules table was empty: this many example rules were imported.
    Examples(usize),
    /// The table already held this many rules; the examples were left out.
    Kept(usize),
}

/// Import the example rules into an empty rules table. Only an empty one: in a kept data
/// directory (or the user's own database) rules were edited or deleted on purpose, and an
/// example must not come back on the next start.
fn load_example_rules(
    client: &mut postgres::Client,
    redis: std::sync::Arc<RedisConnector>,
    settings: &Settings,
) -> Result<RulesLoaded, CliError> {
    use crate::admin::{rules, Actor, Notifier};
    let admin = |e: crate::admin::AdminError| CliError::Other(format!("example rules: {e}"));
    let present = rules::list(client, None).map_err(admin)?.len();
    if present > 0 {
        return Ok(RulesLoaded::Kept(present));
    }
    let entries = rules::parse_document(EXAMPLE_RULES).map_err(admin)?;
    let notifier = Notifier::new(redis, Keys::from_settings(settings));
    let report = rules::import(
        client,
        &notifier,
        &Actor::cli(),
        &entries,
        Some("mutt up: example rules"),
    )
    .map_err(admin)?;
    for failure in &report.failed {
        // A unit test keeps the examples valid; this only guards against a broken build.
        log::warn!(
            "example rule {} not loaded: {}",
            failure.index,
            failure.error
        );
    }
    Ok(RulesLoaded::Examples(report.created.len()))
}

/// A key for a secret the user did not configure: kept in the data directory when there is
/// one (so it survives restarts), else new. `None` when one of `defs` is configured.
fn generated_key(
    settings: &Settings,
    defs: &[&Def],
    args: &UpArgs,
    file: &str,
) -> Result<Option<String>, CliError> {
    if defs.iter().any(|d| given(settings, d)) {
        return Ok(None);
    }
    let key = match &args.data_dir {
        Some(dir) => persistent_secret(&dir.join(format!("{file}.key")))?,
        None => random_secret(),
    };
    Ok(Some(key))
}

fn random_secret() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A secret kept in `file` (mode 0600), created on first use, so a kept data directory can be
/// reused with the same passwords and keys.
fn persistent_secret(file: &Path) -> Result<String, CliError> {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(text) = std::fs::read_to_string(file) {
        if !text.trim().is_empty() {
            return Ok(text.trim().to_string());
        }
    }
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let secret = random_secret();
    std::fs::write(file, &secret)?;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::rules::{validate_rule, RuleRow};
    use crate::rules::{Decision, Snapshot};
    use crate::wire::event::EventView;

    #[derive(serde::Deserialize)]
    struct ExampleRule {
        match_string: Option<String>,
        trap_oid: Option<String>,
        syslog_severity: Option<i32>,
        match_type: String,
        priority: i32,
        prod_handling: String,
        dev_handling: String,
        team_assignment: String,
        is_active: bool,
    }

    #[test]
    fn example_rules_pass_the_import_checks() {
        let entries = crate::admin::rules::parse_document(EXAMPLE_RULES).unwrap();
        for (i, entry) in entries.iter().enumerate() {
            crate::admin::rules::parse_patch(entry)
                .unwrap_or_else(|e| panic!("example rule {}: {e}", i + 1));
        }
    }

    fn example_rules() -> Vec<RuleRow> {
        let parsed: Vec<ExampleRule> =
            serde_yaml_ng::from_str(EXAMPLE_RULES).expect("examples/rules.yaml parses");
        parsed
            .into_iter()
            .enumerate()
            .map(|(i, r)| RuleRow {
                id: i as i32 + 1,
                match_string: r.match_string,
                trap_oid: r.trap_oid,
                syslog_severity: r.syslog_severity,
                match_type: r.match_type,
                priority: r.priority,
                prod_handling: r.prod_handling,
                dev_handling: r.dev_handling,
                team_assignment: r.team_assignment,
                is_active: r.is_active,
            })
            .collect()
    }

    #[test]
    fn example_rules_are_valid_and_the_banner_event_is_forwarded() {
        let rules = example_rules();
        assert!(rules.len() >= 5, "a handful of examples");
        for rule in &rules {
            validate_rule(rule).unwrap_or_else(|e| panic!("{rule:?}: {e:?}"));
        }
        let engine: Vec<_> = rules.iter().filter_map(RuleRow::to_engine).collect();
        let snapshot = Snapshot::new(engine, Vec::<String>::new(), Vec::new(), "NetOps");
        assert!(snapshot.skipped().is_empty(), "{:?}", snapshot.skipped());
        let decide = |message: Option<&str>, oid: Option<&str>| {
            snapshot.decide(&EventView {
                hostname: DEMO_HOST,
                message,
                trap_oid: oid,
                syslog_severity: Some(3),
            })
        };
        let forwarded = |d: Decision| match d {
            Decision::Matched {
                forward,
                team,
                handling,
                ..
            } => Some((forward, team, handling)),
            Decision::Unhandled { .. } => None,
        };
        assert_eq!(
            forwarded(decide(Some(DEMO_MESSAGE), None)),
            Some((true, "NetOps".into(), "Page_and_ticket".into()))
        );
        assert_eq!(
            forwarded(decide(Some(DEMO_SYSLOG_MESSAGE), None)),
            Some((true, "NetOps".into(), "Page_and_ticket".into()))
        );
        let bgp = "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Down BGP Notification sent";
        assert_eq!(forwarded(decide(Some(bgp), None)).map(|f| f.0), Some(true));
        let bgp_up = "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Up";
        assert_eq!(forwarded(decide(Some(bgp_up), None)), None);
        let trap = forwarded(decide(
            Some("linkDown ifIndex 3"),
            Some(".1.3.6.1.6.3.1.1.5.3"),
        ));
        assert_eq!(trap.map(|f| f.0), Some(true));
        let auth = forwarded(decide(Some("sshd: authentication failure for root"), None));
        assert_eq!(auth, Some((true, "SecOps".into(), "Ticket_only".into())));
        let chatter = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Vlan10, changed state to up";
        assert_eq!(
            forwarded(decide(Some(chatter), None)).map(|f| f.0),
            Some(false)
        );
    }

    #[test]
    fn overrides_replace_flags_aliases_and_files() {
        let mut o = Overrides::default();
        o.set(&registry::SERVER_PORT_INGESTOR, "18080");
        o.set(&registry::INGEST_API_KEY, "generated");
        o.clear(&registry::REDIS_PASS_CURRENT);
        let user = vec![("SERVER_PORT_INGESTOR".to_string(), "9000".to_string())];
        let s = o.load(&user).unwrap();
        assert_eq!(s.port(&registry::SERVER_PORT_INGESTOR), 18080);
        assert_eq!(
            s.secret(&registry::INGEST_API_KEY).get().as_deref(),
            Some("generated")
        );
    }

    #[test]
    fn clashing_ports_are_refused_before_anything_starts() {
        let s = Settings::load(
            &[("METRICS_PORT_MOOG".to_string(), "8082".to_string())],
            &HashMap::new(),
        )
        .unwrap();
        let args = UpArgs {
            data_dir: None,
            check: true,
            port_offset: 0,
            mock_moog_port: None,
        };
        let err = plan_ports(&s, &args, "127.0.0.1", None).unwrap_err();
        assert!(
            err.to_string()
                .contains("HEALTH_PORT_ALERTER and METRICS_PORT_MOOG are both port 8082"),
            "{err}"
        );
        let s = Settings::load(&[], &HashMap::new()).unwrap();
        let err = plan_ports(&s, &args, "127.0.0.1", Some(8080)).unwrap_err();
        assert!(err.to_string().contains("--mock-moog-port"), "{err}");
        let shifted = UpArgs {
            port_offset: 100,
            ..args
        };
        let planned = plan_ports(&s, &shifted, "127.0.0.1", None).unwrap();
        assert_eq!(planned[0].1, 8180);
        let too_far = UpArgs {
            port_offset: 60_000,
            ..shifted
        };
        assert!(plan_ports(&s, &too_far, "127.0.0.1", None)
            .unwrap_err()
            .to_string()
            .contains("past 65535"));
    }

    fn plan(flags: &[(&str, &str)], offset: u16) -> Result<HashMap<&'static str, u16>, String> {
        let flags: Vec<(String, String)> = flags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let s = Settings::load(&flags, &HashMap::new()).unwrap();
        let args = UpArgs {
            data_dir: None,
            check: true,
            port_offset: offset,
            mock_moog_port: None,
        };
        plan_ports(&s, &args, "127.0.0.1", None)
            .map(|p| p.into_iter().map(|(d, port)| (d.name, port)).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn syslog_ports_move_with_the_offset_udp_apart_and_off_stays_off() {
        let p = plan(&[], 100).unwrap();
        // UDP and TCP share a number: different protocols, no clash.
        assert_eq!(p["SYSLOG_UDP_PORT"], 5614);
        assert_eq!(p["SYSLOG_TCP_PORT"], 5614);
        assert_eq!(p["SYSLOG_RELP_PORT"], 2614);
        assert_eq!(p["HEALTH_PORT_SYSLOG"], 8189);
        assert_eq!(p["METRICS_PORT_SYSLOG"], 8188);
        // TLS listens only with a certificate, so it is planned only then.
        assert!(!p.contains_key("SYSLOG_TLS_PORT"));
        let tls = [
            ("SYSLOG_TLS_CERT_PATH", "/c.pem"),
            ("SYSLOG_TLS_KEY_PATH", "/k.pem"),
        ];
        assert_eq!(plan(&tls, 100).unwrap()["SYSLOG_TLS_PORT"], 6614);
        // 0 turns a transport off: it is not moved to the offset.
        let p = plan(&[("SYSLOG_RELP_PORT", "0")], 100).unwrap();
        assert!(!p.contains_key("SYSLOG_RELP_PORT"));
        // A UDP port may equal a TCP listener's; TCP ports may not.
        assert!(plan(&[("SYSLOG_UDP_PORT", "8080")], 0).is_ok());
        let err = plan(&[("SYSLOG_TCP_PORT", "8080")], 0).unwrap_err();
        assert!(
            err.contains("SERVER_PORT_INGESTOR and SYSLOG_TCP_PORT are both port 8080"),
            "{err}"
        );
        let err = plan(&[("SYSLOG_RELP_PORT", "5514")], 0).unwrap_err();
        assert!(
            err.contains("SYSLOG_TCP_PORT and SYSLOG_RELP_PORT"),
            "{err}"
        );
    }

    #[test]
    fn the_receiver_runs_while_a_transport_is_on() {
        let load = |flags: &[(&str, &str)]| {
            let flags: Vec<(String, String)> = flags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Settings::load(&flags, &HashMap::new()).unwrap()
        };
        assert!(syslog_wanted(&load(&[])));
        let off = [
            ("SYSLOG_UDP_PORT", "0"),
            ("SYSLOG_TCP_PORT", "0"),
            ("SYSLOG_RELP_PORT", "0"),
        ];
        assert!(!syslog_wanted(&load(&off)));
        let mut relp = off.to_vec();
        relp.retain(|(k, _)| *k != "SYSLOG_RELP_PORT");
        assert!(syslog_wanted(&load(&relp)));
    }

    #[test]
    fn the_logger_command_prefers_octet_counted_tcp() {
        let s = Settings::load(&[], &HashMap::new()).unwrap();
        assert_eq!(
            logger_command(&s, "127.0.0.1").unwrap(),
            format!(
                "logger -n 127.0.0.1 -P 5514 -T --octet-count -p local0.err -t mutt-up '{DEMO_SYSLOG_MESSAGE}'"
            )
        );
        let flags = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let udp_only = Settings::load(
            &flags(&[("SYSLOG_TCP_PORT", "0"), ("SYSLOG_UDP_PORT", "6000")]),
            &HashMap::new(),
        )
        .unwrap();
        let cmd = logger_command(&udp_only, "[::1]").unwrap();
        assert!(
            cmd.starts_with("logger -n ::1 -P 6000 -d -p local0.err"),
            "{cmd}"
        );
        let none = Settings::load(
            &flags(&[("SYSLOG_TCP_PORT", "0"), ("SYSLOG_UDP_PORT", "0")]),
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(logger_command(&none, "127.0.0.1"), None);
        // Quoted as one shell word: the message holds no quote of its own.
        assert!(!DEMO_SYSLOG_MESSAGE.contains('\''));
    }

    #[test]
    fn listeners_are_reached_on_loopback_when_bound_to_any() {
        assert_eq!(connect_host("0.0.0.0"), "127.0.0.1");
        assert_eq!(connect_host("::"), "127.0.0.1");
        assert_eq!(connect_host("127.0.0.2"), "127.0.0.2");
        assert_eq!(connect_host("::1"), "[::1]");
    }
}
