//! `/stomp`: a small STOMP 1.0-1.2 broker over WebSocket (subprotocols `v12.stomp`, `v11.stomp`,
//! `v10.stomp`), on sockpit-core's frame codec.
//!
//! - `CONNECT`/`STOMP`: the highest version both sides speak; `CONNECTED` with `server`,
//!   `session` and `heart-beat`. Credentials are optional; the one login that fails is `demo`
//!   with a passcode other than `demo-pass`: `ERROR` with `message:bad credentials for user
//!   'demo'`, then the connection closes.
//! - Heart-beats: the broker offers `1000,1000` and sends an EOL at the agreed interval when it
//!   sent nothing else; it tolerates a silent client.
//! - `SUBSCRIBE` (id, destination, ack mode) / `UNSUBSCRIBE`; a `SEND` reaches every subscription
//!   to exactly its destination (sender included) as `MESSAGE` with `message-id`, `subscription`,
//!   `destination`, `content-length` and the SEND's own headers (and `ack` on 1.2 client acks).
//! - `BEGIN`/`COMMIT`/`ABORT`: SENDs with a `transaction` header wait for its COMMIT.
//! - `ACK`/`NACK` are accepted; a `receipt` header on any frame is answered with `RECEIPT`.
//! - `DISCONNECT`: its receipt, then a close. An unknown command or a malformed frame gets
//!   `ERROR` and a close.
//!
//! SENDs go through one bounded broadcast channel; a subscriber too slow for it loses messages
//! rather than stalling the others. No lock is taken.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use sockpit_core::protocol::stomp::{parse, serialize, Frame, Item, Version};
use tokio::sync::broadcast;

/// The one refused login: `demo` with any passcode but this one.
pub const DEMO_LOGIN: &str = "demo";
pub const DEMO_PASSCODE: &str = "demo-pass";

/// The heart-beat the broker offers (`cx,cy` in ms).
const HEARTBEAT_MS: u64 = 1000;
/// SENDs in flight to subscribers.
const FANOUT: usize = 1024;
/// How long the close handshake may take.
const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// Largest frame buffered while waiting for its NUL.
const MAX_FRAME: usize = 1 << 20;

/// A published message: destination, the SEND's headers, body.
#[derive(Clone)]
struct Published {
    destination: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(Clone)]
struct Broker {
    fanout: broadcast::Sender<Arc<Published>>,
    ids: Arc<AtomicU64>,
}

pub fn router() -> Router {
    let broker = Broker {
        fanout: broadcast::channel(FANOUT).0,
        ids: Arc::new(AtomicU64::new(1)),
    };
    Router::new()
        .route("/stomp", get(upgrade))
        .with_state(broker)
}

async fn upgrade(ws: WebSocketUpgrade, State(broker): State<Broker>) -> Response {
    let ws = ws.protocols(Version::ALL.map(|v| v.subprotocol()));
    let offered = ws
        .selected_protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(|p| Version::ALL.into_iter().find(|v| v.subprotocol() == p));
    ws.on_upgrade(move |socket| Session::new(broker, offered).run(socket))
}

struct Subscription {
    destination: String,
    ack: String,
}

struct Session {
    broker: Broker,
    /// The version the subprotocol named (the ceiling for negotiation).
    offered: Option<Version>,
    version: Version,
    connected: bool,
    subs: HashMap<String, Subscription>,
    transactions: HashMap<String, Vec<Published>>,
    /// How often we send heart-beats (None: never).
    beat: Option<Duration>,
    buf: Vec<u8>,
    session: u64,
}

/// What a client frame asks of the connection.
enum Next {
    Go,
    Close,
}

impl Session {
    fn new(broker: Broker, offered: Option<Version>) -> Session {
        let session = broker.ids.fetch_add(1, Ordering::Relaxed);
        Session {
            broker,
            offered,
            version: offered.unwrap_or(Version::V12),
            connected: false,
            subs: HashMap::new(),
            transactions: HashMap::new(),
            beat: None,
            buf: Vec::new(),
            session,
        }
    }

