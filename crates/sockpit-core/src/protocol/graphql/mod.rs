//! GraphQL over WebSocket as one [`ProtocolLayer`]: graphql-transport-ws (the `graphql-ws`
//! library) and the legacy subscriptions-transport-ws (subprotocol `graphql-ws`).
//!
//! Both subprotocols are offered (or only the one asked for) and the one the server selects decides
//! the protocol. On every open the layer sends `connection_init` and waits for `connection_ack`
//! (bounded by [`GraphqlOptions::ack_timeout`]); operations are queued until then and sent with
//! their ids; after a reconnect the operations still running are subscribed again, and
//! [`GqlEvent::Resubscribed`] says so. A malformed message is a `graphql.malformed` error and the
//! session goes on.
//!
//! Error codes: `graphql.no_subprotocol`, `graphql.no_ack`, `graphql.connection_error`,
//! `graphql.closed` (a close code explained by [`close_code_meaning`]), `graphql.malformed`,
//! `graphql.unknown_operation`, `graphql.duplicate_id`, `graphql.unsupported`.

mod codec;

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

pub use codec::{
    close_code_meaning, decode, first_message, result_errors, Operation, ServerMsg, Subprotocol,
};

use super::{LayerOutput, ProtocolLayer, RawJson};
use crate::ws::{DataKind, Direction, SessionEvent, UpgradeReport, WsError};

/// How a GraphQL layer connects.
#[derive(Debug, Clone)]
pub struct GraphqlOptions {
    /// Offer only this subprotocol; `None` offers both (graphql-transport-ws first).
    pub only: Option<Subprotocol>,
    /// The `connection_init` payload.
    pub init_payload: Option<Value>,
    /// How long to wait for `connection_ack` after `connection_init`.
    pub ack_timeout: Duration,
}

impl Default for GraphqlOptions {
    fn default() -> Self {
        GraphqlOptions {
            only: None,
            init_payload: None,
            ack_timeout: Duration::from_secs(10),
        }
    }
}

/// What the user asks of a GraphQL session.
#[derive(Debug, Clone)]
pub enum GqlIntent {
    /// Start an operation; `id` `None` takes the next free number ("1", "2", ...).
    Start { id: Option<String>, op: Operation },
    /// End a running operation (`complete` / `stop`).
    Stop { id: String },
    /// A protocol-level `ping` (graphql-transport-ws only).
    Ping(Option<Value>),
    /// End the session cleanly (the legacy protocol's `connection_terminate` first).
    Terminate,
}

/// What a GraphQL session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum GqlEvent {
    /// The server selected this protocol; `connection_init` was sent.
    Selected {
        protocol: Subprotocol,
    },
    /// `connection_ack`.
    Ack {
        payload: Option<Value>,
    },
    /// An operation was sent (`subscribe` / `start`) with its id.
    Started {
        id: String,
    },
    /// After a reconnect: these still-running operations were subscribed again.
    Resubscribed {
        ids: Vec<String>,
    },
    /// One execution result (`next` / `data`): an object, as the server's text (fields in its
    /// order); [`RawJson::to_value`] gives the tree.
    Next {
        id: String,
        payload: RawJson,
    },
    /// GraphQL errors: `terminal` for an `error` message (the operation is over), not for the
    /// `errors` array of a result (more may follow).
    Error {
        id: String,
        errors: Value,
        terminal: bool,
    },
    /// The server completed the operation.
    Complete {
        id: String,
    },
    /// The user stopped the operation.
    Stopped {
        id: String,
    },
    /// A server `ping` (answered with `pong`), a `pong`, or the legacy `ka`.
    Ping {
        payload: Option<Value>,
    },
    Pong {
        payload: Option<Value>,
    },
    KeepAlive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpState {
    /// Waiting for `connection_ack` (first time or after a reconnect).
    Waiting,
    Sent,
}

#[derive(Debug)]
struct Op {
    id: String,
    op: Operation,
    state: OpState,
}

/// The GraphQL-over-WebSocket layer.
pub struct GraphqlLayer {
    opts: GraphqlOptions,
    proto: Option<Subprotocol>,
    acked: bool,
    ack_deadline: Option<Instant>,
    /// Operations still running, in the order they were started.
    ops: Vec<Op>,
    next_id: u64,
    opens: u32,
}

impl GraphqlLayer {
    pub fn new(opts: GraphqlOptions) -> GraphqlLayer {
        GraphqlLayer {
            opts,
            proto: None,
            acked: false,
            ack_deadline: None,
            ops: Vec::new(),
            next_id: 1,
            opens: 0,
        }
    }

    /// Operations still running (started, neither completed nor stopped).
    pub fn running(&self) -> usize {
        self.ops.len()
    }

    fn offered(&self) -> Vec<Subprotocol> {
        match self.opts.only {
            Some(p) => vec![p],
            None => vec![Subprotocol::TransportWs, Subprotocol::LegacyWs],
        }
    }

