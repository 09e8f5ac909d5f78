//! Raw decode without a schema, like `protoc --decode_raw`: field numbers, wire types, every
//! reading of a value (varint as unsigned, signed and zigzag; fixed as int and float), and
//! length-delimited fields as a nested message when they parse, else string or bytes.

use serde_json::{json, Map, Value};

use super::error::ProtoError;

/// Nesting limit (groups and nested messages), the same as protoc's default recursion budget.
pub const DEFAULT_MAX_DEPTH: usize = 100;

/// One field as it sits on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct RawField {
    pub number: u32,
    /// Byte offset of the tag within the buffer given to [`decode_raw`].
    pub offset: usize,
    pub value: RawValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: the bytes, and their fields when they parse as a (non-empty) message.
    Len {
        bytes: Vec<u8>,
        message: Option<Vec<RawField>>,
    },
    /// Wire types 3 and 4 (proto2 groups).
    Group(Vec<RawField>),
    /// Wire type 5.
    Fixed32(u32),
}

impl RawValue {
    pub fn wire_type(&self) -> u8 {
        match self {
            RawValue::Varint(_) => 0,
            RawValue::Fixed64(_) => 1,
            RawValue::Len { .. } => 2,
            RawValue::Group(_) => 3,
            RawValue::Fixed32(_) => 5,
        }
    }

    pub fn wire_name(&self) -> &'static str {
        match self {
            RawValue::Varint(_) => "varint",
            RawValue::Fixed64(_) => "fixed64",
            RawValue::Len { .. } => "len",
            RawValue::Group(_) => "group",
            RawValue::Fixed32(_) => "fixed32",
        }
    }
}

/// Decodes bytes as a sequence of fields. The whole buffer must parse; nested messages are tried
/// up to `max_depth` levels (deeper ones are left as bytes), and groups deeper than that fail.
pub fn decode_raw(bytes: &[u8], max_depth: usize) -> Result<Vec<RawField>, ProtoError> {
    let mut p = Parser {
        buf: bytes,
        pos: 0,
        max_depth,
    };
    let fields = p.fields(0, None)?;
    Ok(fields)
}

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    max_depth: usize,
}

fn err(offset: usize, reason: impl Into<String>) -> ProtoError {
    ProtoError::Raw {
        offset,
        reason: reason.into(),
    }
}

impl Parser<'_> {
    fn varint(&mut self) -> Result<u64, ProtoError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(err(
                    start,
                    "varint cut short: the bytes end early (truncated?)",
                ));
            };
            self.pos += 1;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(err(
            start,
            "varint longer than 10 bytes: not protobuf, or corrupt",
        ))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], ProtoError> {
        let start = self.pos;
        let end = start
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                err(
                    start,
                    format!(
                        "{what} needs {n} bytes but only {} remain (truncated?)",
                        self.buf.len() - start
                    ),
                )
            })?;
        self.pos = end;
        Ok(&self.buf[start..end])
    }

    /// Reads fields until the end of the buffer, or (inside a group) until its end tag.
    fn fields(&mut self, depth: usize, group: Option<u32>) -> Result<Vec<RawField>, ProtoError> {
        let mut out = Vec::new();
        while self.pos < self.buf.len() {
            let offset = self.pos;
            let tag = self.varint()?;
            if tag > u64::from(u32::MAX) {
                return Err(err(offset, format!("tag {tag} is larger than 32 bits")));
            }
            let number = (tag >> 3) as u32;
            let wire = (tag & 7) as u8;
            if number == 0 {
                return Err(err(offset, "field number 0 is not allowed"));
            }
            let value = match wire {
                0 => RawValue::Varint(self.varint()?),
                1 => {
                    let b = self.take(8, "fixed64")?;
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    RawValue::Fixed64(u64::from_le_bytes(a))
                }
                2 => {
                    let len_at = self.pos;
                    let len = self.varint()?;
                    let len = usize::try_from(len)
                        .map_err(|_| err(len_at, format!("length {len} is too large")))?;
                    let bytes = self.take(len, "length-delimited field")?.to_vec();
                    let message = if !bytes.is_empty() && depth < self.max_depth {
                        let mut inner = Parser {
                            buf: &bytes,
                            pos: 0,
                            max_depth: self.max_depth,
                        };
                        inner.fields(depth + 1, None).ok()
                    } else {
                        None
                    };
                    RawValue::Len { bytes, message }
                }
                3 => {
                    if depth >= self.max_depth {
                        return Err(ProtoError::TooDeep {
                            limit: self.max_depth,
                        });
                    }
                    RawValue::Group(self.fields(depth + 1, Some(number))?)
                }
                4 => {
                    return if group == Some(number) {
                        Ok(out)
                    } else {
                        Err(err(offset, format!("end of group {number} without its start")))
                    };
                }
                5 => {
                    let b = self.take(4, "fixed32")?;
                    let mut a = [0u8; 4];
                    a.copy_from_slice(b);
                    RawValue::Fixed32(u32::from_le_bytes(a))
                }
                w => {
                    return Err(err(
                        offset,
                        format!("invalid wire type {w} (field {number}): not protobuf here (framed? try --framing)"),
                    ))
                }
            };
            out.push(RawField {
                number,
                offset,
                value,
            });
        }
        match group {
            Some(n) => Err(err(
                self.pos,
                format!("group {n} is never closed (truncated?)"),
            )),
            None => Ok(out),
        }
    }
}

