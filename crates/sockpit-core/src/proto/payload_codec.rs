//! `PayloadCodec`: a request's protobuf settings (schema, send and receive types, framing, JSON
//! options) applied to whole WebSocket payloads — what `connect --send-type/--recv-type`, the mock's
//! `/proto` route and the window's composer and log use.

use std::collections::BTreeMap;

use prost_reflect::{DynamicMessage, MessageDescriptor};

use super::codec::{self, JsonOptions};
use super::error::ProtoError;
use super::framing::Framing;
use super::schema::Schema;

/// One message cut from a payload and decoded.
#[derive(Debug, Clone)]
pub struct DecodedMessage {
    /// Where the message's bytes start in the payload.
    pub offset: usize,
    pub message: DynamicMessage,
}

/// Encodes outgoing JSON and decodes incoming bytes for one request.
#[derive(Debug, Clone)]
pub struct PayloadCodec {
    schema: Schema,
    send: Option<MessageDescriptor>,
    recv: Option<MessageDescriptor>,
    framing: Framing,
    /// Type-byte framing: the descriptors of the mapped types, resolved once.
    by_byte: BTreeMap<u8, MessageDescriptor>,
    pub json: JsonOptions,
}

impl PayloadCodec {
    /// Resolves the type names now, so that a typo fails before any message flows.
    pub fn new(
        schema: Schema,
        send_type: Option<&str>,
        recv_type: Option<&str>,
        framing: Framing,
    ) -> Result<PayloadCodec, ProtoError> {
        let send = send_type.map(|t| schema.message(t)).transpose()?;
        let recv = recv_type.map(|t| schema.message(t)).transpose()?;
        let mut by_byte = BTreeMap::new();
        if let Framing::TypeByte { types } = &framing {
            for (b, t) in types {
                by_byte.insert(*b, schema.message(t)?);
            }
        }
        Ok(PayloadCodec {
            schema,
            send,
            recv,
            framing,
            by_byte,
            json: JsonOptions::default(),
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn framing(&self) -> &Framing {
        &self.framing
    }

    pub fn send_type(&self) -> Option<&MessageDescriptor> {
        self.send.as_ref()
    }

    pub fn recv_type(&self) -> Option<&MessageDescriptor> {
        self.recv.as_ref()
    }

    /// Whether incoming payloads can be decoded (a receive type, or a type byte to name one).
    pub fn decodes(&self) -> bool {
        self.recv.is_some() || !self.by_byte.is_empty()
    }

    /// JSON text → the send type's bytes, framed.
    pub fn encode_json(&self, json: &str) -> Result<Vec<u8>, ProtoError> {
        let desc = self.send.as_ref().ok_or_else(|| ProtoError::UnknownType {
            name: "(no send type)".into(),
            candidates: self
                .schema
                .message_types()
                .into_iter()
                .map(|t| t.name)
                .take(8)
                .collect(),
        })?;
        let msg = codec::from_json(desc, json)?;
        self.framing
            .wrap(&codec::encode(&msg), Some(desc.full_name()))
    }

    /// Whether outgoing JSON can be encoded (a send type is set).
    pub fn encodes(&self) -> bool {
        self.send.is_some()
    }

    /// Bytes → the messages they hold (one, unless the framing allows several).
    pub fn decode(&self, bytes: &[u8]) -> Result<Vec<DecodedMessage>, ProtoError> {
        self.decode_as(bytes, self.recv.as_ref())
    }

    /// Like [`PayloadCodec::decode_json`] with the send type: how a sent payload reads back.
    pub fn decode_sent_json(&self, bytes: &[u8]) -> Result<serde_json::Value, ProtoError> {
        let msgs = self.decode_as(bytes, self.send.as_ref())?;
        self.messages_json(msgs)
    }

    /// Compact JSON text in field order (an array when the payload held several messages),
    /// decoded with the receive type, or with the send type when `sent`.
    pub fn decode_json_text(&self, bytes: &[u8], sent: bool) -> Result<String, ProtoError> {
        let default = if sent {
            self.send.as_ref()
        } else {
            self.recv.as_ref()
        };
        let msgs = self.decode_as(bytes, default)?;
        let mut parts = Vec::with_capacity(msgs.len());
        for m in &msgs {
            parts.push(codec::to_json_string(&m.message, &self.json, false)?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or_default()
        } else {
            format!("[{}]", parts.join(","))
        })
    }

    fn decode_as(
        &self,
        bytes: &[u8],
        default: Option<&MessageDescriptor>,
    ) -> Result<Vec<DecodedMessage>, ProtoError> {
        let frames = self.framing.split(bytes)?;
        let mut out = Vec::with_capacity(frames.len());
        for frame in frames {
            let desc = match (&self.framing, frame.payload_type_byte(bytes)) {
                (Framing::TypeByte { .. }, Some(b)) => self.by_byte.get(&b),
                _ => default,
            }
            .ok_or_else(|| ProtoError::UnknownType {
                name: frame.type_name.unwrap_or("(no receive type)").to_string(),
                candidates: Vec::new(),
            })?;
            out.push(DecodedMessage {
                offset: frame.offset,
                message: codec::decode(desc, frame.payload)?,
            });
        }
        Ok(out)
    }

    /// Bytes → JSON: the message's object, or an array when the payload held several.
    pub fn decode_json(&self, bytes: &[u8]) -> Result<serde_json::Value, ProtoError> {
        let msgs = self.decode(bytes)?;
        self.messages_json(msgs)
    }

    fn messages_json(
        &self,
        mut msgs: Vec<DecodedMessage>,
    ) -> Result<serde_json::Value, ProtoError> {
        if msgs.len() == 1 {
            if let Some(one) = msgs.pop() {
                return codec::to_json(&one.message, &self.json);
            }
        }
        msgs.iter()
            .map(|m| codec::to_json(&m.message, &self.json))
            .collect::<Result<Vec<_>, _>>()
            .map(serde_json::Value::Array)
    }
}

impl super::framing::Frame<'_> {
    /// The type byte in front of this frame, for type-byte framing.
    fn payload_type_byte(&self, whole: &[u8]) -> Option<u8> {
        self.type_name?;
        self.offset
            .checked_sub(1)
            .and_then(|i| whole.get(i))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
        syntax = "proto3";
        package p;
        message Move { int32 x = 1; int32 y = 2; }
        message Chat { string text = 1; }
    "#;

    fn schema() -> Schema {
        Schema::from_sources(&[("p.proto", SRC)]).unwrap()
    }

    #[test]
    fn encodes_and_decodes_with_framing() {
        let c = PayloadCodec::new(schema(), Some("Move"), Some("p.Move"), Framing::Grpc).unwrap();
        let bytes = c.encode_json(r#"{"x": 3, "y": 4}"#).unwrap();
        assert_eq!(bytes, b"\x00\x00\x00\x00\x04\x08\x03\x10\x04");
        assert_eq!(
            c.decode_json(&bytes).unwrap(),
            serde_json::json!({"x": 3, "y": 4})
        );
        let mut two = bytes.clone();
        two.extend_from_slice(&bytes);
        assert_eq!(c.decode_json(&two).unwrap().as_array().unwrap().len(), 2);
    }

    #[test]
    fn type_byte_picks_the_type() {
        let f: Framing = "type-byte:1=Move,2=Chat".parse().unwrap();
        let c = PayloadCodec::new(schema(), Some("Chat"), None, f).unwrap();
        assert!(c.decodes());
        let bytes = c.encode_json(r#"{"text": "hi"}"#).unwrap();
        assert_eq!(bytes[0], 2);
        assert_eq!(
            c.decode_json(&bytes).unwrap(),
            serde_json::json!({"text": "hi"})
        );
        assert_eq!(
            c.decode_json(b"\x01\x08\x07").unwrap(),
            serde_json::json!({"x": 7})
        );
        let bad: Framing = "type-byte:1=Nope".parse().unwrap();
        let e = PayloadCodec::new(schema(), None, None, bad).unwrap_err();
        assert_eq!(e.code(), "proto.unknown_type");
    }

    #[test]
    fn missing_types_are_errors() {
        let c = PayloadCodec::new(schema(), None, None, Framing::None).unwrap();
        assert!(!c.decodes());
        assert!(c.encode_json("{}").is_err());
        assert!(c.decode(b"").is_err());
        let e = PayloadCodec::new(schema(), Some("Nope"), None, Framing::None).unwrap_err();
        assert_eq!(e.code(), "proto.unknown_type");
    }
}
