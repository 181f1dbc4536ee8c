//! Who may use the web UI and REST API: named API keys with a scope, compared in constant time,
//! re-read from their source periodically (so a rotated key file needs no restart); login
//! sessions for the HTML pages; and a per-address limit on failed logins.
//!
//! Keys come from `WEBUI_API_KEYS` (`name:scope:key` entries, comma- or newline-separated) and
//! v2.5's single `WEBUI_API_KEY` (name `default`, scope `admin`). `changed_by` in audit rows
//! is `webui_api:<name>`, never any part of the key.

use crate::apikeys::{digest, split_keys, KeyDigest};
use crate::settings::secrets::SecretSource;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// GET endpoints and pages only.
    Read,
    /// Everything, writes included.
    Admin,
}

impl Scope {
    fn parse(text: &str) -> Option<Scope> {
        match text.trim().to_ascii_lowercase().as_str() {
            "read" => Some(Scope::Read),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's name (audit rows say `webui_api:<name>`).
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// Digest of the key used (a session dies when its key is removed).
    pub key: KeyDigest,
}

/// The name of v2.5's single key.
pub const LEGACY_KEY_NAME: &str = "default";

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    scope: Scope,
    digest: KeyDigest,
}

/// Parse `WEBUI_API_KEYS`. Errors name the entry by position, never by content.
pub fn parse_key_list(text: &str) -> Result<Vec<(String, Scope, String)>, String> {
    split_keys(text)
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let mut parts = entry.splitn(3, ':');
            let (Some(name), Some(scope), Some(key)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("entry {} is not name:scope:key", i + 1));
            };
            let name = name.trim();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b))
            {
                return Err(format!(
                    "entry {}: the name must be letters, digits, '-', '_', '.', '@'",
                    i + 1
                ));
            }
            let scope = Scope::parse(scope)
                .ok_or_else(|| format!("entry {}: scope must be read or admin", i + 1))?;
            if key.trim().is_empty() {
                return Err(format!("entry {}: the key is empty", i + 1));
            }
            Ok((name.to_string(), scope, key.trim().to_string()))
        })
        .collect()
}

/// The valid keys of the web UI.
#[derive(Debug)]
pub struct WebKeys {
    named: SecretSource,
    legacy: SecretSource,
    refresh: Duration,
    cache: RwLock<(Option<Instant>, Arc<Vec<Entry>>)>,
}

impl WebKeys {
    /// Keys from `WEBUI_API_KEYS` (`named`) and `WEBUI_API_KEY` (`legacy`), re-read every
    /// `refresh`. A malformed list is an error naming the variable.
    pub fn new(
        named: SecretSource,
        legacy: SecretSource,
        refresh: Duration,
    ) -> Result<WebKeys, String> {
        let keys = WebKeys {
            named,
            legacy,
            refresh,
            cache: RwLock::new((None, Arc::new(Vec::new()))),
        };
        keys.load()?;
        Ok(keys)
    }

    fn load(&self) -> Result<Arc<Vec<Entry>>, String> {
        let mut entries = Vec::new();
        if let Some(text) = self.named.get() {
            for (name, scope, key) in
                parse_key_list(&text).map_err(|e| format!("WEBUI_API_KEYS: {e}"))?
            {
                entries.push(Entry {
                    name,
                    scope,
                    digest: digest(&key),
                });
            }
        }
        if let Some(text) = self.legacy.get() {
            for key in split_keys(&text) {
                entries.push(Entry {
                    name: LEGACY_KEY_NAME.into(),
                    scope: Scope::Admin,
                    digest: digest(&key),
                });
            }
        }
        let fresh = Arc::new(entries);
        if let Ok(mut cache) = self.cache.write() {
            *cache = (Some(Instant::now()), Arc::clone(&fresh));
        }
        Ok(fresh)
    }

    fn current(&self) -> Arc<Vec<Entry>> {
        if let Ok(cache) = self.cache.read() {
            if cache.0.is_some_and(|at| at.elapsed() < self.refresh) {
                return Arc::clone(&cache.1);
            }
        }
        match self.load() {
            Ok(fresh) => fresh,
            Err(e) => {
                // Keep the last good keys rather than locking everybody out over a typo.
                log::error!("{e}; keeping the previous keys");
                self.cache
                    .read()
                    .map(|c| Arc::clone(&c.1))
                    .unwrap_or_default()
            }
        }
    }

    /// Whether any key is configured.
    pub fn any(&self) -> bool {
        !self.current().is_empty()
    }

    /// The caller a presented key identifies. Every key is compared in constant time.
    pub fn check(&self, presented: Option<&str>) -> Option<Principal> {
        let presented = presented.filter(|p| !p.is_empty())?;
        let wanted = digest(presented);
        let mut found = None;
        for e in self.current().iter() {
            if bool::from(e.digest.ct_eq(&wanted)) && found.is_none() {
                found = Some(Principal {
                    name: e.name.clone(),
                    scope: e.scope,
                    key: e.digest,
                });
            }
        }
        if found.is_none() {
            // Perhaps a key rotated in moments ago: have Vault re-read soon (rate-limited there).
            self.named.request_refresh();
            self.legacy.request_refresh();
        }
        found
    }

    /// Whether the key with this digest is still valid (sessions check it on every use).
    pub fn still_valid(&self, key: &KeyDigest) -> Option<(String, Scope)> {
        self.current()
            .iter()
            .find(|e| bool::from(e.digest.ct_eq(key)))
            .map(|e| (e.name.clone(), e.scope))
    }
}

/// A login session of the HTML pages.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who logged in.
    pub principal: Principal,
    /// Token the pages send in `X-CSRF-Token` with every write.
    pub csrf_token: String,
    expires: Instant,
}

