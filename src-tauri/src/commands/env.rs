//! Environments over `sockpit_core::store`: list every collection's environments, create, edit
//! name and variables (secret flag included), delete, and pick the active one (a setting).

use sockpit_core::collection::model::Variable;
use sockpit_core::secrets::SecretScope;
use sockpit_core::store::Store;
use tauri::State;

use crate::commands::store::{
    store_err, with_secrets, with_store, with_store_and_secrets, StoreState,
};
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
                    // A secret's value stays in the secret store; the editor shows it as hidden.
                    value: if v.secret {
                        String::new()
                    } else {
                        v.value.unwrap_or_default()
                    },
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

/// Replaces an environment's name and variables (rows without a name are dropped). A secret's
/// value goes to the secret store (the OS credential store, or the database when that is
/// unavailable), never into the variables table; an empty secret value leaves the stored one.
/// On a rename the environment's secrets move to the new name (refused, unchanged, when the OS
/// store cannot move one).
#[tauri::command]
pub fn env_update(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: i64,
    name: String,
    variables: Vec<VariableDto>,
) -> Result<(), AppError> {
    update_environment(&app, &st, id, name, variables)
}

pub fn update_environment(
    app: &AppState,
    st: &StoreState,
    id: i64,
    name: String,
    variables: Vec<VariableDto>,
) -> Result<(), AppError> {
    let env = with_store(app, st, |s| {
        Ok(s.environments()?.into_iter().find(|e| e.id == id))
    })?
    .ok_or_else(|| AppError::new("store.not_found", format!("no environment with id {id}")))?;
    let name = name.trim().to_string();
    let name = if name.is_empty() {
        env.name.clone()
    } else {
        name
    };
    // New values go under the current name first; the rename below moves them with the rest.
    let scope = SecretScope::environment(&env.collection, &env.name);
    let mut vars: Vec<Variable> = Vec::new();
    for v in variables.into_iter().filter(|v| !v.name.trim().is_empty()) {
        let var_name = v.name.trim().to_string();
        if v.secret {
            if !v.value.is_empty() {
                with_secrets(app, st, |s| s.set(&scope, &var_name, &v.value))?;
            }
        } else if env.variables.iter().any(|o| o.name == var_name && o.secret) {
            // No longer secret: its stored value goes.
            with_secrets(app, st, |s| s.remove(&scope, &var_name).map(|_| ()))?;
        }
        vars.push(Variable {
            name: var_name,
            value: (!v.secret).then_some(v.value),
            secret: v.secret,
            placeholder: None,
        });
    }
    with_store_and_secrets(app, st, |s, secrets| {
        Ok(((), secrets.update_environment(s, id, &name, &vars)?))
    })
}

#[tauri::command]
pub fn env_delete(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    id: i64,
) -> Result<(), AppError> {
    delete_environment(&app, &st, id)
}

/// Deletes an environment and its secrets (a secret that cannot be removed stays on record,
/// with a warning on stderr).
pub fn delete_environment(app: &AppState, st: &StoreState, id: i64) -> Result<(), AppError> {
    with_store_and_secrets(app, st, |s, secrets| {
        Ok(((), secrets.delete_environment(s, id)?))
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto_store::{ExtrasDto, KvDto, RequestSpec};
    use crate::state::lock;

    #[test]
    fn secret_values_go_to_the_secret_store_and_reach_the_connection() {
        // The database backend: no OS credential store is needed here.
        std::env::set_var(sockpit_core::secrets::BACKEND_ENV, "database");
        let dir = std::env::temp_dir().join(format!("sockpit-app-env-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let app = AppState::default();
        *lock(&app.data_dir) = Some(dir.clone());
        let st = StoreState::default();
        let env = with_store(&app, &st, |s| {
            let c = s.create_collection("C")?;
            let e = s.add_environment(c, "dev")?;
            s.set_setting(ACTIVE, &e.to_string())?;
            Ok(e)
        })
        .expect("setup");
        let var = |name: &str, value: &str, secret: bool| VariableDto {
            name: name.into(),
            value: value.into(),
            secret,
        };
        update_environment(
            &app,
            &st,
            env,
            "dev".into(),
            vec![
                var("host", "127.0.0.1:9", false),
                var("token", "s3cr3t", true),
            ],
        )
        .expect("save");
        let stored = with_store(&app, &st, |s| s.environments()).expect("envs");
        let token = stored[0].variables.iter().find(|v| v.name == "token");
        assert_eq!(
            token.map(|v| (v.secret, v.value.clone())),
            Some((true, None))
        );
        // Saving again with an empty secret keeps the stored value.
        update_environment(
            &app,
            &st,
            env,
            "dev".into(),
            vec![var("host", "127.0.0.1:9", false), var("token", "", true)],
        )
        .expect("save again");
        let spec = RequestSpec {
            name: "r".into(),
            url: "ws://{{host}}/x".into(),
            params: vec![],
            headers: vec![KvDto {
                name: "X-T".into(),
                value: "{{token}}".into(),
                enabled: true,
            }],
            subprotocols: vec![],
            auth: serde_json::Value::Null,
            settings: serde_json::Value::Null,
            messages: vec![],
            sse_url: String::new(),
            extras: ExtrasDto::default(),
        };
        let cfg =
            crate::commands::store::connect_config(&app, &st, &spec, None, false).expect("config");
        assert_eq!(cfg.url, "ws://127.0.0.1:9/x");
        assert!(cfg.headers.contains(&("X-T".into(), "s3cr3t".into())));
        assert!(cfg.redact.contains(&"s3cr3t".to_string()));

        // Renaming the environment, then its collection: the secret follows both.
        update_environment(
            &app,
            &st,
            env,
            "staging".into(),
            vec![var("host", "127.0.0.1:9", false), var("token", "", true)],
        )
        .expect("rename the environment");
        let collection =
            with_store(&app, &st, |s| s.environments()).expect("envs")[0].collection_id;
        crate::commands::store::rename_node(&app, &st, "collection", collection, "D")
            .expect("rename the collection");
        let cfg =
            crate::commands::store::connect_config(&app, &st, &spec, None, false).expect("config");
        assert!(
            cfg.headers.contains(&("X-T".into(), "s3cr3t".into())),
            "{:?}",
            cfg.headers
        );
        let list = with_secrets(&app, &st, |s| s.list()).expect("list");
        assert_eq!(
            list.iter()
                .map(|e| (e.scope.as_str(), e.name.as_str()))
                .collect::<Vec<_>>(),
            [("collection/D/env/staging", "token")]
        );
        // A refused rename reaches the UI as {code, message}.
        with_store(&app, &st, |s| s.create_collection("E")).expect("E");
        let e = crate::commands::store::rename_node(&app, &st, "collection", collection, "E")
            .expect_err("taken");
        assert_eq!(e.code, "store.duplicate_name");
        // Deleting the environment deletes its secret.
        delete_environment(&app, &st, env).expect("delete");
        assert!(with_secrets(&app, &st, |s| s.list())
            .expect("list")
            .is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
