//! The protobuf inspector's decode: a field tree that keeps each field's byte ranges (tag..end
//! and the value alone), read with a chosen message type (names, typed values, unknown fields
//! marked) or raw (every likely reading of each value), and "detect type" ranking.

mod rank;
#[cfg(test)]
mod tests;
mod value;

use std::ops::Range;

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};

use super::error::ProtoError;
use super::framing::Framing;
pub use rank::{rank_types, Suggestion};

/// Nesting limit for nested messages and groups.
pub const MAX_DEPTH: usize = 64;

/// Why a payload cannot be inspected. Offsets are from the start of the payload.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum InspectError {
    #[error(
        "the message is truncated at byte {offset}: {what} needs {needed} more byte(s) than remain"
    )]
    Truncated {
        offset: usize,
        what: String,
        needed: usize,
    },
    #[error("not protobuf at byte {offset}: {reason}")]
    Malformed { offset: usize, reason: String },
    #[error("nesting deeper than {limit} levels at byte {offset}")]
    TooDeep { offset: usize, limit: usize },
    #[error("{0}")]
    Proto(#[from] ProtoError),
}

impl InspectError {
    /// A stable identifier the UI and the CLI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            InspectError::Truncated { .. } => "proto.inspect.truncated",
            InspectError::Malformed { .. } => "proto.inspect.malformed",
            InspectError::TooDeep { .. } => "proto.inspect.too_deep",
            InspectError::Proto(e) => e.code(),
        }
    }
}

/// Wire types as the inspector names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Varint,
    Fixed64,
    Len,
    Group,
    Fixed32,
}

impl Wire {
    pub fn name(self) -> &'static str {
        match self {
            Wire::Varint => "varint",
            Wire::Fixed64 => "i64",
            Wire::Len => "len",
            Wire::Group => "group",
            Wire::Fixed32 => "i32",
        }
    }
}

/// One reading of a raw value: `int`, `sint`, `bool`, `string`, `message`, `bytes`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub label: &'static str,
    pub value: String,
}

/// One field on the wire, as the inspector shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldNode {
    pub number: u32,
    /// The schema's field name; empty when raw or unknown.
    pub name: String,
    pub wire: Wire,
    /// The field's type in the schema (`string`, `sockpit.demo.Chat`, ...); empty when raw or unknown.
    pub type_name: String,
    /// The decoded value as shown (the first reading when raw).
    pub value: String,
    /// Raw decode and unknown fields: every likely reading, the likeliest first.
    pub readings: Vec<Reading>,
    /// Tag to the end of the value.
    pub range: Range<usize>,
    /// The value alone (after the length prefix for `len` fields).
    pub value_range: Range<usize>,
    /// Fields of a nested message or group, or the elements of a packed repeated field.
    pub children: Vec<FieldNode>,
    /// The schema has no field with this number, or one with another wire type.
    pub unknown: bool,
}

impl FieldNode {
    /// This node and every node under it.
    pub fn walk(&self) -> Box<dyn Iterator<Item = &FieldNode> + '_> {
        Box::new(std::iter::once(self).chain(self.children.iter().flat_map(|c| c.walk())))
    }
}

/// One message of a payload (several when the framing packs more than one).
#[derive(Debug, Clone, PartialEq)]
pub struct InspectedMessage {
    /// The message's own bytes (after any framing prefix).
    pub range: Range<usize>,
    /// The type it was read as; empty when raw.
    pub type_name: String,
    pub fields: Vec<FieldNode>,
}

/// Reads `bytes` (unwrapped by `framing`) as `desc`, or raw when `desc` is `None`. A type byte in
/// the framing names the type itself when `desc` is `None` and `pool` knows it.
pub fn inspect(
    bytes: &[u8],
    framing: &Framing,
    desc: Option<&MessageDescriptor>,
    pool: Option<&prost_reflect::DescriptorPool>,
) -> Result<Vec<InspectedMessage>, InspectError> {
    let mut out = Vec::new();
    for frame in framing.split(bytes)? {
        let named = match (desc, frame.type_name, pool) {
            (None, Some(name), Some(pool)) => {
                pool.get_message_by_name(name.trim_start_matches('.'))
            }
            _ => None,
        };
        let desc = desc.cloned().or(named);
        let end = frame.offset + frame.payload.len();
        let fields = inspect_message(bytes, frame.offset..end, desc.as_ref())?;
        out.push(InspectedMessage {
            range: frame.offset..end,
            type_name: desc.map(|d| d.full_name().to_string()).unwrap_or_default(),
            fields,
        });
    }
    Ok(out)
}

/// The fields of `buf[range]`, offsets kept relative to `buf`.
pub fn inspect_message(
    buf: &[u8],
    range: Range<usize>,
    desc: Option<&MessageDescriptor>,
) -> Result<Vec<FieldNode>, InspectError> {
    let mut r = Reader {
        buf,
        pos: range.start,
        end: range.end,
    };
    r.fields(desc, 0, None)
}

/// A field on the wire before it is given meaning.
struct Raw {
    number: u32,
    wire: Wire,
    start: usize,
    value: Range<usize>,
    /// Varint value, or the fixed value's bits.
    int: u64,
}

