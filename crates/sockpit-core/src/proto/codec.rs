//! Encode JSON (or text format) to protobuf bytes and decode bytes to a `DynamicMessage`, rendered
//! lazily to canonical proto3 JSON or to text format.

use prost::Message;
use prost_reflect::text_format::FormatOptions;
use prost_reflect::{
    DeserializeOptions, DynamicMessage, MessageDescriptor, ReflectMessage, SerializeOptions,
};
use serde::{Deserialize, Serialize};

use super::error::ProtoError;

/// How decoded messages become JSON. The defaults are the canonical proto3 JSON mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JsonOptions {
    /// `user_id` as written in the `.proto` instead of the lowerCamelCase `userId`.
    pub proto_field_names: bool,
    /// Enum values as numbers instead of their names.
    pub enums_as_numbers: bool,
    /// Include fields that hold their default value (0, "", false, empty lists).
    pub emit_defaults: bool,
}

impl JsonOptions {
    fn serialize_options(&self) -> SerializeOptions {
        SerializeOptions::new()
            .use_proto_field_name(self.proto_field_names)
            .use_enum_numbers(self.enums_as_numbers)
            .skip_default_fields(!self.emit_defaults)
    }
}

/// Decodes `bytes` as one `desc` message. Fails on malformed wire data, invalid UTF-8 in string
/// fields and nesting deeper than prost's recursion limit (100); unknown fields are kept.
pub fn decode(desc: &MessageDescriptor, bytes: &[u8]) -> Result<DynamicMessage, ProtoError> {
    DynamicMessage::decode(desc.clone(), bytes).map_err(|e| ProtoError::Decode {
        type_name: desc.full_name().to_string(),
        reason: decode_reason(&e, bytes.len()),
    })
}

/// Turns prost's terse decode errors into something a user can act on.
fn decode_reason(e: &prost::DecodeError, len: usize) -> String {
    let raw = e.to_string();
    let raw = raw
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(&raw);
    let hint = if raw.contains("buffer underflow") {
        "; the bytes end early (truncated message?)"
    } else if raw.contains("recursion limit") {
        "; nesting is deeper than the limit of 100 (corrupt or malicious data?)"
    } else if raw.contains("invalid varint") {
        "; a varint is longer than 10 bytes or cut short"
    } else if raw.contains("invalid wire type") || raw.contains("invalid tag") {
        "; these bytes may be of another type, framed, or not protobuf (try --raw or --framing)"
    } else {
        "; the bytes may be of another type (try --raw or `sockpit proto detect`)"
    };
    format!("{raw} ({len} bytes){hint}")
}

/// Encodes a message to its wire bytes.
pub fn encode(msg: &DynamicMessage) -> Vec<u8> {
    msg.encode_to_vec()
}

/// Parses canonical proto3 JSON into a `desc` message; unknown field names are an error.
pub fn from_json(desc: &MessageDescriptor, json: &str) -> Result<DynamicMessage, ProtoError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let res = DynamicMessage::deserialize_with_options(
        desc.clone(),
        &mut de,
        &DeserializeOptions::new().deny_unknown_fields(true),
    )
    .and_then(|m| de.end().map(|_| m));
    match res {
        Ok(m) => Ok(m),
        // The shortest form of f32::MAX ("3.4028235e38") reads as a double just above it, which
        // prost-reflect rejects; retry with such edge values pulled back into range.
        Err(e) if e.to_string().contains("float value out of range") => {
            let mut value: serde_json::Value =
                serde_json::from_str(json).map_err(|_| json_error(desc, &e))?;
            relax_f32(desc, &mut value, 0);
            from_json_value(desc, &value)
        }
        Err(e) => Err(json_error(desc, &e)),
    }
}

/// Replaces numbers in `float` fields that exceed `f32::MAX` only by rounding with `±f32::MAX`.
fn relax_f32(desc: &MessageDescriptor, value: &mut serde_json::Value, depth: usize) {
    use prost_reflect::Kind;
    use serde_json::Value as J;
    fn fix(kind: &Kind, v: &mut J, depth: usize) {
        match (kind, v) {
            (Kind::Float, J::Number(n)) => {
                if let Some(f) = n.as_f64() {
                    let r = f as f32;
                    if r.is_finite() && f.abs() > f64::from(f32::MAX) {
                        *n = serde_json::Number::from_f64(f64::from(r)).unwrap_or(n.clone());
                    }
                }
            }
            (Kind::Message(m), v) if m.full_name() == "google.protobuf.FloatValue" => {
                fix(&Kind::Float, v, depth)
            }
            (Kind::Message(m), v @ J::Object(_)) => relax_f32(m, v, depth + 1),
            _ => {}
        }
    }
    let J::Object(obj) = value else { return };
    if depth > 64 {
        return;
    }
    for (key, v) in obj.iter_mut() {
        let Some(field) = desc
            .get_field_by_json_name(key)
            .or_else(|| desc.get_field_by_name(key))
        else {
            continue;
        };
        let kind = field.kind();
        match v {
            J::Array(items) if field.is_list() => {
                items.iter_mut().for_each(|i| fix(&kind, i, depth))
            }
            J::Object(entries) if field.is_map() => {
                if let Kind::Message(entry) = &kind {
                    let vk = entry.map_entry_value_field().kind();
                    entries.values_mut().for_each(|i| fix(&vk, i, depth));
                }
            }
            v => fix(&kind, v, depth),
        }
    }
}

