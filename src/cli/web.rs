//! `mutt web serve`.

use super::CliError;
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use std::process::ExitCode;

/// `mutt web …`
#[derive(Debug, clap::Subcommand)]
pub enum WebCommand {
    /// Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM
    Serve(super::ServeArgs),
}

impl WebCommand {
    /// Setting overrides given as flags of this command.
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        let WebCommand::Serve(args) = self;
        args.setting_flags("SERVER_PORT_WEBUI")
    }
}

/// Run a `web` subcommand.
pub fn run(settings: &Settings, cmd: &WebCommand) -> Result<ExitCode, CliError> {
    match cmd {
        WebCommand::Serve(_) => {
            let shutdown = Shutdown::new();
            shutdown.install_signal_handlers()?;
            crate::web::serve(settings, &shutdown).map_err(|e| match e {
                crate::web::WebError::Config(c) => CliError::Config(c),
                crate::web::WebError::Redis(r) => CliError::Redis(r),
                crate::web::WebError::Db(d) => CliError::Db(d),
                crate::web::WebError::Io(io) => CliError::Io(io),
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
