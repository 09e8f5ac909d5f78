//! `sockpit sse` over https:// with a self-signed certificate (the WebSocket TLS options: --cacert,
//! --insecure) and through HTTP CONNECT and SOCKS5 proxies.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sockpit_tests::servers::{connect_proxy, socks5_proxy, SelfSigned};
use sockpit_tests::sockpit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIMIT: Duration = Duration::from_secs(30);

/// An https:// SSE server with `cert`: every request gets two events in a close-delimited body
/// (no Content-Length, no chunking), the second carrying the request's Last-Event-ID.
async fn tls_sse_server(cert: &SelfSigned) -> u16 {
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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let Ok(b) = tls.read_u8().await else { return };
                    head.push(b);
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let last = head
                    .lines()
                    .find_map(|l| l.strip_prefix("last-event-id: "))
                    .unwrap_or("none")
                    .to_string();
                let body = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n\
                     id: s1\ndata: secure\n\ndata: last-event-id was {last}\n\n"
                );
                let _ = tls.write_all(body.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn self_signed_https_needs_cacert_or_insecure() {
    let cert = SelfSigned::new();
    let port = tls_sse_server(&cert).await;
    let ca = cert.cert_path.to_str().expect("utf-8 path");
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{port}/events");
        let out = sockpit(&["sse", "--json", &url], None, LIMIT).await;
        assert_eq!(out.status, 1, "{out:?}");
        let line = out.one_error_line();
        assert!(
            line.contains("TLS handshake") && line.contains("--cacert"),
            "{line}"
        );
        assert_eq!(out.events_of("error")[0]["code"], "sse.tls");

        let out = sockpit(&["sse", "--cacert", ca, &url], None, LIMIT).await;
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "secure\nlast-event-id was none\n"),
            "{out:?}"
        );
        let out = sockpit(
            &["sse", "--insecure", "--last-event-id", "s0", &url],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "secure\nlast-event-id was s0\n"),
            "{out:?}"
        );
    }
}

#[tokio::test]
async fn a_cacert_file_that_is_not_pem_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("not-a-cert.pem");
    std::fs::write(&bad, "hello").expect("write");
    let out = sockpit(
        &[
            "sse",
            "--cacert",
            bad.to_str().expect("utf-8 path"),
            "https://127.0.0.1:1/",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("TLS setup failed") && line.contains("not-a-cert.pem"),
        "{line}"
    );
}

#[tokio::test]
async fn through_http_connect_and_socks5_proxies() {
    let cert = SelfSigned::new();
    let port = tls_sse_server(&cert).await;
    let ca = cert.cert_path.to_str().expect("utf-8 path");
    let url = format!("https://localhost:{port}/events");
    let (http_port, http_tunnels) = connect_proxy().await;
    let (socks_port, socks_tunnels) = socks5_proxy().await;
    for (proxy, tunnels) in [
        (format!("http://127.0.0.1:{http_port}"), &http_tunnels),
        (format!("socks5://127.0.0.1:{socks_port}"), &socks_tunnels),
        (format!("socks5h://127.0.0.1:{socks_port}"), &socks_tunnels),
    ] {
        let before = tunnels.load(Ordering::SeqCst);
        let out = sockpit(
            &["sse", "--cacert", ca, "--proxy", &proxy, "-n", "1", &url],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "secure\n"),
            "{proxy}: {out:?}"
        );
        assert_eq!(
            tunnels.load(Ordering::SeqCst),
            before + 1,
            "{proxy} carried it"
        );
    }
}
