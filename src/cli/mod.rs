//! The command line: the one clap tree, and dispatch to a handler per command group.
//!
//! Handlers return `Result<ExitCode, CliError>`; errors print one line on stderr and map to the
//! exit codes of CONTRACT §2 (0 success, 1 failure, 2 usage, 3 partial).

mod audit;
mod config;
mod daemons;
mod dlq;
mod hosts;
mod manage;
mod migrate;
pub mod output;
mod partitions;
mod password;
pub mod progress;
mod retention;
mod rules;
mod silences;
mod status;
mod trap;
mod up;

use crate::settings::{ConfigError, Settings};
use clap::{Args, CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Success.
pub const EXIT_OK: u8 = 0;
/// Failure (bad configuration, store unreachable, …).
pub const EXIT_FAILURE: u8 = 1;
/// Usage error (clap uses 2 too).
pub const EXIT_USAGE: u8 = 2;
/// Partial success: some items failed.
pub const EXIT_PARTIAL: u8 = 3;

/// mutt: syslog and SNMP-trap events → rules → PostgreSQL audit → Moogsoft.
#[derive(Debug, Parser)]
#[command(
    name = "mutt",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "Passwords are never flags: set DB_PASS_CURRENT / REDIS_PASS_CURRENT (or *_FILE, a URL, \
                  Vault). An admin command run at a terminal without one asks for it, without echo, \
                  when the server wants one. Long admin jobs draw a progress bar on stderr when it is \
                  a terminal (never with -o json)."
)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options of the `serve` commands of the HTTP daemons (each also a setting).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; same as the service's port setting (SERVER_PORT_INGESTOR, SERVER_PORT_WEBUI)
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Address to bind; same as MUTT_BIND_ADDRESS
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
}

