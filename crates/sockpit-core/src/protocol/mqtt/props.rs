//! MQTT 5 properties (kept as a list in wire order), reason-code words, and topic checks.

use bytes::Bytes;

use super::codec::{write_bin, write_u16, write_varint, CodecError, Reader};

/// Property identifiers Sockpit names.
pub mod id {
    pub const PAYLOAD_FORMAT: u8 = 0x01;
    pub const MESSAGE_EXPIRY: u8 = 0x02;
    pub const CONTENT_TYPE: u8 = 0x03;
    pub const RESPONSE_TOPIC: u8 = 0x08;
    pub const CORRELATION_DATA: u8 = 0x09;
    pub const SUBSCRIPTION_ID: u8 = 0x0b;
    pub const SESSION_EXPIRY: u8 = 0x11;
    pub const ASSIGNED_CLIENT_ID: u8 = 0x12;
    pub const SERVER_KEEP_ALIVE: u8 = 0x13;
    pub const REASON_STRING: u8 = 0x1f;
    pub const RECEIVE_MAXIMUM: u8 = 0x21;
    pub const TOPIC_ALIAS: u8 = 0x23;
    pub const USER_PROPERTY: u8 = 0x26;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropValue {
    Byte(u8),
    U16(u16),
    U32(u32),
    Varint(u32),
    Str(String),
    Bin(Bytes),
    Pair(String, String),
}

/// A v5 property list, in wire order (user properties may repeat).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties(pub Vec<(u8, PropValue)>);

/// The wire type of property `id`, or `None` for an unknown identifier.
/// Reads one property value.
type ReadValue = fn(&mut Reader, &str) -> Result<PropValue, CodecError>;

fn kind(id: u8) -> Option<ReadValue> {
    Some(match id {
        0x01 | 0x17 | 0x19 | 0x24 | 0x25 | 0x28 | 0x29 | 0x2a => {
            |r, w| Ok(PropValue::Byte(r.u8(w)?))
        }
        0x13 | 0x21 | 0x22 | 0x23 => |r, w| Ok(PropValue::U16(r.u16(w)?)),
        0x02 | 0x11 | 0x18 | 0x27 => |r, w| Ok(PropValue::U32(r.u32(w)?)),
        0x0b => |r, w| Ok(PropValue::Varint(r.varint(w)?)),
        0x03 | 0x08 | 0x12 | 0x15 | 0x1a | 0x1c | 0x1f => |r, w| Ok(PropValue::Str(r.string(w)?)),
        0x09 | 0x16 => |r, w| Ok(PropValue::Bin(r.binary(w)?)),
        0x26 => |r, w| Ok(PropValue::Pair(r.string(w)?, r.string(w)?)),
        _ => return None,
    })
}

/// Reads a property length and the properties in it.
pub(super) fn read(r: &mut Reader, packet: &str) -> Result<Properties, CodecError> {
    let len = r.varint(&format!("the {packet} property length"))? as usize;
    let what = format!("a {packet} property");
    let body = r.bytes(len, &what)?;
    let mut pr = Reader::new(body);
    let mut props = Vec::new();
    while pr.left() > 0 {
        let id = pr.varint(&what)?;
        let read = u8::try_from(id)
            .ok()
            .and_then(kind)
            .ok_or_else(|| CodecError {
                code: "mqtt.malformed_packet",
                message: format!("unknown {packet} property identifier {id:#04x}"),
            })?;
        props.push((id as u8, read(&mut pr, &what)?));
    }
    Ok(Properties(props))
}

/// Writes the property length and the properties.
pub(crate) fn write(out: &mut Vec<u8>, p: &Properties) -> Result<(), CodecError> {
    let mut b = Vec::new();
    for (id, v) in &p.0 {
        b.push(*id);
        match v {
            PropValue::Byte(x) => b.push(*x),
            PropValue::U16(x) => write_u16(&mut b, *x),
            PropValue::U32(x) => b.extend_from_slice(&x.to_be_bytes()),
            PropValue::Varint(x) => write_varint(&mut b, *x as usize),
            PropValue::Str(s) => write_bin(&mut b, s.as_bytes(), "a property")?,
            PropValue::Bin(x) => write_bin(&mut b, x, "a property")?,
            PropValue::Pair(k, v) => {
                write_bin(&mut b, k.as_bytes(), "a user property name")?;
                write_bin(&mut b, v.as_bytes(), "a user property value")?;
            }
        }
    }
    write_varint(out, b.len());
    out.extend_from_slice(&b);
    Ok(())
}

impl Properties {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, id: u8, v: PropValue) {
        self.0.push((id, v));
    }