/// Login sessions, kept in memory (a restart logs everybody out; several web instances behind
/// one address need sticky sessions).
#[derive(Debug)]
pub struct Sessions {
    ttl: Duration,
    by_digest: Mutex<HashMap<KeyDigest, Session>>,
}

fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Sessions {
    /// Sessions that live `ttl`.
    pub fn new(ttl: Duration) -> Sessions {
        Sessions {
            ttl,
            by_digest: Mutex::new(HashMap::new()),
        }
    }

    /// Start a session; returns the cookie value. Only its digest is kept, so a memory dump
    /// holds no usable session id.
    pub fn create(&self, principal: Principal) -> String {
        let id = random_token();
        let session = Session {
            principal,
            csrf_token: random_token(),
            expires: Instant::now() + self.ttl,
        };
        if let Ok(mut map) = self.by_digest.lock() {
            let now = Instant::now();
            map.retain(|_, s| s.expires > now);
            map.insert(digest(&id), session);
        }
        id
    }

    /// The live session of a cookie value, if any, with its key still valid.
    pub fn lookup(&self, id: &str, keys: &WebKeys) -> Option<Session> {
        let d = digest(id);
        let mut map = self.by_digest.lock().ok()?;
        let session = map.get(&d)?.clone();
        if session.expires <= Instant::now() {
            map.remove(&d);
            return None;
        }
        drop(map);
        let (name, scope) = keys.still_valid(&session.principal.key)?;
        Some(Session {
            principal: Principal {
                name,
                scope,
                key: session.principal.key,
            },
            ..session
        })
    }

    /// End the session of a cookie value.
    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.by_digest.lock() {
            map.remove(&digest(id));
        }
    }

    /// How long a session lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }
}

/// Failed logins per client address in the current minute.
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl LoginLimiter {
    /// Allow `max_failures` failed logins per address per `window`.
    pub fn new(max_failures: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `addr` may try now.
    pub fn allowed(&self, addr: Option<IpAddr>) -> bool {
        let Some(addr) = addr else { return true };
        let Ok(mut map) = self.failures.lock() else {
            return true;
        };
        match map.get(&addr) {
            Some((since, _)) if since.elapsed() >= self.window => {
                map.remove(&addr);
                true
            }
            Some((_, n)) => *n < self.max_failures,
            None => true,
        }
    }

    /// Count a failed attempt of `addr`.
    pub fn failed(&self, addr: Option<IpAddr>) {
        let Some(addr) = addr else { return };
        if let Ok(mut map) = self.failures.lock() {
            let now = Instant::now();
            map.retain(|_, (since, _)| now.duration_since(*since) < self.window);
            map.entry(addr).or_insert((now, 0)).1 += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(named: &str, legacy: Option<&str>) -> WebKeys {
        WebKeys::new(
            SecretSource::Value(named.into()),
            legacy.map_or(SecretSource::Unset, |l| SecretSource::Value(l.into())),
            Duration::from_secs(60),
        )
        .unwrap()
    }

    #[test]
    fn named_keys_carry_their_scope_and_the_legacy_key_is_admin() {
        let k = keys("ops:read:r-key, boss:admin:a:key:with:colons", Some("old"));
        let r = k.check(Some("r-key")).unwrap();
        assert_eq!((r.name.as_str(), r.scope), ("ops", Scope::Read));
        let a = k.check(Some("a:key:with:colons")).unwrap();
        assert_eq!((a.name.as_str(), a.scope), ("boss", Scope::Admin));
        let l = k.check(Some("old")).unwrap();
        assert_eq!((l.name.as_str(), l.scope), (LEGACY_KEY_NAME, Scope::Admin));
        for wrong in [None, Some(""), Some("ops"), Some("r-key "), Some("ünï")] {
            assert!(k.check(wrong).is_none(), "{wrong:?}");
        }
    }

    #[test]
    fn malformed_lists_are_refused_without_echoing_keys() {
        for bad in [
            "justakey",
            "n:owner:k",
            ":admin:k",
            "n:admin:",
            "bad name:read:k",
        ] {
            let e = WebKeys::new(
                SecretSource::Value(bad.into()),
                SecretSource::Unset,
                Duration::ZERO,
            )
            .unwrap_err();
            assert!(e.starts_with("WEBUI_API_KEYS: entry 1"), "{e}");
            assert!(!e.contains("justakey"));
        }
    }

    #[test]
    fn sessions_expire_and_die_with_their_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        std::fs::write(&file, "ui:admin:k1").unwrap();
        let k = WebKeys::new(
            SecretSource::File(file.clone()),
            SecretSource::Unset,
            Duration::ZERO,
        )
        .unwrap();
        let s = Sessions::new(Duration::from_secs(60));
        let id = s.create(k.check(Some("k1")).unwrap());
        let found = s.lookup(&id, &k).unwrap();
        assert_eq!(found.principal.name, "ui");
        assert_eq!(found.csrf_token.len(), 64);
        assert!(s.lookup("forged", &k).is_none());
        std::fs::write(&file, "ui:admin:k2").unwrap();
        assert!(s.lookup(&id, &k).is_none(), "removed key keeps its session");
        let short = Sessions::new(Duration::ZERO);
        let id = short.create(k.check(Some("k2")).unwrap());
        assert!(short.lookup(&id, &k).is_none());
    }

    #[test]
    fn failed_logins_are_limited_per_address() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        l.failed(a);
        assert!(l.allowed(a));
        l.failed(a);
        assert!(!l.allowed(a));
        assert!(l.allowed(b));
    }
}
