//! The GraphQL codec and state machine without a socket: handshake, queueing until the ack, ids,
//! results and errors, ping/pong, reconnect, the ack deadline, and malformed input (never a panic).

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{json, Value};

use super::*;
use crate::protocol::LayerOutput;
use crate::ws::{Closer, Outgoing};

fn report(protocol: Option<&str>) -> UpgradeReport {
    UpgradeReport {
        url: "ws://127.0.0.1/graphql".into(),
        request_line: String::new(),
        request_headers: Vec::new(),
        status: 101,
        response_headers: Vec::new(),
        protocol: protocol.map(str::to_string),
        extensions: None,
        elapsed: Duration::ZERO,
        handshake: Duration::ZERO,
        raw_request: None,
        raw_response: None,
    }
}

type Out = LayerOutput<GqlEvent>;

fn sent(out: &mut Out) -> Vec<Value> {
    out.send
        .drain(..)
        .map(|m| match m {
            Outgoing::Text(t) => serde_json::from_str(&t).expect("we send JSON"),
            Outgoing::Binary(_) => panic!("we send text only"),
        })
        .collect()
}

fn msg(l: &mut GraphqlLayer, text: &str) -> Out {
    let mut out = Out::default();
    l.on_message(
        DataKind::Text,
        &Bytes::from(text.to_string()),
        Instant::now(),
        &mut out,
    );
    out
}

fn intent(l: &mut GraphqlLayer, i: GqlIntent) -> Out {
    let mut out = Out::default();
    l.on_intent(i, Instant::now(), &mut out);
    out
}

fn open(l: &mut GraphqlLayer, proto: Option<&str>) -> Out {
    let mut out = Out::default();
    l.on_open(&report(proto), Instant::now(), &mut out);
    out
}

fn query(q: &str) -> GqlIntent {
    GqlIntent::Start {
        id: None,
        op: Operation::new(q),
    }
}

#[test]
fn offers_both_or_only_one() {
    let both = GraphqlLayer::new(GraphqlOptions::default());
    assert_eq!(both.subprotocols(), ["graphql-transport-ws", "graphql-ws"]);
    let one = GraphqlLayer::new(GraphqlOptions {
        only: Some(Subprotocol::LegacyWs),
        ..Default::default()
    });
    assert_eq!(one.subprotocols(), ["graphql-ws"]);
}

#[test]
fn operations_wait_for_the_ack_then_go_with_their_ids() {
    let mut l = GraphqlLayer::new(GraphqlOptions {
        init_payload: Some(json!({"token": "t"})),
        ..Default::default()
    });
    let mut op = Operation::new("subscription($n:Int!){count(to:$n)}");
    op.variables = Some(json!({"n": 3}));
    op.operation_name = Some("C".into());
    assert!(intent(&mut l, GqlIntent::Start { id: None, op })
        .send
        .is_empty());
    assert!(intent(&mut l, query("{hello}")).send.is_empty());
    let mut out = open(&mut l, Some("graphql-transport-ws"));
    assert_eq!(
        sent(&mut out),
        [json!({"type":"connection_init","payload":{"token":"t"}})]
    );
    let mut out = msg(&mut l, r#"{"type":"connection_ack"}"#);
    let s = sent(&mut out);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0]["type"], "subscribe");
    assert_eq!(s[0]["id"], "1");
    assert_eq!(s[0]["payload"]["variables"]["n"], 3);
    assert_eq!(s[0]["payload"]["operationName"], "C");
    assert_eq!(s[1]["id"], "2");
    // After the ack an operation goes at once.
    let mut out = intent(&mut l, query("{x}"));
    assert_eq!(sent(&mut out)[0]["id"], "3");
    assert_eq!(l.running(), 3);
    // Results, completion and errors.
    let out = msg(
        &mut l,
        r#"{"id":"1","type":"next","payload":{"data":{"count":1}}}"#,
    );
    assert_eq!(out.events.len(), 1);
    let out = msg(
        &mut l,
        r#"{"id":"2","type":"next","payload":{"data":null,"errors":[{"message":"boom"}]}}"#,
    );
    assert!(matches!(
        &out.events[1],
        GqlEvent::Error {
            terminal: false,
            ..
        }
    ));
    let out = msg(&mut l, r#"{"id":"2","type":"complete"}"#);
    assert_eq!(out.events, [GqlEvent::Complete { id: "2".into() }]);
    let out = msg(
        &mut l,
        r#"{"id":"3","type":"error","payload":[{"message":"bad"}]}"#,
    );
    assert!(matches!(
        &out.events[0],
        GqlEvent::Error { terminal: true, .. }
    ));
    assert_eq!(l.running(), 1);
    // The user stops the subscription.
    let mut out = intent(&mut l, GqlIntent::Stop { id: "1".into() });
    assert_eq!(sent(&mut out), [json!({"id":"1","type":"complete"})]);
    assert_eq!(l.running(), 0);
}

