//! Passwords an admin command needs and was not given: asked for at the terminal (rpassword, no
//! echo), never taken as a flag (it would show in `ps` and shell history).
//!
//! Only when all of these hold: stdin is a terminal; the command talks to that store; no
//! password for it is configured anywhere (`*_PASS_CURRENT`/`_NEXT`, their `_FILE`s, a URL, or
//! Vault); and the server, tried first without one, asked for one. A server that lets the role in
//! without a password (trust, peer) is never prompted for, and cron, CI, pipes and daemons
//! behave exactly as before: the connection's own one-line error.
//!
//! The typed password becomes the store's CURRENT password for this process only: the settings
//! are loaded again from the process environment plus that one value, so nothing is written to
//! the real environment (child processes never see it) or anywhere else.

use super::config::ConfigCommand;
use super::hosts::{HostsCommand, TeamsCommand};
use super::rules::RulesCommand;
use super::silences::SilencesCommand;
use super::{CliError, Command};
use crate::settings::secrets::{PasswordPair, SecretSource};
use crate::settings::{registry, Settings};
use crate::store::postgres::{DbError, PgConfig, PgConnector};
use crate::store::redis::{RedisConfig, RedisConnector, RedisError};
use std::collections::HashMap;
use std::io::IsTerminal;

/// Passwords asked for before giving up on a store (as sudo and ssh do).
const ATTEMPTS: usize = 3;

/// The stores a command talks to (only those are tried and prompted for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// PostgreSQL.
    pub postgres: bool,
    /// Redis (also for the change notice of a rules/hosts/teams write).
    pub redis: bool,
}

/// What `cmd` connects to; daemons, `up` and the developer tools are never prompted for.
pub fn needs(cmd: &Command) -> Needs {
    let (postgres, redis) = match cmd {
        Command::Rules(c) => (
            true,
            matches!(
                c,
                RulesCommand::Add { .. }
                    | RulesCommand::Update { .. }
                    | RulesCommand::Delete { .. }
                    | RulesCommand::Import { .. }
            ),
        ),
        Command::Hosts(c) => (true, !matches!(c, HostsCommand::List)),
        Command::Teams(c) => (true, !matches!(c, TeamsCommand::List)),
        Command::Silences(c) => (
            true,
            !matches!(
                c,
                SilencesCommand::List { .. }
                    | SilencesCommand::Show { .. }
                    | SilencesCommand::Export { .. }
            ),
        ),
        Command::Audit(_) | Command::Migrate(_) | Command::Partitions(_) => (true, false),
        Command::Retention(_) | Command::Status(_) => (true, true),
        Command::Dlq(_) => (false, true),
        Command::Config(c) => match c {
            ConfigCommand::Show { .. } => (false, false),
            ConfigCommand::List | ConfigCommand::Get { .. } | ConfigCommand::Watch { .. } => {
                (false, true)
            }
            ConfigCommand::Set { .. } | ConfigCommand::Delete { .. } => (true, true),
        },
        _ => (false, false),
    };
    Needs { postgres, redis }
}

fn configured(pair: &PasswordPair) -> bool {
    pair.current.is_configured() || pair.next.is_configured()
}

/// The settings to run `cmd` with: `settings` itself, unless a password had to be asked for
/// (see the module documentation); `flags` are the command line's setting overrides, applied
/// again when the settings are reloaded with the typed password.
pub fn complete(
    settings: Settings,
    cmd: &Command,
    flags: &[(String, String)],
) -> Result<Settings, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(settings);
    }
    let needs = needs(cmd);
    let mut typed: Vec<(&'static str, String)> = Vec::new();
    if needs.postgres && !configured(&settings.db_passwords()) {
        if let Some(pw) = ask_postgres(&settings)? {
            typed.push((registry::DB_PASS_CURRENT.name, pw));
        }
    }
    if needs.redis && !configured(&settings.redis_passwords()) {
        if let Some(pw) = ask_redis(&settings)? {
            typed.push((registry::REDIS_PASS_CURRENT.name, pw));
        }
    }
    if typed.is_empty() {
        return Ok(settings);
    }
    let mut env: HashMap<String, String> = std::env::vars().collect();
    for (name, pw) in typed {
        env.insert(name.to_string(), pw);
    }
    Ok(Settings::load(flags, &env)?)
}

