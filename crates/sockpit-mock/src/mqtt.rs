//! `/mqtt`: a small MQTT 3.1.1/5.0 broker over WebSocket (subprotocol `mqtt`, binary frames), on
//! sockpit-core's packet codec.
//!
//! - `CONNECT` → `CONNACK` (the client's version). The one login that fails is user `demo` with a
//!   password other than `demo-pass`: return code 4 "bad user name or password" (v5: 0x86), then
//!   a close.
//! - `SUBSCRIBE` with `+`/`#` filters → `SUBACK` granting the asked QoS; then every retained
//!   message matching a new filter. `UNSUBSCRIBE` → `UNSUBACK`.
//! - `PUBLISH` at QoS 0, 1 (`PUBACK`) and 2 (`PUBREC`, then `PUBCOMP` on `PUBREL`) reaches every
//!   matching subscription at the lower of the two QoS, with the full flows toward the subscriber
//!   (it answers PUBREC with PUBREL). A publish with retain is kept per topic (an empty payload
//!   clears it) and delivered to later subscribers with retain set.
//! - `PINGREQ` → `PINGRESP`; `DISCONNECT` closes. A malformed packet closes the connection.
//!
//! Publishes fan out through one bounded broadcast channel (a subscriber too slow loses messages
//! rather than stalling the others); the retained table is a std mutex never held across `.await`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sockpit_core::protocol::mqtt::{
    decode, encode, Ack, Packet, Properties, Publish, SubFilter, Version,
};
use tokio::sync::broadcast;

/// The one refused login: user `demo` with any password but this one.
pub const DEMO_USER: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-pass";

const FANOUT: usize = 1024;
/// How long the close handshake may take.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// Largest packet accepted.
const MAX_PACKET: usize = 1 << 20;

#[derive(Clone)]
struct Broker {
    fanout: broadcast::Sender<Arc<Publish>>,
    retained: Arc<Mutex<HashMap<String, Publish>>>,
}

pub fn router() -> Router {
    let broker = Broker {
        fanout: broadcast::channel(FANOUT).0,
        retained: Arc::new(Mutex::new(HashMap::new())),
    };
    Router::new()
        .route("/mqtt", get(upgrade))
        .with_state(broker)
}

async fn upgrade(ws: WebSocketUpgrade, State(broker): State<Broker>) -> Response {
    ws.protocols(["mqtt"])
        .on_upgrade(move |socket| Session::new(broker).run(socket))
}