pub(super) struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
    pub end: usize,
}

impl Reader<'_> {
    pub fn varint(&mut self) -> Result<u64, InspectError> {
        let start = self.pos;
        let mut v: u64 = 0;
        for i in 0..10 {
            if self.pos >= self.end {
                return Err(InspectError::Truncated {
                    offset: start,
                    what: "a varint".into(),
                    needed: 1,
                });
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(InspectError::Malformed {
            offset: start,
            reason: "a varint longer than 10 bytes".into(),
        })
    }

    fn take(&mut self, n: usize, what: &str) -> Result<Range<usize>, InspectError> {
        let start = self.pos;
        let left = self.end - start;
        if n > left {
            return Err(InspectError::Truncated {
                offset: start,
                what: what.into(),
                needed: n - left,
            });
        }
        self.pos += n;
        Ok(start..self.pos)
    }

    fn fixed(&mut self, n: usize, what: &str) -> Result<(Range<usize>, u64), InspectError> {
        let r = self.take(n, what)?;
        let mut a = [0u8; 8];
        a[..n].copy_from_slice(&self.buf[r.clone()]);
        Ok((r, u64::from_le_bytes(a)))
    }

    /// The next field's tag and value bytes; `Ok(None)` at the end of a group.
    fn raw(&mut self, group: Option<u32>) -> Result<Option<Raw>, InspectError> {
        let start = self.pos;
        let tag = self.varint()?;
        let number = u32::try_from(tag >> 3).map_err(|_| InspectError::Malformed {
            offset: start,
            reason: format!("tag {tag} is larger than 32 bits"),
        })?;
        if number == 0 {
            return Err(InspectError::Malformed {
                offset: start,
                reason: "field number 0 is not allowed".into(),
            });
        }
        let (wire, value, int) = match tag & 7 {
            0 => {
                let at = self.pos;
                let v = self.varint()?;
                (Wire::Varint, at..self.pos, v)
            }
            1 => {
                let (r, v) = self.fixed(8, "an i64 value")?;
                (Wire::Fixed64, r, v)
            }
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                (Wire::Len, self.take(len, "a length-delimited value")?, 0)
            }
            3 => (Wire::Group, self.pos..self.pos, 0),
            4 => {
                return if group == Some(number) {
                    Ok(None)
                } else {
                    Err(InspectError::Malformed {
                        offset: start,
                        reason: format!("end of group {number} without its start"),
                    })
                }
            }
            5 => {
                let (r, v) = self.fixed(4, "an i32 value")?;
                (Wire::Fixed32, r, v)
            }
            w => {
                return Err(InspectError::Malformed {
                    offset: start,
                    reason: format!("invalid wire type {w} (field {number})"),
                })
            }
        };
        Ok(Some(Raw {
            number,
            wire,
            start,
            value,
            int,
        }))
    }

    /// Fields up to the end (or, inside a group, its end tag).
    fn fields(
        &mut self,
        desc: Option<&MessageDescriptor>,
        depth: usize,
        group: Option<u32>,
    ) -> Result<Vec<FieldNode>, InspectError> {
        if depth > MAX_DEPTH {
            return Err(InspectError::TooDeep {
                offset: self.pos,
                limit: MAX_DEPTH,
            });
        }
        let mut out = Vec::new();
        while self.pos < self.end {
            let Some(raw) = self.raw(group)? else {
                return Ok(out);
            };
            let field = desc.and_then(|d| d.get_field(raw.number));
            let mut node = match field {
                Some(f) if wire_fits(&f, raw.wire) => self.typed(&raw, &f, depth)?,
                _ => {
                    let mut n = self.untyped(&raw, depth)?;
                    n.unknown = desc.is_some();
                    if let Some(f) = field {
                        n.name = f.name().to_string();
                        n.type_name = format!("{} (wire type mismatch)", value::kind_name(&f));
                    }
                    n
                }
            };
            node.range = raw.start..self.pos;
            out.push(node);
        }
        match group {
            Some(n) => Err(InspectError::Truncated {
                offset: self.pos,
                what: format!("group {n} (its end tag)"),
                needed: 1,
            }),
            None => Ok(out),
        }
    }

    fn node(raw: &Raw) -> FieldNode {
        FieldNode {
            number: raw.number,
            name: String::new(),
            wire: raw.wire,
            type_name: String::new(),
            value: String::new(),
            readings: Vec::new(),
            range: raw.start..raw.value.end,
            value_range: raw.value.clone(),
            children: Vec::new(),
            unknown: false,
        }
    }

    /// A field the schema knows, with a wire type that fits it.
    fn typed(
        &mut self,
        raw: &Raw,
        f: &FieldDescriptor,
        depth: usize,
    ) -> Result<FieldNode, InspectError> {
        let mut n = Self::node(raw);
        n.name = f.name().to_string();
        n.type_name = value::kind_name(f);
        let kind = f.kind();
        match (raw.wire, &kind) {
            (Wire::Group, Kind::Message(m)) => {
                let at = self.pos;
                n.children = self.fields(Some(m), depth + 1, Some(raw.number))?;
                n.value_range = at..self.pos;
                n.value = format!("{} {{{}}}", m.name(), n.children.len());
            }
            (Wire::Len, Kind::Message(m)) => {
                n.children = inspect_in(self.buf, raw.value.clone(), Some(m), depth + 1)?;
                n.value = format!("{} {{{}}}", m.name(), n.children.len());
            }
            (Wire::Len, Kind::String) => n.value = value::string(&self.buf[raw.value.clone()]),
            (Wire::Len, Kind::Bytes) => n.value = value::bytes(&self.buf[raw.value.clone()]),
            (Wire::Len, _) => {
                // A packed repeated scalar: each element is a child.
                let mut r = Reader {
                    buf: self.buf,
                    pos: raw.value.start,
                    end: raw.value.end,
                };
                let mut items = Vec::new();
                while r.pos < r.end {
                    let at = r.pos;
                    let v = match value::scalar_wire(&kind) {
                        Wire::Fixed64 => r.fixed(8, "a packed i64 element")?.1,
                        Wire::Fixed32 => r.fixed(4, "a packed i32 element")?.1,
                        _ => r.varint()?,
                    };
                    let shown = value::scalar(&kind, v);
                    items.push(shown.clone());
                    n.children.push(FieldNode {
                        name: format!("{}[{}]", f.name(), n.children.len()),
                        value: shown,
                        range: at..r.pos,
                        value_range: at..r.pos,
                        wire: value::scalar_wire(&kind),
                        ..Self::node(raw)
                    });
                }
                n.value = format!("[{}]", items.join(", "));
            }
            _ => n.value = value::scalar(&kind, raw.int),
        }
        Ok(n)
    }

    /// A field read without a type: every likely reading.
    fn untyped(&mut self, raw: &Raw, depth: usize) -> Result<FieldNode, InspectError> {
        let mut n = Self::node(raw);
        match raw.wire {
            Wire::Group => {
                let at = self.pos;
                n.children = self.fields(None, depth + 1, Some(raw.number))?;
                n.value_range = at..self.pos;
                n.value = format!("group {{{}}}", n.children.len());
            }
            Wire::Len => {
                let bytes = &self.buf[raw.value.clone()];
                let nested = (!bytes.is_empty() && depth < MAX_DEPTH)
                    .then(|| inspect_in(self.buf, raw.value.clone(), None, depth + 1).ok())
                    .flatten();
                n.readings = value::len_readings(bytes, nested.as_ref().map(Vec::len));
                n.children = nested.unwrap_or_default();
            }
            _ => n.readings = value::number_readings(raw.wire, raw.int),
        }
        if let Some(first) = n.readings.first() {
            n.value = first.value.clone();
        }
        Ok(n)
    }
}

