//! `sockpit load --collection C --request R` against the counting Node `ws` server: the users
//! connect with the saved request (URL rendered with the environment, its headers) and send its
//! saved messages; unknown names list what exists.

use std::time::Duration;

use sockpit_tests::{sockpit, Peer};

use super::node::settled_stats;

const LIMIT: Duration = Duration::from_secs(60);

/// A collection file with request `Echo` (two saved messages, an `X-Load-Tag` header, its host
/// from environment `local`) and an SSE request `Feed`.
fn collection(dir: &std::path::Path, host: &str) -> String {
    let c = serde_json::json!({
        "sockpit": 1,
        "name": "Load",
        "environments": [{"name": "local", "variables": [{"name": "host", "value": host}]}],
        "items": [
            {"type": "folder", "name": "WS", "items": [{
                "type": "request", "name": "Echo", "protocol": "websocket", "url": "ws://{{host}}/echo",
                "headers": [{"name": "X-Load-Tag", "value": "{{host}}"}],
                "messages": [
                    {"name": "one", "body": "first message"},
                    {"name": "two", "body": "second message"}
                ]
            }]},
            {"type": "request", "name": "Other", "protocol": "websocket", "url": "ws://{{host}}/other"}
        ]
    });
    let path = dir.join("load.sockpit.json");
    std::fs::write(&path, c.to_string()).expect("collection file written");
    path.to_str().expect("a UTF-8 temp path").to_string()
}

#[tokio::test]
async fn users_connect_with_the_saved_request_and_send_its_messages() {
    let peer = Peer::node("ws_echo_counting.js").await;
    let host = peer
        .ws_url("")
        .trim_start_matches("ws://")
        .trim_end_matches('/')
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = collection(dir.path(), &host);
    let data = dir.path().join("data");
    let out = sockpit(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "load",
            "--collection",
            &file,
            "--request",
            "Echo",
            "--env",
            "local",
            "--vus",
            "10",
            "--loops",
            "3",
            "--expect",
            "contains:message",
            "--json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let s = &out.events_of("summary")[0];
    let server = settled_stats(&peer).await;
    assert_eq!(server["connections"], 10, "{server}");
    assert_eq!(
        server["tagged"], 10,
        "every upgrade carried the saved header: {server}"
    );
    // 10 users × 3 iterations × 2 saved messages, each echoed and matched.
    assert_eq!(server["messages"], 60, "{server}");
    assert_eq!(s["messages"]["sent"], 60, "{s}");
    assert_eq!(s["expects"]["matched"], 60, "{s}");
    assert_eq!(
        server["bytes"].as_u64(),
        Some(30 * ("first message".len() + "second message".len()) as u64)
    );
}

#[tokio::test]
async fn a_saved_request_with_send_flags_sends_those_instead() {
    let peer = Peer::node("ws_echo_counting.js").await;
    let host = peer
        .ws_url("")
        .trim_start_matches("ws://")
        .trim_end_matches('/')
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = collection(dir.path(), "unused");
    let data = dir.path().join("data");
    let var = format!("host={host}");
    let out = sockpit(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "load",
            "--collection",
            &file,
            "--request",
            "WS / Echo",
            "--var",
            &var,
            "--vus",
            "4",
            "--send",
            "x",
            "--json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let server = settled_stats(&peer).await;
    assert_eq!(server["messages"], 4, "{server}");
    assert_eq!(server["bytes"], 4, "{server}");
}

#[tokio::test]
async fn unknown_names_and_a_url_with_a_collection_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = collection(dir.path(), "127.0.0.1:9");
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let run = |args: Vec<&str>| {
        let mut all = vec!["--data-dir", d, "load", "--vus", "1"];
        all.extend(args);
        let all: Vec<String> = all.into_iter().map(str::to_string).collect();
        async move {
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            sockpit(&refs, None, LIMIT).await
        }
    };
    let out = run(vec!["--collection", &file, "--request", "Nope"]).await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.one_error_line().contains(
            "no request named 'Nope' in collection 'Load' (it has: 'WS / Echo', 'Other')"
        ),
        "{}",
        out.stderr
    );
    let out = run(vec!["--collection", "Missing", "--request", "Echo"]).await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.one_error_line()
            .contains("no collection named 'Missing' (stored collections: none"),
        "{}",
        out.stderr
    );
    let out = run(vec![
        "ws://127.0.0.1:9/",
        "--collection",
        &file,
        "--request",
        "Echo",
    ])
    .await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
    let out = run(vec![
        "--collection",
        &file,
        "--request",
        "Echo",
        "-H",
        "A: b",
    ])
    .await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.one_error_line()
            .contains("--header cannot be used with --collection"),
        "{}",
        out.stderr
    );
    let out = run(vec![
        "--collection",
        &file,
        "--request",
        "Echo",
        "--env",
        "prod",
    ])
    .await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.one_error_line()
            .contains("no environment named 'prod' in collection 'Load' (it has: 'local')"),
        "{}",
        out.stderr
    );
}
