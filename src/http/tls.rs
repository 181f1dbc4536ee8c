//! Optional HTTPS for a listener: certificate and key from PEM files, reloaded on SIGHUP.
//!
//! The live certificate sits behind a lock in a [`ResolvesServerCert`], so a reload swaps it for
//! new handshakes while established sessions keep the one they were made with. The acceptor is
//! rebuilt on reload too: its fresh session cache stops clients from resuming a session made with
//! the old certificate, so every new connection really sees the new one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::settings::registry::Def;
use crate::settings::{ConfigError, Settings};

/// Where a listener's certificate chain and private key live, and the settings that named them.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// Setting that named `cert`, for error messages.
    pub cert_var: &'static str,
    /// Setting that named `key`, for error messages.
    pub key_var: &'static str,
}

impl TlsFiles {
    /// The pair named by `cert`/`key`: `None` when neither is set; setting only one is an error.
    pub fn from_settings(
        settings: &Settings,
        cert: &'static Def,
        key: &'static Def,
    ) -> Result<Option<TlsFiles>, ConfigError> {
        let get = |def: &Def| settings.opt_text(def).filter(|v| !v.trim().is_empty());
        match (get(cert), get(key)) {
            (None, None) => Ok(None),
            (Some(c), Some(k)) => Ok(Some(TlsFiles {
                cert: PathBuf::from(c),
                key: PathBuf::from(k),
                cert_var: cert.name,
                key_var: key.name,
            })),
            (Some(_), None) => Err(config_error(
                key.name,
                format!("required with {}", cert.name),
            )),
            (None, Some(_)) => Err(config_error(
                cert.name,
                format!("required with {}", key.name),
            )),
        }
    }

    /// Reads and checks both files: the chain parses, the key parses and belongs to the leaf.
    pub fn load(&self) -> Result<CertifiedKey, ConfigError> {
        crate::crypto::install_crypto_provider();
        let certs = read_certs(&self.cert, self.cert_var)?;
        let key = read_key(&self.key, self.key_var)?;
        let provider = rustls::crypto::ring::default_provider();
        CertifiedKey::from_der(certs, key, &provider).map_err(|e| {
            config_error(
                self.key_var,
                format!(
                    "{} does not fit the certificate in {}: {e}",
                    self.key.display(),
                    self.cert.display()
                ),
            )
        })
    }
}

fn config_error(variable: &str, problem: String) -> ConfigError {
    ConfigError {
        variable: variable.to_string(),
        problem,
    }
}

fn read_pem(path: &Path, var: &str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path)
        .map_err(|e| config_error(var, format!("cannot read {}: {}", path.display(), e.kind())))
}

fn read_certs(path: &Path, var: &str) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let pem = read_pem(path, var)?;
    let certs = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| config_error(var, format!("{} is not PEM", path.display())))?;
    if certs.is_empty() {
        return Err(config_error(
            var,
            format!("{} holds no certificate", path.display()),
        ));
    }
    Ok(certs)
}

fn read_key(path: &Path, var: &str) -> Result<PrivateKeyDer<'static>, ConfigError> {
    let pem = read_pem(path, var)?;
    match rustls_pemfile::private_key(&mut pem.as_slice()) {
        Ok(Some(key)) => Ok(key),
        Ok(None) => Err(config_error(
            var,
            format!("{} holds no private key", path.display()),
        )),
        Err(_) => Err(config_error(var, format!("{} is not PEM", path.display()))),
    }
}

/// The certificate handed to new handshakes; swapped whole on reload.
#[derive(Debug)]
struct SwappableCert(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for SwappableCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(
            &self.0.read().unwrap_or_else(PoisonError::into_inner),
        ))
    }
}

/// What a listener's handshakes offer beyond the certificate.
#[derive(Debug, Clone, Default)]
pub struct Handshake {
    /// ALPN protocols offered (HTTP listeners: `http/1.1`; syslog: none, RFC 5425 has no ALPN).
    pub alpn: Vec<Vec<u8>>,
    /// Clients must present a certificate signed by a CA in this PEM file, named by the setting.
    pub client_ca: Option<(PathBuf, &'static str)>,
}

impl Handshake {
    /// The HTTPS listeners' handshake: HTTP/1.1 only, no client certificate.
    pub fn http() -> Handshake {
        Handshake {
            alpn: vec![b"http/1.1".to_vec()],
            client_ca: None,
        }
    }
}

/// A listener's TLS state: the acceptor and what it needs to reload on SIGHUP.
pub struct ServerTls {
    files: TlsFiles,
    handshake: Handshake,
    cert: Arc<SwappableCert>,
    acceptor: RwLock<TlsAcceptor>,
    hup: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("files", &self.files)
            .finish()
    }
}

impl ServerTls {
    /// Loads the certificate (an error names the setting at fault) and arms reload on SIGHUP.
    pub fn new(files: TlsFiles) -> Result<ServerTls, ConfigError> {
        ServerTls::with_handshake(files, Handshake::http())
    }

