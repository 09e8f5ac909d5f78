//! STOMP and MQTT requests in collections: the share format and the store keep their settings and
//! saved SENDs/publishes (credentials as secrets), bad parts are refused before anything connects,
//! and `sockpit run` runs them against brokers no one here wrote: RabbitMQ's Web-STOMP plugin
//! (`sockpit_tests::rabbitmq`) and aedes (`tests/peers/mqtt_aedes.js`), with every reporter and
//! with scripts that see decoded frames and packets (`sp.publish` on MQTT).

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use sockpit_core::collection::share::SECRET_PLACEHOLDER;
use sockpit_core::collection::{parse_share, to_share_json, Item};
use sockpit_core::store::Store;
use sockpit_tests::rabbitmq::RabbitMq;
use sockpit_tests::{sockpit, Peer};

use super::run_support::{collection_named, run_file, LIMIT};

fn collection(requests: Vec<Value>) -> Value {
    collection_named("Brokers", requests)
}

fn stomp_request(name: &str, url: &str, passcode: &str) -> Value {
    json!({
        "type": "request", "name": name, "protocol": "stomp", "url": url,
        "settings": {
            "timeout_ms": 10000,
            "stomp": {
                "login": "guest", "passcode": passcode, "host": "/", "heartbeat": "2000,2000",
                "subscriptions": [
                    {"destination": "/topic/sockpit.news", "id": "news"},
                    {"destination": "/topic/sockpit.acked", "ack": "client-individual"}
                ]
            }
        },
        "messages": [
            {"name": "json", "kind": "json", "body": "{\"n\": {{n}}, \"room\": \"{{room}}\"}",
             "destination": "/topic/sockpit.news", "headers": ["content-type:application/json", "x-run:1"]},
            {"name": "acked", "body": "please ack", "destination": "/topic/sockpit.acked"}
        ],
        "assertions": [
            {"type": "json_pointer", "event": "/topic/sockpit.news", "pointer": "/n", "equals": 7},
            {"type": "equals", "event": "/topic/sockpit.acked", "value": "please ack"},
            {"type": "count", "min": 2, "within_ms": 8000}
        ]
    })
}

fn mqtt_request(name: &str, url: &str) -> Value {
    json!({
        "type": "request", "name": name, "protocol": "mqtt", "url": url,
        "settings": {
            "timeout_ms": 10000,
            "mqtt": {
                "client_id": "sockpit-run-{{n}}", "keepalive_s": 30,
                "will": {"topic": "sockpit/will", "payload": "gone", "qos": 1},
                "subscriptions": [{"filter": "sockpit/+/temp", "qos": 2}, {"filter": "sockpit/all/#", "qos": 1}]
            }
        },
        "messages": [
            {"name": "q0", "body": "{\"c\": 20}", "topic": "sockpit/kitchen/temp"},
            {"name": "q1", "body": "{\"c\": 21}", "topic": "sockpit/hall/temp", "qos": 1},
            {"name": "q2", "kind": "json", "body": "{\"c\": {{n}}}", "topic": "sockpit/attic/temp", "qos": 2},
            {"name": "deep", "kind": "hex", "body": "68 69", "topic": "sockpit/all/a/b", "qos": 1}
        ],
        "assertions": [
            {"type": "json_pointer", "event": "sockpit/attic/temp", "pointer": "/c", "equals": 7},
            {"type": "contains", "event": "sockpit/hall/temp", "value": "21"},
            {"type": "equals", "event": "sockpit/all/a/b", "value": "hi"},
            {"type": "count", "min": 4, "within_ms": 8000}
        ]
    })
}

