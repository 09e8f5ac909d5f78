//! Secrets follow their collection or environment: renames, deletes and duplicates of the store
//! done through [`SecretStore`], so that values in the OS credential store move, go or are copied
//! with the names they are keyed by (the database-held ones already do so inside the store's own
//! transaction, see `store/tree.rs`).
//!
//! A rename moves the OS entries first (read under the old name, write under the new one) and
//! changes the database only when every entry is in place; when one cannot be moved (the OS store
//! is unavailable), the entries already written are undone and the rename is refused with an error
//! that names the secret and the way out, so nothing is renamed and nothing is lost. The old
//! entries are deleted after the rename; one that cannot be stays on record under the old name
//! (a warning, `sockpit secret rm` deletes it later). Deletes are best effort: a secret that cannot
//! be deleted stays on record, with a warning. A duplicated collection gets copies of the
//! original's values (a warning for any that could not be copied).

use super::{keyring_backend, NotMoved, Probe, SecretError, SecretScope, SecretStore};
use crate::collection::model::Variable;
use crate::store::secrets::SecretRow;
use crate::store::{NodeKind, Store, StoreError};

/// An OS entry written under a new name before a rename, with the value it replaced.
struct Copied {
    account: String,
    previous: Option<String>,
}

/// `sockpit secret set|rm NAME --collection C --env E`, quoted for a POSIX shell.
pub fn secret_command(verb: &str, scope: &SecretScope, name: &str) -> String {
    let mut out = format!("sockpit secret {verb} {}", shell_quote(name));
    if let Some(c) = &scope.collection {
        out.push_str(&format!(" --collection {}", shell_quote(c)));
    }
    if let Some(e) = &scope.environment {
        out.push_str(&format!(" --env {}", shell_quote(e)));
    }
    out
}

fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.,/:@%+=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl SecretStore {
    /// Renames a collection, folder or request ([`Store::rename_node`]); a collection's secrets
    /// (its own and its environments') move to the new name, in the OS credential store too. An
    /// OS entry that cannot be moved refuses the rename (nothing changes). Returns warnings about
    /// old entries that could not be deleted after the rename.
    pub fn rename_node(
        &mut self,
        store: &mut Store,
        kind: NodeKind,
        id: i64,
        name: &str,
    ) -> Result<Vec<String>, SecretError> {
        if kind != NodeKind::Collection {
            store.rename_node(kind, id, name)?;
            return Ok(Vec::new());
        }
        let from = store.collection_secret_scopes(id)?;
        let to: Vec<SecretScope> = from
            .iter()
            .map(|s| SecretScope {
                collection: Some(name.to_string()),
                environment: s.environment.clone(),
            })
            .collect();
        let target = from[0].describe();
        self.move_scopes(&from, &to, &target, |copied| {
            store.rename_node_moving(kind, id, name, copied)
        })
    }

    /// Replaces an environment's name and variables ([`Store::update_environment`]); on a rename
    /// its secrets move to the new name, in the OS credential store too. An OS entry that cannot
    /// be moved refuses the whole update (nothing changes). Returns warnings about old entries that
    /// could not be deleted after the rename.
    pub fn update_environment(
        &mut self,
        store: &mut Store,
        id: i64,
        name: &str,
        variables: &[Variable],
    ) -> Result<Vec<String>, SecretError> {
        let from = store.environment_secret_scope(id)?;
        let to = SecretScope {
            collection: from.collection.clone(),
            environment: Some(name.to_string()),
        };
        let target = from.describe();
        self.move_scopes(&[from], &[to], &target, |copied| {
            store.update_environment_moving(id, name, variables, copied)
        })
    }

    /// Deletes a collection, folder or request ([`Store::delete_node`]) and a collection's
    /// secrets (best effort: returns a warning for each that stays, on record).
    pub fn delete_node(
        &mut self,
        store: &mut Store,
        kind: NodeKind,
        id: i64,
    ) -> Result<Vec<String>, SecretError> {
        let scopes = match kind {
            NodeKind::Collection => store.collection_secret_scopes(id)?,
            _ => Vec::new(),
        };
        store.delete_node(kind, id)?;
        Ok(self.drop_scopes(&scopes))
    }

    /// Deletes an environment ([`Store::delete_environment`]) and its secrets (best effort:
    /// returns a warning for each that stays, on record).
    pub fn delete_environment(
        &mut self,
        store: &mut Store,
        id: i64,
    ) -> Result<Vec<String>, SecretError> {
        let scope = store.environment_secret_scope(id)?;
        store.delete_environment(id)?;
        Ok(self.drop_scopes(&[scope]))
    }

    /// Duplicates a request or a collection ([`Store::duplicate_node`]); the copy of a collection
    /// gets copies of the original's local secret values (its own and its environments'), so it
    /// runs like the original. Returns the copy's id and a warning for each value not copied.
    pub fn duplicate_node(
        &mut self,
        store: &mut Store,
        kind: NodeKind,
        id: i64,
    ) -> Result<(i64, Vec<String>), SecretError> {
        let copy = store.duplicate_node(kind, id)?;
        if kind != NodeKind::Collection {
            return Ok((copy, Vec::new()));
        }
        let from = store.collection_secret_scopes(id)?;
        let new_name = store.collection_secret_scopes(copy)?[0].collection.clone();
        let mut warnings = Vec::new();
        for f in &from {
            let t = SecretScope {
                collection: new_name.clone(),
                environment: f.environment.clone(),
            };
            let rows = match self.rows_of(f) {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(format!(
                        "the secrets of {} were not copied: {e}",
                        f.describe()
                    ));
                    continue;
                }
            };
            for row in rows {
                let copied = self
                    .get(f, &row.name)
                    .and_then(|v| v.map(|v| self.set(&t, &row.name, &v)).transpose());
                if let Err(e) = copied {
                    warnings.push(format!(
                        "secret '{}' was not copied to {}: {e}; `{}` gives it a value there",
                        row.name,
                        t.describe(),
                        secret_command("set", &t, &row.name)
                    ));
                }
            }
        }
        Ok((copy, warnings))
    }

    /// The secret rows of one scope (none when there is no database yet).
    fn rows_of(&mut self, scope: &SecretScope) -> Result<Vec<SecretRow>, SecretError> {
        Ok(match self.existing_store()? {
            Some(s) => s.secret_rows(Some(&[scope.key()]))?,
            None => Vec::new(),
        })
    }

    /// Moves the secrets of each `from[i]` to `to[i]` around `change`, the database change that
    /// renames (it moves the rows, and those of OS entries when told they are copied).
    fn move_scopes(
        &mut self,
        from: &[SecretScope],
        to: &[SecretScope],
        target: &str,
        change: impl FnOnce(bool) -> Result<(), StoreError>,
    ) -> Result<Vec<String>, SecretError> {
        let pairs: Vec<(&SecretScope, &SecretScope)> =
            from.iter().zip(to).filter(|(f, t)| f != t).collect();
        if pairs.is_empty() {
            change(false)?;
            return Ok(Vec::new());
        }
        // 1. Every OS entry is written under its new name before anything is renamed.
        let mut copied: Vec<Copied> = Vec::new();
        let mut old_entries: Vec<(SecretScope, String)> = Vec::new();
        for (f, t) in &pairs {
            let rows = match self.rows_of(f) {
                Ok(r) => r,
                Err(e) => {
                    self.undo(copied);
                    return Err(e);
                }
            };
            for row in rows.into_iter().filter(|r| r.backend == "keyring") {
                old_entries.push(((*f).clone(), row.name.clone()));
                if row.value.is_some() {
                    // Its current value is in the database and moves with the rows.
                    continue;
                }
                match self.copy_entry(f, t, &row.name) {
                    Ok(Some(c)) => copied.push(c),
                    Ok(None) => {}
                    Err((code, problem)) => {
                        self.undo(copied);
                        return Err(SecretError::NotMoved(Box::new(NotMoved {
                            code,
                            target: target.to_string(),
                            name: row.name.clone(),
                            scope: f.describe(),
                            store: Self::os_store_name(),
                            problem,
                            fix: secret_command("set", f, &row.name),
                        })));
                    }
                }
            }
        }
        // 2. The rename itself, moving the rows in its transaction.
        if let Err(e) = change(true) {
            self.undo(copied);
            return Err(e.into());
        }
        // 3. The old entries go; one that cannot stays on record under its old name.
        let mut warnings = Vec::new();
        for (scope, name) in old_entries {
            if let Err(e) = self.remove(&scope, &name) {
                warnings.push(format!(
                    "secret '{name}' moved with the rename, but its old entry ({}) was not deleted: {e}; `{}` deletes it later",
                    scope.describe(),
                    secret_command("rm", &scope, &name)
                ));
            }
        }
        Ok(warnings)
    }

    /// Writes the OS entry of `name` under `to`'s account with its value under `from`'s.
    /// `Ok(None)`: there was no entry to copy. `Err((code, problem))`: the OS store cannot.
    fn copy_entry(
        &mut self,
        from: &SecretScope,
        to: &SecretScope,
        name: &str,
    ) -> Result<Option<Copied>, (&'static str, String)> {
        if let Probe::Fallback { reason } = self.probe().clone() {
            return Err((
                "secret.store_unavailable",
                format!("is unavailable now ({reason})"),
            ));
        }
        let failed = |reason: String| ("secret.store_failed", format!("failed ({reason})"));
        let (old, new) = (Self::account(from, name), Self::account(to, name));
        let Some(value) = keyring_backend::get(&self.service, &old).map_err(failed)? else {
            return Ok(None);
        };
        let previous = keyring_backend::get(&self.service, &new).map_err(failed)?;
        keyring_backend::set(&self.service, &new, &value).map_err(failed)?;
        Ok(Some(Copied {
            account: new,
            previous,
        }))
    }

    /// Puts back what `copy_entry` replaced (best effort: the rename is refused either way).
    fn undo(&mut self, copied: Vec<Copied>) {
        for c in copied.into_iter().rev() {
            let _ = match c.previous {
                Some(v) => keyring_backend::set(&self.service, &c.account, &v),
                None => keyring_backend::delete(&self.service, &c.account),
            };
        }
    }

    /// Removes every secret of `scopes`; a warning for each that stays.
    fn drop_scopes(&mut self, scopes: &[SecretScope]) -> Vec<String> {
        let mut warnings = Vec::new();
        for scope in scopes {
            let rows = match self.rows_of(scope) {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(format!(
                        "the secrets of {} were not removed: {e}",
                        scope.describe()
                    ));
                    continue;
                }
            };
            for row in rows {
                if let Err(e) = self.remove(scope, &row.name) {
                    warnings.push(format!(
                        "secret '{}' ({}) stays on this machine: {e}; `{}` removes it later",
                        row.name,
                        scope.describe(),
                        secret_command("rm", scope, &row.name)
                    ));
                }
            }
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::Collection;

    /// A secret store in `dir` whose OS store probe has failed: values go to the database.
    fn fallback(dir: &std::path::Path) -> SecretStore {
        let mut s = SecretStore::new(dir);
        s.probe = Some(Probe::Fallback {
            reason: "no session bus".into(),
        });
        s
    }

    fn secret_var(name: &str) -> Variable {
        Variable {
            name: name.into(),
            value: None,
            secret: true,
            placeholder: None,
        }
    }

    /// Collection `C` with a secret `ckey` and environment `dev` with a secret `token`, both set.
    fn setup(dir: &std::path::Path) -> (Store, SecretStore, i64, i64) {
        let mut store = Store::open_in(dir).unwrap();
        let mut secrets = fallback(dir);
        let c = store
            .insert_collection(&Collection {
                name: "C".into(),
                variables: vec![secret_var("ckey")],
                ..Collection::default()
            })
            .unwrap();
        let env = store.add_environment(c, "dev").unwrap();
        store
            .update_environment(env, "dev", &[secret_var("token")])
            .unwrap();
        secrets
            .set(&SecretScope::environment("C", "dev"), "token", "t-v")
            .unwrap();
        secrets
            .set(&SecretScope::collection("C"), "ckey", "c-v")
            .unwrap();
        (store, secrets, c, env)
    }

    /// What `{{token}}` and `{{ckey}}` resolve to for the stored collection `id` (as `run` does).
    fn resolved(
        store: &Store,
        secrets: &mut SecretStore,
        id: i64,
    ) -> (Option<String>, Option<String>) {
        let mut c = store.load_collection(id).unwrap();
        c.variables
            .push(Variable::plain("uses", "{{token}} {{ckey}}"));
        secrets.fill(&mut c, &mut Vec::new()).unwrap();
        let token = c.environments[0]
            .variables
            .iter()
            .find(|v| v.name == "token");
        let ckey = c.variables.iter().find(|v| v.name == "ckey");
        (
            token.and_then(|v| v.value.clone()),
            ckey.and_then(|v| v.value.clone()),
        )
    }

    fn scopes(secrets: &mut SecretStore) -> Vec<(String, String)> {
        let mut out: Vec<_> = secrets
            .list()
            .unwrap()
            .into_iter()
            .map(|e| (e.scope, e.name))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn secrets_follow_renames_and_go_with_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut secrets, c, env) = setup(dir.path());
        let some = |v: &str| Some(v.to_string());
        assert_eq!(
            resolved(&store, &mut secrets, c),
            (some("t-v"), some("c-v"))
        );

        // Environment dev -> staging: the value resolves under the new name, the old entry is gone.
        let warnings = secrets
            .update_environment(&mut store, env, "staging", &[secret_var("token")])
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(store.environments().unwrap()[0].name, "staging");
        assert_eq!(
            resolved(&store, &mut secrets, c),
            (some("t-v"), some("c-v"))
        );
        let dev = SecretScope::environment("C", "dev");
        assert_eq!(secrets.get(&dev, "token").unwrap(), None);
        assert_eq!(
            scopes(&mut secrets),
            [
                ("collection/C".into(), "ckey".into()),
                ("collection/C/env/staging".into(), "token".into())
            ]
        );

        // Collection C -> D: its own secrets and its environments' follow.
        let warnings = secrets
            .rename_node(&mut store, NodeKind::Collection, c, "D")
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            resolved(&store, &mut secrets, c),
            (some("t-v"), some("c-v"))
        );
        assert_eq!(
            scopes(&mut secrets),
            [
                ("collection/D".into(), "ckey".into()),
                ("collection/D/env/staging".into(), "token".into())
            ]
        );

        // A duplicate gets copies; the original keeps its values.
        let (copy, warnings) = secrets
            .duplicate_node(&mut store, NodeKind::Collection, c)
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(store.load_collection(copy).unwrap().name, "D copy");
        assert_eq!(
            resolved(&store, &mut secrets, copy),
            (some("t-v"), some("c-v"))
        );
        assert_eq!(
            resolved(&store, &mut secrets, c),
            (some("t-v"), some("c-v"))
        );
        // Secrets of the copy are its own: renaming the original does not take them along.
        secrets
            .set(&SecretScope::collection("D copy"), "ckey", "copy-v")
            .unwrap();
        assert_eq!(resolved(&store, &mut secrets, c).1, some("c-v"));

        // Deleting the environment deletes its secret rows, not the collection's.
        let warnings = secrets.delete_environment(&mut store, env).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let db = rusqlite::Connection::open(store.path()).unwrap();
        let count = |scope: &str| -> i64 {
            db.query_row(
                "SELECT count(*) FROM secrets WHERE scope = ?1",
                [scope],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(count("collection/D/env/staging"), 0);
        assert_eq!(count("collection/D"), 1);

        // Deleting the collection deletes the rest of its secrets; the copy's stay.
        let warnings = secrets
            .delete_node(&mut store, NodeKind::Collection, c)
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(count("collection/D"), 0);
        assert_eq!(count("collection/D copy"), 1);
        assert_eq!(count("collection/D copy/env/staging"), 1);
        // Renaming to a taken name fails and moves nothing.
        let other = store.create_collection("E").unwrap();
        let e = secrets
            .rename_node(&mut store, NodeKind::Collection, other, "D copy")
            .unwrap_err();
        assert_eq!(e.code(), "store.duplicate_name");
        assert_eq!(count("collection/D copy"), 1);
    }

    #[test]
    fn the_store_alone_moves_and_deletes_database_held_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut secrets, c, env) = setup(dir.path());
        store
            .update_environment(env, "staging", &[secret_var("token")])
            .unwrap();
        store.rename_node(NodeKind::Collection, c, "D").unwrap();
        assert_eq!(
            secrets
                .get(&SecretScope::environment("D", "staging"), "token")
                .unwrap()
                .as_deref(),
            Some("t-v")
        );
        store.delete_collection(c).unwrap();
        assert_eq!(scopes(&mut secrets), Vec::<(String, String)>::new());
    }

    /// Records an OS credential store entry for `token` in `scope`, as a set with the store did.
    fn record_os_entry(secrets: &mut SecretStore, scope: &SecretScope) {
        secrets
            .store()
            .unwrap()
            .put_secret_row(&SecretRow {
                scope: scope.key(),
                name: "token".into(),
                backend: "keyring".into(),
                value: None,
            })
            .unwrap();
    }

    #[test]
    fn a_rename_that_cannot_move_an_os_entry_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut secrets, c, env) = setup(dir.path());
        let dev = SecretScope::environment("C", "dev");
        record_os_entry(&mut secrets, &dev);

        let e = secrets
            .update_environment(&mut store, env, "staging", &[])
            .unwrap_err();
        assert_eq!(e.code(), "secret.store_unavailable");
        let m = e.to_string();
        assert!(
            m.starts_with("environment 'dev' of collection 'C' was not renamed: secret 'token' (environment 'dev' of collection 'C')")
                && m.contains("no session bus")
                && m.contains("nothing was changed")
                && m.contains("`sockpit secret set token --collection C --env dev`"),
            "{m}"
        );
        let envs = store.environments().unwrap();
        assert_eq!((envs[0].name.as_str(), envs[0].variables.len()), ("dev", 1));
        let e = secrets
            .rename_node(&mut store, NodeKind::Collection, c, "D")
            .unwrap_err();
        assert_eq!(e.code(), "secret.store_unavailable");
        assert!(
            e.to_string().starts_with("collection 'C' was not renamed"),
            "{e}"
        );
        assert_eq!(store.load_collection(c).unwrap().name, "C");
        // Not even the database-held secrets moved.
        assert_eq!(
            scopes(&mut secrets),
            [
                ("collection/C".into(), "ckey".into()),
                ("collection/C/env/dev".into(), "token".into())
            ]
        );

        // The way out the error names: set it again (it goes to the database), then rename.
        secrets.set(&dev, "token", "again-v").unwrap();
        let warnings = secrets
            .update_environment(&mut store, env, "staging", &[secret_var("token")])
            .unwrap();
        let staging = SecretScope::environment("C", "staging");
        assert_eq!(
            secrets.get(&staging, "token").unwrap().as_deref(),
            Some("again-v")
        );
        // The old OS entry cannot be deleted yet: it stays on record, with a warning saying how.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("`sockpit secret rm token --collection C --env dev`"),
            "{warnings:?}"
        );
        assert!(secrets
            .store()
            .unwrap()
            .secret_row(&dev.key(), "token")
            .unwrap()
            .is_some());
    }

    #[test]
    fn a_delete_that_cannot_remove_an_os_entry_warns_and_keeps_it_on_record() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, mut secrets, c, env) = setup(dir.path());
        let dev = SecretScope::environment("C", "dev");
        record_os_entry(&mut secrets, &dev);
        let warnings = secrets.delete_environment(&mut store, env).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with(
                "secret 'token' (environment 'dev' of collection 'C') stays on this machine"
            ) && warnings[0].contains("`sockpit secret rm token --collection C --env dev`"),
            "{warnings:?}"
        );
        assert!(store.environments().unwrap().is_empty());
        assert_eq!(
            scopes(&mut secrets),
            [
                ("collection/C".into(), "ckey".into()),
                ("collection/C/env/dev".into(), "token".into())
            ]
        );
        let warnings = secrets
            .delete_node(&mut store, NodeKind::Collection, c)
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            scopes(&mut secrets).len(),
            1,
            "only the recorded OS entry stays"
        );
    }

    #[test]
    fn commands_quote_names_for_the_shell() {
        assert_eq!(
            secret_command("set", &SecretScope::environment("C", "dev"), "token"),
            "sockpit secret set token --collection C --env dev"
        );
        assert_eq!(
            secret_command("rm", &SecretScope::collection("My API's"), "tok en"),
            r"sockpit secret rm 'tok en' --collection 'My API'\''s'"
        );
        assert_eq!(
            secret_command("set", &SecretScope::globals(), "g"),
            "sockpit secret set g"
        );
    }
}
