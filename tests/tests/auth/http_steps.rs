//! Auth patterns that make an HTTP call before each connection, end to end against the mock:
//! cookie login, one-time tickets (fresh on every reconnect, refused when reused) and OAuth2
//! client credentials (cached until expiry), with each failing step named.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_core::auth::{AuthConfig, AuthRunner, OAuth2Config, Secret};
use sockpit_core::ws::TlsOptions;
use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIMIT: Duration = Duration::from_secs(60);

async fn connect(url: &str, extra: &[&str]) -> CliOutput {
    let mut args = vec!["connect", url, "--json", "--count", "1", "--timeout", "10"];
    args.extend_from_slice(extra);
    sockpit(&args, None, LIMIT).await
}

fn via(out: &CliOutput) -> String {
    let msgs = out.received();
    assert!(!msgs.is_empty(), "{out:?}");
    let v: serde_json::Value = serde_json::from_str(msgs[0]["data"].as_str().unwrap()).unwrap();
    v["via"].as_str().unwrap().to_string()
}

fn error_code(out: &CliOutput) -> String {
    let errors = out.events_of("error");
    errors
        .last()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

const LOGIN_BODY: &str = r#"{"username":"demo","password":"demo-pass"}"#;

#[tokio::test]
async fn cookie_login_puts_the_session_cookie_on_the_upgrade() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/cookie", mock.ws_url());
    let login = format!("{}/login", mock.http_url());
    let out = connect(&url, &["--login-url", &login, "--login-body", LOGIN_BODY]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(via(&out), "cookie");
    let headers = out.events_of("open")[0]["request_headers"].to_string();
    assert!(
        headers.contains("sockpit_session=***"),
        "cookie name shown, value hidden: {headers}"
    );
    assert!(!out.stdout.contains("sess-") && !out.stdout.contains("demo-pass"));

    // A wrong password: the login step fails with its status, and the password is not shown.
    let bad = r#"{"username":"demo","password":"nope-nope"}"#;
    let out = connect(&url, &["--login-url", &login, "--login-body", bad]).await;
    assert_eq!(out.status, 1);
    assert_eq!(error_code(&out), "auth.login_failed");
    let line = out.one_error_line();
    assert!(
        line.contains("cookie login: POST") && line.contains("HTTP 401"),
        "{line}"
    );
    assert!(!out.stderr.contains("nope-nope") && !out.stdout.contains("nope-nope"));

    // Without the login the handshake is refused.
    let out = connect(&url, &[]).await;
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("HTTP 401"), "{}", out.stderr);
}

