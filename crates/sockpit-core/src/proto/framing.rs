//! Framing: how a WebSocket payload wraps its protobuf message(s). None, a leading type byte
//! mapped to message types, a varint length prefix (several messages may follow one another),
//! or gRPC's 5-byte prefix (compressed flag + big-endian length).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::ProtoError;

/// Configured per request; `none` unless the protocol wraps its messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Framing {
    #[default]
    None,
    /// The first byte names the type: `{1: "game.Move", 2: "game.Chat"}`.
    TypeByte { types: BTreeMap<u8, String> },
    /// Each message is preceded by its length as a varint (protobuf's `writeDelimitedTo`).
    VarintLength,
    /// Each message is preceded by a flag byte (0 = uncompressed) and a 4-byte big-endian length.
    Grpc,
}

/// One message cut out of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Where the message's own bytes start in the payload.
    pub offset: usize,
    /// The type named by a type byte, when the framing has one.
    pub type_name: Option<&'a str>,
    pub payload: &'a [u8],
}

fn framing_err(msg: impl Into<String>) -> ProtoError {
    ProtoError::Framing(msg.into())
}

impl Framing {
    /// Cuts a payload into its messages.
    pub fn split<'a>(&'a self, bytes: &'a [u8]) -> Result<Vec<Frame<'a>>, ProtoError> {
        match self {
            Framing::None => Ok(vec![Frame {
                offset: 0,
                type_name: None,
                payload: bytes,
            }]),
            Framing::TypeByte { types } => {
                let Some((&b, rest)) = bytes.split_first() else {
                    return Err(framing_err("the payload is empty, so it has no type byte"));
                };
                let name = types.get(&b).ok_or_else(|| {
                    framing_err(format!(
                        "type byte {b} (0x{b:02x}) is not mapped to a message type; mapped: {}",
                        mapping_list(types)
                    ))
                })?;
                Ok(vec![Frame {
                    offset: 1,
                    type_name: Some(name),
                    payload: rest,
                }])
            }
            Framing::VarintLength => split_varint(bytes),
            Framing::Grpc => split_grpc(bytes),
        }
    }

    /// Wraps one encoded message. `type_name` picks the type byte (full or short name).
    pub fn wrap(&self, message: &[u8], type_name: Option<&str>) -> Result<Vec<u8>, ProtoError> {
        match self {
            Framing::None => Ok(message.to_vec()),
            Framing::TypeByte { types } => {
                let name = type_name.unwrap_or("");
                let byte = types
                    .iter()
                    .find(|(_, t)| names_match(t, name))
                    .map(|(b, _)| *b)
                    .ok_or_else(|| {
                        framing_err(format!(
                            "no type byte is mapped to '{name}'; mapped: {}",
                            mapping_list(types)
                        ))
                    })?;
                let mut out = Vec::with_capacity(message.len() + 1);
                out.push(byte);
                out.extend_from_slice(message);
                Ok(out)
            }
            Framing::VarintLength => {
                let mut out = Vec::with_capacity(message.len() + 5);
                prost::encoding::encode_varint(message.len() as u64, &mut out);
                out.extend_from_slice(message);
                Ok(out)
            }
            Framing::Grpc => {
                let len = u32::try_from(message.len())
                    .map_err(|_| framing_err("message longer than 4 GiB for a gRPC prefix"))?;
                let mut out = Vec::with_capacity(message.len() + 5);
                out.push(0);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(message);
                Ok(out)
            }
        }
    }
}

/// `pkg.Move` matches `pkg.Move`, `.pkg.Move` and `Move`, either way round.
fn names_match(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches('.');
    let b = b.trim_start_matches('.');
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

fn mapping_list(types: &BTreeMap<u8, String>) -> String {
    if types.is_empty() {
        return "(none)".into();
    }
    types
        .iter()
        .map(|(b, t)| format!("{b}={t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn split_varint(bytes: &[u8]) -> Result<Vec<Frame<'_>>, ProtoError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let mut len: u64 = 0;
        let mut done = false;
        for i in 0..10 {
            let Some(&b) = bytes.get(pos) else { break };
            pos += 1;
            len |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                done = true;
                break;
            }
        }
        if !done {
            return Err(framing_err(format!(
                "length prefix at byte {start} is not a valid varint (cut short or over 10 bytes)"
            )));
        }
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| pos.checked_add(l))
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| {
                framing_err(format!(
                    "message {} at byte {start} claims {len} bytes but only {} remain (truncated, or not length-prefixed)",
                    out.len() + 1,
                    bytes.len() - pos
                ))
            })?;
        out.push(Frame {
            offset: pos,
            type_name: None,
            payload: &bytes[pos..end],
        });
        pos = end;
    }
    Ok(out)
}

fn split_grpc(bytes: &[u8]) -> Result<Vec<Frame<'_>>, ProtoError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(head) = bytes.get(pos..pos + 5) else {
            return Err(framing_err(format!(
                "gRPC prefix at byte {pos} needs 5 bytes but only {} remain",
                bytes.len() - pos
            )));
        };
        match head[0] {
            0 => {}
            1 => {
                return Err(framing_err(
                    "compressed gRPC messages (flag 1) are not supported; ask the server for identity encoding",
                ))
            }
            f => {
                return Err(framing_err(format!(
                    "gRPC flag byte at {pos} is {f}, not 0 or 1: the payload is not gRPC-framed"
                )))
            }
        }
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let start = pos + 5;
        let end = start
            .checked_add(len)
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| {
                framing_err(format!(
                    "gRPC message at byte {pos} claims {len} bytes but only {} remain (truncated?)",
                    bytes.len() - start
                ))
            })?;
        out.push(Frame {
            offset: start,
            type_name: None,
            payload: &bytes[start..end],
        });
        pos = end;
    }
    Ok(out)
}

