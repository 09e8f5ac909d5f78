//! The collections tree and the request editor over core's `app` API: list, create, rename,
//! duplicate, delete, reorder and move; load and save a request (literal credentials go to the
//! secret store). Each command maps its arguments and runs the call off the async threads.

use sockpit_core::app::{parse_node_kind, parse_protocol};
use sockpit_core::store::{NodeKind, TreeNode};
use tauri::State;

use crate::dto::AppError;
use crate::dto_store::{RequestSpec, StoredRequestDto, TreeNodeDto};
use crate::request_map::{model_to_spec, spec_to_model};
use crate::state::AppState;

fn node_dto(n: TreeNode) -> TreeNodeDto {
    TreeNodeDto {
        kind: match n.kind {
            NodeKind::Collection => "collection",
            NodeKind::Folder => "folder",
            NodeKind::Request => "request",
        }
        .into(),
        id: n.id,
        name: n.name,
        protocol: n.protocol,
        children: n.children.into_iter().map(node_dto).collect(),
    }
}

#[tauri::command]
pub async fn store_tree(st: State<'_, AppState>) -> Result<Vec<TreeNodeDto>, AppError> {
    let tree = st.blocking(|a| a.tree()).await?;
    Ok(tree.into_iter().map(node_dto).collect())
}

/// Creates a collection, or a folder or an empty request in `collection` (under `folder`).
#[tauri::command]
pub async fn store_create(
    st: State<'_, AppState>,
    kind: String,
    name: String,
    collection: Option<i64>,
    folder: Option<i64>,
    protocol: Option<String>,
) -> Result<i64, AppError> {
    let k = parse_node_kind(&kind)?;
    let p = protocol.as_deref().map(parse_protocol).transpose()?;
    st.blocking(move |a| match (k, p, collection) {
        (NodeKind::Request, Some(p), Some(c)) => a.create_request(&name, p, c, folder),
        _ => a.create_node(k, &name, collection, folder),
    })
    .await
}

/// Renames a node; a collection's secrets move with it (refused, unchanged, when the OS
/// credential store cannot move one).
#[tauri::command]
pub async fn store_rename(
    st: State<'_, AppState>,
    kind: String,
    id: i64,
    name: String,
) -> Result<(), AppError> {
    let k = parse_node_kind(&kind)?;
    st.blocking(move |a| a.rename_node(k, id, &name)).await
}

#[tauri::command]
pub async fn store_duplicate(
    st: State<'_, AppState>,
    kind: String,
    id: i64,
) -> Result<i64, AppError> {
    let k = parse_node_kind(&kind)?;
    st.blocking(move |a| a.duplicate_node(k, id)).await
}

#[tauri::command]
pub async fn store_delete(st: State<'_, AppState>, kind: String, id: i64) -> Result<(), AppError> {
    let k = parse_node_kind(&kind)?;
    st.blocking(move |a| a.delete_node(k, id)).await
}

/// Moves a folder or request `delta` places among its siblings (-1 up, 1 down).
#[tauri::command]
pub async fn store_move(
    st: State<'_, AppState>,
    kind: String,
    id: i64,
    delta: i32,
) -> Result<(), AppError> {
    let k = parse_node_kind(&kind)?;
    st.blocking(move |a| a.move_node(k, id, delta)).await
}

/// Moves a folder or request into `collection` (under `folder`, or at its top level).
#[tauri::command]
pub async fn store_reparent(
    st: State<'_, AppState>,
    kind: String,
    id: i64,
    collection: i64,
    folder: Option<i64>,
) -> Result<(), AppError> {
    let k = parse_node_kind(&kind)?;
    st.blocking(move |a| a.reparent_node(k, id, collection, folder))
        .await
}

#[tauri::command]
pub async fn request_get(st: State<'_, AppState>, id: i64) -> Result<StoredRequestDto, AppError> {
    let (r, collection_id) = st.blocking(move |a| a.load_request(id)).await?;
    Ok(StoredRequestDto {
        id,
        collection_id,
        spec: model_to_spec(&r),
    })
}

/// Saves over request `id`, or (without one) adds it to `collection` or the default collection.
/// Literal credentials come back as `{{auth_...}}` references: their values are secrets now.
#[tauri::command]
pub async fn request_save(
    st: State<'_, AppState>,
    id: Option<i64>,
    collection: Option<i64>,
    spec: RequestSpec,
) -> Result<StoredRequestDto, AppError> {
    let model = spec_to_model(&spec)?;
    let keep_scripts = spec.scripts.is_none();
    let saved = st
        .blocking(move |a| a.save_request_from_editor(id, collection, model, keep_scripts))
        .await?;
    let spec = RequestSpec {
        sse_url: spec.sse_url,
        ..model_to_spec(&saved.request)
    };
    Ok(StoredRequestDto {
        id: saved.id,
        collection_id: saved.collection_id,
        spec,
    })
}
