//! API keys: several may be valid at once (CURRENT and NEXT during a rotation), compared in
//! constant time by their SHA-256 digests, re-read from their file periodically.

use crate::settings::secrets::SecretSource;
use sha2::{Digest, Sha256};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// SHA-256 of a key.
pub type KeyDigest = [u8; 32];

/// Digest of a key (also names a client in Redis without storing the key).
pub fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.as_bytes()).into()
}

/// Split a configured value into keys: comma- or newline-separated, blanks dropped.
pub fn split_keys(value: &str) -> Vec<String> {
    value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

/// The valid keys of one service.
#[derive(Debug)]
pub struct ApiKeys {
    source: SecretSource,
    refresh: Duration,
    // Read on every request by every handler thread: a read lock and an Arc clone, no copying.
    cache: RwLock<(Option<Instant>, Arc<Vec<KeyDigest>>)>,
}

impl ApiKeys {
    /// Keys from `source`, re-read at most every `refresh`.
    pub fn new(source: SecretSource, refresh: Duration) -> ApiKeys {
        ApiKeys {
            source,
            refresh,
            cache: RwLock::new((None, Arc::new(Vec::new()))),
        }
    }

    /// Whether any key is configured right now.
    pub fn any(&self) -> bool {
        !self.current().is_empty()
    }

    fn current(&self) -> Arc<Vec<KeyDigest>> {
        if let Ok(cache) = self.cache.read() {
            if cache.0.is_some_and(|at| at.elapsed() < self.refresh) {
                return Arc::clone(&cache.1);
            }
        }
        let keys = self
            .source
            .get()
            .map(|v| split_keys(&v))
            .unwrap_or_default();
        let fresh = Arc::new(keys.iter().map(|k| digest(k)).collect::<Vec<_>>());
        if let Ok(mut cache) = self.cache.write() {
            *cache = (Some(Instant::now()), Arc::clone(&fresh));
        }
        fresh
    }

    /// The digest of `presented` if it matches a valid key. Every valid key is compared, in
    /// constant time, so timing says nothing about which or how much matched. Any byte string
    /// (including non-ASCII) is just a key that matches or not.
    pub fn check(&self, presented: Option<&str>) -> Option<KeyDigest> {
        let presented = presented.filter(|p| !p.is_empty())?;
        let wanted = digest(presented);
        let mut matched = subtle::Choice::from(0u8);
        for key in self.current().iter() {
            matched |= key.ct_eq(&wanted);
        }
        if !bool::from(matched) {
            // Perhaps a key rotated in moments ago: have Vault re-read soon (rate-limited there).
            self.source.request_refresh();
            return None;
        }
        Some(wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_keys_match_and_others_do_not() {
        let keys = ApiKeys::new(
            SecretSource::Value("cur-key, next-key".into()),
            Duration::ZERO,
        );
        assert!(keys.check(Some("cur-key")).is_some());
        assert!(keys.check(Some("next-key")).is_some());
        for wrong in [
            None,
            Some(""),
            Some("cur"),
            Some("cur-key "),
            Some("clé-ü"),
            Some("cur-key,next-key"),
        ] {
            assert!(keys.check(wrong).is_none(), "{wrong:?}");
        }
        assert_eq!(keys.check(Some("cur-key")), Some(digest("cur-key")));
    }

    #[test]
    fn file_keys_are_reread_after_the_refresh_interval() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        std::fs::write(&file, "old\n").unwrap();
        let keys = ApiKeys::new(SecretSource::File(file.clone()), Duration::ZERO);
        assert!(keys.check(Some("old")).is_some());
        std::fs::write(&file, "new\n").unwrap();
        assert!(keys.check(Some("old")).is_none());
        assert!(keys.check(Some("new")).is_some());
        let none = ApiKeys::new(SecretSource::Unset, Duration::ZERO);
        assert!(!none.any());
        assert!(none.check(Some("anything")).is_none());
    }
}
