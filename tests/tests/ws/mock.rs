//! `sockpit connect` against the built-in mock server: floods, counts, echo mode, broadcast, drops.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn receives_every_message_of_a_flood_with_stdin_closed() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/flood?n=20000&size=16", mock.ws_url());
    let out = sockpit(&["connect", &url, "--count", "20000"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 20000);
    assert!(out.stdout.lines().all(|l| l == "x".repeat(16)));

    // Without --count the flood ends with the server's 1000 close: exit 0, everything printed.
    let url = format!("{}/flood?n=3000&size=8&binary=1", mock.ws_url());
    let out = sockpit(&["connect", &url, "--timeout", "20"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 3000);
    assert!(
        out.stdout.lines().all(|l| l == "a5a5a5a5a5a5a5a5"),
        "binary prints as hex"
    );
}

#[tokio::test]
async fn a_paced_numbered_flood_keeps_its_rate_and_numbers_each_message() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    // 300 messages at 1000/s leave in 30 ticks of 10 ms: at least ~0.29 s, never all at once.
    let url = format!("{}/flood?n=300&size=20&rate=1000&numbered=1", mock.ws_url());
    let started = std::time::Instant::now();
    let out = sockpit(&["connect", &url, "--timeout", "20"], None, LIMIT).await;
    let took = started.elapsed();
    assert_eq!(out.status, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 300);
    assert_eq!(lines[0], format!("00000000 {}", "x".repeat(11)));
    assert!(lines[299].starts_with("00000299 "), "{}", lines[299]);
    assert!(lines.iter().all(|l| l.len() == 20));
    assert!(
        took >= Duration::from_millis(280),
        "paced flood finished in {took:?}"
    );
}

#[tokio::test]
async fn paced_messages_carry_the_time_of_the_read_that_brought_them() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    // 300 messages in 30 ticks of 10 ms: the session reads the clock once per socket read, so
    // messages of one tick may share a time, but the ticks keep their own, spread over ~0.29 s.
    let url = format!("{}/flood?n=300&size=20&rate=1000&numbered=1", mock.ws_url());
    let out = sockpit(&["connect", &url, "--json", "--timeout", "20"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let msgs = out.received();
    assert_eq!(msgs.len(), 300);
    let times: Vec<f64> = msgs.iter().map(|m| m["t_ms"].as_f64().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "monotonic: {times:?}"
    );
    let mut distinct = times.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 25,
        "one time per read at least: {distinct:?}"
    );
    assert!(
        times[299] - times[0] >= 250.0,
        "the times follow the pacing: {} ms to {} ms",
        times[0],
        times[299]
    );
}

#[tokio::test]
async fn json_events_carry_timestamps_sizes_and_the_close_name() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/flood?n=50&size=5", mock.ws_url());
    let out = sockpit(&["connect", &url, "--json", "--timeout", "10"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let msgs = out.received();
    assert_eq!(msgs.len(), 50);
    let times: Vec<f64> = msgs.iter().map(|m| m["t_ms"].as_f64().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "monotonic timestamps"
    );
    assert!(msgs.iter().all(|m| m["size"] == 5 && m["data"] == "xxxxx"));
    let close = out
        .events_of("close")
        .into_iter()
        .find(|c| c["dir"] == "in")
        .unwrap();
    assert_eq!(
        (
            close["code"].as_u64(),
            close["name"].as_str(),
            close["by"].as_str()
        ),
        (Some(1000), Some("Normal Closure"), Some("server"))
    );
    assert_eq!(close["reason"], "flood done");
    let open = &out.events_of("open")[0];
    assert!(open["request_line"]
        .as_str()
        .unwrap()
        .starts_with("GET /flood?n=50"));
    assert!(open["response_headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "sec-websocket-accept"));
}

#[tokio::test]
async fn echo_mode_sends_back_what_arrives() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/broadcast", mock.ws_url());
    // An echoing client and a talking client on the broadcast route: the talker hears its own
    // words back from the echoer.
    let echoer_url = url.clone();
    let echoer = tokio::spawn(async move {
        sockpit(
            &["connect", &echoer_url, "--echo", "--timeout", "8"],
            None,
            LIMIT,
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let talker = sockpit(
        &[
            "connect",
            &url,
            "--json",
            "--count",
            "2",
            "--send",
            "ping-1",
            "--send",
            "ping-2",
            "--timeout",
            "8",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(talker.status, 0, "{talker:?}");
    let got: Vec<_> = talker
        .received()
        .iter()
        .map(|m| m["data"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, vec!["ping-1", "ping-2"]);
    let echoer = echoer.await.unwrap();
    assert_eq!(echoer.status, 3, "the echoer runs until its --timeout");
    assert_eq!(echoer.stdout, "ping-1\nping-2\n");
}

#[tokio::test]
async fn reconnect_flag_survives_drops_until_the_timeout() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    // The first two connections for this key are reset after 20 ms; the third one stays up.
    let url = format!("{}/drop?key=cli&times=2&ms=20", mock.ws_url());
    let out = sockpit(
        &[
            "connect",
            &url,
            "--json",
            "--reconnect",
            "--backoff-base",
            "0.05",
            "--timeout",
            "3",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 3, "ends on --timeout, still connected: {out:?}");
    assert_eq!(out.events_of("reconnect").len(), 2, "{out:?}");
    assert_eq!(out.events_of("open").len(), 3, "{out:?}");
    let abnormal = out
        .events_of("close")
        .iter()
        .filter(|c| c["code"] == 1006)
        .count();
    assert_eq!(abnormal, 2);
}

#[tokio::test]
async fn an_abrupt_drop_without_reconnect_fails_with_1006() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/drop?ms=50", mock.ws_url());
    let out = sockpit(&["connect", &url, "--timeout", "10"], None, LIMIT).await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("connection lost") || line.contains("1006"),
        "{line}"
    );
}

#[tokio::test]
async fn end_of_stdin_closes_cleanly_after_the_pending_sends() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let out = sockpit(
        &["connect", &url, "--json", "--send", "zero"],
        Some(b"one\ntwo\n"),
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let sent: Vec<_> = out
        .events_of("message")
        .into_iter()
        .filter(|m| m["dir"] == "out")
        .map(|m| m["data"].clone())
        .collect();
    assert_eq!(sent, vec!["zero", "one", "two"]);
    let closes = out.events_of("close");
    assert_eq!(
        (
            closes[0]["dir"].as_str(),
            closes[0]["code"].as_u64(),
            closes[0]["by"].as_str()
        ),
        (Some("out"), Some(1000), Some("client"))
    );
    // The mock answers in order, so the echoes arrive before its close reply.
    let got: Vec<_> = out.received().iter().map(|m| m["data"].clone()).collect();
    assert_eq!(got, vec!["zero", "one", "two"]);
}
