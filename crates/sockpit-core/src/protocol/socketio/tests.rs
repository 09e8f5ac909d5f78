//! Unit tests: the packet codec (incl. malformed input, which must never panic) and the layer's
//! state machine driven by hand (handshake, pings, acks, binary, queueing, reconnect).

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use super::packet::*;
use super::*;
use crate::protocol::{LayerOutput, ProtocolLayer};
use crate::ws::{DataKind, Outgoing, UpgradeReport};

#[test]
fn decodes_events_acks_namespaces_and_binary_headers() {
    let p = decode_sio(r#"2/chat,7["msg",1,{"a":null}]"#).unwrap();
    assert_eq!(
        (p.ty, p.namespace.as_str(), p.id),
        (SioType::Event, "/chat", Some(7))
    );
    assert_eq!(p.data, Some(json!(["msg", 1, {"a": null}])));
    let p = decode_sio(r#"51-["up",{"_placeholder":true,"num":0}]"#).unwrap();
    assert_eq!(
        (p.ty, p.attachments, p.namespace.as_str()),
        (SioType::BinaryEvent, 1, "/")
    );
    let p = decode_sio(r#"0{"sid":"x"}"#).unwrap();
    assert_eq!(p.data, Some(json!({"sid": "x"})));
    let p = decode_sio("0/admin?token=1,").unwrap();
    assert_eq!(
        (p.namespace.as_str(), p.query.as_deref()),
        ("/admin", Some("token=1"))
    );
    let p = decode_sio(r#"4/chat,{"message":"no","data":{"r":1}}"#).unwrap();
    assert_eq!(p.ty, SioType::ConnectError);
    let p = decode_sio("3/chat,12[]").unwrap();
    assert_eq!((p.ty, p.id), (SioType::Ack, Some(12)));
}

#[test]
fn malformed_packets_are_errors_not_panics() {
    for bad in [
        "",
        "9",
        "2",
        "2[",
        "2{}",
        "2[1]",
        "5[\"x\"]",
        "5-[\"x\"]",
        "599999-[\"x\"]",
        "3[1]",
        "2/chat",
        "2/chat,",
        "299999999999999999999999[\"x\"]",
        "2\u{e9}",
        "6x-",
        "0/nsp?",
    ] {
        let r = decode_sio(bad);
        assert!(r.is_err() || bad == "0/nsp?", "{bad:?} decoded: {r:?}");
    }
    for bad in ["", "x", "9abc"] {
        assert!(decode_eio_text(bad).is_err(), "{bad:?}");
    }
    assert!(parse_open("{").is_err());
    assert!(parse_open("{\"pingInterval\":1}").is_err());
    assert!(decode_eio_binary(3, &Bytes::new()).is_err());
    assert!(decode_eio_binary(3, &Bytes::from_static(&[2, 1])).is_err());
    assert!(split_polling_payload("5:abc").is_err());
    assert!(reconstruct(json!({"_placeholder": true, "num": 3}), &[]).is_err());
}

#[test]
fn encodes_with_placeholders_and_resolves_them_back() {
    let data = json!(["up", {"_binary_b64": "AQID"}, {"deep": [{"_binary_b64": "/w=="}]}]);
    let (s, att) = encode_sio(SioType::Event, "/chat", None, Some(4), Some(&data));
    assert_eq!(
        s,
        r#"52-/chat,4["up",{"_placeholder":true,"num":0},{"deep":[{"_placeholder":true,"num":1}]}]"#
    );
    assert_eq!(att, vec![vec![1, 2, 3], vec![255]]);
    let p = decode_sio(&s).unwrap();
    let bytes: Vec<Bytes> = att.into_iter().map(Bytes::from).collect();
    assert_eq!(reconstruct(p.data.unwrap(), &bytes).unwrap(), data);
    let (s, _) = encode_sio(
        SioType::Connect,
        "/",
        None,
        None,
        Some(&json!({"token": "t"})),
    );
    assert_eq!(s, r#"0{"token":"t"}"#);
    let (s, _) = encode_sio(SioType::Connect, "/admin", Some("a=1"), None, None);
    assert_eq!(s, "0/admin?a=1,");
    assert_eq!(encode_eio_binary(3, &[9]).as_ref(), &[4, 9]);
    assert_eq!(encode_eio_binary(4, &[9]).as_ref(), &[9]);
}

/// Found by the `socketio` fuzz target: a CONNECT whose auth held `{"_binary_b64": ...}` was
/// written with a placeholder and returned an attachment, which no CONNECT can carry.
#[test]
fn only_events_and_acks_take_attachments() {
    let data = json!({"key": {"_binary_b64": "AQID"}});
    for ty in [SioType::Connect, SioType::ConnectError, SioType::Disconnect] {
        let (s, att) = encode_sio(ty, "/", None, None, Some(&data));
        assert!(att.is_empty(), "{s}");
        assert!(s.ends_with(r#"{"key":{"_binary_b64":"AQID"}}"#), "{s}");
        assert_eq!(decode_sio(&s).unwrap().data, Some(data.clone()));
    }
    let (s, att) = encode_sio(SioType::Ack, "/", None, Some(1), Some(&json!([data])));
    assert_eq!(s, r#"61-1[{"key":{"_placeholder":true,"num":0}}]"#);
    assert_eq!(att, vec![vec![1, 2, 3]]);
}

#[test]
fn polling_payloads_of_both_versions() {
    let (v, p) = split_polling_payload("0{\"sid\":\"a\"}\u{1e}40").unwrap();
    assert_eq!(
        (v, p),
        (4, vec!["0{\"sid\":\"a\"}".to_string(), "40".to_string()])
    );
    let (v, p) = split_polling_payload("12:0{\"sid\":\"a\"}2:40").unwrap();
    assert_eq!(
        (v, p),
        (3, vec!["0{\"sid\":\"a\"}".to_string(), "40".to_string()])
    );
}

fn report(url: &str) -> UpgradeReport {
    UpgradeReport {
        url: url.into(),
        request_line: String::new(),
        request_headers: Vec::new(),
        status: 101,
        response_headers: Vec::new(),
        protocol: None,
        extensions: None,
        elapsed: Duration::ZERO,
        handshake: Duration::ZERO,
        raw_request: None,
        raw_response: None,
    }
}

fn texts(out: &LayerOutput<SioEvent>) -> Vec<String> {
    out.send
        .iter()
        .filter_map(|m| match m {
            Outgoing::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn feed(l: &mut SocketIoLayer, s: &str, now: Instant) -> LayerOutput<SioEvent> {
    let mut out = LayerOutput::default();
    l.on_message(DataKind::Text, &Bytes::from(s.to_string()), now, &mut out);
    out
}

#[test]
fn eio4_layer_handshakes_queues_acks_and_times_out() {
    let t0 = Instant::now();
    let mut l = SocketIoLayer::new(
        4,
        false,
        &["/chat".into()],
        Some(json!({"token": "x"})),
        None,
    );
    let mut out = LayerOutput::default();
    // Queued before anything is open.
    let emit = SioIntent::Emit {
        namespace: "/chat".into(),
        name: "hi".into(),
        args: vec![json!(1)],
        ack: true,
        volatile: false,
    };
    l.on_intent(emit, t0, &mut out);
    assert!(out.send.is_empty());
    l.on_open(
        &report("ws://h/socket.io/?EIO=4&transport=websocket"),
        t0,
        &mut out,
    );
    let out = feed(
        &mut l,
        r#"0{"sid":"s1","upgrades":[],"pingInterval":100,"pingTimeout":50,"maxPayload":1000}"#,
        t0,
    );
    assert_eq!(texts(&out), [r#"40/chat,{"token":"x"}"#]);
    let out = feed(&mut l, r#"40/chat,{"sid":"n1"}"#, t0);
    assert_eq!(texts(&out), [r#"42/chat,1["hi",1]"#]);
    let out = feed(&mut l, "2", t0);
    assert_eq!(texts(&out), ["3"]);
    let out = feed(&mut l, "43/chat,1[\"ok\"]", t0);
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, SioEvent::Ack { name: Some(n), .. } if n == "hi")));
    let out = feed(&mut l, "42/chat,[\"broken", t0);
    assert_eq!(out.errors[0].code(), "socketio.malformed");
    // No ping for interval + timeout: an error, and the connection is dropped as lost.
    let due = l.next_deadline().unwrap();
    assert!(due <= t0 + Duration::from_millis(150));
    let mut out = LayerOutput::default();
    l.on_timer(due, &mut out);
    assert_eq!(out.errors[0].code(), "socketio.ping_timeout");
    assert!(out.drop.is_some());
}

#[test]
fn eio3_upgrade_binary_and_client_pings() {
    let t0 = Instant::now();
    let open =
        parse_open(r#"{"sid":"s","upgrades":["websocket"],"pingInterval":100,"pingTimeout":50}"#)
            .unwrap();
    let hs = PollingHandshake {
        open,
        extra: vec!["40".into()],
    };
    let mut l = SocketIoLayer::new(3, true, &[], None, Some(hs));
    let mut out = LayerOutput::default();
    l.on_open(
        &report("ws://h/socket.io/?EIO=3&transport=websocket&sid=s"),
        t0,
        &mut out,
    );
    assert_eq!(texts(&out), ["2probe"]);
    let out = feed(&mut l, "3probe", t0);
    assert_eq!(texts(&out), ["5"]);
    assert!(out.events.iter().any(|e| matches!(
        e,
        SioEvent::Handshake {
            upgraded: true,
            eio: 3,
            ..
        }
    )));
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, SioEvent::Connected { .. })));
    // A binary event: the header, then the attachment behind EIO3's type byte.
    let out = feed(&mut l, r#"451-["pic",{"_placeholder":true,"num":0}]"#, t0);
    assert!(out.events.is_empty());
    let mut out = LayerOutput::default();
    l.on_message(
        DataKind::Binary,
        &Bytes::from_static(&[4, 1, 2]),
        t0,
        &mut out,
    );
    assert_eq!(
        out.events,
        [SioEvent::Event {
            dir: crate::ws::Direction::In,
            namespace: "/".into(),
            name: "pic".into(),
            args: vec![json!({"_binary_b64": "AQI="})],
            id: None
        }]
    );
    // EIO3: the client pings.
    let mut out = LayerOutput::default();
    l.on_timer(t0 + Duration::from_millis(100), &mut out);
    assert_eq!(texts(&out), ["2"]);
    // Answered pings keep it open well past the handshake's 20 s deadline (which once stayed
    // armed after a polling upgrade and dropped a quiet EIO3 session at 20 s).
    let _ = feed(&mut l, "3", t0 + Duration::from_millis(101));
    let mut t = t0 + Duration::from_millis(100);
    while t < t0 + Duration::from_secs(30) {
        t = l.next_deadline().expect("a ping is always scheduled");
        let mut out = LayerOutput::default();
        l.on_timer(t, &mut out);
        assert!(
            out.errors.is_empty() && out.drop.is_none(),
            "{:?}",
            out.errors
        );
        if texts(&out) == ["2"] {
            let _ = feed(&mut l, "3", t + Duration::from_millis(1));
        }
    }
    // A reconnect goes without the polling sid and expects the open packet again.
    l.on_close(t0, &mut out);
    let mut out = LayerOutput::default();
    l.on_open(
        &report("ws://h/socket.io/?EIO=3&transport=websocket"),
        t0,
        &mut out,
    );
    assert!(out.send.is_empty());
    let out = feed(
        &mut l,
        r#"0{"sid":"s2","upgrades":[],"pingInterval":100,"pingTimeout":50}"#,
        t0,
    );
    assert!(out.events.iter().any(|e| matches!(
        e,
        SioEvent::Handshake {
            reconnect: true,
            ..
        }
    )));
}

#[test]
fn a_volatile_emit_is_dropped_unless_its_namespace_is_connected_and_an_ack_reply_is_sent() {
    let t0 = Instant::now();
    let mut l = SocketIoLayer::new(4, false, &["/chat".into()], None, None);
    let emit = |name: &str, nsp: &str, volatile: bool| SioIntent::Emit {
        namespace: nsp.into(),
        name: name.into(),
        args: vec![json!(1)],
        ack: false,
        volatile,
    };
    // Before the connection opens: the volatile emit is dropped and said so; a plain one queues.
    let mut out = LayerOutput::default();
    l.on_intent(emit("gone", "/chat", true), t0, &mut out);
    l.on_intent(emit("kept", "/chat", false), t0, &mut out);
    assert!(out.send.is_empty());
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].code(), "socketio.volatile_dropped");
    assert!(out.errors[0].message.contains("'gone'"));
    l.on_open(
        &report("ws://h/socket.io/?EIO=4&transport=websocket"),
        t0,
        &mut out,
    );
    let _ = feed(
        &mut l,
        r#"0{"sid":"s1","upgrades":[],"pingInterval":100,"pingTimeout":50,"maxPayload":1000}"#,
        t0,
    );
    let out = feed(&mut l, r#"40/chat,{"sid":"n1"}"#, t0);
    assert_eq!(
        texts(&out),
        [r#"42/chat,["kept",1]"#],
        "only the queued emit goes"
    );
    // Connected: a volatile emit goes at once.
    let mut out = LayerOutput::default();
    l.on_intent(emit("now", "/chat", true), t0, &mut out);
    assert_eq!(texts(&out), [r#"42/chat,["now",1]"#]);
    // A volatile emit to a namespace not connected yet is dropped and connects nothing; a plain
    // emit there afterwards still connects it.
    let mut out = LayerOutput::default();
    l.on_intent(emit("gone", "/news", true), t0, &mut out);
    assert!(out.send.is_empty());
    assert_eq!(out.errors[0].code(), "socketio.volatile_dropped");
    l.on_intent(emit("later", "/news", false), t0, &mut out);
    assert_eq!(texts(&out), ["40/news,"]);
    // The server asks for an ack: the reply goes out with its id and shows as an ack we sent.
    let out = feed(&mut l, r#"42/chat,7["question","q?"]"#, t0);
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, SioEvent::Event { name, id: Some(7), .. } if name == "question")));
    let mut out = LayerOutput::default();
    let reply = SioIntent::Ack {
        namespace: "/chat".into(),
        id: 7,
        args: vec![json!("yes"), json!({"n": 2})],
    };
    l.on_intent(reply, t0, &mut out);
    assert_eq!(texts(&out), [r#"43/chat,7["yes",{"n":2}]"#]);
    assert!(matches!(
        &out.events[..],
        [SioEvent::Ack {
            dir: crate::ws::Direction::Out,
            id: 7,
            ..
        }]
    ));
}