    /// Like [`ServerTls::new`] with `handshake`'s protocols and client verification; the client
    /// CA file is re-read on reload too.
    pub fn with_handshake(files: TlsFiles, handshake: Handshake) -> Result<ServerTls, ConfigError> {
        let cert = Arc::new(SwappableCert(RwLock::new(Arc::new(files.load()?))));
        // Without a handler SIGHUP would kill the daemon; failing to register only loses reload.
        let hup = match crate::shutdown::sighup_flag() {
            Ok(flag) => Some(flag),
            Err(e) => {
                log::warn!("cannot watch SIGHUP, TLS certificate reload disabled: {e}");
                None
            }
        };
        Ok(ServerTls {
            acceptor: RwLock::new(acceptor(&cert, &handshake)?),
            files,
            handshake,
            cert,
            hup,
        })
    }

    /// Re-reads the files; on failure the current certificate stays in use.
    pub fn reload(&self) -> Result<(), ConfigError> {
        let fresh = Arc::new(self.files.load()?);
        // Check the client CA before swapping anything: a bad file keeps the old state whole.
        let verifier = client_verifier(&self.handshake)?;
        *self.cert.0.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        *self
            .acceptor
            .write()
            .unwrap_or_else(PoisonError::into_inner) =
            build_acceptor(&self.cert, &self.handshake, verifier);
        Ok(())
    }

    /// Reloads if SIGHUP arrived since the last call, logging the outcome.
    pub fn reload_if_signalled(&self) {
        let signalled = self
            .hup
            .as_ref()
            .is_some_and(|f| f.swap(false, Ordering::Relaxed));
        if !signalled {
            return;
        }
        match self.reload() {
            Ok(()) => log::info!(
                "SIGHUP: reloaded TLS certificate {} and key {}",
                self.files.cert.display(),
                self.files.key.display()
            ),
            Err(e) => log::error!("SIGHUP: TLS certificate not reloaded, keeping the old one: {e}"),
        }
    }

    /// The acceptor for new connections (cheap to clone).
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A server configuration (with its own, empty session cache) serving `cert`'s current key.
fn acceptor(cert: &Arc<SwappableCert>, handshake: &Handshake) -> Result<TlsAcceptor, ConfigError> {
    Ok(build_acceptor(cert, handshake, client_verifier(handshake)?))
}

/// The CA certificates in the PEM file at `path` (named by setting `var` in errors).
fn read_roots(path: &Path, var: &str) -> Result<rustls::RootCertStore, ConfigError> {
    crate::crypto::install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    for cert in read_certs(path, var)? {
        roots.add(cert).map_err(|e| {
            config_error(
                var,
                format!("bad CA certificate in {}: {e}", path.display()),
            )
        })?;
    }
    Ok(roots)
}

type Verifier = Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>;

/// The verifier of client certificates against the handshake's CA file, if it names one.
fn client_verifier(handshake: &Handshake) -> Result<Verifier, ConfigError> {
    let Some((path, var)) = &handshake.client_ca else {
        return Ok(None);
    };
    let roots = read_roots(path, var)?;
    let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
        .build()
        .map_err(|e| config_error(var, format!("unusable CA bundle {}: {e}", path.display())))?;
    Ok(Some(verifier))
}

fn build_acceptor(
    cert: &Arc<SwappableCert>,
    handshake: &Handshake,
    verifier: Verifier,
) -> TlsAcceptor {
    let builder = ServerConfig::builder();
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(Arc::clone(cert) as Arc<dyn ResolvesServerCert>);
    // HTTP listeners serve only HTTP/1.1; saying so stops clients from trying h2 over ALPN.
    config.alpn_protocols = handshake.alpn.clone();
    TlsAcceptor::from(Arc::new(config))
}

/// A client configuration trusting only the CA certificates in the PEM file at `path`.
///
/// For clients of a listener whose certificate comes from a private CA; `var` names the setting
/// in errors.
pub fn client_config_with_ca(
    path: &Path,
    var: &str,
) -> Result<Arc<rustls::ClientConfig>, ConfigError> {
    let roots = read_roots(path, var)?;
    Ok(Arc::new(
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

/// The TLS state for a listener configured by the `cert`/`key` settings, `None` for plain HTTP.
///
/// Either way SIGHUP no longer terminates the process, so `systemctl reload` is safe on a
/// listener without TLS too (it then reloads nothing).
pub fn listener_tls(
    settings: &Settings,
    cert: &'static Def,
    key: &'static Def,
) -> Result<Option<ServerTls>, ConfigError> {
    match TlsFiles::from_settings(settings, cert, key)? {
        Some(files) => ServerTls::new(files).map(Some),
        None => {
            if let Err(e) = crate::shutdown::sighup_flag() {
                log::debug!("cannot watch SIGHUP: {e}");
            }
            Ok(None)
        }
    }
}
