//! The WebSocket-vs-SSE compare against the mock's `/feed` and `/sse`: the engine API
//! (`CompareHandle`) and `sockpit compare` (keys, order, missing items, mismatches, --duration).

use std::time::Duration;

use serde_json::Value;
use sockpit_core::sse::{
    CompareConfig, CompareEvent, CompareHandle, CompareSummary, KeyRule, SseConfig,
};
use sockpit_core::ws::ConnectConfig;
use sockpit_mock::MockServer;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

async fn mock() -> MockServer {
    MockServer::start("127.0.0.1", 0)
        .await
        .expect("mock starts")
}

#[tokio::test]
async fn engine_pairs_the_same_feed_by_id() {
    let m = mock().await;
    let cfg = CompareConfig {
        ws: ConnectConfig::new(format!("{}/feed?n=15&interval=5", m.ws_url())),
        sse: SseConfig::new(format!("{}/sse?n=15&interval=5", m.http_url())),
        key: KeyRule::Pointer("/id".into()),
        duration: None,
    };
    let mut handle = CompareHandle::spawn(cfg);
    let mut items = Vec::new();
    let mut summary: Option<CompareSummary> = None;
    let mut opens = 0;
    let run = async {
        while let Some(batch) = handle.next_batch().await {
            for ev in batch {
                match ev {
                    CompareEvent::Item(i) => items.push(*i),
                    CompareEvent::Summary(s) => summary = Some(s),
                    CompareEvent::Open { .. } => opens += 1,
                    CompareEvent::Error { message, .. } => panic!("{message}"),
                    CompareEvent::Ended { failed, .. } => assert!(!failed),
                }
            }
        }
    };
    tokio::time::timeout(LIMIT, run)
        .await
        .expect("the compare ends");
    assert_eq!(opens, 2);
    let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
    let want: Vec<String> = (1..=15).map(|i| i.to_string()).collect();
    assert_eq!(keys, want);
    assert!(items.iter().all(|i| i.payload_match == Some(true)));
    let s = summary.expect("a summary ends the compare");
    assert_eq!(
        (s.matched, s.mismatched, s.missing_on_ws, s.missing_on_sse),
        (15, 0, 0, 0)
    );
    let p95 = s.delta_p95.expect("deltas").abs();
    assert!(p95 < 200_000_000, "same feed on loopback: |p95| {p95} ns");
}

#[tokio::test]
async fn cli_reports_missing_items_by_key() {
    let m = mock().await;
    let ws = format!("{}/feed?n=5&interval=0&last_event_id=2", m.ws_url());
    let sse = format!("{}/sse?n=6&interval=0", m.http_url());
    let out = sockpit(
        &[
            "compare", "--json", "--ws", &ws, "--sse", &sse, "--key", "/n",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let missing: Vec<(Value, Value)> = out
        .events_of("item")
        .iter()
        .filter(|i| !i["missing"].is_null())
        .map(|i| (i["key"].clone(), i["missing"].clone()))
        .collect();
    assert_eq!(
        missing,
        [
            ("1".into(), "ws".into()),
            ("2".into(), "ws".into()),
            ("6".into(), "ws".into())
        ]
    );
    let s = &out.events_of("summary")[0];
    assert_eq!(
        (s["matched"].as_u64(), s["missing_on_ws"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(
        (s["ws_items"].as_u64(), s["sse_items"].as_u64()),
        (Some(3), Some(6))
    );
    assert!(s["delta_ms"]["p50"].is_number(), "{s}");
}

#[tokio::test]
async fn cli_by_order_shows_payload_mismatches() {
    let m = mock().await;
    // echo=1 puts a request event first on the SSE side: by order, every pair is off by one.
    let ws = format!("{}/feed?n=3&interval=0", m.ws_url());
    let sse = format!("{}/sse?n=3&interval=0&echo=1", m.http_url());
    let out = sockpit(&["compare", "--ws", &ws, "--sse", &sse], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    let status = |s: &str| out.stdout.lines().filter(|l| l.ends_with(s)).count();
    assert_eq!(status("payload mismatch"), 3, "{}", out.stdout);
    assert_eq!(status("missing on ws"), 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("3 paired (3 payload mismatches), 1 missing on ws"),
        "{}",
        out.stdout
    );
}

#[tokio::test]
async fn duration_bounds_endless_feeds_and_a_failed_side_exits_1() {
    let m = mock().await;
    let ws = format!("{}/feed?n=0&interval=10", m.ws_url());
    let sse = format!("{}/sse?n=0&interval=10", m.http_url());
    let out = sockpit(
        &[
            "compare",
            "--json",
            "--ws",
            &ws,
            "--sse",
            &sse,
            "--key",
            "/id",
            "--duration",
            "0.4",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let s = &out.events_of("summary")[0];
    assert!(s["matched"].as_u64().is_some_and(|n| n >= 5), "{s}");
    assert_eq!(out.events_of("end").len(), 2);

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let out = sockpit(
        &[
            "compare",
            "--ws",
            &format!("ws://127.0.0.1:{port}/"),
            "--sse",
            &sse,
            "--duration",
            "0.3",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line().contains("ws: connection refused"),
        "{out:?}"
    );

    let out = sockpit(
        &["compare", "--ws", &ws, "--sse", &sse, "--key", "id"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(
        out.one_error_line().contains("not a JSON pointer"),
        "{out:?}"
    );
}
