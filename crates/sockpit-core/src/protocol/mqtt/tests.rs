//! The MQTT codec and layer without a socket: round trips, reassembly across frames, the QoS flows
//! both ways, keepalive, reconnect, refusals, and a few hundred thousand random and mutated inputs
//! that must never panic.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::{Rng, SeedableRng};

use super::*;
use crate::protocol::LayerOutput;
use crate::ws::Outgoing;

type Out = LayerOutput<MqttEvent>;

fn report() -> UpgradeReport {
    UpgradeReport {
        url: "ws://127.0.0.1/mqtt".into(),
        request_line: String::new(),
        request_headers: Vec::new(),
        status: 101,
        response_headers: Vec::new(),
        protocol: Some("mqtt".into()),
        extensions: None,
        elapsed: Duration::ZERO,
        handshake: Duration::ZERO,
        raw_request: None,
        raw_response: None,
    }
}

fn props_v5() -> Properties {
    Properties(vec![
        (props::id::SESSION_EXPIRY, PropValue::U32(300)),
        (
            props::id::USER_PROPERTY,
            PropValue::Pair("k".into(), "v".into()),
        ),
        (props::id::RESPONSE_TOPIC, PropValue::Str("re/ply".into())),
        (
            props::id::CORRELATION_DATA,
            PropValue::Bin(Bytes::from_static(b"\x00\x01")),
        ),
        (props::id::SUBSCRIPTION_ID, PropValue::Varint(200_000)),
    ])
}

fn samples(v: Version) -> Vec<Packet> {
    let p5 = if v == Version::V5 {
        props_v5()
    } else {
        Properties::default()
    };
    let ack = |pkid: u16| Ack {
        pkid,
        code: if v == Version::V5 { 0x10 } else { 0 },
        props: Properties::default(),
    };
    vec![
        Packet::Connect(Box::new(Connect {
            version: v,
            client_id: "sockpit-1".into(),
            clean: true,
            keep_alive: 30,
            username: Some("u".into()),
            password: Some(Bytes::from_static(b"p\xff")),
            will: Some(Will {
                topic: "last/will".into(),
                payload: Bytes::from_static(b"bye"),
                qos: 1,
                retain: true,
                props: p5.clone(),
            }),
            props: p5.clone(),
        })),
        Packet::ConnAck {
            session_present: true,
            code: 0,
            props: p5.clone(),
        },
        Packet::Publish(Publish {
            dup: true,
            qos: 2,
            retain: true,
            topic: "a/b".into(),
            pkid: 7,
            payload: Bytes::from(vec![0u8; 300]),
            props: p5.clone(),
        }),
        Packet::Publish(Publish {
            dup: false,
            qos: 0,
            retain: false,
            topic: "a".into(),
            pkid: 0,
            payload: Bytes::new(),
            props: Properties::default(),
        }),
        Packet::PubAck(ack(1)),
        Packet::PubRec(ack(2)),
        Packet::PubRel(ack(3)),
        Packet::PubComp(ack(4)),
        Packet::Subscribe {
            pkid: 9,
            filters: vec![
                SubFilter::new("a/+/c", 2),
                SubFilter {
                    filter: "x/#".into(),
                    qos: 1,
                    no_local: v == Version::V5,
                    retain_as_published: v == Version::V5,
                    retain_handling: if v == Version::V5 { 2 } else { 0 },
                },
            ],
            props: p5.clone(),
        },
        Packet::SubAck {
            pkid: 9,
            codes: vec![2, 0x80],
            props: p5.clone(),
        },
        Packet::Unsubscribe {
            pkid: 10,
            filters: vec!["a/#".into()],
            props: p5.clone(),
        },
        Packet::UnsubAck {
            pkid: 10,
            codes: if v == Version::V5 { vec![0x11] } else { vec![] },
            props: p5.clone(),
        },
        Packet::PingReq,
        Packet::PingResp,
        Packet::Disconnect {
            code: if v == Version::V5 { 0x04 } else { 0 },
            props: p5,
        },
    ]
}

