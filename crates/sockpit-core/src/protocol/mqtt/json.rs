//! MQTT packets as JSON (`{"event":"mqtt","dir":"in","type":"publish",...}`): the lines of
//! `sockpit mqtt --json` and the decoded rows of the window's MQTT log.

use super::{connack_v3_words, reason_words, Packet, PropValue, Properties, Version};
use crate::ws::Direction;
use base64::Engine;
use serde_json::{json, Map, Value};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// `"payload"` when the bytes are UTF-8 text, `"payload_b64"` otherwise.
fn put_bytes(o: &mut Map<String, Value>, key: &str, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) => o.insert(key.into(), json!(s)),
        Err(_) => o.insert(format!("{key}_b64"), json!(b64(b))),
    };
}

fn prop_name(id: u8) -> String {
    match id {
        0x01 => "payload_format",
        0x02 => "message_expiry",
        0x03 => "content_type",
        0x08 => "response_topic",
        0x09 => "correlation_data",
        0x0b => "subscription_id",
        0x11 => "session_expiry",
        0x12 => "assigned_client_id",
        0x13 => "server_keep_alive",
        0x15 => "auth_method",
        0x16 => "auth_data",
        0x17 => "request_problem_info",
        0x18 => "will_delay",
        0x19 => "request_response_info",
        0x1a => "response_info",
        0x1c => "server_reference",
        0x1f => "reason_string",
        0x21 => "receive_maximum",
        0x22 => "topic_alias_maximum",
        0x23 => "topic_alias",
        0x24 => "maximum_qos",
        0x25 => "retain_available",
        0x27 => "maximum_packet_size",
        0x28 => "wildcard_subscription_available",
        0x29 => "subscription_id_available",
        0x2a => "shared_subscription_available",
        _ => return format!("property_{id:#04x}"),
    }
    .to_string()
}

/// v5 properties as a JSON object (user properties as `[[k, v], ...]`).
pub fn props_json(p: &Properties) -> Value {
    let mut o = Map::new();
    let mut user = Vec::new();
    for (id, v) in &p.0 {
        let name = prop_name(*id);
        match v {
            PropValue::Byte(x) => o.insert(name, json!(x)),
            PropValue::U16(x) => o.insert(name, json!(x)),
            PropValue::U32(x) | PropValue::Varint(x) => o.insert(name, json!(x)),
            PropValue::Str(s) => o.insert(name, json!(s)),
            PropValue::Bin(b) => {
                put_bytes(&mut o, &name, b);
                None
            }
            PropValue::Pair(k, v) => {
                user.push(json!([k, v]));
                None
            }
        };
    }
    if !user.is_empty() {
        o.insert("user_properties".into(), Value::Array(user));
    }
    Value::Object(o)
}

fn code_words(v: Version, code: u8, connack: bool) -> &'static str {
    if connack && v == Version::V311 {
        connack_v3_words(code)
    } else {
        reason_words(code)
    }
}

/// The `--json` line of one packet.
pub fn packet_json(v: Version, dir: Direction, t: u64, p: &Packet) -> Value {
    let mut o = Map::new();
    o.insert("event".into(), json!("mqtt"));
    o.insert("dir".into(), json!(dir.as_str()));
    o.insert("t_ms".into(), json!(t as f64 / 1e6));
    o.insert("type".into(), json!(p.name()));
    let props = match p {
        Packet::Connect(c) => {
            o.insert("version".into(), json!(c.version.as_str()));
            o.insert("client_id".into(), json!(c.client_id));
            o.insert("clean".into(), json!(c.clean));
            o.insert("keep_alive".into(), json!(c.keep_alive));
            o.insert("username".into(), json!(c.username));
            o.insert("password".into(), json!(c.password.as_ref().map(|_| "***")));
            if let Some(w) = &c.will {
                o.insert(
                    "will".into(),
                    json!({"topic": w.topic, "qos": w.qos, "retain": w.retain}),
                );
            }
            Some(&c.props)
        }
        Packet::ConnAck {
            session_present,
            code,
            props,
        } => {
            o.insert("session_present".into(), json!(session_present));
            o.insert("code".into(), json!(code));
            o.insert("reason".into(), json!(code_words(v, *code, true)));
            Some(props)
        }
        Packet::Publish(pb) => {
            o.insert("topic".into(), json!(pb.topic));
            o.insert("qos".into(), json!(pb.qos));
            o.insert("retain".into(), json!(pb.retain));
            o.insert("dup".into(), json!(pb.dup));
            if pb.qos > 0 {
                o.insert("pkid".into(), json!(pb.pkid));
            }
            put_bytes(&mut o, "payload", &pb.payload);
            Some(&pb.props)
        }
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            o.insert("pkid".into(), json!(a.pkid));
            o.insert("code".into(), json!(a.code));
            o.insert("reason".into(), json!(reason_words(a.code)));
            Some(&a.props)
        }
        Packet::Subscribe {
            pkid,
            filters,
            props,
        } => {
            o.insert("pkid".into(), json!(pkid));
            let f: Vec<Value> = filters
                .iter()
                .map(|f| json!({"filter": f.filter, "qos": f.qos, "no_local": f.no_local,
                    "retain_as_published": f.retain_as_published, "retain_handling": f.retain_handling}))
                .collect();
            o.insert("filters".into(), Value::Array(f));
            Some(props)
        }
        Packet::SubAck { pkid, codes, props } => {
            o.insert("pkid".into(), json!(pkid));
            let granted: Vec<Value> = codes
                .iter()
                .map(|c| if *c < 3 { json!(c) } else { Value::Null })
                .collect();
            o.insert("granted".into(), Value::Array(granted));
            o.insert("codes".into(), json!(codes));
            Some(props)
        }
        Packet::Unsubscribe {
            pkid,
            filters,
            props,
        } => {
            o.insert("pkid".into(), json!(pkid));
            o.insert("filters".into(), json!(filters));
            Some(props)
        }
        Packet::UnsubAck { pkid, codes, props } => {
            o.insert("pkid".into(), json!(pkid));
            o.insert("codes".into(), json!(codes));
            Some(props)
        }
        Packet::PingReq | Packet::PingResp => None,
        Packet::Disconnect { code, props } | Packet::Auth { code, props } => {
            o.insert("code".into(), json!(code));
            o.insert("reason".into(), json!(reason_words(*code)));
            Some(props)
        }
    };
    if let Some(props) = props.filter(|p| !p.is_empty()) {
        o.insert("properties".into(), props_json(props));
    }
    Value::Object(o)
}
