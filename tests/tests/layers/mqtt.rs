//! `sockpit mqtt` against MQTT brokers no one here wrote, on 127.0.0.1: aedes (Node, MQTT 3.1.1,
//! `tests/peers/mqtt_aedes.js`), amqtt (Python, MQTT 3.1.1, `tests/peers/mqtt_amqtt.py`), and for
//! MQTT 5 and broken streams a small raw peer whose packets come from `mqtt-packet`, the MQTT.js
//! codec (`tests/peers/mqtt_raw.js`).

use std::time::Duration;

use serde_json::Value;
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(30);

async fn mqtt(url: &str, args: &[&str]) -> CliOutput {
    let mut all = vec!["mqtt", url];
    all.extend_from_slice(args);
    sockpit(&all, None, LIMIT).await
}

/// The `mqtt` lines of `type` going `dir`.
fn packets(out: &CliOutput, dir: &str, kind: &str) -> Vec<Value> {
    out.events_of("mqtt")
        .into_iter()
        .filter(|e| e["dir"] == dir && e["type"] == kind)
        .collect()
}

fn types(out: &CliOutput) -> Vec<String> {
    out.events_of("mqtt")
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["dir"].as_str().unwrap_or("?"),
                e["type"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[tokio::test]
async fn aedes_qos2_runs_both_ways_and_every_packet_is_a_line() {
    let p = Peer::node("mqtt_aedes.js").await;
    let url = p.ws_url("/");
    let out = mqtt(
        &url,
        &[
            "--subscribe",
            "a/+:2",
            "--publish",
            "a/b",
            "hello",
            "--qos",
            "2",
            "-n",
            "1",
            "--json",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let t = types(&out);
    for want in [
        "out:connect",
        "in:connack",
        "out:subscribe",
        "in:suback",
        "out:publish",
        "in:pubrec",
        "out:pubrel",
        "in:pubcomp",
        "in:publish",
        "out:pubrec",
        "in:pubrel",
        "out:pubcomp",
        "out:disconnect",
    ] {
        assert!(t.iter().any(|x| x == want), "no {want} in {t:?}");
    }
    assert_eq!(packets(&out, "in", "connack")[0]["reason"], "accepted");
    assert_eq!(
        packets(&out, "in", "suback")[0]["granted"],
        serde_json::json!([2])
    );
    let got = &packets(&out, "in", "publish")[0];
    assert_eq!(got["topic"], "a/b");
    assert_eq!(got["payload"], "hello");
    assert_eq!(got["qos"], 2);
    assert_eq!(got["retain"], false);
}

#[tokio::test]
async fn aedes_delivers_a_retained_message_to_a_late_subscriber() {
    let p = Peer::node("mqtt_aedes.js").await;
    let url = p.ws_url("/");
    let pub_out = mqtt(
        &url,
        &[
            "--publish",
            "r/t",
            "kept",
            "--qos",
            "1",
            "--retain",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(pub_out.status, 0, "{pub_out:?}");
    let out = mqtt(
        &url,
        &[
            "--subscribe",
            "r/#:1",
            "-n",
            "1",
            "--json",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let got = &packets(&out, "in", "publish")[0];
    assert_eq!(got["payload"], "kept");
    assert_eq!(got["retain"], true);
    // Without --json: `topic payload`.
    let plain = mqtt(&url, &["--subscribe", "r/t", "-n", "1", "--timeout", "10"]).await;
    assert_eq!(plain.stdout, "r/t kept\n", "{plain:?}");
}

#[tokio::test]
async fn aedes_keepalive_holds_for_three_intervals_with_nothing_else_on_the_wire() {
    let p = Peer::node("mqtt_aedes.js").await;
    let out = mqtt(
        &p.ws_url("/"),
        &[
            "--subscribe",
            "quiet/#",
            "--keepalive",
            "1",
            "--json",
            "--timeout",
            "4.5",
        ],
    )
    .await;
    assert_eq!(out.status, 3, "ends at --timeout, not before: {out:?}");
    assert!(
        packets(&out, "out", "pingreq").len() >= 3,
        "{:?}",
        types(&out)
    );
    assert!(
        packets(&out, "in", "pingresp").len() >= 3,
        "{:?}",
        types(&out)
    );
    assert_eq!(out.events_of("open").len(), 1, "no drop, no reconnect");
    let errors: Vec<Value> = out
        .events_of("error")
        .into_iter()
        .filter(|e| e["code"] != "cli.timeout")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test]
async fn aedes_refuses_a_bad_login_in_words() {
    let p = Peer::node("mqtt_aedes.js").await;
    let url = p.ws_url("/");
    let out = mqtt(
        &url,
        &[
            "--username",
            "alice",
            "--password",
            "wrong",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line().contains("bad user name or password"),
        "{out:?}"
    );
    let ok = mqtt(
        &url,
        &[
            "--username",
            "alice",
            "--password",
            "secret",
            "--publish",
            "x",
            "1",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(ok.status, 0, "{ok:?}");
}

#[tokio::test]
async fn amqtt_subscribes_and_publishes_at_qos1() {
    let p = Peer::python_venv(".venv-amqtt", "mqtt_amqtt.py").await;
    let out = mqtt(
        &p.ws_url("/"),
        &[
            "--subscribe",
            "s/#:1",
            "--publish",
            "s/1",
            "from-sockpit",
            "--qos",
            "1",
            "-n",
            "1",
            "--json",
            "--timeout",
            "15",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(packets(&out, "in", "puback").len(), 1, "{:?}", types(&out));
    let got = &packets(&out, "in", "publish")[0];
    assert_eq!(got["payload"], "from-sockpit");
    assert_eq!(got["qos"], 1);
    assert_eq!(packets(&out, "out", "puback").len(), 1, "{:?}", types(&out));
}

#[tokio::test]
async fn mqtt5_properties_reason_codes_and_qos2_against_the_raw_peer() {
    let p = Peer::node("mqtt_raw.js").await;
    let out = mqtt(
        &p.ws_url("/v5"),
        &[
            "--mqtt-version",
            "5",
            "--session-expiry",
            "30",
            "--user-property",
            "k=v",
            "--subscribe",
            "v/+:2",
            "--publish",
            "v/a",
            "hi",
            "--qos",
            "2",
            "--response-topic",
            "re/x",
            "--correlation-data",
            "abc",
            "-n",
            "1",
            "--json",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let connack = &packets(&out, "in", "connack")[0];
    assert_eq!(connack["reason"], "success");
    assert_eq!(connack["properties"]["session_expiry"], 30);
    let got = &packets(&out, "in", "publish")[0];
    assert_eq!(got["payload"], "hi");
    assert_eq!(got["qos"], 2);
    assert_eq!(got["properties"]["response_topic"], "re/x");
    assert_eq!(got["properties"]["correlation_data"], "abc");
    assert_eq!(
        got["properties"]["user_properties"],
        serde_json::json!([["k", "v"]])
    );
    let t = types(&out);
    for want in [
        "in:pubrec",
        "out:pubrel",
        "in:pubcomp",
        "out:pubrec",
        "in:pubrel",
        "out:pubcomp",
    ] {
        assert!(t.iter().any(|x| x == want), "no {want} in {t:?}");
    }

    let refused = mqtt(
        &p.ws_url("/v5"),
        &[
            "--mqtt-version",
            "5",
            "--username",
            "bad",
            "--password",
            "x",
            "--timeout",
            "10",
        ],
    )
    .await;
    assert_eq!(refused.status, 1, "{refused:?}");
    let line = refused.one_error_line();
    assert!(
        line.contains("bad user name or password") && line.contains("who are you"),
        "{line}"
    );
}

#[tokio::test]
async fn a_missed_pingresp_drops_and_the_reconnect_connects_and_resubscribes() {
    let p = Peer::node("mqtt_raw.js").await;
    let out = mqtt(
        &p.ws_url("/v5?noping=1"),
        &[
            "--mqtt-version",
            "5",
            "--subscribe",
            "z/#:1",
            "--keepalive",
            "1",
            "--reconnect",
            "--backoff-base",
            "0.1",
            "--json",
            "--timeout",
            "5",
        ],
    )
    .await;
    assert_eq!(out.status, 3, "{out:?}");
    let errors = out.events_of("error");
    assert!(
        errors.iter().any(|e| e["code"] == "mqtt.keepalive_timeout"),
        "{errors:?}"
    );
    assert!(
        packets(&out, "out", "connect").len() >= 2,
        "{:?}",
        types(&out)
    );
    let resub = out.events_of("mqtt_resubscribe");
    assert!(!resub.is_empty(), "{:?}", out.stdout);
    assert_eq!(resub[0]["filters"], serde_json::json!(["z/#"]));
    assert!(out
        .events_of("mqtt_connected")
        .iter()
        .any(|e| e["reconnect"] == true));
}

#[tokio::test]
async fn a_packet_cut_by_a_close_and_an_overlong_remaining_length_are_clear_errors() {
    let p = Peer::node("mqtt_raw.js").await;
    let out = mqtt(
        &p.ws_url("/cut"),
        &["--subscribe", "cut/#", "--json", "--timeout", "10"],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let e = &out.events_of("error")[0];
    assert_eq!(e["code"], "mqtt.truncated_packet", "{out:?}");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("20 byte(s) of 109"),
        "{e}"
    );

    let out = mqtt(
        &p.ws_url("/overlong"),
        &["--timeout", "10", "--subscribe", "x"],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(out.one_error_line().contains("over 4 bytes"), "{out:?}");
    assert!(!out.stderr.contains("panicked"));
}

#[tokio::test]
async fn bad_flags_name_the_flag_and_exit_2() {
    let url = "ws://127.0.0.1:9/";
    for (args, flag) in [
        (vec!["--subscribe", "a/b:3"], "--subscribe"),
        (vec!["--subscribe", "a/#/b"], "--subscribe"),
        (vec!["--qos", "5"], "--qos"),
        (vec!["--publish", "a/+", "x"], "--publish"),
        (vec!["--session-expiry", "5"], "--mqtt-version 5"),
        (vec!["--mqtt-version", "4"], "--mqtt-version"),
    ] {
        let out = mqtt(url, &args).await;
        assert_eq!(out.status, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains(flag), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{args:?}");
    }
}
