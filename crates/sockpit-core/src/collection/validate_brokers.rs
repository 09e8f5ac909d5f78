//! Checks of the STOMP and MQTT parts of a request: `settings.stomp` / `settings.mqtt`, and its
//! saved messages as SENDs or publishes. The rules are the ones `sockpit stomp` / `sockpit mqtt`
//! apply to their flags (a header is `name:value`, QoS is 0-2, `#` ends a filter, a topic to
//! publish to has no wildcards), with errors naming the field and what to write instead.
//! Fields holding `{{variables}}` are checked once rendered, by the runner.

use super::error::CollectionError;
use super::model::{MessageKind, Protocol, Request, SavedMessage};
use crate::protocol::mqtt::{check_filter, check_topic};
use crate::protocol::stomp::AckMode;

fn templated(s: &str) -> bool {
    s.contains("{{")
}

/// A `name:value` header (STOMP frames, like `--header`).
pub fn header_pair(what: &str, h: &str) -> Result<(String, String), String> {
    let (k, v) = h.split_once(':').ok_or_else(|| {
        format!("{what} '{h}' has no ':'; write it as 'name:value' (e.g. 'priority:5')")
    })?;
    if k.is_empty() {
        return Err(format!(
            "{what} '{h}' has an empty name; write it as 'name:value'"
        ));
    }
    Ok((k.to_string(), v.to_string()))
}

