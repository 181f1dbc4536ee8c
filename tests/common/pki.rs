//! Test certificates: a CA made with rcgen and the server and client certificates it signs.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair,
};
use std::path::Path;

/// A CA that signs certificates for the tests.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    /// A self-signed CA with common name `name`.
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    /// Writes the CA certificate to `path`.
    pub fn write(&self, path: &Path) {
        std::fs::write(path, self.issuer.pem()).unwrap();
    }

    /// A certificate with common name `cn` for `names`, limited to `usage` when given, and its
    /// key, written to `cert` and `key`.
    pub fn issue_for(
        &self,
        cn: &str,
        names: &[&str],
        usage: Option<ExtendedKeyUsagePurpose>,
        cert: &Path,
        key: &Path,
    ) {
        let pair = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.extended_key_usages = usage.into_iter().collect();
        let signed = params.signed_by(&pair, &self.issuer).unwrap();
        std::fs::write(cert, signed.pem()).unwrap();
        std::fs::write(key, pair.serialize_pem()).unwrap();
    }

    /// A server certificate (CN `cn`) for 127.0.0.1 and localhost, and its key.
    pub fn issue(&self, cn: &str, cert: &Path, key: &Path) {
        self.issue_for(cn, &["127.0.0.1", "localhost"], None, cert, key);
    }
}
