//! The collections tree over `sockpit_core::store`: list, create, rename, duplicate, delete,
//! reorder and move; load and save a request. The store is opened on first use (in the data
//! directory shared with the CLI), and the old `app-requests.json` is imported once then.

use std::path::Path;
use std::sync::Mutex;

use sockpit_core::collection::model::{Collection, Item, MessageKind, Request, SavedMessage};
use sockpit_core::secrets::{SecretError, SecretStore};
use sockpit_core::store::{NodeKind, Store, StoreError, TreeNode};
use tauri::State;

use crate::dto::{AppError, SavedRequest};
use crate::dto_store::{RequestSpec, StoredRequestDto, TreeNodeDto};
use crate::request_map::{model_to_spec, spec_to_model};
use crate::state::{data_dir, lock, AppState};

/// Where requests saved without a collection go (and where `app-requests.json` is imported).
pub const DEFAULT_COLLECTION: &str = "My requests";
const OLD_FILE: &str = "app-requests.json";

/// The open store and the secret store (local values of secret variables: the OS credential
/// store, or the database when that is unavailable), behind std mutexes (never held across
/// `.await`).
#[derive(Default)]
pub struct StoreState {
    store: Mutex<Option<Store>>,
    secrets: Mutex<Option<SecretStore>>,
}

pub fn secret_err(e: SecretError) -> AppError {
    AppError::new(e.code(), e.to_string())
}

/// Runs `f` on the secret store of the data directory.
pub fn with_secrets<T>(
    app: &AppState,
    st: &StoreState,
    f: impl FnOnce(&mut SecretStore) -> Result<T, SecretError>,
) -> Result<T, AppError> {
    let mut slot = lock(&st.secrets);
    if slot.is_none() {
        *slot = Some(SecretStore::new(&data_dir(app)?));
    }
    match slot.as_mut() {
        Some(s) => f(s).map_err(secret_err),
        None => Err(AppError::new("app.store", "the secret store is not open")),
    }
}

/// Runs `f` on the store and the secret store together, for changes whose secrets follow them
/// (renames, deletes, duplicates). Locks the store, then the secret store (nothing locks them the
/// other way round). Warnings (a secret left on record, one not copied) go to stderr: the change
/// itself went ahead.
pub fn with_store_and_secrets<T>(
    app: &AppState,
    st: &StoreState,
    f: impl FnOnce(&mut Store, &mut SecretStore) -> Result<(T, Vec<String>), SecretError>,
) -> Result<T, AppError> {
    let dir = data_dir(app)?;
    let (out, warnings) = with_store_app(app, st, |store| {
        let mut slot = lock(&st.secrets);
        let secrets = slot.get_or_insert_with(|| SecretStore::new(&dir));
        f(store, secrets).map_err(secret_err)
    })?;
    for w in warnings {
        eprintln!("sockpit: warning: {w}");
    }
    Ok(out)
}

pub fn store_err(e: StoreError) -> AppError {
    AppError::new(e.code(), e.to_string())
}

/// Runs `f` on the store, opening it (and importing the old requests file) the first time.
pub fn with_store<T>(
    app: &AppState,
    st: &StoreState,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
) -> Result<T, AppError> {
    with_store_app(app, st, |s| f(s).map_err(store_err))
}

/// `with_store` for work whose errors are already the UI's.
pub fn with_store_app<T>(
    app: &AppState,
    st: &StoreState,
    f: impl FnOnce(&mut Store) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut slot = lock(&st.store);
    if slot.is_none() {
        let dir = data_dir(app)?;
        let mut store = Store::open_in(&dir).map_err(store_err)?;
        import_old_requests(&mut store, &dir)?;
        *slot = Some(store);
    }
    match slot.as_mut() {
        Some(s) => f(s),
        None => Err(AppError::new("app.store", "the store is not open")),
    }
}

/// The engine configuration for the editor's request: variables from the active environment,
/// `collection` and globals; relative certificate paths resolve in the data directory.
pub fn connect_config(
    app: &AppState,
    st: &StoreState,
    spec: &RequestSpec,
    collection: Option<i64>,
    reconnect: bool,
) -> Result<sockpit_core::ws::ConnectConfig, AppError> {
    let dir = data_dir(app)?;
    let vars = request_vars(app, st, collection)?;
    let mut cfg = crate::request_map::connect_config(spec, &vars, reconnect, &dir)?;
    // Secret values never show in upgrade reports or handshake errors.
    cfg.redact = vars.secret_values();
    Ok(cfg)
}

