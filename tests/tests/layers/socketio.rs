//! `sockpit socketio` against Socket.IO servers no one here wrote: Node `socket.io` 4 and 2 and
//! `python-socketio` (tests/peers/socketio_server.{js,py}, pingInterval/pingTimeout 300 ms).

use std::time::Duration;

use serde_json::{json, Value};
use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(30);

async fn node4() -> Peer {
    Peer::node("socketio_server.js").await
}

async fn node2() -> Peer {
    Peer::node_with("socketio_server.js", &["--v2"]).await
}

async fn python() -> Peer {
    Peer::python("socketio_server.py").await
}

async fn run(args: &[&str]) -> CliOutput {
    let mut all = vec!["socketio"];
    all.extend_from_slice(args);
    sockpit(&all, None, LIMIT).await
}

fn sio_in(out: &CliOutput, kind: &str) -> Vec<Value> {
    out.events_of(kind)
        .into_iter()
        .filter(|e| e["dir"] == "in")
        .collect()
}

#[tokio::test]
async fn handshake_by_polling_upgrade_and_websocket_only_with_ack_and_events() {
    for (name, peer, eio) in [
        ("socket.io 4", node4().await, 4),
        ("socket.io 2", node2().await, 3),
        ("python-socketio", python().await, 4),
    ] {
        for transport in ["polling", "websocket"] {
            let url = peer.http_url("/");
            let out = run(&[
                &url,
                "--transport",
                transport,
                "--emit",
                "ack-me",
                r#"["a", 1, {"k": true}]"#,
                "--ack",
                "--emit",
                "echo",
                r#""just one""#,
                "-n",
                "2",
                "--json",
                "--timeout",
                "10",
            ])
            .await;
            assert_eq!(out.status, 0, "{name} {transport}: {out:?}");
            let open = &out.events_of("open")[0];
            assert_eq!(open["eio"], eio, "{name} {transport}: {open}");
            assert!(open["sid"].as_str().is_some_and(|s| !s.is_empty()));
            assert_eq!(open["upgraded"], transport == "polling", "{name}: {open}");
            // python-socketio also acks the echo (its handler returned): only ack-me's is checked.
            let acks: Vec<Value> = sio_in(&out, "sio_ack")
                .into_iter()
                .filter(|a| a["id"] == 1)
                .collect();
            assert_eq!(acks.len(), 1, "{name} {transport}: {out:?}");
            assert_eq!(acks[0]["args"], json!(["a", 1, {"k": true}]));
            assert_eq!(acks[0]["name"], "ack-me");
            let echoed: Vec<Value> = sio_in(&out, "sio")
                .into_iter()
                .filter(|e| e["name"] == "echo")
                .collect();
            assert_eq!(echoed.len(), 1, "{name} {transport}: {out:?}");
            assert_eq!(echoed[0]["args"], json!(["just one"]), "{name}");
            assert_eq!(echoed[0]["namespace"], "/");
            // Both views: the raw Engine.IO frames are there too.
            assert!(out
                .received()
                .iter()
                .any(|m| m["data"].as_str().is_some_and(|d| d.starts_with("43"))));
        }
    }
}

#[tokio::test]
async fn plain_lines_print_name_and_args() {
    let peer = node4().await;
    let out = run(&[
        &peer.http_url("/"),
        "--emit",
        "echo",
        r#"[1,"x"]"#,
        "-n",
        "1",
    ])
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(out.stdout, "echo [1,\"x\"]\n");
}

#[tokio::test]
async fn binary_attachments_both_ways() {
    for (name, peer) in [
        ("socket.io 4", node4().await),
        ("socket.io 2", node2().await),
    ] {
        let out = run(&[
            &peer.http_url("/"),
            "--emit",
            "echo",
            r#"[{"_binary_b64":"AAEC/w=="}, "tag"]"#,
            "--emit",
            "bin",
            "[]",
            "-n",
            "2",
            "--json",
            "--timeout",
            "10",
        ])
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let got = sio_in(&out, "sio");
        let echo = got.iter().find(|e| e["name"] == "echo").expect("echo");
        assert_eq!(
            echo["args"],
            json!([{"_binary_b64": "AAEC/w=="}, "tag"]),
            "{name}"
        );
        let bin = got.iter().find(|e| e["name"] == "bin").expect("bin");
        assert_eq!(
            bin["args"],
            json!(["pic", {"_binary_b64": "AQID"}]),
            "{name}"
        );
        // The attachment travelled as a binary frame, not as JSON.
        assert!(out
            .events_of("message")
            .iter()
            .any(|m| m["dir"] == "out" && m["kind"] == "binary"));
    }
}

