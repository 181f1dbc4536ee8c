//! `mutt trap-handler`: snmptrapd's `traphandle` program (one trap on stdin → one ingest POST).

use super::CliError;
use crate::ops::trap::{self, SendConfig};
use crate::settings::{registry, Settings};
use std::io::Read;
use std::process::ExitCode;

/// `mutt trap-handler` options.
#[derive(Debug, clap::Args)]
pub struct TrapHandlerArgs {
    /// Ingest URL to post to; same as TRAP_HANDLER_INGEST_URL
    /// (default http://127.0.0.1:<SERVER_PORT_INGESTOR>/api/v2/ingest)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Print the event as JSON on stdout instead of posting it (check a snmptrapd set-up)
    #[arg(long)]
    pub print: bool,
}

impl TrapHandlerArgs {
    /// Setting overrides given as flags.
    pub fn setting_flags(&self) -> Vec<(String, String)> {
        self.url
            .iter()
            .map(|u| {
                (
                    registry::TRAP_HANDLER_INGEST_URL.name.to_string(),
                    u.clone(),
                )
            })
            .collect()
    }
}

/// The ingest URL: the setting, else the local ingest on its configured port.
pub fn ingest_url(settings: &Settings) -> String {
    match settings.opt_text(&registry::TRAP_HANDLER_INGEST_URL) {
        Some(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => format!(
            "http://127.0.0.1:{}/api/v2/ingest",
            settings.port(&registry::SERVER_PORT_INGESTOR)
        ),
    }
}

/// Read one trap from stdin and deliver it; exit 1 (logged to syslog and stderr) when it could
/// not be, so snmptrapd records the failure.
pub fn run(settings: &Settings, args: &TrapHandlerArgs) -> Result<ExitCode, CliError> {
    let mut raw = Vec::new();
    std::io::stdin().read_to_end(&mut raw)?;
    let input = String::from_utf8_lossy(&raw);
    let parsed = match trap::parse(&input) {
        Ok(t) => t,
        Err(e) => return Ok(fail(&format!("cannot read the trap: {e}"))),
    };
    let now = crate::timefmt::millis(chrono::Utc::now());
    let event = parsed.event(&now);
    if args.print {
        println!(
            "{}",
            serde_json::to_string_pretty(&event).unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let keys = settings
        .secret(&registry::INGEST_API_KEY)
        .get()
        .map(|v| crate::apikeys::split_keys(&v))
        .unwrap_or_default();
    let tls = match settings.opt_text(&registry::TRAP_HANDLER_CA_CERT_PATH) {
        Some(path) if !path.trim().is_empty() => {
            match crate::http::client_config_with_ca(
                std::path::Path::new(path.trim()),
                registry::TRAP_HANDLER_CA_CERT_PATH.name,
            ) {
                Ok(config) => Some(config),
                // Logged like a lost trap, so snmptrapd's failure is explained in syslog too.
                Err(e) => return Ok(fail(&e.to_string())),
            }
        }
        _ => None,
    };
    let cfg = SendConfig {
        url: ingest_url(settings),
        keys,
        timeout: settings.duration(&registry::TRAP_HANDLER_TIMEOUT),
        attempts: settings.int(&registry::TRAP_HANDLER_ATTEMPTS) as u32,
        retry_base: settings.duration(&registry::TRAP_HANDLER_RETRY_BASE_DELAY),
        retry_max: settings.duration(&registry::TRAP_HANDLER_RETRY_MAX_DELAY),
        tls,
    };
    match trap::send(&event, &cfg) {
        Ok(status) => {
            log::debug!(
                "trap from {} ({}) posted: HTTP {status}",
                event["hostname"].as_str().unwrap_or(""),
                event["trap_oid"].as_str().unwrap_or("no trap OID"),
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(fail(&format!(
            "trap from {} ({}) lost: {e}",
            event["hostname"].as_str().unwrap_or(""),
            event["trap_oid"].as_str().unwrap_or("no trap OID"),
        ))),
    }
}

fn fail(message: &str) -> ExitCode {
    trap::syslog_error(message);
    eprintln!("mutt: trap-handler: {message}");
    ExitCode::from(super::EXIT_FAILURE)
}
