//! Dynamic configuration: Redis string keys `mutt:config:<key>`, changes announced by a PUBLISH of
//! the bare key on `mutt:config:updates` (v2.5's protocol).
//!
//! A reader keeps the keys its daemon uses in memory: a background thread re-reads them all every
//! refresh interval and after every reconnect, and re-reads one key at once when its change is
//! announced. Lookups never touch Redis, so hot paths can consult them per request.

use crate::backoff::Backoff;
use crate::shutdown::Shutdown;
use crate::store::redis::keys::Keys;
use crate::store::redis::RedisConnector;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Live values of a daemon's dynamic keys.
#[derive(Debug, Default)]
pub struct DynamicConfig {
    values: RwLock<HashMap<String, String>>,
}

impl DynamicConfig {
    /// A reader that never sees a value (dynamic config disabled).
    pub fn disabled() -> Arc<DynamicConfig> {
        Arc::new(DynamicConfig::default())
    }

    /// Start following `watched` keys; the thread stops with `shutdown`.
    pub fn start(
        connector: Arc<RedisConnector>,
        keys: Keys,
        watched: &[&'static str],
        refresh: Duration,
        shutdown: Shutdown,
    ) -> Arc<DynamicConfig> {
        Self::start_with_listener(
            connector,
            keys,
            watched,
            refresh,
            shutdown,
            Box::new(|_| {}),
        )
    }

    /// Like [`DynamicConfig::start`], and also call `on_notice` with every payload published on
    /// the updates channel (the alerter reloads its rule cache on `alert_rules` and friends).
    pub fn start_with_listener(
        connector: Arc<RedisConnector>,
        keys: Keys,
        watched: &[&'static str],
        refresh: Duration,
        shutdown: Shutdown,
        on_notice: Box<dyn Fn(&str) + Send>,
    ) -> Arc<DynamicConfig> {
        let config = Arc::new(DynamicConfig::default());
        let this = Arc::clone(&config);
        let watched: Vec<&'static str> = watched.to_vec();
        let spawned = std::thread::Builder::new()
            .name("dynamic-config".into())
            .spawn(move || {
                follow(
                    &this,
                    &connector,
                    &keys,
                    &watched,
                    refresh,
                    &shutdown,
                    &*on_notice,
                )
            });
        if let Err(e) = spawned {
            log::error!("cannot start the dynamic-config reader: {e}; using static settings");
        }
        config
    }

    /// The current value of `key`, if Redis holds one.
    pub fn get(&self, key: &str) -> Option<String> {
        self.values.read().ok()?.get(key).cloned()
    }

    /// The live value of `key` when it is an integer the setting `def` would accept (same range),
    /// else the setting's own value: a bad dynamic value can never switch a safeguard off.
    pub fn int_or(
        &self,
        key: &str,
        settings: &crate::settings::Settings,
        def: &crate::settings::registry::Def,
    ) -> i64 {
        let (min, max) = match def.kind {
            crate::settings::registry::Kind::Int { min, max } => (min, max),
            _ => (0, i64::MAX),
        };
        match self.get(key).and_then(|v| v.trim().parse::<i64>().ok()) {
            Some(v) if (min..=max).contains(&v) => v,
            Some(_) => {
                log::warn!(
                    "dynamic config {key} is outside {min}..={max}; using {}",
                    def.name
                );
                settings.int(def)
            }
            None => settings.int(def),
        }
    }

    fn set_all(&self, fresh: HashMap<String, String>) {
        if let Ok(mut v) = self.values.write() {
            *v = fresh;
        }
    }

    fn set_one(&self, key: &str, value: Option<String>) {
        if let Ok(mut v) = self.values.write() {
            match value {
                Some(val) => v.insert(key.to_string(), val),
                None => v.remove(key),
            };
        }
    }
}

/// A daemon's tunables: every read gives the live dynamic value when it is set and valid, else
/// the static setting, so a loop can consult them per batch without touching Redis.
#[derive(Clone)]
pub struct Tunables {
    settings: crate::settings::Settings,
    dynamic: Arc<DynamicConfig>,
}

impl Tunables {
    /// Tunables over `settings`, overridden by `dynamic`.
    pub fn new(settings: crate::settings::Settings, dynamic: Arc<DynamicConfig>) -> Tunables {
        Tunables { settings, dynamic }
    }

    /// An integer tunable in the range of its setting `def`.
    pub fn int(&self, key: &str, def: &crate::settings::registry::Def) -> i64 {
        self.dynamic.int_or(key, &self.settings, def)
    }

    /// A count, size or interval: never negative.
    pub fn count(&self, key: &str, def: &crate::settings::registry::Def) -> u64 {
        self.int(key, def).max(0) as u64
    }

    /// A text tunable that must be one of `allowed` (compared lower-cased), else the setting.
    pub fn one_of(
        &self,
        key: &str,
        def: &crate::settings::registry::Def,
        allowed: &[&str],
    ) -> String {
        match self.dynamic.get(key).map(|m| m.trim().to_ascii_lowercase()) {
            Some(m) if allowed.contains(&m.as_str()) => m,
            _ => self.settings.text(def).to_string(),
        }
    }
}

fn read_all(
    conn: &mut ::redis::Connection,
    keys: &Keys,
    watched: &[&'static str],
) -> ::redis::RedisResult<HashMap<String, String>> {
    if watched.is_empty() {
        return Ok(HashMap::new());
    }
    let names: Vec<String> = watched.iter().map(|k| keys.config(k)).collect();
    let values: Vec<Option<String>> = ::redis::cmd("MGET").arg(&names).query(conn)?;
    Ok(watched
        .iter()
        .zip(values)
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect())
}

fn follow(
    config: &DynamicConfig,
    connector: &RedisConnector,
    keys: &Keys,
    watched: &[&'static str],
    refresh: Duration,
    shutdown: &Shutdown,
    on_notice: &dyn Fn(&str),
) {
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
    while !shutdown.is_requested() {
        match follow_once(
            config, connector, keys, watched, refresh, shutdown, on_notice,
        ) {
            Ok(()) => return,
            // Stopping: the subscription blocks in a read until Redis goes away, and when the
            // process stops its own Redis (`mutt up`) that is how the read ends; not a fault.
            Err(_) if shutdown.is_requested() => return,
            Err(e) => {
                let delay = backoff.next_delay();
                log::warn!(
                    "dynamic config: {e}; keeping last values, retrying in {} ms",
                    delay.as_millis()
                );
                if shutdown.wait_timeout(delay) {
                    return;
                }
            }
        }
    }
}

fn follow_once(
    config: &DynamicConfig,
    connector: &RedisConnector,
    keys: &Keys,
    watched: &[&'static str],
    refresh: Duration,
    shutdown: &Shutdown,
    on_notice: &dyn Fn(&str),
) -> Result<(), crate::store::redis::RedisError> {
    let mut reader = connector.connect()?;
    let mut listener = connector.connect()?;
    let mut pubsub = listener.as_pubsub();
    pubsub.subscribe(keys.config_updates_channel())?;
    // Values may have changed while we were not listening: resync after every (re)connect, and
    // tell the listener, which may have missed notices too.
    config.set_all(read_all(&mut reader, keys, watched)?);
    on_notice("");
    pubsub.set_read_timeout(Some(refresh))?;
    let mut last_full = std::time::Instant::now();
    while !shutdown.is_requested() {
        match pubsub.get_message() {
            Ok(msg) => {
                let key: String = msg.get_payload().unwrap_or_default();
                on_notice(&key);
                if let Some(k) = watched.iter().find(|w| **w == key) {
                    let value: Option<String> =
                        ::redis::cmd("GET").arg(keys.config(k)).query(&mut reader)?;
                    log::info!("dynamic config {k} changed");
                    config.set_one(k, value);
                }
            }
            Err(e) if e.is_timeout() => {}
            Err(e) => return Err(e.into()),
        }
        if last_full.elapsed() >= refresh {
            config.set_all(read_all(&mut reader, keys, watched)?);
            last_full = std::time::Instant::now();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{registry, Settings};

    #[test]
    fn live_values_apply_only_within_the_settings_range() {
        let settings = Settings::load(&[], &Default::default()).unwrap();
        let d = DynamicConfig::default();
        let def = &registry::MAX_INGEST_QUEUE_SIZE;
        assert_eq!(d.int_or("max_ingest_queue_size", &settings, def), 1_000_000);
        for (live, want) in [
            ("5", 5),
            (" 42 ", 42),
            ("0", 1_000_000),
            ("-3", 1_000_000),
            ("lots", 1_000_000),
        ] {
            d.set_one("max_ingest_queue_size", Some(live.to_string()));
            assert_eq!(
                d.int_or("max_ingest_queue_size", &settings, def),
                want,
                "{live:?}"
            );
        }
        d.set_one("max_ingest_queue_size", None);
        assert_eq!(d.int_or("max_ingest_queue_size", &settings, def), 1_000_000);
    }
}