#[test]
fn every_packet_round_trips_in_both_versions() {
    for v in [Version::V311, Version::V5] {
        for p in samples(v) {
            let bytes = encode(&p, v).expect("encodes");
            let (back, n) = decode(&bytes, v, usize::MAX)
                .expect("decodes")
                .expect("complete");
            assert_eq!(n, bytes.len(), "{p:?}");
            assert_eq!(back, p, "{v:?}");
            // Every shorter prefix is incomplete, never an error or a wrong packet.
            for cut in 0..bytes.len() {
                assert_eq!(
                    decode(&bytes[..cut], v, usize::MAX),
                    Ok(None),
                    "{p:?} cut at {cut}"
                );
            }
        }
    }
}

#[test]
fn a_remaining_length_over_four_bytes_is_a_clear_error() {
    let e = decode(
        &[0x30, 0xff, 0xff, 0xff, 0xff, 0x01],
        Version::V311,
        usize::MAX,
    )
    .unwrap_err();
    assert_eq!(e.code, "mqtt.malformed_packet");
    assert!(e.message.contains("over 4 bytes"), "{}", e.message);
    let e = decode(&[0x30, 0x05, 0, 1, b'a'], Version::V311, 4).unwrap_err();
    assert_eq!(e.code, "mqtt.packet_too_large");
}

/// Found by the `mqtt` fuzz target: a 3.1.1 UNSUBACK with a byte after its packet id decoded with
/// that byte as a reason code, which 3.1.1 has not (and re-encoding dropped it).
#[test]
fn a_v311_unsuback_is_its_packet_id_alone() {
    let e = decode(&[0xb0, 0x03, 0x00, 0x01, 0x00], Version::V311, usize::MAX).unwrap_err();
    assert_eq!(e.code, "mqtt.malformed_packet");
    assert!(e.message.contains("past its end"), "{}", e.message);
    let (p, n) = decode(&[0xb0, 0x02, 0x00, 0x01], Version::V311, usize::MAX)
        .unwrap()
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(
        p,
        Packet::UnsubAck {
            pkid: 1,
            codes: vec![],
            props: Properties::default()
        }
    );
    let (p, _) = decode(
        &[0xb0, 0x04, 0x00, 0x01, 0x00, 0x11],
        Version::V5,
        usize::MAX,
    )
    .unwrap()
    .unwrap();
    assert!(matches!(p, Packet::UnsubAck { codes, .. } if codes == [0x11]));
}

#[test]
fn topic_filters_are_checked() {
    assert!(check_filter("a/+/c").is_ok());
    assert!(check_filter("#").is_ok());
    assert!(check_filter("a/#").is_ok());
    assert!(check_filter("a/#/b")
        .unwrap_err()
        .contains("'#' must be the last level"));
    assert!(check_filter("a/b#").is_err());
    assert!(check_filter("a+/b").unwrap_err().contains("'+'"));
    assert!(check_filter("").is_err());
    assert!(check_topic("a/+").is_err());
}

#[test]
fn random_and_mutated_input_never_panics() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(18);
    let mut valid = Vec::new();
    for v in [Version::V311, Version::V5] {
        for p in samples(v) {
            valid.push(encode(&p, v).expect("encodes"));
        }
    }
    let mut decoded = 0u32;
    for i in 0..300_000u32 {
        let v = if i % 2 == 0 {
            Version::V311
        } else {
            Version::V5
        };
        let input: Vec<u8> = if i % 3 == 0 {
            let n = rng.random_range(0..48);
            (0..n).map(|_| rng.random()).collect()
        } else {
            let mut b = valid[rng.random_range(0..valid.len())].clone();
            for _ in 0..rng.random_range(1..4) {
                match rng.random_range(0..4) {
                    0 if !b.is_empty() => {
                        let j = rng.random_range(0..b.len());
                        b[j] = rng.random();
                    }
                    1 if !b.is_empty() => {
                        let j = rng.random_range(0..b.len());
                        b[j] ^= 1 << rng.random_range(0..8);
                    }
                    2 => b.truncate(rng.random_range(0..=b.len())),
                    _ => {
                        let j = rng.random_range(0..=b.len());
                        b.insert(j, rng.random());
                    }
                }
            }
            b
        };
        if let Ok(Some((p, n))) = decode(&input, v, 1 << 20) {
            decoded += 1;
            assert!(n <= input.len());
            // What decodes encodes again without a panic.
            let _ = encode(&p, v);
        }
    }
    assert!(
        decoded > 1000,
        "the mutations should still decode sometimes ({decoded})"
    );
}