impl ServeArgs {
    /// These flags as setting overrides, the port going to `port_setting`.
    pub fn setting_flags(&self, port_setting: &str) -> Vec<(String, String)> {
        let mut flags = Vec::new();
        if let Some(p) = self.port {
            flags.push((port_setting.to_string(), p.to_string()));
        }
        if let Some(b) = &self.bind {
            flags.push(("MUTT_BIND_ADDRESS".to_string(), b.clone()));
        }
        flags
    }
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable;
    /// secrets are refused here, use NAME or NAME_FILE in the environment)
    #[arg(short = 's', long = "set", value_name = "NAME=VALUE", global = true, value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL
    #[arg(long, value_name = "URL", global = true)]
    pub redis_url: Option<String>,
    /// PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL
    #[arg(long, value_name = "URL", global = true)]
    pub database_url: Option<String>,
    /// Prefix of every Redis key; same as MUTT_KEY_PREFIX
    #[arg(long, value_name = "PREFIX", global = true)]
    pub key_prefix: Option<String>,
    /// Log level (error, warn, info, debug, trace); same as LOG_LEVEL
    #[arg(long, value_name = "LEVEL", global = true)]
    pub log_level: Option<String>,
    /// Output format of commands that print data
    #[arg(short = 'o', long, value_enum, default_value_t = output::Format::Table, global = true)]
    pub output: output::Format,
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The alerter: rules, audit log, alerts
    #[command(subcommand)]
    Alert(daemons::AlertCommand),
    /// The Moog forwarder
    #[command(subcommand)]
    Forward(daemons::ForwardCommand),
    /// The ingest API
    #[command(subcommand)]
    Ingest(daemons::IngestCommand),
    /// Check a running stack end to end (ingest → alert → audit → forward → Moog sink); exit 1 on any failure
    E2e(crate::dev::e2e::E2eArgs),
    /// Drive an ingest endpoint with realistic events and report throughput and latency (loopback only)
    Load(crate::dev::load::LoadArgs),
    /// Run a Moogsoft webhook sink that records requests and plays scripted faults (tests, dry runs)
    MockMoog(crate::dev::mock_moog::MockMoogArgs),
    /// Apply the embedded database migrations and create monthly audit partitions
    Migrate(migrate::MigrateArgs),
    /// Settings and dynamic configuration: show, list, get, set, delete, watch
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Alert rules: list, show, add, update, delete, import, export, test
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Development hosts (events from them use a rule's dev_handling)
    #[command(subcommand)]
    Hosts(hosts::HostsCommand),
    /// Device → team assignments
    #[command(subcommand)]
    Teams(hosts::TeamsCommand),
    /// Silences (maintenance windows): list, show, add, expire, import, export
    #[command(subcommand)]
    Silences(silences::SilencesCommand),
    /// Query the event audit log and the configuration audit log
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Dead-letter replay
    #[command(subcommand)]
    Remediate(daemons::RemediateCommand),
    /// Monthly partitions of event_audit_log: ensure, list, drop
    #[command(subcommand)]
    Partitions(partitions::PartitionsCommand),
    /// Retention: archive, purge and age out expired audit rows and dead letters
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Dead-letter lists: list, stats, replay, purge (filtered by reason, age, host)
    #[command(subcommand)]
    Dlq(dlq::DlqCommand),
    /// The whole system on one screen: daemons, queues, DLQs, breaker, rules, partitions; exit 1 when unhealthy
    Status(status::StatusArgs),
    /// Run the whole pipeline in one process (private Redis and PostgreSQL, example rules, mock Moog sink) for a laptop or a demo
    Up(up::UpArgs),
    /// The syslog receiver: UDP, TCP, TLS and RELP straight from devices and rsyslog
    #[command(subcommand)]
    Syslog(daemons::SyslogCommand),
    /// The web UI and REST API
    #[command(subcommand)]
    Web(daemons::WebCommand),
    /// snmptrapd's traphandle program: read one trap on stdin, post it to the ingest API (exit 1 if it could not be delivered)
    TrapHandler(trap::TrapHandlerArgs),
    /// Print a shell completion script to stdout
    Completions {
        /// Target shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Command {
    /// The instance name used in logs: the same default as the daemon's queue pod name.
    pub fn pod_name(&self, settings: &Settings) -> String {
        use crate::settings::registry;
        let service = self.service_name();
        match self {
            Command::Alert(_) => {
                settings.instance_name("alerter", settings.port(&registry::HEALTH_PORT_ALERTER))
            }
            Command::Forward(_) => {
                settings.instance_name("forwarder", settings.port(&registry::HEALTH_PORT_MOOG))
            }
            Command::Remediate(_) => settings.instance_name(
                "remediation",
                settings.port(&registry::HEALTH_PORT_REMEDIATION),
            ),
            Command::Syslog(_) => {
                settings.instance_name("syslog", settings.port(&registry::HEALTH_PORT_SYSLOG))
            }
            _ => settings.pod_name(service),
        }
    }

    /// The service name used in logs (`service` field of JSON lines).
    pub fn service_name(&self) -> &'static str {
        match self {
            Command::Alert(_) => "alerter",
            Command::Forward(_) => "moog_forwarder",
            Command::Ingest(_) => "ingestor",
            Command::E2e(_) => "e2e",
            Command::Load(_) => "load",
            Command::MockMoog(_) => "mock-moog",
            Command::Migrate(_) => "migrate",
            Command::Config(_) => "config",
            Command::Rules(_) => "rules",
            Command::Hosts(_) => "hosts",
            Command::Teams(_) => "teams",
            Command::Silences(_) => "silences",
            Command::Audit(_) => "audit",
            Command::Remediate(_) => "remediation",
            Command::Partitions(_) => "partitions",
            Command::Retention(_) => "retention",
            Command::Dlq(_) => "dlq",
            Command::Status(_) => "status",
            Command::Up(_) => "up",
            Command::Syslog(_) => "syslog",
            Command::Web(_) => "webui",
            Command::TrapHandler(_) => "trap-handler",
            Command::Completions { .. } => "completions",
        }
    }
}

impl Cli {
    /// The flags that override settings, as (setting name, value).
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        let g = &self.global;
        let mut flags = g.set.clone();
        let named = [
            ("REDIS_URL", &g.redis_url),
            ("DATABASE_URL", &g.database_url),
            ("MUTT_KEY_PREFIX", &g.key_prefix),
            ("LOG_LEVEL", &g.log_level),
        ];
        for (name, value) in named {
            if let Some(v) = value {
                flags.push((name.to_string(), v.clone()));
            }
        }
        if let Command::Ingest(cmd) = &self.command {
            flags.extend(cmd.setting_flags());
        }
        if let Command::Web(cmd) = &self.command {
            flags.extend(cmd.setting_flags());
        }
        if let Command::TrapHandler(args) = &self.command {
            flags.extend(args.setting_flags());
        }
        flags
    }

    /// Load settings from these flags and the environment.
    pub fn load_settings(&self) -> Result<Settings, ConfigError> {
        Settings::from_env(&self.setting_flags())
    }
}