/// Gets a ticket with a plain HTTP/1.1 request (not through Sockpit).
async fn raw_ticket(mock: &MockServer) -> String {
    let mut tcp = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let req = "POST /api/ws-ticket HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-token\r\n\
               Content-Length: 0\r\nConnection: close\r\n\r\n";
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).await.unwrap();
    let body = resp.split("\r\n\r\n").nth(1).unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["ticket"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn tickets_are_fetched_for_every_connect_and_single_use() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let ticket_url = format!("{}/api/ws-ticket", mock.http_url());
    let auth = "Authorization: Bearer demo-token";
    let url = format!("{}/auth/ticket", mock.ws_url());
    for into in ["query:ticket", "header:X-Ticket"] {
        let out = connect(
            &url,
            &[
                "--ticket-url",
                &ticket_url,
                "--ticket-header",
                auth,
                "--ticket-into",
                into,
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{into}: {}", out.stderr);
        assert_eq!(via(&out), "ticket");
        assert!(
            !out.stdout.contains("tkt-"),
            "ticket redacted: {}",
            out.stdout
        );
    }

    // Each reconnect fetches a fresh ticket (the server closes with 1012 after its greeting).
    let again = format!("{url}?close_after=300");
    let out = sockpit(
        &[
            "connect",
            &again,
            "--json",
            "--count",
            "3",
            "--timeout",
            "20",
            "--reconnect",
            "--backoff-base",
            "0.05",
            "--ticket-url",
            &ticket_url,
            "--ticket-header",
            auth,
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.received().len(), 3);
    assert!(out.events_of("open").len() >= 3);

    // A ticket used twice is refused the second time.
    let ticket = raw_ticket(&mock).await;
    let with = format!("{url}?ticket={ticket}");
    assert_eq!(connect(&with, &[]).await.status, 0);
    let out = connect(&with, &[]).await;
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("HTTP 401") && out.stderr.contains("already used"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn ticket_endpoint_failures_name_the_step() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/ticket", mock.ws_url());
    let auth = "Authorization: Bearer demo-token";
    let cases = [
        ("?shape=text", auth, "auth.ticket_not_json", "is not JSON"),
        (
            "?shape=empty",
            auth,
            "auth.ticket_pointer_missing",
            "pointer '/ticket'",
        ),
        (
            "",
            "Authorization: Bearer wrong-1",
            "auth.ticket_failed",
            "HTTP 401",
        ),
    ];
    for (query, header, code, text) in cases {
        let ticket_url = format!("{}/api/ws-ticket{query}", mock.http_url());
        let out = connect(
            &url,
            &["--ticket-url", &ticket_url, "--ticket-header", header],
        )
        .await;
        assert_eq!(out.status, 1, "{query}");
        assert_eq!(error_code(&out), code, "{out:?}");
        let line = out.one_error_line();
        assert!(
            line.contains("ticket request") && line.contains(text),
            "{line}"
        );
        assert!(!line.contains("wrong-1"), "{line}");
    }
}

#[tokio::test]
async fn oauth2_client_credentials_become_a_bearer_token() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/header", mock.ws_url());
    let token_url = format!("{}/oauth/token", mock.http_url());
    let ok = [
        "--oauth2-token-url",
        &token_url,
        "--client-id",
        "demo-client",
    ];
    let mut args = ok.to_vec();
    args.extend(["--client-secret", "demo-secret", "--scope", "read"]);
    let out = connect(&url, &args).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(via(&out), "oauth2");
    assert!(!out.stdout.contains("oat-") && !out.stdout.contains("demo-secret"));

    let mut args = ok.to_vec();
    args.extend(["--client-secret", "wrong-secret"]);
    let out = connect(&url, &args).await;
    assert_eq!(out.status, 1);
    assert_eq!(error_code(&out), "auth.token_failed");
    let line = out.one_error_line();
    assert!(
        line.contains("OAuth2 token request") && line.contains("invalid_client"),
        "{line}"
    );
    assert!(!out.stderr.contains("wrong-secret"));

    // An unreachable token endpoint.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/oauth/token", closed.local_addr().unwrap());
    drop(closed);
    let args = [
        "--oauth2-token-url",
        &dead,
        "--client-id",
        "c",
        "--client-secret",
        "s3cret",
    ];
    let out = connect(&url, &args).await;
    assert_eq!(out.status, 1);
    assert_eq!(error_code(&out), "auth.request_failed");
    assert!(
        out.one_error_line().contains("OAuth2 token request"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn oauth2_tokens_are_reused_until_they_expire() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    // The runner treats a token as expired 5 s early: 6 s leaves it 1 s of use.
    let cfg = AuthConfig {
        oauth2: Some(OAuth2Config {
            token_url: format!("{}/oauth/token?expires_in=6", mock.http_url()),
            client_id: "demo-client".into(),
            client_secret: Secret::new("demo-secret"),
            scope: None,
        }),
        ..AuthConfig::default()
    };
    let runner = AuthRunner::new(cfg, &TlsOptions::default(), Duration::from_secs(5)).unwrap();
    let bearer = |p: &sockpit_core::auth::Prepared| p.headers[0].1.clone();
    let first = bearer(&runner.prepare().await.unwrap());
    let second = bearer(&runner.prepare().await.unwrap());
    assert_eq!(first, second, "cached");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let third = bearer(&runner.prepare().await.unwrap());
    assert_ne!(first, third, "refreshed after expiry");
    assert!(third.starts_with("Bearer oat-"));
}
