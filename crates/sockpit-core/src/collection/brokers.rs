//! The STOMP and MQTT parts of the model: a request's `settings.stomp` / `settings.mqtt`, as
//! `sockpit stomp` / `sockpit mqtt` take them, and the v5 properties of a saved MQTT publish.
//! A saved message of a STOMP request is a SEND (`destination`, `headers` as `name:value`, the
//! body); of an MQTT request a PUBLISH (`topic`, `qos`, `retain`, `properties`, the body as payload).

use serde::{Deserialize, Serialize};

use super::model::KeyValue;

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(q: &u8) -> bool {
    *q == 0
}

/// A STOMP request's own settings. `passcode` is a credential: a literal one is kept as a secret
/// variable and never written to a shared file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StompSettings {
    /// Offer only this version: `1.0`, `1.1` or `1.2` (all three when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode: Option<String>,
    /// The CONNECT `host` header (the broker's virtual host); not sent when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Heart-beating to offer, `CX,CY` in ms like `--heartbeat` (`10000,10000` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat: Option<String>,
    /// More CONNECT headers, each `name:value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect_headers: Vec<String>,
    /// Subscriptions made (each with a receipt) before any SEND goes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<StompSubscription>,
    /// How long to wait for CONNECTED and for each RECEIPT (10 s when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_timeout_ms: Option<u64>,
}

/// One STOMP `SUBSCRIBE`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StompSubscription {
    pub destination: String,
    /// The subscription id (`sub-N` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `auto` (when absent), `client` or `client-individual`; received messages of the last two
    /// are acknowledged with ACK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<String>,
}

/// An MQTT request's own settings. `password` is a credential: a literal one is kept as a secret
/// variable and never written to a shared file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSettings {
    /// `3.1.1` (when absent) or `5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The client identifier (`sockpit-<random>` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Clean session (3.1.1) / clean start (5); true when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_start: Option<bool>,
    /// Seconds between PINGREQs when idle (60 when absent; 0 turns keepalive off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keepalive_s: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub will: Option<MqttWill>,
    /// MQTT 5: the session expiry interval in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_expiry_s: Option<u32>,
    /// Subscriptions made (the SUBACK awaited) before any publish goes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<MqttSubscription>,
    /// How long to wait for CONNACK (10 s when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connack_timeout_ms: Option<u64>,
}

/// The will message of the CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttWill {
    pub topic: String,
    #[serde(default)]
    pub payload: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub qos: u8,
    #[serde(default, skip_serializing_if = "is_false")]
    pub retain: bool,
}

/// One filter of the SUBSCRIBE (`+` and `#` wildcards).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttSubscription {
    pub filter: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub qos: u8,
}

/// MQTT 5 properties of a saved publish.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_topic: Option<String>,
    /// Correlation data, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expiry_s: Option<u32>,
    /// User properties, in order (a name may repeat).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user: Vec<KeyValue>,
}

impl MqttProperties {
    pub fn is_empty(&self) -> bool {
        *self == MqttProperties::default()
    }
}
