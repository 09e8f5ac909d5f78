//! The STOMP codec and layer without a socket: round trips, escaping per version, any chunking,
//! malformed frames, a randomized no-panic run, and the layer's handshake, heart-beats, receipts,
//! queueing and re-subscribe.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::{Rng, SeedableRng};

use super::frame::{parse, serialize, starts_like_frame, unwritable, Frame, Item, Version};
use super::*;
use crate::protocol::{LayerOutput, ProtocolLayer};
use crate::ws::{DataKind, Direction, Outgoing, UpgradeReport};

fn parse_all(mut buf: &[u8], v: Version) -> (Vec<Result<Item, &'static str>>, usize) {
    let mut items = Vec::new();
    while let Some((item, used)) = parse(buf, v) {
        assert!(used > 0 && used <= buf.len(), "parse must make progress");
        items.push(item.map_err(|e| e.code));
        buf = &buf[used..];
    }
    (items, buf.len())
}

fn frames(items: Vec<Result<Item, &'static str>>) -> Vec<Frame> {
    items
        .into_iter()
        .filter_map(|i| match i {
            Ok(Item::Frame(f)) => Some(f),
            _ => None,
        })
        .collect()
}

#[test]
fn parses_a_message_and_heartbeats() {
    let raw = b"\n\r\nMESSAGE\ndestination:/topic/a\nmessage-id:1\n\nhello\0\n";
    let (items, left) = parse_all(raw, Version::V12);
    assert_eq!(left, 0);
    assert_eq!(items.len(), 4);
    assert_eq!(items[0], Ok(Item::Heartbeat));
    assert_eq!(items[1], Ok(Item::Heartbeat));
    let f = frames(items).remove(0);
    assert_eq!(f.command, "MESSAGE");
    assert_eq!(f.get("destination"), Some("/topic/a"));
    assert_eq!(f.body, b"hello");
}

#[test]
fn content_length_carries_nul_bytes() {
    let f = Frame::new("SEND")
        .header("destination", "/q")
        .header("content-length", "3");
    let f = Frame {
        body: vec![0, 1, 0],
        ..f
    };
    let bytes = serialize(&f, Version::V12);
    assert_eq!(
        parse(&bytes, Version::V12),
        Some((Ok(Item::Frame(f)), bytes.len()))
    );
}

#[test]
fn escaping_follows_the_version() {
    let f = Frame::new("MESSAGE").header("a:b", "x\ny\\z:\r");
    let v12 = serialize(&f, Version::V12);
    assert_eq!(&v12[..], b"MESSAGE\na\\cb:x\\ny\\\\z\\c\\r\n\n\0");
    assert_eq!(
        parse(&v12, Version::V12).map(|r| r.0),
        Some(Ok(Item::Frame(f.clone())))
    );
    // 1.1 has no \r escape: reading one is an error, writing a CR is refused.
    let bad = b"MESSAGE\nk:a\\rb\n\n\0";
    assert_eq!(
        parse(bad, Version::V11).map(|r| r.0.map_err(|e| e.code)),
        Some(Err("stomp.bad_header"))
    );
    assert!(unwritable("SEND", "k", "a\rb", Version::V11).is_some());
    assert!(unwritable("SEND", "k", "a\rb", Version::V12).is_none());
    // 1.0: nothing is escaped; a backslash stays as written.
    let raw = b"MESSAGE\nk:a\\nb\n\n\0";
    let f10 = frames(parse_all(raw, Version::V10).0).remove(0);
    assert_eq!(f10.get("k"), Some("a\\nb"));
    assert!(unwritable("SEND", "k", "a\nb", Version::V10).is_some());
    // Found by the `stomp` fuzz target: unescaped, "v\r" was written as "v\r\n" and read back as
    // "v" (the CR taken for part of a CRLF line end).
    assert!(unwritable("CONNECTED", "k", "v\r", Version::V12).is_some());
    assert!(unwritable("SEND", "k", "v\r", Version::V10).is_none());
    assert!(unwritable("CONNECTED", "k", "a\rb", Version::V12).is_none());
    assert!(unwritable("SEND", "k", "v\r", Version::V12).is_none());
    let f = Frame::new("CONNECTED").header("k", "v\r");
    let back = parse(&serialize(&f, Version::V12), Version::V12).unwrap().0;
    assert_ne!(back, Ok(Item::Frame(f)), "the reason it is unwritable");
    // CONNECT/CONNECTED are never escaped, in any version.
    let c = Frame::new("CONNECTED").header("server", "a\\cb");
    assert_eq!(
        &serialize(&c, Version::V12)[..],
        b"CONNECTED\nserver:a\\cb\n\n\0"
    );
    let got = frames(parse_all(b"CONNECTED\nserver:a\\cb\n\n\0", Version::V12).0).remove(0);
    assert_eq!(got.get("server"), Some("a\\cb"));
}

