//! permessage-deflate and the frame inspector against real peers (Python `websockets` and Node `ws`
//! with compression on), and the bad inputs of RFC 7692: unnegotiated RSV1, corrupt data, answers
//! with parameters we did not offer, and decompression bombs.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::time::Duration;

use serde_json::Value;
use sockpit_tests::servers::{first_client_frame, raw_frame_server, raw_frame_server_with};
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(30);

fn frames(out: &CliOutput, dir: &str, opcode: &str) -> Vec<Value> {
    out.events_of("frame")
        .into_iter()
        .filter(|f| f["dir"] == dir && f["opcode"] == opcode)
        .collect()
}

/// Sends three messages (one compressible 64 KiB text) and checks they came back intact, compressed
/// on the wire both ways.
async fn roundtrip_compressed(name: &str, url: &str, extra: &[&str]) -> CliOutput {
    let big = "sockpit ".repeat(8192);
    let mut args = vec!["connect", url, "--json", "--frames", "--count", "3"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--send", "hello", "--send", &big, "--send-hex", "00010203"]);
    let out = sockpit(&args, None, LIMIT).await;
    assert_eq!(out.status, 0, "{name}: {out:?}");
    let open = &out.events_of("open")[0];
    assert!(
        open["extensions"]
            .as_str()
            .unwrap_or_default()
            .starts_with("permessage-deflate"),
        "{name}: {open}"
    );
    let got = out.received();
    assert_eq!(got[0]["data"], "hello", "{name}");
    assert_eq!(got[1]["data"].as_str(), Some(big.as_str()), "{name}");
    assert_eq!(got[2]["data_b64"], "AAECAw==", "{name}");
    for dir in ["out", "in"] {
        let text = frames(&out, dir, "text");
        assert_eq!(text.len(), 2, "{name} {dir}: {text:?}");
        assert!(
            text.iter().all(|f| f["rsv1"] == true),
            "{name}: {dir} text frames compressed"
        );
        assert!(
            text[1]["len"].as_u64().unwrap() < 2000,
            "{name}: 64 KiB of repeated text compresses ({dir}: {})",
            text[1]["len"]
        );
        assert!(frames(&out, dir, "binary")
            .iter()
            .all(|f| f["rsv1"] == true));
        assert!(
            frames(&out, dir, "close")
                .iter()
                .all(|f| f["rsv1"] == false),
            "control frames never compressed"
        );
    }
    assert!(frames(&out, "out", "text")
        .iter()
        .all(|f| f["masked"] == true && f["mask"].is_string()));
    assert!(frames(&out, "in", "text")
        .iter()
        .all(|f| f["masked"] == false));
    out
}

#[tokio::test]
async fn deflate_both_ways_with_python_websockets() {
    let peer = Peer::python_with("ws_server.py", &["--deflate"]).await;
    roundtrip_compressed("python", &peer.ws_url("/echo"), &[]).await;
}

#[tokio::test]
async fn deflate_both_ways_with_node_ws_in_every_mode() {
    let modes: [&[&str]; 3] = [&[], &["--no-context-takeover"], &["--window-bits", "9"]];
    for mode in modes {
        let mut args = vec!["--deflate"];
        args.extend_from_slice(mode);
        let peer = Peer::node_with("ws_server.js", &args).await;
        let out = roundtrip_compressed(&format!("node {mode:?}"), &peer.ws_url("/echo"), &[]).await;
        let ext = out.events_of("open")[0]["extensions"]
            .as_str()
            .unwrap()
            .to_string();
        if mode.contains(&"--no-context-takeover") {
            assert!(
                ext.contains("server_no_context_takeover")
                    && ext.contains("client_no_context_takeover"),
                "{ext}"
            );
        }
        if mode.contains(&"--window-bits") {
            assert!(
                ext.contains("client_max_window_bits=9")
                    && ext.contains("server_max_window_bits=9"),
                "{ext}"
            );
        }
    }
    // Our own offer parameters reach the server and are honoured.
    let peer = Peer::node_with("ws_server.js", &["--deflate"]).await;
    let out = roundtrip_compressed(
        "node, offered no context takeover",
        &peer.ws_url("/echo"),
        &[
            "--deflate",
            "client_no_context_takeover; server_no_context_takeover; server_max_window_bits=10",
        ],
    )
    .await;
    let ext = out.events_of("open")[0]["extensions"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ext.contains("server_max_window_bits=10"), "{ext}");
}

#[tokio::test]
async fn no_deflate_means_no_offer_and_plain_frames() {
    let peer = Peer::python_with("ws_server.py", &["--deflate"]).await;
    let out = sockpit(
        &[
            "connect",
            &peer.ws_url("/echo"),
            "--json",
            "--frames",
            "--no-deflate",
            "--count",
            "1",
            "--send",
            "plain",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let open = &out.events_of("open")[0];
    assert!(open["extensions"].is_null(), "{open}");
    assert!(!open["request_headers"]
        .to_string()
        .contains("permessage-deflate"));
    assert!(out.events_of("frame").iter().all(|f| f["rsv1"] == false));
}

#[tokio::test]
async fn rsv1_without_negotiated_deflate_is_a_protocol_error() {
    // FIN + RSV1 + text "hi", but the 101 answer agreed to no extension.
    let (port, client) = raw_frame_server(vec![0xc1, 0x02, b'h', b'i']).await;
    let out = sockpit(
        &[
            "connect",
            &format!("ws://127.0.0.1:{port}/"),
            "--count",
            "1",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line().contains("1002") || out.stderr.contains("reserved"),
        "{}",
        out.stderr
    );
    let (opcode, payload) = first_client_frame(&client.await.unwrap()).expect("a close frame");
    assert_eq!(
        (opcode, u16::from_be_bytes([payload[0], payload[1]])),
        (8, 1002)
    );
}

const AGREED: &str = "Sec-WebSocket-Extensions: permessage-deflate\r\n";

#[tokio::test]
async fn corrupt_compressed_data_fails_the_connection_with_1007() {
    let (port, client) =
        raw_frame_server_with(AGREED.into(), vec![0xc1, 0x04, 0xff, 0xff, 0xff, 0xff]).await;
    let out = sockpit(
        &[
            "connect",
            &format!("ws://127.0.0.1:{port}/"),
            "--count",
            "1",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line().contains("permessage-deflate failed"),
        "{}",
        out.stderr
    );
    let (opcode, payload) = first_client_frame(&client.await.unwrap()).expect("a close frame");
    assert_eq!(
        (opcode, u16::from_be_bytes([payload[0], payload[1]])),
        (8, 1007)
    );
}

#[tokio::test]
async fn answers_with_parameters_we_did_not_offer_fail_the_handshake() {
    for answer in [
        "permessage-deflate; foo=1",
        "permessage-deflate; server_max_window_bits=16",
        "x-webkit-deflate-frame",
        "permessage-deflate, permessage-deflate",
    ] {
        let (port, _client) = raw_frame_server_with(
            format!("Sec-WebSocket-Extensions: {answer}\r\n"),
            Vec::new(),
        )
        .await;
        let out = sockpit(
            &["connect", &format!("ws://127.0.0.1:{port}/"), "--json"],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 1, "{answer}: {out:?}");
        assert_eq!(
            out.events_of("error")[0]["code"],
            "ws.extension_rejected",
            "{answer}"
        );
        assert!(
            out.stderr.contains("extension negotiation failed"),
            "{answer}: {}",
            out.stderr
        );
    }
    // With --no-deflate, any agreed extension is one we did not offer.
    let (port, _client) = raw_frame_server_with(AGREED.into(), Vec::new()).await;
    let out = sockpit(
        &[
            "connect",
            &format!("ws://127.0.0.1:{port}/"),
            "--no-deflate",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1);
    assert!(
        out.one_error_line().contains("did not offer"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_decompression_bomb_gets_1009_not_out_of_memory() {
    // 64 MiB of zeros deflates to about 64 KiB.
    let mut c = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    c.write_all(&vec![0u8; 64 << 20]).unwrap();
    let mut payload = c.flush_finish().unwrap();
    if payload.ends_with(&[0, 0, 0xff, 0xff]) {
        payload.truncate(payload.len() - 4);
    }
    let mut frame = vec![0xc2, 127];
    frame.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    frame.extend_from_slice(&payload);
    let (port, client) = raw_frame_server_with(AGREED.into(), frame).await;
    let out = sockpit(
        &[
            "connect",
            &format!("ws://127.0.0.1:{port}/"),
            "--max-message-size",
            "1048576",
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
            .contains("over the limit of 1048576 bytes"),
        "{}",
        out.stderr
    );
    let (opcode, payload) = first_client_frame(&client.await.unwrap()).expect("a close frame");
    assert_eq!(
        (opcode, u16::from_be_bytes([payload[0], payload[1]])),
        (8, 1009)
    );
}
