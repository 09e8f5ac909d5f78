//! The byte stream under a connection: DNS + TCP (direct, via HTTP CONNECT or SOCKS5), optionally
//! TLS.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::error::NetError;
use super::proxy::{ProxyConfig, ProxyKind};

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
) -> Result<TcpStream, NetError> {
    let Some(proxy) = proxy else {
        return tcp_connect(host, port, stage).await;
    };
    let proxy_err = |reason: String| NetError::Proxy {
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

async fn resolve(host: &str, port: u16) -> Result<Vec<std::net::SocketAddr>, NetError> {
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| NetError::Dns {
            host: host.to_string(),
            reason: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(NetError::Dns {
            host: host.to_string(),
            reason: "no addresses found".into(),
        });
    }
    Ok(addrs)
}

async fn tcp_connect(host: &str, port: u16, stage: &mut Stage) -> Result<TcpStream, NetError> {
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
                last = Some(NetError::ConnectionRefused {
                    addr: addr.to_string(),
                })
            }
            Err(e) => {
                last = Some(NetError::Connect {
                    addr: addr.to_string(),
                    reason: e.to_string(),
                })
            }
        }
    }
    Err(last.unwrap_or_else(|| NetError::Dns {
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

/// Wraps `tcp` in TLS for `host`.
pub async fn tls_connect(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
) -> Result<Transport, NetError> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| NetError::Tls {
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
        NetError::Tls {
            host: host.into(),
            reason,
        }
    })?;
    Ok(Transport::Tls(Box::new(tls)))
}
