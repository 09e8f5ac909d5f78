//! Protocol layers over a WebSocket session: Socket.IO, GraphQL over WebSocket, STOMP, MQTT.
//!
//! A [`ProtocolLayer`] is a state machine with no I/O of its own: frames in, protocol events out;
//! user intents in, frames out; it owns its protocol's handshake (sent on every open, so a reconnect
//! re-handshakes and re-subscribes) and keepalive (through [`ProtocolLayer::next_deadline`]).
//! [`spawn`] runs one on a real [`SessionHandle`]: a driver task, off the socket's task, feeds it
//! the session's batches in order and passes every session event on as well, so both views are
//! kept: the raw messages and frames (the Messages log, the frame inspector) and the decoded
//! events. Reconnect, auth, TLS, proxy and deflate keep working underneath, because the layer only
//! ever sees what the session delivers.
//!
//! A layer never panics on what a server sends: a malformed packet becomes a
//! [`ProtocolError`] event (the raw message stays in the log) and the session goes on where the
//! protocol allows; where it does not, the layer asks for a close.

mod driver;
pub mod graphql;
pub mod mqtt;
mod raw_json;
pub mod socketio;
pub mod stomp;

use std::time::Instant;

use bytes::Bytes;

use crate::ws::{DataKind, Outgoing, SessionEvent, UpgradeReport};

pub use driver::{spawn, LayerControl, LayerEvent, LayerHandle};
pub use raw_json::RawJson;

/// A protocol-level failure, with a stable code (`socketio.connect_error`, `graphql.no_ack`, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProtocolError {
    pub code: &'static str,
    pub message: String,
}

impl ProtocolError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ProtocolError {
        ProtocolError {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// What one call into a layer produced.
#[derive(Debug)]
pub struct LayerOutput<E> {
    /// Frames to send, in order.
    pub send: Vec<Outgoing>,
    /// Decoded protocol events, in order.
    pub events: Vec<E>,
    /// Protocol errors (a malformed packet, a refused handshake, a missed keepalive).
    pub errors: Vec<ProtocolError>,
    /// Close the connection cleanly with this code and reason (the session then ends).
    pub close: Option<(u16, String)>,
    /// Drop the connection as lost, with this reason (a missed protocol keepalive): no close
    /// handshake, and the session reconnects if its policy allows.
    pub drop: Option<String>,
}

impl<E> Default for LayerOutput<E> {
    fn default() -> Self {
        LayerOutput {
            send: Vec::new(),
            events: Vec::new(),
            errors: Vec::new(),
            close: None,
            drop: None,
        }
    }
}

impl<E> LayerOutput<E> {
    pub fn send_text(&mut self, text: impl Into<String>) {
        self.send.push(Outgoing::Text(text.into()));
    }

    pub fn send_binary(&mut self, data: impl Into<Bytes>) {
        self.send.push(Outgoing::Binary(data.into()));
    }

    pub fn event(&mut self, e: E) {
        self.events.push(e);
    }

    pub fn error(&mut self, code: &'static str, message: impl Into<String>) {
        self.errors.push(ProtocolError::new(code, message));
    }
}

/// A protocol spoken over a WebSocket session. Every method is synchronous and quick; the driver
/// calls them in the order things happened.
pub trait ProtocolLayer: Send + 'static {
    /// What the user asks the layer to do (emit an event, subscribe, publish...).
    type Intent: Send + 'static;
    /// What the layer reports (an event received, an ack, a `next` payload...).
    type Event: Send + std::fmt::Debug + 'static;

    /// Subprotocols to offer in the upgrade, in order of preference (none by default).
    fn subprotocols(&self) -> Vec<String> {
        Vec::new()
    }

    /// Every session event, before the specific hook below (if any) sees it: lets a layer explain
    /// a handshake failure or a close code in its own terms. Nothing by default.
    fn on_session(
        &mut self,
        _event: &SessionEvent,
        _now: Instant,
        _out: &mut LayerOutput<Self::Event>,
    ) {
    }

    /// A connection opened (the first one, or after a reconnect): send the handshake.
    fn on_open(&mut self, report: &UpgradeReport, now: Instant, out: &mut LayerOutput<Self::Event>);

    /// A data message from the server.
    fn on_message(
        &mut self,
        kind: DataKind,
        data: &Bytes,
        now: Instant,
        out: &mut LayerOutput<Self::Event>,
    );

    /// A user intent. Before the handshake completes, a layer queues what it cannot send yet.
    fn on_intent(&mut self, intent: Self::Intent, now: Instant, out: &mut LayerOutput<Self::Event>);

    /// The connection closed or was lost; a reconnect calls [`ProtocolLayer::on_open`] again.
    fn on_close(&mut self, _now: Instant, _out: &mut LayerOutput<Self::Event>) {}

    /// When the layer next wants [`ProtocolLayer::on_timer`] (keepalive, handshake deadlines).
    fn next_deadline(&self) -> Option<Instant> {
        None
    }

    /// A deadline passed.
    fn on_timer(&mut self, _now: Instant, _out: &mut LayerOutput<Self::Event>) {}
}

#[cfg(test)]
mod tests;
