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
    let (service, pod) = (cli.command.service_name(), cli.command.pod_name(&settings));
    mutt::logging::init(&settings, service, &pod);
    mutt::trace::init(&settings, service, &pod);
    let code = mutt::cli::dispatch(cli, settings);
    // The last requests' spans are still queued; give the exporter a moment to post them.
    mutt::trace::flush(std::time::Duration::from_secs(2));
    code
}