    fn offered_list(&self) -> String {
        let names: Vec<&str> = self.offered().iter().map(|p| p.as_str()).collect();
        names.join(", ")
    }

    fn finish(&mut self, id: &str) -> bool {
        let before = self.ops.len();
        self.ops.retain(|o| o.id != id);
        self.ops.len() != before
    }

    fn is_running(&self, id: &str) -> bool {
        self.ops.iter().any(|o| o.id == id)
    }

    /// Sends every waiting operation (after an ack).
    fn flush(&mut self, out: &mut LayerOutput<GqlEvent>) {
        let Some(proto) = self.proto else { return };
        let mut ids = Vec::new();
        for o in self.ops.iter_mut().filter(|o| o.state == OpState::Waiting) {
            out.send_text(codec::start(proto, &o.id, &o.op));
            o.state = OpState::Sent;
            ids.push(o.id.clone());
        }
        if self.opens > 1 && !ids.is_empty() {
            out.event(GqlEvent::Resubscribed { ids });
        } else {
            for id in ids {
                out.event(GqlEvent::Started { id });
            }
        }
    }

    fn on_server(&mut self, msg: ServerMsg, out: &mut LayerOutput<GqlEvent>) {
        match msg {
            ServerMsg::Ack(payload) => {
                if self.acked {
                    out.error("graphql.malformed", "a second connection_ack (ignored)");
                    return;
                }
                self.acked = true;
                self.ack_deadline = None;
                out.event(GqlEvent::Ack { payload });
                self.flush(out);
            }
            ServerMsg::ConnectionError(payload) => {
                let why = payload
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| payload.to_string());
                if self.acked {
                    // The legacy server also says this about a message it could not parse.
                    out.error(
                        "graphql.connection_error",
                        format!("connection_error: {why}"),
                    );
                } else {
                    self.ack_deadline = None;
                    out.error(
                        "graphql.connection_error",
                        format!("the server refused connection_init (connection_error): {why}"),
                    );
                    out.close = Some((1000, "connection_error".into()));
                }
            }
            ServerMsg::Ping(payload) => {
                out.send_text(codec::ping_pong("pong", payload.as_ref()));
                out.event(GqlEvent::Ping { payload });
            }
            ServerMsg::Pong(payload) => out.event(GqlEvent::Pong { payload }),
            ServerMsg::KeepAlive => out.event(GqlEvent::KeepAlive),
            ServerMsg::Next {
                id,
                payload,
                errors,
            } => {
                if !self.is_running(&id) {
                    out.error(
                        "graphql.unknown_operation",
                        format!("a result for operation '{id}', which is not running"),
                    );
                    return;
                }
                let Some(errors) = errors else {
                    out.event(GqlEvent::Next { id, payload });
                    return;
                };
                out.event(GqlEvent::Next {
                    id: id.clone(),
                    payload,
                });
                out.event(GqlEvent::Error {
                    id,
                    errors,
                    terminal: false,
                });
            }
            ServerMsg::Error { id, errors } => {
                if self.finish(&id) {
                    out.event(GqlEvent::Error {
                        id,
                        errors,
                        terminal: true,
                    });
                } else {
                    out.error(
                        "graphql.unknown_operation",
                        format!(
                            "an error for operation '{id}', which is not running: {}",
                            first_message(&errors)
                        ),
                    );
                }
            }
            // A complete for an operation already over (stopped by us, or after its `error`)
            // crosses ours on the wire: nothing to report.
            ServerMsg::Complete { id } => {
                if self.finish(&id) {
                    out.event(GqlEvent::Complete { id });
                }
            }
        }
    }
}

impl ProtocolLayer for GraphqlLayer {
    type Intent = GqlIntent;
    type Event = GqlEvent;

    fn subprotocols(&self) -> Vec<String> {
        self.offered()
            .iter()
            .map(|p| p.as_str().to_string())
            .collect()
    }

