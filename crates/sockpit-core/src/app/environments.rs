//! Environments and their secrets: list (secret values never leave), create, update (a secret's
//! value goes to the secret store, never into the variables table), delete, pick the active one,
//! and the variable names a request can use.

use crate::collection::model::Variable;
use crate::secrets::SecretScope;
use crate::store::Store;

use super::requests::non_empty;
use super::{App, AppError};

/// The setting holding the active environment's id.
pub const ACTIVE_ENVIRONMENT: &str = "app.active_environment";

/// An environment as the editor shows it: secret variables carry no value.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentView {
    pub id: i64,
    pub collection_id: i64,
    pub collection: String,
    pub name: String,
    pub variables: Vec<Variable>,
    pub active: bool,
}

/// One row of the environment editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVarInput {
    pub name: String,
    /// For a secret, the new value; empty keeps the stored one.
    pub value: String,
    pub secret: bool,
}

/// The active environment's id, if one is picked.
pub fn active_environment(store: &Store) -> Result<Option<i64>, AppError> {
    Ok(store
        .setting(ACTIVE_ENVIRONMENT)?
        .and_then(|v| v.parse().ok()))
}

impl App {
    /// Every collection's environments, the active one marked; secret values are left out.
    pub fn environments(&self) -> Result<Vec<EnvironmentView>, AppError> {
        self.with_store(|s| {
            let active = active_environment(s)?;
            Ok(s.environments()?
                .into_iter()
                .map(|e| EnvironmentView {
                    active: Some(e.id) == active,
                    id: e.id,
                    collection_id: e.collection_id,
                    collection: e.collection,
                    name: e.name,
                    variables: e
                        .variables
                        .into_iter()
                        .map(|v| Variable {
                            value: if v.secret { None } else { v.value },
                            ..v
                        })
                        .collect(),
                })
                .collect())
        })
    }

    pub fn create_environment(&self, collection: i64, name: &str) -> Result<i64, AppError> {
        let name = non_empty(name)?;
        self.with_store(|s| Ok(s.add_environment(collection, &name)?))
    }

    /// Replaces an environment's name and variables (rows without a name are dropped). A secret's
    /// value goes to the secret store; an empty secret value leaves the stored one; a variable no
    /// longer secret loses its stored value. On a rename the secrets move to the new name
    /// (refused, unchanged, when the OS store cannot move one). An empty name keeps the old one.
    pub fn update_environment(
        &self,
        id: i64,
        name: &str,
        variables: Vec<EnvVarInput>,
    ) -> Result<(), AppError> {
        self.with_both(|s, secrets| {
            let env = s.environments()?.into_iter().find(|e| e.id == id).ok_or(
                crate::store::StoreError::NotFound {
                    what: "environment",
                    id,
                },
            )?;
            let name = match name.trim() {
                "" => env.name.clone(),
                n => n.to_string(),
            };
            // New values go under the current name first; the rename below moves them.
            let scope = SecretScope::environment(&env.collection, &env.name);
            let mut vars: Vec<Variable> = Vec::new();
            for v in variables.into_iter().filter(|v| !v.name.trim().is_empty()) {
                let var_name = v.name.trim().to_string();
                if v.secret {
                    if !v.value.is_empty() {
                        secrets.set(&scope, &var_name, &v.value)?;
                    }
                } else if env.variables.iter().any(|o| o.name == var_name && o.secret) {
                    secrets.remove(&scope, &var_name)?;
                }
                vars.push(Variable {
                    name: var_name,
                    value: (!v.secret).then_some(v.value),
                    secret: v.secret,
                    placeholder: None,
                });
            }
            Ok(((), secrets.update_environment(s, id, &name, &vars)?))
        })
    }

    /// Sets variables of environment `environment` of stored collection `collection` (what
    /// scripts saved with scope `environment`): a secret variable's value goes to the secret
    /// store, a plain one into the row, a new name becomes a plain variable.
    pub fn set_environment_variables(
        &self,
        collection: &str,
        environment: &str,
        updates: &[(String, String)],
    ) -> Result<(), AppError> {
        let env = self
            .with_store(|s| Ok(s.environments()?))?
            .into_iter()
            .find(|e| e.collection == collection && e.name == environment)
            .ok_or_else(|| AppError::Invalid {
                code: "app.environment_not_found",
                message: format!(
                    "collection '{collection}' has no environment '{environment}' to save script variables into"
                ),
            })?;
        let mut vars: Vec<EnvVarInput> = env
            .variables
            .iter()
            .map(|v| EnvVarInput {
                name: v.name.clone(),
                // Empty keeps a secret's stored value.
                value: if v.secret {
                    String::new()
                } else {
                    v.value.clone().unwrap_or_default()
                },
                secret: v.secret,
            })
            .collect();
        for (name, value) in updates {
            match vars.iter_mut().find(|v| &v.name == name) {
                Some(v) => v.value = value.clone(),
                None => vars.push(EnvVarInput {
                    name: name.clone(),
                    value: value.clone(),
                    secret: false,
                }),
            }
        }
        self.update_environment(env.id, "", vars)
    }

    /// Deletes an environment and its secrets (one that cannot be removed stays on record, with
    /// a notice).
    pub fn delete_environment(&self, id: i64) -> Result<(), AppError> {
        self.with_both(|s, secrets| Ok(((), secrets.delete_environment(s, id)?)))
    }

    /// Makes `id` the active environment (`None`: no environment).
    pub fn select_environment(&self, id: Option<i64>) -> Result<(), AppError> {
        let v = id.map(|i| i.to_string()).unwrap_or_default();
        self.with_store(|s| Ok(s.set_setting(ACTIVE_ENVIRONMENT, &v)?))
    }

    /// Variable names a request of `collection` can use (active environment, collection,
    /// globals), sorted, for the URL highlighting.
    pub fn known_variables(&self, collection: Option<i64>) -> Result<Vec<String>, AppError> {
        self.with_store(|s| {
            let active = active_environment(s)?;
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
}
