//! `sockpit connect` against WebSocket servers no one here wrote: Python `websockets` and Node `ws`.

use std::time::Duration;

use base64::Engine;
use sockpit_tests::{sockpit, Peer};

const LIMIT: Duration = Duration::from_secs(30);

async fn peers() -> Vec<(&'static str, Peer)> {
    vec![
        ("python-websockets", Peer::python("ws_server.py").await),
        ("node-ws", Peer::node("ws_server.js").await),
    ]
}

#[tokio::test]
async fn echoes_text_and_binary_including_empty() {
    for (name, peer) in peers().await {
        let url = peer.ws_url("/echo");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "--count",
                "4",
                "--send",
                "hello",
                "--send-hex",
                "00ff10",
                "--send",
                "",
                "--send-base64",
                "",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let got = out.received();
        assert_eq!(got.len(), 4, "{name}: {out:?}");
        assert_eq!(
            (got[0]["kind"].as_str(), got[0]["data"].as_str()),
            (Some("text"), Some("hello")),
            "{name}"
        );
        assert_eq!(got[1]["kind"], "binary", "{name}");
        assert_eq!(got[1]["data_b64"], "AP8Q", "{name}");
        assert_eq!(
            (got[2]["kind"].as_str(), got[2]["size"].as_u64()),
            (Some("text"), Some(0)),
            "{name}"
        );
        assert_eq!(
            (got[3]["kind"].as_str(), got[3]["size"].as_u64()),
            (Some("binary"), Some(0)),
            "{name}"
        );
        let closes = out.events_of("close");
        assert_eq!(
            closes.first().map(|c| c["by"].clone()),
            Some("client".into()),
            "{name}: {closes:?}"
        );
    }
}

#[tokio::test]
async fn echoes_a_16_mib_binary_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..16u32 << 20).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    for (name, peer) in peers().await {
        let url = peer.ws_url("/echo");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "--count",
                "1",
                "--send-file",
                path.to_str().unwrap(),
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 0, "{name}: {}", out.stderr);
        let got = out.received();
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0]["size"].as_u64(), Some(16 << 20), "{name}");
        let echoed = base64::engine::general_purpose::STANDARD
            .decode(got[0]["data_b64"].as_str().unwrap())
            .unwrap();
        assert!(
            echoed == data,
            "{name}: the echoed 16 MiB differ from what was sent"
        );
    }
}

#[tokio::test]
async fn selects_a_subprotocol_and_sends_custom_headers() {
    for (name, peer) in peers().await {
        let url = peer.ws_url("/echo");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "-p",
                "v9",
                "-p",
                "superchat",
                "-p",
                "chat",
                "--count",
                "1",
                "--send",
                "x",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let open = &out.events_of("open")[0];
        assert_eq!(open["protocol"], "superchat", "{name}: {open}");
        assert_eq!(open["status"], 101);

        let url = peer.ws_url("/headers");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "-H",
                "X-Sockpit-Test: 42",
                "-H",
                "Authorization: Bearer abc",
                "--count",
                "1",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let seen: serde_json::Value =
            serde_json::from_str(out.received()[0]["data"].as_str().unwrap()).unwrap();
        assert_eq!(seen["x-sockpit-test"], "42", "{name}: {seen}");
        assert_eq!(seen["authorization"], "Bearer abc", "{name}: {seen}");
    }
}

#[tokio::test]
async fn refuses_a_server_that_accepts_none_of_the_offered_subprotocols() {
    for (name, peer) in peers().await {
        let url = peer.ws_url("/echo");
        let out = sockpit(
            &["connect", &url, "-p", "mqtt", "--count", "1"],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 1, "{name}: {out:?}");
        assert!(
            out.one_error_line()
                .contains("accepted none of the offered subprotocols (mqtt)"),
            "{name}: {}",
            out.stderr
        );
    }
}

#[tokio::test]
async fn server_close_code_and_reason_are_reported() {
    for (name, peer) in peers().await {
        for (code, label) in [(4001, "Private"), (1008, "Policy Violation")] {
            let url = peer.ws_url(&format!("/close?code={code}&reason=Invalid%20credentials"));
            let out = sockpit(&["connect", &url, "--json", "--timeout", "10"], None, LIMIT).await;
            assert_eq!(out.status, 1, "{name}: {out:?}");
            let close = out
                .events_of("close")
                .into_iter()
                .find(|c| c["dir"] == "in")
                .unwrap_or_else(|| panic!("{name}: no close event: {out:?}"));
            assert_eq!(close["code"], code, "{name}");
            assert_eq!(close["name"], label, "{name}");
            assert_eq!(close["reason"], "Invalid credentials", "{name}");
            assert_eq!(close["by"], "server", "{name}");
            let line = out.one_error_line();
            assert!(
                line.contains(&code.to_string()) && line.contains("Invalid credentials"),
                "{name}: {line}"
            );
        }
    }
}

#[tokio::test]
async fn answers_server_pings_and_gets_pongs_for_its_own() {
    for (name, peer) in peers().await {
        let url = peer.ws_url("/ping");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "--ping-interval",
                "0.2",
                "--send",
                "after-ping",
                "--count",
                "1",
                "--timeout",
                "10",
            ],
            None,
            LIMIT,
        )
        .await;
        // --count 1 may end before our own ping goes out; run a second time for that below.
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let pings_in: Vec<_> = out
            .events_of("ping")
            .into_iter()
            .filter(|p| p["dir"] == "in")
            .collect();
        assert_eq!(pings_in.len(), 1, "{name}: {out:?}");
        let expected = if name.starts_with("python") {
            "py-ping"
        } else {
            "node-ping"
        };
        let payload = base64::engine::general_purpose::STANDARD
            .decode(pings_in[0]["data_b64"].as_str().unwrap())
            .unwrap();
        assert_eq!(payload, expected.as_bytes(), "{name}");
        assert!(
            out.events_of("pong").iter().any(|p| p["dir"] == "out"),
            "{name}: {out:?}"
        );

        let url = peer.ws_url("/echo");
        let out = sockpit(
            &[
                "connect",
                &url,
                "--json",
                "--ping-interval",
                "0.1",
                "--timeout",
                "0.6",
            ],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 3, "{name}: --timeout ends with 3: {out:?}");
        let pongs_in = out
            .events_of("pong")
            .into_iter()
            .filter(|p| p["dir"] == "in")
            .count();
        assert!(
            pongs_in >= 3,
            "{name}: expected a pong for each ping, got {pongs_in}: {out:?}"
        );
    }
}

#[tokio::test]
async fn stdin_lines_are_sent_as_text_messages() {
    for (name, peer) in peers().await {
        let url = peer.ws_url("/echo");
        let out = sockpit(
            &["connect", &url, "--count", "3"],
            Some(b"one\ntwo\nthree\n"),
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        assert_eq!(out.stdout, "one\ntwo\nthree\n", "{name}");
        assert_eq!(out.stderr, "", "{name}");
    }
}
