//! Header auth on `sockpit sse`: bearer, basic and API key reach the server (the mock's `/sse?echo=1`
//! sends the request back); patterns that need a WebSocket are usage errors saying why.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn sse_carries_header_auth_and_refuses_the_rest_clearly() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/sse?echo=1&n=1", mock.http_url());
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["--bearer", "sse-token"],
            "authorization",
            "Bearer sse-token",
        ),
        (
            &["--basic", "demo:demo-pass"],
            "authorization",
            "Basic ZGVtbzpkZW1vLXBhc3M=",
        ),
        (&["--api-key", "X-API-Key: k-123"], "x-api-key", "k-123"),
    ];
    for (flags, header, value) in cases {
        let mut args = vec!["sse", &url, "--json", "-n", "1", "--timeout", "10"];
        args.extend_from_slice(flags);
        let out = sockpit(&args, None, LIMIT).await;
        assert_eq!(out.status, 0, "{flags:?}: {}", out.stderr);
        let ev = out.events_of("sse");
        let req: serde_json::Value = serde_json::from_str(ev[0]["data"].as_str().unwrap()).unwrap();
        assert_eq!(req["headers"][header], value, "{req}");
    }
    let needs_ws: [(&[&str], &str); 3] = [
        (&["--subprotocol-token", "t"], "--subprotocol-token"),
        (
            &["--auth-first-message", "{}", "--auth-ack", "ok"],
            "--auth-first-message",
        ),
        (
            &[
                "--ticket-url",
                "http://127.0.0.1:1/t",
                "--ticket-into",
                "message",
            ],
            "--ticket-into message",
        ),
    ];
    for (flags, named) in needs_ws {
        let mut args = vec!["sse", &url, "-n", "1"];
        args.extend_from_slice(flags);
        let out = sockpit(&args, None, LIMIT).await;
        assert_eq!(out.status, 2, "{flags:?}");
        let line = out.one_error_line();
        assert!(
            line.contains(named) && line.contains("needs a WebSocket"),
            "{line}"
        );
    }
}
