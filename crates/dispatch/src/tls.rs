//! The one TLS client configuration of the crate: rustls on ring (chosen explicitly, so that
//! another crate in the same binary turning on aws-lc-rs cannot make rustls's default ambiguous),
//! TLS 1.2 and 1.3, the operating system's root certificates plus any an operator adds.
//!
//! Must not: disable certificate verification, or load anything but root certificates.

use std::sync::Arc;

/// Why no TLS configuration could be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// No trusted root certificate: the system has none and none were given.
    #[error(
        "no trusted root certificate: install the system's CA certificates or give extra roots"
    )]
    NoRootCertificates,
    /// An extra root certificate was not a valid certificate.
    #[error("extra root certificate {index} is not a valid DER certificate")]
    BadRootCertificate {
        /// Its position in the list given.
        index: usize,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A client configuration trusting the system's roots and `extra_roots` (DER certificates).
pub(crate) fn client_config(extra_roots: &[Vec<u8>]) -> Result<rustls::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    // Certificates the system store holds but rustls cannot parse are skipped, as curl does.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    for (index, der) in extra_roots.iter().enumerate() {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|_| TlsError::BadRootCertificate { index })?;
    }
    if roots.is_empty() {
        return Err(TlsError::NoRootCertificates);
    }
    // rustls 0.23.48 deprecates ring's provider because only aws-lc-rs offers the post-quantum
    // hybrid key exchange (X25519MLKEM768). ring is kept on purpose: async-nats already links it
    // for the broker, it builds in seconds with no CMake, and classical ECDHE is what webhook
    // receivers negotiate today. Moving to aws-lc-rs is this line and the `ring` features in
    // the workspace manifest.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_that_is_not_a_certificate_is_named_by_its_position() {
        let err = client_config(&[b"not a certificate".to_vec()]).unwrap_err();
        assert!(
            matches!(err, TlsError::BadRootCertificate { index: 0 }),
            "{err:?}"
        );
    }
}
