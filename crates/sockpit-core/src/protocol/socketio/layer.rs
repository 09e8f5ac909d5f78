//! The Socket.IO [`ProtocolLayer`]: the Engine.IO open packet (or the upgrade probe after a polling
//! handshake), namespace connects, EIO4 server pings answered, EIO3 client pings sent, a missed
//! ping/pong reported (`socketio.ping_timeout`) and the connection dropped so the session's
//! reconnect can run, emits with acks, binary attachments, and intents queued per namespace.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

use super::packet::{self, EioPacket, EioType, OpenInfo, SioPacket, SioType};
use super::{SioEvent, SioIntent};
use crate::protocol::{LayerOutput, ProtocolLayer};
use crate::ws::{DataKind, Direction, UpgradeReport};

/// What [`super::connect`] learned over HTTP long-polling before the WebSocket opened.
#[derive(Debug, Clone)]
pub struct PollingHandshake {
    pub open: OpenInfo,
    /// Packets that came in the same polling answer (a v2 server's `40`).
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Closed,
    /// Sent `2probe` on a connection that carries a polling session's sid.
    Probing,
    /// Waiting for the Engine.IO open packet.
    AwaitOpen,
    Open,
}

#[derive(Default)]
struct Nsp {
    connected: bool,
    queued: Vec<SioIntent>,
}

type Out = LayerOutput<SioEvent>;

/// Speaks Socket.IO over a session. Build it with [`SocketIoLayer::new`] (or use
/// [`super::connect`], which does the polling handshake first).
pub struct SocketIoLayer {
    /// The Engine.IO version spoken (3 or 4); an auto-detected one may change at the open packet.
    eio: u8,
    /// The user fixed the version: the open packet does not change it.
    eio_fixed: bool,
    auth: Option<Value>,
    polling: Option<PollingHandshake>,
    conn: Conn,
    opens: u32,
    interval: Duration,
    timeout: Duration,
    /// EIO3: when to send the next ping, and by when its pong must come.
    next_ping: Option<Instant>,
    pong_due: Option<Instant>,
    /// EIO4: by when the server's next ping must come.
    ping_due: Option<Instant>,
    namespaces: BTreeMap<String, Nsp>,
    /// Acks we wait for, by namespace and id, with the event name they answer.
    pending_acks: HashMap<(String, u64), String>,
    next_id: u64,
    /// A binary event or ack waiting for its attachments.
    partial: Option<(SioPacket, Vec<Bytes>)>,
}

impl SocketIoLayer {
    /// `namespaces` are connected on every open (`/` when empty); `auth` is the CONNECT payload
    /// (v3+) or the namespace query (v2).
    pub fn new(
        eio: u8,
        eio_fixed: bool,
        namespaces: &[String],
        auth: Option<Value>,
        polling: Option<PollingHandshake>,
    ) -> SocketIoLayer {
        let mut map = BTreeMap::new();
        for n in namespaces {
            map.insert(normalize_nsp(n), Nsp::default());
        }
        if map.is_empty() {
            map.insert("/".to_string(), Nsp::default());
        }
        SocketIoLayer {
            eio,
            eio_fixed,
            auth,
            polling,
            conn: Conn::Closed,
            opens: 0,
            interval: Duration::from_secs(25),
            timeout: Duration::from_secs(20),
            next_ping: None,
            pong_due: None,
            ping_due: None,
            namespaces: map,
            pending_acks: HashMap::new(),
            next_id: 0,
            partial: None,
        }
    }

    fn handshake(&mut self, info: &OpenInfo, upgraded: bool, now: Instant, out: &mut Out) {
        if !self.eio_fixed && info.max_payload.is_none() {
            self.eio = 3; // only EIO4 servers send maxPayload
        }
        self.conn = Conn::Open;
        self.opens += 1;
        self.interval = Duration::from_millis(info.ping_interval_ms.max(1));
        self.timeout = Duration::from_millis(info.ping_timeout_ms.max(1));
        if self.eio >= 4 {
            self.ping_due = Some(now + self.interval + self.timeout);
        } else {
            // Engine.IO 3: the client pings; the handshake's own deadline (the open packet or the
            // probe's answer, 20 s) is over.
            self.ping_due = None;
            self.next_ping = Some(now + self.interval);
        }
        out.event(SioEvent::Handshake {
            sid: info.sid.clone(),
            eio: self.eio,
            ping_interval_ms: info.ping_interval_ms,
            ping_timeout_ms: info.ping_timeout_ms,
            upgraded,
            reconnect: self.opens > 1,
        });
        let names: Vec<String> = self.namespaces.keys().cloned().collect();
        for n in names {
            self.send_connect(&n, out);
        }
    }