#[tokio::test]
async fn a_namespace_needing_auth_is_refused_with_the_servers_data_then_accepted() {
    for (name, peer) in [
        ("socket.io 4", node4().await),
        ("socket.io 2", node2().await),
        ("python-socketio", python().await),
    ] {
        let url = peer.http_url("/");
        let out = run(&[
            &url,
            "--namespace",
            "/chat",
            "--auth",
            r#"{"token":"nope"}"#,
            "--json",
            "--timeout",
            "10",
        ])
        .await;
        assert_eq!(out.status, 1, "{name}: {out:?}");
        let err = &out.events_of("sio_connect_error")[0];
        assert_eq!(err["namespace"], "/chat");
        assert!(
            err["data"].to_string().contains("bad token"),
            "{name}: {err}"
        );
        assert!(
            out.stderr.contains("refused namespace /chat"),
            "{name}: {}",
            out.stderr
        );

        let ok = run(&[
            &url,
            "--namespace",
            "/chat",
            "--auth",
            r#"{"token":"secret"}"#,
            "-n",
            "1",
        ])
        .await;
        assert_eq!(ok.status, 0, "{name}: {ok:?}");
        assert_eq!(ok.stdout, "joined [\"/chat\"]\n", "{name}");
    }
}

#[tokio::test]
async fn two_namespaces_on_one_connection() {
    for peer in [node4().await, node2().await] {
        let out = run(&[
            &peer.http_url("/"),
            "--namespace",
            "/chat",
            "--namespace",
            "/news",
            "--auth",
            r#"{"token":"secret"}"#,
            "-n",
            "2",
            "--json",
            "--timeout",
            "10",
        ])
        .await;
        assert_eq!(out.status, 0, "{out:?}");
        assert_eq!(out.events_of("open").len(), 1, "one connection");
        let mut got: Vec<(String, String)> = sio_in(&out, "sio")
            .iter()
            .map(|e| {
                (
                    e["namespace"].as_str().unwrap_or("").into(),
                    e["name"].as_str().unwrap_or("").into(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("/chat".into(), "joined".into()),
                ("/news".into(), "headline".into())
            ]
        );
    }
}

#[tokio::test]
async fn ack_replies_volatile_emits_and_emits_to_another_namespace() {
    for (name, peer) in [
        ("socket.io 4", node4().await),
        ("socket.io 2", node2().await),
    ] {
        let out = run(&[
            &peer.http_url("/"),
            "--emit",
            "ask",
            "[]",
            "--emit-to",
            "/news",
            "echo",
            r#"["to news"]"#,
            "--ack-reply",
            r#"["yes", 1]"#,
            "--volatile",
            "-n",
            "3",
            "--json",
            "--timeout",
            "10",
        ])
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let events = sio_in(&out, "sio");
        let named = |n: &str| events.iter().find(|e| e["name"] == n).cloned();
        let question = named("question").expect("the server asked");
        assert!(
            question["id"].is_u64(),
            "{name}: it asks for an ack: {question}"
        );
        assert_eq!(
            named("answered").map(|e| e["args"].clone()),
            Some(json!(["yes", 1])),
            "{name}: {out:?}"
        );
        assert_eq!(
            named("headline").map(|e| e["namespace"].clone()),
            Some(json!("/news")),
            "{name}"
        );
        // The ack went out on "/" with the server's id; the volatile emits were sent once each
        // namespace was connected, not dropped.
        let acks_out: Vec<Value> = out
            .events_of("sio_ack")
            .into_iter()
            .filter(|a| a["dir"] == "out")
            .collect();
        assert_eq!(acks_out.len(), 1, "{name}: {out:?}");
        assert_eq!(acks_out[0]["id"], question["id"]);
        let emitted: Vec<(Value, Value)> = out
            .events_of("sio")
            .into_iter()
            .filter(|e| e["dir"] == "out")
            .map(|e| (e["namespace"].clone(), e["name"].clone()))
            .collect();
        assert!(
            emitted.contains(&(json!("/"), json!("ask"))),
            "{name}: {emitted:?}"
        );
        assert!(
            emitted.contains(&(json!("/news"), json!("echo"))),
            "{name}: {emitted:?}"
        );
    }
    let out = run(&["http://127.0.0.1:9/", "--emit-to", "news", "e", "[]"]).await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(
        out.stderr.contains("a namespace starts with '/'"),
        "{}",
        out.stderr
    );
    let out = run(&["http://127.0.0.1:9/", "--ack-reply", "[1,"]).await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--ack-reply '[1,': ARGS_JSON is not JSON"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn server_pings_are_honoured_through_silence() {
    // 2.5 s of silence is 8 ping intervals of the Node peers (300 ms + 300 ms timeout) and 2.5 of
    // python-socketio's (1 s + 1 s): without answers to the pings the session would be dropped.
    for (name, peer) in [
        ("socket.io 4", node4().await),
        ("socket.io 2", node2().await),
        ("python-socketio", python().await),
    ] {
        let out = run(&[
            &peer.http_url("/"),
            "--emit",
            "later",
            "[2500]",
            "-n",
            "1",
            "--json",
            "--timeout",
            "10",
        ])
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        assert_eq!(sio_in(&out, "sio")[0]["args"], json!(["done"]), "{name}");
        assert_eq!(
            out.events_of("open").len(),
            1,
            "{name}: no reconnect needed"
        );
        let pongs_or_pings = out
            .events_of("message")
            .iter()
            .filter(|m| m["dir"] == "out" && (m["data"] == "3" || m["data"] == "2"))
            .count();
        assert!(
            pongs_or_pings >= 2,
            "{name}: keepalive frames sent: {pongs_or_pings}"
        );
    }
}

/// A minute of silence at ping intervals of 10 s: socket.io 4's server pings (Engine.IO 4) and
/// socket.io 2's client pings (Engine.IO 3) both keep the one session alive, side by side.
#[tokio::test]
async fn a_minute_of_silence_keeps_the_session() {
    let v4 = Peer::node_with("socketio_server.js", &["--ping", "10000"]).await;
    let v2 = Peer::node_with("socketio_server.js", &["--v2", "--ping", "10000"]).await;
    let silent = |url: String| async move {
        let mut all = vec!["socketio".to_string(), url];
        all.extend(
            [
                "--emit",
                "later",
                "[60000]",
                "-n",
                "1",
                "--json",
                "--timeout",
                "80",
            ]
            .map(String::from),
        );
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        sockpit(&args, None, Duration::from_secs(90)).await
    };
    let (a, b) = tokio::join!(silent(v4.http_url("/")), silent(v2.http_url("/")));
    for (name, out, keepalive) in [("socket.io 4", a, "3"), ("socket.io 2", b, "2")] {
        assert_eq!(out.status, 0, "{name}: {out:?}");
        assert_eq!(sio_in(&out, "sio")[0]["args"], json!(["done"]), "{name}");
        assert_eq!(
            out.events_of("open").len(),
            1,
            "{name}: one session throughout"
        );
        let sent = out
            .events_of("message")
            .iter()
            .filter(|m| m["dir"] == "out" && m["data"] == keepalive)
            .count();
        assert!(
            sent >= 5,
            "{name}: {sent} keepalive frames '{keepalive}' in 60 s"
        );
    }
}

#[tokio::test]
async fn reconnect_after_a_drop_rehandshakes_and_reconnects_namespaces() {
    for (name, peer) in [
        ("socket.io 4", node4().await),
        ("socket.io 2", node2().await),
    ] {
        let url = peer.http_url("/?greet=1");
        let out = run(&[
            &url,
            "--emit",
            "drop",
            "[]",
            "--reconnect",
            "--backoff-base",
            "0.1",
            "-n",
            "2",
            "--json",
            "--timeout",
            "10",
        ])
        .await;
        assert_eq!(out.status, 0, "{name}: {out:?}");
        let opens = out.events_of("open");
        assert_eq!(opens.len(), 2, "{name}: {out:?}");
        assert_eq!(opens[1]["reconnect"], true);
        assert_eq!(
            opens[1]["upgraded"], false,
            "reconnects go straight to WebSocket"
        );
        assert_ne!(opens[0]["sid"], opens[1]["sid"]);
        let connects = out.events_of("sio_connect");
        assert!(
            connects
                .iter()
                .any(|c| c["reconnect"] == true && c["namespace"] == "/"),
            "{name}"
        );
        assert_eq!(
            sio_in(&out, "sio")
                .iter()
                .filter(|e| e["name"] == "hello")
                .count(),
            2
        );
    }
}

#[tokio::test]
async fn a_malformed_packet_is_reported_kept_and_the_session_goes_on() {
    let peer = node4().await;
    let out = run(&[
        &peer.http_url("/"),
        "--emit",
        "malformed",
        "[]",
        "-n",
        "1",
        "--json",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let errors = out.events_of("error");
    assert!(
        errors.iter().any(|e| e["code"] == "socketio.malformed"),
        "{out:?}"
    );
    assert!(
        out.received().iter().any(|m| m["data"] == "42[\"broken"),
        "raw frame kept"
    );
    assert_eq!(sio_in(&out, "sio")[0]["name"], "after");
}

#[tokio::test]
async fn invalid_emit_json_is_a_usage_error() {
    let out = run(&["http://127.0.0.1:9/", "--emit", "chat", "[1,"]).await;
    assert_eq!(out.status, 2, "{out:?}");
    let line = out.one_error_line();
    assert!(line.contains("--emit chat"), "{line}");
    assert!(line.contains("not JSON"), "{line}");
}

#[tokio::test]
async fn a_server_that_is_not_socketio_gets_a_clear_error() {
    // The mock serves Socket.IO at /socket.io/ only: any other path is a plain 404.
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let out = run(&[
        &mock.http_url(),
        "--path",
        "/not-socketio/",
        "--json",
        "--timeout",
        "10",
    ])
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(line.contains("not a Socket.IO endpoint"), "{line}");
    assert!(line.contains("404"), "{line}");
    assert!(
        line.contains("/not-socketio/?EIO=4&transport=polling"),
        "{line}"
    );
    assert_eq!(out.events_of("error")[0]["code"], "socketio.not_socketio");
}
