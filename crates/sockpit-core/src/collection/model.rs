//! The saved-request model shared by the store, the share format, importers, exporters and the runner.
//!
//! Field order here is the key order of `NAME.sockpit.json`; empty and default fields are left out
//! so that a file only says what differs and git diffs stay small.

use serde::{Deserialize, Serialize};

pub use super::auth::{Auth, FirstMessageSpec, TicketExtract};
pub use super::brokers::{
    MqttProperties, MqttSettings, MqttSubscription, MqttWill, StompSettings, StompSubscription,
};

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// A collection: variables, environments and a tree of folders and requests.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Collection variables: looked up after the active environment, before globals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<Variable>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub items: Vec<Item>,
}

/// A named set of variables (`--env NAME`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    #[serde(default)]
    pub variables: Vec<Variable>,
}

/// A variable. A secret one keeps its value on this machine only: the share format writes a
/// `placeholder` saying where the value comes from instead.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub secret: bool,
    /// Only in shared files, for secrets: where the value comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
}

impl Variable {
    pub fn plain(name: impl Into<String>, value: impl Into<String>) -> Variable {
        Variable {
            name: name.into(),
            value: Some(value.into()),
            secret: false,
            placeholder: None,
        }
    }
}

/// The environment variable a secret named `name` is read from: `SOCKPIT_VAR_<NAME>`.
pub fn secret_env_name(name: &str) -> String {
    let mut s = String::from("SOCKPIT_VAR_");
    for c in name.chars() {
        s.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    s
}

/// A folder or a request, in the order the user arranged them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    Folder(Folder),
    Request(Box<Request>),
}

impl Item {
    pub fn name(&self) -> &str {
        match self {
            Item::Folder(f) => &f.name,
            Item::Request(r) => &r.name,
        }
    }

    pub fn set_name(&mut self, name: String) {
        match self {
            Item::Folder(f) => f.name = name,
            Item::Request(r) => r.name = name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Folder {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    #[default]
    Websocket,
    Sse,
    /// Socket.IO (Engine.IO 3/4) over the WebSocket session: saved messages are emits.
    Socketio,
    /// GraphQL over WebSocket (graphql-transport-ws or the legacy protocol): saved messages are
    /// operations.
    Graphql,
    /// STOMP 1.0-1.2 over the WebSocket session: saved messages are SENDs.
    Stomp,
    /// MQTT 3.1.1/5 over the WebSocket session: saved messages are publishes.
    Mqtt,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Websocket => "websocket",
            Protocol::Sse => "sse",
            Protocol::Socketio => "socketio",
            Protocol::Graphql => "graphql",
            Protocol::Stomp => "stomp",
            Protocol::Mqtt => "mqtt",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s {
            "websocket" => Protocol::Websocket,
            "sse" => Protocol::Sse,
            "socketio" => Protocol::Socketio,
            "graphql" => Protocol::Graphql,
            "stomp" => Protocol::Stomp,
            "mqtt" => Protocol::Mqtt,
            _ => return None,
        })
    }

    /// Runs over a WebSocket session (everything but SSE).
    pub fn is_websocket(self) -> bool {
        self != Protocol::Sse
    }
}

/// A saved WebSocket or SSE request. Every string field may hold `{{variables}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub protocol: Protocol,
    pub url: String,
    /// SSE only: the HTTP method (GET when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// SSE only: the request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<KeyValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<KeyValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subprotocols: Vec<String>,
    #[serde(default, skip_serializing_if = "Auth::is_none")]
    pub auth: Auth,
    #[serde(default, skip_serializing_if = "Settings::is_default")]
    pub settings: Settings,
    /// Saved messages, sent in this order by `sockpit run`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<SavedMessage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<Assertion>,
    /// Messages the server sent in a recording (HAR), kept for reference; never sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub received_examples: Vec<SavedMessage>,
    /// JavaScript hooks run by `sockpit run` and the window (see [`crate::script`]).
    #[serde(default, skip_serializing_if = "Scripts::is_empty")]
    pub scripts: Scripts,
}

