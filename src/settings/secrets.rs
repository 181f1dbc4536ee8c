//! Secrets: from the environment or from `<NAME>_FILE`, re-read on every use.
//!
//! A file-backed secret is read again each time a connection is made, so an operator (or an
//! orchestrator mounting Kubernetes secrets) can rotate it without restarting mutt. A secret's
//! value is never formatted by `Debug` or `Display`.

use super::vault::VaultStore;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Where one secret comes from.
#[derive(Clone, PartialEq)]
pub enum SecretSource {
    /// Not configured.
    Unset,
    /// Given directly in an environment variable (or a connection URL).
    Value(String),
    /// Read from this file on every use; surrounding whitespace is trimmed.
    File(PathBuf),
    /// A field of mutt's Vault secret (the first present of `fields`: the setting's name, then
    /// its legacy names), served from the cache the Vault refresher keeps fresh.
    Vault {
        /// The shared Vault view.
        store: Arc<VaultStore>,
        /// KV field names, in order of preference.
        fields: Vec<&'static str>,
    },
}

impl SecretSource {
    /// The current value, reading the file again if the secret is file-backed.
    ///
    /// An unreadable or empty file counts as "not set" (and is logged), so a half-written rotation
    /// falls back to the other password instead of failing hard.
    pub fn get(&self) -> Option<String> {
        match self {
            SecretSource::Unset => None,
            SecretSource::Value(v) if v.is_empty() => None,
            SecretSource::Value(v) => Some(v.clone()),
            SecretSource::File(path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    let trimmed = text.trim();
                    (!trimmed.is_empty()).then(|| trimmed.to_string())
                }
                Err(err) => {
                    log::warn!("cannot read secret file {}: {}", path.display(), err.kind());
                    None
                }
            },
            // The cache only: no network on the hot path.
            SecretSource::Vault { store, fields } => store.get(fields),
        }
    }

    /// Re-read the secret's source now if it is remote (Vault), blocking for at most one round
    /// trip; returns whether there was anything to refresh. Used after an authentication failure.
    pub fn refresh_now(&self) -> bool {
        match self {
            SecretSource::Vault { store, .. } => {
                store.refresh_now();
                true
            }
            _ => false,
        }
    }

    /// Ask for a re-read of a remote source soon, without waiting (rate-limited; used when a
    /// client presents an unknown API key, which may be a key rotated in moments ago).
    pub fn request_refresh(&self) {
        if let SecretSource::Vault { store, .. } = self {
            store.request_refresh();
        }
    }

    /// Whether anything is configured (the file may still be empty).
    pub fn is_configured(&self) -> bool {
        !matches!(self, SecretSource::Unset)
    }

    /// A masked description for `mutt config show`.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Unset => String::new(),
            SecretSource::Value(_) => "********".to_string(),
            SecretSource::File(path) => format!("******** (file {})", path.display()),
            SecretSource::Vault { store, fields } if store.has(fields) => {
                format!("******** (vault {})", store.config().location())
            }
            SecretSource::Vault { store, .. } => {
                format!("(not in vault {})", store.config().location())
            }
        }
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Which of a CURRENT/NEXT pair a connection authenticated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The `_CURRENT` secret.
    Current,
    /// The `_NEXT` secret.
    Next,
}

impl Slot {
    /// The other slot.
    pub fn other(self) -> Slot {
        match self {
            Slot::Current => Slot::Next,
            Slot::Next => Slot::Current,
        }
    }
}

