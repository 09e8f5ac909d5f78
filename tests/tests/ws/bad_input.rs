//! Bad input to `sockpit connect`: each gives one clear stderr line and the right exit status.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::servers::{first_client_frame, raw_frame_server, silent_server};
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

async fn expect_error(args: &[&str], status: i32, needles: &[&str]) {
    let out = sockpit(args, None, LIMIT).await;
    assert_eq!(out.status, status, "{args:?}: {out:?}");
    let line = out.one_error_line();
    for n in needles {
        assert!(line.contains(n), "{args:?}: {line:?} lacks {n:?}");
    }
}

#[tokio::test]
async fn malformed_and_unsupported_urls_are_usage_errors() {
    expect_error(&["connect", "ws://"], 2, &["invalid URL 'ws://'"]).await;
    expect_error(
        &["connect", "not a url"],
        2,
        &["invalid URL", "did you mean ws://"],
    )
    .await;
    expect_error(
        &["connect", "ftp://127.0.0.1/"],
        2,
        &["unsupported scheme 'ftp'", "ws:// or wss://"],
    )
    .await;
    expect_error(
        &["connect", "ws://127.0.0.1:1/", "-H", "NoColon"],
        2,
        &["header 'NoColon'"],
    )
    .await;
    expect_error(
        &["connect", "ws://127.0.0.1:1/", "--send-hex", "zz"],
        2,
        &["--send-hex 'zz'", "invalid hex"],
    )
    .await;
    expect_error(
        &["connect", "ws://127.0.0.1:1/", "--proxy", "gopher://x"],
        2,
        &["unsupported proxy scheme"],
    )
    .await;
    // clap's own usage errors use status 2 as well.
    let out = sockpit(&["connect"], None, LIMIT).await;
    assert_eq!(out.status, 2, "{out:?}");
}

#[tokio::test]
async fn unresolvable_host_and_refused_port() {
    expect_error(
        &["connect", "ws://nothing.invalid/"],
        1,
        &["could not resolve host 'nothing.invalid'"],
    )
    .await;
    expect_error(
        &["connect", "ws://127.0.0.1:1/"],
        1,
        &["connection refused by 127.0.0.1:1"],
    )
    .await;
}

#[tokio::test]
async fn rejected_handshakes_show_status_and_body() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/reject?status=401&body=token%20expired", mock.ws_url());
    expect_error(
        &["connect", &url],
        1,
        &["HTTP 401 Unauthorized", "token expired"],
    )
    .await;
    let url = format!("{}/no-such-route", mock.ws_url());
    expect_error(&["connect", &url], 1, &["HTTP 404"]).await;
    // --json carries status, headers and body in the error event.
    let url = format!("{}/reject?status=403&body=go%20away", mock.ws_url());
    let out = sockpit(&["connect", &url, "--json"], None, LIMIT).await;
    let err = &out.events_of("error")[0];
    assert_eq!(
        (
            err["code"].as_str(),
            err["status"].as_u64(),
            err["body"].as_str()
        ),
        (Some("ws.handshake_rejected"), Some(403), Some("go away"))
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_with_status_3() {
    let port = silent_server().await;
    let url = format!("ws://127.0.0.1:{port}/");
    expect_error(
        &["connect", &url, "--handshake-timeout", "0.5"],
        3,
        &["timed out after 500 ms", "WebSocket upgrade"],
    )
    .await;
    expect_error(
        &["connect", &url, "--timeout", "0.5"],
        3,
        &["timed out after 0.5 s"],
    )
    .await;
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/flood?n=1&size=5000", mock.ws_url());
    let out = sockpit(
        &[
            "connect",
            &url,
            "--json",
            "--max-message-size",
            "1000",
            "--count",
            "1",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line()
            .contains("5000 bytes, over the limit of 1000 bytes"),
        "{}",
        out.stderr
    );
    let sent = out
        .events_of("close")
        .into_iter()
        .find(|c| c["dir"] == "out")
        .unwrap();
    assert_eq!(
        (sent["code"].as_u64(), sent["name"].as_str()),
        (Some(1009), Some("Message Too Big"))
    );
}

#[tokio::test]
async fn invalid_utf8_text_closes_with_1007() {
    // A text frame (FIN, opcode 1) whose payload is not UTF-8.
    let frame = vec![0x81, 0x03, 0xff, 0xfe, 0xfd];
    let (port, client_bytes) = raw_frame_server(frame).await;
    let url = format!("ws://127.0.0.1:{port}/");
    expect_error(
        &["connect", &url, "--count", "1"],
        1,
        &["not valid UTF-8", "1007"],
    )
    .await;
    let got = client_bytes.await.unwrap();
    let (opcode, payload) = first_client_frame(&got).expect("the client sent a frame");
    assert_eq!(opcode, 8, "a close frame");
    assert_eq!(
        u16::from_be_bytes([payload[0], payload[1]]),
        1007,
        "with code 1007"
    );
}

#[tokio::test]
async fn an_invalid_close_code_from_the_server_is_a_protocol_error() {
    // Close frame with code 1005, which may never be sent on the wire.
    let frame = vec![0x88, 0x02, 0x03, 0xed];
    let (port, client_bytes) = raw_frame_server(frame).await;
    let url = format!("ws://127.0.0.1:{port}/");
    // tungstenite answers with 1002 itself and reports that frame.
    expect_error(
        &["connect", &url, "--count", "1"],
        1,
        &["1002 Protocol Error"],
    )
    .await;
    let got = client_bytes.await.unwrap();
    let (opcode, payload) = first_client_frame(&got).expect("the client answered");
    assert_eq!(
        (opcode, u16::from_be_bytes([payload[0], payload[1]])),
        (8, 1002)
    );
}