/// `CX,CY` in milliseconds, like `--heartbeat`.
pub fn heartbeat_pair(s: &str) -> Result<(u64, u64), String> {
    let bad = || {
        format!(
            "settings.stomp.heartbeat '{s}' is not CX,CY: give two numbers of milliseconds, e.g. \
             \"10000,10000\" (\"0,0\" for none)"
        )
    };
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

/// An ack mode name, absent meaning `auto`.
pub fn ack_mode(destination: &str, s: Option<&str>) -> Result<AckMode, String> {
    match s {
        None => Ok(AckMode::Auto),
        Some(m) => AckMode::parse(m).ok_or_else(|| {
            format!(
                "the subscription to '{destination}' has ack mode '{m}': use auto, client or \
                 client-individual"
            )
        }),
    }
}

/// QoS 0, 1 or 2; `what` names where it was given.
pub fn qos(what: &str, q: u8) -> Result<(), String> {
    if q > 2 {
        return Err(format!("{what} has QoS {q}: MQTT QoS is 0, 1 or 2"));
    }
    Ok(())
}

/// Whether the request's MQTT version is 5 (absent is 3.1.1).
fn mqtt5(r: &Request) -> bool {
    r.settings
        .mqtt
        .as_ref()
        .and_then(|m| m.version.as_deref())
        .is_some_and(|v| v == "5" || v == "5.0")
}

fn check_stomp_settings(r: &Request) -> Result<(), String> {
    let Some(s) = &r.settings.stomp else {
        return Ok(());
    };
    if let Some(v) = s.version.as_deref().filter(|v| !templated(v)) {
        if crate::protocol::stomp::Version::parse(v).is_none() {
            return Err(format!(
                "settings.stomp.version is '{v}': give 1.0, 1.1 or 1.2 (or leave it out to offer all three)"
            ));
        }
    }
    if let Some(h) = s.heartbeat.as_deref().filter(|h| !templated(h)) {
        heartbeat_pair(h)?;
    }
    for h in &s.connect_headers {
        header_pair("settings.stomp.connect_headers:", h)?;
    }
    for sub in &s.subscriptions {
        if sub.destination.trim().is_empty() {
            return Err(
                "settings.stomp.subscriptions: a subscription needs a destination, e.g. \"/topic/news\""
                    .into(),
            );
        }
        ack_mode(&sub.destination, sub.ack.as_deref())?;
    }
    Ok(())
}

fn check_mqtt_settings(r: &Request) -> Result<(), String> {
    let Some(m) = &r.settings.mqtt else {
        return Ok(());
    };
    if let Some(v) = m.version.as_deref() {
        if crate::protocol::mqtt::Version::parse(v).is_none() {
            return Err(format!("settings.mqtt.version is '{v}': give 3.1.1 or 5"));
        }
    }
    if m.session_expiry_s.is_some() && !mqtt5(r) {
        return Err(
            "settings.mqtt.session_expiry_s is an MQTT 5 feature: set \"version\": \"5\" or remove it"
                .into(),
        );
    }
    if let Some(w) = &m.will {
        qos("settings.mqtt.will", w.qos)?;
        if !templated(&w.topic) {
            check_topic(&w.topic).map_err(|e| format!("settings.mqtt.will: {e}"))?;
        }
    }
    for sub in &m.subscriptions {
        qos(
            &format!("settings.mqtt.subscriptions: '{}'", sub.filter),
            sub.qos,
        )?;
        if !templated(&sub.filter) {
            check_filter(&sub.filter).map_err(|e| format!("settings.mqtt.subscriptions: {e}"))?;
        }
    }
    Ok(())
}

fn check_send(m: &SavedMessage) -> Result<(), String> {
    if m.topic.is_some() || m.qos.is_some() || m.retain || m.properties.is_some() {
        return Err(
            "topic, qos, retain and properties belong to MQTT publishes; a STOMP message is a SEND \
             (destination, headers, body)"
                .into(),
        );
    }
    if m.destination.as_deref().is_none_or(|d| d.trim().is_empty()) {
        return Err(
            "a STOMP message needs \"destination\": where the SEND goes (e.g. \"/topic/news\")"
                .into(),
        );
    }
    for h in &m.headers {
        header_pair("header", h)?;
    }
    Ok(())
}

fn check_publish(r: &Request, m: &SavedMessage) -> Result<(), String> {
    if m.destination.is_some() || !m.headers.is_empty() {
        return Err(
            "destination and headers belong to STOMP SENDs; an MQTT message is a publish (topic, \
             qos, retain, properties, body)"
                .into(),
        );
    }
    let Some(topic) = m.topic.as_deref() else {
        return Err(
            "an MQTT message needs \"topic\": the topic to publish to (e.g. \"sensors/1/temp\")"
                .into(),
        );
    };
    if !templated(topic) {
        check_topic(topic)?;
    }
    qos("the publish", m.qos.unwrap_or(0))?;
    if m.properties.as_ref().is_some_and(|p| !p.is_empty()) && !mqtt5(r) {
        return Err(
            "properties are MQTT 5: set settings.mqtt.version to \"5\" or remove them".into(),
        );
    }
    if let Some(t) = m
        .properties
        .as_ref()
        .and_then(|p| p.response_topic.as_deref())
        .filter(|t| !templated(t))
    {
        check_topic(t).map_err(|e| format!("properties.response_topic: {e}"))?;
    }
    Ok(())
}

/// The STOMP/MQTT checks of `r` (called for every request by `validate_layers`).
pub(super) fn validate_brokers(r: &Request) -> Result<(), CollectionError> {
    let bad = |what: &'static str, reason: String| CollectionError::InvalidRequest {
        request: r.name.clone(),
        what,
        reason,
    };
    for (set, p, name) in [
        (r.settings.stomp.is_some(), Protocol::Stomp, "stomp"),
        (r.settings.mqtt.is_some(), Protocol::Mqtt, "mqtt"),
    ] {
        if set && r.protocol != p {
            return Err(bad(
                "settings",
                format!(
                    "settings.{name} applies to {} requests, and this one is {}: set \
                     \"protocol\": \"{name}\" or remove it",
                    name.to_uppercase(),
                    r.protocol.as_str()
                ),
            ));
        }
    }
    check_stomp_settings(r).map_err(|e| bad("settings", e))?;
    check_mqtt_settings(r).map_err(|e| bad("settings", e))?;
    for m in &r.messages {
        let msg = |reason: String| bad("message", format!("message '{}': {reason}", m.name));
        let broker_parts = m.destination.is_some()
            || !m.headers.is_empty()
            || m.topic.is_some()
            || m.qos.is_some()
            || m.retain
            || m.properties.is_some();
        let other_parts = m.event.is_some()
            || m.namespace.is_some()
            || m.ack
            || m.variables.is_some()
            || m.operation_name.is_some();
        match r.protocol {
            Protocol::Stomp | Protocol::Mqtt => {
                if other_parts {
                    return Err(msg(format!(
                        "event/namespace/ack (Socket.IO) and variables/operation_name (GraphQL) \
                         do not apply to a {} request",
                        r.protocol.as_str()
                    )));
                }
                if m.kind == MessageKind::Protobuf {
                    return Err(msg(format!(
                        "kind protobuf cannot be sent on a {} request: give the body as text, \
                         json, hex, base64 or file",
                        r.protocol.as_str()
                    )));
                }
                let checked = if r.protocol == Protocol::Stomp {
                    check_send(m)
                } else {
                    check_publish(r, m)
                };
                checked.map_err(msg)?;
            }
            _ if broker_parts => {
                return Err(msg(format!(
                    "destination/headers (STOMP) and topic/qos/retain/properties (MQTT) do not \
                     apply to a {} request: set its protocol or remove them",
                    r.protocol.as_str()
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{
        MqttProperties, MqttSettings, MqttSubscription, StompSettings, StompSubscription,
    };

    fn req(protocol: Protocol, messages: Vec<SavedMessage>) -> Request {
        Request {
            name: "r".into(),
            protocol,
            url: "ws://127.0.0.1:1".into(),
            messages,
            ..Request::default()
        }
    }

    fn err(r: &Request) -> String {
        validate_brokers(r).unwrap_err().to_string()
    }

    fn send(dest: Option<&str>, headers: &[&str]) -> SavedMessage {
        SavedMessage {
            name: "m".into(),
            body: "hi".into(),
            destination: dest.map(Into::into),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            ..SavedMessage::default()
        }
    }

    fn publish(topic: &str, qos: u8) -> SavedMessage {
        SavedMessage {
            name: "p".into(),
            body: "hi".into(),
            topic: Some(topic.into()),
            qos: Some(qos),
            ..SavedMessage::default()
        }
    }

    #[test]
    fn stomp_sends_need_a_destination_and_name_value_headers() {
        let ok = req(
            Protocol::Stomp,
            vec![send(Some("/topic/a"), &["x:1", "y:"])],
        );
        assert!(validate_brokers(&ok).is_ok());
        assert!(err(&req(Protocol::Stomp, vec![send(None, &[])])).contains("needs \"destination\""));
        let e = err(&req(
            Protocol::Stomp,
            vec![send(Some("/q"), &["priority 5"])],
        ));
        assert!(
            e.contains("'priority 5' has no ':'") && e.contains("message 'm'"),
            "{e}"
        );
        assert!(err(&req(Protocol::Stomp, vec![send(Some("/q"), &[":v"])])).contains("empty name"));
        assert!(err(&req(Protocol::Stomp, vec![publish("a", 0)])).contains("belong to MQTT"));
        let mut r = req(Protocol::Stomp, vec![]);
        r.settings.stomp = Some(StompSettings {
            heartbeat: Some("10000".into()),
            ..StompSettings::default()
        });
        assert!(err(&r).contains("is not CX,CY"));
        r.settings.stomp = Some(StompSettings {
            subscriptions: vec![StompSubscription {
                destination: "/topic/a".into(),
                ack: Some("manual".into()),
                id: None,
            }],
            ..StompSettings::default()
        });
        assert!(err(&r).contains("ack mode 'manual'"));
        r.settings.stomp = Some(StompSettings {
            version: Some("2.0".into()),
            ..StompSettings::default()
        });
        assert!(err(&r).contains("1.0, 1.1 or 1.2"));
    }

    #[test]
    fn mqtt_publishes_and_filters_follow_the_mqtt_rules() {
        assert!(validate_brokers(&req(Protocol::Mqtt, vec![publish("a/b", 2)])).is_ok());
        assert!(err(&req(Protocol::Mqtt, vec![publish("a/b", 3)])).contains("QoS 3"));
        assert!(err(&req(Protocol::Mqtt, vec![publish("a/#", 0)])).contains("no wildcards"));
        assert!(err(&req(Protocol::Mqtt, vec![send(Some("/q"), &[])])).contains("belong to STOMP"));
        let mut r = req(Protocol::Mqtt, vec![]);
        r.settings.mqtt = Some(MqttSettings {
            subscriptions: vec![MqttSubscription {
                filter: "a/#/b".into(),
                qos: 0,
            }],
            ..MqttSettings::default()
        });
        assert!(err(&r).contains("'#' must be the last level"));
        r.settings.mqtt = Some(MqttSettings {
            subscriptions: vec![MqttSubscription {
                filter: "a/+".into(),
                qos: 3,
            }],
            ..MqttSettings::default()
        });
        assert!(err(&r).contains("QoS 3"));
        // v5 parts on a 3.1.1 request.
        let mut p = publish("a", 1);
        p.properties = Some(MqttProperties {
            content_type: Some("text/plain".into()),
            ..MqttProperties::default()
        });
        let mut r = req(Protocol::Mqtt, vec![p]);
        assert!(err(&r).contains("properties are MQTT 5"));
        r.settings.mqtt = Some(MqttSettings {
            version: Some("5".into()),
            ..MqttSettings::default()
        });
        assert!(validate_brokers(&r).is_ok());
    }

    #[test]
    fn broker_parts_belong_to_their_protocol() {
        let mut r = req(Protocol::Websocket, vec![]);
        r.settings.mqtt = Some(MqttSettings::default());
        assert!(err(&r).contains("\"protocol\": \"mqtt\""));
        let r = req(Protocol::Socketio, vec![send(Some("/q"), &[])]);
        assert!(err(&r).contains("do not apply to a socketio request"));
    }
}