#[test]
fn any_chunking_gives_the_same_frames() {
    let mut stream = Vec::new();
    for i in 0..5 {
        let f = Frame::new("MESSAGE")
            .header("destination", format!("/topic/{i}"))
            .header("subscription", "sub-0");
        stream.extend(serialize(&f, Version::V12));
        stream.push(b'\n');
    }
    let whole = frames(parse_all(&stream, Version::V12).0);
    assert_eq!(whole.len(), 5);
    for cut in 1..stream.len() {
        let mut buf = stream[..cut].to_vec();
        let (a, left) = parse_all(&buf, Version::V12);
        buf.drain(..buf.len() - left);
        buf.extend_from_slice(&stream[cut..]);
        let (b, left) = parse_all(&buf, Version::V12);
        assert_eq!(left, 0);
        let mut got = frames(a);
        got.extend(frames(b));
        assert_eq!(got, whole, "cut at {cut}");
    }
}

#[test]
fn malformed_frames_have_stable_codes_and_are_skipped() {
    let code = |b: &[u8]| parse(b, Version::V12).map(|(r, n)| (r.map_err(|e| e.code), n));
    assert_eq!(
        code(b"MESSAGE\nnocolon\n\nx\0").map(|r| r.0),
        Some(Err("stomp.bad_header"))
    );
    assert_eq!(
        code(b"message\n\n\0").map(|r| r.0),
        Some(Err("stomp.malformed_frame"))
    );
    assert_eq!(
        code(b"MESSAGE\ncontent-length:x\n\nab\0").map(|r| r.0),
        Some(Err("stomp.bad_header"))
    );
    assert_eq!(
        code(b"MESSAGE\ncontent-length:1\n\nabc\0NEXT"),
        Some((Err("stomp.malformed_frame"), 30))
    );
    assert_eq!(
        code(b"MESSAGE\nk:v\0\n"),
        Some((Err("stomp.malformed_frame"), 12))
    );
    // Incomplete: more bytes needed.
    assert_eq!(code(b"MESSAGE\nk:v\n\nbody"), None);
    assert_eq!(code(b"MESSAGE\ncontent-length:5\n\nab"), None);
    assert!(starts_like_frame(b"MESSAGE\r\n"));
    assert!(starts_like_frame(b"FROB\nk:v"));
    assert!(!starts_like_frame(b"body text\n"));
    assert!(!starts_like_frame(b"\n"));
}

