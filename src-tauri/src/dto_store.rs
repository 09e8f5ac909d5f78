//! DTOs of the sidebar and the request editor (collections tree, environments, history, the
//! editable request), exported to TypeScript with ts-rs like `dto.rs`.
//!
//! A request's `auth` and `settings` travel as the store model's own JSON (`collection::model`'s
//! `Auth` and `Settings`, tagged by `type`), so the editor can hold every pattern the engine has
//! without a second copy of that enum here; the UI types them in `ui/src/lib/requestModel.ts`.

use crate::dto::SendMode;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One node of the collections tree.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct TreeNodeDto {
    /// `collection`, `folder` or `request`.
    pub kind: String,
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// `websocket` or `sse` for requests, empty otherwise.
    pub protocol: String,
    pub children: Vec<TreeNodeDto>,
}

/// A name/value row of the Params and Headers tabs.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct KvDto {
    pub name: String,
    pub value: String,
    pub enabled: bool,
}

/// The Settings tab's TLS, proxy and deflate-parameter fields; saved in the model's `Settings`
/// (`ca_file`, `insecure`, `proxy`, `deflate_params`) and applied on connect like the rest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(default)]
pub struct ExtrasDto {
    /// Extra CA certificate file (PEM).
    pub ca_file: String,
    /// Skip certificate verification.
    pub insecure: bool,
    /// `http://host:port`, `socks5://...` or `socks5h://...`; empty for none.
    pub proxy: String,
    /// permessage-deflate parameters (`client_no_context_takeover; server_max_window_bits=10`).
    pub deflate_params: String,
}

/// The editable request: what the editor shows, what Save stores and what Connect maps onto the
/// engine's configuration.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
pub struct RequestSpec {
    pub name: String,
    /// `websocket`, `socketio`, `graphql` or `sse` (chosen when the request is created).
    #[serde(default = "websocket")]
    pub protocol: String,
    pub url: String,
    pub params: Vec<KvDto>,
    pub headers: Vec<KvDto>,
    pub subprotocols: Vec<String>,
    /// The model's `Auth` as JSON: `{"type":"bearer","token":"..."}`, ...
    #[ts(type = "Record<string, unknown>")]
    pub auth: serde_json::Value,
    /// The model's `Settings` as JSON (timeouts, reconnect, ping, heartbeat, deflate, max size).
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Value,
    /// Saved messages, in order.
    pub messages: Vec<SavedMessageDto>,
    pub sse_url: String,
    pub extras: ExtrasDto,
    /// The JavaScript hooks. Absent (an older window): saving keeps the stored ones; present with
    /// every hook blank: saving clears them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub scripts: Option<crate::dto_script::ScriptsDto>,
}

/// A message saved with a request: its name, how its body is sent, and the body.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
pub struct SavedMessageDto {
    pub name: String,
    pub kind: SendMode,
    pub body: String,
    /// Socket.IO: the event name of a saved emit (its args are `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub event: Option<String>,
    /// Socket.IO: the namespace of a saved emit (the request's first when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub namespace: Option<String>,
    /// Socket.IO: the emit asks for an ack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ack: Option<bool>,
    /// GraphQL: the variables (JSON text) of a saved operation (its document is `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub variables: Option<String>,
    /// GraphQL: the operation name of a saved operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub operation_name: Option<String>,
    /// `sockpit run` waits this long before sending it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<f64>")]
    pub delay_ms: Option<u64>,
    /// STOMP: the SEND's destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub destination: Option<String>,
    /// STOMP: the SEND's headers, each `name:value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub headers: Vec<String>,
    /// MQTT: the topic a saved publish goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub topic: Option<String>,
    /// MQTT: the publish's QoS (0 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub qos: Option<u8>,
    /// MQTT: the publish is retained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub retain: Option<bool>,
    /// MQTT 5: the publish's properties, as the model's JSON (content type, response topic,
    /// correlation data, expiry, user properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Record<string, unknown>")]
    pub properties: Option<serde_json::Value>,
}

fn websocket() -> String {
    "websocket".into()
}

/// A stored request and where it is.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct StoredRequestDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub collection_id: i64,
    pub spec: RequestSpec,
}

/// A variable of an environment.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct VariableDto {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

/// An environment of a collection.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct EnvironmentDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub collection_id: i64,
    pub collection: String,
    pub name: String,
    pub variables: Vec<VariableDto>,
    pub active: bool,
}

/// One recent connection.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct HistoryDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub request_id: Option<i64>,
    pub protocol: String,
    pub url: String,
    /// Unix milliseconds.
    pub started_at: f64,
    /// `connected`, `closed 1000`, `ws.handshake_rejected`, `running`, ...
    pub outcome: String,
    pub events: u32,
}

/// The upgrade exchange of the last open, for the "Upgrade report" disclosure.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct UpgradeDto {
    pub url: String,
    pub request_line: String,
    pub request_headers: Vec<(String, String)>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub protocol: Option<String>,
    pub extensions: Option<String>,
    pub elapsed_ms: f64,
}

impl UpgradeDto {
    pub fn from_report(r: &sockpit_core::ws::UpgradeReport) -> UpgradeDto {
        UpgradeDto {
            url: r.url.clone(),
            request_line: r.request_line.clone(),
            request_headers: r.request_headers.clone(),
            status: r.status,
            response_headers: r.response_headers.clone(),
            protocol: r.protocol.clone(),
            extensions: r.extensions.clone(),
            elapsed_ms: r.elapsed.as_secs_f64() * 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The checked-in TypeScript bindings must match these types; `UPDATE_BINDINGS=1` rewrites them.
    use super::*;
    use crate::dto::tests::check;

    #[test]
    fn store_bindings_are_up_to_date() {
        let mut failures = Vec::new();
        check::<TreeNodeDto>(&mut failures);
        check::<KvDto>(&mut failures);
        check::<ExtrasDto>(&mut failures);
        check::<SavedMessageDto>(&mut failures);
        check::<RequestSpec>(&mut failures);
        check::<StoredRequestDto>(&mut failures);
        check::<VariableDto>(&mut failures);
        check::<EnvironmentDto>(&mut failures);
        check::<HistoryDto>(&mut failures);
        check::<UpgradeDto>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }
}
