//! `mutt ingest serve`.

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

impl IngestCommand {
    /// Setting overrides given as flags of this command.
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        let IngestCommand::Serve(args) = self;
        args.setting_flags("SERVER_PORT_INGESTOR")
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
