//! The `mutt` binary: parse the command line, set up logging, dispatch. Nothing else.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = mutt::cli::Cli::parse();
    let settings = match cli.load_settings() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("mutt: {err}");
            return ExitCode::from(mutt::cli::EXIT_FAILURE);
        }
    };
    mutt::logging::init(
        &settings,
        cli.command.service_name(),
        &cli.command.pod_name(&settings),
    );
    mutt::cli::dispatch(cli, settings)
}
