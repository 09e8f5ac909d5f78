//! How the inspector shows values: typed scalars by the schema's kind, and the guessed readings
//! of raw values (varint as int, sint and bool; length-delimited as string, message or bytes).

use prost_reflect::{FieldDescriptor, Kind};

use super::{Reading, Wire};

/// Bytes shown as hex before the rest is elided.
const BYTES_SHOWN: usize = 32;
/// Characters of a string shown before the rest is elided.
const CHARS_SHOWN: usize = 120;

/// The schema's name for a field's type: `string`, `sockpit.demo.Chat`, `repeated int32`, ...
pub fn kind_name(f: &FieldDescriptor) -> String {
    let base = match f.kind() {
        Kind::Message(m) => m.full_name().to_string(),
        Kind::Enum(e) => e.full_name().to_string(),
        k => format!("{k:?}").to_lowercase(),
    };
    if f.is_map() {
        format!("map {base}")
    } else if f.is_list() {
        format!("repeated {base}")
    } else {
        base
    }
}

/// The wire type a scalar kind uses unpacked.
pub fn scalar_wire(kind: &Kind) -> Wire {
    match kind {
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => Wire::Fixed64,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => Wire::Fixed32,
        Kind::String | Kind::Bytes | Kind::Message(_) => Wire::Len,
        _ => Wire::Varint,
    }
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A scalar of `kind` from its varint or fixed bits.
pub fn scalar(kind: &Kind, v: u64) -> String {
    match kind {
        Kind::Double => f64::from_bits(v).to_string(),
        Kind::Float => f32::from_bits(v as u32).to_string(),
        Kind::Int32 | Kind::Sfixed32 => (v as u32 as i32).to_string(),
        Kind::Int64 | Kind::Sfixed64 => (v as i64).to_string(),
        Kind::Uint32 | Kind::Fixed32 => (v as u32).to_string(),
        Kind::Uint64 | Kind::Fixed64 => v.to_string(),
        Kind::Sint32 => (zigzag(v) as i32).to_string(),
        Kind::Sint64 => zigzag(v).to_string(),
        Kind::Bool => (v != 0).to_string(),
        Kind::Enum(e) => match e.get_value(v as u32 as i32) {
            Some(ev) => format!("{} ({})", ev.name(), v as u32 as i32),
            None => format!("{} (not in {})", v as u32 as i32, e.name()),
        },
        Kind::String | Kind::Bytes | Kind::Message(_) => v.to_string(),
    }
}

/// A string value, quoted (invalid UTF-8 is shown lossily and said so).
pub fn string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => quote(s),
        Err(_) => format!("{} (invalid UTF-8)", quote(&String::from_utf8_lossy(bytes))),
    }
}

fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(CHARS_SHOWN).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// Bytes as hex, elided after `BYTES_SHOWN`.
pub fn bytes(b: &[u8]) -> String {
    let shown = hex::encode(&b[..b.len().min(BYTES_SHOWN)]);
    if b.len() > BYTES_SHOWN {
        format!("0x{shown}… ({} bytes)", b.len())
    } else {
        format!("0x{shown}")
    }
}

/// Readings of a varint or fixed value.
pub fn number_readings(wire: Wire, v: u64) -> Vec<Reading> {
    let r = |label, value: String| Reading { label, value };
    match wire {
        Wire::Varint => {
            let mut out = vec![
                r("int", (v as i64).to_string()),
                r("sint", zigzag(v).to_string()),
            ];
            if v <= 1 {
                out.push(r("bool", (v == 1).to_string()));
            }
            out
        }
        Wire::Fixed64 => vec![
            r("double", f64::from_bits(v).to_string()),
            r("int", (v as i64).to_string()),
            r("hex", format!("0x{v:016x}")),
        ],
        Wire::Fixed32 => vec![
            r("float", f32::from_bits(v as u32).to_string()),
            r("int", (v as u32 as i32).to_string()),
            r("hex", format!("0x{:08x}", v as u32)),
        ],
        Wire::Len | Wire::Group => Vec::new(),
    }
}

/// Readings of a length-delimited value, the likeliest first: text people type reads as a
/// string; bytes that parse fully as fields read as a message (`fields` of them); else bytes.
pub fn len_readings(b: &[u8], fields: Option<usize>) -> Vec<Reading> {
    let text = std::str::from_utf8(b).ok().filter(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
    });
    let utf8 = std::str::from_utf8(b).is_ok();
    let mut out = Vec::new();
    let string = || Reading {
        label: "string",
        value: string(b),
    };
    let message = fields.map(|n| Reading {
        label: "message",
        value: format!("{{{n} field{}}}", if n == 1 { "" } else { "s" }),
    });
    if text.is_some() {
        out.push(string());
        out.extend(message);
    } else {
        out.extend(message);
        if utf8 {
            out.push(string());
        }
    }
    out.push(Reading {
        label: "bytes",
        value: bytes(b),
    });
    out
}
