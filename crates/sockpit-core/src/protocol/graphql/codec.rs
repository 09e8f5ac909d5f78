//! The wire format of both GraphQL-over-WebSocket protocols: client messages to JSON text, server
//! text to [`ServerMsg`], and what the protocols' close codes mean.
//!
//! Decoding builds no JSON tree for the common message: the envelope's fields are borrowed from
//! the text, and a `next`'s payload is kept as [`RawJson`] (checked in one more pass over it,
//! which also picks out a result's `errors`). Other payloads are rare and become `Value`s.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::protocol::raw_json::{walk, Walk};
use crate::protocol::RawJson;

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
    /// `next` or the legacy `data`: one execution result (an object), and its GraphQL `errors`
    /// when it has a non-empty array of them.
    Next {
        id: String,
        payload: RawJson,
        errors: Option<Value>,
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

fn id_of(id: Option<&RawValue>, kind: &str, text: &str) -> Result<String, String> {
    let missing = || bad(format!("'{kind}' without a string 'id'"), text);
    let raw = id.map(RawValue::get).unwrap_or_default();
    match raw.as_bytes().first() {
        Some(b'"') => match serde_json::from_str::<String>(raw) {
            Ok(s) if !s.is_empty() => Ok(s),
            _ => Err(missing()),
        },
        Some(b'-' | b'0'..=b'9') => serde_json::from_str::<serde_json::Number>(raw)
            .map(|n| n.to_string())
            .map_err(|_| missing()),
        _ => Err(missing()),
    }
}

/// A JSON string's text, borrowed when it has no escapes.
fn string_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    let s = raw.get();
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(s).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// The fields of a server message that decide what it is, borrowed from its text. Other fields
/// are walked (so the text is checked as a whole, as `Value` would check it) and dropped; a
/// repeated field keeps its last value, as a `Value` object does.
#[derive(Default)]
struct Envelope<'a> {
    kind: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    payload: Option<&'a RawValue>,
}

enum Field {
    Kind,
    Id,
    Payload,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct Names;
        impl Visitor<'_> for Names {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "type" => Field::Kind,
                    "id" => Field::Id,
                    "payload" => Field::Payload,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_identifier(Names)
    }
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Envelope<'de>, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Envelope<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
                let mut e = Envelope::default();
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Kind => e.kind = Some(map.next_value()?),
                        Field::Id => e.id = Some(map.next_value()?),
                        Field::Payload => e.payload = Some(map.next_value()?),
                        Field::Other => map.next_value_seed(Walk)?,
                    }
                }
                Ok(e)
            }
        }
        d.deserialize_map(Fields)
    }
}

/// A result's field names that matter: only `errors`.
enum ResultField {
    Errors,
    Other,
}

impl<'de> Deserialize<'de> for ResultField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ResultField, D::Error> {
        struct Names;
        impl Visitor<'_> for Names {
            type Value = ResultField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ResultField, E> {
                Ok(match v {
                    "errors" => ResultField::Errors,
                    _ => ResultField::Other,
                })
            }
        }
        d.deserialize_identifier(Names)
    }
}

/// Walks a result object, keeping only its `errors` (the last such field, as `Value` keeps it).
struct ResultErrors;

impl<'de> DeserializeSeed<'de> for ResultErrors {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultErrors {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        let mut errors = None;
        while let Some(field) = map.next_key::<ResultField>()? {
            match field {
                ResultField::Errors => errors = Some(map.next_value::<Value>()?),
                ResultField::Other => map.next_value_seed(Walk)?,
            }
        }
        Ok(errors)
    }
}

/// Fewer opening brackets than this cannot nest as deep as `serde_json`'s limit (128).
const SHALLOW: usize = 100;

/// Whether a result's text needs the walk: it names `errors` somewhere, or has an escape (a name
/// may be spelled with `\u`), or has enough brackets to nest too deep. Most results have none of
/// these, and a byte search is much cheaper than a parse.
fn may_have_errors_or_depth(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memmem::find(b, b"errors").is_some()
        || memchr::memchr(b'\\', b).is_some()
        || memchr::memchr2_iter(b'{', b'[', b).nth(SHALLOW).is_some()
}

/// A `next` payload (an object's text) kept raw, with its non-empty `errors` array if any; one
/// pass, nesting checked as `Value` checks it.
fn result(p: &RawValue) -> Result<(RawJson, Option<Value>), serde_json::Error> {
    if !may_have_errors_or_depth(p.get()) {
        return Ok((RawJson::walked(p), None));
    }
    let mut de = serde_json::Deserializer::from_str(p.get());
    let errors = ResultErrors.deserialize(&mut de)?;
    de.end()?;
    let errors = errors.filter(|e| e.as_array().is_some_and(|a| !a.is_empty()));
    Ok((RawJson::walked(p), errors))
}

/// Decodes one text message from the server. Never panics; anything unexpected is an `Err` with
/// a message naming what was wrong.
pub fn decode(proto: Subprotocol, text: &str) -> Result<ServerMsg, String> {
    let o: Envelope = match serde_json::from_str(text) {
        Ok(o) => o,
        // Not an object: say whether it is JSON at all.
        Err(e) if e.classify() == Category::Data => {
            return Err(match walk(text) {
                Err(e) => bad(format!("not JSON: {e}"), text),
                Ok(()) => bad("not a JSON object", text),
            })
        }
        Err(e) => return Err(bad(format!("not JSON: {e}"), text)),
    };
    let payload = o.payload.filter(|p| p.get() != "null");
    let Some(kind) = o.kind.and_then(string_of) else {
        return Err(bad("no string 'type'", text));
    };
    let legacy = proto == Subprotocol::LegacyWs;
    // A payload other than a result's, as a tree (rare messages).
    let tree = |p: Option<&RawValue>| -> Result<Option<Value>, String> {
        p.map(|p| serde_json::from_str(p.get()))
            .transpose()
            .map_err(|e| bad(format!("not JSON: {e}"), text))
    };
    match &*kind {
        "connection_ack" => Ok(ServerMsg::Ack(tree(payload)?)),
        "connection_error" if legacy => Ok(ServerMsg::ConnectionError(
            tree(payload)?.unwrap_or(Value::Null),
        )),
        "ka" if legacy => Ok(ServerMsg::KeepAlive),
        "ping" if !legacy => Ok(ServerMsg::Ping(tree(payload)?)),
        "pong" if !legacy => Ok(ServerMsg::Pong(tree(payload)?)),
        k @ ("next" | "data") if (k == "data") == legacy => {
            let id = id_of(o.id, k, text)?;
            match payload {
                Some(p) if p.get().starts_with('{') => {
                    let (payload, errors) =
                        result(p).map_err(|e| bad(format!("not JSON: {e}"), text))?;
                    Ok(ServerMsg::Next {
                        id,
                        payload,
                        errors,
                    })
                }
                _ => Err(bad(format!("'{k}' whose payload is not an object"), text)),
            }
        }
        "error" => {
            let id = id_of(o.id, "error", text)?;
            let errors = match tree(payload)? {
                Some(Value::Array(a)) if !a.is_empty() => Value::Array(a),
                // The legacy server sends one error object; keep the shape uniform.
                Some(p @ Value::Object(_)) if legacy => Value::Array(vec![p]),
                _ => return Err(bad("'error' whose payload is not an array of errors", text)),
            };
            Ok(ServerMsg::Error { id, errors })
        }
        "complete" => Ok(ServerMsg::Complete {
            id: id_of(o.id, "complete", text)?,
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