/// The SSE pane's subscription to `sse_url` with the request's headers, auth, TLS and proxy (see
/// `request_map::sse_config`), the auth pattern left out because it needs a WebSocket, and the
/// secret values to keep out of the pane.
pub fn sse_config(
    app: &AppState,
    st: &StoreState,
    spec: &RequestSpec,
    sse_url: &str,
    collection: Option<i64>,
) -> Result<(sockpit_core::sse::SseConfig, Option<String>, Vec<String>), AppError> {
    let dir = data_dir(app)?;
    let vars = request_vars(app, st, collection)?;
    let (cfg, left_out) = crate::request_map::sse_config(spec, sse_url, &vars, &dir)?;
    Ok((cfg, left_out, vars.secret_values()))
}

/// Variables for a request of `collection`: active environment, collection, globals, with secret
/// variables filled from the secret store.
fn request_vars(
    app: &AppState,
    st: &StoreState,
    collection: Option<i64>,
) -> Result<sockpit_core::template::Vars, AppError> {
    let mut layers = with_store_app(app, st, |s| crate::request_map::layers_for(s, collection))?;
    // Secret variables take their local values from the secret store (only those without one).
    for layer in &mut layers {
        for v in layer
            .vars
            .iter_mut()
            .filter(|v| v.secret && v.value.is_none())
        {
            v.value = with_secrets(app, st, |s| s.get(&layer.scope, &v.name))?;
        }
    }
    Ok(crate::request_map::vars_of(layers))
}

/// Imports `app-requests.json` into the default collection once, then renames it `.imported`.
pub fn import_old_requests(store: &mut Store, dir: &Path) -> Result<(), AppError> {
    let path = dir.join(OLD_FILE);
    if !path.exists() {
        return Ok(());
    }
    let old: Vec<SavedRequest> = super::requests::load(&path)?;
    let requests: Vec<Request> = old
        .iter()
        .map(|r| Request {
            name: r.name.clone(),
            url: r.url.clone(),
            messages: r
                .messages
                .iter()
                .map(|m| SavedMessage {
                    name: m
                        .lines()
                        .next()
                        .unwrap_or("message")
                        .chars()
                        .take(40)
                        .collect(),
                    kind: MessageKind::Text,
                    body: m.clone(),
                    delay_ms: None,
                })
                .collect(),
            ..Request::default()
        })
        .collect();
    let collection = default_collection(store).map_err(store_err)?;
    for r in &requests {
        store.add_request(collection, None, r).map_err(store_err)?;
    }
    let done = path.with_extension("json.imported");
    std::fs::rename(&path, &done).map_err(|e| {
        AppError::new(
            "app.requests_io",
            format!("imported {} but could not rename it: {e}", path.display()),
        )
    })
}

fn default_collection(store: &mut Store) -> Result<i64, StoreError> {
    match store.find_collection(DEFAULT_COLLECTION)? {
        Some(id) => Ok(id),
        None => store.insert_collection(&Collection {
            name: DEFAULT_COLLECTION.into(),
            items: Vec::<Item>::new(),
            ..Collection::default()
        }),
    }
}

fn kind(s: &str) -> Result<NodeKind, AppError> {
    match s {
        "collection" => Ok(NodeKind::Collection),
        "folder" => Ok(NodeKind::Folder),
        "request" => Ok(NodeKind::Request),
        _ => Err(AppError::new(
            "app.invalid_kind",
            format!("'{s}' is not collection, folder or request"),
        )),
    }
}

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

fn non_empty(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(AppError::new("app.empty_name", "a name cannot be empty"));
    }
    Ok(n.to_string())
}

#[tauri::command]
pub fn store_tree(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
) -> Result<Vec<TreeNodeDto>, AppError> {
    let tree = with_store(&app, &st, |s| s.tree())?;
    Ok(tree.into_iter().map(node_dto).collect())
}

/// Creates a collection, or a folder or an empty request in `collection` (under `folder`).
#[tauri::command]
pub fn store_create(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    kind: String,
    name: String,
    collection: Option<i64>,
    folder: Option<i64>,
) -> Result<i64, AppError> {
    let name = non_empty(&name)?;
    let need = || AppError::new("app.no_collection", "pick a collection first");
    match kind.as_str() {
        "collection" => with_store(&app, &st, |s| s.create_collection(&name)),
        "folder" => {
            let c = collection.ok_or_else(need)?;
            with_store(&app, &st, |s| s.add_folder(c, folder, &name))
        }
        "request" => {
            let c = collection.ok_or_else(need)?;
            let r = Request {
                name,
                ..Request::default()
            };
            with_store(&app, &st, |s| s.add_request(c, folder, &r))
        }
        other => Err(AppError::new(
            "app.invalid_kind",
            format!("cannot create a '{other}'"),
        )),
    }
}

