//! The mock's `/proto` route: binary `sockpit.demo.Envelope` messages that decode with the
//! schema shipped in `collections/protos/`, framed as asked, and an echo of what it is sent.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use sockpit_core::proto::{self, Framing, JsonOptions, Schema};
use sockpit_mock::MockServer;
use sockpit_tests::sockpit;
use tokio_tungstenite::tungstenite::Message;

const LIMIT: Duration = Duration::from_secs(60);

fn demo_schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../collections/protos/sockpit_demo.proto")
}

#[tokio::test]
async fn feed_decodes_with_the_shipped_schema() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/proto?n=4&interval=5", mock.ws_url());
    let out = sockpit(&["connect", &url, "--json", "--count", "4"], None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let schema = Schema::load(&[demo_schema_path()], &[]).unwrap();
    let desc = schema.message(sockpit_mock::proto::DEMO_TYPE).unwrap();
    let msgs = out.received();
    assert_eq!(msgs.len(), 4);
    let bodies = ["trade", "quote", "chat", "heartbeat"];
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m["kind"], "binary");
        let b64 = m["data_b64"].as_str().expect("binary carries data_b64");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let j = proto::to_json(
            &proto::decode(&desc, &bytes).unwrap(),
            &JsonOptions::default(),
        )
        .unwrap();
        assert_eq!(j["seq"], (i + 1).to_string());
        assert!(j.get(bodies[i]).is_some(), "{j}");
        assert!(j["sentAt"].as_str().unwrap().ends_with('Z'));
    }
}

#[tokio::test]
async fn framed_feed_and_echo() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/proto?n=2&interval=5&framing=varint", mock.ws_url());
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let schema = Schema::from_sources(&[("d.proto", sockpit_mock::proto::DEMO_PROTO)]).unwrap();
    let codec = proto::PayloadCodec::new(
        schema,
        Some("Envelope"),
        Some("Envelope"),
        Framing::VarintLength,
    )
    .unwrap();
    let mut seqs = Vec::new();
    while seqs.len() < 2 {
        match tokio::time::timeout(LIMIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Binary(b))) => {
                let j = codec.decode_json(&b).unwrap();
                seqs.push(j["seq"].as_str().unwrap().to_string());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seqs, ["1", "2"]);
    let sent = codec
        .encode_json(r#"{"seq": "99", "chat": {"text": "echo me"}}"#)
        .unwrap();
    ws.send(Message::Binary(sent.clone().into())).await.unwrap();
    match tokio::time::timeout(LIMIT, ws.next()).await.unwrap() {
        Some(Ok(Message::Binary(b))) => assert_eq!(b.to_vec(), sent),
        other => panic!("unexpected {other:?}"),
    }
    ws.send(Message::Text("plain text".into())).await.unwrap();
    match tokio::time::timeout(LIMIT, ws.next()).await.unwrap() {
        Some(Ok(Message::Text(t))) => assert_eq!(t.as_str(), "plain text"),
        other => panic!("unexpected {other:?}"),
    }
}