    fn send_connect(&self, nsp: &str, out: &mut Out) {
        if self.eio >= 4 {
            let (s, _) = packet::encode_sio(SioType::Connect, nsp, None, None, self.auth.as_ref());
            out.send_text(format!("4{s}"));
        } else if nsp != "/" {
            // v2: the default namespace is connected by the server; others carry the query.
            let query = self.auth.as_ref().map(query_of).unwrap_or_default();
            let (s, _) = packet::encode_sio(SioType::Connect, nsp, Some(&query), None, None);
            out.send_text(format!("4{s}"));
        }
    }

    fn send_sio(&mut self, ty: SioType, nsp: &str, id: Option<u64>, data: &Value, out: &mut Out) {
        let (s, attachments) = packet::encode_sio(ty, nsp, None, id, Some(data));
        out.send_text(format!("4{s}"));
        for a in attachments {
            out.send_binary(packet::encode_eio_binary(self.eio, &a));
        }
    }

    fn perform(&mut self, intent: SioIntent, out: &mut Out) {
        match intent {
            SioIntent::Emit {
                namespace,
                name,
                args,
                ack,
                ..
            } => {
                let id = ack.then(|| {
                    self.next_id += 1;
                    self.next_id
                });
                let mut data = vec![Value::String(name.clone())];
                data.extend(args.iter().cloned());
                self.send_sio(SioType::Event, &namespace, id, &Value::Array(data), out);
                if let Some(id) = id {
                    self.pending_acks
                        .insert((namespace.clone(), id), name.clone());
                }
                out.event(SioEvent::Event {
                    dir: Direction::Out,
                    namespace,
                    name,
                    args,
                    id,
                });
            }
            SioIntent::Ack {
                namespace,
                id,
                args,
            } => {
                self.send_sio(
                    SioType::Ack,
                    &namespace,
                    Some(id),
                    &Value::Array(args.clone()),
                    out,
                );
                out.event(SioEvent::Ack {
                    dir: Direction::Out,
                    namespace,
                    id,
                    name: None,
                    args,
                });
            }
        }
    }

    fn on_text(&mut self, text: &str, now: Instant, out: &mut Out) {
        let p = match packet::decode_eio_text(text) {
            Ok(EioPacket::Text(ty, rest)) => (ty, rest),
            Ok(EioPacket::Binary(_)) => return,
            Err(e) => return malformed(out, &e, text),
        };
        if self.eio >= 4 && self.conn == Conn::Open {
            self.ping_due = Some(now + self.interval + self.timeout);
        }
        match p {
            (EioType::Open, json) => match packet::parse_open(&json) {
                Ok(info) => self.handshake(&info, false, now, out),
                Err(e) => malformed(out, &e, text),
            },
            (EioType::Ping, data) => out.send_text(format!("3{data}")),
            (EioType::Pong, data) if data == "probe" && self.conn == Conn::Probing => {
                out.send_text("5");
                if let Some(hs) = self.polling.take() {
                    self.handshake(&hs.open, true, now, out);
                    for p in hs.extra {
                        self.on_text(&p, now, out);
                    }
                }
            }
            (EioType::Pong, _) => self.pong_due = None,
            (EioType::Message, body) => match packet::decode_sio(&body) {
                Ok(p) if p.attachments > 0 => self.partial = Some((p, Vec::new())),
                Ok(p) => self.on_packet(p, Vec::new(), out),
                Err(e) => malformed(out, &e, text),
            },
            (EioType::Close | EioType::Upgrade | EioType::Noop, _) => {}
        }
    }

