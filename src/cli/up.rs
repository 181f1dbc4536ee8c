//! `mutt up`: the pipeline in one process for a laptop or a demo.
//!
//! Without `REDIS_URL` / `DATABASE_URL` it starts private `redis-server` and PostgreSQL child
//! processes in a data directory, migrates the schema, prints how to reach them, and runs until
//! Ctrl-C or SIGTERM. The daemons join here as their issues land.

use super::CliError;
use crate::dev::services::{PostgresOptions, PostgresServer, RedisOptions, RedisServer};
use crate::settings::secrets::{PasswordPair, SecretSource};
use crate::settings::{registry, Settings, Source};
use crate::shutdown::Shutdown;
use crate::store::postgres::{migrate, partitions, PgConfig, PgConnector};
use crate::store::redis::{RedisConfig, RedisConnector};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const PRIVATE_DB: &str = "mutt_db";
const PRIVATE_USER: &str = "mutt_user";

/// `mutt up` options.
#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Keep Redis/PostgreSQL data here across runs (default: a temporary directory removed on exit)
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Start, migrate, print, and exit at once instead of running until Ctrl-C (for scripts)
    #[arg(long)]
    pub check: bool,
}

fn given(settings: &Settings, def: &registry::Def) -> bool {
    !matches!(settings.source(def), Source::Default | Source::Unset)
}

/// Run `mutt up`.
pub fn run(settings: &Settings, args: &UpArgs) -> Result<ExitCode, CliError> {
    let shutdown = Shutdown::new();
    shutdown.install_signal_handlers()?;

    let mut redis_cfg = RedisConfig::from_settings(settings);
    let _redis_server = if given(settings, &registry::REDIS_URL) {
        None
    } else {
        let server = RedisServer::start(RedisOptions {
            dir: args.data_dir.as_ref().map(|d| d.join("redis")),
            ..Default::default()
        })?;
        redis_cfg.host = "127.0.0.1".into();
        redis_cfg.port = server.port();
        redis_cfg.tls = false;
        redis_cfg.passwords = no_passwords("REDIS");
        Some(server)
    };

    let mut pg_cfg = PgConfig::from_settings(settings, "up");
    let _pg_server = if given(settings, &registry::DATABASE_URL) {
        None
    } else {
        let dir = args.data_dir.as_ref().map(|d| d.join("postgres"));
        let password = match &dir {
            Some(d) => persistent_password(d)?,
            None => uuid::Uuid::new_v4().simple().to_string(),
        };
        let server = PostgresServer::start(PostgresOptions {
            superuser: PRIVATE_USER.into(),
            password: password.clone(),
            dir,
            ..Default::default()
        })?;
        server.create_database(PRIVATE_DB)?;
        pg_cfg.host = "127.0.0.1".into();
        pg_cfg.port = server.port();
        pg_cfg.dbname = PRIVATE_DB.into();
        pg_cfg.user = PRIVATE_USER.into();
        pg_cfg.tls = false;
        pg_cfg.passwords = PasswordPair {
            current: SecretSource::Value(password),
            ..no_passwords("DB")
        };
        Some(server)
    };

    let redis = RedisConnector::new(redis_cfg.clone());
    drop(redis.connect()?);
    let connector = PgConnector::new(pg_cfg.clone())?;
    let mut client = connector.connect()?;
    let applied = migrate::apply(&mut client)?;
    let parts = partitions::ensure(
        &mut client,
        chrono::Utc::now(),
        super::migrate::DEFAULT_PARTITIONS_AHEAD,
    )?;
    drop(client);

    let db_password = pg_cfg.passwords.current.get().unwrap_or_default();
    println!("mutt up: Redis and PostgreSQL are ready");
    println!(
        "  export REDIS_URL=redis://{}:{}",
        redis_cfg.host, redis_cfg.port
    );
    println!(
        "  export DATABASE_URL=postgres://{}:{}@{}:{}/{}",
        pg_cfg.user, db_password, pg_cfg.host, pg_cfg.port, pg_cfg.dbname
    );
    println!(
        "  schema: {} migration(s) applied now, {} partition(s) present or created",
        applied.len(),
        parts.len()
    );
    if args.check {
        return Ok(ExitCode::SUCCESS);
    }
    println!("Press Ctrl-C to stop.");
    while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
    println!("mutt up: stopping");
    Ok(ExitCode::SUCCESS)
}

fn no_passwords(prefix: &'static str) -> PasswordPair {
    let (current_name, next_name) = match prefix {
        "REDIS" => ("REDIS_PASS_CURRENT", "REDIS_PASS_NEXT"),
        _ => ("DB_PASS_CURRENT", "DB_PASS_NEXT"),
    };
    PasswordPair {
        current_name,
        next_name,
        current: SecretSource::Unset,
        next: SecretSource::Unset,
    }
}

/// The private cluster's password, kept beside it so a kept data directory can be reused.
fn persistent_password(dir: &std::path::Path) -> Result<String, CliError> {
    use std::os::unix::fs::PermissionsExt;
    let file = dir.with_extension("password");
    if let Ok(text) = std::fs::read_to_string(&file) {
        if !text.trim().is_empty() {
            return Ok(text.trim().to_string());
        }
    }
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let password = uuid::Uuid::new_v4().simple().to_string();
    std::fs::write(&file, &password)?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
    Ok(password)
}