/// Renders fields exactly as `protoc --decode_raw` prints them.
pub fn to_protoc_text(fields: &[RawField]) -> String {
    let mut out = String::new();
    write_text(fields, 0, &mut out);
    out
}

fn write_text(fields: &[RawField], indent: usize, out: &mut String) {
    for f in fields {
        for _ in 0..indent {
            out.push_str("  ");
        }
        match &f.value {
            RawValue::Varint(v) => out.push_str(&format!("{}: {v}\n", f.number)),
            RawValue::Fixed64(v) => out.push_str(&format!("{}: 0x{v:016x}\n", f.number)),
            RawValue::Fixed32(v) => out.push_str(&format!("{}: 0x{v:08x}\n", f.number)),
            RawValue::Len {
                message: Some(m), ..
            }
            | RawValue::Group(m) => {
                out.push_str(&format!("{} {{\n", f.number));
                write_text(m, indent + 1, out);
                for _ in 0..indent {
                    out.push_str("  ");
                }
                out.push_str("}\n");
            }
            RawValue::Len { bytes, .. } => {
                out.push_str(&format!("{}: \"{}\"\n", f.number, c_escape(bytes)));
            }
        }
    }
}

/// protoc's `CEscape`: printable ASCII as is, the usual backslash escapes, the rest in octal.
pub fn c_escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\'' => s.push_str("\\'"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03o}")),
        }
    }
    s
}

/// Whether bytes read as text a person would type: UTF-8 without control characters.
fn looks_like_text(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .then_some(s)
}

/// A JSON number when exact in a double, else a string (as the proto3 JSON mapping does).
fn int_u64(v: u64) -> Value {
    if v <= (1u64 << 53) {
        json!(v)
    } else {
        json!(v.to_string())
    }
}

fn int_i64(v: i64) -> Value {
    if v.unsigned_abs() <= (1u64 << 53) {
        json!(v)
    } else {
        json!(v.to_string())
    }
}

fn float_json(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        json!(v.to_string())
    }
}

/// Renders fields as JSON for the log's raw view and `sockpit proto decode --raw`: one object a
/// field with `field`, `wire` and every reading of its value; `guess` says which reading of a
/// length-delimited field is most likely (`message`, `string` or `bytes`).
pub fn to_json(fields: &[RawField]) -> Value {
    Value::Array(fields.iter().map(field_json).collect())
}

