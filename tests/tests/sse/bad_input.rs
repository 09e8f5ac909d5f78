//! Bad input to `sockpit sse`, each a clear error with the right exit status: a wrong content type,
//! 4xx/5xx (status, headers and body shown), an endless line, a server that never sends, a drop
//! mid-event, refused connections and malformed arguments. The misbehaving server is the plain
//! Node `http` peer (`tests/peers/sse_node_server.js`) unless said otherwise.

use std::time::Duration;

use serde_json::Value;
use sockpit_mock::MockServer;
use sockpit_tests::servers::silent_server;
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(30);

async fn node() -> Peer {
    Peer::node("sse_node_server.js").await
}

async fn run(args: &[&str]) -> CliOutput {
    sockpit(args, None, LIMIT).await
}

fn assert_error(out: &CliOutput, status: i32, needles: &[&str]) {
    assert_eq!(out.status, status, "{out:?}");
    let line = out.one_error_line();
    for n in needles {
        assert!(line.contains(n), "{line:?} lacks {n:?}");
    }
}

fn header<'a>(err: &'a Value, name: &str) -> Option<&'a str> {
    err["headers"].as_array()?.iter().find_map(|pair| {
        (pair[0].as_str()? == name)
            .then(|| pair[1].as_str())
            .flatten()
    })
}

#[tokio::test]
async fn wrong_content_type_shows_status_type_and_body() {
    let peer = node().await;
    let url = peer.http_url("/wrong-type");
    let out = run(&["sse", &url]).await;
    assert_error(
        &out,
        1,
        &[
            "HTTP 200",
            "'application/json', not text/event-stream",
            "this is not an event stream",
        ],
    );
    let out = run(&["sse", "--json", "--reconnect", &url]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let err = &out.events_of("error")[0];
    assert_eq!(err["code"], "sse.content_type");
    assert_eq!(err["status"], 200);
    assert_eq!(err["body"], "{\"error\":\"this is not an event stream\"}");
    assert_eq!(header(err, "content-type"), Some("application/json"));
    assert_eq!(out.events_of("connecting").len(), 1, "not retried");

    // The mock's /reject answers 200 text/plain to a plain GET: the same error.
    let m = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let out = run(&[
        "sse",
        &format!("{}/reject?status=200&body=hi", m.http_url()),
    ])
    .await;
    assert_error(&out, 1, &["HTTP 200", "'text/plain'", ": hi"]);
}

#[tokio::test]
async fn client_and_server_errors_show_status_headers_and_body() {
    let peer = node().await;
    let out = run(&["sse", &peer.http_url("/status?code=404")]).await;
    assert_error(
        &out,
        1,
        &[
            "HTTP 404 Not Found",
            "text/plain",
            "backend says no (404): try again later",
        ],
    );
    let out = run(&["sse", "--json", &peer.http_url("/status?code=503")]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let err = &out.events_of("error")[0];
    assert_eq!(err["code"], "sse.http_status");
    assert_eq!(err["status"], 503);
    assert_eq!(header(err, "x-request-id"), Some("req-42"));
    assert_eq!(err["body"], "backend says no (503): try again later");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("HTTP 503 Service Unavailable")),
        "{err}"
    );

    // With --reconnect a 5xx is retried (then given up), a 4xx is not.
    let out = run(&[
        "sse",
        "--json",
        "--max-retries",
        "2",
        "--backoff-base",
        "0.02",
        &peer.http_url("/status?code=503"),
    ])
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.events_of("connecting").len(), 3);
    assert!(out
        .one_error_line()
        .contains("gave up after 2 reconnect attempts"));
    let out = run(&[
        "sse",
        "--json",
        "--reconnect",
        &peer.http_url("/status?code=401"),
    ])
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.events_of("connecting").len(), 1, "a 401 is not retried");
    assert!(out.one_error_line().contains("HTTP 401 Unauthorized"));
}

