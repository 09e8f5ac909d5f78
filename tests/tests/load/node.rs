//! `sockpit load` against a Node `ws` echo server that counts what it saw: the summary's figures
//! must equal the server's own counts.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use sockpit_tests::{sockpit, Peer};

const LIMIT: Duration = Duration::from_secs(90);

/// The peer's counts (`/stats`), once every connection it saw has closed.
pub(crate) async fn settled_stats(peer: &Peer) -> Value {
    let mut last = Value::Null;
    for _ in 0..50 {
        let (mut ws, _) = tokio_tungstenite::connect_async(peer.ws_url("/stats"))
            .await
            .expect("stats connection");
        let msg = ws.next().await.expect("a stats message").expect("readable");
        last = serde_json::from_str(msg.to_text().expect("text")).expect("stats are JSON");
        if last["open"] == 0 {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("connections still open at the server: {last}");
}

#[tokio::test]
async fn summary_figures_equal_the_counts_the_server_kept() {
    let peer = Peer::node("ws_echo_counting.js").await;
    let url = peer.ws_url("/echo");
    let out = sockpit(
        &[
            "load",
            &url,
            "--vus",
            "200",
            "--ramp",
            "2",
            "--duration",
            "2",
            "--send",
            r#"{"vu":{{$vu}},"i":{{$iteration}}}"#,
            "--expect",
            r#"contains:"vu":"#,
            "--think",
            "100-200",
            "--json",
            "--threshold",
            "failed_rate<1%",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let progress = out.events_of("progress");
    assert!(
        progress.len() >= 3,
        "one progress line a second: {}",
        out.stdout
    );
    assert!(progress
        .iter()
        .all(|p| p["active"].as_u64().unwrap() <= 200));
    assert!(
        progress.iter().any(|p| p["phase"] == "ramp")
            && progress.iter().any(|p| p["phase"] == "steady")
    );
    let summary = out.events_of("summary");
    assert_eq!(summary.len(), 1, "{}", out.stdout);
    let s = &summary[0];
    let server = settled_stats(&peer).await;

    assert_eq!(s["connections"]["opened"], 200, "{s}");
    assert_eq!(s["connections"]["failed"], 0, "{s}");
    assert_eq!(s["connections"]["dropped"], 0, "{s}");
    assert_eq!(server["connections"], 200, "{server}");
    assert_eq!(
        server["closes"]["1000"], 200,
        "every user closed with 1000: {server}"
    );
    let sent = s["messages"]["sent"].as_u64().unwrap();
    // Each user sends about every 150 ms for 2-4 s: well over 2000 messages in all.
    assert!(sent > 2000, "{s}");
    assert_eq!(
        server["messages"].as_u64(),
        Some(sent),
        "server {server} vs summary {s}"
    );
    assert_eq!(server["bytes"], s["messages"]["bytes_sent"]);
    assert_eq!(
        s["messages"]["received"].as_u64(),
        Some(sent),
        "an echo for every send"
    );
    assert_eq!(s["messages"]["bytes_received"], s["messages"]["bytes_sent"]);
    assert_eq!(s["expects"]["matched"].as_u64(), Some(sent));
    assert_eq!(s["expects"]["timed_out"], 0);
    assert_eq!(s["rtt_ms"]["count"].as_u64(), Some(sent));
    assert_eq!(s["connect_ms"]["count"], 200);
    assert_eq!(s["handshake_ms"]["count"], 200, "{s}");
    // The handshake (TCP connected → 101) is a part of each connect.
    assert!(
        s["handshake_ms"]["max"].as_f64().unwrap() <= s["connect_ms"]["max"].as_f64().unwrap(),
        "{s}"
    );
    for m in ["rtt_ms", "connect_ms", "handshake_ms"] {
        let (p50, p99, max) = (
            s[m]["p50"].as_f64().unwrap(),
            s[m]["p99"].as_f64().unwrap(),
            s[m]["max"].as_f64().unwrap(),
        );
        assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{m}: {s}");
    }
    // The phases add up to the totals.
    let ph = &s["phases"];
    assert_eq!(
        ph["ramp"]["messages"]["sent"].as_u64().unwrap()
            + ph["steady"]["messages"]["sent"].as_u64().unwrap(),
        sent
    );
    assert_eq!(
        ph["ramp"]["connections"]["opened"].as_u64().unwrap()
            + ph["steady"]["connections"]["opened"].as_u64().unwrap(),
        200
    );
    assert_eq!(s["thresholds"][0]["passed"], true);
}

#[tokio::test]
async fn refused_upgrades_count_as_failures_by_code_and_fail_a_threshold() {
    let peer = Peer::node_with("ws_echo_counting.js", &["--refuse-every", "10"]).await;
    let url = peer.ws_url("/echo");
    let out = sockpit(
        &[
            "load",
            &url,
            "--vus",
            "50",
            "--send",
            "x{{$vu}}",
            "--expect",
            "contains:x",
            "--json",
            "--threshold",
            "failed_rate<5%",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "the threshold fails the run: {}", out.stderr);
    assert!(
        out.stderr
            .contains("threshold 'failed_rate<5%' failed: measured 10%"),
        "{}",
        out.stderr
    );
    let s = &out.events_of("summary")[0];
    let server = settled_stats(&peer).await;
    assert_eq!(server["refused"], 5, "{server}");
    assert_eq!(s["connections"]["failed"], 5, "{s}");
    assert_eq!(
        s["connections"]["failed_by_code"]["ws.handshake_rejected"], 5,
        "{s}"
    );
    assert_eq!(s["connections"]["opened"], 45);
    assert_eq!(server["connections"], 45);
    // Without a duration each user runs one iteration: one send, one echo.
    assert_eq!(s["messages"]["sent"], 45);
    assert_eq!(server["messages"], 45);
    assert_eq!(s["expects"]["matched"], 45);
    assert_eq!(s["thresholds"][0]["passed"], false);
    assert_eq!(s["thresholds"][0]["measured"], "10%");
}
