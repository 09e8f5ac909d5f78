//! The protobuf inspector: one log row (or given bytes) read as a type or raw into a field tree
//! with byte ranges, and the loaded schema's types ranked on those bytes.

use sockpit_core::proto::{self, Framing};
use tauri::State;

use super::log::log_of;
use crate::dto::AppError;
use std::sync::Mutex;

use sockpit_core::SessionLog;

use crate::dto_proto::{ProtoInspectArgs, ProtoInspectDto};
use crate::inspect::InspectState;
use crate::state::{lock, off_thread, AppState};

/// Payload bytes the inspector reads at most (every byte is a cell of its hex view).
pub const INSPECT_BYTES: usize = 16 * 1024;

/// The field tree of a row (`session` + `index`) or of `hex`; `type_name` `None` reads with the
/// type in use (raw without one), `""` raw, else that type of the loaded schema.
#[tauri::command]
pub async fn proto_inspect(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    args: ProtoInspectArgs,
) -> Result<ProtoInspectDto, AppError> {
    let log = args.session.map(|s| log_of(&state, s)).transpose()?;
    let (schema, in_use) = {
        let p = lock(&inspect.proto);
        let in_use = p
            .codec
            .as_ref()
            .and_then(|c| c.recv_type())
            .map(|d| d.full_name().to_string());
        (p.schema.clone(), in_use)
    };
    off_thread(move || {
        let bytes = payload(log.as_deref(), &args)?;
        let type_name = args.type_name.clone().or(in_use).unwrap_or_default();
        let view = proto::inspect_view(&bytes, schema.as_ref(), &type_name, &Framing::None)?;
        Ok::<_, AppError>(ProtoInspectDto::new(&bytes, view))
    })
    .await
}

/// The bytes to read: the row's payload, or `hex`; refused past `INSPECT_BYTES`.
fn payload(log: Option<&Mutex<SessionLog>>, args: &ProtoInspectArgs) -> Result<Vec<u8>, AppError> {
    let bytes = match (log, args.index, &args.hex) {
        (Some(log), Some(index), _) => {
            let l = lock(log);
            let row = l.get(index as usize).ok_or_else(|| {
                AppError::new("app.no_row", format!("row {index} is not in the log"))
            })?;
            row.data.to_vec()
        }
        (_, _, Some(hex)) => sockpit_core::payload::parse_hex(hex)?.to_vec(),
        _ => {
            return Err(AppError::new(
                "app.inspect_args",
                "give a session and row, or the bytes as hex",
            ))
        }
    };
    if bytes.len() > INSPECT_BYTES {
        return Err(AppError::new(
            "app.inspect_too_large",
            format!(
                "the payload is {} bytes; the inspector reads up to {} KiB",
                bytes.len(),
                INSPECT_BYTES / 1024
            ),
        ));
    }
    Ok(bytes)
}
