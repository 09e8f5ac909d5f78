//! The mock over TLS, optionally requiring a client certificate (mTLS): every route then has its
//! `wss://`/`https://` variant, and with a client CA every route needs a certificate signed by it
//! (a client without one fails in the TLS handshake). `/auth/mtls` greets with what the handshake
//! verified.
//!
//! axum's `serve` has no TLS: each accepted connection does the rustls handshake in its own task
//! and is then served by hyper with upgrades (for WebSockets), with the peer address and the
//! client-certificate status as request extensions.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ConnectInfo;
use axum::response::Response;
use axum::{Extension, Router};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::auth::{unauthorized, welcome};

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// TLS settings for [`crate::MockServer::start_tls`], as PEM text.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    /// The server's certificate chain.
    pub cert_pem: String,
    /// The server's private key.
    pub key_pem: String,
    /// When set, every connection must present a client certificate signed by one of these CAs.
    pub client_ca_pem: Option<String>,
}

/// What the TLS handshake verified about the client, for `/auth/mtls`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientCertSeen(pub bool);

fn invalid(what: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, what)
}

/// The rustls server configuration; errors name the setting at fault.
pub(crate) fn server_config(s: &TlsSettings) -> std::io::Result<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(s.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(format!("--tls-cert: not a PEM certificate chain: {e}")))?;
    if certs.is_empty() {
        return Err(invalid("--tls-cert: no PEM certificate found".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(s.key_pem.as_bytes())
        .map_err(|e| invalid(format!("--tls-key: not a PEM private key: {e}")))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS versions: {e}")))?;
    let builder = match &s.client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let c = c.map_err(|e| invalid(format!("--client-ca: not PEM: {e}")))?;
                roots
                    .add(c)
                    .map_err(|e| invalid(format!("--client-ca: unusable certificate: {e}")))?;
            }
            if roots.is_empty() {
                return Err(invalid("--client-ca: no PEM certificate found".into()));
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| invalid(format!("--client-ca: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder
        .with_single_cert(certs, key)
        .map_err(|e| invalid(format!("--tls-cert/--tls-key do not work together: {e}")))
}

/// Accepts connections until `stopped` fires; one task per connection.
pub(crate) async fn serve(
    listener: TcpListener,
    config: rustls::ServerConfig,
    app: Router,
    on_accept: impl Fn(&tokio::net::TcpStream) + Send + 'static,
    mut stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    loop {
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                // Out of descriptors and the like: wait a little and go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => return Ok(()),
        };
        on_accept(&tcp);
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
            else {
                return;
            };
            let seen = ClientCertSeen(
                tls.get_ref()
                    .1
                    .peer_certificates()
                    .is_some_and(|c| !c.is_empty()),
            );
            let app = app
                .layer(Extension(ConnectInfo::<SocketAddr>(peer)))
                .layer(Extension(seen));
            let service = hyper_util::service::TowerToHyperService::new(app);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .with_upgrades()
                .await;
        });
    }
}

/// `/auth/mtls`: accepted when the TLS handshake verified a client certificate.
pub(crate) async fn mtls_route(
    ws: WebSocketUpgrade,
    seen: Option<Extension<ClientCertSeen>>,
) -> Response {
    match seen {
        Some(Extension(ClientCertSeen(true))) => welcome(ws, "mtls"),
        _ => unauthorized(
            "no verified client certificate: this route needs `sockpit serve --tls-cert F --tls-key F \
             --client-ca F` and a client certificate (--cert/--key)",
        ),
    }
}
