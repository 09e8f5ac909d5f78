//! Protobuf in the window: load a schema from a path, choose the send/receive type (the codec the
//! composer encodes with and the log decodes with), and a JSON skeleton of a type.

use std::path::PathBuf;
use std::sync::Arc;

use sockpit_core::proto::{self, Framing, PayloadCodec, ProtoError, Schema};
use tauri::State;

use crate::dto::AppError;
use crate::dto_inspect::ProtoSchemaDto;
use crate::inspect::InspectState;
use crate::state::lock;

/// Loads a `.proto` file (its own directory is the import path) or a descriptor set; the types
/// in use are reset.
#[tauri::command]
pub async fn proto_load(
    inspect: State<'_, InspectState>,
    path: String,
) -> Result<ProtoSchemaDto, AppError> {
    let path = path.trim().to_string();
    let file = PathBuf::from(&path);
    let schema = tokio::task::spawn_blocking(move || Schema::load(&[file], &[]))
        .await
        .map_err(|e| AppError::new("app.proto_load", e.to_string()))?
        .map_err(AppError::from)?;
    let types = schema
        .message_types()
        .into_iter()
        .filter(|t| !t.well_known)
        .map(|t| t.name)
        .collect();
    let mut p = lock(&inspect.proto);
    p.path = path.clone();
    p.schema = Some(schema);
    p.codec = None;
    Ok(ProtoSchemaDto { path, types })
}

/// Sets the message type used to encode protobuf-JSON sends and decode binary rows; an empty
/// name turns protobuf off.
#[tauri::command]
pub async fn proto_set_type(
    inspect: State<'_, InspectState>,
    type_name: String,
) -> Result<(), AppError> {
    let mut p = lock(&inspect.proto);
    let name = type_name.trim();
    if name.is_empty() {
        p.codec = None;
        return Ok(());
    }
    let schema = p.schema.clone().ok_or(ProtoError::NoSchema)?;
    let codec =
        PayloadCodec::new(schema, Some(name), Some(name), Framing::None).map_err(AppError::from)?;
    p.codec = Some(Arc::new(codec));
    Ok(())
}

/// A JSON skeleton of `type_name` (fields in declaration order) for the composer.
#[tauri::command]
pub async fn proto_skeleton(
    inspect: State<'_, InspectState>,
    type_name: String,
) -> Result<String, AppError> {
    let p = lock(&inspect.proto);
    let schema = p.schema.as_ref().ok_or(ProtoError::NoSchema)?;
    let desc = schema.message(type_name.trim()).map_err(AppError::from)?;
    Ok(proto::skeleton(&desc, false, proto::DEFAULT_SKELETON_DEPTH).text)
}
