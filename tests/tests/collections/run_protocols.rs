//! `sockpit run` and `sockpit export` on Socket.IO and GraphQL requests, against servers no one
//! here wrote (Node `socket.io` 4 and 2, `graphql-ws`, `subscriptions-transport-ws`): saved emits
//! and operations, assertions on events by name, on acks (`ack:EVENT`) and on `next` payloads;
//! the store keeps the protocol parts; failures name what was missing.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use sockpit_core::collection::parse_share;
use sockpit_core::store::Store;
use sockpit_tests::{sockpit, Peer};

use super::run_support::{collection_named, run_file, LIMIT};

fn collection(requests: Vec<Value>) -> Value {
    collection_named("Layers", requests)
}

fn socketio_request(name: &str, url: &str, transport: &str) -> Value {
    json!({
        "type": "request", "name": name, "protocol": "socketio", "url": url,
        "settings": {"timeout_ms": 8000, "socketio": {"transport": transport}},
        "messages": [
            {"name": "ack it", "event": "ack-me", "body": "[\"a\", 1]", "ack": true},
            {"name": "echo it", "event": "echo", "body": "{\"n\": {{n}}}"}
        ],
        "assertions": [
            {"type": "json_pointer", "event": "ack:ack-me", "pointer": "/1", "equals": 1},
            {"type": "json_pointer", "event": "echo", "pointer": "/0/n", "equals": 7},
            {"type": "count", "event": "echo", "min": 1, "within_ms": 5000}
        ]
    })
}