/// A random frame that the version can carry.
fn random_frame(rng: &mut rand::rngs::StdRng, v: Version) -> Frame {
    const COMMANDS: [&str; 8] = [
        "MESSAGE",
        "SEND",
        "RECEIPT",
        "ERROR",
        "SUBSCRIBE",
        "CONNECTED",
        "ACK",
        "BEGIN",
    ];
    const CHARS: &[char] = &[
        'a', 'Z', '0', ':', '\\', '\n', '\r', ' ', 'é', '\0', '/', '-',
    ];
    let command = COMMANDS[rng.random_range(0..COMMANDS.len())];
    let mut f = Frame::new(command);
    for _ in 0..rng.random_range(0..5) {
        let text = |rng: &mut rand::rngs::StdRng| -> String {
            (0..rng.random_range(0..8))
                .map(|_| CHARS[rng.random_range(0..CHARS.len())])
                .filter(|c| *c != '\0')
                .collect()
        };
        let (k, val) = (text(rng), text(rng));
        if k == "content-length" || unwritable(command, &k, &val, v).is_some() {
            continue;
        }
        // Unescaped frames cannot end a value in a CR (it reads as CRLF) in 1.2 rules.
        if (v == Version::V12 || command == "CONNECTED") && val.ends_with('\r') {
            continue;
        }
        if (v == Version::V12 || command == "CONNECTED") && k.ends_with('\r') && !k.contains(':') {
            continue;
        }
        f.headers.push((k, val));
    }
    let body: Vec<u8> = (0..rng.random_range(0..20)).map(|_| rng.random()).collect();
    if body.contains(&0) || rng.random_bool(0.5) {
        f.headers
            .push(("content-length".into(), body.len().to_string()));
    }
    f.body = body;
    f
}

#[test]
fn parse_of_serialize_is_identity() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(18);
    for i in 0..20_000 {
        let v = Version::ALL[i % 3];
        let f = random_frame(&mut rng, v);
        let bytes = serialize(&f, v);
        let got = parse(&bytes, v);
        assert_eq!(
            got,
            Some((Ok(Item::Frame(f.clone())), bytes.len())),
            "{v}: {:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn random_and_mutated_input_never_panics() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let seeds: Vec<Vec<u8>> = (0..64)
        .map(|i| {
            serialize(
                &random_frame(&mut rng, Version::ALL[i % 3]),
                Version::ALL[i % 3],
            )
        })
        .collect();
    const ALPHABET: &[u8] = b"\n\r\0:\\cnrMESAGCONTD-length0123456789 ";
    for i in 0..300_000 {
        let mut buf: Vec<u8> = if i % 3 == 0 {
            (0..rng.random_range(0..64))
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
                .collect()
        } else {
            let mut b = seeds[i % seeds.len()].clone();
            for _ in 0..rng.random_range(1..4) {
                match rng.random_range(0..4) {
                    0 if !b.is_empty() => {
                        let at = rng.random_range(0..b.len());
                        b[at] = ALPHABET[rng.random_range(0..ALPHABET.len())];
                    }
                    1 if !b.is_empty() => {
                        let at = rng.random_range(0..b.len());
                        b.truncate(at);
                    }
                    2 => {
                        let at = rng.random_range(0..=b.len());
                        b.insert(at, rng.random());
                    }
                    _ => {
                        let other = &seeds[rng.random_range(0..seeds.len())];
                        b.extend_from_slice(other);
                    }
                }
            }
            b
        };
        if i % 7 == 0 {
            buf.extend_from_slice(b"\0");
        }
        let _ = parse_all(&buf, Version::ALL[i % 3]);
    }
}

// ---- the layer ----

fn report() -> UpgradeReport {
    UpgradeReport {
        url: "ws://127.0.0.1/ws".into(),
        request_line: String::new(),
        request_headers: Vec::new(),
        status: 101,
        response_headers: Vec::new(),
        protocol: Some("v12.stomp".into()),
        extensions: None,
        elapsed: Duration::ZERO,
        handshake: Duration::ZERO,
        raw_request: None,
        raw_response: None,
    }
}

type Out = LayerOutput<StompEvent>;

fn sent(out: &mut Out) -> Vec<Frame> {
    out.send
        .drain(..)
        .filter_map(|m| {
            let bytes = match m {
                Outgoing::Text(t) => t.into_bytes(),
                Outgoing::Binary(b) => b.to_vec(),
            };
            match parse(&bytes, Version::V12) {
                Some((Ok(Item::Frame(f)), _)) => Some(f),
                _ => None,
            }
        })
        .collect()
}

fn codes(out: &Out) -> Vec<&'static str> {
    out.errors.iter().map(|e| e.code).collect()
}

fn msg(l: &mut StompLayer, data: &[u8], now: Instant) -> Out {
    let mut out = Out::default();
    l.on_message(DataKind::Text, &Bytes::from(data.to_vec()), now, &mut out);
    out
}

