//! `mutt forward run`.

use super::CliError;
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use std::process::ExitCode;

/// `mutt forward …`
#[derive(Debug, clap::Subcommand)]
pub enum ForwardCommand {
    /// Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM
    Run,
}

/// Run a `forward` subcommand.
pub fn run(settings: &Settings, cmd: &ForwardCommand) -> Result<ExitCode, CliError> {
    match cmd {
        ForwardCommand::Run => {
            let shutdown = Shutdown::new();
            shutdown.install_signal_handlers()?;
            crate::forward::run(settings, &shutdown).map_err(|e| match e {
                crate::forward::ForwardError::Redis(r) => CliError::Redis(r),
                crate::forward::ForwardError::Config(c) => CliError::Config(c),
                crate::forward::ForwardError::Io(io) => CliError::Io(io),
                crate::forward::ForwardError::Claim(c) => CliError::Other(c.to_string()),
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