/// Like [`from_json`] from an already parsed value.
pub fn from_json_value(
    desc: &MessageDescriptor,
    json: &serde_json::Value,
) -> Result<DynamicMessage, ProtoError> {
    DynamicMessage::deserialize_with_options(
        desc.clone(),
        json,
        &DeserializeOptions::new().deny_unknown_fields(true),
    )
    .map_err(|e| json_error(desc, &e))
}

fn json_error(desc: &MessageDescriptor, e: &serde_json::Error) -> ProtoError {
    let mut reason = e.to_string();
    if reason.contains("unrecognized field name") || reason.contains("unknown field") {
        reason.push_str(&format!(
            "; the fields of {} are: {}",
            desc.full_name(),
            field_list(desc)
        ));
    }
    ProtoError::Json {
        type_name: desc.full_name().to_string(),
        reason,
    }
}

fn field_list(desc: &MessageDescriptor) -> String {
    let names: Vec<String> = desc.fields().map(|f| f.json_name().to_string()).collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

/// Parses protobuf text format (what `protoc --decode` prints) into a `desc` message.
pub fn from_text(desc: &MessageDescriptor, text: &str) -> Result<DynamicMessage, ProtoError> {
    DynamicMessage::parse_text_format(desc.clone(), text).map_err(|e| ProtoError::Text {
        type_name: desc.full_name().to_string(),
        reason: format!("{e:?}"),
    })
}

/// Renders a message as a JSON value. Fails only for values the JSON mapping cannot carry
/// (a Timestamp or Duration out of range, an Any whose type is not in the pool).
pub fn to_json(msg: &DynamicMessage, opts: &JsonOptions) -> Result<serde_json::Value, ProtoError> {
    msg.serialize_with_options(serde_json::value::Serializer, &opts.serialize_options())
        .map_err(|e| render_error(msg, &e))
}

/// Renders a message as a JSON string, compact or indented.
pub fn to_json_string(
    msg: &DynamicMessage,
    opts: &JsonOptions,
    pretty: bool,
) -> Result<String, ProtoError> {
    let mut out = Vec::with_capacity(msg.encoded_len() * 2 + 16);
    let res = if pretty {
        let mut ser = serde_json::Serializer::pretty(&mut out);
        msg.serialize_with_options(&mut ser, &opts.serialize_options())
    } else {
        let mut ser = serde_json::Serializer::new(&mut out);
        msg.serialize_with_options(&mut ser, &opts.serialize_options())
    };
    res.map_err(|e| render_error(msg, &e))?;
    String::from_utf8(out).map_err(|e| ProtoError::Decode {
        type_name: msg.descriptor().full_name().to_string(),
        reason: e.to_string(),
    })
}

fn render_error(msg: &DynamicMessage, e: &serde_json::Error) -> ProtoError {
    ProtoError::Decode {
        type_name: msg.descriptor().full_name().to_string(),
        reason: format!("cannot be shown as JSON: {e}"),
    }
}

/// Renders a message in protobuf text format, one field a line when `pretty`.
pub fn to_text(msg: &DynamicMessage, pretty: bool) -> String {
    msg.to_text_format_with_options(
        &FormatOptions::new()
            .pretty(pretty)
            .skip_unknown_fields(false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::Schema;

    const SRC: &str = r#"
        syntax = "proto3";
        package t;
        enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }
        message M { int32 user_id = 1; string name = 2; Color color = 3; repeated int64 big = 4;
                    M child = 5; bytes data = 6; }
    "#;

    fn desc() -> MessageDescriptor {
        Schema::from_sources(&[("t.proto", SRC)])
            .unwrap()
            .message("t.M")
            .unwrap()
    }

    #[test]
    fn json_round_trip_with_options() {
        let d = desc();
        let m = from_json(
            &d,
            r#"{"userId": 7, "name": "é", "color": "RED", "big": ["9007199254740993"]}"#,
        )
        .unwrap();
        let bytes = encode(&m);
        let back = decode(&d, &bytes).unwrap();
        let j = to_json(&back, &JsonOptions::default()).unwrap();
        assert_eq!(j["userId"], 7);
        assert_eq!(j["color"], "RED");
        assert_eq!(j["big"][0], "9007199254740993");
        let j = to_json(
            &back,
            &JsonOptions {
                proto_field_names: true,
                enums_as_numbers: true,
                emit_defaults: true,
            },
        )
        .unwrap();
        assert_eq!(j["user_id"], 7);
        assert_eq!(j["color"], 1);
        assert_eq!(j["data"], "");
        // proto names are accepted on input too
        assert!(from_json(&d, r#"{"user_id": 1}"#).is_ok());
        let s = to_json_string(&back, &JsonOptions::default(), false).unwrap();
        assert!(s.starts_with("{\"userId\":7"), "{s}");
        let text = to_text(&back, false);
        assert!(
            text.contains("user_id:7") && text.contains("color:RED"),
            "{text}"
        );
        let from_t = from_text(&d, &text).unwrap();
        assert_eq!(encode(&from_t), bytes);
    }

    #[test]
    fn bad_json_is_a_clear_error() {
        let d = desc();
        let e = from_json(&d, r#"{"nope": 1}"#).unwrap_err();
        assert_eq!(e.code(), "proto.json");
        assert!(
            e.to_string().contains("nope") && e.to_string().contains("userId"),
            "{e}"
        );
        let e = from_json(&d, r#"{"userId": "abc"}"#).unwrap_err();
        assert_eq!(e.code(), "proto.json");
        let e = from_json(&d, r#"{"color": "BLUE"}"#).unwrap_err();
        assert!(e.to_string().contains("BLUE"), "{e}");
        let e = from_json(&d, r#"{"userId": 1} trailing"#).unwrap_err();
        assert_eq!(e.code(), "proto.json");
        let e = from_json(&d, "{").unwrap_err();
        assert_eq!(e.code(), "proto.json");
        let e = from_text(&d, "user_id: {").unwrap_err();
        assert_eq!(e.code(), "proto.text");
        let e = from_json(&d, r#"{"userId": 1e10}"#).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
    }

    #[test]
    fn float_max_round_trips() {
        let src = "syntax = \"proto3\"; package f; import \"google/protobuf/wrappers.proto\";
            message F { float x = 1; repeated float xs = 2; map<string, float> m = 3;
                        google.protobuf.FloatValue w = 4; F child = 5; }";
        let d = Schema::from_sources(&[("f.proto", src)])
            .unwrap()
            .message("f.F")
            .unwrap();
        let json = r#"{"x": 3.4028235e38, "xs": [-3.4028235e38], "m": {"a": 3.4028235e38},
                       "w": 3.4028235e38, "child": {"x": 3.4028235e38}}"#;
        let m = from_json(&d, json).unwrap();
        let again = from_json(
            &d,
            &to_json_string(&m, &JsonOptions::default(), false).unwrap(),
        );
        assert_eq!(encode(&again.unwrap()), encode(&m));
        let j = to_json(&m, &JsonOptions::default()).unwrap();
        assert_eq!(j["child"]["x"].as_f64(), Some(f64::from(f32::MAX)));
        // truly out of range stays an error
        assert!(from_json(&d, r#"{"x": 1e39}"#).is_err());
    }

    #[test]
    fn bad_bytes_are_a_clear_error() {
        let d = desc();
        // field 2 (string) claims 5 bytes, 2 present
        let e = decode(&d, b"\x12\x05ab").unwrap_err();
        assert_eq!(e.code(), "proto.decode");
        assert!(e.to_string().contains("truncated"), "{e}");
        // an 11-byte varint
        let e = decode(&d, b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01").unwrap_err();
        assert!(e.to_string().contains("varint"), "{e}");
        // invalid UTF-8 in a string field
        let e = decode(&d, b"\x12\x02\xff\xfe").unwrap_err();
        assert_eq!(e.code(), "proto.decode");
        // recursion: child { child { ... } } 200 levels deep
        let mut bytes: Vec<u8> = Vec::new();
        for _ in 0..200 {
            let mut outer = vec![0x2a];
            prost::encoding::encode_varint(bytes.len() as u64, &mut outer);
            outer.extend_from_slice(&bytes);
            bytes = outer;
        }
        let e = decode(&d, &bytes).unwrap_err();
        assert!(e.to_string().contains("recursion"), "{e}");
    }
}
