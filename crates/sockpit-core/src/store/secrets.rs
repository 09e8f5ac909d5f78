//! The `secrets` table: which local secret values exist and where each lives (the OS credential
//! store, or this database as the fallback). Only [`crate::secrets::SecretStore`] uses it; values
//! are read and written through that, never directly.

use rusqlite::{params, Connection, OptionalExtension};

use super::{now_ms, Store, StoreError};

/// Whose secret: globals, a collection's variables, or one environment of a collection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretScope {
    pub collection: Option<String>,
    pub environment: Option<String>,
}

impl SecretScope {
    pub fn globals() -> SecretScope {
        SecretScope::default()
    }

    pub fn collection(name: &str) -> SecretScope {
        SecretScope {
            collection: Some(name.into()),
            environment: None,
        }
    }

    pub fn environment(collection: &str, env: &str) -> SecretScope {
        SecretScope {
            collection: Some(collection.into()),
            environment: Some(env.into()),
        }
    }

    /// The key in the database and the credential store: `''`, `collection/C`, `collection/C/env/E`.
    pub fn key(&self) -> String {
        match (&self.collection, &self.environment) {
            (None, _) => String::new(),
            (Some(c), None) => format!("collection/{c}"),
            (Some(c), Some(e)) => format!("collection/{c}/env/{e}"),
        }
    }

    /// The scope of a stored key.
    pub fn from_key(key: &str) -> SecretScope {
        let Some(rest) = key.strip_prefix("collection/") else {
            return SecretScope::globals();
        };
        match rest.rsplit_once("/env/") {
            Some((c, e)) => SecretScope::environment(c, e),
            None => SecretScope::collection(rest),
        }
    }

    /// As shown to users: `globals`, `collection 'C'`, `environment 'E' of collection 'C'`.
    pub fn describe(&self) -> String {
        match (&self.collection, &self.environment) {
            (None, _) => "globals".into(),
            (Some(c), None) => format!("collection '{c}'"),
            (Some(c), Some(e)) => format!("environment '{e}' of collection '{c}'"),
        }
    }
}

/// One row: a secret's scope, name, backend (`keyring` or `database`) and, for `database`, value.
/// A `keyring` row with a value was set again while the OS store was unavailable: the value here
/// is the current one, and the row stays `keyring` so that removing it deletes the old OS entry.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub scope: String,
    pub name: String,
    pub backend: String,
    pub value: Option<String>,
}

impl std::fmt::Debug for SecretRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretRow")
            .field("scope", &self.scope)
            .field("name", &self.name)
            .field("backend", &self.backend)
            .field("value", &self.value.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Store {
    pub(crate) fn secret_row(
        &self,
        scope: &str,
        name: &str,
    ) -> Result<Option<SecretRow>, StoreError> {
        self.conn
            .query_row(
                "SELECT scope, name, backend, value FROM secrets WHERE scope = ?1 AND name = ?2",
                params![scope, name],
                |r| {
                    Ok(SecretRow {
                        scope: r.get(0)?,
                        name: r.get(1)?,
                        backend: r.get(2)?,
                        value: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Rows whose scope is one of `scopes` (all rows when `scopes` is `None`), by scope and name.
    pub(crate) fn secret_rows(
        &self,
        scopes: Option<&[String]>,
    ) -> Result<Vec<SecretRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT scope, name, backend, value FROM secrets ORDER BY scope, name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SecretRow {
                    scope: r.get(0)?,
                    name: r.get(1)?,
                    backend: r.get(2)?,
                    value: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(|e| self.err(e))?;
            if scopes.is_none_or(|s| s.contains(&row.scope)) {
                out.push(row);
            }
        }
        Ok(out)
    }

    pub(crate) fn put_secret_row(&mut self, row: &SecretRow) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO secrets (scope, name, backend, value, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (scope, name) DO UPDATE SET backend = excluded.backend,
                     value = excluded.value, updated_at = excluded.updated_at",
                params![row.scope, row.name, row.backend, row.value, now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Removes a row; `true` when there was one.
    pub(crate) fn delete_secret_row(
        &mut self,
        scope: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        self.conn
            .execute(
                "DELETE FROM secrets WHERE scope = ?1 AND name = ?2",
                params![scope, name],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }
}

/// Inside a rename's transaction: gives the secrets of scope `from` to scope `to`.
///
/// Rows whose value is here (`database` rows) move; `keyring` rows that also hold a value here
/// (set again while the OS store was unavailable) are copied to `to` as `database` rows and stay
/// under `from`, still recording their old OS entry until it can be deleted. `keyring` rows
/// without a value are copied (as `keyring`) only when `os_entries_copied`: the caller has already
/// written their OS entries under `to`'s account; otherwise they stay under `from` (on record,
/// never pointing at an entry that does not exist). A row already under `to` with the same name
/// is overwritten; one that records an OS entry keeps recording it (`backend` stays `keyring`).
pub(crate) fn rekey_secret_rows(
    conn: &Connection,
    from: &str,
    to: &str,
    os_entries_copied: bool,
) -> rusqlite::Result<()> {
    if from == to {
        return Ok(());
    }
    let now = now_ms();
    conn.execute(
        "INSERT INTO secrets (scope, name, backend, value, updated_at)
         SELECT ?2, name, 'database', value, ?3 FROM secrets WHERE scope = ?1 AND value IS NOT NULL
         ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value,
             updated_at = excluded.updated_at",
        params![from, to, now],
    )?;
    if os_entries_copied {
        conn.execute(
            "INSERT INTO secrets (scope, name, backend, value, updated_at)
             SELECT ?2, name, 'keyring', NULL, ?3 FROM secrets
             WHERE scope = ?1 AND backend = 'keyring' AND value IS NULL
             ON CONFLICT (scope, name) DO UPDATE SET backend = 'keyring', value = NULL,
                 updated_at = excluded.updated_at",
            params![from, to, now],
        )?;
    }
    conn.execute(
        "DELETE FROM secrets WHERE scope = ?1 AND backend <> 'keyring'",
        [from],
    )?;
    Ok(())
}

/// Inside a delete's transaction: removes the rows of `scope` whose value is only here. Rows that
/// record an OS entry stay until [`crate::secrets::SecretStore`] has deleted that entry.
pub(crate) fn delete_database_secret_rows(conn: &Connection, scope: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM secrets WHERE scope = ?1 AND backend <> 'keyring'",
        [scope],
    )
    .map(|_| ())
}
