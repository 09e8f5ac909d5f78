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

/// An HTTP proxy that tunnels `CONNECT` requests and forwards plain `http://` requests
/// (absolute-form, as clients send them to a proxy). It logs the request line of each connection's
/// first request (`CONNECT 127.0.0.1:80 HTTP/1.1`, `POST http://127.0.0.1:80/login HTTP/1.1`).
pub async fn logging_proxy() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    let (listener, port) = listen().await;
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let Ok(b) = client.read_u8().await else {
                        return;
                    };
                    head.push(b);
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let line = text.lines().next().unwrap_or_default().to_string();
                if let Ok(mut l) = seen.lock() {
                    l.push(line.clone());
                }
                let mut parts = line.split_whitespace();
                let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let (authority, forward) = if method == "CONNECT" {
                    (target.to_string(), false)
                } else {
                    let rest = target.strip_prefix("http://").unwrap_or_default();
                    let authority = rest.split('/').next().unwrap_or_default();
                    (authority.to_string(), true)
                };
                let Ok(mut upstream) = TcpStream::connect(&authority).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                if forward {
                    if upstream.write_all(&head).await.is_err() {
                        return;
                    }
                } else if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, log)
}

/// An HTTP proxy that refuses every request with `403 Forbidden` (CONNECT and plain requests).
pub async fn refusing_proxy() -> u16 {
    let (listener, port) = listen().await;
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let Ok(b) = client.read_u8().await else {
                        return;
                    };
                    head.push(b);
                }
                let body = "blocked by policy\n";
                let resp = format!(
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = client.write_all(resp.as_bytes()).await;
            });
        }
    });
    port
}

/// A CA and certificates it signs (rcgen), written as PEM files to a temp dir: for mTLS tests.
pub struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    pub cert_pem: String,
    pub cert_path: PathBuf,
    dir: tempfile::TempDir,
}

/// A certificate signed by a [`TestCa`], and its key, as PEM files.
pub struct Signed {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let key = rcgen::KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA cert");
        let dir = tempfile::tempdir().expect("temp dir");
        let cert_path = dir.path().join(format!("{name}-ca.pem"));
        std::fs::write(&cert_path, cert.pem()).expect("write CA");
        TestCa {
            issuer: rcgen::Issuer::new(params, key),
            cert_pem: cert.pem(),
            cert_path,
            dir,
        }
    }

    /// A certificate for `names` signed by this CA: a server certificate (`localhost`,
    /// `127.0.0.1`) or a client certificate (`client`).
    pub fn sign(&self, file: &str, names: &[&str], client: bool) -> Signed {
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("params");
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            names.first().copied().unwrap_or(file),
        );
        params.extended_key_usages = vec![if client {
            rcgen::ExtendedKeyUsagePurpose::ClientAuth
        } else {
            rcgen::ExtendedKeyUsagePurpose::ServerAuth
        }];
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("signed cert");
        let cert_path = self.dir.path().join(format!("{file}.pem"));
        let key_path = self.dir.path().join(format!("{file}-key.pem"));
        std::fs::write(&cert_path, cert.pem()).expect("write cert");
        std::fs::write(&key_path, key.serialize_pem()).expect("write key");
        Signed {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_path,
            key_path,
        }
    }
}
