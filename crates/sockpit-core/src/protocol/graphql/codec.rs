//! The wire format of both GraphQL-over-WebSocket protocols: client messages to JSON text, server
//! text to [`ServerMsg`], and what the protocols' close codes mean.

use serde_json::{json, Map, Value};

/// Which GraphQL-over-WebSocket protocol a connection speaks (by its WebSocket subprotocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subprotocol {
    /// `graphql-transport-ws`: the `graphql-ws` library's protocol.
    TransportWs,
    /// `graphql-ws`: the legacy subscriptions-transport-ws protocol.
    LegacyWs,
}

impl Subprotocol {
    /// The subprotocol name in the upgrade.
    pub fn as_str(self) -> &'static str {
        match self {
            Subprotocol::TransportWs => "graphql-transport-ws",
            Subprotocol::LegacyWs => "graphql-ws",
        }
    }

    pub fn parse(name: &str) -> Option<Subprotocol> {
        match name {
            "graphql-transport-ws" => Some(Subprotocol::TransportWs),
            "graphql-ws" => Some(Subprotocol::LegacyWs),
            _ => None,
        }
    }
}

/// One GraphQL operation: a query, a mutation or a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub query: String,
    pub variables: Option<Value>,
    pub operation_name: Option<String>,
    pub extensions: Option<Value>,
}

impl Operation {
    pub fn new(query: impl Into<String>) -> Operation {
        Operation {
            query: query.into(),
            variables: None,
            operation_name: None,
            extensions: None,
        }
    }

    fn payload(&self) -> Value {
        let mut p = Map::new();
        p.insert("query".into(), Value::from(self.query.clone()));
        if let Some(v) = &self.variables {
            p.insert("variables".into(), v.clone());
        }
        if let Some(n) = &self.operation_name {
            p.insert("operationName".into(), Value::from(n.clone()));
        }
        if let Some(e) = &self.extensions {
            p.insert("extensions".into(), e.clone());
        }
        Value::Object(p)
    }
}

/// `connection_init`, with its payload when there is one.
pub fn connection_init(payload: Option<&Value>) -> String {
    match payload {
        Some(p) => json!({"type": "connection_init", "payload": p}).to_string(),
        None => json!({"type": "connection_init"}).to_string(),
    }
}

/// `subscribe` (graphql-transport-ws) or `start` (legacy) for operation `id`.
pub fn start(proto: Subprotocol, id: &str, op: &Operation) -> String {
    let kind = match proto {
        Subprotocol::TransportWs => "subscribe",
        Subprotocol::LegacyWs => "start",
    };
    json!({"id": id, "type": kind, "payload": op.payload()}).to_string()
}

/// `complete` (graphql-transport-ws) or `stop` (legacy): the client ends operation `id`.
pub fn stop(proto: Subprotocol, id: &str) -> String {
    let kind = match proto {
        Subprotocol::TransportWs => "complete",
        Subprotocol::LegacyWs => "stop",
    };
    json!({"id": id, "type": kind}).to_string()
}

/// `ping` or `pong` (graphql-transport-ws), echoing a payload when there is one.
pub fn ping_pong(kind: &str, payload: Option<&Value>) -> String {
    match payload {
        Some(p) => json!({"type": kind, "payload": p}).to_string(),
        None => json!({"type": kind}).to_string(),
    }
}

/// The legacy protocol's `connection_terminate`.
pub fn connection_terminate() -> String {
    json!({"type": "connection_terminate"}).to_string()
}

/// A message from the server, decoded for the protocol spoken.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMsg {
    Ack(Option<Value>),
    /// Legacy only: the server refused `connection_init` (or could not parse a message).
    ConnectionError(Value),
    Ping(Option<Value>),
    Pong(Option<Value>),
    /// Legacy keepalive.
    KeepAlive,
    /// `next` or the legacy `data`: one execution result.
    Next {
        id: String,
        payload: Value,
    },
    /// `error`: the operation failed; the payload as an array of GraphQL errors.
    Error {
        id: String,
        errors: Value,
    },
    Complete {
        id: String,
    },
}