#[tokio::test]
async fn socketio_requests_emit_and_check_events_and_acks_on_v4_and_v2() {
    let v4 = Peer::node("socketio_server.js").await;
    let v2 = Peer::node_with("socketio_server.js", &["--v2"]).await;
    let chat = json!({
        "type": "request", "name": "chat", "protocol": "socketio", "url": v4.http_url("/"),
        "settings": {"socketio": {"namespaces": ["/chat"], "auth": "{\"token\": \"{{token}}\"}"}},
        "assertions": [{"type": "equals", "event": "joined", "value": "[\"/chat\"]"}]
    });
    let c = collection(vec![
        socketio_request("v4 polling", &v4.http_url("/"), "polling"),
        socketio_request("v4 websocket", &v4.ws_url("/"), "websocket"),
        socketio_request("v2", &v2.http_url("/"), "polling"),
        chat,
    ]);
    let (out, report) = run_file(&c, &["--var", "n=7", "--var", "token=secret"]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(report["passed"], true, "{report}");
    for r in report["requests"].as_array().unwrap() {
        assert_eq!(r["protocol"], "socketio");
        assert!(r["received"].as_u64().unwrap() >= 1, "{r}");
    }

    // A wrong token: the namespace refuses, and the run says so with the server's data.
    let (out, report) = run_file(&c, &["--var", "n=7", "--var", "token=nope"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let chat = &report["requests"][3];
    assert_eq!(chat["passed"], false, "{chat}");
    assert_eq!(chat["error"]["code"], "socketio.connect_error", "{chat}");
    assert!(
        chat["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bad token"),
        "{chat}"
    );
}

#[tokio::test]
async fn a_socketio_assertion_that_fails_names_what_arrived() {
    let v4 = Peer::node("socketio_server.js").await;
    let mut r = socketio_request("wrong", &v4.ws_url("/"), "websocket");
    r["assertions"] = json!([
        {"type": "json_pointer", "event": "echo", "pointer": "/0/n", "equals": 8},
        {"type": "contains", "event": "never-sent", "value": "x"}
    ]);
    r["settings"]["timeout_ms"] = json!(2500);
    let (out, report) = run_file(&collection(vec![r]), &["--var", "n=7"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let a = &report["requests"][0]["assertions"];
    assert_eq!(a[0]["passed"], false, "{a}");
    assert_eq!(a[1]["passed"], false, "{a}");
    assert!(
        a[1]["detail"]
            .as_str()
            .unwrap()
            .contains("not seen within 2500 ms"),
        "{a}"
    );
}

fn graphql_request(name: &str, url: &str, subprotocol: Option<&str>) -> Value {
    let mut settings = json!({"timeout_ms": 8000});
    if let Some(p) = subprotocol {
        settings["graphql"] = json!({"subprotocol": p});
    }
    json!({
        "type": "request", "name": name, "protocol": "graphql", "url": url,
        "settings": settings,
        "messages": [
            {"name": "hello", "body": "query($n: String) { hello(name: $n) }", "variables": "{\"n\": \"{{who}}\"}"},
            {"name": "sum", "body": "mutation { add(a: 2, b: 3) }"},
            {"name": "ticks", "body": "subscription { count(to: 3, delayMs: 20) }"}
        ],
        "assertions": [
            {"type": "json_pointer", "event": "hello", "pointer": "/data/hello", "equals": "hello sockpit"},
            {"type": "json_pointer", "event": "sum", "pointer": "/data/add", "equals": 5},
            {"type": "json_pointer", "event": "ticks", "pointer": "/data/count", "equals": 3},
            {"type": "count", "event": "ticks", "min": 3, "within_ms": 5000}
        ]
    })
}

#[tokio::test]
async fn graphql_requests_run_operations_on_both_protocols() {
    let modern = Peer::node_with("graphql_server.js", &["transport"]).await;
    let legacy = Peer::node_with("graphql_server.js", &["legacy"]).await;
    let c = collection(vec![
        graphql_request("transport-ws", &modern.ws_url("/graphql"), None),
        graphql_request("legacy", &legacy.ws_url("/graphql"), Some("graphql-ws")),
    ]);
    let (out, report) = run_file(&c, &["--var", "who=sockpit"]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(report["passed"], true, "{report}");
    assert_eq!(report["requests"][0]["received"], 5, "{report}");

    // No assertions: the run waits for every operation to complete, and passes.
    let mut bare = graphql_request("bare", &modern.ws_url("/graphql"), None);
    bare["assertions"] = json!([]);
    let (out, report) = run_file(&collection(vec![bare]), &["--var", "who=x"]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(report["requests"][0]["received"], 5, "{report}");

    // A GraphQL error is checked as {"errors": [...]}; a query the schema refuses fails the run
    // with the server's words.
    let errs = json!({
        "type": "request", "name": "errs", "protocol": "graphql",
        "url": modern.ws_url("/graphql"),
        "messages": [{"name": "bad", "body": "{ nope }"}],
    });
    let (out, report) = run_file(&collection(vec![errs]), &[]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let e = &report["requests"][0]["error"];
    assert_eq!(e["code"], "graphql.error", "{report}");
    assert!(e["message"].as_str().unwrap().contains("nope"), "{e}");
}

#[tokio::test]
async fn a_graphql_server_that_never_acks_fails_the_request_naming_connection_ack() {
    let silent = Peer::node_with("graphql_server.js", &["transport", "--never-ack"]).await;
    let mut r = graphql_request("silent", &silent.ws_url("/graphql"), None);
    r["settings"]["graphql"] = json!({"ack_timeout_ms": 500});
    let (out, report) = run_file(&collection(vec![r]), &["--var", "who=x"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let text = report["requests"][0].to_string();
    assert!(text.contains("connection_ack"), "{text}");
}

#[tokio::test]
async fn bad_protocol_parts_are_refused_before_connecting() {
    let cases = [
        (
            json!({"type": "request", "name": "r", "protocol": "socketio", "url": "ws://127.0.0.1:9",
                   "messages": [{"name": "m", "body": "[1]"}]}),
            "needs \"event\"",
        ),
        (
            json!({"type": "request", "name": "r", "protocol": "graphql", "url": "ws://127.0.0.1:9",
                   "messages": [{"name": "m", "body": "{ a }", "variables": "[1]"}]}),
            "JSON object",
        ),
        (
            json!({"type": "request", "name": "r", "protocol": "websocket", "url": "ws://127.0.0.1:9",
                   "settings": {"graphql": {}}}),
            "settings.graphql applies to GraphQL requests",
        ),
    ];
    for (r, want) in cases {
        let (out, _) = run_file(&collection(vec![r]), &[]).await;
        assert_eq!(out.status, 1, "{want}: {out:?}");
        assert!(out.stderr.contains(want), "{want}: {}", out.stderr);
    }
}

#[tokio::test]
async fn the_store_keeps_protocol_parts_and_exports_say_how_to_run_them() {
    let c = collection(vec![
        socketio_request("sio", "http://127.0.0.1:1/", "websocket"),
        graphql_request("gql", "ws://127.0.0.1:1/graphql", Some("graphql-ws")),
    ]);
    let text = serde_json::to_string(&c).unwrap();
    let parsed = parse_share(&text, "l.sockpit.json").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let id = store.insert_collection(&parsed).unwrap();
    let back = store.load_collection(id).unwrap();
    assert_eq!(back, parsed, "a round trip through SQLite loses nothing");

    let file = dir.path().join("l.sockpit.json");
    std::fs::write(&file, &text).unwrap();
    let f = file.to_str().unwrap();
    let out = sockpit(&["export", f, "--format", "websocat"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("# a socketio request: websocat cannot speak it"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(r#"sockpit socketio "http://127.0.0.1:1/" --transport "websocket" --emit "ack-me" "[\"a\", 1]" --emit "echo" "{\"n\": ${n}}" --ack"#),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(r#"sockpit graphql "ws://127.0.0.1:1/graphql" --subprotocol "graphql-ws" --query "query(\$n: String) { hello(name: \$n) }" --variables "{\"n\": \"${who}\"}""#),
        "{}",
        out.stdout
    );
    let out = sockpit(&["export", f, "--format", "k6"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains("k6 has no Socket.IO client"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("type: 'connection_init'"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("'graphql-transport-ws'"),
        "{}",
        out.stdout
    );
}

#[tokio::test]
async fn an_insomnia_socketio_request_imports_as_an_emit_and_runs() {
    let file = sockpit_tests::collections::import_fixture("insomnia-v4-socketio.json");
    let imported = sockpit_core::collection::import::import_file(
        &file,
        sockpit_core::collection::import::Format::Auto,
    )
    .unwrap();
    let sockpit_core::collection::Item::Request(r) = &imported.collection.items[0] else {
        panic!("{:?}", imported.collection.items)
    };
    assert_eq!(r.protocol, sockpit_core::collection::Protocol::Socketio);
    assert_eq!(r.url, "http://{{host}}/");
    let m = &r.messages[0];
    assert_eq!(m.event.as_deref(), Some("ack-me"));
    assert!(m.ack);
    assert_eq!(m.body, r#"[{"room": "{{room}}"}, "hi \"there\""]"#);
    let warned = |text: &str| imported.warnings.iter().any(|w| w.contains(text));
    assert!(warned("event listeners (echo)"), "{:?}", imported.warnings);
    assert!(warned("skipped 1 'request'"), "{:?}", imported.warnings);

    // Imported into a store, it runs against socket.io 4: the ack comes back.
    let peer = Peer::node("socketio_server.js").await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let host = format!(
        "host={}",
        peer.http_url("/")
            .trim_start_matches("http://")
            .trim_end_matches('/')
    );
    let out = sockpit(
        &[
            "run",
            "Realtime",
            "--var",
            &host,
            "--data-dir",
            data,
            "--reporter",
            "json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["requests"][0]["received"], 1, "the ack: {report}");
}