fn bin(out: &mut Out) -> Vec<Packet> {
    out.send
        .drain(..)
        .map(|m| match m {
            Outgoing::Binary(b) => {
                decode(&b, Version::V5, usize::MAX)
                    .expect("we send valid packets")
                    .expect("whole")
                    .0
            }
            Outgoing::Text(_) => panic!("MQTT is binary"),
        })
        .collect()
}

fn feed(l: &mut MqttLayer, bytes: &[u8]) -> Out {
    let mut out = Out::default();
    l.on_message(
        DataKind::Binary,
        &Bytes::copy_from_slice(bytes),
        Instant::now(),
        &mut out,
    );
    out
}

fn wire(p: &Packet) -> Vec<u8> {
    encode(p, Version::V5).expect("encodes")
}

fn connected(opts: MqttOptions) -> MqttLayer {
    let mut l = MqttLayer::new(opts);
    let mut out = Out::default();
    l.on_open(&report(), Instant::now(), &mut out);
    assert!(matches!(bin(&mut out)[..], [Packet::Connect(_)]));
    let out = feed(
        &mut l,
        &wire(&Packet::ConnAck {
            session_present: false,
            code: 0,
            props: Properties::default(),
        }),
    );
    assert!(out.errors.is_empty());
    assert!(l.connected());
    l
}

fn v5() -> MqttOptions {
    MqttOptions {
        version: Version::V5,
        keep_alive: 5,
        ..MqttOptions::default()
    }
}

#[test]
fn packets_split_across_frames_and_packed_in_one_are_all_decoded() {
    let mut l = connected(v5());
    let a = wire(&Packet::Publish(Publish {
        dup: false,
        qos: 0,
        retain: false,
        topic: "t".into(),
        pkid: 0,
        payload: Bytes::from_static(b"one"),
        props: Properties::default(),
    }));
    let b = wire(&Packet::Publish(Publish {
        dup: false,
        qos: 1,
        retain: true,
        topic: "t".into(),
        pkid: 3,
        payload: Bytes::from_static(b"two"),
        props: Properties::default(),
    }));
    let mut all = a.clone();
    all.extend_from_slice(&b);
    let mut out = feed(&mut l, &all[..2]);
    assert!(out.events.is_empty());
    out = feed(&mut l, &all[2..a.len() + 3]);
    assert_eq!(out.events.len(), 1, "{:?}", out.events);
    out = feed(&mut l, &all[a.len() + 3..]);
    assert!(
        matches!(&out.events[0], MqttEvent::Packet { packet: Packet::Publish(p), .. } if p.payload == "two" && p.retain)
    );
    assert_eq!(bin(&mut out), vec![Packet::PubAck(Ack::new(3))]);
}

#[test]
fn qos2_runs_both_ways() {
    let mut l = connected(v5());
    // Outgoing: PUBLISH → PUBREC → PUBREL → PUBCOMP.
    let mut out = Out::default();
    l.on_intent(
        MqttIntent::Publish(Publish {
            dup: false,
            qos: 2,
            retain: false,
            topic: "q".into(),
            pkid: 0,
            payload: Bytes::from_static(b"x"),
            props: Properties::default(),
        }),
        Instant::now(),
        &mut out,
    );
    let Packet::Publish(p) = &bin(&mut out)[0] else {
        panic!("a publish")
    };
    let id = p.pkid;
    assert_ne!(id, 0);
    let mut out = feed(&mut l, &wire(&Packet::PubRec(Ack::new(id))));
    assert_eq!(bin(&mut out), vec![Packet::PubRel(Ack::new(id))]);
    let out = feed(&mut l, &wire(&Packet::PubComp(Ack::new(id))));
    assert!(out.errors.is_empty());
    let out = feed(&mut l, &wire(&Packet::PubComp(Ack::new(id))));
    assert_eq!(out.errors[0].code, "mqtt.unknown_packet_id");
    // Incoming: PUBLISH → PUBREC; a resend is acknowledged but reported once; PUBREL → PUBCOMP.
    let pb = Packet::Publish(Publish {
        dup: false,
        qos: 2,
        retain: false,
        topic: "q".into(),
        pkid: 40,
        payload: Bytes::from_static(b"y"),
        props: Properties::default(),
    });
    let mut out = feed(&mut l, &wire(&pb));
    assert_eq!(bin(&mut out), vec![Packet::PubRec(Ack::new(40))]);
    let mut out = feed(&mut l, &wire(&pb));
    assert_eq!(bin(&mut out), vec![Packet::PubRec(Ack::new(40))]);
    assert!(!out.events.iter().any(|e| matches!(
        e,
        MqttEvent::Packet {
            dir: Direction::In,
            ..
        }
    )));
    let mut out = feed(&mut l, &wire(&Packet::PubRel(Ack::new(40))));
    assert_eq!(bin(&mut out), vec![Packet::PubComp(Ack::new(40))]);
}

