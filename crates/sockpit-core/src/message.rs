//! One message encoder for every face: the window's composer and saved messages under `sockpit run`
//! turn text, JSON, hex, base64, a file or protobuf JSON into the message that goes on the wire
//! here, with the same rules and the same errors.

use std::path::Path;

use bytes::Bytes;

use crate::collection::model::MessageKind;
use crate::payload::{parse_base64, parse_hex, read_file, PayloadError};
use crate::proto::PayloadCodec;
use crate::ws::Outgoing;

/// The message `body` of `kind` as it goes on the wire: text as is, JSON checked, hex and base64
/// decoded, a file read (`base_dir` resolves a relative path), protobuf JSON encoded with
/// `codec`'s send type. Nothing is sent when this fails.
pub fn encode_message(
    kind: MessageKind,
    body: &str,
    base_dir: &Path,
    codec: Option<&PayloadCodec>,
) -> Result<Outgoing, PayloadError> {
    Ok(match kind {
        MessageKind::Text => Outgoing::Text(body.to_string()),
        MessageKind::Json => {
            serde_json::from_str::<serde_json::Value>(body)
                .map_err(|e| PayloadError::InvalidJson(e.to_string()))?;
            Outgoing::Text(body.to_string())
        }
        MessageKind::Hex => Outgoing::Binary(parse_hex(body)?),
        MessageKind::Base64 => Outgoing::Binary(parse_base64(body)?),
        MessageKind::File => {
            let p = Path::new(body.trim());
            if body.trim().is_empty() {
                return Err(PayloadError::File {
                    path: String::new(),
                    reason: "no file given: choose the file to send".into(),
                });
            }
            let p = if p.is_absolute() {
                p.to_path_buf()
            } else {
                base_dir.join(p)
            };
            Outgoing::Binary(read_file(&p)?)
        }
        MessageKind::Protobuf => {
            let codec = codec
                .filter(|c| c.encodes())
                .ok_or(PayloadError::NoProtoType)?;
            Outgoing::Binary(Bytes::from(codec.encode_json(body).map_err(|e| {
                PayloadError::Proto {
                    code: e.code(),
                    message: e.to_string(),
                }
            })?))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_each_kind_once_for_every_face() {
        let dir = Path::new(".");
        let enc = |k, b: &str| encode_message(k, b, dir, None);
        assert_eq!(
            enc(MessageKind::Hex, "0x01 0x02").unwrap(),
            Outgoing::Binary(Bytes::from_static(&[1, 2]))
        );
        assert_eq!(
            enc(MessageKind::Json, "{").unwrap_err().code(),
            "payload.invalid_json"
        );
        assert_eq!(
            enc(MessageKind::Protobuf, "{}").unwrap_err().code(),
            "payload.no_proto_type"
        );
        assert_eq!(
            enc(MessageKind::File, " ").unwrap_err().code(),
            "payload.file"
        );
        assert_eq!(
            enc(MessageKind::Text, "hi").unwrap(),
            Outgoing::Text("hi".into())
        );
    }
}
