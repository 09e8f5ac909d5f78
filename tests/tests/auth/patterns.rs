//! Upgrade-request auth patterns end to end: bearer, basic, API key, query token, subprotocol token,
//! against the mock and the independent Python `websockets` peer; secrets stay out of `--json`.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, Peer};

const LIMIT: Duration = Duration::from_secs(60);

/// Runs `connect URL --json --count 1 --timeout 10 EXTRA...` and returns the output.
async fn connect(url: &str, extra: &[&str]) -> sockpit_tests::CliOutput {
    let mut args = vec!["connect", url, "--json", "--count", "1", "--timeout", "10"];
    args.extend_from_slice(extra);
    sockpit(&args, None, LIMIT).await
}

fn greeting_via(out: &sockpit_tests::CliOutput) -> String {
    let msgs = out.received();
    assert_eq!(msgs.len(), 1, "{out:?}");
    let v: serde_json::Value = serde_json::from_str(msgs[0]["data"].as_str().unwrap()).unwrap();
    assert_eq!(v["authenticated"], true);
    v["via"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn header_patterns_authenticate_and_never_print_the_secret() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/header", mock.ws_url());
    let cases: [(&[&str], &str, &str); 3] = [
        (&["--bearer", "demo-token"], "bearer", "demo-token"),
        (&["--basic", "demo:demo-pass"], "basic", "demo-pass"),
        (
            &["--api-key", "X-API-Key: demo-token"],
            "api_key",
            "demo-token",
        ),
    ];
    for (flags, via, secret) in cases {
        let out = connect(&url, flags).await;
        assert_eq!(out.status, 0, "{flags:?}: {}", out.stderr);
        assert_eq!(greeting_via(&out), via);
        assert!(
            !out.stdout.contains(secret),
            "secret in --json: {}",
            out.stdout
        );
        let open = &out.events_of("open")[0];
        let headers = open["request_headers"].to_string();
        assert!(headers.contains("***"), "redacted header shown: {headers}");
    }
    // A wrong token is refused at the handshake: exit 1 with the status and the server's reason.
    let out = connect(&url, &["--bearer", "wrong-token"]).await;
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("HTTP 401"), "{}", out.stderr);
    assert!(!out.stdout.contains("wrong-token") && !out.stderr.contains("wrong-token"));
    let err = &out.events_of("error")[0];
    assert_eq!(err["code"], "ws.handshake_rejected");
    // Usage errors for malformed flags.
    let out = connect(&url, &["--basic", "nocolon"]).await;
    assert_eq!(out.status, 2);
    assert!(out.one_error_line().contains("--basic"), "{}", out.stderr);
}

#[tokio::test]
async fn query_token_works_on_the_mock_and_the_python_peer_and_is_redacted() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let peer = Peer::python("auth_server.py").await;
    let targets = [
        (format!("{}/auth/query", mock.ws_url()), "demo-token"),
        (peer.ws_url("/query"), "py-secret"),
    ];
    for (url, token) in targets {
        let flag = format!("token={token}");
        let out = connect(&url, &["--query-token", &flag]).await;
        assert_eq!(out.status, 0, "{url}: {}", out.stderr);
        assert_eq!(greeting_via(&out), "query");
        let open = &out.events_of("open")[0];
        assert!(
            open["url"].as_str().unwrap().ends_with("token=***"),
            "{open}"
        );
        assert!(!out.stdout.contains(token), "{}", out.stdout);
        let out = connect(&url, &["--query-token", "token=nope"]).await;
        assert_eq!(out.status, 1, "{url}");
        assert!(out.stderr.contains("401"), "{}", out.stderr);
    }
}

#[tokio::test]
async fn subprotocol_token_is_offered_after_the_real_protocols() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/subprotocol", mock.ws_url());
    let out = connect(&url, &["-p", "chat", "--subprotocol-token", "demo-token"]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(greeting_via(&out), "subprotocol");
    assert_eq!(out.events_of("open")[0]["protocol"], "chat");
    assert!(!out.stdout.contains("demo-token"), "{}", out.stdout);
    let out = connect(&url, &["--subprotocol-token", "other"]).await;
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("401"), "{}", out.stderr);
}
