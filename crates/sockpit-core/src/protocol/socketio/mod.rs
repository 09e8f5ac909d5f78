//! Socket.IO (v2 over Engine.IO 3, v3/v4 over Engine.IO 4) as a [`ProtocolLayer`] on a WebSocket
//! session, and [`connect`], which starts one as the official client does.
//!
//! The handshake: by default an HTTP long-polling request (`GET {path}?EIO=4&transport=polling`)
//! gets the Engine.IO session, then the WebSocket opens with its `sid` and upgrades (`2probe`,
//! `3probe`, `5`). `Transport::WebSocket` goes straight to WebSocket. A polling sid is single-use,
//! so a reconnect always goes straight to WebSocket without one (servers accept that), and the
//! layer re-handshakes and reconnects every namespace, reporting it ([`SioEvent::Handshake`] and
//! [`SioEvent::Connected`] with `reconnect: true`). Version auto-detection: EIO=4 first; a server
//! that refuses it (engine.io's 400 "Unsupported protocol version") is asked again with EIO=3, and
//! an answer in Engine.IO 3 form (length-prefixed polling payload, an open packet without
//! `maxPayload`) switches to 3. Only the polling request and the static auth parts (headers,
//! bearer, basic, API key, query token) apply to the pre-handshake; login/ticket steps run before
//! each WebSocket attempt as usual. A polling-only session (no upgrade) is not supported.

mod handshake;
mod layer;
pub mod packet;

use serde_json::Value;

pub use layer::{normalize_nsp, PollingHandshake, SocketIoLayer};

use super::{spawn, LayerHandle, ProtocolError};
use crate::ws::{ConnectConfig, Direction};

/// What the user asks a Socket.IO session to do.
#[derive(Debug, Clone, PartialEq)]
pub enum SioIntent {
    /// Emit `name` with `args` (binary as `{"_binary_b64":"..."}`); `ack` asks for an
    /// acknowledgement; `volatile` drops it when it cannot be sent now. Queued until the namespace
    /// is connected (connecting it if it is new).
    Emit {
        namespace: String,
        name: String,
        args: Vec<Value>,
        ack: bool,
        volatile: bool,
    },
    /// Answer a server event that asked for an ack.
    Ack {
        namespace: String,
        id: u64,
        args: Vec<Value>,
    },
}

/// What a Socket.IO session reports, beside the raw frames.
#[derive(Debug, Clone, PartialEq)]
pub enum SioEvent {
    /// The Engine.IO session opened (after the upgrade, or from the open packet).
    Handshake {
        sid: String,
        eio: u8,
        ping_interval_ms: u64,
        ping_timeout_ms: u64,
        /// Reached through the polling upgrade.
        upgraded: bool,
        /// Not the first handshake of this session (a reconnect).
        reconnect: bool,
    },
    Connected {
        namespace: String,
        sid: Option<String>,
        reconnect: bool,
    },
    ConnectError {
        namespace: String,
        data: Value,
    },
    Disconnected {
        namespace: String,
    },
    Event {
        dir: Direction,
        namespace: String,
        name: String,
        args: Vec<Value>,
        /// The ack id the sender asked for.
        id: Option<u64>,
    },
    Ack {
        dir: Direction,
        namespace: String,
        id: u64,
        /// The event this ack answers (acks we receive for our emits).
        name: Option<String>,
        args: Vec<Value>,
    },
}

/// How the connection starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// HTTP long-polling handshake, then the WebSocket upgrade (the official client's default).
    #[default]
    Polling,
    /// Straight to WebSocket.
    WebSocket,
}

/// A Socket.IO connection: the WebSocket settings (`ws.url` may be http(s):// or ws(s)://; TLS,
/// proxy, auth, reconnect all apply) and Socket.IO's own.
#[derive(Debug, Clone)]
pub struct SocketIoConfig {
    pub ws: ConnectConfig,
    /// The Engine.IO path (default `/socket.io/`).
    pub path: String,
    /// Namespaces to connect (`/` when empty; a URL path like `/chat` names one when empty).
    pub namespaces: Vec<String>,
    /// The CONNECT payload (v3+), or the query of each namespace (v2).
    pub auth: Option<Value>,
    /// 3 or 4; `None` detects it.
    pub eio: Option<u8>,
    pub transport: Transport,
}

impl SocketIoConfig {
    pub fn new(url: impl Into<String>) -> SocketIoConfig {
        SocketIoConfig {
            ws: ConnectConfig::new(url),
            path: "/socket.io/".into(),
            namespaces: Vec::new(),
            auth: None,
            eio: None,
            transport: Transport::Polling,
        }
    }
}

/// The first namespace `cfg` connects (where a CLI's emits go): the first given, else the URL's
/// path, else `/`.
pub fn first_namespace(cfg: &SocketIoConfig) -> String {
    handshake::plan(cfg)
        .ok()
        .and_then(|p| p.namespaces.into_iter().next())
        .unwrap_or_else(|| "/".into())
}

/// The Socket.IO DISCONNECT packets (inside Engine.IO messages) that leave `first` and `more`,
/// sent raw before a close frame: the protocol's goodbye.
pub fn disconnect_packets(first: &str, more: &[String]) -> Vec<String> {
    let mut nsps: Vec<String> = vec![normalize_nsp(first)];
    for n in more {
        let n = normalize_nsp(n);
        if !nsps.contains(&n) {
            nsps.push(n);
        }
    }
    nsps.into_iter()
        .map(|n| match n.as_str() {
            "/" => "41".to_string(),
            _ => format!("41{n},"),
        })
        .collect()
}

/// A running Socket.IO session.
pub type SocketIoHandle = LayerHandle<SocketIoLayer>;

/// Does the pre-handshake (polling, unless `Transport::WebSocket`) and starts the layered session.
/// Errors (`socketio.bad_url`, `socketio.not_socketio`, `socketio.handshake_failed`) name the URL
/// and what came back.
pub async fn connect(cfg: SocketIoConfig) -> Result<SocketIoHandle, ProtocolError> {
    let plan = handshake::plan(&cfg)?;
    let mut ws = cfg.ws.clone();
    ws.url = plan.ws_url.clone();
    let (eio, polling) = match cfg.transport {
        Transport::WebSocket => (plan.eio, None),
        Transport::Polling => {
            let (eio, hs) = handshake::poll_open(&cfg, &plan).await?;
            if !hs.open.upgrades.iter().any(|u| u == "websocket") {
                return Err(ProtocolError::new(
                    "socketio.handshake_failed",
                    format!(
                        "the server at {} offers no WebSocket upgrade (upgrades: {:?}); a \
                         polling-only session is not supported",
                        plan.polling_url, hs.open.upgrades
                    ),
                ));
            }
            ws.first_attempt_query = vec![("sid".into(), hs.open.sid.clone())];
            (eio, Some(hs))
        }
    };
    let mut query: Vec<(String, String)> = ws
        .query
        .drain(..)
        .filter(|(k, _)| k != "EIO" && k != "transport")
        .collect();
    query.push(("EIO".into(), eio.to_string()));
    query.push(("transport".into(), "websocket".into()));
    if eio == 3 {
        query.extend(handshake::v2_query(&cfg));
    }
    ws.query = query;
    let layer = SocketIoLayer::new(
        eio,
        cfg.eio.is_some() || polling.is_some(),
        &plan.namespaces,
        cfg.auth.clone(),
        polling,
    );
    Ok(spawn(layer, ws))
}

#[cfg(test)]
mod tests;
