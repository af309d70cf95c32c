//! rustls client configurations for a pinned gateway certificate and for skipped verification.
//!
//! Both replace only the certificate check. The handshake signatures are still
//! verified with the crypto provider's algorithms, so the server must hold the private key of
//! the certificate it presents.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, SignatureScheme};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::CertificatePin;

/// Builds a client configuration that accepts a server iff the SHA-256 of its leaf certificate
/// (DER) equals one of `pins`, whatever its issuer, names and validity dates.
pub(super) fn pinned_config(pins: &[CertificatePin]) -> Result<ClientConfig, rustls::Error> {
    client_config(Accepted::Pinned(pins.to_vec()))
}

/// Builds a client configuration that accepts any server certificate.
pub(super) fn skip_verify_config() -> Result<ClientConfig, rustls::Error> {
    client_config(Accepted::Any)
}

/// Returns the process-wide default provider when one is installed, as reqwest does, else
/// aws-lc-rs.
fn crypto_provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

fn client_config(accepted: Accepted) -> Result<ClientConfig, rustls::Error> {
    let provider = crypto_provider();
    let verifier = Arc::new(CertificateVerifier {
        accepted,
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // reqwest leaves ALPN to a preconfigured TLS setup, and this crate's reqwest speaks HTTP/1.1
    // only (no "http2" feature).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Formats a fingerprint the way `openssl x509 -fingerprint -sha256` does: upper-case hex pairs
/// separated by colons.
pub fn fingerprint_text(fingerprint: &[u8]) -> String {
    fingerprint
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The gateway's leaf certificate matched no pinned fingerprint.
#[derive(Debug)]
pub struct PinMismatch {
    /// SHA-256 of the certificate the server presented.
    pub actual: [u8; 32],
}

impl fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the certificate's SHA-256 fingerprint {} matches no fingerprint in tlsPinSha256",
            fingerprint_text(&self.actual)
        )
    }
}

impl std::error::Error for PinMismatch {}

/// Server certificates that a [`CertificateVerifier`] accepts.
enum Accepted {
    /// Leaf certificates whose SHA-256 (DER) equals one of these fingerprints.
    Pinned(Vec<CertificatePin>),
    /// Any certificate, for the explicit "skip verification" setting.
    Any,
}

struct CertificateVerifier {
    accepted: Accepted,
    algorithms: WebPkiSupportedAlgorithms,
}

impl fmt::Debug for CertificateVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.accepted {
            Accepted::Pinned(pins) => write!(f, "CertificateVerifier({} pins)", pins.len()),
            Accepted::Any => write!(f, "CertificateVerifier(any certificate)"),
        }
    }
}

impl ServerCertVerifier for CertificateVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pins = match &self.accepted {
            Accepted::Any => return Ok(ServerCertVerified::assertion()),
            Accepted::Pinned(pins) => pins,
        };
        let actual: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        let matched = pins.iter().fold(subtle::Choice::from(0), |found, pin| {
            found | pin.ct_eq(&actual)
        });
        if bool::from(matched) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(PinMismatch { actual })),
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(verifier: &dyn ServerCertVerifier, der: &[u8]) -> Result<(), rustls::Error> {
        verifier
            .verify_server_cert(
                &CertificateDer::from(der.to_vec()),
                &[],
                &ServerName::try_from("device.invalid").unwrap(),
                &[],
                UnixTime::now(),
            )
            .map(|_| ())
    }

    fn pinned(pins: Vec<CertificatePin>) -> CertificateVerifier {
        CertificateVerifier {
            accepted: Accepted::Pinned(pins),
            algorithms: crypto_provider().signature_verification_algorithms,
        }
    }

    #[test]
    fn pin_matches_sha256_of_der() {
        let der = b"not parsed, only hashed";
        let pin: CertificatePin = Sha256::digest(der).into();
        verify(&pinned(vec![[0u8; 32], pin]), der).unwrap();
    }

    #[test]
    fn other_certificate_is_rejected_with_fingerprint() {
        let der = b"some certificate";
        let error = verify(&pinned(vec![[7u8; 32]]), der).unwrap_err();
        let rustls::Error::InvalidCertificate(CertificateError::Other(other)) = &error else {
            panic!("unexpected error {error:?}");
        };
        let mismatch = other.0.downcast_ref::<PinMismatch>().unwrap();
        let expected: [u8; 32] = Sha256::digest(der).into();
        assert_eq!(mismatch.actual, expected);
        let message = mismatch.to_string();
        assert!(message.contains(&fingerprint_text(&expected)), "{message}");
    }

    #[test]
    fn skip_verify_accepts_any_certificate() {
        let verifier = CertificateVerifier {
            accepted: Accepted::Any,
            algorithms: crypto_provider().signature_verification_algorithms,
        };
        verify(&verifier, b"any certificate").unwrap();
    }

    #[test]
    fn fingerprint_text_is_openssl_style() {
        assert_eq!(fingerprint_text(&[0x0a, 0xff, 0x10]), "0A:FF:10");
    }

    #[test]
    fn configs_build_with_http1_alpn() {
        let config = pinned_config(&[[1u8; 32]]).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        skip_verify_config().unwrap();
    }
}
