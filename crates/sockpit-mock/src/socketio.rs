//! `/socket.io/`: a Socket.IO v4 server (Engine.IO 4, polling with upgrade or websocket only) on
//! socketioxide, layered on the mock's router.
//!
//! Namespace `/` and `/chat` share the events below; `/chat` also needs `{"token":"demo-token"}`
//! in the CONNECT `auth` payload and greets with `joined ["/chat"]`:
//! - `echo ARGS..`: emits `echo` with the same args back (binary attachments stay binary) and, when
//!   the emit asks for an ack, acks with the same args;
//! - `ack-me ARGS..`: acks with the same args (no event);
//! - `chat ARGS..`: emits `chat` with the same args to every socket of the namespace, sender too;
//! - `bin`: emits `bin ["pic", <binary 01 02 03>]` (a binary attachment).

use std::time::Duration;

use bytes::Bytes;
use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;

/// The token `/chat` wants in its CONNECT `auth` payload (the mock's demo token).
pub const CHAT_TOKEN: &str = "demo-token";

/// Engine.IO keepalive: the server pings every 5 s and drops a client silent for 5 s more, so a
/// demo shows pings without waiting the default 25 s.
const PING_INTERVAL: Duration = Duration::from_secs(5);
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// The layer serving `/socket.io/` (everything else passes through to the router).
pub(crate) fn layer() -> SocketIoLayer {
    let (layer, io) = SocketIo::builder()
        .ping_interval(PING_INTERVAL)
        .ping_timeout(PING_TIMEOUT)
        .max_payload(1 << 20)
        .build_layer();
    io.ns("/", on_connect);
    io.ns("/chat", on_chat_connect.with(chat_auth));
    layer
}

/// An event's arguments as they came, binary attachments included (`rmpv::Value::Binary`):
/// deserialized and serialized as a tuple, so socketioxide treats them as the whole argument list.
struct Args(Vec<rmpv::Value>);

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Args;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of event arguments")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Args, S::Error> {
                let mut all = Vec::new();
                while let Some(v) = seq.next_element()? {
                    all.push(v);
                }
                Ok(Args(all))
            }
        }
        d.deserialize_tuple(usize::MAX, V)
    }
}

impl Serialize for Args {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for v in &self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

/// Why `/chat` refused a CONNECT; its text is the `connect_error` packet's `message`.
#[derive(Debug, thiserror::Error)]
enum ChatRefused {
    #[error("not authorized: missing token (send auth {{\"token\":\"{CHAT_TOKEN}\"}})")]
    Missing,
    #[error("not authorized: bad token")]
    Bad,
}

async fn chat_auth(TryData(auth): TryData<serde_json::Value>) -> Result<(), ChatRefused> {
    match auth.ok().as_ref().and_then(|a| a.get("token")) {
        None | Some(serde_json::Value::Null) => Err(ChatRefused::Missing),
        Some(t) if t == CHAT_TOKEN => Ok(()),
        Some(_) => Err(ChatRefused::Bad),
    }
}

async fn on_chat_connect(s: SocketRef, io: SocketIo) {
    on_connect(s.clone(), io).await;
    let _ = s.emit("joined", "/chat");
}

async fn on_connect(s: SocketRef, io: SocketIo) {
    s.on(
        "echo",
        async |s: SocketRef, Data(args): Data<Args>, ack: AckSender| {
            let _ = s.emit("echo", &args);
            let _ = ack.send(&args);
        },
    );
    s.on("ack-me", async |Data(args): Data<Args>, ack: AckSender| {
        let _ = ack.send(&args);
    });
    s.on("chat", async move |s: SocketRef, Data(args): Data<Args>| {
        if let Some(ns) = io.of(s.ns()) {
            let _ = ns.emit("chat", &args).await;
        }
    });
    s.on("bin", async |s: SocketRef| {
        let _ = s.emit("bin", &("pic", Bytes::from_static(&[1, 2, 3])));
    });
}
