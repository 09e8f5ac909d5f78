//! First-message auth end to end against the mock and the Python `websockets` peer: the auth
//! message goes first, user sends wait for the acknowledgement, and every failure is clear.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, Peer};

const LIMIT: Duration = Duration::from_secs(60);

fn auth_msg(token: &str) -> String {
    format!(r#"{{"type":"auth","token":"{token}"}}"#)
}

#[tokio::test]
async fn sends_wait_for_the_ack_on_the_mock_and_the_python_peer() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let peer = Peer::python("auth_server.py").await;
    let targets = [
        (
            format!("{}/auth/first-message", mock.ws_url()),
            "demo-token",
        ),
        (peer.ws_url("/first-message"), "py-secret"),
    ];
    for (url, token) in targets {
        let msg = auth_msg(token);
        for ack in ["/type=auth_ok", "auth_ok"] {
            let out = sockpit(
                &[
                    "connect",
                    &url,
                    "--json",
                    "--count",
                    "2",
                    "--timeout",
                    "10",
                    "--auth-first-message",
                    &msg,
                    "--auth-ack",
                    ack,
                    "--send",
                    "hello",
                ],
                None,
                LIMIT,
            )
            .await;
            assert_eq!(out.status, 0, "{url}: {}", out.stderr);
            let received: Vec<String> = out
                .received()
                .iter()
                .map(|m| m["data"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(received, [r#"{"type":"auth_ok"}"#, "hello"], "{url}");
            let sent: Vec<serde_json::Value> = out
                .events_of("message")
                .into_iter()
                .filter(|m| m["dir"] == "out")
                .collect();
            assert_eq!(sent.len(), 2, "{out:?}");
            // The auth message went first (shown redacted), the user's send after the ack.
            assert_eq!(sent[0]["data"], "***");
            assert_eq!(sent[1]["data"], "hello");
            let ack_t = out.received()[0]["t_ms"].as_f64().unwrap();
            assert!(sent[1]["t_ms"].as_f64().unwrap() >= ack_t);
            assert!(!out.stdout.contains(token));
            assert!(!out.events_of("queued").is_empty(), "the send was queued");
        }
    }
}

#[tokio::test]
async fn a_wrong_token_shows_4001_and_its_reason() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let peer = Peer::python("auth_server.py").await;
    for url in [
        format!("{}/auth/first-message", mock.ws_url()),
        peer.ws_url("/first-message"),
    ] {
        let msg = auth_msg("wrong");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "--timeout",
                "10",
                "--auth-first-message",
                &msg,
                "--auth-ack",
                "/type=auth_ok",
                "--reconnect",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 1, "{url}: {out:?}");
        let line = out.one_error_line();
        assert!(line.contains("first-message auth"), "{line}");
        assert!(line.contains("4001 'Invalid credentials'"), "{line}");
        let err = out.events_of("error");
        assert_eq!(err.last().unwrap()["code"], "auth.rejected");
        assert_eq!(out.events_of("connecting").len(), 1, "4001 is not retried");
    }
}

#[tokio::test]
async fn an_ack_that_never_comes_times_out_and_servers_time_out_silent_clients() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/first-message", mock.ws_url());
    let msg = auth_msg("demo-token");
    let peer = Peer::python("auth_server.py").await;
    let py_url = peer.ws_url("/first-message");
    let never_args = [
        "connect",
        &url,
        "--json",
        "--timeout",
        "10",
        "--auth-first-message",
        &msg,
        "--auth-ack",
        "/type=welcome",
        "--auth-ack-timeout",
        "0.5",
    ];
    let never = sockpit(&never_args, None, LIMIT);
    // Without an auth message both servers close 4002 after 5 s.
    let mock_args = ["connect", &url, "--timeout", "10", "--count", "1"];
    let py_args = ["connect", &py_url, "--timeout", "10", "--count", "1"];
    let silent_mock = sockpit(&mock_args, None, LIMIT);
    let silent_py = sockpit(&py_args, None, LIMIT);
    let (never, silent_mock, silent_py) = tokio::join!(never, silent_mock, silent_py);
    assert_eq!(never.status, 1, "{never:?}");
    let line = never.one_error_line();
    assert!(
        line.contains("no acknowledgement matching '/type' = 'welcome' within 500 ms"),
        "{line}"
    );
    assert_eq!(never.events_of("error")[0]["code"], "auth.ack_timeout");
    let close = never.events_of("close");
    assert_eq!(close[0]["code"], 1008, "{close:?}");
    for out in [silent_mock, silent_py] {
        assert_eq!(out.status, 1, "{out:?}");
        let line = out.one_error_line();
        assert!(
            line.contains("4002") && line.contains("Authentication timeout"),
            "{line}"
        );
    }
}
