//! What every admin command (`rules`, `hosts`, `teams`, `audit`, `config set`) shares: the
//! connections the management layer needs, the acting user, and the partial-success exit code.

use super::{CliError, EXIT_FAILURE, EXIT_PARTIAL};
use crate::admin::{Actor, Notifier};
use crate::settings::Settings;
use crate::store::postgres::{PgConfig, PgConnector};
use crate::store::redis::keys::Keys;
use crate::store::redis::{RedisConfig, RedisConnector};
use std::process::ExitCode;

/// The stores an admin command works on, connected on demand.
pub struct Stores {
    /// PostgreSQL (rules, hosts, teams, both audit logs).
    pub db: postgres::Client,
    /// Publishes change notices; also hands out Redis connections for dynamic configuration.
    pub notifier: Notifier,
    /// Who is making changes: `cli:<os user>`.
    pub actor: Actor,
}

impl Stores {
    /// Connect to PostgreSQL (Redis is only dialled when a change is announced or read).
    pub fn open(settings: &Settings) -> Result<Stores, CliError> {
        let pg = PgConnector::new(PgConfig::from_settings(settings, "mutt-cli"))?;
        Ok(Stores {
            db: pg.connect()?,
            notifier: notifier(settings),
            actor: Actor::cli(),
        })
    }
}

/// A notifier for these settings (also the way to a Redis connection).
pub fn notifier(settings: &Settings) -> Notifier {
    Notifier::new(
        RedisConnector::new(RedisConfig::from_settings(settings)),
        Keys::from_settings(settings),
    )
}

/// Exit code of a command that acted on several items: 0 when none failed, 1 when all failed, 3
/// (partial) otherwise.
pub fn batch_exit(succeeded: usize, failed: usize) -> ExitCode {
    match (succeeded, failed) {
        (_, 0) => ExitCode::SUCCESS,
        (0, _) => ExitCode::from(EXIT_FAILURE),
        _ => ExitCode::from(EXIT_PARTIAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_exit_codes_follow_the_contract() {
        assert_eq!(batch_exit(3, 0), ExitCode::SUCCESS);
        assert_eq!(batch_exit(0, 0), ExitCode::SUCCESS);
        assert_eq!(batch_exit(0, 2), ExitCode::from(1));
        assert_eq!(batch_exit(1, 2), ExitCode::from(3));
    }
}
