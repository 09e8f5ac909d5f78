//! Local secret values: the OS credential store when there is one, the local database otherwise.
//!
//! A secret variable's value (and so every secret auth field, which refers to one as
//! `{{variable}}`) lives on this machine only. [`SecretStore`] keeps it in the OS credential store
//! through the `keyring` crate (Keychain, Windows Credential Manager, the Secret Service on Linux).
//! On first use it probes that store by writing, reading back and deleting a test entry; when that
//! fails (a headless Linux box has no Secret Service) it falls back to the `secrets` table of the
//! local database and says so once ([`SecretStore::take_warning`], [`SecretStatus::warning`]).
//!
//! The database always keeps an index row per secret (scope, name, backend), so listing needs no
//! keychain access and a file run without secrets never touches the credential store. Values never
//! appear in `Debug` output, errors or the status.
//!
//! A secret with an OS entry stays on record while the OS store is unavailable: setting it again
//! then keeps the new value in the database but the row still says `keyring`, and removing it is an
//! error (`secret.store_unavailable`) rather than a dropped row with the entry left behind; once
//! the store is back, removing it deletes the entry and the row.
//!
//! Secrets are keyed by collection and environment names, so renaming, deleting or duplicating a
//! collection or environment goes through [`SecretStore::rename_node`],
//! [`SecretStore::update_environment`], [`SecretStore::delete_node`],
//! [`SecretStore::delete_environment`] and [`SecretStore::duplicate_node`] (`follow.rs`): the
//! secrets move, go or are copied with them, OS entries included.

mod error;
mod extract;
mod follow;
mod keyring_backend;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::{NotMoved, SecretError};
pub use extract::extract_literal_secrets;
pub use follow::secret_command;

use crate::collection::model::{Collection, Variable};
// `SecretScope` is the key of the `secrets` table, so the store defines it.
use crate::store::secrets::SecretRow;
pub use crate::store::secrets::SecretScope;
use crate::store::{Store, DB_FILE};

/// Where one secret's value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The OS credential store.
    Keyring,
    /// The local database (the fallback).
    Database,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keyring => "keyring",
            Backend::Database => "database",
        }
    }
}

/// What the window and `sockpit secret status` show about where secrets go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretStatus {
    /// Where new secrets go.
    pub backend: Backend,
    /// The OS store's name on this platform (`Secret Service`, `Keychain`, `Credential Manager`).
    pub os_store: &'static str,
    /// Set when secrets fall back to the database: why, and that the file needs protecting.
    pub warning: Option<String>,
    /// The database file (the fallback's location).
    pub database: String,
}

/// One local secret, without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretEntry {
    /// `''`, `collection/C` or `collection/C/env/E`.
    pub scope: String,
    pub name: String,
    pub backend: Backend,
}

/// The result of the probe: the OS store works, or why it does not.
#[derive(Debug, Clone)]
enum Probe {
    Keyring,
    Fallback { reason: String },
}

/// Local secret values for one data directory.
pub struct SecretStore {
    data_dir: PathBuf,
    service: String,
    probe: Option<Probe>,
    store: Option<Store>,
    warned: bool,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("data_dir", &self.data_dir)
            .field("probe", &self.probe)
            .finish()
    }
}

/// `SOCKPIT_SECRET_BACKEND=database` turns the OS store off (for machines where it prompts).
pub const BACKEND_ENV: &str = "SOCKPIT_SECRET_BACKEND";

impl SecretStore {
    /// Secrets of the data directory `data_dir`. Nothing is opened or probed until first use.
    pub fn new(data_dir: &Path) -> SecretStore {
        // Entries of the default data directory are `sockpit`'s; others carry their directory, so
        // two data directories on one machine never share a secret by accident.
        let default = crate::store::default_data_dir();
        let service = if default.as_deref() == Some(data_dir) {
            "sockpit".to_string()
        } else {
            format!("sockpit {}", data_dir.display())
        };
        SecretStore {
            data_dir: data_dir.to_path_buf(),
            service,
            probe: None,
            store: None,
            warned: false,
        }
    }

