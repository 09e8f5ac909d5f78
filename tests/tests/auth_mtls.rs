//! Client-certificate auth bad input: a key that does not belong to its certificate is a clear
//! error naming both files, before anything is sent.

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