fn connected(heartbeat: (u64, u64), server_hb: &str) -> (StompLayer, Instant) {
    let mut l = StompLayer::new(StompOptions {
        login: Some("guest".into()),
        passcode: Some("pw".into()),
        host: Some("/".into()),
        heartbeat,
        ..StompOptions::default()
    });
    let now = Instant::now();
    let mut out = Out::default();
    l.on_open(&report(), now, &mut out);
    let connect = sent(&mut out).remove(0);
    assert_eq!(connect.command, "CONNECT");
    assert_eq!(connect.get("accept-version"), Some("1.2,1.1,1.0"));
    assert_eq!(connect.get("login"), Some("guest"));
    assert_eq!(connect.get("host"), Some("/"));
    let out = msg(
        &mut l,
        format!("CONNECTED\nversion:1.2\nheart-beat:{server_hb}\n\n\0").as_bytes(),
        now,
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    (l, now)
}

#[test]
fn intents_wait_for_connected_then_go_in_order() {
    let mut l = StompLayer::new(StompOptions::default());
    let now = Instant::now();
    let mut out = Out::default();
    l.on_open(&report(), now, &mut out);
    sent(&mut out);
    l.on_intent(
        StompIntent::with_receipt(
            StompAction::Subscribe {
                id: None,
                destination: "/topic/a".into(),
                ack: AckMode::Client,
                headers: vec![],
            },
            "r1",
        ),
        now,
        &mut out,
    );
    l.on_intent(
        StompIntent::new(StompAction::Send {
            destination: "/topic/a".into(),
            headers: vec![("k".into(), "v".into())],
            body: Bytes::from_static(b"a\0b"),
        }),
        now,
        &mut out,
    );
    assert!(out.send.is_empty());
    let mut out = msg(&mut l, b"CONNECTED\nversion:1.2\n\n\0", now);
    let f = sent(&mut out);
    assert_eq!(f[0].command, "SUBSCRIBE");
    assert_eq!(f[0].get("id"), Some("sub-0"));
    assert_eq!(f[0].get("ack"), Some("client"));
    assert_eq!(f[0].get("receipt"), Some("r1"));
    assert_eq!(f[1].command, "SEND");
    assert_eq!(f[1].get("content-length"), Some("3"));
    assert_eq!(f[1].body, b"a\0b");
    let out = msg(&mut l, b"RECEIPT\nreceipt-id:r1\n\n\0", now);
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, StompEvent::Receipt { id, command, .. } if id == "r1" && command == "SUBSCRIBE")));
}

#[test]
fn heartbeats_are_sent_and_a_silent_broker_is_dropped() {
    let (mut l, t0) = connected((1000, 1000), "2000,500");
    // We send every max(1000, 500) ms; we expect one every max(2000, 1000) ms.
    assert_eq!(l.next_deadline(), Some(t0 + Duration::from_millis(1000)));
    let mut out = Out::default();
    l.on_timer(t0 + Duration::from_millis(1000), &mut out);
    assert!(matches!(&out.send[..], [Outgoing::Text(t)] if t == "\n"));
    let mut out = msg(&mut l, b"\n", t0 + Duration::from_millis(1900));
    assert!(out
        .events
        .contains(&StompEvent::Heartbeat { dir: Direction::In }));
    out.events.clear();
    l.on_timer(t0 + Duration::from_millis(5899), &mut out);
    assert!(out.drop.is_none());
    l.on_timer(t0 + Duration::from_millis(5900), &mut out);
    assert_eq!(codes(&out), vec!["stomp.heartbeat_missed"]);
    assert!(out.drop.is_some());
}

#[test]
fn receipts_time_out_naming_their_id() {
    let (mut l, t0) = connected((0, 0), "0,0");
    let mut out = Out::default();
    l.on_intent(
        StompIntent::with_receipt(
            StompAction::Begin {
                transaction: "tx1".into(),
            },
            "r-9",
        ),
        t0,
        &mut out,
    );
    assert!(out.events.contains(&StompEvent::ReceiptWaiting {
        id: "r-9".into(),
        command: "BEGIN".into()
    }));
    let mut out = Out::default();
    l.on_timer(t0 + Duration::from_secs(11), &mut out);
    assert_eq!(codes(&out), vec!["stomp.receipt_timeout"]);
    assert!(out.errors[0].message.contains("'r-9'"));
}

