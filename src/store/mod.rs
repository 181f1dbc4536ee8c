//! The two stores mutt coordinates through: Redis (queues, counters, dynamic config) and
//! PostgreSQL (rules, hosts, teams, audit logs).

pub mod postgres;
pub mod redis;

/// Select ring as rustls' process-wide crypto provider (once). Several dependencies pull rustls
/// in; naming the provider explicitly avoids rustls refusing to choose between two.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
