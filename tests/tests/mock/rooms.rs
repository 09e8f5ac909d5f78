//! The mock's `/broadcast` rooms with three real WebSocket clients: join/leave acks, room messages
//! reaching every member (the sender too) with the sender's id and nobody else, JSON errors for
//! bad actions, and plain messages still going to every other client.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use sockpit_mock::MockServer;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn client(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// The next text message, within 5 s.
async fn next_text(ws: &mut Ws) -> String {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a message within 5 s")
            .expect("the socket is open")
            .unwrap();
        if let Message::Text(t) = m {
            return t.to_string();
        }
    }
}

async fn next_json(ws: &mut Ws) -> Value {
    serde_json::from_str(&next_text(ws).await).unwrap()
}

/// Asserts that nothing arrives within 300 ms.
async fn silent(ws: &mut Ws, who: &str) {
    if let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_millis(300), ws.next()).await {
        panic!("{who} got {m:?}");
    }
}

#[tokio::test]
async fn room_messages_reach_exactly_the_members() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/broadcast", mock.ws_url());
    let (mut a, mut b, mut c) = (client(&url).await, client(&url).await, client(&url).await);

    send(&mut a, json!({"action":"join","room":"r"})).await;
    let ack_a = next_json(&mut a).await;
    assert_eq!(
        (
            ack_a["type"].clone(),
            ack_a["room"].clone(),
            ack_a["members"].clone()
        ),
        (json!("joined"), json!("r"), json!(1))
    );
    send(&mut b, json!({"action":"join","room":"r"})).await;
    let ack_b = next_json(&mut b).await;
    assert_eq!(ack_b["members"], 2, "{ack_b}");
    assert_ne!(ack_a["id"], ack_b["id"]);
    send(&mut c, json!({"action":"join","room":"s"})).await;
    assert_eq!(next_json(&mut c).await["members"], 1);

    let data = json!({"text":"hello r","n":[1,2]});
    send(&mut a, json!({"action":"message","room":"r","data":data})).await;
    let expected = json!({"type":"message","room":"r","from":ack_a["id"],"data":data});
    assert_eq!(next_json(&mut a).await, expected, "the sender gets it too");
    assert_eq!(next_json(&mut b).await, expected);
    silent(&mut c, "c (room s)").await;

    send(&mut b, json!({"action":"leave","room":"r"})).await;
    let left = next_json(&mut b).await;
    assert_eq!(
        (left["type"].clone(), left["members"].clone()),
        (json!("left"), json!(1)),
        "{left}"
    );
    send(&mut a, json!({"action":"message","room":"r","data":"solo"})).await;
    assert_eq!(next_json(&mut a).await["data"], "solo");
    silent(&mut b, "b (left r)").await;

    // A plain message still goes to every other client, rooms or not.
    c.send(Message::text("plain")).await.unwrap();
    assert_eq!(next_text(&mut a).await, "plain");
    assert_eq!(next_text(&mut b).await, "plain");
    silent(&mut c, "c (the sender of a plain message)").await;
}

#[tokio::test]
async fn bad_actions_answer_json_errors() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/broadcast", mock.ws_url());
    let mut a = client(&url).await;
    let cases = [
        (json!({"action":"dance","room":"r"}), "unknown action"),
        (json!({"action":"join"}), "\"room\""),
        (json!({"action":"join","room":""}), "\"room\""),
        (
            json!({"action":"message","room":"r","data":1}),
            "join the room",
        ),
        (json!({"action":"leave","room":"r"}), "not a member"),
    ];
    for (request, why) in cases {
        send(&mut a, request.clone()).await;
        let reply = next_json(&mut a).await;
        assert_eq!(reply["type"], "error", "{reply}");
        assert!(reply["error"].as_str().unwrap().contains(why), "{reply}");
        assert_eq!(reply["request"], request);
    }
    send(&mut a, json!({"action":"join","room":"r"})).await;
    assert_eq!(next_json(&mut a).await["type"], "joined");
    send(&mut a, json!({"action":"message","room":"r"})).await;
    let reply = next_json(&mut a).await;
    assert!(
        reply["error"].as_str().unwrap().contains("\"data\""),
        "{reply}"
    );
}

#[tokio::test]
async fn the_cli_joins_a_room_and_hears_its_own_message() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/broadcast", mock.ws_url());
    let mut other = client(&url).await;
    send(&mut other, json!({"action":"join","room":"lobby"})).await;
    next_json(&mut other).await;
    let out = sockpit_tests::sockpit(
        &[
            "connect",
            &url,
            "-n",
            "2",
            "--timeout",
            "10",
            "--send",
            r#"{"action":"join","room":"lobby"}"#,
            "--send",
            r#"{"action":"message","room":"lobby","data":"hi all"}"#,
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "joined");
    assert_eq!(lines[0]["members"], 2);
    assert_eq!(lines[1]["data"], "hi all");
    assert_eq!(lines[1]["from"], lines[0]["id"]);
    let heard = next_json(&mut other).await;
    assert_eq!(
        (heard["data"].clone(), heard["from"].clone()),
        (json!("hi all"), lines[0]["id"].clone())
    );
}