#[test]
fn broker_requests_round_trip_through_the_share_format_and_the_store_with_secrets_kept_out() {
    let mut m = mqtt_request("m", "ws://127.0.0.1:1/mqtt");
    m["settings"]["mqtt"]["version"] = json!("5");
    m["settings"]["mqtt"]["password"] = json!("{{mqtt_pw}}");
    m["messages"][0]["retain"] = json!(true);
    m["messages"][0]["properties"] = json!({
        "content_type": "application/json", "response_topic": "sockpit/replies",
        "correlation_data": "abc", "user": [{"name": "k", "value": "v"}]
    });
    let c = collection(vec![
        stomp_request("s", "ws://127.0.0.1:1/ws", "lit-pass"),
        m,
    ]);
    let text = serde_json::to_string(&c).unwrap();
    let parsed = parse_share(&text, "b.sockpit.json").unwrap();

    // The share format writes it back in model order and reads the same; the literal passcode
    // becomes the placeholder, the {{variable}} password stays.
    let shared = to_share_json(&parsed);
    assert!(!shared.contains("lit-pass"), "{shared}");
    assert!(shared.contains(SECRET_PLACEHOLDER), "{shared}");
    assert!(shared.contains("\"password\": \"{{mqtt_pw}}\""), "{shared}");
    let again = parse_share(&shared, "b.sockpit.json").unwrap();
    assert_eq!(
        to_share_json(&again),
        shared,
        "export → import → export is identical"
    );
    let Item::Request(r) = &again.items[1] else {
        panic!()
    };
    let p = r.messages[0].properties.as_ref().unwrap();
    assert_eq!(p.response_topic.as_deref(), Some("sockpit/replies"));
    assert!(r.messages[0].retain);
    assert_eq!(r.messages[2].qos, Some(2));

    // SQLite keeps every protocol part.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let id = store.insert_collection(&parsed).unwrap();
    assert_eq!(store.load_collection(id).unwrap(), parsed);
    // Other tools cannot speak either protocol: exports give the sockpit line that does.
    use sockpit_core::collection::export::{export, ExportFormat};
    let text = export(&parsed, ExportFormat::Websocat, None);
    assert!(
        text.contains("# a stomp request: websocat cannot speak it"),
        "{text}"
    );
    assert!(
        text.contains(r#"sockpit stomp "ws://127.0.0.1:1/ws" --login "guest" --passcode "<secret not exported"#),
        "{text}"
    );
    assert!(
        text.contains(r#"--subscribe "/topic/sockpit.acked:client-individual""#),
        "{text}"
    );
    assert!(
        text.contains(r#"sockpit mqtt "ws://127.0.0.1:1/mqtt" --mqtt-version "5""#)
            && text.contains(r#"--subscribe "sockpit/+/temp:2""#)
            && text.contains(" --qos 2 --retain"),
        "{text}"
    );
    let k6 = export(&parsed, ExportFormat::K6, None);
    assert!(k6.contains("k6 has no MQTT client"), "{k6}");
}

#[tokio::test]
async fn an_imported_literal_passcode_moves_to_a_secret_variable() {
    let c = collection(vec![stomp_request(
        "Chat feed",
        "ws://127.0.0.1:1/ws",
        "lit-pass",
    )]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.sockpit.json");
    std::fs::write(&file, c.to_string()).unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let store = Store::open_in(std::path::Path::new(data)).unwrap();
    let id = store.list_collections().unwrap()[0].id;
    let stored = store.load_collection(id).unwrap();
    let Item::Request(r) = &stored.items[0] else {
        panic!()
    };
    let pass = r.settings.stomp.as_ref().unwrap().passcode.clone().unwrap();
    assert_eq!(pass, "{{auth_chat_feed_passcode}}");
    assert!(stored
        .variables
        .iter()
        .any(|v| v.name == "auth_chat_feed_passcode" && v.secret && v.value.is_none()));
}

#[tokio::test]
async fn bad_broker_parts_are_refused_before_connecting() {
    // Each fails validation with collection.invalid_request, naming the request and the field.
    let req = |protocol: &str, extra: Value| {
        let mut r = json!({"type": "request", "name": "r", "protocol": protocol, "url": "ws://127.0.0.1:9"});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let cases = [
        (
            req(
                "mqtt",
                json!({"messages": [{"name": "m", "body": "x", "topic": "a/b", "qos": 3}]}),
            ),
            "message 'm': the publish has QoS 3: MQTT QoS is 0, 1 or 2",
        ),
        (
            req(
                "mqtt",
                json!({"settings": {"mqtt": {"subscriptions": [{"filter": "a/#/b"}]}}}),
            ),
            "topic filter 'a/#/b': '#' must be the last level, alone (like 'a/#')",
        ),
        (
            req(
                "mqtt",
                json!({"messages": [{"name": "m", "body": "x", "topic": "a/+"}]}),
            ),
            "topic 'a/+': a topic name to publish to has no wildcards ('+', '#')",
        ),
        (
            req(
                "stomp",
                json!({"messages": [{"name": "m", "body": "x", "destination": "/q", "headers": ["priority 5"]}]}),
            ),
            "header 'priority 5' has no ':'; write it as 'name:value' (e.g. 'priority:5')",
        ),
        (
            req("stomp", json!({"messages": [{"name": "m", "body": "x"}]})),
            "a STOMP message needs \"destination\"",
        ),
        (
            req(
                "stomp",
                json!({"settings": {"stomp": {"heartbeat": "fast"}}}),
            ),
            "settings.stomp.heartbeat 'fast' is not CX,CY",
        ),
        (
            req("websocket", json!({"settings": {"mqtt": {}}})),
            "settings.mqtt applies to MQTT requests",
        ),
    ];
    for (r, want) in cases {
        let (out, _) = run_file(&collection(vec![r.clone()]), &[]).await;
        assert_eq!(out.status, 1, "{want}: {out:?}");
        assert!(out.stderr.contains(want), "{want}: {}", out.stderr);
        // The engine's error behind that line, with its stable code.
        let text = json!({"sockpit": 1, "name": "B", "items": [r]}).to_string();
        let e = parse_share(&text, "b.sockpit.json").unwrap_err();
        assert_eq!(
            sockpit_core::error::ErrorCode::code(&e),
            "collection.invalid_request",
            "{want}"
        );
    }
}

#[tokio::test]
async fn stomp_requests_run_against_rabbitmq_web_stomp() {
    let broker = RabbitMq::start();
    let url = broker.ws_url();
    let c = collection(vec![stomp_request("rabbit", &url, "guest")]);
    let (out, report) = run_file(&c, &["--var", "n=7", "--var", "room=a"]).await;
    assert_eq!(out.status, 0, "{out:?}\n{}", broker.log());
    assert_eq!(report["passed"], true, "{report}");
    let r = &report["requests"][0];
    assert_eq!(r["protocol"], "stomp");
    assert_eq!(r["received"], 2, "{r}");

    // Text and JUnit reporters.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.sockpit.json");
    std::fs::write(&file, c.to_string()).unwrap();
    let junit = dir.path().join("junit.xml");
    let f = file.to_str().unwrap();
    let vars = ["--var", "n=7", "--var", "room=b"];
    let mut args = vec![
        "run",
        f,
        "--reporter",
        "junit",
        "-o",
        junit.to_str().unwrap(),
    ];
    args.extend_from_slice(&vars);
    let out = sockpit(&args, None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.contains("PASS rabbit"), "{}", out.stdout);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("failures=\"0\" errors=\"0\""), "{xml}");

    // A refused login fails the request with the broker's words.
    let c = collection(vec![stomp_request("refused", &url, "wrong")]);
    let (out, report) = run_file(&c, &["--var", "n=7", "--var", "room=c"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let e = &report["requests"][0]["error"];
    assert_eq!(e["code"], "stomp.refused", "{report}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Access refused for user 'guest'"),
        "{e}"
    );
}

#[tokio::test]
async fn mqtt_requests_run_against_aedes_with_qos_wildcards_and_scripts() {
    let aedes = Peer::node("mqtt_aedes.js").await;
    let url = aedes.ws_url("/");
    let c = collection(vec![mqtt_request("aedes", &url)]);
    let (out, report) = run_file(&c, &["--var", "n=7"]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(report["passed"], true, "{report}");
    let r = &report["requests"][0];
    assert_eq!(r["protocol"], "mqtt");
    assert_eq!(r["received"], 4, "all four publishes came back: {r}");

    // A failing assertion names what was missing.
    let mut wrong = mqtt_request("wrong", &url);
    wrong["settings"]["timeout_ms"] = json!(2500);
    wrong["assertions"] = json!([{"type": "contains", "event": "sockpit/never", "value": "x"}]);
    let (out, report) = run_file(&collection(vec![wrong]), &["--var", "n=8"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let a = &report["requests"][0]["assertions"][0];
    assert_eq!(a["passed"], false, "{a}");
    assert!(
        a["detail"]
            .as_str()
            .unwrap()
            .contains("not seen within 2500 ms"),
        "{a}"
    );

    // Scripts see decoded packets, and sp.publish publishes.
    let scripted = json!({
        "type": "request", "name": "scripted", "protocol": "mqtt", "url": url,
        "settings": {"timeout_ms": 8000, "mqtt": {"subscriptions": [{"filter": "sockpit/script/#", "qos": 1}]}},
        "scripts": {
            "on_message": "const m = sp.message.json();\nif (m.type === 'suback') sp.publish('sockpit/script/hello', {from: 'script'});\nif (m.type === 'publish' && m.topic === 'sockpit/script/hello') sp.close(1000, 'done');",
            "after": "const pubs = sp.messages.filter(m => m.dir === 'in').map(m => m.json()).filter(p => p.type === 'publish');\ntest('the script publish came back', () => expect(JSON.parse(pubs[0].payload).from).to.equal('script'));\ntest('connack was seen', () => expect(sp.messages.map(m => m.json().type)).to.include('connack'));"
        }
    });
    let (out, report) = run_file(&collection(vec![scripted]), &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let tests = report["requests"][0]["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2, "{report}");
    assert!(tests.iter().all(|t| t["passed"] == true), "{report}");
}

#[tokio::test]
async fn a_stored_stomp_request_keeps_its_passcode_out_of_history() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let url = format!("{}/stomp", mock.ws_url());
    // The mock refuses login demo unless the passcode is demo-pass: passing proves it was sent.
    let mut r = stomp_request("Mock feed", &url, "demo-pass");
    r["settings"]["stomp"]["login"] = json!("demo");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.sockpit.json");
    std::fs::write(&file, collection(vec![r]).to_string()).unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = sockpit(
        &[
            "run",
            "Brokers",
            "--var",
            "n=7",
            "--var",
            "room=x",
            "--data-dir",
            data,
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let store = Store::open_in(std::path::Path::new(data)).unwrap();
    let h = store.history(10).unwrap();
    let stomp = h.iter().find(|h| h.protocol == "stomp").unwrap();
    let events = store.history_events(stomp.id, 0, 1000).unwrap();
    let connect = events
        .iter()
        .map(|e| String::from_utf8_lossy(&e.data).to_string())
        .find(|d| d.starts_with("CONNECT"))
        .unwrap_or_else(|| panic!("no CONNECT frame in {events:?}"));
    assert!(connect.contains("passcode:*********"), "{connect}");
    assert!(
        events
            .iter()
            .all(|e| !String::from_utf8_lossy(&e.data).contains("demo-pass")),
        "the passcode is not in history"
    );
}

#[tokio::test]
async fn stomp_scripts_see_decoded_frames() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let r = json!({
        "type": "request", "name": "scripted", "protocol": "stomp",
        "url": format!("{}/stomp", mock.ws_url()),
        "settings": {"timeout_ms": 8000, "stomp": {"subscriptions": [{"destination": "/topic/s"}]}},
        "messages": [{"name": "m", "body": "{\"k\": 1}", "destination": "/topic/s"}],
        "scripts": {
            "on_message": "const f = sp.message.json();\nif (f.command === 'MESSAGE') sp.close(1000, 'got it');",
            "after": "const frames = sp.messages.filter(m => m.dir === 'in').map(m => m.json());\ntest('connected first', () => expect(frames[0].command).to.equal('CONNECTED'));\ntest('the message body', () => expect(JSON.parse(frames.find(f => f.command === 'MESSAGE').body).k).to.equal(1));\ntest('its destination', () => expect(frames.find(f => f.command === 'MESSAGE').destination).to.equal('/topic/s'));"
        }
    });
    let (out, report) = run_file(&collection(vec![r]), &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let tests = report["requests"][0]["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3, "{report}");
    assert!(tests.iter().all(|t| t["passed"] == true), "{report}");
}