    pub fn get(&self, want: u8) -> Option<&PropValue> {
        self.0.iter().find(|(id, _)| *id == want).map(|(_, v)| v)
    }

    pub fn string(&self, want: u8) -> Option<&str> {
        match self.get(want) {
            Some(PropValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn number(&self, want: u8) -> Option<u32> {
        match self.get(want)? {
            PropValue::Byte(x) => Some(u32::from(*x)),
            PropValue::U16(x) => Some(u32::from(*x)),
            PropValue::U32(x) | PropValue::Varint(x) => Some(*x),
            _ => None,
        }
    }

    pub fn user(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().filter_map(|(_, v)| match v {
            PropValue::Pair(k, v) => Some((k.as_str(), v.as_str())),
            _ => None,
        })
    }
}

/// A 3.1.1 CONNACK return code in words.
pub fn connack_v3_words(code: u8) -> &'static str {
    match code {
        0 => "accepted",
        1 => "unacceptable protocol version",
        2 => "identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorized",
        _ => "an unknown return code",
    }
}

/// An MQTT 5 reason code in words (the spec's names, lower case).
pub fn reason_words(code: u8) -> &'static str {
    match code {
        0x00 => "success",
        0x01 => "granted QoS 1",
        0x02 => "granted QoS 2",
        0x04 => "disconnect with will message",
        0x10 => "no matching subscribers",
        0x11 => "no subscription existed",
        0x18 => "continue authentication",
        0x19 => "re-authenticate",
        0x80 => "unspecified error",
        0x81 => "malformed packet",
        0x82 => "protocol error",
        0x83 => "implementation specific error",
        0x84 => "unsupported protocol version",
        0x85 => "client identifier not valid",
        0x86 => "bad user name or password",
        0x87 => "not authorized",
        0x88 => "server unavailable",
        0x89 => "server busy",
        0x8a => "banned",
        0x8b => "server shutting down",
        0x8c => "bad authentication method",
        0x8d => "keep alive timeout",
        0x8e => "session taken over",
        0x8f => "topic filter invalid",
        0x90 => "topic name invalid",
        0x91 => "packet identifier in use",
        0x92 => "packet identifier not found",
        0x93 => "receive maximum exceeded",
        0x94 => "topic alias invalid",
        0x95 => "packet too large",
        0x96 => "message rate too high",
        0x97 => "quota exceeded",
        0x98 => "administrative action",
        0x99 => "payload format invalid",
        0x9a => "retain not supported",
        0x9b => "QoS not supported",
        0x9c => "use another server",
        0x9d => "server moved",
        0x9e => "shared subscriptions not supported",
        0x9f => "connection rate exceeded",
        0xa0 => "maximum connect time",
        0xa1 => "subscription identifiers not supported",
        0xa2 => "wildcard subscriptions not supported",
        _ => "an unknown reason code",
    }
}

/// Checks a topic filter: not empty, `#` only as the whole last level, `+` only as a whole level.
pub fn check_filter(f: &str) -> Result<(), String> {
    if f.is_empty() {
        return Err("a topic filter cannot be empty".into());
    }
    if f.len() > 65535 || f.contains('\0') {
        return Err(format!(
            "topic filter '{f}' is over 65535 bytes or holds U+0000"
        ));
    }
    let levels: Vec<&str> = f.split('/').collect();
    for (i, l) in levels.iter().enumerate() {
        if l.contains('#') && (*l != "#" || i + 1 != levels.len()) {
            return Err(format!(
                "topic filter '{f}': '#' must be the last level, alone (like 'a/#')"
            ));
        }
        if l.contains('+') && *l != "+" {
            return Err(format!(
                "topic filter '{f}': '+' must fill a whole level (like 'a/+/c')"
            ));
        }
    }
    Ok(())
}

/// Checks a topic name to publish to: not empty, no wildcards.
pub fn check_topic(t: &str) -> Result<(), String> {
    if t.is_empty() {
        return Err("a topic name cannot be empty".into());
    }
    if t.contains(['+', '#']) {
        return Err(format!(
            "topic '{t}': a topic name to publish to has no wildcards ('+', '#')"
        ));
    }
    if t.len() > 65535 || t.contains('\0') {
        return Err(format!("topic '{t}' is over 65535 bytes or holds U+0000"));
    }
    Ok(())
}
