//! Client-certificate auth bad input: a key that does not belong to its certificate is a clear
//! error naming both files, before anything is sent. The mock over mTLS (`MockServer::start_tls`,
//! `sockpit serve --client-ca`) takes the right client certificate and refuses a missing or foreign
//! one in the TLS step.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_tests::servers::{tls_echo_server, SelfSigned};
use sockpit_tests::sockpit;

#[tokio::test]
async fn a_client_key_that_does_not_match_its_certificate_is_refused_clearly() {
    let server = SelfSigned::new();
    let other = SelfSigned::new();
    let port = tls_echo_server(&server).await;
    let url = format!("wss://127.0.0.1:{port}/");
    let ca = server.cert_path.to_str().unwrap();
    let args = [
        "connect",
        &url,
        "--cacert",
        ca,
        "--cert",
        ca,
        "--key",
        other.key_path.to_str().unwrap(),
        "--timeout",
        "10",
    ];
    let out = sockpit(&args, None, Duration::from_secs(30)).await;
    assert_ne!(out.status, 0, "{out:?}");
    let line = out.one_error_line();
    assert!(line.contains("do not work together"), "{line}");
    assert!(
        line.contains("cert.pem") && line.contains("key.pem"),
        "{line}"
    );
}

use sockpit_mock::{MockServer, TlsSettings};
use sockpit_tests::servers::TestCa;