/// What [`PasswordPair::try_each`] came to.
#[derive(Debug)]
pub enum Attempt<T, E> {
    /// Connected (with a password, or without when none is configured).
    Accepted(T),
    /// A failure other than a refused password, with the settings refused before it.
    Failed(E, Vec<&'static str>),
    /// Every password was refused: the settings tried, in order.
    Refused(Vec<&'static str>),
}

/// A rotating password: CURRENT and NEXT, tried in turn on an authentication error.
#[derive(Debug, Clone)]
pub struct PasswordPair {
    /// Setting name of CURRENT, for error messages.
    pub current_name: &'static str,
    /// Setting name of NEXT.
    pub next_name: &'static str,
    /// The CURRENT secret.
    pub current: SecretSource,
    /// The NEXT secret.
    pub next: SecretSource,
}

impl PasswordPair {
    /// Candidate passwords in the order to try them, starting with `preferred`.
    ///
    /// Read fresh on every call. Duplicates are dropped. An empty list means "connect without a
    /// password".
    pub fn candidates(&self, preferred: Slot) -> Vec<(Slot, String)> {
        let mut out: Vec<(Slot, String)> = Vec::with_capacity(2);
        for slot in [preferred, preferred.other()] {
            let source = match slot {
                Slot::Current => &self.current,
                Slot::Next => &self.next,
            };
            if let Some(value) = source.get() {
                if !out.iter().any(|(_, v)| *v == value) {
                    out.push((slot, value));
                }
            }
        }
        out
    }

    /// Connect with the passwords in order of preference; when `connect` fails with an
    /// authentication error (`is_auth`) for every one, re-read them (they may have been rotated in
    /// Vault since the last read) and try once more if they changed.
    pub fn connect_or_refresh<T, E>(
        &self,
        preferred: impl Fn() -> Slot,
        is_auth: impl Fn(&E) -> bool,
        mut connect: impl FnMut(&[(Slot, String)]) -> Result<T, E>,
    ) -> Result<T, E> {
        let candidates = self.candidates(preferred());
        match connect(&candidates) {
            Err(e) if is_auth(&e) && self.refresh_now() => {
                let fresh = self.candidates(preferred());
                if fresh == candidates {
                    return Err(e);
                }
                connect(&fresh)
            }
            other => other,
        }
    }

    /// Try `candidates` in order with `connect`, moving on only when a password is refused
    /// (`is_auth`); with no candidates, connect without a password. The slot that worked is
    /// remembered in `prefer_next` (and a switch logged), so the next connect starts with it.
    pub fn try_each<T, E>(
        &self,
        store: &str,
        candidates: &[(Slot, String)],
        prefer_next: &AtomicBool,
        is_auth: impl Fn(&E) -> bool,
        mut connect: impl FnMut(Option<&str>) -> Result<T, E>,
    ) -> Attempt<T, E> {
        if candidates.is_empty() {
            return match connect(None) {
                Ok(c) => Attempt::Accepted(c),
                Err(e) => Attempt::Failed(e, Vec::new()),
            };
        }
        let active = if prefer_next.load(Ordering::Relaxed) {
            Slot::Next
        } else {
            Slot::Current
        };
        let mut refused = Vec::new();
        for (slot, password) in candidates {
            match connect(Some(password)) {
                Ok(c) => {
                    if *slot != active {
                        log::warn!(
                            "{store} accepted {} after {} was refused; using it from now on",
                            self.name(*slot),
                            self.name(slot.other())
                        );
                    }
                    prefer_next.store(*slot == Slot::Next, Ordering::Relaxed);
                    return Attempt::Accepted(c);
                }
                Err(e) if is_auth(&e) => refused.push(self.name(*slot)),
                Err(e) => return Attempt::Failed(e, refused),
            }
        }
        Attempt::Refused(refused)
    }

    /// After every password was refused: re-read them from Vault (once, even when both come from
    /// the same store). Returns whether a re-read happened, so the caller may try again.
    pub fn refresh_now(&self) -> bool {
        match (&self.current, &self.next) {
            (SecretSource::Vault { store: a, .. }, SecretSource::Vault { store: b, .. })
                if Arc::ptr_eq(a, b) =>
            {
                self.current.refresh_now()
            }
            _ => {
                let c = self.current.refresh_now();
                let n = self.next.refresh_now();
                c || n
            }
        }
    }

    /// The setting name of a slot, for messages.
    pub fn name(&self, slot: Slot) -> &'static str {
        match slot {
            Slot::Current => self.current_name,
            Slot::Next => self.next_name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(current: SecretSource, next: SecretSource) -> PasswordPair {
        PasswordPair {
            current_name: "X_CURRENT",
            next_name: "X_NEXT",
            current,
            next,
        }
    }

    #[test]
    fn candidates_follow_preference_and_skip_duplicates_and_blanks() {
        let p = pair(
            SecretSource::Value("a".into()),
            SecretSource::Value("b".into()),
        );
        assert_eq!(
            p.candidates(Slot::Current),
            vec![(Slot::Current, "a".into()), (Slot::Next, "b".into())]
        );
        assert_eq!(
            p.candidates(Slot::Next),
            vec![(Slot::Next, "b".into()), (Slot::Current, "a".into())]
        );
        let same = pair(
            SecretSource::Value("a".into()),
            SecretSource::Value("a".into()),
        );
        assert_eq!(
            same.candidates(Slot::Current),
            vec![(Slot::Current, "a".into())]
        );
        let blank = pair(SecretSource::Value(String::new()), SecretSource::Unset);
        assert!(blank.candidates(Slot::Current).is_empty());
    }

    #[test]
    fn file_secret_is_reread_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "first\n").unwrap();
        let s = SecretSource::File(path.clone());
        assert_eq!(s.get().as_deref(), Some("first"));
        std::fs::write(&path, "  second  \n").unwrap();
        assert_eq!(s.get().as_deref(), Some("second"));
        std::fs::write(&path, "\n").unwrap();
        assert_eq!(s.get(), None);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(s.get(), None);
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = SecretSource::Value("hunter2".into());
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
