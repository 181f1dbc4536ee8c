//! `mutt alert run`.

use super::CliError;
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use std::process::ExitCode;

/// `mutt alert …`
#[derive(Debug, clap::Subcommand)]
pub enum AlertCommand {
    /// Match queued events against the rules, audit them and queue alerts, until SIGTERM
    Run,
}

/// Run an `alert` subcommand.
pub fn run(settings: &Settings, cmd: &AlertCommand) -> Result<ExitCode, CliError> {
    match cmd {
        AlertCommand::Run => {
            let shutdown = Shutdown::new();
            shutdown.install_signal_handlers()?;
            crate::alert::run(settings, &shutdown).map_err(|e| match e {
                crate::alert::AlertError::Redis(r) => CliError::Redis(r),
                crate::alert::AlertError::Db(d) => CliError::Db(d),
                crate::alert::AlertError::Io(io) => CliError::Io(io),
                crate::alert::AlertError::Claim(c) => CliError::Other(c.to_string()),
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
