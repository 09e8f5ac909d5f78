//! `sockpit load` refuses bad input before connecting anything: exit 2 and one line naming the
//! problem and the fix.

use std::time::Duration;

use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

/// A URL nothing listens on: a bad-input run must fail before it would try to connect.
const URL: &str = "ws://127.0.0.1:9/echo";

async fn refused(args: &[&str], needle: &str) {
    let mut all = vec!["load", URL];
    all.extend_from_slice(args);
    let out = sockpit(&all, None, LIMIT).await;
    assert_eq!(out.status, 2, "{args:?}: {}", out.stderr);
    let line = out.one_error_line();
    assert!(line.contains(needle), "{args:?}: {line}");
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[tokio::test]
async fn each_bad_input_is_a_clear_usage_error() {
    refused(&["--vus", "0"], "--vus must be at least 1, got 0").await;
    refused(&["--rate", "10/s"], "--rate needs --duration").await;
    refused(
        &["--rate", "fast", "--duration", "1"],
        "--rate 'fast' is not a rate",
    )
    .await;
    refused(
        &["--vus", "1", "--think", "500-100"],
        "the range is reversed (500 > 100); put the smaller number first: 100-500",
    )
    .await;
    refused(
        &["--vus", "1", "--threshold", "latency<5ms"],
        "unknown metric 'latency': use one of connect_p50",
    )
    .await;
    refused(
        &["--vus", "1", "--threshold", "rtt_p99<5%"],
        "unit '%' does not fit rtt_p99",
    )
    .await;
    refused(
        &["--vus", "1", "--expect", "regex:x"],
        "unknown kind 'regex'",
    )
    .await;
    refused(
        &["--vus", "1", "--send", "{{user}}"],
        "unknown value '{{user}}'",
    )
    .await;
    refused(
        &["--vus", "1", "--close-code", "1006"],
        "--close-code 1006 cannot be sent",
    )
    .await;
    refused(&[], "give --vus N").await;
    refused(&["--vus", "1", "--reconnect"], "--reconnect does not apply").await;
    // http(s):// is an SSE target; any other scheme is refused, named.
    let out = sockpit(&["load", "ftp://x/", "--vus", "1"], None, LIMIT).await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.one_error_line().contains("ftp://x/"), "{}", out.stderr);
}
