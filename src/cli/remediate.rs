//! `mutt remediate run`.

use super::CliError;
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use std::process::ExitCode;

/// `mutt remediate …`
#[derive(Debug, clap::Subcommand)]
pub enum RemediateCommand {
    /// Replay dead letters to their source queues on an interval (one active instance) until SIGTERM
    Run,
}

/// Run a `remediate` subcommand.
pub fn run(settings: &Settings, cmd: &RemediateCommand) -> Result<ExitCode, CliError> {
    match cmd {
        RemediateCommand::Run => {
            let shutdown = Shutdown::new();
            shutdown.install_signal_handlers()?;
            crate::remediate::run(settings, &shutdown).map_err(|e| match e {
                crate::remediate::RemediateError::Redis(r) => CliError::Redis(r),
                crate::remediate::RemediateError::Io(io) => CliError::Io(io),
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
