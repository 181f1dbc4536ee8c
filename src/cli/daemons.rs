//! The daemon subcommands: `mutt ingest serve`, `syslog serve`, `alert run`, `forward run`,
//! `remediate run`, `web serve`. Each installs the signal handlers and runs its service until SIGTERM/SIGINT.

use super::CliError;
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use std::process::ExitCode;

/// `mutt ingest …`
#[derive(Debug, clap::Subcommand)]
pub enum IngestCommand {
    /// Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM
    Serve(super::ServeArgs),
}

/// `mutt syslog …`
#[derive(Debug, clap::Subcommand)]
pub enum SyslogCommand {
    /// Receive syslog over UDP, TCP (RFC 6587), TLS (RFC 5425) and RELP into the ingest queue until SIGTERM
    Serve(SyslogServeArgs),
}

/// Listener addresses of `mutt syslog serve`; each wins over its port setting, and port 0 here
/// takes any free port (reported in `MUTT_READY_FILE`).
#[derive(Debug, clap::Args)]
pub struct SyslogServeArgs {
    /// UDP listener address (default MUTT_BIND_ADDRESS:SYSLOG_UDP_PORT)
    #[arg(long, value_name = "ADDR:PORT")]
    pub udp: Option<String>,
    /// TCP listener address (default MUTT_BIND_ADDRESS:SYSLOG_TCP_PORT)
    #[arg(long, value_name = "ADDR:PORT")]
    pub tcp: Option<String>,
    /// TLS listener address (default MUTT_BIND_ADDRESS:SYSLOG_TLS_PORT; needs SYSLOG_TLS_CERT_PATH)
    #[arg(long, value_name = "ADDR:PORT")]
    pub tls: Option<String>,
    /// RELP listener address (default MUTT_BIND_ADDRESS:SYSLOG_RELP_PORT)
    #[arg(long, value_name = "ADDR:PORT")]
    pub relp: Option<String>,
}

impl SyslogCommand {
    /// The listener flags for the receiver.
    pub fn overrides(&self) -> crate::syslog::serve::Overrides {
        let SyslogCommand::Serve(a) = self;
        crate::syslog::serve::Overrides {
            udp: a.udp.clone(),
            tcp: a.tcp.clone(),
            tls: a.tls.clone(),
            relp: a.relp.clone(),
        }
    }
}

/// `mutt web …`
#[derive(Debug, clap::Subcommand)]
pub enum WebCommand {
    /// Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM
    Serve(super::ServeArgs),
}

/// `mutt alert …`
#[derive(Debug, clap::Subcommand)]
pub enum AlertCommand {
    /// Match queued events against the rules, audit them and queue alerts, until SIGTERM
    Run,
}

/// `mutt forward …`
#[derive(Debug, clap::Subcommand)]
pub enum ForwardCommand {
    /// Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM
    Run,
}

/// `mutt remediate …`
#[derive(Debug, clap::Subcommand)]
pub enum RemediateCommand {
    /// Replay dead letters to their source queues on an interval (one active instance) until SIGTERM
    Run,
}

impl IngestCommand {
    /// Setting overrides given as flags of this command.
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        let IngestCommand::Serve(args) = self;
        args.setting_flags("SERVER_PORT_INGESTOR")
    }
}

impl WebCommand {
    /// Setting overrides given as flags of this command.
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        let WebCommand::Serve(args) = self;
        args.setting_flags("SERVER_PORT_WEBUI")
    }
}

/// Run `service` until SIGTERM/SIGINT.
pub fn serve<E: Into<CliError>>(
    settings: &Settings,
    service: impl FnOnce(&Settings, &Shutdown) -> Result<(), E>,
) -> Result<ExitCode, CliError> {
    let shutdown = Shutdown::new();
    shutdown.install_signal_handlers()?;
    service(settings, &shutdown).map_err(Into::into)?;
    Ok(ExitCode::SUCCESS)
}

impl From<crate::daemon::DaemonError> for CliError {
    fn from(e: crate::daemon::DaemonError) -> CliError {
        use crate::daemon::DaemonError;
        match e {
            DaemonError::Redis(r) => CliError::Redis(r),
            DaemonError::Db(d) => CliError::Db(d),
            DaemonError::Config(c) => CliError::Config(c),
            DaemonError::Io(io) => CliError::Io(io),
            DaemonError::Claim(c) => CliError::Other(c.to_string()),
        }
    }
}

impl From<crate::ingest::IngestError> for CliError {
    fn from(e: crate::ingest::IngestError) -> CliError {
        use crate::ingest::IngestError;
        match e {
            IngestError::Config(c) => CliError::Config(c),
            IngestError::Redis(r) => CliError::Redis(r),
            IngestError::Io(io) => CliError::Io(io),
        }
    }
}

impl From<crate::web::WebError> for CliError {
    fn from(e: crate::web::WebError) -> CliError {
        use crate::web::WebError;
        match e {
            WebError::Config(c) => CliError::Config(c),
            WebError::Redis(r) => CliError::Redis(r),
            WebError::Db(d) => CliError::Db(d),
            WebError::Io(io) => CliError::Io(io),
        }
    }
}
