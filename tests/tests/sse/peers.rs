//! `sockpit sse` against real SSE servers no one here wrote: sse-starlette on uvicorn (CRLF line
//! ends) and a plain Node `http` server (LF). Scripts in `tests/peers/`.

use std::time::Duration;

use serde_json::{json, Value};
use sockpit_tests::{sockpit, CliOutput, Peer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIMIT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Starlette,
    Node,
}

async fn start(kind: Kind) -> Peer {
    match kind {
        Kind::Starlette => Peer::python("sse_starlette_server.py").await,
        Kind::Node => Peer::node("sse_node_server.js").await,
    }
}

/// Event `i` of the peers' `/events`: (type, id, data).
fn expected(kind: Kind, i: u64) -> (String, String, String) {
    let event_type = if i % 3 == 0 { "message" } else { "tick" };
    let data = if i % 2 == 0 {
        format!("line one of {i}\nline two of {i}")
    } else if kind == Kind::Starlette {
        format!("{{\"i\": {i}}}") // Python's json.dumps
    } else {
        format!("{{\"i\":{i}}}")
    };
    (event_type.into(), i.to_string(), data)
}

fn sse_events(out: &CliOutput) -> Vec<(String, String, String)> {
    out.events_of("sse")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_string(),
                e["id"].as_str().unwrap_or_default().to_string(),
                e["data"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The raw bytes of a GET, to see the peer's line endings for ourselves.
async fn raw_get(port: u16, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the peer");
    let req =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("send request");
    let mut buf = Vec::new();
    tokio::time::timeout(LIMIT, s.read_to_end(&mut buf))
        .await
        .expect("the peer ends the response")
        .expect("read response");
    String::from_utf8_lossy(&buf).into_owned()
}

async fn events_with_ids_types_and_multiline_data(kind: Kind) {
    let peer = start(kind).await;
    let raw = raw_get(peer.port, "/events?n=2").await;
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    if kind == Kind::Starlette {
        assert!(
            body.contains("id: 1\r\n"),
            "sse-starlette sends CRLF: {raw:?}"
        );
    } else {
        assert!(
            body.contains("id: 1\n") && !body.contains('\r'),
            "Node peer sends LF: {raw:?}"
        );
    }

    let out = sockpit(
        &["sse", "--json", &peer.http_url("/events?n=7")],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let want: Vec<_> = (1..=7).map(|i| expected(kind, i)).collect();
    assert_eq!(sse_events(&out), want, "{kind:?}");
    let sse = out.events_of("sse");
    assert_eq!(sse[0]["retry"], 1500, "retry on the first event");
    assert_eq!(sse[1]["retry"], Value::Null);
    let open = &out.events_of("open")[0];
    assert_eq!(open["status"], 200);
    assert!(
        open["headers"].to_string().contains("text/event-stream"),
        "{open}"
    );
    let comments = out.events_of("comment");
    assert!(
        comments
            .iter()
            .any(|c| c["text"].as_str().is_some_and(|t| t.contains("peer"))),
        "the peer's comment is reported: {comments:?}"
    );
    assert_eq!(out.events_of("end")[0]["reason"], "stream_closed");

    // Human output: the data of each event, multi-line data as is.
    let out = sockpit(&["sse", &peer.http_url("/events?n=3")], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    let want: String = (1..=3).map(|i| expected(kind, i).2 + "\n").collect();
    assert_eq!(out.stdout, want);
    assert_eq!(out.stderr, "");
}

#[tokio::test]
async fn starlette_crlf_events_with_ids_types_and_multiline_data() {
    events_with_ids_types_and_multiline_data(Kind::Starlette).await;
}

#[tokio::test]
async fn node_lf_events_with_ids_types_and_multiline_data() {
    events_with_ids_types_and_multiline_data(Kind::Node).await;
}

async fn last_event_id_and_count(kind: Kind) {
    let peer = start(kind).await;
    let url = peer.http_url("/events?n=9");
    let out = sockpit(
        &["sse", "--json", "--last-event-id", "6", &url],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let want: Vec<_> = (7..=9).map(|i| expected(kind, i)).collect();
    assert_eq!(
        sse_events(&out),
        want,
        "the peer resumed after Last-Event-ID 6"
    );
    assert_eq!(out.events_of("connecting")[0]["last_event_id"], "6");

    let out = sockpit(&["sse", "--json", "-n", "2", &url], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(sse_events(&out).len(), 2, "-n 2 stops after two events");
}

#[tokio::test]
async fn starlette_resumes_from_last_event_id() {
    last_event_id_and_count(Kind::Starlette).await;
}

#[tokio::test]
async fn node_resumes_from_last_event_id() {
    last_event_id_and_count(Kind::Node).await;
}

async fn post_with_a_body(kind: Kind) {
    let peer = start(kind).await;
    let body = r#"{"prompt":"stream me three"}"#;
    let out = sockpit(
        &[
            "sse",
            "--json",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data",
            body,
            &peer.http_url("/chat"),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let sse = out.events_of("sse");
    assert_eq!(sse[0]["type"], "request");
    let echo: Value = serde_json::from_str(sse[0]["data"].as_str().unwrap_or_default())
        .expect("the echo is JSON");
    assert_eq!(
        echo,
        json!({"method": "POST", "body": body, "content_type": "application/json"})
    );
    let rest: Vec<(String, String)> = sse[1..]
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().into(),
                e["data"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        rest,
        pairs(&[
            ("token", "stream"),
            ("token", "me"),
            ("token", "three"),
            ("message", "[DONE]")
        ])
    );

    // --data alone means POST (as curl does); GET is refused by the route.
    let out = sockpit(
        &[
            "sse",
            "--data",
            r#"{"prompt":"x"}"#,
            &peer.http_url("/chat"),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.ends_with("x\n[DONE]\n"), "{out:?}");
    let out = sockpit(&["sse", &peer.http_url("/chat")], None, LIMIT).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(out.one_error_line().contains("HTTP 405"), "{out:?}");
}

#[tokio::test]
async fn starlette_post_with_a_body() {
    post_with_a_body(Kind::Starlette).await;
}

#[tokio::test]
async fn node_post_with_a_body() {
    post_with_a_body(Kind::Node).await;
}
