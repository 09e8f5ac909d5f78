//! Auth HTTP calls (login, ticket, OAuth2 token) travel through the connection's proxy, for
//! `connect` and `sse`: the in-test proxy logs what it carried. A proxy that is down or refuses is
//! a clear error naming the auth step and the proxy.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::servers::{logging_proxy, refusing_proxy};
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(60);
const LOGIN_BODY: &str = r#"{"username":"demo","password":"demo-pass"}"#;

async fn run(args: &[&str]) -> CliOutput {
    sockpit(args, None, LIMIT).await
}

#[tokio::test]
async fn login_ticket_and_token_requests_go_through_the_proxy() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (port, log) = logging_proxy().await;
    let proxy = format!("http://127.0.0.1:{port}");
    let http = mock.http_url();
    let ws = mock.ws_url();
    let login = format!("{http}/login");
    let ticket = format!("{http}/api/ws-ticket");
    let token = format!("{http}/oauth/token");
    let bearer = "Authorization: Bearer demo-token";
    let common = ["--json", "--timeout", "10", "--proxy", &proxy];
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "connect".into(),
                format!("{ws}/auth/cookie"),
                "-n".into(),
                "1".into(),
                "--login-url".into(),
                login.clone(),
                "--login-body".into(),
                LOGIN_BODY.into(),
            ],
            "POST /login",
        ),
        (
            vec![
                "connect".into(),
                format!("{ws}/auth/ticket"),
                "-n".into(),
                "1".into(),
                "--ticket-url".into(),
                ticket.clone(),
                "--ticket-header".into(),
                bearer.into(),
            ],
            "POST /api/ws-ticket",
        ),
        (
            vec![
                "connect".into(),
                format!("{ws}/auth/header"),
                "-n".into(),
                "1".into(),
                "--oauth2-token-url".into(),
                token.clone(),
                "--client-id".into(),
                "demo-client".into(),
                "--client-secret".into(),
                "demo-secret".into(),
            ],
            "POST /oauth/token",
        ),
        (
            vec![
                "sse".into(),
                format!("{http}/auth/sse/cookie"),
                "-n".into(),
                "1".into(),
                "--login-url".into(),
                login.clone(),
                "--login-body".into(),
                LOGIN_BODY.into(),
            ],
            "POST /login",
        ),
    ];
    for (args, expected) in cases {
        log.lock().unwrap().clear();
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(&common);
        let out = run(&all).await;
        assert_eq!(out.status, 0, "{args:?}: {}", out.stderr);
        let seen = log.lock().unwrap().clone();
        // A plain http:// call is forwarded in absolute form: its request line names the URL.
        let authority = mock.addr().to_string();
        let auth_call = expected.replacen(' ', &format!(" http://{authority}"), 1);
        assert!(
            seen.iter().any(|l| l.starts_with(&auth_call)),
            "{expected} went through the proxy: {seen:?}"
        );
        // ... and so did the socket itself: a tunnel for ws://, a forwarded GET for SSE.
        let socket_line = if args[0] == "connect" {
            format!("CONNECT {authority}")
        } else {
            format!("GET http://{authority}/auth/sse/cookie")
        };
        assert!(seen.iter().any(|l| l.starts_with(&socket_line)), "{seen:?}");
    }
}

#[tokio::test]
async fn a_proxy_that_is_down_or_refuses_fails_the_login_step_clearly() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/cookie", mock.ws_url());
    let login = format!("{}/login", mock.http_url());
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let args = |proxy: &str| {
        vec![
            "connect".to_string(),
            url.clone(),
            "--json".into(),
            "-n".into(),
            "1".into(),
            "--timeout".into(),
            "10".into(),
            "--proxy".into(),
            proxy.to_string(),
            "--login-url".into(),
            login.clone(),
            "--login-body".into(),
            LOGIN_BODY.into(),
        ]
    };
    let a = args(&dead);
    let out = run(&a.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.events_of("error")[0]["code"], "auth.request_failed");
    let line = out.one_error_line();
    assert!(
        line.contains("cookie login: request to")
            && line.contains(&format!("through proxy {dead}"))
            && line.contains("check --proxy"),
        "{line}"
    );
    assert!(!line.contains("demo-pass"));

    let refusing = format!("http://127.0.0.1:{}", refusing_proxy().await);
    let a = args(&refusing);
    let out = run(&a.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.events_of("error")[0]["code"], "auth.login_failed");
    let line = out.one_error_line();
    assert!(
        line.contains("cookie login: POST")
            && line.contains("HTTP 403")
            && line.contains("blocked by policy")
            && line.contains("the proxy refused it"),
        "{line}"
    );
}

#[tokio::test]
async fn a_socks5_proxy_carries_the_login_and_the_socket() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (port, tunnels) = sockpit_tests::servers::socks5_proxy().await;
    let proxy = format!("socks5://127.0.0.1:{port}");
    let url = format!("{}/auth/cookie", mock.ws_url());
    let login = format!("{}/login", mock.http_url());
    let out = run(&[
        "connect",
        &url,
        "-n",
        "1",
        "--timeout",
        "10",
        "--proxy",
        &proxy,
        "--login-url",
        &login,
        "--login-body",
        LOGIN_BODY,
    ])
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"authenticated\":true,\"via\":\"cookie\"}\n");
    // One tunnel for the login, one for the WebSocket.
    assert_eq!(tunnels.load(std::sync::atomic::Ordering::SeqCst), 2);
}