/// Read one password at the terminal without echo; an empty answer (or end of input) gives up.
fn read(prompt: &str) -> Result<String, CliError> {
    let pw = rpassword::prompt_password(prompt)
        .map_err(|e| CliError::Other(format!("cannot read a password from the terminal: {e}")))?;
    if pw.is_empty() {
        return Err(CliError::Other("no password typed; nothing done".into()));
    }
    Ok(pw)
}

/// `None` when PostgreSQL needs no password (or cannot be reached: the command then reports
/// that itself); else the password typed, once the server accepted it.
fn ask_postgres(settings: &Settings) -> Result<Option<String>, CliError> {
    let cfg = PgConfig::from_settings(settings, "mutt-cli");
    match PgConnector::new(cfg.clone())?.connect() {
        Err(DbError::Auth { .. }) => {}
        _ => return Ok(None),
    }
    let prompt = format!("PostgreSQL password for {}@{}: ", cfg.user, cfg.host);
    for _ in 0..ATTEMPTS {
        let pw = read(&prompt)?;
        let mut with = cfg.clone();
        with.passwords.current = SecretSource::Value(pw.clone());
        match PgConnector::new(with)?.connect() {
            Ok(_) => return Ok(Some(pw)),
            Err(DbError::Auth { .. }) => eprintln!("mutt: PostgreSQL refused that password"),
            Err(e) => return Err(e.into()),
        }
    }
    Err(CliError::Other(format!(
        "PostgreSQL refused {ATTEMPTS} passwords for user \"{}\" at {}; nothing done",
        cfg.user,
        cfg.address()
    )))
}

/// As [`ask_postgres`], for a Redis server that answers NOAUTH.
fn ask_redis(settings: &Settings) -> Result<Option<String>, CliError> {
    let cfg = RedisConfig::from_settings(settings);
    match RedisConnector::new(cfg.clone()).connect() {
        Err(RedisError::Auth { .. }) => {}
        _ => return Ok(None),
    }
    let who = match &cfg.username {
        Some(user) => format!("{user}@{}", cfg.address()),
        None => cfg.address(),
    };
    let prompt = format!("Redis password for {who}: ");
    for _ in 0..ATTEMPTS {
        let pw = read(&prompt)?;
        let mut with = cfg.clone();
        with.passwords.current = SecretSource::Value(pw.clone());
        match RedisConnector::new(with).connect() {
            Ok(_) => return Ok(Some(pw)),
            Err(RedisError::Auth { .. }) => eprintln!("mutt: Redis refused that password"),
            Err(e) => return Err(e.into()),
        }
    }
    Err(CliError::Other(format!(
        "Redis refused {ATTEMPTS} passwords at {who}; nothing done"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn needs_of(args: &[&str]) -> Needs {
        let cli =
            super::super::Cli::try_parse_from(std::iter::once("mutt").chain(args.iter().copied()))
                .expect("parses");
        needs(&cli.command)
    }

    #[test]
    fn only_the_stores_a_command_uses_are_prompted_for() {
        let pg = Needs {
            postgres: true,
            redis: false,
        };
        let both = Needs {
            postgres: true,
            redis: true,
        };
        assert_eq!(needs_of(&["rules", "list"]), pg);
        assert_eq!(needs_of(&["rules", "import", "-"]), both);
        assert_eq!(needs_of(&["hosts", "list"]), pg);
        assert_eq!(needs_of(&["teams", "delete", "h"]), both);
        assert_eq!(needs_of(&["audit", "config"]), pg);
        assert_eq!(needs_of(&["migrate", "--status"]), pg);
        assert_eq!(needs_of(&["partitions", "list"]), pg);
        assert_eq!(needs_of(&["retention", "run"]), both);
        assert_eq!(needs_of(&["status"]), both);
        assert_eq!(
            needs_of(&["dlq", "stats"]),
            Needs {
                postgres: false,
                redis: true
            }
        );
        assert_eq!(needs_of(&["config", "show"]), Needs::default());
        assert_eq!(needs_of(&["config", "set", "k", "v"]), both);
        // Daemons run under systemd and never ask.
        assert_eq!(needs_of(&["alert", "run"]), Needs::default());
        assert_eq!(needs_of(&["web", "serve"]), Needs::default());
    }
}
