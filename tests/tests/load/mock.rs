//! `sockpit load` against the built-in mock: text summary, thresholds that fail, JUnit, drops
//! counted by close code, and a run where nothing connects.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_threshold_that_cannot_hold_fails_the_run_and_the_junit_says_so() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("load.xml");
    let out = sockpit(
        &[
            "load",
            &url,
            "--vus",
            "20",
            "--duration",
            "2",
            "--send",
            "ping {{$vu}}",
            "--expect",
            "contains:ping",
            "--think",
            "50",
            "--threshold",
            "rtt_p99<0.001ms",
            "--threshold",
            "failed_rate<1%",
            "--junit",
            junit.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("threshold 'rtt_p99<0.001ms' failed: measured "),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("failed_rate<1%' failed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("connections opened 20, failed 0"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("✗ rtt_p99<0.001ms") && out.stdout.contains("✓ failed_rate<1%"),
        "{}",
        out.stdout
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"tests="2" failures="1""#), "{xml}");
    assert!(xml.contains(r#"name="rtt_p99&lt;0.001ms""#), "{xml}");

    // The same run with thresholds it meets passes.
    let out = sockpit(
        &[
            "load",
            &url,
            "--vus",
            "20",
            "--duration",
            "1",
            "--send",
            "ping",
            "--expect",
            "equals:ping",
            "--threshold",
            "rtt_p99<5s",
            "--threshold",
            "opened==20",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}\n{}", out.stderr, out.stdout);
}

#[tokio::test]
async fn server_closes_count_as_drops_by_code_and_refusals_as_failures() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/close?code=1013&reason=busy", mock.ws_url());
    let out = sockpit(
        &["load", &url, "--vus", "10", "--duration", "1", "--json"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let s = &out.events_of("summary")[0];
    assert_eq!(s["connections"]["opened"], 10, "{s}");
    assert_eq!(s["connections"]["dropped"], 10, "{s}");
    assert_eq!(s["connections"]["dropped_by_code"]["1013"], 10, "{s}");

    let url = format!("{}/reject?status=503", mock.ws_url());
    let out = sockpit(&["load", &url, "--vus", "5", "--json"], None, LIMIT).await;
    assert_eq!(out.status, 1, "nothing opened: {}", out.stderr);
    assert!(
        out.stderr
            .contains("no connection opened: 5 failed (ws.handshake_rejected ×5)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.events_of("summary")[0]["connections"]["failed"], 5);
}

#[tokio::test]
async fn an_arrival_rate_starts_users_that_leave_after_their_loops() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let out = sockpit(
        &[
            "load",
            &url,
            "--rate",
            "20/s",
            "--duration",
            "2",
            "--loops",
            "2",
            "--send",
            "n{{$iteration}}",
            "--expect",
            "matches:^n[01]$",
            "--json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let s = &out.events_of("summary")[0];
    let opened = s["connections"]["opened"].as_u64().unwrap();
    // 20 per second for 2 s: 40 arrivals (the last ones may be cut short by the end).
    assert!((38..=40).contains(&opened), "{s}");
    let sent = s["messages"]["sent"].as_u64().unwrap();
    assert!(
        sent <= 2 * opened && sent >= 2 * opened - 4,
        "two loops each: {s}"
    );
    assert!(
        s["connections"]["peak_active"].as_u64().unwrap() < opened,
        "users leave: {s}"
    );
    assert_eq!(s["expects"]["timed_out"], 0, "{s}");
}
