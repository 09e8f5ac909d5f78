//! Environments over core's `app` API: list every collection's environments (secret values never
//! cross), create, edit name and variables (a secret's value goes to the secret store), delete,
//! pick the active one, and the variable names a request can use.

use sockpit_core::app::EnvVarInput;
use tauri::State;

use crate::dto::AppError;
use crate::dto_store::{EnvironmentDto, VariableDto};
use crate::state::AppState;

#[tauri::command]
pub async fn env_list(st: State<'_, AppState>) -> Result<Vec<EnvironmentDto>, AppError> {
    let envs = st.blocking(|a| a.environments()).await?;
    Ok(envs
        .into_iter()
        .map(|e| EnvironmentDto {
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
            active: e.active,
        })
        .collect())
}

#[tauri::command]
pub async fn env_create(
    st: State<'_, AppState>,
    collection: i64,
    name: String,
) -> Result<i64, AppError> {
    st.blocking(move |a| a.create_environment(collection, &name))
        .await
}

/// Replaces an environment's name and variables; an empty secret value keeps the stored one.
#[tauri::command]
pub async fn env_update(
    st: State<'_, AppState>,
    id: i64,
    name: String,
    variables: Vec<VariableDto>,
) -> Result<(), AppError> {
    let rows = variables
        .into_iter()
        .map(|v| EnvVarInput {
            name: v.name,
            value: v.value,
            secret: v.secret,
        })
        .collect();
    st.blocking(move |a| a.update_environment(id, &name, rows))
        .await
}

/// Deletes an environment and its secrets.
#[tauri::command]
pub async fn env_delete(st: State<'_, AppState>, id: i64) -> Result<(), AppError> {
    st.blocking(move |a| a.delete_environment(id)).await
}

/// Makes `id` the active environment (`None`: no environment).
#[tauri::command]
pub async fn env_select(st: State<'_, AppState>, id: Option<i64>) -> Result<(), AppError> {
    st.blocking(move |a| a.select_environment(id)).await
}

/// Variable names a request of `collection` can use, for the URL highlighting.
#[tauri::command]
pub async fn env_known(
    st: State<'_, AppState>,
    collection: Option<i64>,
) -> Result<Vec<String>, AppError> {
    st.blocking(move |a| a.known_variables(collection)).await
}
