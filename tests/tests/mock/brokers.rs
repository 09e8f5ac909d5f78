//! The mock's `/stomp` and `/mqtt` brokers, driven by `sockpit stomp` and `sockpit mqtt` (the
//! real binary) against a mock started in-process: topics, receipts, transactions, heart-beats and
//! the refused login on STOMP; QoS 2 both ways, retained messages for a late subscriber, `+`/`#`
//! matching and the refused login on MQTT, on 3.1.1 and 5.

// Helper fns of an integration test are test code too (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::Value;
use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(40);

async fn mock() -> MockServer {
    MockServer::start("127.0.0.1", 0)
        .await
        .expect("the mock binds 127.0.0.1:0")
}

async fn run(sub: &str, url: &str, args: &[&str]) -> CliOutput {
    let mut all = vec![sub, url, "--json"];
    all.extend_from_slice(args);
    sockpit(&all, None, LIMIT).await
}

fn stomp_bodies(out: &CliOutput) -> Vec<String> {
    out.events_of("stomp")
        .iter()
        .filter(|e| e["dir"] == "in" && e["command"] == "MESSAGE")
        .map(|e| e["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn mqtt_in(out: &CliOutput, kind: &str) -> Vec<Value> {
    out.events_of("mqtt")
        .into_iter()
        .filter(|e| e["dir"] == "in" && e["type"] == kind)
        .collect()
}

#[tokio::test]
async fn stomp_topics_receipts_and_transactions() {
    let m = mock().await;
    let url = format!("{}/stomp", m.ws_url());
    let out = run(
        "stomp",
        &url,
        &[
            "--subscribe",
            "/topic/a",
            "--subscribe",
            "/topic/b:client",
            "--send",
            "/topic/a",
            "hello",
            "--send",
            "/topic/b",
            "to b",
            "--send",
            "/topic/none",
            "nobody",
            "--header",
            "x-demo:1",
            "--receipt",
            "-n",
            "2",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(stomp_bodies(&out), ["hello", "to b"]);
    let connected = out.events_of("stomp_connected");
    assert_eq!(connected[0]["version"], "1.2", "{connected:?}");
    let receipts: Vec<String> = out
        .events_of("stomp_receipt")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for want in ["subscribed-0", "subscribed-1", "send-0", "send-1", "send-2"] {
        assert!(receipts.iter().any(|r| r == want), "{want}: {receipts:?}");
    }
    let message = out
        .events_of("stomp")
        .into_iter()
        .find(|e| e["command"] == "MESSAGE" && e["body"] == "to b")
        .unwrap();
    assert_eq!(message["headers"]["x-demo"], "1", "{message}");
    assert_eq!(message["headers"]["subscription"], "sub-1", "{message}");
    assert!(
        message["headers"]["ack"].is_string(),
        "1.2 client ack: {message}"
    );
    // The client-ack subscription's message was acknowledged.
    assert!(out
        .events_of("stomp")
        .iter()
        .any(|e| e["dir"] == "out" && e["command"] == "ACK"));

    // A transaction: the sends arrive at COMMIT, and not at all after ABORT.
    let tx = |abort: bool| {
        let mut a = vec![
            "--subscribe",
            "/topic/tx",
            "--send",
            "/topic/tx",
            "in tx",
            "--transaction",
            "t1",
            "--timeout",
            "2",
        ];
        if abort {
            a.push("--abort");
        } else {
            a.extend(["-n", "1"]);
        }
        a
    };
    let out = run("stomp", &url, &tx(false)).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(stomp_bodies(&out), ["in tx"]);
    let out = run("stomp", &url, &tx(true)).await;
    assert_eq!(out.status, 3, "no message, so the timeout: {out:?}");
    assert!(stomp_bodies(&out).is_empty(), "{out:?}");
}

#[tokio::test]
async fn stomp_heartbeats_flow_and_one_login_is_refused() {
    let m = mock().await;
    let url = format!("{}/stomp", m.ws_url());
    // Nothing but heart-beats on the wire for 3.5 s: the broker sends one every second.
    let out = run(
        "stomp",
        &url,
        &[
            "--subscribe",
            "/topic/quiet",
            "--heartbeat",
            "1000,1000",
            "--timeout",
            "3.5",
        ],
    )
    .await;
    assert_eq!(out.status, 3, "{out:?}");
    let beats_in = out
        .events_of("heartbeat")
        .iter()
        .filter(|h| h["dir"] == "in")
        .count();
    assert!(beats_in >= 2, "heart-beats from the broker: {out:?}");
    let errors: Vec<Value> = out.events_of("error");
    assert!(
        errors.iter().all(|e| e["code"] == "cli.timeout"),
        "no heart-beat missed: {out:?}"
    );
    let beats_out = out
        .events_of("heartbeat")
        .iter()
        .filter(|h| h["dir"] == "out")
        .count();
    assert!(beats_out >= 2, "heart-beats to the broker: {out:?}");

    let out = run("stomp", &url, &["--login", "demo", "--passcode", "nope"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.stderr.contains("bad credentials for user 'demo'"),
        "{}",
        out.stderr
    );
    let out = run(
        "stomp",
        &url,
        &[
            "--login",
            "demo",
            "--passcode",
            "demo-pass",
            "--send",
            "/topic/x",
            "ok",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
}

#[tokio::test]
async fn mqtt_qos2_both_ways_and_wildcards_on_both_versions() {
    let m = mock().await;
    let url = format!("{}/mqtt", m.ws_url());
    for version in ["3.1.1", "5"] {
        let out = run(
            "mqtt",
            &url,
            &[
                "--mqtt-version",
                version,
                "--subscribe",
                "m/+/c:2",
                "--publish",
                "m/b/c",
                "yes",
                "--publish",
                "m/b/d",
                "no",
                "--publish",
                "m/b/c/d",
                "no either",
                "--publish",
                "m/z/c",
                "yes again",
                "--qos",
                "2",
                "-n",
                "2",
                "--timeout",
                "10",
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{version}: {out:?}");
        let payloads: Vec<String> = mqtt_in(&out, "publish")
            .iter()
            .map(|p| p["payload"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(payloads, ["yes", "yes again"], "{version}");
        for p in mqtt_in(&out, "publish") {
            assert_eq!(p["qos"], 2, "{p}");
        }
        for kind in ["pubrec", "pubcomp", "pubrel", "suback"] {
            assert!(!mqtt_in(&out, kind).is_empty(), "{version}: no {kind} in");
        }
    }
}

#[tokio::test]
async fn mqtt_retained_messages_reach_late_subscribers_and_one_login_is_refused() {
    let m = mock().await;
    let url = format!("{}/mqtt", m.ws_url());
    let out = run(
        "mqtt",
        &url,
        &["--publish", "r/kept", "kept", "--retain", "--qos", "1"],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = run(
        "mqtt",
        &url,
        &["--subscribe", "r/#:1", "-n", "1", "--timeout", "10"],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let p = &mqtt_in(&out, "publish")[0];
    assert_eq!(
        (&p["payload"], &p["retain"], &p["qos"]),
        (&"kept".into(), &true.into(), &1.into())
    );

    // An empty retained payload clears it: a later subscriber gets nothing.
    let out = run("mqtt", &url, &["--publish", "r/kept", "", "--retain"]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = run("mqtt", &url, &["--subscribe", "r/#", "--timeout", "1.5"]).await;
    assert_eq!(out.status, 3, "{out:?}");
    assert!(mqtt_in(&out, "publish").is_empty(), "{out:?}");

    let out = run("mqtt", &url, &["--username", "demo", "--password", "nope"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.stderr.contains("bad user name or password"),
        "{}",
        out.stderr
    );
}