    /// Secrets of `data_dir` kept in the database only, as when there is no OS store (tests).
    #[cfg(test)]
    pub(crate) fn database_only(data_dir: &Path) -> SecretStore {
        let mut s = SecretStore::new(data_dir);
        s.probe = Some(Probe::Fallback {
            reason: "no OS store in this test".into(),
        });
        s
    }

    fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    /// The OS store's name here.
    pub fn os_store_name() -> &'static str {
        keyring_backend::os_store_name()
    }

    fn probe(&mut self) -> &Probe {
        if self.probe.is_none() {
            let forced = std::env::var(BACKEND_ENV).ok();
            let p = if forced.as_deref() == Some("database") {
                tracing::info!("secrets: OS store turned off by {BACKEND_ENV}=database");
                Probe::Fallback {
                    reason: format!("turned off by {BACKEND_ENV}=database"),
                }
            } else {
                match keyring_backend::probe(&self.service) {
                    Ok(()) => {
                        tracing::debug!(store = Self::os_store_name(), "secrets: OS store works");
                        Probe::Keyring
                    }
                    Err(reason) => {
                        tracing::warn!(
                            store = Self::os_store_name(),
                            "secrets: OS store probe failed, falling back to the local database: {reason}"
                        );
                        Probe::Fallback { reason }
                    }
                }
            };
            self.probe = Some(p);
        }
        self.probe.as_ref().unwrap_or(&Probe::Keyring)
    }

    /// Where new secrets go, probing the OS store on first call.
    pub fn backend(&mut self) -> Backend {
        match self.probe() {
            Probe::Keyring => Backend::Keyring,
            Probe::Fallback { .. } => Backend::Database,
        }
    }

    fn warning_text(&self, reason: &str) -> String {
        format!(
            "no OS credential store ({} unavailable: {reason}); secrets are kept in the local database {} — protect that file",
            Self::os_store_name(),
            self.db_path().display()
        )
    }

    /// The fallback warning the first time it applies in this process, then `None`.
    pub fn take_warning(&mut self) -> Option<String> {
        if self.warned {
            return None;
        }
        let Some(Probe::Fallback { reason }) = self.probe.clone() else {
            return None;
        };
        self.warned = true;
        Some(self.warning_text(&reason))
    }

    /// Where secrets go and any warning, probing the OS store.
    pub fn status(&mut self) -> SecretStatus {
        let warning = match self.probe().clone() {
            Probe::Keyring => None,
            Probe::Fallback { reason } => Some(self.warning_text(&reason)),
        };
        SecretStatus {
            backend: self.backend(),
            os_store: Self::os_store_name(),
            warning,
            database: self.db_path().display().to_string(),
        }
    }

    /// The database, opened (and created) on first use.
    fn store(&mut self) -> Result<&mut Store, SecretError> {
        if self.store.is_none() {
            self.store = Some(Store::open_in(&self.data_dir)?);
        }
        self.store.as_mut().ok_or(SecretError::NoDatabase)
    }

    /// The database only when it exists already (reading never creates one).
    fn existing_store(&mut self) -> Result<Option<&mut Store>, SecretError> {
        if self.store.is_none() && !self.db_path().exists() {
            return Ok(None);
        }
        self.store().map(Some)
    }

    fn account(scope: &SecretScope, name: &str) -> String {
        format!("{}#{name}", scope.key())
    }

    /// Sets a secret's local value; returns where it went.
    pub fn set(
        &mut self,
        scope: &SecretScope,
        name: &str,
        value: &str,
    ) -> Result<Backend, SecretError> {
        if name.trim().is_empty() {
            return Err(SecretError::EmptyName);
        }
        let backend = self.backend();
        let row = match backend {
            Backend::Keyring => {
                keyring_backend::set(&self.service, &Self::account(scope, name), value).map_err(
                    |reason| SecretError::Backend {
                        op: "store",
                        name: name.into(),
                        scope: scope.describe(),
                        reason,
                    },
                )?;
                SecretRow {
                    scope: scope.key(),
                    name: name.into(),
                    backend: "keyring".into(),
                    value: None,
                }
            }
            Backend::Database => {
                // A secret that has an OS entry keeps it on record (backend `keyring` with the
                // value here), so that `remove` deletes that entry once the store is back.
                let had_os_entry = self
                    .existing_store()?
                    .map(|s| s.secret_row(&scope.key(), name))
                    .transpose()?
                    .flatten()
                    .is_some_and(|r| r.backend == "keyring");
                SecretRow {
                    scope: scope.key(),
                    name: name.into(),
                    backend: if had_os_entry { "keyring" } else { "database" }.into(),
                    value: Some(value.into()),
                }
            }
        };
        self.store()?.put_secret_row(&row)?;
        Ok(backend)
    }

    /// A secret's local value; `None` when it has none on this machine.
    pub fn get(&mut self, scope: &SecretScope, name: &str) -> Result<Option<String>, SecretError> {
        let row = match self.existing_store()? {
            Some(s) => s.secret_row(&scope.key(), name)?,
            None => None,
        };
        match row {
            None => Ok(None),
            Some(r) => self.value_of(&r),
        }
    }

    fn value_of(&mut self, row: &SecretRow) -> Result<Option<String>, SecretError> {
        if row.backend != "keyring" || row.value.is_some() {
            // Probed so that the fallback warning shows whenever a secret comes from the database.
            // A `keyring` row with a value was set while the OS store was unavailable: that value
            // is the newer one.
            self.probe();
            return Ok(row.value.clone());
        }
        let scope = SecretScope::from_key(&row.scope);
        if let Probe::Fallback { reason } = self.probe().clone() {
            return Err(SecretError::Unavailable {
                name: row.name.clone(),
                scope: scope.describe(),
                store: Self::os_store_name(),
                reason,
            });
        }
        keyring_backend::get(&self.service, &Self::account(&scope, &row.name)).map_err(|reason| {
            SecretError::Backend {
                op: "read",
                name: row.name.clone(),
                scope: scope.describe(),
                reason,
            }
        })
    }

    /// Removes a secret's local value; `false` when it had none. A secret with an entry in the OS
    /// store while that store is unavailable is not removed at all (`secret.store_unavailable`):
    /// dropping its row would leave the entry behind, out of reach.
    pub fn remove(&mut self, scope: &SecretScope, name: &str) -> Result<bool, SecretError> {
        let Some(store) = self.existing_store()? else {
            return Ok(false);
        };
        let Some(row) = store.secret_row(&scope.key(), name)? else {
            return Ok(false);
        };
        if row.backend == "keyring" {
            if let Probe::Fallback { reason } = self.probe().clone() {
                return Err(SecretError::RemoveUnavailable {
                    name: name.into(),
                    scope: scope.describe(),
                    store: Self::os_store_name(),
                    reason,
                });
            }
            keyring_backend::delete(&self.service, &Self::account(scope, name)).map_err(
                |reason| SecretError::Backend {
                    op: "delete",
                    name: name.into(),
                    scope: scope.describe(),
                    reason,
                },
            )?;
        }
        Ok(self.store()?.delete_secret_row(&scope.key(), name)?)
    }

    /// Every local secret (names and where they live, no values).
    pub fn list(&mut self) -> Result<Vec<SecretEntry>, SecretError> {
        let Some(store) = self.existing_store()? else {
            return Ok(Vec::new());
        };
        Ok(store
            .secret_rows(None)?
            .into_iter()
            .map(|r| SecretEntry {
                // Where the value is read from (a `keyring` row with a value has it here).
                backend: if r.backend == "keyring" && r.value.is_none() {
                    Backend::Keyring
                } else {
                    Backend::Database
                },
                scope: r.scope,
                name: r.name,
            })
            .collect())
    }

    /// Gives the secret variables of `collection` (its variables and environments) and `globals`
    /// their local values. A secret set for a scope but not declared there is added to it as a
    /// secret variable, so `sockpit secret set token --collection C` is enough for `{{token}}`.
    pub fn fill(
        &mut self,
        collection: &mut Collection,
        globals: &mut Vec<Variable>,
    ) -> Result<(), SecretError> {
        let mut scopes = vec![
            SecretScope::globals(),
            SecretScope::collection(&collection.name),
        ];
        for e in &collection.environments {
            scopes.push(SecretScope::environment(&collection.name, &e.name));
        }
        let keys: Vec<String> = scopes.iter().map(SecretScope::key).collect();
        let rows = match self.existing_store()? {
            Some(s) => s.secret_rows(Some(&keys))?,
            None => return Ok(()),
        };
        // Only secrets the collection refers to are read: an OS store that is unavailable now
        // fails the run only when the run needs one of its secrets.
        let used = referenced_names(collection, globals);
        for row in rows.into_iter().filter(|r| used.contains(&r.name)) {
            let value = self.value_of(&row)?;
            let Some(value) = value else { continue };
            let vars: &mut Vec<Variable> = if row.scope.is_empty() {
                &mut *globals
            } else if row.scope == keys[1] {
                &mut collection.variables
            } else {
                let Some(i) = keys.iter().skip(2).position(|k| *k == row.scope) else {
                    continue;
                };
                &mut collection.environments[i].variables
            };
            match vars.iter_mut().rev().find(|v| v.name == row.name) {
                Some(v) => {
                    v.value = Some(value);
                    v.secret = true;
                }
                None => vars.push(Variable {
                    name: row.name.clone(),
                    value: Some(value),
                    secret: true,
                    placeholder: None,
                }),
            }
        }
        Ok(())
    }
}