#[test]
fn legacy_protocol_speaks_start_data_stop_and_ka() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    let mut out = open(&mut l, Some("graphql-ws"));
    assert_eq!(sent(&mut out), [json!({"type":"connection_init"})]);
    msg(&mut l, r#"{"type":"connection_ack"}"#);
    let mut out = intent(&mut l, query("{hello}"));
    assert_eq!(sent(&mut out)[0]["type"], "start");
    assert_eq!(
        msg(&mut l, r#"{"type":"ka"}"#).events,
        [GqlEvent::KeepAlive]
    );
    let out = msg(
        &mut l,
        r#"{"id":"1","type":"data","payload":{"data":{"hello":"hi"}}}"#,
    );
    assert!(matches!(&out.events[0], GqlEvent::Next { .. }));
    // graphql-transport-ws's names are not the legacy protocol's.
    let out = msg(&mut l, r#"{"id":"1","type":"next","payload":{"data":{}}}"#);
    assert_eq!(out.errors[0].code(), "graphql.malformed");
    let mut out = intent(&mut l, GqlIntent::Stop { id: "1".into() });
    assert_eq!(sent(&mut out), [json!({"id":"1","type":"stop"})]);
    let mut out = intent(&mut l, GqlIntent::Terminate);
    assert_eq!(sent(&mut out), [json!({"type":"connection_terminate"})]);
    assert_eq!(out.close.as_ref().map(|c| c.0), Some(1000));
}

#[test]
fn legacy_connection_error_before_the_ack_ends_the_session() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    open(&mut l, Some("graphql-ws"));
    let out = msg(
        &mut l,
        r#"{"type":"connection_error","payload":{"message":"bad token"}}"#,
    );
    assert_eq!(out.errors[0].code(), "graphql.connection_error");
    assert!(out.errors[0].message.contains("bad token"));
    assert!(out.close.is_some());
}

#[test]
fn server_pings_are_answered_with_pongs_carrying_the_payload() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    open(&mut l, Some("graphql-transport-ws"));
    let mut out = msg(&mut l, r#"{"type":"ping","payload":{"n":1}}"#);
    assert_eq!(sent(&mut out), [json!({"type":"pong","payload":{"n":1}})]);
    let mut out = msg(&mut l, r#"{"type":"ping"}"#);
    assert_eq!(sent(&mut out), [json!({"type":"pong"})]);
}

#[test]
fn a_reconnect_handshakes_again_and_resubscribes_what_still_runs() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    open(&mut l, Some("graphql-transport-ws"));
    msg(&mut l, r#"{"type":"connection_ack"}"#);
    intent(&mut l, query("subscription{a}"));
    intent(&mut l, query("{b}"));
    msg(&mut l, r#"{"id":"2","type":"complete"}"#);
    let mut out = Out::default();
    l.on_close(Instant::now(), &mut out);
    let mut out = open(&mut l, Some("graphql-transport-ws"));
    assert_eq!(sent(&mut out)[0]["type"], "connection_init");
    let mut out = msg(&mut l, r#"{"type":"connection_ack"}"#);
    let s = sent(&mut out);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["id"], "1");
    assert!(out.events.contains(&GqlEvent::Resubscribed {
        ids: vec!["1".into()]
    }));
}

#[test]
fn no_ack_in_time_is_graphql_no_ack_naming_connection_ack() {
    let mut l = GraphqlLayer::new(GraphqlOptions {
        ack_timeout: Duration::from_millis(100),
        ..Default::default()
    });
    let t0 = Instant::now();
    let mut out = Out::default();
    l.on_open(&report(Some("graphql-transport-ws")), t0, &mut out);
    let d = l.next_deadline().expect("an ack deadline");
    let mut out = Out::default();
    l.on_timer(t0, &mut out);
    assert!(out.errors.is_empty(), "too early");
    l.on_timer(d, &mut out);
    assert_eq!(out.errors[0].code(), "graphql.no_ack");
    assert!(out.errors[0].message.contains("connection_ack"));
    assert!(out.close.is_some());
    assert!(l.next_deadline().is_none());
}

#[test]
fn a_server_without_a_graphql_subprotocol_is_refused_clearly() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    let out = open(&mut l, None);
    assert_eq!(out.errors[0].code(), "graphql.no_subprotocol");
    assert!(out.send.is_empty());
    let mut out = Out::default();
    let ev = SessionEvent::Error {
        t: 0,
        error: Box::new(WsError::SubprotocolNotAccepted {
            offered: "graphql-transport-ws, graphql-ws".into(),
        }),
    };
    l.on_session(&ev, Instant::now(), &mut out);
    assert_eq!(out.errors[0].code(), "graphql.no_subprotocol");
}

#[test]
fn close_codes_are_explained() {
    for code in [4400, 4401, 4403, 4406, 4408, 4409, 4429, 4499, 4500] {
        assert!(close_code_meaning(code).is_some(), "{code}");
    }
    assert!(close_code_meaning(4403).is_some_and(|m| m.contains("Forbidden")));
    assert_eq!(close_code_meaning(1000), None);
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    let mut out = Out::default();
    let ev = SessionEvent::Close {
        t: 0,
        dir: Direction::In,
        code: 4403,
        reason: "Forbidden".into(),
        by: Closer::Server,
    };
    l.on_session(&ev, Instant::now(), &mut out);
    assert_eq!(out.errors[0].code(), "graphql.closed");
    assert!(out.errors[0].message.contains("4403 Forbidden"));
}

#[test]
fn ids_are_unique_and_duplicates_refused() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    intent(
        &mut l,
        GqlIntent::Start {
            id: Some("1".into()),
            op: Operation::new("{a}"),
        },
    );
    let out = intent(
        &mut l,
        GqlIntent::Start {
            id: Some("1".into()),
            op: Operation::new("{a}"),
        },
    );
    assert_eq!(out.errors[0].code(), "graphql.duplicate_id");
    intent(&mut l, query("{b}"));
    open(&mut l, Some("graphql-transport-ws"));
    let mut out = msg(&mut l, r#"{"type":"connection_ack"}"#);
    let ids: Vec<Value> = sent(&mut out).iter().map(|m| m["id"].clone()).collect();
    assert_eq!(ids, [json!("1"), json!("2")]);
}

#[test]
fn malformed_input_is_an_error_never_a_panic() {
    let cases = [
        "",
        "null",
        "[]",
        "42",
        "{",
        r#"{"type":1}"#,
        r#"{"type":"next"}"#,
        r#"{"type":"next","id":"1"}"#,
        r#"{"type":"next","id":"1","payload":[1]}"#,
        r#"{"type":"error","id":"1","payload":[]}"#,
        r#"{"type":"complete"}"#,
        r#"{"type":"complete","id":{}}"#,
        r#"{"type":"subscribe","id":"1","payload":{}}"#,
        r#"{"type":"ka"}"#,
        "\u{0}\u{ffff}",
    ];
    for proto in ["graphql-transport-ws", "graphql-ws"] {
        let mut l = GraphqlLayer::new(GraphqlOptions::default());
        open(&mut l, Some(proto));
        msg(&mut l, r#"{"type":"connection_ack"}"#);
        intent(&mut l, query("{a}"));
        for c in cases {
            let out = msg(&mut l, c);
            let legacy_ka = proto == "graphql-ws" && c == r#"{"type":"ka"}"#;
            assert!(
                legacy_ka || !out.errors.is_empty(),
                "{proto}: {c:?} gave no error: {:?}",
                out.events
            );
        }
        let mut out = Out::default();
        l.on_message(
            DataKind::Binary,
            &Bytes::from_static(&[0, 1, 2]),
            Instant::now(),
            &mut out,
        );
        assert_eq!(out.errors[0].code(), "graphql.malformed");
        if proto == "graphql-transport-ws" {
            // Its `error` payload is an array; the legacy one's may be one object.
            let out = msg(&mut l, r#"{"type":"error","id":"1","payload":{}}"#);
            assert_eq!(out.errors[0].code(), "graphql.malformed");
        }
        // The session goes on: the operation still gets its result.
        let next = if proto == "graphql-ws" {
            "data"
        } else {
            "next"
        };
        let out = msg(
            &mut l,
            &format!(r#"{{"id":"1","type":"{next}","payload":{{"data":{{}}}}}}"#),
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.events.len(), 1);
    }
}

#[test]
fn results_for_unknown_operations_are_reported() {
    let mut l = GraphqlLayer::new(GraphqlOptions::default());
    open(&mut l, Some("graphql-transport-ws"));
    msg(&mut l, r#"{"type":"connection_ack"}"#);
    let out = msg(&mut l, r#"{"id":"9","type":"next","payload":{"data":{}}}"#);
    assert_eq!(out.errors[0].code(), "graphql.unknown_operation");
    // A complete crossing our stop is not an error.
    assert!(msg(&mut l, r#"{"id":"9","type":"complete"}"#)
        .errors
        .is_empty());
}

#[test]
fn first_message_is_one_line() {
    let parse_error =
        json!([{"message": " --> 1:9\n  |\n1 | { hello(\n  |   ^---\n  = expected name\n"}]);
    assert_eq!(
        first_message(&parse_error),
        "--> 1:9 | 1 | { hello( | ^--- = expected name"
    );
    assert_eq!(first_message(&json!([{"message": "boom"}])), "boom");
    assert_eq!(first_message(&json!({"x": 1})), r#"{"x":1}"#);
}

#[test]
fn a_result_is_kept_as_the_servers_text_with_its_errors_picked_out() {
    let p = Subprotocol::TransportWs;
    let text = r#"{"payload":{"data":{"z":1,"a":[true]},"errors":[{"message":"x"}]},"id":"1","type":"next","extra":{"k":[1,2]}}"#;
    let Ok(ServerMsg::Next {
        id,
        payload,
        errors,
    }) = decode(p, text)
    else {
        panic!("not a result: {:?}", decode(p, text));
    };
    assert_eq!(id, "1");
    // The server's order, not sorted; the tree on demand.
    assert_eq!(
        payload.as_str(),
        r#"{"data":{"z":1,"a":[true]},"errors":[{"message":"x"}]}"#
    );
    assert_eq!(payload.to_value()["data"]["a"], json!([true]));
    assert_eq!(errors, Some(json!([{"message":"x"}])));
    // An empty `errors`, a null one and none at all are no errors; a repeated field keeps its last
    // value and an escaped name is the same name, as in a `Value` object.
    for (payload, want) in [
        (r#"{"data":{},"errors":[]}"#, None),
        (r#"{"data":{},"errors":null}"#, None),
        (r#"{"data":{}}"#, None),
        (r#"{"data":{"text":"no \"errors\": here"}}"#, None),
        (
            r#"{"errors":[{"message":"a"}],"errors":[{"message":"b"}]}"#,
            Some(json!([{"message":"b"}])),
        ),
        (
            r#"{"\u0065rrors":[{"message":"c"}]}"#,
            Some(json!([{"message":"c"}])),
        ),
    ] {
        let text = format!(r#"{{"type":"next","id":"1","payload":{payload}}}"#);
        match decode(p, &text) {
            Ok(ServerMsg::Next { errors, .. }) => assert_eq!(errors, want, "{payload}"),
            other => panic!("{payload}: {other:?}"),
        }
    }
    // The envelope's names may be escaped or repeated too; a numeric id is its text.
    let text = r#"{"t\u0079pe":"complete","id":"x","id":7}"#;
    assert_eq!(decode(p, text), Ok(ServerMsg::Complete { id: "7".into() }));
}

#[test]
fn decoding_refuses_what_a_value_tree_refused_with_the_same_words() {
    let p = Subprotocol::TransportWs;
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    // Not JSON: serde_json's own words for the whole text, position included.
    for text in [
        String::new(),
        "[1,".into(),
        r#"{"type":"ka"} x"#.into(),
        r#"{"type":"ka","x":[1,]}"#.into(),
        format!(r#"{{"type":"ka","x":{}}}"#, deep(200)),
        deep(200),
    ] {
        let words = serde_json::from_str::<Value>(&text).expect_err("not JSON");
        match decode(p, &text) {
            Err(e) => assert!(e.contains(&format!("(not JSON: {words})")), "{text:?}: {e}"),
            Ok(m) => panic!("{text:?} decoded: {m:?}"),
        }
    }
    let cases = [
        ("[1]".into(), "(not a JSON object)"),
        ("\"next\"".into(), "(not a JSON object)"),
        (r#"{"type":1}"#.into(), "(no string 'type')"),
        (
            format!(
                r#"{{"type":"next","id":"1","payload":{{"a":{}}}}}"#,
                deep(200)
            ),
            "(not JSON: recursion limit exceeded",
        ),
        (
            r#"{"type":"next","id":"","payload":{}}"#.into(),
            "without a string 'id'",
        ),
        (
            r#"{"type":"next","id":"1","payload":[]}"#.into(),
            "payload is not an object",
        ),
    ];
    for (text, words) in cases {
        match decode(p, &text) {
            Err(e) => assert!(e.contains(words), "{text:?}: {e}"),
            Ok(m) => panic!("{text:?} decoded: {m:?}"),
        }
    }
}
