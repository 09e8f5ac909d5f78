//! Protobuf for `sockpit connect`: `--schema F [-I DIR] --send-type T --recv-type T --framing ...`
//! turn JSON given to `--send` (and lines on stdin) into binary messages, and show binary
//! messages received as decoded JSON (`"decoded": {...}` with `--json`).

use std::sync::Arc;

use bytes::Bytes;
use sockpit_core::proto::{Framing, PayloadCodec, ProtoError, Schema};
use sockpit_core::ws::{Direction, Outgoing};

use crate::args::ConnectArgs;

/// The connection's protobuf settings; `None` when no `--schema` is given.
pub type Codec = Option<Arc<PayloadCodec>>;

/// A failure to set protobuf up: `(usage?, message)`.
pub struct SetupError {
    pub usage: bool,
    pub message: String,
}

/// Loads the schema and resolves the types and framing, before anything connects.
pub fn load(a: &ConnectArgs) -> Result<Codec, SetupError> {
    let wants = a.send_type.is_some() || a.recv_type.is_some() || a.framing != "none";
    if a.schema.is_empty() {
        return if wants {
            Err(SetupError {
                usage: true,
                message:
                    "--send-type, --recv-type and --framing need --schema F.proto (or F.binpb)"
                        .into(),
            })
        } else {
            Ok(None)
        };
    }
    let framing: Framing = a.framing.parse().map_err(|e: ProtoError| SetupError {
        usage: true,
        message: e.to_string(),
    })?;
    let failed = |e: ProtoError| SetupError {
        usage: false,
        message: e.to_string(),
    };
    let schema = Schema::load(&a.schema, &a.include).map_err(failed)?;
    let codec = PayloadCodec::new(
        schema,
        a.send_type.as_deref(),
        a.recv_type.as_deref(),
        framing,
    )
    .map_err(failed)?;
    Ok(Some(Arc::new(codec)))
}

/// A `--send` text or a stdin line: encoded to binary when a send type is set, else text.
pub fn outgoing(codec: &Codec, text: String) -> Result<Outgoing, String> {
    match codec.as_deref().filter(|c| c.encodes()) {
        Some(c) => c
            .encode_json(&text)
            .map(|b| Outgoing::Binary(Bytes::from(b)))
            .map_err(|e| e.to_string()),
        None => Ok(Outgoing::Text(text)),
    }
}

/// The decoded form of a binary message as compact JSON text (fields in declaration order), if
/// there is a type to decode it with.
pub fn decode(codec: &Codec, dir: Direction, data: &[u8]) -> Option<Result<String, ProtoError>> {
    let c = codec.as_deref()?;
    match dir {
        Direction::In if c.decodes() => Some(c.decode_json_text(data, false)),
        Direction::Out if c.encodes() => Some(c.decode_json_text(data, true)),
        _ => None,
    }
}

/// `,"decoded":{...}` or `,"decode_error":{"code":..,"message":..}` for a JSON message event.
pub fn json_fields(codec: &Codec, dir: Direction, data: &[u8]) -> String {
    match decode(codec, dir, data) {
        None => String::new(),
        Some(Ok(v)) => format!(r#","decoded":{v}"#),
        Some(Err(e)) => format!(
            r#","decode_error":{}"#,
            serde_json::json!({"code": e.code(), "message": e.to_string()})
        ),
    }
}