/// Every `{{name}}` the collection (requests, variable values) and the globals refer to.
fn referenced_names(c: &Collection, globals: &[Variable]) -> std::collections::HashSet<String> {
    let mut text = serde_json::to_string(c).unwrap_or_default();
    text.push_str(&serde_json::to_string(globals).unwrap_or_default());
    let mut out = std::collections::HashSet::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.insert(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    // Scripts read variables by name (`sp.vars.get('token')`): a quoted name in a script counts.
    for (_, r) in crate::collection::model::requests_with_path(&c.items) {
        for body in r.scripts.hooks().values() {
            for quote in ['\'', '"', '`'] {
                let mut parts = body.split(quote).skip(1).step_by(2);
                for p in parts.by_ref() {
                    if !p.is_empty() && p.len() <= 64 && !p.contains(char::is_whitespace) {
                        out.insert(p.to_string());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::Environment;

    /// A store whose OS credential store probe has failed (as on a headless box).
    fn fallback(dir: &Path) -> SecretStore {
        let mut s = SecretStore::new(dir);
        s.probe = Some(Probe::Fallback {
            reason: "no session bus".into(),
        });
        s
    }

    #[test]
    fn fill_gives_values_by_scope_and_adds_undeclared_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = fallback(dir.path());
        s.set(&SecretScope::globals(), "g", "global-v").unwrap();
        s.set(&SecretScope::collection("C"), "token", "coll-v")
            .unwrap();
        s.set(&SecretScope::environment("C", "ci"), "token", "env-v")
            .unwrap();
        s.set(&SecretScope::collection("Other"), "token", "other-v")
            .unwrap();
        let warning = s.take_warning().unwrap();
        assert!(warning.contains("no session bus") && warning.contains("protect that file"));
        assert_eq!(s.take_warning(), None, "the warning is given once");
        let mut c = Collection {
            name: "C".into(),
            variables: vec![
                Variable {
                    name: "token".into(),
                    value: None,
                    secret: true,
                    placeholder: None,
                },
                Variable::plain("uses", "{{token}} {{ g }}"),
            ],
            environments: vec![Environment {
                name: "ci".into(),
                variables: vec![],
            }],
            ..Default::default()
        };
        let mut globals = Vec::new();
        s.fill(&mut c, &mut globals).unwrap();
        assert_eq!(c.variables[0].value.as_deref(), Some("coll-v"));
        assert_eq!(c.environments[0].variables[0].name, "token");
        assert_eq!(
            c.environments[0].variables[0].value.as_deref(),
            Some("env-v")
        );
        assert!(c.environments[0].variables[0].secret);
        assert_eq!(globals[0].value.as_deref(), Some("global-v"));
        // A secret the collection does not refer to is not read.
        s.set(&SecretScope::globals(), "unused", "u-v").unwrap();
        let mut globals = Vec::new();
        s.fill(&mut c, &mut globals).unwrap();
        assert!(globals.iter().all(|g| g.name != "unused"), "{globals:?}");
        assert!(!format!("{s:?}").contains("-v\""));
        assert!(s.remove(&SecretScope::collection("C"), "token").unwrap());
        assert!(!s.remove(&SecretScope::collection("C"), "token").unwrap());
        assert_eq!(s.get(&SecretScope::collection("C"), "token").unwrap(), None);
        assert_eq!(s.list().unwrap().len(), 4);
    }

    #[test]
    fn a_keyring_secret_without_the_keyring_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = fallback(dir.path());
        s.store()
            .unwrap()
            .put_secret_row(&SecretRow {
                scope: "collection/C/env/ci".into(),
                name: "token".into(),
                backend: "keyring".into(),
                value: None,
            })
            .unwrap();
        let e = s
            .get(&SecretScope::environment("C", "ci"), "token")
            .unwrap_err();
        assert_eq!(e.code(), "secret.store_unavailable");
        let m = e.to_string();
        assert!(
            m.contains("secret 'token' (environment 'ci' of collection 'C')")
                && m.contains("no session bus"),
            "{m}"
        );
    }

    #[test]
    fn a_secret_with_an_os_entry_stays_on_record_while_the_store_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = fallback(dir.path());
        let scope = SecretScope::collection("C");
        let keyring_row = SecretRow {
            scope: scope.key(),
            name: "token".into(),
            backend: "keyring".into(),
            value: None,
        };
        s.store().unwrap().put_secret_row(&keyring_row).unwrap();
        let e = s.remove(&scope, "token").unwrap_err();
        assert_eq!(e.code(), "secret.store_unavailable");
        assert!(
            e.to_string()
                .contains("secret 'token' (collection 'C') was not removed"),
            "{e}"
        );
        assert!(s
            .store()
            .unwrap()
            .secret_row(&scope.key(), "token")
            .unwrap()
            .is_some());
        // Set again: the value goes to the database, the row still records the OS entry.
        assert_eq!(s.set(&scope, "token", "new-v").unwrap(), Backend::Database);
        let row = s
            .store()
            .unwrap()
            .secret_row(&scope.key(), "token")
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.backend.as_str(), row.value.as_deref()),
            ("keyring", Some("new-v"))
        );
        assert_eq!(s.get(&scope, "token").unwrap().as_deref(), Some("new-v"));
        assert_eq!(s.list().unwrap()[0].backend, Backend::Database);
        assert_eq!(
            s.remove(&scope, "token").unwrap_err().code(),
            "secret.store_unavailable"
        );
        // A database secret is removed as before.
        s.set(&scope, "plain", "p-v").unwrap();
        assert!(s.remove(&scope, "plain").unwrap());
    }

    #[test]
    fn scope_keys_round_trip() {
        for s in [
            SecretScope::globals(),
            SecretScope::collection("Demo/x"),
            SecretScope::environment("Demo", "ci"),
        ] {
            assert_eq!(SecretScope::from_key(&s.key()), s);
        }
        assert_eq!(
            SecretScope::environment("D", "ci").describe(),
            "environment 'ci' of collection 'D'"
        );
    }
}
