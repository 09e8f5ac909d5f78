//! DTOs of the protobuf inspector (a field tree with byte ranges, detect-type suggestions),
//! exported to TypeScript with ts-rs like those in `dto.rs`.

use serde::{Deserialize, Serialize};
use sockpit_core::proto::{FieldNode, InspectView};
use ts_rs::TS;

use crate::dto::AppError;

/// What to inspect: a log row (`session` + `index`) or `hex` bytes. `type_name`: `None` for the
/// type in use (raw without one), `""` for raw, else a type of the loaded schema.
#[derive(Debug, Clone, Deserialize, Serialize, TS, PartialEq, Eq)]
pub struct ProtoInspectArgs {
    pub session: Option<u32>,
    pub index: Option<u32>,
    pub hex: Option<String>,
    pub type_name: Option<String>,
}

/// One reading of a raw value (`int`, `sint`, `bool`, `string`, `message`, `bytes`, ...).
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ProtoReadingDto {
    pub label: String,
    pub value: String,
}

/// One field: byte offsets are from the start of the payload, `end` exclusive; `start..end` is
/// tag to end, `value_start..value_end` the value alone.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ProtoFieldDto {
    pub number: u32,
    /// Empty when raw or unknown to the schema.
    pub name: String,
    /// `varint`, `i64`, `len`, `group`, `i32`, or `frame` for a framed message.
    pub wire: String,
    pub type_name: String,
    pub value: String,
    pub readings: Vec<ProtoReadingDto>,
    pub start: u32,
    pub end: u32,
    pub value_start: u32,
    pub value_end: u32,
    pub unknown: bool,
    pub children: Vec<ProtoFieldDto>,
}

/// A type "detect type" suggests, best first.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ProtoSuggestionDto {
    pub type_name: String,
    pub score: i32,
    pub known: u32,
    pub unknown: u32,
}

/// The inspector's view of one payload. `error` says why the bytes do not read as `type_name`
/// (the tree is then empty, the bytes still shown).
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ProtoInspectDto {
    pub hex: String,
    /// The type read as; empty when raw.
    pub type_name: String,
    pub fields: Vec<ProtoFieldDto>,
    pub error: Option<AppError>,
    pub suggestions: Vec<ProtoSuggestionDto>,
}

fn field(n: &FieldNode) -> ProtoFieldDto {
    ProtoFieldDto {
        number: n.number,
        name: n.name.clone(),
        wire: n.wire.name().to_string(),
        type_name: n.type_name.clone(),
        value: n.value.clone(),
        readings: n
            .readings
            .iter()
            .map(|r| ProtoReadingDto {
                label: r.label.to_string(),
                value: r.value.clone(),
            })
            .collect(),
        start: n.range.start as u32,
        end: n.range.end as u32,
        value_start: n.value_range.start as u32,
        value_end: n.value_range.end as u32,
        unknown: n.unknown,
        children: n.children.iter().map(field).collect(),
    }
}

impl ProtoInspectDto {
    /// Maps the engine's view; a payload of several framed messages gets a node per message.
    pub fn new(bytes: &[u8], view: InspectView) -> ProtoInspectDto {
        let (fields, error) = match view.result {
            Ok(msgs) if msgs.len() == 1 && msgs[0].range.start == 0 => {
                (msgs[0].fields.iter().map(field).collect(), None)
            }
            Ok(msgs) => (
                msgs.iter()
                    .enumerate()
                    .map(|(i, m)| ProtoFieldDto {
                        number: i as u32 + 1,
                        name: format!("message {}", i + 1),
                        wire: "frame".into(),
                        type_name: m.type_name.clone(),
                        value: format!("{{{}}}", m.fields.len()),
                        readings: Vec::new(),
                        start: m.range.start as u32,
                        end: m.range.end as u32,
                        value_start: m.range.start as u32,
                        value_end: m.range.end as u32,
                        unknown: false,
                        children: m.fields.iter().map(field).collect(),
                    })
                    .collect(),
                None,
            ),
            Err(e) => (Vec::new(), Some(AppError::from(e))),
        };
        ProtoInspectDto {
            hex: hex::encode(bytes),
            type_name: view.type_name,
            fields,
            error,
            suggestions: view
                .suggestions
                .into_iter()
                .map(|s| ProtoSuggestionDto {
                    type_name: s.type_name,
                    score: s.score.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
                    known: s.known as u32,
                    unknown: s.unknown as u32,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::tests::check;
    use sockpit_core::proto::{inspect_view, Framing};

    #[test]
    fn typescript_bindings_of_the_protobuf_inspector() {
        let mut failures = Vec::new();
        check::<ProtoInspectArgs>(&mut failures);
        check::<ProtoReadingDto>(&mut failures);
        check::<ProtoFieldDto>(&mut failures);
        check::<ProtoSuggestionDto>(&mut failures);
        check::<ProtoInspectDto>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }

    #[test]
    fn raw_fields_map_with_their_ranges_and_bad_bytes_keep_the_hex() {
        let bytes = [0x08, 0x96, 0x01, 0x12, 0x01, 0x41];
        let dto = ProtoInspectDto::new(
            &bytes,
            inspect_view(&bytes, None, "", &Framing::None).unwrap(),
        );
        assert_eq!(dto.fields[1].start, 3);
        assert_eq!((dto.fields[1].value_start, dto.fields[1].value_end), (5, 6));
        assert_eq!(dto.fields[0].readings[1].label, "sint");
        let bad = [0x12, 0x05];
        let dto = ProtoInspectDto::new(&bad, inspect_view(&bad, None, "", &Framing::None).unwrap());
        assert_eq!(dto.error.unwrap().code, "proto.inspect.truncated");
        assert_eq!(dto.hex, "1205");
    }
}