impl FromStr for Framing {
    type Err = ProtoError;

    /// `none`, `varint`, `grpc`, or `type-byte:1=pkg.Move,2=pkg.Chat` (bytes in decimal or 0x hex).
    fn from_str(s: &str) -> Result<Framing, ProtoError> {
        let s = s.trim();
        match s {
            "none" | "" => return Ok(Framing::None),
            "varint" | "varint-length" | "delimited" => return Ok(Framing::VarintLength),
            "grpc" => return Ok(Framing::Grpc),
            _ => {}
        }
        let Some(spec) = s
            .strip_prefix("type-byte:")
            .or_else(|| s.strip_prefix("type-byte="))
        else {
            return Err(framing_err(format!(
                "unknown framing '{s}': use none, varint, grpc or type-byte:1=pkg.A,2=pkg.B"
            )));
        };
        let mut types = BTreeMap::new();
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (b, t) = item.split_once('=').ok_or_else(|| {
                framing_err(format!(
                    "'{item}' is not BYTE=TYPE (for example 1=pkg.Move)"
                ))
            })?;
            let b = b.trim();
            let byte = match b.strip_prefix("0x").or_else(|| b.strip_prefix("0X")) {
                Some(h) => u8::from_str_radix(h, 16),
                None => b.parse::<u8>(),
            }
            .map_err(|_| framing_err(format!("type byte '{b}' is not a number from 0 to 255")))?;
            if types.insert(byte, t.trim().to_string()).is_some() {
                return Err(framing_err(format!("type byte {byte} is mapped twice")));
            }
        }
        if types.is_empty() {
            return Err(framing_err(
                "type-byte framing needs at least one BYTE=TYPE, e.g. type-byte:1=pkg.Move",
            ));
        }
        Ok(Framing::TypeByte { types })
    }
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Framing::None => f.write_str("none"),
            Framing::VarintLength => f.write_str("varint"),
            Framing::Grpc => f.write_str("grpc"),
            Framing::TypeByte { types } => {
                let items: Vec<String> = types.iter().map(|(b, t)| format!("{b}={t}")).collect();
                write!(f, "type-byte:{}", items.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_specs() {
        for s in ["none", "varint", "grpc", "type-byte:1=a.Move,16=a.Chat"] {
            assert_eq!(s.parse::<Framing>().unwrap().to_string(), s);
        }
        assert_eq!(
            "type-byte:0x10=a.B".parse::<Framing>().unwrap().to_string(),
            "type-byte:16=a.B"
        );
        for bad in [
            "zip",
            "type-byte:",
            "type-byte:x=a",
            "type-byte:300=a",
            "type-byte:1=a,1=b",
        ] {
            let e = bad.parse::<Framing>().unwrap_err();
            assert_eq!(e.code(), "proto.framing", "{bad}");
        }
    }

    #[test]
    fn round_trips_every_framing() {
        let tb: Framing = "type-byte:1=a.Move,2=a.Chat".parse().unwrap();
        for framing in [Framing::None, Framing::VarintLength, Framing::Grpc, tb] {
            let wrapped = framing.wrap(b"\x08\x01", Some("Chat")).unwrap();
            let frames = framing.split(&wrapped).unwrap();
            assert_eq!(frames.len(), 1);
            assert_eq!(frames[0].payload, b"\x08\x01");
            if let Framing::TypeByte { .. } = framing {
                assert_eq!(wrapped[0], 2);
                assert_eq!(frames[0].type_name, Some("a.Chat"));
            }
        }
    }

    #[test]
    fn several_length_prefixed_messages() {
        let mut b = Framing::VarintLength.wrap(b"\x08\x01", None).unwrap();
        b.extend(Framing::VarintLength.wrap(&[0x12; 200], None).unwrap());
        b.extend(Framing::VarintLength.wrap(b"", None).unwrap());
        let f = Framing::VarintLength.split(&b).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[1].payload.len(), 200);
        assert_eq!(f[1].offset, 5);
        let mut g = Framing::Grpc.wrap(b"ab", None).unwrap();
        g.extend(Framing::Grpc.wrap(b"cde", None).unwrap());
        assert_eq!(Framing::Grpc.split(&g).unwrap()[1].payload, b"cde");
    }

    #[test]
    fn bad_frames_are_clear_errors() {
        let tb: Framing = "type-byte:1=a.Move".parse().unwrap();
        let cases: Vec<(Framing, &[u8], &str)> = vec![
            (tb.clone(), b"", "empty"),
            (tb.clone(), b"\x07\x08", "not mapped"),
            (Framing::VarintLength, b"\x05ab", "claims 5"),
            (Framing::VarintLength, b"\xff\xff", "not a valid varint"),
            (Framing::Grpc, b"\x00\x00", "needs 5"),
            (Framing::Grpc, b"\x01\x00\x00\x00\x00", "compressed"),
            (Framing::Grpc, b"\x07\x00\x00\x00\x00", "not gRPC"),
            (Framing::Grpc, b"\x00\x00\x00\x00\x09ab", "claims 9"),
        ];
        for (f, bytes, want) in cases {
            let e = f.split(bytes).unwrap_err();
            assert!(e.to_string().contains(want), "{f}: {e}");
        }
        assert!(tb.wrap(b"", Some("Nope")).is_err());
    }
}