/// A command failure, printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// PostgreSQL problem.
    #[error(transparent)]
    Db(#[from] crate::store::postgres::DbError),
    /// Redis problem.
    #[error(transparent)]
    Redis(#[from] crate::store::redis::RedisError),
    /// Could not start a private server.
    #[error(transparent)]
    Launch(#[from] crate::dev::services::LaunchError),
    /// Writing output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A management operation was refused or failed (bad input, not found, conflict, store).
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
    /// Anything else, already worded for the operator.
    #[error("{0}")]
    Other(String),
}

fn run_load(
    args: &crate::dev::load::LoadArgs,
    format: output::Format,
) -> Result<ExitCode, CliError> {
    let report = crate::dev::load::run(args, progress::shown(format))
        .map_err(|e| CliError::Other(e.to_string()))?;
    crate::dev::load::print_report(
        &report,
        format == output::Format::Json,
        &mut std::io::stdout(),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn run_e2e(
    settings: &Settings,
    args: &crate::dev::e2e::E2eArgs,
    format: output::Format,
) -> Result<ExitCode, CliError> {
    let checks = crate::dev::e2e::run(settings, args).map_err(CliError::Other)?;
    output::print(format, &checks, &checks)?;
    let failed = checks.iter().filter(|c| c.result != "PASS").count();
    if failed > 0 {
        eprintln!("mutt: e2e: {failed} check(s) failed");
        return Ok(ExitCode::from(EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_mock_moog(args: &crate::dev::mock_moog::MockMoogArgs) -> Result<ExitCode, CliError> {
    let shutdown = crate::shutdown::Shutdown::new();
    shutdown.install_signal_handlers()?;
    crate::dev::mock_moog::serve(args, &shutdown)?;
    Ok(ExitCode::SUCCESS)
}

/// The clap command tree (for completions and man pages).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Run the parsed command with loaded settings; returns the process exit code.
pub fn dispatch(cli: Cli, settings: Settings) -> ExitCode {
    crate::crypto::install_crypto_provider();
    let format = cli.global.output;
    let flags = cli.setting_flags();
    let settings = match password::complete(settings, &cli.command, &flags) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("mutt: {err}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = match cli.command {
        Command::Alert(_) => daemons::serve(&settings, crate::alert::run),
        Command::Forward(_) => daemons::serve(&settings, crate::forward::run),
        Command::Ingest(_) => daemons::serve(&settings, crate::ingest::serve),
        Command::E2e(args) => run_e2e(&settings, &args, format),
        Command::Load(args) => run_load(&args, format),
        Command::MockMoog(args) => run_mock_moog(&args),
        Command::Migrate(args) => migrate::run(&settings, &args, format),
        Command::Config(cmd) => config::run(&settings, &cmd, format),
        Command::Rules(cmd) => rules::run(&settings, &cmd, format),
        Command::Hosts(cmd) => hosts::run_hosts(&settings, &cmd, format),
        Command::Teams(cmd) => hosts::run_teams(&settings, &cmd, format),
        Command::Silences(cmd) => silences::run(&settings, &cmd, format),
        Command::Audit(cmd) => audit::run(&settings, &cmd, format),
        Command::Remediate(_) => daemons::serve(&settings, crate::remediate::run),
        Command::Partitions(cmd) => partitions::run(&settings, &cmd, format),
        Command::Retention(cmd) => retention::run(&settings, &cmd, format),
        Command::Dlq(cmd) => dlq::run(&settings, &cmd, format),
        Command::Status(args) => status::run(&settings, &args, format),
        Command::Up(args) => up::run(&settings, &flags, &args),
        Command::Syslog(cmd) => {
            let flags = cmd.overrides();
            daemons::serve(&settings, |s, stop| {
                crate::syslog::serve::run(s, stop, &flags)
            })
        }
        Command::Web(_) => daemons::serve(&settings, crate::web::serve),
        Command::TrapHandler(args) => trap::run(&settings, &args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut command(), "mutt", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            log::debug!("command failed: {err:?}");
            eprintln!("mutt: {err}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// The files kept in `completions/` and `man/`, generated from the clap tree, and
/// `deploy/mutt.env.example`, generated from the settings registry: (path, content).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, name) in [
        (clap_complete::Shell::Bash, "completions/mutt.bash"),
        (clap_complete::Shell::Zsh, "completions/_mutt"),
        (clap_complete::Shell::Fish, "completions/mutt.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut command(), "mutt", &mut buf);
        files.push((name.to_string(), buf));
    }
    let mut cmd = command();
    cmd.build();
    add_man_pages(&cmd, "mutt", &mut files);
    files.push((
        "deploy/mutt.env.example".to_string(),
        crate::settings::registry::env_file_example().into_bytes(),
    ));
    files
}

fn add_man_pages(cmd: &clap::Command, name: &str, files: &mut Vec<(String, Vec<u8>)>) {
    let mut buf = Vec::new();
    let page = clap_mangen::Man::new(cmd.clone().name(name.to_string()));
    if page.render(&mut buf).is_ok() {
        files.push((format!("man/{name}.1"), buf));
    }
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        add_man_pages(sub, &format!("{name}-{}", sub.get_name()), files);
    }
}
