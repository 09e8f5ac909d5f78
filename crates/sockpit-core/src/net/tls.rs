//! TLS for every client: the user's options (extra CA, client certificate, skip-verify) and the rustls
//! configuration built from them (OS roots + extra CA), plus TLS failures said in words.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;

/// TLS settings for `wss://` and `https://`.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Extra PEM CA certificates trusted besides the OS roots.
    pub extra_ca_files: Vec<PathBuf>,
    /// Client certificate chain (PEM) for mutual TLS, with its private key.
    pub client_cert: Option<ClientCert>,
    /// Accept any server certificate. Only when the user asks; the UI shows it as a warning.
    pub skip_verify: bool,
}

#[derive(Debug, Clone)]
pub struct ClientCert {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// [`TlsOptions`] that cannot be turned into a client configuration: a CA file or key that cannot
/// be read, a certificate and key that do not belong together. The reason names the file.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("TLS setup failed: {0}")]
pub struct TlsConfigError(pub String);

/// Builds the rustls client configuration for `options` (done once per session).
pub fn tls_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TlsConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsConfigError(e.to_string()))?;
    let builder = if options.skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
    } else {
        let mut roots = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        for path in &options.extra_ca_files {
            let certs = read_certs(path)?;
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| TlsConfigError(format!("CA file {}: {e}", path.display())))?;
            }
        }
        builder.with_root_certificates(roots)
    };
    let mut config = match &options.client_cert {
        Some(cc) => {
            let certs = read_certs(&cc.cert_file)?;
            let key = PrivateKeyDer::from_pem_file(&cc.key_file).map_err(|e| {
                TlsConfigError(format!(
                    "no private key read from {}: {e} (expected a PEM PKCS#8, PKCS#1 or SEC1 key)",
                    cc.key_file.display()
                ))
            })?;
            builder.with_client_auth_cert(certs, key).map_err(|e| {
                TlsConfigError(format!(
                    "client certificate {} and key {} do not work together: {e}",
                    cc.cert_file.display(),
                    cc.key_file.display()
                ))
            })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let bytes = std::fs::read(path).map_err(|e| {
        TlsConfigError(format!(
            "cannot read certificate file {}: {e}",
            path.display()
        ))
    })?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsConfigError(format!("certificate file {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(TlsConfigError(format!(
            "no PEM certificate found in {}",
            path.display()
        )));
    }
    Ok(certs)
}

/// The rustls error under a failed connect. tokio-rustls wraps it in an `io::Error`, which hides
/// its inner error from `source()`: look inside with `get_ref`.
pub(crate) fn find_tls_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// What a TLS alert from the server means for the user, naming the step and the flags to check.
pub(crate) fn tls_alert_reason(alert: rustls::AlertDescription) -> String {
    use rustls::AlertDescription as A;
    match alert {
        A::CertificateRequired => "the server requires a client certificate (mutual TLS) and \
            closed the connection with the alert CertificateRequired: give one with --cert and --key"
            .into(),
        A::BadCertificate | A::UnknownCA | A::CertificateUnknown | A::UnsupportedCertificate
        | A::CertificateExpired | A::CertificateRevoked | A::AccessDenied => format!(
            "the server refused our client certificate (TLS alert {alert:?}): check that --cert is \
             signed by a CA the server trusts and has not expired"
        ),
        other => format!("the server sent the TLS alert {other:?} and closed the connection"),
    }
}

/// Accepts any server certificate; used only when the user asks to skip verification.
#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