/// A request's script hooks: each a JavaScript function body with `sp` in scope.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scripts {
    /// Before connecting (and before the auth step): set variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_connect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_open: Option<String>,
    /// Every received data message, after protocol decoding (`sp.message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_close: Option<String>,
    /// When the request ends: tests over `sp.messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl Scripts {
    pub fn is_empty(&self) -> bool {
        self.hooks().is_empty()
    }

    /// The non-blank hooks, for [`crate::script::ScriptProgram::hooks`].
    pub fn hooks(&self) -> std::collections::BTreeMap<crate::script::Hook, String> {
        use crate::script::Hook;
        [
            (Hook::BeforeConnect, &self.before_connect),
            (Hook::OnOpen, &self.on_open),
            (Hook::OnMessage, &self.on_message),
            (Hook::OnClose, &self.on_close),
            (Hook::After, &self.after),
        ]
        .into_iter()
        .filter_map(|(h, b)| {
            b.as_ref()
                .filter(|b| !b.trim().is_empty())
                .map(|b| (h, b.clone()))
        })
        .collect()
    }

    /// The program these hooks make, or `None` when there are none. Errors say `script`; the
    /// run names the request beside them.
    pub fn program(&self) -> Option<crate::script::ScriptProgram> {
        let hooks = self.hooks();
        (!hooks.is_empty()).then(|| crate::script::ScriptProgram::hooks("script", hooks))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyValue {
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
}

impl KeyValue {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue {
            name: name.into(),
            value: value.into(),
            enabled: true,
        }
    }
}

/// Connection settings; absent fields take the engine's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_timeout_ms: Option<u64>,
    /// How long `sockpit run` waits for the assertions (default 10 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<ReconnectSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping: Option<PingSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat: Option<HeartbeatSettings>,
    /// permessage-deflate; absent means on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<ProtoSettings>,
    /// An extra CA certificate (PEM) trusted besides the system's, as `--cacert`; a relative path
    /// is relative to the collection file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// Skip certificate verification (`--insecure`); absent means verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// A proxy as `--proxy` takes it: `http://[user:pass@]host:port` (CONNECT), `socks5://...` or
    /// `socks5h://...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// permessage-deflate offer parameters as `--deflate` takes them
    /// (`client_no_context_takeover; server_max_window_bits=10`); ignored when `deflate` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate_params: Option<String>,
    /// Socket.IO requests: path, namespaces, auth payload, version, transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socketio: Option<SocketIoSettings>,
    /// GraphQL requests: subprotocol, `connection_init` payload, ack timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graphql: Option<GraphqlSettings>,
    /// STOMP requests: login, host, heart-beat, subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stomp: Option<StompSettings>,
    /// MQTT requests: version, client id, session, will, subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt: Option<MqttSettings>,
}

/// A Socket.IO request's own settings, as `sockpit socketio` takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketIoSettings {
    /// The Engine.IO path (`/socket.io/` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Namespaces to connect (`/`, or the URL's path, when empty); emits go to the first unless
    /// a message names its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// The CONNECT payload (v3+) as JSON text, which may hold `{{variables}}`; for v2 its entries
    /// become the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// Engine.IO version, 3 or 4; detected when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eio: Option<u8>,
    /// `polling` (handshake over long-polling, then upgrade; the default) or `websocket`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
}

/// A GraphQL request's own settings, as `sockpit graphql` takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlSettings {
    /// `graphql-transport-ws` or `graphql-ws` (the legacy protocol); both offered when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subprotocol: Option<String>,
    /// The `connection_init` payload as JSON text, which may hold `{{variables}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<String>,
    /// How long to wait for `connection_ack` (10 s when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_timeout_ms: Option<u64>,
}

