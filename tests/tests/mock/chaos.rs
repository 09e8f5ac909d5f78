//! The mock's chaos routes seen by real clients: `/fragment` (one message in continuation frames,
//! reassembled by `sockpit connect` and by Python `websockets`), `/pings` (a ping storm answered
//! with pongs the server counts), `/oversize` (a message over `--max-message-size` closes 1009).

use std::time::Duration;

use base64::Engine;
use sockpit_mock::chaos::pattern;
use sockpit_mock::MockServer;
use sockpit_tests::peers::venv_python;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn fragmented_messages_are_reassembled_and_their_frames_shown() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/fragment?parts=7&size=3000&ping=1", mock.ws_url());
    let out = sockpit(
        &[
            "connect",
            &url,
            "--json",
            "--frames",
            "-n",
            "1",
            "--timeout",
            "10",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let msgs = out.received();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["size"], 3000);
    assert_eq!(msgs[0]["data"].as_str().unwrap().as_bytes(), pattern(3000));
    let frames: Vec<(String, bool, u64)> = out
        .events_of("frame")
        .iter()
        .filter(|f| f["dir"] == "in" && f["opcode"] != "close")
        .map(|f| {
            (
                f["opcode"].as_str().unwrap().to_string(),
                f["fin"].as_bool().unwrap(),
                f["len"].as_u64().unwrap(),
            )
        })
        .collect();
    // text (FIN 0), the ping between fragments, five more continuations (FIN 0), the last (FIN 1).
    let mut expected = vec![("text".to_string(), false, 429), ("ping".into(), true, 11)];
    expected.extend((0..5).map(|_| ("continuation".to_string(), false, 429)));
    expected.push(("continuation".into(), true, 3000 - 6 * 429));
    assert_eq!(frames, expected);
    assert_eq!(
        out.events_of("pong").len(),
        1,
        "the mid-message ping was answered"
    );

    // Binary, large, few parts.
    let url = format!("{}/fragment?parts=3&size=200000&binary=1", mock.ws_url());
    let out = sockpit(
        &["connect", &url, "--json", "-n", "1", "--timeout", "10"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let m = &out.received()[0];
    assert_eq!(m["kind"], "binary");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(m["data_b64"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, pattern(200_000));
}

#[tokio::test]
async fn python_websockets_reassembles_the_fragments_too() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/fragment?parts=5&size=1000&ping=1", mock.ws_url());
    let script = r#"
import asyncio, sys
from websockets.asyncio.client import connect
async def main():
    async with connect(sys.argv[1]) as ws:
        m = await ws.recv()
        print(len(m), m[:30])
asyncio.run(main())
"#;
    let out = tokio::process::Command::new(venv_python())
        .args(["-c", script, &url])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(LIMIT, out).await.unwrap().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1000 abcdefghijklmnopqrstuvwxyzabcd"
    );
}

#[tokio::test]
async fn a_ping_storm_is_answered_and_counted_by_the_server() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/pings?n=40&interval=2", mock.ws_url());
    let out = sockpit(
        &["connect", &url, "--json", "-n", "1", "--timeout", "10"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report: serde_json::Value =
        serde_json::from_str(out.received()[0]["data"].as_str().unwrap()).unwrap();
    assert_eq!(report, serde_json::json!({"pings":40,"pongs":40}));
    let pings = out.events_of("ping");
    assert_eq!(pings.len(), 40);
    let pongs = out.events_of("pong");
    assert_eq!(pongs.len(), 40);
    assert_eq!(
        pongs[39]["data_b64"],
        base64::engine::general_purpose::STANDARD.encode("ping-39")
    );
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009_under_a_smaller_limit() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/oversize?size=5000", mock.ws_url());
    let out = sockpit(
        &[
            "connect",
            &url,
            "--json",
            "-n",
            "1",
            "--timeout",
            "10",
            "--max-message-size",
            "4999",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let close = out.events_of("close");
    assert_eq!(close[0]["code"], 1009, "{close:?}");
    assert_eq!(close[0]["by"], "client");
    assert_eq!(out.events_of("error")[0]["code"], "ws.message_too_large");
    assert!(
        out.one_error_line().contains("5000 bytes"),
        "{}",
        out.stderr
    );

    let out = sockpit(
        &[
            "connect",
            &url,
            "--json",
            "-n",
            "1",
            "--timeout",
            "10",
            "--max-message-size",
            "5000",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.received()[0]["size"], 5000);
}
