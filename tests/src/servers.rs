//! Small servers written in the tests: TLS echo, CONNECT and SOCKS5 proxies, a silent listener and a
//! raw WebSocket server that sends hand-made frames.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

async fn listen() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = l.local_addr().expect("local addr").port();
    (l, port)
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, written to a temp dir as PEM files.
pub struct SelfSigned {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SelfSigned {
    pub fn new() -> SelfSigned {
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("rcgen makes a certificate");
        let dir = tempfile::tempdir().expect("temp dir");
        let cert_pem = ck.cert.pem();
        let key_pem = ck.signing_key.serialize_pem();
        let cert_path = dir.path().join("cert.pem");
        let key_path = dir.path().join("key.pem");
        std::fs::write(&cert_path, &cert_pem).expect("write cert");
        std::fs::write(&key_path, &key_pem).expect("write key");
        SelfSigned {
            cert_pem,
            key_pem,
            cert_path,
            key_path,
            _dir: dir,
        }
    }
}

impl Default for SelfSigned {
    fn default() -> Self {
        Self::new()
    }
}

/// A wss:// echo server with `cert`. Returns its port.
pub async fn tls_echo_server(cert: &SelfSigned) -> u16 {
    let certs = vec![CertificateDer::from_pem_slice(cert.cert_pem.as_bytes()).expect("cert pem")];
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).expect("key pem");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("tls versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("server cert");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, port) = listen().await;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut ws) = tokio_tungstenite::accept_async(tls).await else {
                    return;
                };
                while let Some(Ok(m)) = ws.next().await {
                    if (m.is_text() || m.is_binary()) && ws.send(m).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// An HTTP CONNECT proxy; the counter says how many tunnels it opened.
pub async fn connect_proxy() -> (u16, Arc<AtomicUsize>) {
    let (listener, port) = listen().await;
    let tunnels = Arc::new(AtomicUsize::new(0));
    let count = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let Ok(b) = client.read_u8().await else {
                        return;
                    };
                    head.push(b);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let target = head
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split_whitespace().next())
                    .unwrap_or_default()
                    .to_string();
                let Ok(mut upstream) = TcpStream::connect(&target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, tunnels)
}

/// A SOCKS5 proxy (no auth, CONNECT only); the counter says how many tunnels it opened.
pub async fn socks5_proxy() -> (u16, Arc<AtomicUsize>) {
    let (listener, port) = listen().await;
    let tunnels = Arc::new(AtomicUsize::new(0));
    let count = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((mut c, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut greet = [0u8; 2];
                if c.read_exact(&mut greet).await.is_err() {
                    return;
                }
                let mut methods = vec![0u8; greet[1] as usize];
                if c.read_exact(&mut methods).await.is_err() || c.write_all(&[5, 0]).await.is_err()
                {
                    return;
                }
                let mut req = [0u8; 4];
                if c.read_exact(&mut req).await.is_err() {
                    return;
                }
                let host = match req[3] {
                    1 => {
                        let mut ip = [0u8; 4];
                        let _ = c.read_exact(&mut ip).await;
                        std::net::Ipv4Addr::from(ip).to_string()
                    }
                    3 => {
                        let Ok(len) = c.read_u8().await else { return };
                        let mut name = vec![0u8; len as usize];
                        let _ = c.read_exact(&mut name).await;
                        String::from_utf8_lossy(&name).into_owned()
                    }
                    _ => return,
                };
                let Ok(port) = c.read_u16().await else { return };
                let Ok(mut upstream) = TcpStream::connect((host.as_str(), port)).await else {
                    let _ = c.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await;
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let _ = c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).await;
                let _ = tokio::io::copy_bidirectional(&mut c, &mut upstream).await;
            });
        }
    });
    (port, tunnels)
}

/// Accepts connections and never answers.
pub async fn silent_server() -> u16 {
    let (listener, port) = listen().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    port
}

/// A WebSocket server that completes the handshake by hand, writes `frames` as raw bytes, then
/// reports everything the client sent afterwards (until it closes the TCP connection).
pub async fn raw_frame_server(frames: Vec<u8>) -> (u16, oneshot::Receiver<Vec<u8>>) {
    raw_frame_server_with(String::new(), frames).await
}

/// [`raw_frame_server`] whose 101 response carries `extra_headers` (each line ending in CRLF).
pub async fn raw_frame_server_with(
    extra_headers: String,
    frames: Vec<u8>,
) -> (u16, oneshot::Receiver<Vec<u8>>) {
    let (listener, port) = listen().await;
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let Ok(b) = s.read_u8().await else { return };
            head.push(b);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let key = head
            .lines()
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case("sec-websocket-key")
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default();
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra_headers}\r\n"
        );
        let _ = s.write_all(response.as_bytes()).await;
        let _ = s.write_all(&frames).await;
        let mut got = Vec::new();
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut got)).await;
        let _ = tx.send(got);
    });
    (port, rx)
}

/// Unmasks the first client frame in `bytes`: (opcode, payload).
pub fn first_client_frame(bytes: &[u8]) -> Option<(u8, Vec<u8>)> {
    let opcode = bytes.first()? & 0x0f;
    let len = (bytes.get(1)? & 0x7f) as usize;
    if len > 125 {
        return None;
    }
    let mask = bytes.get(2..6)?;
    let payload = bytes.get(6..6 + len)?;
    Some((
        opcode,
        payload
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ mask[i % 4])
            .collect(),
    ))
}

/// `127.0.0.1:port`
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}
