//! Fuzz target: schema-less protobuf decoding (`proto::raw`). Properties: what decodes, encoded
//! again (shortest varints), decodes to the same fields; the text and JSON views never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::proto::raw::{decode_raw, to_json, to_protoc_text, RawField, RawValue};

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn encode(fields: &[RawField], out: &mut Vec<u8>) {
    for f in fields {
        let number = u64::from(f.number) << 3;
        match &f.value {
            RawValue::Varint(v) => {
                varint(number, out);
                varint(*v, out);
            }
            RawValue::Fixed64(v) => {
                varint(number | 1, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            RawValue::Len { bytes, .. } => {
                varint(number | 2, out);
                varint(bytes.len() as u64, out);
                out.extend_from_slice(bytes);
            }
            RawValue::Group(inner) => {
                varint(number | 3, out);
                encode(inner, out);
                varint(number | 4, out);
            }
            RawValue::Fixed32(v) => {
                varint(number | 5, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// The fields without their byte offsets (which move when varints get shorter).
fn shape(fields: &[RawField]) -> Vec<RawField> {
    fields
        .iter()
        .map(|f| RawField {
            number: f.number,
            offset: 0,
            value: match &f.value {
                RawValue::Len { bytes, message } => RawValue::Len {
                    bytes: bytes.clone(),
                    message: message.as_deref().map(shape),
                },
                RawValue::Group(inner) => RawValue::Group(shape(inner)),
                v => v.clone(),
            },
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let depth = usize::from(data.first().copied().unwrap_or(0) % 8) * 16;
    let Ok(fields) = decode_raw(data, depth) else {
        return;
    };
    let _ = to_protoc_text(&fields);
    let _ = to_json(&fields);
    let mut again = Vec::new();
    encode(&fields, &mut again);
    assert!(again.len() <= data.len());
    let back = decode_raw(&again, depth).expect("re-encoded fields decode");
    assert_eq!(shape(&back), shape(&fields));
});