    fn on_packet(&mut self, p: SioPacket, attachments: Vec<Bytes>, out: &mut Out) {
        let data = match p
            .data
            .map(|d| packet::reconstruct(d, &attachments))
            .transpose()
        {
            Ok(d) => d,
            Err(e) => return malformed(out, &e, "(binary packet)"),
        };
        let nsp = p.namespace;
        match p.ty {
            SioType::Connect => {
                let sid = data
                    .as_ref()
                    .and_then(|d| d.get("sid"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let entry = self.namespaces.entry(nsp.clone()).or_default();
                entry.connected = true;
                let queued = std::mem::take(&mut entry.queued);
                out.event(SioEvent::Connected {
                    namespace: nsp,
                    sid,
                    reconnect: self.opens > 1,
                });
                for i in queued {
                    self.perform(i, out);
                }
            }
            SioType::ConnectError => {
                let data = data.unwrap_or(Value::Null);
                out.error(
                    "socketio.connect_error",
                    format!(
                        "the server refused namespace {nsp}: {data} (check --auth and --namespace)"
                    ),
                );
                out.event(SioEvent::ConnectError {
                    namespace: nsp,
                    data,
                });
            }
            SioType::Disconnect => {
                if let Some(n) = self.namespaces.get_mut(&nsp) {
                    n.connected = false;
                }
                out.event(SioEvent::Disconnected { namespace: nsp });
            }
            SioType::Event | SioType::BinaryEvent => {
                let mut args = match data {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                let name = match args.first() {
                    Some(Value::String(_)) => match args.remove(0) {
                        Value::String(s) => s,
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                out.event(SioEvent::Event {
                    dir: Direction::In,
                    namespace: nsp,
                    name,
                    args,
                    id: p.id,
                });
            }
            SioType::Ack | SioType::BinaryAck => {
                let id = p.id.unwrap_or_default();
                let name = self.pending_acks.remove(&(nsp.clone(), id));
                if name.is_none() {
                    out.error(
                        "socketio.unknown_ack",
                        format!("an ack for id {id} on {nsp}, which no emit asked for"),
                    );
                }
                out.event(SioEvent::Ack {
                    dir: Direction::In,
                    namespace: nsp,
                    id,
                    name,
                    args: match data {
                        Some(Value::Array(a)) => a,
                        _ => Vec::new(),
                    },
                });
            }
        }
    }

    fn lost_keepalive(&mut self, what: &str, out: &mut Out) {
        let msg = format!(
            "no {what} from the server within {} ms (pingInterval {} ms + pingTimeout {} ms): \
             the connection is dropped (use --reconnect to reconnect)",
            if self.eio >= 4 {
                (self.interval + self.timeout).as_millis()
            } else {
                self.timeout.as_millis()
            },
            self.interval.as_millis(),
            self.timeout.as_millis()
        );
        out.error("socketio.ping_timeout", msg.clone());
        out.drop = Some(msg);
        self.clear_timers();
    }

    fn clear_timers(&mut self) {
        self.next_ping = None;
        self.pong_due = None;
        self.ping_due = None;
    }
}

fn malformed(out: &mut Out, why: &str, raw: &str) {
    let mut shown: String = raw.chars().take(200).collect();
    if shown.len() < raw.len() {
        shown.push('…');
    }
    out.error(
        "socketio.malformed",
        format!("a malformed packet from the server ({why}): {shown:?}; it is kept in the log"),
    );
}

/// `/chat` for `chat`, `/` for the empty name.
pub fn normalize_nsp(n: &str) -> String {
    if n.starts_with('/') {
        n.to_string()
    } else {
        format!("/{n}")
    }
}

/// An auth object as a v2 namespace query (`token=abc&x=1`).
pub fn query_of(auth: &Value) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(o) = auth.as_object() {
        for (k, v) in o {
            match v {
                Value::String(s) => q.append_pair(k, s),
                other => q.append_pair(k, &other.to_string()),
            };
        }
    }
    q.finish()
}

impl ProtocolLayer for SocketIoLayer {
    type Intent = SioIntent;
    type Event = SioEvent;

    fn on_open(&mut self, report: &UpgradeReport, now: Instant, out: &mut Out) {
        self.partial = None;
        let has_sid = url::Url::parse(&report.url)
            .map(|u| u.query_pairs().any(|(k, _)| k == "sid"))
            .unwrap_or(false);
        if has_sid && self.polling.is_some() {
            self.conn = Conn::Probing;
            out.send_text("2probe");
        } else {
            self.polling = None; // a reconnect: straight to WebSocket, the server sends `0{...}`
            self.conn = Conn::AwaitOpen;
        }
        // The open packet (or the probe's answer) is due within the handshake's usual bound.
        self.ping_due = Some(now + Duration::from_secs(20));
    }

    fn on_message(&mut self, kind: DataKind, data: &Bytes, now: Instant, out: &mut Out) {
        match kind {
            DataKind::Text => match std::str::from_utf8(data) {
                Ok(s) => self.on_text(s, now, out),
                Err(_) => malformed(out, "a text frame that is not UTF-8", ""),
            },
            DataKind::Binary => match packet::decode_eio_binary(self.eio, data) {
                Ok(EioPacket::Binary(b)) => {
                    let done = match &mut self.partial {
                        Some((p, got)) => {
                            got.push(b);
                            got.len() >= p.attachments
                        }
                        None => return malformed(out, "a binary frame no packet announced", ""),
                    };
                    if done {
                        if let Some((p, got)) = self.partial.take() {
                            self.on_packet(p, got, out);
                        }
                    }
                }
                Ok(EioPacket::Text(..)) => {}
                Err(e) => malformed(out, &e, ""),
            },
        }
    }

    fn on_intent(&mut self, intent: SioIntent, _now: Instant, out: &mut Out) {
        let nsp = match &intent {
            SioIntent::Emit { namespace, .. } | SioIntent::Ack { namespace, .. } => {
                namespace.clone()
            }
        };
        let open = self.conn == Conn::Open;
        let known = self.namespaces.contains_key(&nsp);
        if open && self.namespaces.get(&nsp).is_some_and(|n| n.connected) {
            return self.perform(intent, out);
        }
        if let SioIntent::Emit {
            volatile: true,
            name,
            ..
        } = &intent
        {
            // Volatile: dropped when it cannot go now, as the official client does (and a new
            // namespace is not connected for it); said so, since nothing else would show it.
            let why = if open {
                format!("namespace {nsp} is not connected")
            } else {
                "the connection is not open".to_string()
            };
            out.error(
                "socketio.volatile_dropped",
                format!("the volatile emit '{name}' on {nsp} was dropped: {why}"),
            );
            return;
        }
        self.namespaces
            .entry(nsp.clone())
            .or_default()
            .queued
            .push(intent);
        if open && !known {
            self.send_connect(&nsp, out);
        }
    }

    fn on_close(&mut self, _now: Instant, _out: &mut Out) {
        self.conn = Conn::Closed;
        self.partial = None;
        self.clear_timers();
        for n in self.namespaces.values_mut() {
            n.connected = false;
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        [self.next_ping, self.pong_due, self.ping_due]
            .into_iter()
            .flatten()
            .min()
    }

    fn on_timer(&mut self, now: Instant, out: &mut Out) {
        if self.conn != Conn::Open {
            if self.ping_due.is_some_and(|d| d <= now) {
                self.ping_due = None;
                out.error(
                    "socketio.not_socketio",
                    "no Engine.IO open packet within 20 s of the WebSocket opening: is this a \
                     Socket.IO server? Check the URL and --path",
                );
                out.drop = Some("no Engine.IO open packet".into());
            }
            return;
        }
        if self.ping_due.is_some_and(|d| d <= now) {
            return self.lost_keepalive("ping", out);
        }
        if self.pong_due.is_some_and(|d| d <= now) {
            return self.lost_keepalive("pong", out);
        }
        if self.next_ping.is_some_and(|d| d <= now) {
            out.send_text("2");
            if self.pong_due.is_none() {
                self.pong_due = Some(now + self.timeout);
            }
            self.next_ping = Some(now + self.interval);
        }
    }
}