/// The fields of a nested message held in `buf[range]`.
fn inspect_in(
    buf: &[u8],
    range: Range<usize>,
    desc: Option<&MessageDescriptor>,
    depth: usize,
) -> Result<Vec<FieldNode>, InspectError> {
    let mut r = Reader {
        buf,
        pos: range.start,
        end: range.end,
    };
    r.fields(desc, depth, None)
}

/// Whether a field of this descriptor may arrive with this wire type (packed or not).
fn wire_fits(f: &FieldDescriptor, wire: Wire) -> bool {
    let kind = f.kind();
    match kind {
        Kind::Message(_) if f.is_group() => wire == Wire::Group,
        Kind::Message(_) | Kind::String | Kind::Bytes => wire == Wire::Len,
        _ => wire == value::scalar_wire(&kind) || (wire == Wire::Len && f.is_list()),
    }
}

/// Types "detect type" suggests at most.
pub const SUGGESTIONS: usize = 5;

/// What the inspector view shows for one payload: its reading as a type (or raw) and the
/// schema's best-fitting types.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectView {
    /// The type read as; empty when raw.
    pub type_name: String,
    /// The messages, or why the bytes do not read as the type.
    pub result: Result<Vec<InspectedMessage>, InspectError>,
    pub suggestions: Vec<Suggestion>,
}

/// Reads `bytes` as `type_name` of `schema` (raw when the name is empty), and ranks the schema's
/// types on them. A name the schema does not know is the error; bad bytes are in `result`.
pub fn inspect_view(
    bytes: &[u8],
    schema: Option<&super::Schema>,
    type_name: &str,
    framing: &Framing,
) -> Result<InspectView, InspectError> {
    let name = type_name.trim();
    let desc = match (name.is_empty(), schema) {
        (true, _) => None,
        (false, Some(s)) => Some(s.message(name)?),
        (false, None) => return Err(ProtoError::NoSchema.into()),
    };
    let suggestions = schema
        .map(|s| rank_types(s.pool(), bytes, SUGGESTIONS))
        .unwrap_or_default();
    Ok(InspectView {
        type_name: desc
            .as_ref()
            .map(|d| d.full_name().to_string())
            .unwrap_or_default(),
        result: inspect(bytes, framing, desc.as_ref(), schema.map(|s| s.pool())),
        suggestions,
    })
}