#[tokio::test]
async fn an_endless_line_hits_the_max_event_size() {
    let peer = node().await;
    let out = run(&[
        "sse",
        "--json",
        "--max-event-size",
        "1048576",
        &peer.http_url("/endless"),
    ])
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(out.events_of("sse").is_empty());
    let err = &out.events_of("error")[0];
    assert_eq!(err["code"], "sse.event_too_large");
    assert!(
        out.one_error_line().contains("limit of 1048576 bytes"),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_sends_times_out_with_status_3() {
    let peer = node().await;
    let silent = peer.http_url("/silent");
    // Headers, then silence: the read timeout.
    let out = run(&["sse", "--json", "--read-timeout", "0.3", &silent]).await;
    assert_error(&out, 3, &["timed out after 300 ms", "waiting for data"]);
    assert_eq!(out.events_of("error")[0]["code"], "sse.timeout");
    assert_eq!(out.events_of("open")[0]["status"], 200);
    // The whole-run bound.
    let out = run(&["sse", "--timeout", "0.3", &silent]).await;
    assert_error(&out, 3, &["timed out after 0.3 s (--timeout)"]);
    // No response at all: the response timeout.
    let port = silent_server().await;
    let out = run(&[
        "sse",
        "--response-timeout",
        "0.3",
        &format!("http://127.0.0.1:{port}/sse"),
    ])
    .await;
    assert_error(&out, 3, &["timed out", "no HTTP status and headers"]);
}

#[tokio::test]
async fn a_drop_mid_event_does_not_dispatch_the_partial_event() {
    let peer = node().await;
    let url = peer.http_url("/drop-mid-event");
    let out = run(&["sse", &url]).await;
    assert_eq!(out.stdout, "complete\n", "{out:?}");
    assert_error(&out, 1, &["connection lost while reading the event stream"]);

    let out = run(&["sse", "--json", &url]).await;
    let data: Vec<Value> = out
        .events_of("sse")
        .iter()
        .map(|e| e["data"].clone())
        .collect();
    assert_eq!(data, ["complete"]);
    assert_eq!(out.events_of("closed")[0]["discarded"], true);
    assert_eq!(out.events_of("error")[0]["code"], "sse.io");

    // With --reconnect the next request carries the last complete event's id (the peer answers
    // that one with 204).
    let out = run(&[
        "sse",
        "--json",
        "--max-retries",
        "1",
        "--backoff-base",
        "0.02",
        &url,
    ])
    .await;
    let ids: Vec<Value> = out
        .events_of("connecting")
        .iter()
        .map(|c| c["last_event_id"].clone())
        .collect();
    assert_eq!(ids, [Value::Null, "1".into()], "{out:?}");
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(out.events_of("end")[0]["reason"], "no_content");
}

#[tokio::test]
async fn refused_connections_and_bad_arguments() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let out = run(&["sse", &format!("http://127.0.0.1:{port}/")]).await;
    assert_error(&out, 1, &["connection refused by 127.0.0.1:"]);
    let out = run(&["sse", "--json", &format!("http://127.0.0.1:{port}/")]).await;
    assert_eq!(out.events_of("error")[0]["code"], "sse.connection_refused");

    for (args, needle) in [
        (vec!["sse", "127.0.0.1:8080/x"], "did you mean http://"),
        (vec!["sse", "ws://127.0.0.1:1/"], "unsupported scheme 'ws'"),
        (
            vec!["sse", "http://127.0.0.1:1/", "-H", "NoColon"],
            "header 'NoColon'",
        ),
        (
            vec!["sse", "http://127.0.0.1:1/", "-X", "BAD METHOD"],
            "invalid HTTP method",
        ),
        (
            vec!["sse", "http://127.0.0.1:1/", "--timeout=-1"],
            "--timeout",
        ),
        (
            vec!["sse", "http://127.0.0.1:1/", "--data", "@/nonexistent/body"],
            "cannot read",
        ),
    ] {
        let out = run(&args).await;
        assert_error(&out, 2, &[needle]);
    }
}
