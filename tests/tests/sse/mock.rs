//! The SSE engine and `sockpit sse` against the mock's `/sse` and `/feed`: resume after a drop
//! with `Last-Event-ID`, 204, `retry`, backoff, line endings and chunking, POST, -n, --timeout.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use sockpit_core::sse::{SseConfig, SseEndReason, SseHandle, SseSessionEvent};
use sockpit_core::ws::ReconnectPolicy;
use sockpit_mock::sse::feed_item;
use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(30);

async fn mock() -> MockServer {
    MockServer::start("127.0.0.1", 0)
        .await
        .expect("mock starts")
}

/// Item `i` of the mock feed as `(type, id, data)`.
fn item(i: u64) -> (String, String, String) {
    let it = feed_item(i);
    (
        it.event_type.unwrap_or("message").to_string(),
        it.id.to_string(),
        it.data,
    )
}

fn items(range: std::ops::RangeInclusive<u64>) -> Vec<(String, String, String)> {
    range.map(item).collect()
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

/// Runs a subscription to its end and returns every event.
async fn collect(cfg: SseConfig) -> Vec<SseSessionEvent> {
    let mut handle = SseHandle::spawn(cfg);
    let mut all = Vec::new();
    let run = async {
        while let Some(batch) = handle.next_batch().await {
            all.extend(batch);
        }
    };
    tokio::time::timeout(LIMIT, run)
        .await
        .expect("the subscription ends");
    all
}

fn policy(base_ms: u64, max_ms: u64, retries: u32) -> ReconnectPolicy {
    ReconnectPolicy {
        base_delay: Duration::from_millis(base_ms),
        max_delay: Duration::from_millis(max_ms),
        max_retries: Some(retries),
    }
}

fn end_reason(events: &[SseSessionEvent]) -> Option<SseEndReason> {
    match events.last() {
        Some(SseSessionEvent::Ended { reason, .. }) => Some(*reason),
        _ => None,
    }
}

#[tokio::test]
async fn drop_mid_event_resumes_with_last_event_id_and_204_stops() {
    let m = mock().await;
    let url = format!(
        "{}/sse?n=8&interval=0&drop_after=3&retry=50&done=1",
        m.http_url()
    );
    let out = sockpit(&["sse", "--json", "--reconnect", &url], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(
        sse_events(&out),
        items(1..=8),
        "every event once, in order, no partial one"
    );
    assert!(!out.stdout.contains("\"data\":\"partial\""));
    let sent_ids: Vec<Value> = out
        .events_of("connecting")
        .iter()
        .map(|c| c["last_event_id"].clone())
        .collect();
    assert_eq!(
        sent_ids,
        [Value::Null, "3".into(), "6".into(), "8".into()],
        "Last-Event-ID on every reconnect"
    );
    let closed: Vec<bool> = out
        .events_of("closed")
        .iter()
        .map(|c| c["discarded"].as_bool().unwrap_or_default())
        .collect();
    assert_eq!(
        closed,
        [true, true, false],
        "two drops mid-event, then the end"
    );
    assert_eq!(out.events_of("error").len(), 2, "each drop is reported");
    assert_eq!(
        out.events_of("open").last().map(|o| o["status"].clone()),
        Some(204.into())
    );
    let end = out.events_of("end");
    assert_eq!(end[0]["reason"], "no_content", "204 stops reconnecting");
}

#[tokio::test]
async fn retry_sets_the_reconnect_delay() {
    let m = mock().await;
    let mut cfg = SseConfig::new(format!(
        "{}/sse?n=2&interval=0&retry=300&done=1",
        m.http_url()
    ));
    // A base delay far from the server's retry, so that honouring it shows.
    cfg.reconnect = Some(policy(5_000, 10_000, 3));
    let events = collect(cfg).await;
    let delays: Vec<Duration> = events
        .iter()
        .filter_map(|e| match e {
            SseSessionEvent::Reconnecting { delay, .. } => Some(*delay),
            _ => None,
        })
        .collect();
    assert_eq!(delays, [Duration::from_millis(300)]);
    let closed_t = events.iter().find_map(|e| match e {
        SseSessionEvent::Closed { t, .. } => Some(*t),
        _ => None,
    });
    let reconnect_t = events.iter().find_map(|e| match e {
        SseSessionEvent::Connecting { t, attempt: 1, .. } => Some(*t),
        _ => None,
    });
    let gap = Duration::from_nanos(reconnect_t.unwrap_or(0) - closed_t.unwrap_or(0));
    assert!(
        gap >= Duration::from_millis(290) && gap < Duration::from_millis(2_000),
        "waited {gap:?} for a retry of 300 ms"
    );
    assert_eq!(end_reason(&events), Some(SseEndReason::NoContent));
}

#[tokio::test]
async fn repeated_failures_back_off_then_give_up() {
    // A port that refuses: bound, then released.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut cfg = SseConfig::new(format!("http://127.0.0.1:{port}/sse"));
    cfg.reconnect = Some(policy(40, 200, 4));
    let events = collect(cfg).await;
    let delays: Vec<u128> = events
        .iter()
        .filter_map(|e| match e {
            SseSessionEvent::Reconnecting { delay, .. } => Some(delay.as_millis()),
            _ => None,
        })
        .collect();
    assert_eq!(delays.len(), 4, "{events:?}");
    assert_eq!(delays[0], 40, "the first wait is the base delay");
    // Later waits: 2^(n-1) x base capped at 200 ms, with up to half of it random.
    for (d, full) in delays[1..].iter().zip([80u128, 160, 200]) {
        assert!(
            *d >= full / 2 && *d <= full,
            "delay {d} ms for a full {full} ms"
        );
    }
    let codes: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            SseSessionEvent::Error { error, .. } => Some(error.code()),
            _ => None,
        })
        .collect();
    assert_eq!(codes.last(), Some(&"sse.gave_up"));
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "sse.connection_refused")
            .count(),
        5
    );
    assert_eq!(end_reason(&events), Some(SseEndReason::Failed));
}

