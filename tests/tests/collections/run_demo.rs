//! `sockpit run` on the shipped demo collection against the mock server and `sockpit serve`,
//! with every reporter; failing assertions; stored collections, environments, secrets and history.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::process::Stdio;
use std::time::Duration;

use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_core::store::Store;
use sockpit_mock::MockServer;
use sockpit_tests::collections::{shipped_collection, sockpit_with_env};
use sockpit_tests::{sockpit, sockpit_bin};
use tokio::io::AsyncBufReadExt;

const LIMIT: Duration = Duration::from_secs(60);

fn demo() -> String {
    shipped_collection("demo.sockpit.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_demo_passes_against_the_mock_with_every_reporter() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = format!("host={}", mock.addr());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let demo = demo();

    let out = sockpit(
        &["run", &demo, "--var", &host, "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("10 of 10 requests passed, 0 failed; 23 of 23 assertions passed; 3 of 3 script tests passed"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("PASS ").count(), 10, "{}", out.stdout);
    assert!(
        !dir.path().join("sockpit.db").exists(),
        "running a file creates no store"
    );

    let out = sockpit(
        &["run", &demo, "--var", &host, "--reporter", "json"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let v: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(v["passed"], true);
    assert_eq!(v["requests"].as_array().unwrap().len(), 10);
    assert_eq!(v["requests"][7]["tests"].as_array().unwrap().len(), 3);
    assert_eq!(v["requests"][5]["protocol"], "socketio");
    assert_eq!(v["requests"][6]["protocol"], "graphql");
    assert_eq!(v["requests"][2]["name"], "Flood");
    assert_eq!(v["requests"][2]["received"], 500);
    assert_eq!(v["requests"][4]["protocol"], "sse");
    assert_eq!(v["requests"][8]["protocol"], "stomp");
    assert_eq!(v["requests"][8]["received"], 2);
    assert_eq!(v["requests"][9]["protocol"], "mqtt");
    assert_eq!(v["requests"][9]["received"], 2);

    let junit = dir.path().join("report.xml");
    let out = sockpit(
        &[
            "run",
            &demo,
            "--var",
            &host,
            "--reporter",
            "junit",
            "-o",
            junit.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
        "{xml}"
    );
    assert!(
        xml.contains("tests=\"13\" failures=\"0\" errors=\"0\""),
        "{xml}"
    );
    // Ten requests and the scripted one's three test() calls.
    assert_eq!(xml.matches("<testcase ").count(), 13, "{xml}");
    assert!(
        xml.contains("classname=\"Sockpit demo.Server-Sent Events\" name=\"Feed\""),
        "{xml}"
    );
    assert!(
        out.stdout.contains("PASS WebSocket / Echo"),
        "text still on stdout with -o"
    );
}

#[tokio::test]
async fn the_demo_passes_against_sockpit_serve() {
    let mut serve = tokio::process::Command::new(sockpit_bin())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(serve.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(LIMIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let host = format!("host={addr}");
    let out = sockpit(
        &["run", &demo(), "--env", "local", "--var", &host],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains("10 of 10 requests passed"),
        "{}",
        out.stdout
    );
    let _ = serve.kill().await;
}

fn failing_collection() -> Collection {
    let req = |name: &str, url: &str, assertions: Vec<Assertion>| {
        Item::Request(Box::new(Request {
            name: name.into(),
            protocol: Protocol::Websocket,
            url: url.into(),
            messages: vec![SavedMessage {
                name: "m".into(),
                body: "ping <&>".into(),
                ..Default::default()
            }],
            assertions,
            settings: Settings {
                timeout_ms: Some(1500),
                ..Default::default()
            },
            ..Default::default()
        }))
    };
    Collection {
        name: "Failing".into(),
        items: vec![
            req(
                "Wrong echo",
                "ws://{{host}}/echo",
                vec![
                    Assertion::Equals {
                        value: "ping <&>".into(),
                        event: None,
                    },
                    Assertion::Contains {
                        value: "never sent".into(),
                        event: None,
                    },
                ],
            ),
            req(
                "Wrong close",
                "ws://{{host}}/close?code=4001",
                vec![Assertion::CloseCode { code: 1000 }],
            ),
            req(
                "Too few",
                "ws://{{host}}/flood?n=3",
                vec![Assertion::Count {
                    min: 10,
                    within_ms: 300,
                    event: None,
                }],
            ),
            req("Refused", "ws://127.0.0.1:1/", vec![]),
        ],
        ..Default::default()
    }
}

#[tokio::test]
async fn failures_are_reported_and_exit_1() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = format!("host={}", mock.addr());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("failing.sockpit.json");
    std::fs::write(&file, to_share_json(&failing_collection())).unwrap();
    let junit = dir.path().join("junit.xml");
    let out = sockpit(
        &[
            "run",
            file.to_str().unwrap(),
            "--var",
            &host,
            "-r",
            "junit",
            "-o",
            junit.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(
        out.one_error_line(),
        "sockpit: error: 4 of 4 requests failed"
    );
    let text = &out.stdout;
    assert!(text.contains("FAIL Wrong echo"), "{text}");
    assert!(text.contains("ok   equals \"ping <&>\""), "{text}");
    assert!(text.contains("FAIL contains \"never sent\": no matching message among 1 received (not seen within 1500 ms)"), "{text}");
    assert!(
        text.contains("closed with 4001 Private, expected 1000 Normal Closure"),
        "{text}"
    );
    assert!(
        text.contains("FAIL 10 messages within 300 ms: 3 of 10 messages"),
        "{text}"
    );
    assert!(text.contains("error ws.connection_refused"), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("tests=\"4\" failures=\"3\" errors=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure type=\"assertion\" message=\"contains &quot;never sent&quot;\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<error type=\"ws.connection_refused\""),
        "{xml}"
    );
    assert!(xml.contains("ping &lt;&amp;&gt;"), "escaped: {xml}");
}

#[tokio::test]
async fn stored_collections_run_by_name_with_environments_secrets_and_history() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = sockpit(&["import", &demo(), "--data-dir", data], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");

    // A secret variable: its value is on this machine only, or in $SOCKPIT_VAR_<NAME>.
    let secret = Collection {
        name: "Secret".into(),
        environments: vec![Environment {
            name: "ci".into(),
            variables: vec![
                Variable::plain("host", mock.addr().to_string()),
                Variable {
                    name: "api-token".into(),
                    value: None,
                    secret: true,
                    placeholder: None,
                },
            ],
        }],
        items: vec![Item::Request(Box::new(Request {
            name: "Token header".into(),
            protocol: Protocol::Websocket,
            url: "ws://{{host}}/headers".into(),
            auth: Auth::Bearer {
                token: "{{api-token}}".into(),
            },
            assertions: vec![Assertion::JsonPointer {
                pointer: "/headers/authorization".into(),
                equals: serde_json::json!("Bearer from-env"),
                event: None,
            }],
            ..Default::default()
        }))],
        ..Default::default()
    };
    let file = dir.path().join("secret.sockpit.json");
    std::fs::write(&file, to_share_json(&secret)).unwrap();
    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = sockpit(
        &["run", "Secret", "--env", "ci", "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.stderr.contains("secret variable 'api-token'")
            && out.stderr.contains("$SOCKPIT_VAR_API_TOKEN"),
        "{out:?}"
    );
    let out = sockpit_with_env(
        &["run", "Secret", "--env", "ci", "--data-dir", data],
        &[("SOCKPIT_VAR_API_TOKEN", "from-env")],
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");

    // By name; --var beats the environment.
    let host = format!("host={}", mock.addr());
    let out = sockpit_with_env(
        &["run", "Sockpit demo", "--env", "local", "--var", &host],
        &[("SOCKPIT_DATA_DIR", data)],
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = sockpit(
        &["run", "Sockpit demo", "--env", "nope", "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out
        .one_error_line()
        .contains("no environment named 'nope' in collection 'Sockpit demo' (it has: local)"));
    let out = sockpit(&["run", "No such", "--data-dir", data], None, LIMIT).await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out
        .one_error_line()
        .contains("no collection named 'No such'"));

    // Every connection of the runs went to history, with its events.
    let store = Store::open_in(dir.path()).unwrap();
    let history = store.history(100).unwrap();
    assert_eq!(history.len(), 11, "{history:?}");
    // Layered requests keep their wire view in history: the raw Engine.IO / GraphQL / STOMP
    // frames (text) and MQTT packets (binary).
    for (proto, kind) in [
        ("socketio", "text"),
        ("graphql", "text"),
        ("stomp", "text"),
        ("mqtt", "binary"),
    ] {
        let h = history.iter().find(|h| h.protocol == proto).unwrap();
        let events = store.history_events(h.id, 0, 100).unwrap();
        assert!(
            events.iter().filter(|e| e.kind == kind).count() >= 4,
            "{proto}: {events:?}"
        );
    }
    let flood = history.iter().find(|h| h.url.contains("/flood")).unwrap();
    let events = store.history_events(flood.id, 0, 10_000).unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "text").count(), 500);
    let sse = history.iter().find(|h| h.protocol == "sse").unwrap();
    let events = store.history_events(sse.id, 0, 100).unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "sse_event").count(), 5);
}

#[tokio::test]
async fn the_protobuf_demo_encodes_sends_and_checks_decoded_messages() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = format!("host={}", mock.addr());
    let file = shipped_collection("proto-demo.sockpit.json");
    let out = sockpit(
        &["run", file.to_str().unwrap(), "--var", &host, "-r", "json"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["requests"][0]["received"], 4);
    let echoed = &v["requests"][1]["assertions"][0]["detail"];
    assert!(
        echoed.as_str().unwrap().contains("hello protobuf"),
        "{echoed}"
    );
}