/// The mock over TLS requiring a client certificate from `client_ca`.
async fn mtls_mock(server_ca: &TestCa, client_ca: &TestCa) -> MockServer {
    let server = server_ca.sign("server", &["127.0.0.1", "localhost"], false);
    MockServer::start_tls(
        "127.0.0.1",
        0,
        TlsSettings {
            cert_pem: server.cert_pem,
            key_pem: server.key_pem,
            client_ca_pem: Some(client_ca.cert_pem.clone()),
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn mtls_mock_accepts_the_right_client_certificate_on_ws_and_sse() {
    let server_ca = TestCa::new("server");
    let client_ca = TestCa::new("clients");
    let mock = mtls_mock(&server_ca, &client_ca).await;
    let client = client_ca.sign("client", &["client"], true);
    let ca = server_ca.cert_path.to_str().unwrap();
    let (cert, key) = (
        client.cert_path.to_str().unwrap(),
        client.key_path.to_str().unwrap(),
    );
    let url = format!("{}/auth/mtls", mock.ws_url());
    assert!(url.starts_with("wss://"));
    let args = [
        "connect",
        &url,
        "--json",
        "-n",
        "2",
        "--timeout",
        "10",
        "--cacert",
        ca,
        "--cert",
        cert,
        "--key",
        key,
        "--send",
        "over mtls",
    ];
    let out = sockpit(&args, None, Duration::from_secs(30)).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let data: Vec<String> = out
        .received()
        .iter()
        .map(|m| m["data"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        data,
        [r#"{"authenticated":true,"via":"mtls"}"#, "over mtls"]
    );

    // Every route needs the certificate: an SSE feed over https:// too.
    let sse_url = format!("{}/sse?n=2&interval=1", mock.http_url());
    let args = [
        "sse",
        &sse_url,
        "--json",
        "-n",
        "2",
        "--timeout",
        "10",
        "--cacert",
        ca,
        "--cert",
        cert,
        "--key",
        key,
    ];
    let out = sockpit(&args, None, Duration::from_secs(30)).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.events_of("sse").len(), 2);
}

#[tokio::test]
async fn mtls_mock_refuses_a_missing_or_foreign_certificate_clearly() {
    let server_ca = TestCa::new("server");
    let client_ca = TestCa::new("clients");
    let stranger_ca = TestCa::new("strangers");
    let mock = mtls_mock(&server_ca, &client_ca).await;
    let ca = server_ca.cert_path.to_str().unwrap();
    let url = format!("{}/auth/mtls", mock.ws_url());

    // No client certificate: the TLS step fails, and says so.
    let out = sockpit(
        &[
            "connect",
            &url,
            "--timeout",
            "10",
            "--cacert",
            ca,
            "-n",
            "1",
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("TLS handshake with 127.0.0.1 failed")
            && line.contains("requires a client certificate")
            && line.contains("--cert"),
        "{line}"
    );
    let sse_url = format!("{}/sse?n=1", mock.http_url());
    let out = sockpit(
        &[
            "sse",
            &sse_url,
            "--timeout",
            "10",
            "--cacert",
            ca,
            "-n",
            "1",
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(line.contains("requires a client certificate"), "{line}");

    // A certificate from a CA the server does not trust.
    let foreign = stranger_ca.sign("foreign", &["client"], true);
    let out = sockpit(
        &[
            "connect",
            &url,
            "--timeout",
            "10",
            "--cacert",
            ca,
            "-n",
            "1",
            "--cert",
            foreign.cert_path.to_str().unwrap(),
            "--key",
            foreign.key_path.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("TLS handshake") && line.contains("refused our client certificate"),
        "{line}"
    );

    // The right certificate with another key: refused before anything is sent.
    let client = client_ca.sign("client", &["client"], true);
    let out = sockpit(
        &[
            "connect",
            &url,
            "--timeout",
            "10",
            "--cacert",
            ca,
            "-n",
            "1",
            "--cert",
            client.cert_path.to_str().unwrap(),
            "--key",
            foreign.key_path.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(line.contains("do not work together"), "{line}");
    assert!(
        line.contains("client.pem") && line.contains("foreign-key.pem"),
        "{line}"
    );
}

#[tokio::test]
async fn sockpit_serve_runs_the_mtls_mock_from_pem_files() {
    let server_ca = TestCa::new("server");
    let client_ca = TestCa::new("clients");
    let server = server_ca.sign("server", &["127.0.0.1"], false);
    let client = client_ca.sign("client", &["client"], true);
    let mut child = tokio::process::Command::new(sockpit_tests::sockpit_bin())
        .args([
            "serve",
            "--tls-cert",
            server.cert_path.to_str().unwrap(),
            "--tls-key",
            server.key_path.to_str().unwrap(),
            "--client-ca",
            client_ca.cert_path.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let base = first.strip_prefix("listening on ").unwrap().to_string();
    assert!(base.starts_with("https://127.0.0.1:"), "{first}");
    let url = format!("{}/auth/mtls", base.replacen("https", "wss", 1));
    let out = sockpit(
        &[
            "connect",
            &url,
            "-n",
            "1",
            "--timeout",
            "10",
            "--cacert",
            server_ca.cert_path.to_str().unwrap(),
            "--cert",
            client.cert_path.to_str().unwrap(),
            "--key",
            client.key_path.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"authenticated\":true,\"via\":\"mtls\"}\n");
    let _ = child.kill().await;

    // A key file that is not a key: a usage error naming the flag.
    let out = sockpit(
        &[
            "serve",
            "--tls-cert",
            server.cert_path.to_str().unwrap(),
            "--tls-key",
            server.cert_path.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out.one_error_line().contains("--tls-key"), "{}", out.stderr);
}

#[tokio::test]
async fn auth_calls_use_the_connections_ca_and_client_certificate() {
    let server_ca = TestCa::new("server");
    let client_ca = TestCa::new("clients");
    let mock = mtls_mock(&server_ca, &client_ca).await;
    let client = client_ca.sign("client", &["client"], true);
    let ca = server_ca.cert_path.to_str().unwrap();
    let (cert, key) = (
        client.cert_path.to_str().unwrap(),
        client.key_path.to_str().unwrap(),
    );
    // The login is an https:// call to the same mTLS server: it only works with the connection's
    // --cacert (the server's CA is not an OS root) and its client certificate.
    let url = format!("{}/auth/cookie", mock.ws_url());
    let login = format!("{}/login", mock.http_url());
    let body = r#"{"username":"demo","password":"demo-pass"}"#;
    let tls = ["--cacert", ca, "--cert", cert, "--key", key];
    let base = [
        "connect",
        &url,
        "-n",
        "1",
        "--timeout",
        "10",
        "--login-url",
        &login,
        "--login-body",
        body,
    ];
    let out = sockpit(
        &[&base[..], &tls[..]].concat(),
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"authenticated\":true,\"via\":\"cookie\"}\n");
    let sse_url = format!("{}/auth/sse/cookie", mock.http_url());
    let sse_base = [
        "sse",
        &sse_url,
        "-n",
        "1",
        "--timeout",
        "10",
        "--login-url",
        &login,
        "--login-body",
        body,
    ];
    let out = sockpit(
        &[&sse_base[..], &tls[..]].concat(),
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains(r#""via":"cookie""#), "{}", out.stdout);

    // Without the server's CA the login step fails first, and says it is the login.
    let out = sockpit(
        &[&base[..], &["--cert", cert, "--key", key][..]].concat(),
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(line.contains("cookie login: request to https://"), "{line}");
    assert!(line.to_lowercase().contains("certificate"), "{line}");

    // With the CA but no client certificate, the login step says the server wants one.
    let out = sockpit(
        &[&base[..], &["--cacert", ca][..]].concat(),
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("cookie login: request to https://")
            && line.contains("requires a client certificate"),
        "{line}"
    );
}