#[tokio::test]
async fn line_endings_bom_and_chunking_give_the_same_events() {
    let m = mock().await;
    for eol in ["lf", "crlf", "cr"] {
        for extra in ["", "&chunk=1", "&chunk=7&bom=1", "&bom=1"] {
            let url = format!("{}/sse?n=11&interval=0&eol={eol}{extra}", m.http_url());
            let out = sockpit(&["sse", "--json", &url], None, LIMIT).await;
            assert_eq!(out.status, 0, "{url}: {out:?}");
            assert_eq!(sse_events(&out), items(1..=11), "{url}");
            let comments = out.events_of("comment");
            assert_eq!(
                comments[0]["text"], " sockpit mock feed",
                "{url}: a BOM is skipped"
            );
            assert_eq!(comments.len(), 3, "{url}: the preamble and two keepalives");
        }
    }
}

#[tokio::test]
async fn post_body_headers_and_last_event_id_reach_the_server() {
    let m = mock().await;
    let url = format!("{}/sse?n=2&interval=0&echo=1", m.http_url());
    let out = sockpit(
        &[
            "sse",
            "--json",
            "--data",
            "{\"q\":1}",
            "-H",
            "X-Token: secret",
            "--last-event-id",
            "0",
            &url,
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let sse = out.events_of("sse");
    assert_eq!(sse[0]["type"], "request");
    let req: Value =
        serde_json::from_str(sse[0]["data"].as_str().unwrap_or_default()).expect("echo is JSON");
    assert_eq!(req["method"], "POST");
    assert_eq!(req["body"], "{\"q\":1}");
    assert_eq!(req["last_event_id"], "0");
    assert_eq!(req["headers"]["x-token"], "secret");
    assert_eq!(req["headers"]["accept"], "text/event-stream");
    assert_eq!(req["headers"]["cache-control"], "no-cache");
    assert_eq!(sse.len(), 3, "the request echo, then items 1 and 2");

    let out = sockpit(&["sse", "--json", "-X", "PUT", &url], None, LIMIT).await;
    let req: Value =
        serde_json::from_str(out.events_of("sse")[0]["data"].as_str().unwrap_or_default())
            .expect("echo is JSON");
    assert_eq!(
        (req["method"].as_str(), req["body"].as_str()),
        (Some("PUT"), Some(""))
    );
}

#[tokio::test]
async fn count_ends_an_endless_feed_and_timeout_exits_3() {
    let m = mock().await;
    let url = format!("{}/sse?n=0&interval=5", m.http_url());
    let out = sockpit(&["sse", "-n", "4", &url], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    let want: String = (1..=4).map(|i| item(i).2 + "\n").collect();
    assert_eq!(out.stdout, want);

    let out = sockpit(&["sse", "--json", "--timeout", "0.4", &url], None, LIMIT).await;
    assert_eq!(out.status, 3, "{out:?}");
    assert!(
        out.one_error_line().contains("timed out after 0.4 s"),
        "{out:?}"
    );
    let err = out.events_of("error");
    assert_eq!(
        err.last().map(|e| e["code"].clone()),
        Some("cli.timeout".into())
    );
    assert!(
        out.events_of("sse").len() >= 3,
        "events arrived before the timeout"
    );
}

#[tokio::test]
async fn unsubscribe_ends_the_subscription() {
    let m = mock().await;
    let mut cfg = SseConfig::new(format!("{}/sse?n=0&interval=10", m.http_url()));
    cfg.reconnect = Some(policy(50, 100, 5));
    let mut handle = SseHandle::spawn(cfg);
    let control = handle.control();
    let mut events = 0;
    let mut ended = None;
    let run = async {
        while let Some(batch) = handle.next_batch().await {
            for ev in batch {
                match ev {
                    SseSessionEvent::Event { .. } => {
                        events += 1;
                        if events == 3 {
                            control.close().await.expect("the task listens");
                        }
                    }
                    SseSessionEvent::Ended { reason, .. } => ended = Some(reason),
                    _ => {}
                }
            }
        }
    };
    tokio::time::timeout(LIMIT, run)
        .await
        .expect("ends after close");
    assert_eq!(ended, Some(SseEndReason::Unsubscribed));
    assert!((3..10).contains(&events), "{events} events");
    assert!(control.close().await.is_err(), "the task is gone");
}

#[tokio::test]
async fn feed_over_websocket_carries_the_same_items() {
    let m = mock().await;
    let url = format!("{}/feed?n=7&interval=0&last_event_id=2", m.ws_url());
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("feed upgrade");
    let mut got = Vec::new();
    while let Some(Ok(msg)) = tokio::time::timeout(LIMIT, ws.next())
        .await
        .expect("feed sends")
    {
        if let Ok(text) = msg.to_text() {
            if msg.is_text() {
                let v: Value = serde_json::from_str(text).expect("JSON item");
                got.push((
                    v["type"].as_str().unwrap_or_default().to_string(),
                    v["id"].as_str().unwrap_or_default().to_string(),
                    v["data"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
        if msg.is_close() {
            break;
        }
    }
    assert_eq!(got, items(3..=7), "resumed after id 2, same items as /sse");
}

#[tokio::test]
async fn dropping_the_handle_closes_a_silent_stream() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: one\n\n";
        let _ = s.write_all(head.as_bytes()).await;
        // Then silence, until the client hangs up.
        while let Ok(n) = s.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
        let _ = closed_tx.send(());
    });
    let mut handle = SseHandle::spawn(SseConfig::new(format!("http://127.0.0.1:{port}/")));
    let first = async {
        while let Some(batch) = handle.next_batch().await {
            if batch
                .iter()
                .any(|e| matches!(e, SseSessionEvent::Event { .. }))
            {
                return;
            }
        }
    };
    tokio::time::timeout(LIMIT, first).await.expect("one event");
    drop(handle);
    tokio::time::timeout(Duration::from_secs(5), closed_rx)
        .await
        .expect("the task closes the connection once nobody listens")
        .expect("server saw the end");
}