/// Whether topic `t` matches filter `f` (`+` one level, `#` the rest, `$` topics only by name).
pub fn matches(f: &str, t: &str) -> bool {
    if t.starts_with('$') && (f.starts_with('+') || f.starts_with('#')) {
        return false;
    }
    let mut fl = f.split('/');
    let mut tl = t.split('/');
    loop {
        match (fl.next(), tl.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

struct Session {
    broker: Broker,
    version: Version,
    connected: bool,
    subs: Vec<SubFilter>,
    buf: Vec<u8>,
    next_pkid: u16,
}

enum Next {
    Go,
    Close,
}

impl Session {
    fn new(broker: Broker) -> Session {
        Session {
            broker,
            version: Version::V311,
            connected: false,
            subs: Vec::new(),
            buf: Vec::new(),
            next_pkid: 1,
        }
    }

    async fn run(mut self, mut socket: WebSocket) {
        let mut fanout = self.broker.fanout.subscribe();
        loop {
            let mut out: Vec<Packet> = Vec::new();
            let next = tokio::select! {
                m = socket.recv() => match m {
                    Some(Ok(Message::Binary(b))) => self.feed(&b, &mut out),
                    Some(Ok(Message::Text(_))) => Next::Close,
                    Some(Ok(_)) => Next::Go,
                    Some(Err(_)) | None => Next::Close,
                },
                p = fanout.recv() => {
                    match p {
                        Ok(p) => self.deliver(&p, false, &mut out),
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                    Next::Go
                }
            };
            for p in out {
                let Ok(bytes) = encode(&p, self.version) else {
                    continue;
                };
                if socket.send(Message::binary(bytes)).await.is_err() {
                    return;
                }
            }
            if let Next::Close = next {
                let normal = CloseFrame {
                    code: 1000,
                    reason: "".into(),
                };
                if socket.send(Message::Close(Some(normal))).await.is_ok() {
                    // The client's close reply completes the handshake (bounded).
                    let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
                    let _ = tokio::time::timeout(CLOSE_WAIT, drain).await;
                }
                return;
            }
        }
    }

    fn feed(&mut self, data: &[u8], out: &mut Vec<Packet>) -> Next {
        self.buf.extend_from_slice(data);
        loop {
            match decode(&self.buf, self.version, MAX_PACKET) {
                Ok(Some((p, used))) => {
                    self.buf.drain(..used);
                    if let Next::Close = self.on_packet(p, out) {
                        return Next::Close;
                    }
                }
                Ok(None) => return Next::Go,
                Err(_) => return Next::Close,
            }
        }
    }

    fn pkid(&mut self) -> u16 {
        let id = self.next_pkid;
        self.next_pkid = self.next_pkid.checked_add(1).unwrap_or(1);
        id
    }

    fn on_packet(&mut self, p: Packet, out: &mut Vec<Packet>) -> Next {
        if !self.connected && !matches!(p, Packet::Connect(_)) {
            return Next::Close;
        }
        match p {
            Packet::Connect(c) => {
                self.version = c.version;
                let v5 = c.version == Version::V5;
                let refused = c.username.as_deref() == Some(DEMO_USER)
                    && c.password.as_deref() != Some(DEMO_PASSWORD.as_bytes());
                let code = match (refused, v5) {
                    (false, _) => 0,
                    (true, false) => 4,
                    (true, true) => 0x86,
                };
                out.push(Packet::ConnAck {
                    session_present: false,
                    code,
                    props: Properties::default(),
                });
                if refused {
                    return Next::Close;
                }
                self.connected = true;
            }
            Packet::Subscribe { pkid, filters, .. } => {
                let codes = filters.iter().map(|f| f.qos.min(2)).collect();
                out.push(Packet::SubAck {
                    pkid,
                    codes,
                    props: Properties::default(),
                });
                let retained: Vec<Publish> = match self.broker.retained.lock() {
                    Ok(r) => r
                        .values()
                        .filter(|p| filters.iter().any(|f| matches(&f.filter, &p.topic)))
                        .cloned()
                        .collect(),
                    Err(_) => Vec::new(),
                };
                for f in filters {
                    self.subs.retain(|s| s.filter != f.filter);
                    self.subs.push(f);
                }
                for p in retained {
                    self.deliver(&p, true, out);
                }
            }
            Packet::Unsubscribe { pkid, filters, .. } => {
                self.subs.retain(|s| !filters.contains(&s.filter));
                let codes = if self.version == Version::V5 {
                    vec![0; filters.len()]
                } else {
                    Vec::new()
                };
                out.push(Packet::UnsubAck {
                    pkid,
                    codes,
                    props: Properties::default(),
                });
            }
            Packet::Publish(p) => {
                match p.qos {
                    1 => out.push(Packet::PubAck(Ack::new(p.pkid))),
                    2 => out.push(Packet::PubRec(Ack::new(p.pkid))),
                    _ => {}
                }
                // A QoS 2 resend (dup) was routed the first time.
                if !(p.qos == 2 && p.dup) {
                    self.route(p);
                }
            }
            Packet::PubRel(a) => out.push(Packet::PubComp(Ack::new(a.pkid))),
            Packet::PubRec(a) => out.push(Packet::PubRel(Ack::new(a.pkid))),
            Packet::PubAck(_) | Packet::PubComp(_) => {}
            Packet::PingReq => out.push(Packet::PingResp),
            Packet::Disconnect { .. } => return Next::Close,
            _ => return Next::Close,
        }
        Next::Go
    }

    /// Keeps a retained publish and hands it to every session.
    fn route(&self, mut p: Publish) {
        if p.retain {
            if let Ok(mut r) = self.broker.retained.lock() {
                if p.payload.is_empty() {
                    r.remove(&p.topic);
                } else {
                    r.insert(p.topic.clone(), p.clone());
                }
            }
        }
        p.retain = false;
        p.dup = false;
        let _ = self.broker.fanout.send(Arc::new(p));
    }

    /// `p` to this session if a subscription matches, at the lower QoS.
    fn deliver(&mut self, p: &Publish, retained: bool, out: &mut Vec<Packet>) {
        let Some(granted) = self
            .subs
            .iter()
            .filter(|s| matches(&s.filter, &p.topic))
            .map(|s| s.qos)
            .max()
        else {
            return;
        };
        let qos = p.qos.min(granted);
        let pkid = if qos > 0 { self.pkid() } else { 0 };
        out.push(Packet::Publish(Publish {
            dup: false,
            qos,
            retain: retained,
            topic: p.topic.clone(),
            pkid,
            payload: Bytes::clone(&p.payload),
            props: if self.version == Version::V5 {
                p.props.clone()
            } else {
                Properties::default()
            },
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn filters_match_by_level() {
        assert!(matches("a/+/c", "a/b/c"));
        assert!(!matches("a/+/c", "a/b/d"));
        assert!(matches("a/#", "a"));
        assert!(matches("a/#", "a/b/c"));
        assert!(matches("#", "x/y"));
        assert!(!matches("#", "$SYS/x"));
        assert!(!matches("a/+", "a/b/c"));
        assert!(matches("a/b", "a/b"));
    }
}
