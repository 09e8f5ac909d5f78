//! The driver against a real WebSocket echo server on 127.0.0.1: a small layer's handshake,
//! intents queued before the open, decoded events beside the raw messages, keepalive timers and a
//! malformed message reported without ending the session.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};

use super::*;
use crate::ws::{ConnectConfig, DataKind, Direction, SessionEvent, UpgradeReport};

/// Says `hello` on open, sends `n:<k>` for each intent (queued until the hello came back), and a
/// `ka` keepalive every 40 ms.
#[derive(Default)]
struct Counter {
    ready: bool,
    queued: Vec<u32>,
    next_ka: Option<Instant>,
}

#[derive(Debug, PartialEq)]
enum Ev {
    Greeted,
    Got(u32),
    KeepAlive,
}

impl ProtocolLayer for Counter {
    type Intent = u32;
    type Event = Ev;

    fn subprotocols(&self) -> Vec<String> {
        vec!["counter.v1".into()]
    }

    fn on_open(&mut self, _r: &UpgradeReport, now: Instant, out: &mut LayerOutput<Ev>) {
        out.send_text("hello");
        self.next_ka = Some(now + Duration::from_millis(40));
    }

    fn on_message(&mut self, _k: DataKind, data: &Bytes, _now: Instant, out: &mut LayerOutput<Ev>) {
        match std::str::from_utf8(data).unwrap_or("") {
            "hello" => {
                self.ready = true;
                out.event(Ev::Greeted);
                for n in std::mem::take(&mut self.queued) {
                    out.send_text(format!("n:{n}"));
                }
            }
            "ka" => out.event(Ev::KeepAlive),
            other => match other.strip_prefix("n:").and_then(|n| n.parse().ok()) {
                Some(n) => out.event(Ev::Got(n)),
                None => out.error(
                    "counter.malformed",
                    format!("not a counter message: {other:?}"),
                ),
            },
        }
    }

    fn on_intent(&mut self, n: u32, _now: Instant, out: &mut LayerOutput<Ev>) {
        if n == 0 {
            out.send_text("bad");
        } else if self.ready {
            out.send_text(format!("n:{n}"));
        } else {
            self.queued.push(n);
        }
    }

    fn on_close(&mut self, _now: Instant, _out: &mut LayerOutput<Ev>) {
        self.ready = false;
        self.next_ka = None;
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.next_ka
    }

    fn on_timer(&mut self, now: Instant, out: &mut LayerOutput<Ev>) {
        out.send_text("ka");
        self.next_ka = Some(now + Duration::from_millis(40));
    }
}

/// An echo server that selects the first offered subprotocol.
// tungstenite's header callback type fixes the (large) error type of the closure.
#[allow(clippy::result_large_err)]
async fn echo_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let pick = |req: &tokio_tungstenite::tungstenite::handshake::server::Request,
                            mut resp: tokio_tungstenite::tungstenite::handshake::server::Response| {
                    if let Some(p) = req.headers().get("sec-websocket-protocol") {
                        let first = p.to_str().unwrap_or("").split(',').next().unwrap_or("").trim();
                        resp.headers_mut().insert("sec-websocket-protocol", first.parse().unwrap());
                    }
                    Ok(resp)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, pick).await else {
                    return;
                };
                while let Some(Ok(m)) = ws.next().await {
                    if m.is_close() {
                        break;
                    }
                    if m.is_text() || m.is_binary() {
                        let _ = ws.send(m).await;
                    }
                }
            });
        }
    });
    format!("ws://{addr}/")
}

#[tokio::test]
async fn a_layer_handshakes_decodes_keeps_alive_and_survives_bad_input() {
    let url = echo_server().await;
    let mut h = spawn(Counter::default(), ConnectConfig::new(url));
    let control = h.control();
    // Sent before the connection opened: the layer queues them until its handshake is done.
    for n in [1, 2, 3, 0] {
        assert!(control.intent(n).await);
    }
    let mut protocol = Vec::new();
    let mut errors = Vec::new();
    let mut raw_in = 0;
    let mut selected = None;
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        let Ok(Some(batch)) = tokio::time::timeout(Duration::from_secs(1), h.next_batch()).await
        else {
            break;
        };
        for ev in batch {
            match ev {
                LayerEvent::Session(SessionEvent::Open { report, .. }) => {
                    selected = report.protocol.clone()
                }
                LayerEvent::Session(SessionEvent::Message {
                    dir: Direction::In, ..
                }) => raw_in += 1,
                LayerEvent::Protocol { event, .. } => protocol.push(event),
                LayerEvent::Error { error, .. } => errors.push(error),
                _ => {}
            }
        }
        if protocol.iter().filter(|e| **e == Ev::KeepAlive).count() >= 2 {
            break;
        }
    }
    assert_eq!(selected.as_deref(), Some("counter.v1"));
    let data: Vec<&Ev> = protocol.iter().filter(|e| **e != Ev::KeepAlive).collect();
    assert_eq!(data, [&Ev::Greeted, &Ev::Got(1), &Ev::Got(2), &Ev::Got(3)]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code(), "counter.malformed");
    assert!(raw_in >= 6, "the raw messages are kept too ({raw_in})");
    // The session went on after the bad message, and ends cleanly on request.
    control.close(1000, "done").await;
    let mut ended = false;
    while let Ok(Some(batch)) = tokio::time::timeout(Duration::from_secs(2), h.next_batch()).await {
        ended |= batch
            .iter()
            .any(|e| matches!(e, LayerEvent::Session(SessionEvent::Ended { .. })));
    }
    assert!(ended);
}
