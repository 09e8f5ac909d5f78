//! The byte stream under a WebSocket: TCP (direct, via HTTP CONNECT or SOCKS5), optionally TLS.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::config::{ProxyConfig, ProxyKind, TlsOptions};
use super::error::WsError;
use super::wire::WireStream;

/// A connected stream, plain or TLS. Both variants are `Unpin`.
pub enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// What a session's WebSocket runs over: the transport itself, or the wire layer around it (frame
/// inspector, permessage-deflate).
pub enum SessionStream {
    Direct(Transport),
    Wire(Box<WireStream<Transport>>),
}

impl AsyncRead for SessionStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_read(cx, buf),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for SessionStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_write(cx, buf),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_flush(cx),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_shutdown(cx),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Which part of opening a connection is under way, for timeout messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Resolve,
    TcpConnect,
    Proxy,
    Tls,
    Upgrade,
}

impl Stage {
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Resolve => "DNS resolution",
            Stage::TcpConnect => "TCP connect",
            Stage::Proxy => "the proxy handshake",
            Stage::Tls => "the TLS handshake",
            Stage::Upgrade => "the WebSocket upgrade (no HTTP response from the server)",
        }
    }
}

/// Opens TCP to `host:port`, through `proxy` when given; `stage` tracks progress.
pub async fn open_tcp(
    host: &str,
    port: u16,
    proxy: Option<&ProxyConfig>,
    stage: &mut Stage,
) -> Result<TcpStream, WsError> {
    let Some(proxy) = proxy else {
        return tcp_connect(host, port, stage).await;
    };
    let proxy_err = |reason: String| WsError::Proxy {
        proxy: proxy.display(),
        reason,
    };
    let mut tcp = tcp_connect(&proxy.host, proxy.port, stage)
        .await
        .map_err(|e| proxy_err(format!("could not reach the proxy: {e}")))?;
    *stage = Stage::Proxy;
    match proxy.kind {
        ProxyKind::HttpConnect => {
            http_connect(&mut tcp, host, port, proxy.auth.as_ref())
                .await
                .map_err(proxy_err)?;
            Ok(tcp)
        }
        ProxyKind::Socks5 | ProxyKind::Socks5h => {
            let target: tokio_socks::TargetAddr<'_> = if proxy.kind == ProxyKind::Socks5 {
                *stage = Stage::Resolve;
                let addr = resolve(host, port).await?[0];
                *stage = Stage::Proxy;
                tokio_socks::TargetAddr::Ip(addr)
            } else {
                tokio_socks::TargetAddr::Domain(host.into(), port)
            };
            let stream = match &proxy.auth {
                Some((user, pass)) => {
                    tokio_socks::tcp::Socks5Stream::connect_with_password_and_socket(
                        tcp, target, user, pass,
                    )
                    .await
                }
                None => tokio_socks::tcp::Socks5Stream::connect_with_socket(tcp, target).await,
            }
            .map_err(|e| proxy_err(format!("SOCKS5 handshake failed: {e}")))?;
            Ok(stream.into_inner())
        }
    }
}

async fn resolve(host: &str, port: u16) -> Result<Vec<std::net::SocketAddr>, WsError> {
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| WsError::Dns {
            host: host.to_string(),
            reason: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(WsError::Dns {
            host: host.to_string(),
            reason: "no addresses found".into(),
        });
    }
    Ok(addrs)
}

async fn tcp_connect(host: &str, port: u16, stage: &mut Stage) -> Result<TcpStream, WsError> {
    *stage = Stage::Resolve;
    let addrs = resolve(host, port).await?;
    *stage = Stage::TcpConnect;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = Some(WsError::ConnectionRefused {
                    addr: addr.to_string(),
                })
            }
            Err(e) => {
                last = Some(WsError::Connect {
                    addr: addr.to_string(),
                    reason: e.to_string(),
                })
            }
        }
    }
    Err(last.unwrap_or_else(|| WsError::Dns {
        host: host.into(),
        reason: "no addresses".into(),
    }))
}

async fn http_connect(
    tcp: &mut TcpStream,
    host: &str,
    port: u16,
    auth: Option<&(String, String)>,
) -> Result<(), String> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some((user, pass)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        req.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("could not send CONNECT: {e}"))?;
    // Read the response head byte by byte so nothing of the tunnel is consumed.
    let mut head = Vec::with_capacity(256);
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err("CONNECT response head is over 16 KiB".into());
        }
        let b = tcp
            .read_u8()
            .await
            .map_err(|e| format!("connection closed during CONNECT: {e}"))?;
        head.push(b);
    }
    let head = String::from_utf8_lossy(&head);
    let status_line = head.lines().next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("malformed CONNECT response '{status_line}'"))?;
    if !(200..300).contains(&status) {
        return Err(format!("CONNECT {authority} refused: {status_line}"));
    }
    Ok(())
}

/// Builds the rustls client configuration for `options` (done once per session).
pub fn tls_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, WsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| WsError::TlsConfig(e.to_string()))?;
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
                    .map_err(|e| WsError::TlsConfig(format!("CA file {}: {e}", path.display())))?;
            }
        }
        builder.with_root_certificates(roots)
    };
    let mut config = match &options.client_cert {
        Some(cc) => {
            let certs = read_certs(&cc.cert_file)?;
            let key = PrivateKeyDer::from_pem_file(&cc.key_file).map_err(|e| {
                WsError::TlsConfig(format!(
                    "no private key read from {}: {e} (expected a PEM PKCS#8, PKCS#1 or SEC1 key)",
                    cc.key_file.display()
                ))
            })?;
            builder.with_client_auth_cert(certs, key).map_err(|e| {
                WsError::TlsConfig(format!(
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

fn read_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, WsError> {
    let bytes = std::fs::read(path).map_err(|e| {
        WsError::TlsConfig(format!(
            "cannot read certificate file {}: {e}",
            path.display()
        ))
    })?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| WsError::TlsConfig(format!("certificate file {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(WsError::TlsConfig(format!(
            "no PEM certificate found in {}",
            path.display()
        )));
    }
    Ok(certs)
}

/// Wraps `tcp` in TLS for `host`.
pub async fn tls_connect(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
) -> Result<Transport, WsError> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| WsError::Tls {
        host: host.into(),
        reason: format!("invalid server name: {e}"),
    })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let tls = connector.connect(name, tcp).await.map_err(|e| {
        let mut reason = e.to_string();
        if reason.contains("certificate") {
            reason.push_str(
                " (trust the server's CA with --cacert FILE, or skip verification with --insecure)",
            );
        }
        WsError::Tls {
            host: host.into(),
            reason,
        }
    })?;
    Ok(Transport::Tls(Box::new(tls)))
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
