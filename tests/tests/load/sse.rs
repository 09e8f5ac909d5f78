//! `sockpit load` with an SSE target: an `http://` URL (or an SSE request from a collection) makes
//! each user an SSE client of the mock's `/sse` feed; every event is counted, `--expect` matches
//! event data, and a feed the server ends counts as a drop.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(60);

/// The mock's `/sse?n=5` feed sends 5 events, then ends the stream.
const EVENTS: u64 = 5;

#[tokio::test]
async fn every_user_receives_every_event_of_the_feed() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/sse?n={EVENTS}&interval=20", mock.http_url());
    let out = sockpit(
        &[
            "load",
            &url,
            "--vus",
            "25",
            "--duration",
            "2",
            "--expect",
            r#"contains:"n":"#,
            "--json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let s = &out.events_of("summary")[0];
    assert_eq!(s["connections"]["opened"], 25, "{s}");
    assert_eq!(s["connections"]["failed"], 0, "{s}");
    assert_eq!(s["messages"]["received"].as_u64(), Some(25 * EVENTS), "{s}");
    assert_eq!(s["messages"]["sent"], 0, "{s}");
    assert_eq!(s["expects"]["matched"].as_u64(), Some(25 * EVENTS), "{s}");
    assert_eq!(s["connect_ms"]["count"], 25, "{s}");
    assert_eq!(s["handshake_ms"]["count"], 0, "no WebSocket upgrade: {s}");
    // The server ends each feed before the run's end: a drop, named.
    assert_eq!(s["connections"]["dropped"], 25, "{s}");
    assert_eq!(
        s["connections"]["dropped_by_code"]["stream_closed"], 25,
        "{s}"
    );
}

#[tokio::test]
async fn an_sse_request_from_a_collection_loads_and_sends_are_refused() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = mock.http_url().trim_start_matches("http://").to_string();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../collections/demo.sockpit.json"
    );
    let var = format!("host={host}");
    let args = |extra: &[&'static str]| {
        let mut v: Vec<String> = [
            "--data-dir",
            data.to_str().unwrap(),
            "load",
            "--collection",
            demo,
            "--request",
            "Feed",
            "--var",
            &var,
            "--vus",
            "4",
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let a = args(&[]);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = sockpit(&refs, None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let s = &out.events_of("summary")[0];
    // The demo's Feed is /sse?n=5: each user gets the 5 events.
    assert_eq!(s["connections"]["opened"], 4, "{s}");
    assert_eq!(s["messages"]["received"].as_u64(), Some(4 * EVENTS), "{s}");

    let a = args(&["--send", "x"]);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = sockpit(&refs, None, LIMIT).await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.one_error_line().contains("an SSE target only receives"),
        "{}",
        out.stderr
    );
}