    async fn run(mut self, mut socket: WebSocket) {
        let mut fanout = self.broker.fanout.subscribe();
        let mut last_sent = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(HEARTBEAT_MS / 4));
        loop {
            let mut out: Vec<Vec<u8>> = Vec::new();
            let next = tokio::select! {
                m = socket.recv() => match m {
                    Some(Ok(Message::Text(t))) => self.feed(t.as_bytes(), &mut out),
                    Some(Ok(Message::Binary(b))) => self.feed(&b, &mut out),
                    Some(Ok(_)) => Next::Go,
                    Some(Err(_)) | None => Next::Close,
                },
                p = fanout.recv() => {
                    match p {
                        Ok(p) => self.deliver(&p, &mut out),
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                    Next::Go
                }
                _ = tick.tick() => {
                    if self.beat.is_some_and(|b| last_sent.elapsed() >= b) {
                        out.push(b"\n".to_vec());
                    }
                    Next::Go
                }
            };
            for frame in out {
                last_sent = tokio::time::Instant::now();
                let text = String::from_utf8(frame);
                let msg = match text {
                    Ok(t) => Message::text(t),
                    Err(e) => Message::binary(e.into_bytes()),
                };
                if socket.send(msg).await.is_err() {
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

    /// Reads what a WebSocket message holds (any number of frames, or part of one).
    fn feed(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Next {
        self.buf.extend_from_slice(data);
        while let Some((item, used)) = parse(&self.buf, self.version) {
            self.buf.drain(..used);
            let next = match item {
                Ok(Item::Heartbeat) => Next::Go,
                Ok(Item::Frame(f)) => self.on_frame(f, out),
                Err(e) => self.error(&e.message, out),
            };
            if let Next::Close = next {
                return next;
            }
        }
        if self.buf.len() > MAX_FRAME {
            return self.error("frame too large", out);
        }
        Next::Go
    }

    fn send(&self, f: Frame, out: &mut Vec<Vec<u8>>) {
        out.push(serialize(&f, self.version));
    }

    fn error(&self, message: &str, out: &mut Vec<Vec<u8>>) -> Next {
        let body = message.as_bytes().to_vec();
        let mut f = Frame::new("ERROR")
            .header("message", message)
            .header("content-type", "text/plain")
            .header("content-length", body.len().to_string());
        f.body = body;
        self.send(f, out);
        Next::Close
    }

    fn receipt(&self, f: &Frame, out: &mut Vec<Vec<u8>>) {
        if let Some(r) = f.get("receipt") {
            self.send(Frame::new("RECEIPT").header("receipt-id", r), out);
        }
    }

    fn on_frame(&mut self, f: Frame, out: &mut Vec<Vec<u8>>) -> Next {
        if !self.connected {
            return match f.command.as_str() {
                "CONNECT" | "STOMP" => self.connect(&f, out),
                other => self.error(&format!("{other} before CONNECT"), out),
            };
        }
        match f.command.as_str() {
            "SUBSCRIBE" => {
                let (Some(id), Some(dest)) = (f.get("id"), f.get("destination")) else {
                    return self.error("SUBSCRIBE needs id and destination headers", out);
                };
                let ack = f.get("ack").unwrap_or("auto").to_string();
                self.subs.insert(
                    id.to_string(),
                    Subscription {
                        destination: dest.to_string(),
                        ack,
                    },
                );
            }
            "UNSUBSCRIBE" => {
                if let Some(id) = f.get("id") {
                    self.subs.remove(id);
                }
            }
            "SEND" => {
                let Some(dest) = f.get("destination") else {
                    return self.error("SEND needs a destination header", out);
                };
                let p = Published {
                    destination: dest.to_string(),
                    headers: f
                        .headers
                        .iter()
                        .filter(|(k, _)| {
                            !matches!(
                                k.as_str(),
                                "destination" | "receipt" | "transaction" | "content-length"
                            )
                        })
                        .cloned()
                        .collect(),
                    body: f.body.clone(),
                };
                match f.get("transaction") {
                    Some(tx) => match self.transactions.get_mut(tx) {
                        Some(held) => held.push(p),
                        None => return self.error(&format!("no transaction '{tx}'"), out),
                    },
                    None => {
                        let _ = self.broker.fanout.send(Arc::new(p));
                    }
                }
            }
            "BEGIN" => {
                let tx = f.get("transaction").unwrap_or_default().to_string();
                self.transactions.insert(tx, Vec::new());
            }
            "COMMIT" | "ABORT" => {
                let tx = f.get("transaction").unwrap_or_default();
                let Some(held) = self.transactions.remove(tx) else {
                    return self.error(&format!("no transaction '{tx}'"), out);
                };
                if f.command == "COMMIT" {
                    for p in held {
                        let _ = self.broker.fanout.send(Arc::new(p));
                    }
                }
            }
            "ACK" | "NACK" => {}
            "DISCONNECT" => {
                self.receipt(&f, out);
                return Next::Close;
            }
            other => return self.error(&format!("unknown command '{other}'"), out),
        }
        self.receipt(&f, out);
        Next::Go
    }

    fn connect(&mut self, f: &Frame, out: &mut Vec<Vec<u8>>) -> Next {
        let accepted: Vec<Version> = f
            .get("accept-version")
            .unwrap_or("1.0")
            .split(',')
            .filter_map(|v| Version::parse(v.trim()))
            .collect();
        let ceiling = self.offered.unwrap_or(Version::V12);
        let Some(version) = Version::ALL
            .into_iter()
            .filter(|v| v.as_str() <= ceiling.as_str())
            .find(|v| accepted.contains(v))
        else {
            return self.error(
                "no common STOMP version (this broker speaks 1.0, 1.1, 1.2)",
                out,
            );
        };
        self.version = version;
        if f.get("login") == Some(DEMO_LOGIN) && f.get("passcode") != Some(DEMO_PASSCODE) {
            return self.error(&format!("bad credentials for user '{DEMO_LOGIN}'"), out);
        }
        let (_, cy) = f
            .get("heart-beat")
            .and_then(|h| h.split_once(','))
            .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
            .unwrap_or((0, 0));
        // We send every max(our cx, their cy) when both want it; we never require theirs.
        self.beat = (cy > 0).then(|| Duration::from_millis(cy.max(HEARTBEAT_MS)));
        self.connected = true;
        self.send(
            Frame::new("CONNECTED")
                .header("version", version.as_str())
                .header("server", "sockpit-mock")
                .header("session", format!("session-{}", self.session))
                .header("heart-beat", format!("{HEARTBEAT_MS},{HEARTBEAT_MS}")),
            out,
        );
        Next::Go
    }

    fn deliver(&self, p: &Published, out: &mut Vec<Vec<u8>>) {
        for (id, sub) in &self.subs {
            if sub.destination != p.destination {
                continue;
            }
            let message_id = self.broker.ids.fetch_add(1, Ordering::Relaxed).to_string();
            let mut f = Frame::new("MESSAGE")
                .header("destination", &p.destination)
                .header("message-id", &message_id)
                .header("subscription", id);
            if self.version == Version::V12 && sub.ack != "auto" {
                f = f.header("ack", &message_id);
            }
            f.headers.extend(p.headers.iter().cloned());
            f = f.header("content-length", p.body.len().to_string());
            f.body = p.body.clone();
            self.send(f, out);
        }
    }
}