impl Settings {
    pub fn is_default(&self) -> bool {
        *self == Settings::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconnectSettings {
    pub base_ms: u64,
    pub max_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PingSettings {
    pub interval_ms: u64,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatSettings {
    pub interval_ms: u64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    pub timeout_ms: u64,
}

/// Protobuf for this request's messages: schema files (relative to the collection file), types and
/// framing (`none`, `type_byte`, `varint`, `grpc`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtoSettings {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recv_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framing: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    #[default]
    Text,
    /// Text that must be valid JSON.
    Json,
    /// Binary given as hex.
    Hex,
    /// Binary given as base64.
    Base64,
    /// Binary read from a file (path relative to the collection file).
    File,
    /// Protobuf: JSON encoded with the request's `proto.send_type`.
    Protobuf,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Json => "json",
            MessageKind::Hex => "hex",
            MessageKind::Base64 => "base64",
            MessageKind::File => "file",
            MessageKind::Protobuf => "protobuf",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        Some(match s {
            "text" => MessageKind::Text,
            "json" => MessageKind::Json,
            "hex" => MessageKind::Hex,
            "base64" => MessageKind::Base64,
            "file" => MessageKind::File,
            "protobuf" => MessageKind::Protobuf,
            _ => return None,
        })
    }
}

/// A named message saved with a request. On a Socket.IO request it is an emit (`event`, with
/// `body` the JSON args: an array, or one value); on a GraphQL request an operation (`body` the
/// query, with `variables` and `operation_name`); on a STOMP request a SEND (`destination`,
/// `headers`, `body`); on an MQTT request a publish (`topic`, `qos`, `retain`, `properties`, the
/// body as payload).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMessage {
    pub name: String,
    #[serde(default, skip_serializing_if = "is_text")]
    pub kind: MessageKind,
    pub body: String,
    /// `sockpit run` waits this long before sending it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Socket.IO: the event to emit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Socket.IO: the namespace to emit on (the request's first when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Socket.IO: ask for an acknowledgement; assertions see it as event `ack:EVENT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ack: bool,
    /// GraphQL: the operation's variables, a JSON object as text (may hold `{{variables}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<String>,
    /// GraphQL: `operationName`, for a document with several operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// STOMP: the SEND's destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// STOMP: the SEND's headers, each `name:value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// MQTT: the topic to publish to (no wildcards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// MQTT: 0 (when absent), 1 or 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos: Option<u8>,
    /// MQTT: the retain flag.
    #[serde(default, skip_serializing_if = "is_false")]
    pub retain: bool,
    /// MQTT 5: the publish's properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<MqttProperties>,
}

/// The protocol parts of a [`SavedMessage`], as the store keeps them (one JSON column).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MessageExtra {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub ack: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos: Option<u8>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub retain: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<MqttProperties>,
}

impl SavedMessage {
    pub fn extra(&self) -> MessageExtra {
        MessageExtra {
            event: self.event.clone(),
            namespace: self.namespace.clone(),
            ack: self.ack,
            variables: self.variables.clone(),
            operation_name: self.operation_name.clone(),
            destination: self.destination.clone(),
            headers: self.headers.clone(),
            topic: self.topic.clone(),
            qos: self.qos,
            retain: self.retain,
            properties: self.properties.clone(),
        }
    }

    pub fn set_extra(&mut self, x: MessageExtra) {
        self.event = x.event;
        self.namespace = x.namespace;
        self.ack = x.ack;
        self.variables = x.variables;
        self.operation_name = x.operation_name;
        self.destination = x.destination;
        self.headers = x.headers;
        self.topic = x.topic;
        self.qos = x.qos;
        self.retain = x.retain;
        self.properties = x.properties;
    }
}

fn is_text(k: &MessageKind) -> bool {
    *k == MessageKind::Text
}

