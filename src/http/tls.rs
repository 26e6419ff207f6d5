//! The HTTPS listener's identity: a certificate and key read from PEM files
//! (`--tls-cert`/`--tls-key`), or a self-signed certificate for
//! `localhost`, `127.0.0.1` and `::1`, made once and kept in a directory so
//! that a client told to trust it keeps trusting it across restarts.
//!
//! rustls with the ring provider, as the outbound client uses; no OpenSSL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The names the self-signed certificate is valid for.
pub const SELF_SIGNED_NAMES: &[&str] = &["localhost", "127.0.0.1", "::1"];
/// The self-signed certificate's file name in its directory.
pub const CERT_FILE: &str = "localhost.pem";
/// The self-signed certificate's key's file name in its directory.
pub const KEY_FILE: &str = "localhost-key.pem";

/// Why the HTTPS listener could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file could not be read or written.
    #[error("{path}: {reason}")]
    File {
        /// Which file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The certificate could not be made, or rustls refused the pair.
    #[error("TLS set-up: {0}")]
    Setup(String),
}

/// What the HTTPS listener presents, ready to accept connections.
#[derive(Clone)]
pub struct TlsIdentity {
    acceptor: TlsAcceptor,
    /// The certificate file clients can trust.
    pub cert_path: PathBuf,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// The certificate chain in `cert` and the private key in `key`, both PEM.
    pub fn from_files(cert: &Path, key: &Path) -> Result<TlsIdentity, TlsError> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| file_error(cert, e))?;
        if chain.is_empty() {
            return Err(file_error(cert, "no certificate in the file"));
        }
        let private = PrivateKeyDer::from_pem_file(key).map_err(|e| file_error(key, e))?;
        Ok(TlsIdentity {
            acceptor: acceptor(chain, private)?,
            cert_path: cert.to_owned(),
        })
    }

    /// The self-signed certificate kept in `dir` (`localhost.pem` and
    /// `localhost-key.pem`), made and written there first if either file is
    /// missing.
    pub fn self_signed(dir: &Path) -> Result<TlsIdentity, TlsError> {
        let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
        if !(cert.is_file() && key.is_file()) {
            write_self_signed(dir, &cert, &key)?;
        }
        Self::from_files(&cert, &key)
    }

    pub(super) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }
}

fn file_error(path: &Path, reason: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// Makes a certificate and key, and writes them (the key readable by its
/// owner only).
fn write_self_signed(dir: &Path, cert: &Path, key: &Path) -> Result<(), TlsError> {
    let names: Vec<String> = SELF_SIGNED_NAMES.iter().map(|n| (*n).to_owned()).collect();
    let made = rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Setup(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    write_private(key, made.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(cert, made.cert.pem()).map_err(|e| file_error(cert, e))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| file_error(path, e))?;
    file.write_all(bytes).map_err(|e| file_error(path, e))
}

fn acceptor(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<TlsAcceptor, TlsError> {
    // The ring provider, as in `outbound`: see there for why.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Setup(e.to_string()))?;
    // Only HTTP/1.x is served; a client offering h2 alone fails the
    // handshake instead of speaking a protocol the server does not.
    config.alpn_protocols = vec![b"http/1.1".to_vec(), b"http/1.0".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_identity_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let first = TlsIdentity::self_signed(dir.path()).expect("made");
        let pem = std::fs::read(&first.cert_path).expect("cert");
        let again = TlsIdentity::self_signed(dir.path()).expect("kept");
        assert_eq!(std::fs::read(&again.cert_path).expect("cert"), pem);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(dir.path().join(KEY_FILE)).expect("key").permissions(),
        );
        assert_eq!(mode & 0o077, 0, "the key is the owner's alone");
    }

    #[test]
    fn unusable_files_are_named() {
        let dir = tempfile::tempdir().expect("dir");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").expect("write");
        let err = TlsIdentity::from_files(&empty, &empty).expect_err("refused");
        assert!(err.to_string().contains("empty.pem"), "{err}");
        let missing = dir.path().join("missing.pem");
        assert!(TlsIdentity::from_files(&missing, &missing).is_err());
    }
}