fn field_json(f: &RawField) -> Value {
    let mut o = Map::new();
    o.insert("field".into(), json!(f.number));
    o.insert("wire".into(), json!(f.value.wire_name()));
    match &f.value {
        RawValue::Varint(v) => {
            let v = *v;
            o.insert("uint".into(), int_u64(v));
            o.insert("int".into(), int_i64(v as i64));
            o.insert(
                "sint".into(),
                int_i64(((v >> 1) as i64) ^ -((v & 1) as i64)),
            );
            if v <= 1 {
                o.insert("bool".into(), json!(v == 1));
            }
        }
        RawValue::Fixed64(v) => {
            o.insert("uint".into(), int_u64(*v));
            o.insert("int".into(), int_i64(*v as i64));
            o.insert("double".into(), float_json(f64::from_bits(*v)));
        }
        RawValue::Fixed32(v) => {
            o.insert("uint".into(), json!(*v));
            o.insert("int".into(), json!(*v as i32));
            o.insert("float".into(), float_json(f64::from(f32::from_bits(*v))));
        }
        RawValue::Group(m) => {
            o.insert("group".into(), to_json(m));
        }
        RawValue::Len { bytes, message } => {
            o.insert("len".into(), json!(bytes.len()));
            let text = looks_like_text(bytes);
            let utf8 = std::str::from_utf8(bytes).ok();
            let guess = match (text, message) {
                (Some(_), _) => "string",
                (None, Some(_)) => "message",
                (None, None) if utf8.is_some() => "string",
                (None, None) => "bytes",
            };
            o.insert("guess".into(), json!(guess));
            if let Some(s) = utf8 {
                o.insert("string".into(), json!(s));
            } else {
                o.insert("hex".into(), json!(hex::encode(bytes)));
            }
            if let Some(m) = message {
                o.insert("message".into(), to_json(m));
            }
        }
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_protoc() {
        // 1: 150, 2: "testing", 3 { 1: 5 }, 4: fixed32, 5: fixed64, 6 (group) { 1: 1 }
        let mut b = vec![0x08, 0x96, 0x01, 0x12, 0x07];
        b.extend_from_slice(b"testing");
        b.extend_from_slice(&[0x1a, 0x02, 0x08, 0x05]);
        b.extend_from_slice(&[0x25, 0x2a, 0, 0, 0]);
        b.extend_from_slice(&[0x29, 1, 0, 0, 0, 0, 0, 0, 0x80]);
        b.extend_from_slice(&[0x33, 0x08, 0x01, 0x34]);
        let f = decode_raw(&b, DEFAULT_MAX_DEPTH).unwrap();
        assert_eq!(
            to_protoc_text(&f),
            "1: 150\n2: \"testing\"\n3 {\n  1: 5\n}\n4: 0x0000002a\n5: 0x8000000000000001\n6 {\n  1: 1\n}\n"
        );
        let j = to_json(&f);
        assert_eq!(j[0]["uint"], 150);
        assert_eq!(j[0]["sint"], 75);
        assert_eq!(j[1]["guess"], "string");
        assert_eq!(j[1]["string"], "testing");
        assert_eq!(j[2]["guess"], "message");
        assert_eq!(j[2]["message"][0]["uint"], 5);
        assert_eq!(j[3]["float"], f64::from(f32::from_bits(42)));
        assert_eq!(j[4]["int"], "-9223372036854775807");
        assert_eq!(j[5]["group"][0]["bool"], true);
    }

    #[test]
    fn signed_readings() {
        // -1 as int32/int64 is ten bytes of 0xff.. 0x01
        let b = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0x03,
        ];
        let j = to_json(&decode_raw(&b, 8).unwrap());
        assert_eq!(j[0]["int"], -1);
        assert_eq!(j[0]["uint"], "18446744073709551615");
        assert_eq!(j[1]["sint"], -2);
    }

    #[test]
    fn bad_input_is_an_error_with_offset() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x08", "cut short"),
            (b"\x12\x05ab", "truncated"),
            (
                b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
                "longer than 10",
            ),
            (b"\x0f", "wire type 7"),
            (b"\x00\x01", "field number 0"),
            (b"\x0c", "end of group"),
            (b"\x0b\x08\x01", "never closed"),
            (b"\x25\x01\x02", "fixed32"),
        ];
        for (bytes, want) in cases {
            let e = decode_raw(bytes, 10).unwrap_err();
            assert_eq!(e.code(), "proto.raw");
            assert!(e.to_string().contains(want), "{bytes:?}: {e}");
        }
        // 50 nested groups with a limit of 10
        let mut b = vec![0x0b; 50];
        b.extend(vec![0x0c; 50]);
        assert_eq!(decode_raw(&b, 10).unwrap_err().code(), "proto.too_deep");
        assert!(decode_raw(&b, 60).is_ok());
    }

    #[test]
    fn nested_messages_stop_at_the_depth_limit() {
        let mut b: Vec<u8> = vec![0x08, 0x01];
        for _ in 0..5 {
            let mut o = vec![0x0a, b.len() as u8];
            o.extend_from_slice(&b);
            b = o;
        }
        let f = decode_raw(&b, 2).unwrap();
        let text = to_protoc_text(&f);
        assert!(text.starts_with("1 {\n  1 {\n    1: \""), "{text}");
        assert_eq!(c_escape(b"a\"\n\x01\xc3\xa9"), "a\\\"\\n\\001\\303\\251");
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        let mut seed: u32 = 12345;
        for len in 0..400 {
            let bytes: Vec<u8> = (0..len % 40)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (seed >> 16) as u8
                })
                .collect();
            if let Ok(f) = decode_raw(&bytes, 16) {
                let _ = to_protoc_text(&f);
                let _ = to_json(&f);
            }
        }
    }
}
