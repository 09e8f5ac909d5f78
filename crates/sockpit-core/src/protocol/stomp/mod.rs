//! STOMP 1.0/1.1/1.2 over WebSocket as one [`ProtocolLayer`](super::ProtocolLayer).
//!
//! The layer offers `v12.stomp, v11.stomp, v10.stomp` (or the versions asked for). On every open
//! it sends `CONNECT` (or `STOMP`) with `accept-version`, `host`, `login`/`passcode`, `heart-beat`
//! and extra headers, and queues intents until `CONNECTED`; after a reconnect it subscribes again
//! to every subscription still active and says so ([`StompEvent::Resubscribed`]). The version the
//! broker names in `CONNECTED` decides header escaping ([`frame`]). Heart-beats are negotiated as
//! the spec says and kept both ways: an EOL is sent when nothing else was for the agreed interval,
//! and silence from the broker for twice its interval is `stomp.heartbeat_missed` and drops the
//! connection (so reconnect applies). A `receipt` can be asked on any frame: its wait is reported
//! ([`StompEvent::Receipt`]) or becomes `stomp.receipt_timeout` naming the receipt id.
//!
//! Server frames may come one per WebSocket message, several per message or split across
//! messages, as text or binary: the layer keeps a buffer. Error codes: `stomp.no_subprotocol`,
//! `stomp.refused` (an `ERROR` before `CONNECTED`: the session ends), `stomp.error` (an `ERROR`
//! after it), `stomp.no_connected`, `stomp.malformed_frame` (a frame without its NUL, a bad
//! command line), `stomp.bad_header`, `stomp.unknown_command`, `stomp.unexpected`,
//! `stomp.heartbeat_missed`, `stomp.receipt_timeout`, `stomp.receipt_lost`, `stomp.unsupported`,
//! `stomp.truncated` (the connection ended mid-frame). The raw message always stays in the log.

pub mod frame;
mod layer;

use std::time::Duration;

use bytes::Bytes;

pub use frame::{parse, serialize, Frame, FrameError, Item, Version};
pub use layer::StompLayer;

use crate::ws::Direction;

/// How a STOMP layer connects.
#[derive(Debug, Clone)]
pub struct StompOptions {
    /// Versions to offer (subprotocols and `accept-version`), newest first.
    pub versions: Vec<Version>,
    pub login: Option<String>,
    pub passcode: Option<String>,
    /// The `host` header (the virtual host); the URL's host when `None`.
    pub host: Option<String>,
    /// More `CONNECT` headers.
    pub headers: Vec<(String, String)>,
    /// `heart-beat: cx,cy` in milliseconds: cx the least we send at, cy what we want to receive.
    pub heartbeat: (u64, u64),
    /// Send `STOMP` instead of `CONNECT` (1.1+ brokers only).
    pub stomp_command: bool,
    /// How long to wait for `CONNECTED`.
    pub connected_timeout: Duration,
    /// How long to wait for a `RECEIPT`.
    pub receipt_timeout: Duration,
    /// Largest partial frame kept while waiting for the rest.
    pub max_frame: usize,
}

impl Default for StompOptions {
    fn default() -> Self {
        StompOptions {
            versions: Version::ALL.to_vec(),
            login: None,
            passcode: None,
            host: None,
            headers: Vec::new(),
            heartbeat: (10_000, 10_000),
            stomp_command: false,
            connected_timeout: Duration::from_secs(10),
            receipt_timeout: Duration::from_secs(10),
            max_frame: 64 << 20,
        }
    }
}

/// A subscription's acknowledgement mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AckMode {
    #[default]
    Auto,
    Client,
    ClientIndividual,
}

impl AckMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AckMode::Auto => "auto",
            AckMode::Client => "client",
            AckMode::ClientIndividual => "client-individual",
        }
    }

    pub fn parse(s: &str) -> Option<AckMode> {
        match s {
            "auto" => Some(AckMode::Auto),
            "client" => Some(AckMode::Client),
            "client-individual" => Some(AckMode::ClientIndividual),
            _ => None,
        }
    }
}

/// Which received `MESSAGE` an `ACK`/`NACK` is about: its `ack` (1.2), `message-id` and
/// `subscription` headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AckRef {
    pub ack: Option<String>,
    pub message_id: Option<String>,
    pub subscription: Option<String>,
}

impl AckRef {
    /// The reference to a received `MESSAGE` frame.
    pub fn of(message: &Frame) -> AckRef {
        AckRef {
            ack: message.get("ack").map(str::to_string),
            message_id: message.get("message-id").map(str::to_string),
            subscription: message.get("subscription").map(str::to_string),
        }
    }
}

/// What the user asks of a STOMP session.
#[derive(Debug, Clone)]
pub enum StompAction {
    /// `SUBSCRIBE`; `id` `None` takes the next free `sub-N`.
    Subscribe {
        id: Option<String>,
        destination: String,
        ack: AckMode,
        headers: Vec<(String, String)>,
    },
    Unsubscribe {
        id: String,
    },
    /// `SEND`; `content-length` is always set.
    Send {
        destination: String,
        headers: Vec<(String, String)>,
        body: Bytes,
    },
    Ack {
        message: AckRef,
        transaction: Option<String>,
    },
    Nack {
        message: AckRef,
        transaction: Option<String>,
    },
    Begin {
        transaction: String,
    },
    Commit {
        transaction: String,
    },
    Abort {
        transaction: String,
    },
    /// `DISCONNECT` with a receipt, then a clean close once it arrives (or its wait runs out).
    Disconnect,
}

/// An action, and the `receipt` to ask for it (if any).
#[derive(Debug, Clone)]
pub struct StompIntent {
    pub action: StompAction,
    pub receipt: Option<String>,
}

impl StompIntent {
    pub fn new(action: StompAction) -> StompIntent {
        StompIntent {
            action,
            receipt: None,
        }
    }

    pub fn with_receipt(action: StompAction, receipt: impl Into<String>) -> StompIntent {
        StompIntent {
            action,
            receipt: Some(receipt.into()),
        }
    }
}

/// What a STOMP session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum StompEvent {
    /// A decoded frame, sent or received (heart-beats aside).
    Frame { dir: Direction, frame: Frame },
    /// `CONNECTED`: the version spoken and the heart-beat intervals agreed (0: none).
    Connected {
        version: Version,
        server: Option<String>,
        session: Option<String>,
        send_every: Duration,
        expect_every: Duration,
    },
    /// After a reconnect: these subscriptions were made again.
    Resubscribed { ids: Vec<String> },
    /// A frame asked for a receipt and is waiting for it.
    ReceiptWaiting { id: String, command: String },
    /// The `RECEIPT` for `id` came after `waited`.
    Receipt {
        id: String,
        command: String,
        waited: Duration,
    },
    /// A heart-beat (an EOL) sent or received.
    Heartbeat { dir: Direction },
}

#[cfg(test)]
mod tests;
