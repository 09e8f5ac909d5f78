//! Environments over `sockpit_core::store`: list every collection's environments, create, edit
//! name and variables (secret flag included), delete, and pick the active one (a setting).

use sockpit_core::collection::model::Variable;
use sockpit_core::store::Store;
use tauri::State;

use crate::commands::store::{store_err, with_store, StoreState};
use crate::dto::AppError;
use crate::dto_store::{EnvironmentDto, VariableDto};
use crate::state::AppState;

/// The setting holding the active environment's id.
const ACTIVE: &str = "app.active_environment";

/// The active environment's id, if one is picked.
pub fn active_environment(store: &Store) -> Result<Option<i64>, AppError> {
    Ok(store
        .setting(ACTIVE)
        .map_err(store_err)?
        .and_then(|v| v.parse().ok()))
}

#[tauri::command]
pub fn env_list(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
) -> Result<Vec<EnvironmentDto>, AppError> {
    let (envs, active) = with_store(&app, &st, |s| {
        let active = s.setting(ACTIVE)?.and_then(|v| v.parse::<i64>().ok());
        Ok((s.environments()?, active))
    })?;
    Ok(envs
        .into_iter()
        .map(|e| EnvironmentDto {
            active: Some(e.id) == active,
            id: e.id,
            collection_id: e.collection_id,
            collection: e.collection,
            name: e.name,
            variables: e
                .variables
                .into_iter()
                .map(|v| VariableDto {
                    name: v.name,
                    value: v.value.unwrap_or_default(),
                    secret: v.secret,
                })
                .collect(),
        })
        .collect())
}

#[tauri::command]
pub fn env_create(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    collection: i64,
    name: String,
) -> Result<i64, AppError> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::new("app.empty_name", "a name cannot be empty"));
    }
    with_store(&app, &st, |s| s.add_environment(collection, &name))
}

/// Replaces an environment's name and variables (rows without a name are dropped).
#[tauri::command]
pub fn env_update(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: i64,
    name: String,
    variables: Vec<VariableDto>,
) -> Result<(), AppError> {
    let vars: Vec<Variable> = variables
        .into_iter()
        .filter(|v| !v.name.trim().is_empty())
        .map(|v| Variable {
            name: v.name.trim().to_string(),
            value: Some(v.value),
            secret: v.secret,
            placeholder: None,
        })
        .collect();
    with_store(&app, &st, |s| s.update_environment(id, name.trim(), &vars))
}

#[tauri::command]
pub fn env_delete(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: i64,
) -> Result<(), AppError> {
    with_store(&app, &st, |s| s.delete_environment(id))
}

/// Makes `id` the active environment (`None`: no environment).
#[tauri::command]
pub fn env_select(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: Option<i64>,
) -> Result<(), AppError> {
    let v = id.map(|i| i.to_string()).unwrap_or_default();
    with_store(&app, &st, |s| s.set_setting(ACTIVE, &v))
}

/// Variable names a request of `collection` can use (active environment, collection, globals),
/// for the URL highlighting.
#[tauri::command]
pub fn env_known(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    collection: Option<i64>,
) -> Result<Vec<String>, AppError> {
    with_store(&app, &st, |s| {
        let active = s.setting(ACTIVE)?.and_then(|v| v.parse::<i64>().ok());
        let mut names: Vec<String> = Vec::new();
        for e in s.environments()? {
            if Some(e.id) == active {
                names.extend(e.variables.into_iter().map(|v| v.name));
            }
        }
        if let Some(c) = collection {
            names.extend(s.collection_variables(c)?.into_iter().map(|v| v.name));
        }
        names.extend(s.globals()?.into_iter().map(|v| v.name));
        names.sort();
        names.dedup();
        Ok(names)
    })
}