#[test]
fn keepalive_pings_and_a_missed_pingresp_drops_the_connection() {
    let mut l = connected(v5());
    let t0 = Instant::now();
    let d = l.next_deadline().expect("keepalive armed");
    assert!(d <= t0 + Duration::from_secs(5));
    let mut out = Out::default();
    l.on_timer(d, &mut out);
    assert_eq!(bin(&mut out), vec![Packet::PingReq]);
    feed(&mut l, &wire(&Packet::PingResp));
    let d2 = l.next_deadline().expect("armed again");
    let mut out = Out::default();
    l.on_timer(d2, &mut out);
    assert_eq!(bin(&mut out), vec![Packet::PingReq]);
    let d3 = l.next_deadline().expect("waits for PINGRESP");
    let mut out = Out::default();
    l.on_timer(d3, &mut out);
    assert_eq!(out.errors[0].code, "mqtt.keepalive_timeout");
    assert!(out.drop.is_some());
}

#[test]
fn a_reconnect_connects_again_and_resubscribes() {
    let mut l = connected(v5());
    let mut out = Out::default();
    l.on_intent(
        MqttIntent::Subscribe {
            filters: vec![SubFilter::new("a/#", 1)],
            props: Properties::default(),
        },
        Instant::now(),
        &mut out,
    );
    assert!(matches!(&bin(&mut out)[0], Packet::Subscribe { .. }));
    l.on_close(Instant::now(), &mut out);
    l.on_open(&report(), Instant::now(), &mut out);
    assert!(matches!(bin(&mut out)[..], [Packet::Connect(_)]));
    let mut out = feed(
        &mut l,
        &wire(&Packet::ConnAck {
            session_present: false,
            code: 0,
            props: Properties::default(),
        }),
    );
    assert!(out.events.contains(&MqttEvent::Connected {
        session_present: false,
        reconnect: true
    }));
    assert!(out.events.contains(&MqttEvent::Resubscribed {
        filters: vec!["a/#".into()]
    }));
    assert!(
        matches!(&bin(&mut out)[0], Packet::Subscribe { filters, .. } if filters[0].filter == "a/#")
    );
}

#[test]
fn a_refused_login_and_a_cut_packet_are_reported() {
    let mut l = MqttLayer::new(MqttOptions::default());
    let mut out = Out::default();
    l.on_open(&report(), Instant::now(), &mut out);
    let refused = encode(
        &Packet::ConnAck {
            session_present: false,
            code: 4,
            props: Properties::default(),
        },
        Version::V311,
    )
    .expect("encodes");
    let out = feed(&mut l, &refused);
    assert_eq!(out.errors[0].code, "mqtt.connack_refused");
    assert!(
        out.errors[0].message.contains("bad user name or password"),
        "{}",
        out.errors[0].message
    );
    assert!(out.close.is_some());

    let mut l = connected(v5());
    feed(&mut l, &[0x30, 0x10, 0x00, 0x01]);
    let mut out = Out::default();
    l.on_close(Instant::now(), &mut out);
    assert_eq!(out.errors[0].code, "mqtt.truncated_packet");
    assert!(
        out.errors[0].message.contains("4 byte(s) of 18"),
        "{}",
        out.errors[0].message
    );

    let mut l = connected(v5());
    let out = feed(&mut l, &[0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    assert_eq!(out.errors[0].code, "mqtt.malformed_packet");
    assert!(out.close.is_some());

    let mut out = Out::default();
    l.on_intent(
        MqttIntent::Subscribe {
            filters: vec![SubFilter::new("a/#/b", 0)],
            props: Properties::default(),
        },
        Instant::now(),
        &mut out,
    );
    assert_eq!(out.errors[0].code, "mqtt.bad_topic");
    assert!(out.send.is_empty());
}