/// A check `sockpit run` makes on what a request received. `event` limits a check to events of
/// that type: the SSE event type; the Socket.IO event name (its args are checked as a JSON array),
/// or `ack:EVENT` for the acks of emits of EVENT; the GraphQL operation's saved-message name (each
/// `next` payload, or `{"errors":[...]}`, is checked as JSON); the destination of a STOMP
/// `MESSAGE` or the topic of an MQTT publish (the body or payload is checked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Assertion {
    /// Some received message contains `value`.
    Contains {
        value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// Some received message equals `value`.
    Equals {
        value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// Some received message matches the regex `pattern`.
    Matches {
        pattern: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// Some received message is JSON whose value at `pointer` (RFC 6901) equals `equals`.
    JsonPointer {
        pointer: String,
        equals: serde_json::Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// At least `min` messages arrive within `within_ms` of the connection opening.
    Count {
        min: u64,
        within_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// The server closes with this code (WebSocket only).
    CloseCode { code: u16 },
}

impl Assertion {
    /// A short description for reports: `contains "hello"`.
    pub fn describe(&self) -> String {
        let on = |e: &Option<String>| match e {
            Some(e) => format!(" (event {e})"),
            None => String::new(),
        };
        match self {
            Assertion::Contains { value, event } => format!("contains {value:?}{}", on(event)),
            Assertion::Equals { value, event } => format!("equals {value:?}{}", on(event)),
            Assertion::Matches { pattern, event } => format!("matches /{pattern}/{}", on(event)),
            Assertion::JsonPointer {
                pointer,
                equals,
                event,
            } => format!("json {pointer} == {equals}{}", on(event)),
            Assertion::Count {
                min,
                within_ms,
                event,
            } => format!("{min} messages within {within_ms} ms{}", on(event)),
            Assertion::CloseCode { code } => format!("close code {code}"),
        }
    }
}

/// Every request in a tree with its folder path, depth first, in order.
pub fn requests_with_path(items: &[Item]) -> Vec<(Vec<String>, &Request)> {
    fn walk<'a>(
        items: &'a [Item],
        path: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, &'a Request)>,
    ) {
        for item in items {
            match item {
                Item::Folder(f) => {
                    path.push(f.name.clone());
                    walk(&f.items, path, out);
                    path.pop();
                }
                Item::Request(r) => out.push((path.clone(), r)),
            }
        }
    }
    let mut out = Vec::new();
    walk(items, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_settings_round_trip_and_stay_out_when_absent() {
        // Files written before these fields existed read and write the same.
        assert_eq!(serde_json::to_string(&Settings::default()).unwrap(), "{}");
        let s = Settings {
            deflate: Some(true),
            ca_file: Some("certs/ca.pem".into()),
            insecure: Some(true),
            proxy: Some("socks5h://{{proxy_host}}:1080".into()),
            deflate_params: Some("client_no_context_takeover".into()),
            ..Settings::default()
        };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "deflate": true,
                "ca_file": "certs/ca.pem",
                "insecure": true,
                "proxy": "socks5h://{{proxy_host}}:1080",
                "deflate_params": "client_no_context_takeover"
            })
        );
        assert_eq!(serde_json::from_value::<Settings>(json).unwrap(), s);
        let only_proxy: Settings =
            serde_json::from_str(r#"{"proxy":"http://127.0.0.1:3128"}"#).unwrap();
        assert_eq!(only_proxy.proxy.as_deref(), Some("http://127.0.0.1:3128"));
        assert_eq!(only_proxy.insecure, None);
        assert!(!only_proxy.is_default());
    }

    #[test]
    fn unknown_settings_are_still_refused() {
        let e = serde_json::from_str::<Settings>(r#"{"proxy_url":"http://x:1"}"#).unwrap_err();
        assert!(e.to_string().contains("proxy_url"), "{e}");
        let e = serde_json::from_str::<Settings>(r#"{"insecure":"yes"}"#).unwrap_err();
        assert!(e.to_string().contains("boolean"), "{e}");
    }
}
