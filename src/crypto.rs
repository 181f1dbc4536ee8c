//! rustls's process-wide crypto provider, chosen once for every TLS client and listener.

/// Select ring as rustls' process-wide crypto provider (once). Several dependencies pull rustls
/// in; naming the provider explicitly avoids rustls refusing to choose between two.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
