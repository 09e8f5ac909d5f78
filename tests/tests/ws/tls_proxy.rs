//! wss:// with a self-signed certificate, and connections through HTTP CONNECT and SOCKS5 proxies.

use std::sync::atomic::Ordering;
use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::servers::{connect_proxy, socks5_proxy, tls_echo_server, SelfSigned};
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn self_signed_wss_is_rejected_without_cacert_and_accepted_with_it() {
    let cert = SelfSigned::new();
    let port = tls_echo_server(&cert).await;
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("wss://{host}:{port}/");
        let out = sockpit(
            &["connect", &url, "--count", "1", "--send", "secure"],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 1, "{out:?}");
        let line = out.one_error_line();
        assert!(
            line.contains("TLS handshake") && line.contains("--cacert"),
            "{line}"
        );

        let ca = cert.cert_path.to_str().unwrap();
        let out = sockpit(
            &[
                "connect", &url, "--cacert", ca, "--count", "1", "--send", "secure",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "secure\n"),
            "{out:?}"
        );

        let out = sockpit(
            &[
                "connect",
                &url,
                "--insecure",
                "--count",
                "1",
                "--send",
                "anyway",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "anyway\n"),
            "{out:?}"
        );
    }
}

#[tokio::test]
async fn a_cacert_file_that_is_not_pem_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("ca.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let out = sockpit(
        &[
            "connect",
            "wss://127.0.0.1:1/",
            "--cacert",
            bogus.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line().contains("no PEM certificate found in"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn tunnels_through_http_connect_and_socks5_proxies() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let (http_port, http_tunnels) = connect_proxy().await;
    let (socks_port, socks_tunnels) = socks5_proxy().await;
    for (proxy, tunnels) in [
        (format!("http://127.0.0.1:{http_port}"), &http_tunnels),
        (format!("socks5://127.0.0.1:{socks_port}"), &socks_tunnels),
        (format!("socks5h://127.0.0.1:{socks_port}"), &socks_tunnels),
    ] {
        let before = tunnels.load(Ordering::SeqCst);
        let out = sockpit(
            &[
                "connect",
                &url,
                "--proxy",
                &proxy,
                "--count",
                "1",
                "--send",
                "via proxy",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "via proxy\n"),
            "{proxy}: {out:?}"
        );
        assert_eq!(
            tunnels.load(Ordering::SeqCst),
            before + 1,
            "{proxy} carried the connection"
        );
    }
    // A proxy that is not there is named in the error.
    let out = sockpit(
        &["connect", &url, "--proxy", "http://127.0.0.1:1"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1);
    assert!(
        out.one_error_line().contains("proxy http://127.0.0.1:1"),
        "{}",
        out.stderr
    );
}