    fn on_session(&mut self, event: &SessionEvent, _now: Instant, out: &mut LayerOutput<GqlEvent>) {
        match event {
            SessionEvent::Error { error, .. } => {
                if let WsError::SubprotocolNotAccepted { .. } = error.as_ref() {
                    out.error(
                        "graphql.no_subprotocol",
                        format!(
                            "the server selected no GraphQL subprotocol (offered {}): it is not a \
                             GraphQL-over-WebSocket endpoint, or it needs --subprotocol",
                            self.offered_list()
                        ),
                    );
                }
            }
            SessionEvent::Close {
                dir: Direction::In,
                code,
                reason,
                ..
            } => {
                if let Some(meaning) = close_code_meaning(*code) {
                    let reason = if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" (reason: {reason})")
                    };
                    out.error(
                        "graphql.closed",
                        format!("the server closed the connection with {code} {meaning}{reason}"),
                    );
                }
            }
            _ => {}
        }
    }

    fn on_open(&mut self, report: &UpgradeReport, now: Instant, out: &mut LayerOutput<GqlEvent>) {
        self.opens += 1;
        self.acked = false;
        let selected = report.protocol.as_deref().and_then(Subprotocol::parse);
        let Some(proto) = selected.filter(|p| self.offered().contains(p)) else {
            out.error(
                "graphql.no_subprotocol",
                format!(
                    "the server selected {} (offered {}): not a GraphQL-over-WebSocket protocol",
                    report
                        .protocol
                        .as_deref()
                        .map(|p| format!("'{p}'"))
                        .unwrap_or_else(|| "no subprotocol".into()),
                    self.offered_list()
                ),
            );
            out.close = Some((4406, "Subprotocol not acceptable".into()));
            return;
        };
        self.proto = Some(proto);
        out.send_text(codec::connection_init(self.opts.init_payload.as_ref()));
        self.ack_deadline = Some(now + self.opts.ack_timeout);
        out.event(GqlEvent::Selected { protocol: proto });
    }

    fn on_message(
        &mut self,
        kind: DataKind,
        data: &Bytes,
        _now: Instant,
        out: &mut LayerOutput<GqlEvent>,
    ) {
        let Some(proto) = self.proto else {
            return; // no protocol was agreed; the session is closing
        };
        if kind == DataKind::Binary {
            out.error(
                "graphql.malformed",
                format!(
                    "a binary message ({} bytes): GraphQL over WebSocket is text",
                    data.len()
                ),
            );
            return;
        }
        let decoded = match std::str::from_utf8(data) {
            Ok(text) => decode(proto, text),
            Err(_) => decode(proto, &String::from_utf8_lossy(data)),
        };
        match decoded {
            Ok(msg) => self.on_server(msg, out),
            Err(e) => out.error("graphql.malformed", e),
        }
    }

    fn on_intent(&mut self, intent: GqlIntent, _now: Instant, out: &mut LayerOutput<GqlEvent>) {
        match intent {
            GqlIntent::Start { id, op } => {
                let id = match id {
                    Some(id) => id,
                    None => loop {
                        let id = self.next_id.to_string();
                        self.next_id += 1;
                        if !self.is_running(&id) {
                            break id;
                        }
                    },
                };
                if self.is_running(&id) {
                    out.error(
                        "graphql.duplicate_id",
                        format!("operation '{id}' is already running; not started again"),
                    );
                    return;
                }
                self.ops.push(Op {
                    id,
                    op,
                    state: OpState::Waiting,
                });
                if self.acked {
                    self.flush(out);
                }
            }
            GqlIntent::Stop { id } => {
                let sent = self
                    .ops
                    .iter()
                    .any(|o| o.id == id && o.state == OpState::Sent);
                if !self.finish(&id) {
                    out.error(
                        "graphql.unknown_operation",
                        format!("operation '{id}' is not running"),
                    );
                    return;
                }
                if let (true, true, Some(proto)) = (sent, self.acked, self.proto) {
                    out.send_text(codec::stop(proto, &id));
                }
                out.event(GqlEvent::Stopped { id });
            }
            GqlIntent::Ping(payload) => match (self.proto, self.acked) {
                (Some(Subprotocol::TransportWs), true) => {
                    out.send_text(codec::ping_pong("ping", payload.as_ref()))
                }
                (Some(Subprotocol::LegacyWs), _) => out.error(
                    "graphql.unsupported",
                    "the legacy graphql-ws protocol has no ping (the server sends 'ka')",
                ),
                _ => out.error("graphql.unsupported", "not connected: ping not sent"),
            },
            GqlIntent::Terminate => {
                if self.proto == Some(Subprotocol::LegacyWs) {
                    out.send_text(codec::connection_terminate());
                }
                out.close = Some((1000, String::new()));
            }
        }
    }

    fn on_close(&mut self, _now: Instant, _out: &mut LayerOutput<GqlEvent>) {
        self.acked = false;
        self.proto = None;
        self.ack_deadline = None;
        for o in &mut self.ops {
            o.state = OpState::Waiting;
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.ack_deadline
    }

    fn on_timer(&mut self, now: Instant, out: &mut LayerOutput<GqlEvent>) {
        let Some(d) = self.ack_deadline else { return };
        if now < d || self.acked {
            return;
        }
        self.ack_deadline = None;
        out.error(
            "graphql.no_ack",
            format!(
                "no connection_ack within {} of connection_init ({}): the server accepted the \
                 WebSocket but never acknowledged the connection",
                crate::util::fmt_duration(self.opts.ack_timeout),
                self.proto.map(|p| p.as_str()).unwrap_or("?")
            ),
        );
        out.close = Some((4504, "Connection acknowledgement timeout".into()));
    }
}

#[cfg(test)]
mod tests;