/// Why a text could not be decoded (the message for `graphql.malformed`).
fn bad(why: impl std::fmt::Display, text: &str) -> String {
    let mut shown: String = text.chars().take(200).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    format!("malformed GraphQL message ({why}): {shown}")
}

fn id_of(o: &Map<String, Value>, kind: &str, text: &str) -> Result<String, String> {
    match o.get("id") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(bad(format!("'{kind}' without a string 'id'"), text)),
    }
}

/// Decodes one text message from the server. Never panics; anything unexpected is an `Err` with
/// a message naming what was wrong.
pub fn decode(proto: Subprotocol, text: &str) -> Result<ServerMsg, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}"), text))?;
    let Value::Object(mut o) = v else {
        return Err(bad("not a JSON object", text));
    };
    // Moved out, never cloned: a `next` payload can be large and comes at a high rate.
    let payload = o.remove("payload").filter(|p| !p.is_null());
    let Some(kind) = o.get("type").and_then(Value::as_str) else {
        return Err(bad("no string 'type'", text));
    };
    let legacy = proto == Subprotocol::LegacyWs;
    match kind {
        "connection_ack" => Ok(ServerMsg::Ack(payload)),
        "connection_error" if legacy => {
            Ok(ServerMsg::ConnectionError(payload.unwrap_or(Value::Null)))
        }
        "ka" if legacy => Ok(ServerMsg::KeepAlive),
        "ping" if !legacy => Ok(ServerMsg::Ping(payload)),
        "pong" if !legacy => Ok(ServerMsg::Pong(payload)),
        "next" | "data" if (kind == "data") == legacy => {
            let id = id_of(&o, kind, text)?;
            match payload {
                Some(p @ Value::Object(_)) => Ok(ServerMsg::Next { id, payload: p }),
                _ => Err(bad(
                    format!("'{kind}' whose payload is not an object"),
                    text,
                )),
            }
        }
        "error" => {
            let id = id_of(&o, kind, text)?;
            let errors = match payload {
                Some(Value::Array(a)) if !a.is_empty() => Value::Array(a),
                // The legacy server sends one error object; keep the shape uniform.
                Some(p @ Value::Object(_)) if legacy => Value::Array(vec![p]),
                _ => return Err(bad("'error' whose payload is not an array of errors", text)),
            };
            Ok(ServerMsg::Error { id, errors })
        }
        "complete" => Ok(ServerMsg::Complete {
            id: id_of(&o, kind, text)?,
        }),
        other => Err(bad(
            format!("unknown type '{other}' for {}", proto.as_str()),
            text,
        )),
    }
}

/// The GraphQL `errors` of an execution result, when it has any.
pub fn result_errors(payload: &Value) -> Option<&Value> {
    payload
        .get("errors")
        .filter(|e| e.as_array().is_some_and(|a| !a.is_empty()))
}

/// The first error's `message`, for one-line reports: runs of whitespace (a parser's multi-line
/// caret diagram) become one space.
pub fn first_message(errors: &Value) -> String {
    match errors
        .get(0)
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
    {
        Some(m) => m.split_whitespace().collect::<Vec<_>>().join(" "),
        None => errors.to_string(),
    }
}

/// What a close code means in GraphQL over WebSocket (graphql-ws's `CloseCode`; the legacy
/// server closes with 1002 for a wrong subprotocol and 1011 after `connection_error`).
pub fn close_code_meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        4400 => "Bad Request: the server could not parse or accept a message",
        4401 => "Unauthorized: an operation was sent before connection_ack",
        4403 => "Forbidden: the server refused the connection_init payload (auth)",
        4406 => "Subprotocol not acceptable: the server does not speak the selected subprotocol",
        4408 => "Connection initialisation timeout: no connection_init in time",
        4409 => "Subscriber already exists: an operation id was reused while running",
        4429 => "Too many initialisation requests: connection_init was sent twice",
        4499 => "Terminated: the connection was terminated",
        4500 => "Internal server error",
        4504 => "Connection acknowledgement timeout: no connection_ack in time",
        _ => return None,
    })
}
