//! `sockpit load --spike`: extra users arrive at once after the steady phase, so the counting
//! Node `ws` server's peak of open connections reaches steady + spike; each phase is counted.

use std::time::Duration;

use sockpit_tests::{sockpit, Peer};

use super::node::settled_stats;

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_spike_adds_its_users_to_the_steady_ones_and_is_counted_apart() {
    let peer = Peer::node("ws_echo_counting.js").await;
    let url = peer.ws_url("/echo");
    let out = sockpit(
        &[
            "load",
            &url,
            "--vus",
            "20",
            "--duration",
            "2",
            "--spike",
            "30",
            "--spike-hold",
            "2",
            "--send",
            "v{{$vu}}",
            "--expect",
            "contains:v",
            "--think",
            "200",
            "--json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let s = &out.events_of("summary")[0];
    let server = settled_stats(&peer).await;
    assert_eq!(server["connections"], 50, "{server}");
    assert_eq!(
        server["peak_open"], 50,
        "the steady users stay while the spike's connect: {server}"
    );
    assert_eq!(server["closes"]["1000"], 50, "{server}");
    assert_eq!(s["connections"]["opened"], 50, "{s}");
    assert_eq!(s["connections"]["peak_active"], 50, "{s}");
    let ph = &s["phases"];
    assert!(ph.get("ramp").is_none(), "no ramp asked for: {ph}");
    assert_eq!(ph["steady"]["connections"]["opened"], 20, "{ph}");
    assert_eq!(ph["spike"]["connections"]["opened"], 30, "{ph}");
    // Everyone sends during the spike: the spike phase has messages from 50 users.
    let steady_sent = ph["steady"]["messages"]["sent"].as_u64().unwrap();
    let spike_sent = ph["spike"]["messages"]["sent"].as_u64().unwrap();
    assert!(spike_sent >= 50, "{ph}");
    assert_eq!(
        steady_sent + spike_sent,
        server["messages"].as_u64().unwrap(),
        "{ph} vs {server}"
    );
    assert_eq!(s["messages"]["received"], server["messages"], "{s}");
    let progress = out.events_of("progress");
    assert!(
        progress.iter().any(|p| p["phase"] == "spike"),
        "{}",
        out.stdout
    );
}
