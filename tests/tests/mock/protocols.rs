//! The mock's `/socket.io/` (socketioxide) and `/graphql` (async-graphql) routes, driven by
//! `sockpit socketio` and `sockpit graphql` (the real binary) against a mock started in-process.

use std::time::Duration;

use serde_json::{json, Value};
use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(40);

async fn mock() -> MockServer {
    MockServer::start("127.0.0.1", 0)
        .await
        .expect("the mock binds 127.0.0.1:0")
}

async fn run(sub: &str, url: &str, args: &[&str]) -> CliOutput {
    let mut all = vec![sub, url];
    all.extend_from_slice(args);
    sockpit(&all, None, LIMIT).await
}

fn incoming(out: &CliOutput, kind: &str) -> Vec<Value> {
    out.events_of(kind)
        .into_iter()
        .filter(|e| e["dir"] == "in")
        .collect()
}

fn raw_in(out: &CliOutput) -> Vec<String> {
    out.received()
        .iter()
        .filter_map(|m| m["data"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn socketio_handshakes_by_polling_upgrade_and_websocket_only_echo_and_ack() {
    let m = mock().await;
    for transport in ["polling", "websocket"] {
        let out = run(
            "socketio",
            &m.http_url(),
            &[
                "--transport",
                transport,
                "--emit",
                "echo",
                r#"["a", 1, {"k": true}]"#,
                "--ack",
                "-n",
                "2",
                "--json",
                "--timeout",
                "10",
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{transport}: {out:?}");
        let open = &out.events_of("open")[0];
        assert_eq!(open["eio"], 4, "{transport}: {open}");
        assert!(open["sid"].as_str().is_some_and(|s| !s.is_empty()));
        assert_eq!(open["upgraded"], transport == "polling", "{open}");
        assert!(open["url"]
            .as_str()
            .is_some_and(|u| u.contains("/socket.io/?EIO=4&transport=websocket")));
        let echoed = incoming(&out, "sio");
        assert_eq!(echoed.len(), 1, "{transport}: {out:?}");
        assert_eq!(echoed[0]["name"], "echo");
        assert_eq!(echoed[0]["namespace"], "/");
        assert_eq!(echoed[0]["args"], json!(["a", 1, {"k": true}]));
        let acks = incoming(&out, "sio_ack");
        assert_eq!(acks.len(), 1, "{transport}: {out:?}");
        assert_eq!(acks[0]["id"], 1);
        assert_eq!(acks[0]["args"], json!(["a", 1, {"k": true}]));
    }
}

#[tokio::test]
async fn socketio_ack_me_acks_without_an_event_and_chat_reaches_the_sender() {
    let m = mock().await;
    let out = run(
        "socketio",
        &m.ws_url(),
        &[
            "--emit",
            "ack-me",
            r#"[{"n": 7}]"#,
            "--ack",
            "--emit",
            "chat",
            r#""hi all""#,
            "-n",
            "2",
            "--json",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let acks = incoming(&out, "sio_ack");
    assert_eq!(acks.len(), 1, "{out:?}");
    assert_eq!(acks[0]["name"], "ack-me");
    assert_eq!(acks[0]["args"], json!([{"n": 7}]));
    let events = incoming(&out, "sio");
    assert_eq!(events.len(), 1, "ack-me emits nothing: {out:?}");
    assert_eq!(events[0]["name"], "chat");
    assert_eq!(events[0]["args"], json!(["hi all"]));
}

#[tokio::test]
async fn socketio_chat_is_broadcast_to_another_client_of_the_namespace() {
    let m = mock().await;
    let url = m.http_url();
    let listener_url = url.clone();
    let listener = tokio::spawn(async move {
        run(
            "socketio",
            &listener_url,
            &[
                "--namespace",
                "/chat",
                "--auth",
                r#"{"token":"demo-token"}"#,
                "-n",
                "2",
                "--timeout",
                "20",
            ],
        )
        .await
    });
    // The listener joins at some point: keep chatting from a second client until it has heard one.
    for _ in 0..50 {
        if listener.is_finished() {
            break;
        }
        let talker = run(
            "socketio",
            &url,
            &[
                "--namespace",
                "/chat",
                "--auth",
                r#"{"token":"demo-token"}"#,
                "--emit",
                "chat",
                r#"["from b"]"#,
                "-n",
                "2",
                "--timeout",
                "10",
            ],
        )
        .await;
        assert_eq!(talker.status, 0, "{talker:?}");
        assert_eq!(talker.stdout, "joined [\"/chat\"]\nchat [\"from b\"]\n");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let heard = listener.await.expect("the listener task ends");
    assert_eq!(heard.status, 0, "{heard:?}");
    assert_eq!(heard.stdout, "joined [\"/chat\"]\nchat [\"from b\"]\n");
}

#[tokio::test]
async fn socketio_binary_event_and_binary_echo_travel_as_attachments() {
    let m = mock().await;
    let out = run(
        "socketio",
        &m.http_url(),
        &[
            "--emit",
            "echo",
            r#"[{"_binary_b64":"AAEC/w=="}, "tag", {"nested": {"_binary_b64":"BQY="}}]"#,
            "--emit",
            "bin",
            "[]",
            "-n",
            "2",
            "--json",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let got = incoming(&out, "sio");
    let echo = got.iter().find(|e| e["name"] == "echo").expect("echo");
    assert_eq!(
        echo["args"],
        json!([{"_binary_b64": "AAEC/w=="}, "tag", {"nested": {"_binary_b64": "BQY="}}])
    );
    let bin = got.iter().find(|e| e["name"] == "bin").expect("bin");
    assert_eq!(bin["args"], json!(["pic", {"_binary_b64": "AQID"}]));
    // Attachments are binary frames both ways, with placeholders in the text packet.
    let binary = |dir: &str| {
        out.events_of("message")
            .iter()
            .filter(|m| m["dir"] == dir && m["kind"] == "binary")
            .count()
    };
    assert_eq!(binary("out"), 2, "{out:?}");
    assert_eq!(binary("in"), 3, "{out:?}");
    assert!(raw_in(&out)
        .iter()
        .any(|d| d.starts_with("451-[\"bin\"") && d.contains("_placeholder")));
}

#[tokio::test]
async fn socketio_chat_namespace_refuses_a_missing_or_wrong_token_and_accepts_demo_token() {
    let m = mock().await;
    for (auth, why) in [
        (None, "missing token"),
        (Some(r#"{"token":"nope"}"#), "bad token"),
    ] {
        let mut args = vec!["--namespace", "/chat", "--json", "--timeout", "10"];
        if let Some(a) = auth {
            args.extend(["--auth", a]);
        }
        let out = run("socketio", &m.http_url(), &args).await;
        assert_eq!(out.status, 1, "{why}: {out:?}");
        let err = &out.events_of("sio_connect_error")[0];
        assert_eq!(err["namespace"], "/chat");
        let message = err["data"]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("not authorized"), "{err}");
        assert!(message.contains(why), "{err}");
        assert!(out.stderr.contains("refused namespace /chat"), "{out:?}");
        assert!(out.events_of("sio").is_empty(), "{out:?}");
    }
    let ok = run(
        "socketio",
        &m.http_url(),
        &[
            "--namespace",
            "/chat",
            "--auth",
            r#"{"token":"demo-token"}"#,
            "--transport",
            "websocket",
            "-n",
            "1",
        ],
    )
    .await;
    assert_eq!(ok.status, 0, "{ok:?}");
    assert_eq!(ok.stdout, "joined [\"/chat\"]\n");
    // The default namespace needs no token.
    let open = run(
        "socketio",
        &m.http_url(),
        &["--emit", "echo", "1", "-n", "1"],
    )
    .await;
    assert_eq!(open.status, 0, "{open:?}");
    assert_eq!(open.stdout, "echo [1]\n");
}

#[tokio::test]
async fn socketio_server_pings_are_answered_and_the_session_stays_up() {
    let m = mock().await;
    // Pings every 5 s: over 6.5 s of silence the session must see two and answer both.
    let out = run(
        "socketio",
        &m.ws_url(),
        &["--transport", "websocket", "--json", "--timeout", "6.5"],
    )
    .await;
    assert_eq!(out.status, 3, "only the timeout ends it: {out:?}");
    assert!(out.events_of("close").is_empty(), "{out:?}");
    let pings = raw_in(&out).iter().filter(|d| *d == "2").count();
    let pongs = out
        .events_of("message")
        .iter()
        .filter(|m| m["dir"] == "out" && m["data"] == "3")
        .count();
    assert!(pings >= 2, "{out:?}");
    assert_eq!(pongs, pings, "{out:?}");
}

fn payloads(out: &CliOutput, id: &str) -> Vec<Value> {
    out.events_of("gql_next")
        .into_iter()
        .filter(|e| e["id"] == id)
        .map(|e| e["payload"].clone())
        .collect()
}

#[tokio::test]
async fn graphql_query_mutation_and_counting_subscription_over_both_protocols() {
    let m = mock().await;
    let url = format!("{}/graphql", m.ws_url());
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let out = run(
            "graphql",
            &url,
            &[
                "--subprotocol",
                protocol,
                "--query",
                "query Hi($n: String) { hello(name: $n) }",
                "--variables",
                r#"{"n":"sockpit"}"#,
                "--operation-name",
                "Hi",
                "--query",
                "subscription($to: Int!) { count(to: $to, intervalMs: 10) }",
                "--variables",
                r#"{"to":4}"#,
                "--query",
                "mutation { add(a: 2, b: 40) echo(text: \"back\") }",
                "--json",
                "--timeout",
                "10",
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{protocol}: {out:?}");
        assert_eq!(out.events_of("open")[0]["protocol"], protocol);
        assert_eq!(
            payloads(&out, "1"),
            [json!({"data": {"hello": "hello sockpit"}})]
        );
        let counts: Vec<Value> = payloads(&out, "2")
            .iter()
            .map(|p| p["data"]["count"].clone())
            .collect();
        assert_eq!(
            counts,
            [json!(1), json!(2), json!(3), json!(4)],
            "{protocol}"
        );
        assert_eq!(
            payloads(&out, "3"),
            [json!({"data": {"add": 42, "echo": "back"}})]
        );
        let mut done: Vec<String> = out
            .events_of("gql_complete")
            .iter()
            .filter_map(|e| e["id"].as_str().map(str::to_string))
            .collect();
        done.sort();
        assert_eq!(
            done,
            ["1", "2", "3"],
            "{protocol}: every operation completed"
        );
        assert!(out.events_of("gql_error").is_empty(), "{out:?}");
    }
}

#[tokio::test]
async fn graphql_picks_the_first_protocol_offered_when_both_are() {
    let m = mock().await;
    let url = format!("{}/graphql", m.ws_url());
    // `sockpit graphql` offers graphql-transport-ws first; the mock takes it.
    let both = run(
        "graphql",
        &url,
        &["--query", "{ hello }", "--json", "--timeout", "10"],
    )
    .await;
    assert_eq!(both.status, 0, "{both:?}");
    assert_eq!(
        both.events_of("open")[0]["protocol"],
        "graphql-transport-ws"
    );
    // Offered in the other order (plain `connect`), legacy comes first and is selected.
    let legacy = run(
        "connect",
        &url,
        &[
            "-p",
            "graphql-ws",
            "-p",
            "graphql-transport-ws",
            "--send",
            r#"{"type":"connection_init"}"#,
            "-n",
            "1",
            "--json",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(legacy.status, 0, "{legacy:?}");
    assert_eq!(legacy.events_of("open")[0]["protocol"], "graphql-ws");
    assert_eq!(legacy.received()[0]["data"], r#"{"type":"connection_ack"}"#);
}

#[tokio::test]
async fn graphql_bad_queries_and_failing_fields_are_graphql_errors() {
    let m = mock().await;
    let url = format!("{}/graphql", m.ws_url());
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        for (query, says) in [
            ("{ nope }", "Unknown field \"nope\""),
            ("{ hello(", "expected"),
            ("{ boom }", "boom: this field always fails"),
            ("subscription { count(to: -1) }", "`to` must be"),
        ] {
            let out = run(
                "graphql",
                &url,
                &[
                    "--subprotocol",
                    protocol,
                    "--query",
                    query,
                    "--json",
                    "--timeout",
                    "10",
                ],
            )
            .await;
            assert_eq!(out.status, 1, "{protocol} {query}: {out:?}");
            let errs = out.events_of("gql_error");
            assert_eq!(errs.len(), 1, "{protocol} {query}: {out:?}");
            assert_eq!(errs[0]["id"], "1");
            let message = errs[0]["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains(says), "{protocol} {query}: {message}");
            assert!(out.one_error_line().contains("GraphQL error"), "{out:?}");
        }
    }
}

#[tokio::test]
async fn graphql_n_stops_a_long_count_early_with_plain_lines() {
    let m = mock().await;
    let url = format!("{}/graphql", m.ws_url());
    let out = run(
        "graphql",
        &url,
        &[
            "--query",
            "subscription { count(to: 100000, intervalMs: 0) }",
            "-n",
            "3",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "{\"data\":{\"count\":1}}\n{\"data\":{\"count\":2}}\n{\"data\":{\"count\":3}}\n"
    );
}
