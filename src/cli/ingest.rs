//! `mutt ingest serve`.

use super::CliError;
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use std::process::ExitCode;

/// `mutt ingest …`
#[derive(Debug, clap::Subcommand)]
pub enum IngestCommand {
    /// Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM
    Serve(ServeArgs),
}

/// `mutt ingest serve` options (each also a setting).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; same as SERVER_PORT_INGESTOR
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Address to bind; same as MUTT_BIND_ADDRESS
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
}

impl IngestCommand {
    /// Setting overrides given as flags of this command.
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        let IngestCommand::Serve(args) = self;
        let mut flags = Vec::new();
        if let Some(p) = args.port {
            flags.push(("SERVER_PORT_INGESTOR".to_string(), p.to_string()));
        }
        if let Some(b) = &args.bind {
            flags.push(("MUTT_BIND_ADDRESS".to_string(), b.clone()));
        }
        flags
    }
}

/// Run an `ingest` subcommand.
pub fn run(settings: &Settings, cmd: &IngestCommand) -> Result<ExitCode, CliError> {
    match cmd {
        IngestCommand::Serve(_) => {
            let shutdown = Shutdown::new();
            shutdown.install_signal_handlers()?;
            crate::ingest::serve(settings, &shutdown).map_err(|e| match e {
                crate::ingest::IngestError::Config(c) => CliError::Config(c),
                crate::ingest::IngestError::Redis(r) => CliError::Redis(r),
                crate::ingest::IngestError::Io(io) => CliError::Io(io),
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