#[tauri::command]
pub fn store_rename(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    kind: String,
    id: i64,
    name: String,
) -> Result<(), AppError> {
    rename_node(&app, &st, &kind, id, &name)
}

/// Renames a collection, folder or request; a collection's secrets move with it (refused,
/// unchanged, when the OS credential store cannot move one).
pub fn rename_node(
    app: &AppState,
    st: &StoreState,
    kind: &str,
    id: i64,
    name: &str,
) -> Result<(), AppError> {
    let (k, name) = (self::kind(kind)?, non_empty(name)?);
    with_store_and_secrets(app, st, |s, secrets| {
        Ok(((), secrets.rename_node(s, k, id, &name)?))
    })
}

#[tauri::command]
pub fn store_duplicate(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    kind: String,
    id: i64,
) -> Result<i64, AppError> {
    let k = self::kind(&kind)?;
    with_store_and_secrets(&app, &st, |s, secrets| secrets.duplicate_node(s, k, id))
}

#[tauri::command]
pub fn store_delete(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    kind: String,
    id: i64,
) -> Result<(), AppError> {
    let k = self::kind(&kind)?;
    with_store_and_secrets(&app, &st, |s, secrets| {
        Ok(((), secrets.delete_node(s, k, id)?))
    })
}

/// Moves a folder or request `delta` places among its siblings (-1 up, 1 down).
#[tauri::command]
pub fn store_move(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    kind: String,
    id: i64,
    delta: i32,
) -> Result<(), AppError> {
    let k = self::kind(&kind)?;
    with_store(&app, &st, |s| s.move_node(k, id, delta))
}

/// Moves a folder or request into `collection` (under `folder`, or at its top level).
#[tauri::command]
pub fn store_reparent(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    kind: String,
    id: i64,
    collection: i64,
    folder: Option<i64>,
) -> Result<(), AppError> {
    let k = self::kind(&kind)?;
    with_store(&app, &st, |s| s.reparent_node(k, id, collection, folder))
}

#[tauri::command]
pub fn request_get(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: i64,
) -> Result<StoredRequestDto, AppError> {
    let (r, (collection_id, _)) = with_store(&app, &st, |s| {
        Ok((s.load_request(id)?, s.request_location(id)?))
    })?;
    Ok(StoredRequestDto {
        id,
        collection_id,
        spec: model_to_spec(&r),
    })
}

/// Saves over request `id`, or (without one) adds it to `collection` or the default collection.
#[tauri::command]
pub fn request_save(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: Option<i64>,
    collection: Option<i64>,
    spec: RequestSpec,
) -> Result<StoredRequestDto, AppError> {
    let mut model = spec_to_model(&spec)?;
    if model.name.is_empty() {
        model.name = if model.url.is_empty() {
            "Untitled".into()
        } else {
            model.url.clone()
        };
    }
    let (id, collection_id) = with_store(&app, &st, |s| match id {
        Some(id) => {
            s.update_request(id, &model)?;
            Ok((id, s.request_location(id)?.0))
        }
        None => {
            let c = match collection {
                Some(c) => c,
                None => default_collection(s)?,
            };
            Ok((s.add_request(c, None, &model)?, c))
        }
    })?;
    let mut spec = spec;
    spec.name = model.name;
    Ok(StoredRequestDto {
        id,
        collection_id,
        spec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_the_old_requests_file_once() {
        let dir = std::env::temp_dir().join(format!("sockpit-app-import-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let old = vec![SavedRequest {
            id: "1".into(),
            name: "Echo".into(),
            url: "ws://127.0.0.1:1/echo".into(),
            messages: vec!["first".into(), "{\"second\":2}".into()],
            sse_url: String::new(),
        }];
        super::super::requests::store(&dir.join(OLD_FILE), &old).expect("write old file");
        let mut store = Store::open_in(&dir).expect("store");
        import_old_requests(&mut store, &dir).expect("import");
        import_old_requests(&mut store, &dir).expect("second call is a no-op");
        assert!(!dir.join(OLD_FILE).exists());
        assert!(dir.join("app-requests.json.imported").exists());
        let tree = store.tree().expect("tree");
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].name, DEFAULT_COLLECTION);
        assert_eq!(tree[0].children.len(), 1, "imported once");
        let r = store.load_request(tree[0].children[0].id).expect("request");
        assert_eq!(r.name, "Echo");
        let bodies: Vec<&str> = r.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["first", "{\"second\":2}"]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