#[test]
fn an_error_before_connected_is_a_refusal_and_ends_the_session() {
    let mut l = StompLayer::new(StompOptions::default());
    let now = Instant::now();
    let mut out = Out::default();
    l.on_open(&report(), now, &mut out);
    let out = msg(
        &mut l,
        b"ERROR\nmessage:Bad CONNECT\ncontent-length:21\n\nAccess refused for me\0",
        now,
    );
    assert_eq!(codes(&out), vec!["stomp.refused"]);
    assert!(out.errors[0]
        .message
        .contains("Bad CONNECT: Access refused for me"));
    assert!(out.close.is_some());
}

#[test]
fn bad_frames_are_reported_and_the_session_goes_on() {
    let (mut l, t0) = connected((0, 0), "0,0");
    let out = msg(&mut l, b"MESSAGE\ndestination:/a\n\nno nul here", t0);
    assert!(out.errors.is_empty());
    let out = msg(&mut l, b"MESSAGE\ndestination:/b\n\nok\0FROB\n\n\0", t0);
    assert_eq!(
        codes(&out),
        vec!["stomp.malformed_frame", "stomp.unknown_command"]
    );
    let got: Vec<_> = out
        .events
        .iter()
        .filter_map(|e| match e {
            StompEvent::Frame { frame, .. } => Some(frame.get("destination")),
            _ => None,
        })
        .collect();
    assert_eq!(got, vec![Some("/b")]);
    // Split across messages, and several per message.
    let out = msg(&mut l, b"MESSAGE\ndestination:/c\n\nx", t0);
    assert!(out.events.is_empty());
    let out = msg(&mut l, b"y\0MESSAGE\ndestination:/d\n\n\0", t0);
    assert_eq!(out.events.len(), 2);
    let mut out = Out::default();
    l.on_message(
        DataKind::Binary,
        &Bytes::from_static(b"MESSAGE\ndestination:/e\n\n\0"),
        t0,
        &mut out,
    );
    assert_eq!(out.events.len(), 1);
}

#[test]
fn a_reconnect_reconnects_and_resubscribes() {
    let (mut l, t0) = connected((0, 0), "0,0");
    let mut out = Out::default();
    l.on_intent(
        StompIntent::new(StompAction::Subscribe {
            id: Some("s1".into()),
            destination: "/queue/x".into(),
            ack: AckMode::Auto,
            headers: vec![],
        }),
        t0,
        &mut out,
    );
    l.on_close(t0, &mut out);
    let mut out = Out::default();
    l.on_open(&report(), t0, &mut out);
    assert_eq!(sent(&mut out)[0].command, "CONNECT");
    let mut out = msg(&mut l, b"CONNECTED\nversion:1.1\n\n\0", t0);
    let f = sent(&mut out);
    assert_eq!(f[0].command, "SUBSCRIBE");
    assert_eq!(f[0].get("id"), Some("s1"));
    assert!(out.events.contains(&StompEvent::Resubscribed {
        ids: vec!["s1".into()]
    }));
}

#[test]
fn acks_follow_the_version() {
    let (mut l, t0) = connected((0, 0), "0,0");
    let m = Frame::new("MESSAGE")
        .header("ack", "a-1")
        .header("message-id", "m-1")
        .header("subscription", "s");
    let mut out = Out::default();
    l.on_intent(
        StompIntent::new(StompAction::Nack {
            message: AckRef::of(&m),
            transaction: Some("tx".into()),
        }),
        t0,
        &mut out,
    );
    let f = sent(&mut out).remove(0);
    assert_eq!(
        (f.command.as_str(), f.get("id"), f.get("transaction")),
        ("NACK", Some("a-1"), Some("tx"))
    );
}
