//! App settings (key → value) and global variables, shared by the window and the CLI.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::collections::{insert_variables, load_variables};
use super::{Store, StoreError};
use crate::collection::model::Variable;

/// Connections kept in history (oldest pruned first); a setting, `history.max_connections`.
pub const HISTORY_MAX_CONNECTIONS: &str = "history.max_connections";
pub const DEFAULT_HISTORY_MAX_CONNECTIONS: u64 = 100;

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// How many connections history keeps (the retention setting).
    pub fn history_max_connections(&self) -> Result<u64, StoreError> {
        Ok(self
            .setting(HISTORY_MAX_CONNECTIONS)?
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_HISTORY_MAX_CONNECTIONS))
    }

    /// Global variables: looked up after the environment and the collection.
    pub fn globals(&self) -> Result<Vec<Variable>, StoreError> {
        load_variables(
            &self.conn,
            "collection_id IS NULL AND environment_id IS NULL AND ?1 = ?1",
            0,
        )
        .map_err(|e| self.err(e))
    }

    /// Sets (or adds) a global variable.
    pub fn set_global(&mut self, var: &Variable) -> Result<(), StoreError> {
        self.upsert_variable(None, var)
    }

    /// Sets (or adds, last) a variable of collection `collection` itself (not of an environment).
    pub fn set_collection_variable(
        &mut self,
        collection: i64,
        var: &Variable,
    ) -> Result<(), StoreError> {
        self.upsert_variable(Some(collection), var)
    }

    /// Updates the variable named like `var` of `collection` (globals: `None`), or adds it last.
    fn upsert_variable(
        &mut self,
        collection: Option<i64>,
        var: &Variable,
    ) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        // `collection_id IS ?1` matches NULL for globals and the id otherwise.
        let updated = tx
            .execute(
                "UPDATE variables SET value = ?3, secret = ?4
                 WHERE collection_id IS ?1 AND environment_id IS NULL AND name = ?2",
                params![collection, var.name, var.value, var.secret],
            )
            .map_err(e)?;
        if updated == 0 {
            let pos: i64 = tx
                .query_row(
                    "SELECT count(*) FROM variables WHERE collection_id IS ?1 AND environment_id IS NULL",
                    [collection],
                    |r| r.get(0),
                )
                .map_err(e)?;
            insert_variables(&tx, collection, None, std::slice::from_ref(var)).map_err(e)?;
            tx.execute(
                "UPDATE variables SET position = ?1 WHERE id = last_insert_rowid()",
                [pos],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    /// Sets a variable of a collection's environment, creating the environment when missing; this
    /// is how a secret gets its value on this machine.
    pub fn set_environment_variable(
        &mut self,
        collection: i64,
        environment: &str,
        var: &Variable,
    ) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let env_id: Option<i64> = tx
            .query_row(
                "SELECT id FROM environments WHERE collection_id = ?1 AND name = ?2",
                params![collection, environment],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?;
        let env_id = match env_id {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO environments (collection_id, position, name)
                     VALUES (?1, (SELECT count(*) FROM environments WHERE collection_id = ?1), ?2)",
                    params![collection, environment],
                )
                .map_err(e)?;
                tx.last_insert_rowid()
            }
        };
        let updated = tx
            .execute(
                "UPDATE variables SET value = ?3, secret = ?4 WHERE environment_id = ?1 AND name = ?2",
                params![env_id, var.name, var.value, var.secret],
            )
            .map_err(e)?;
        if updated == 0 {
            tx.execute(
                "INSERT INTO variables (environment_id, position, name, value, secret)
                 VALUES (?1, (SELECT count(*) FROM variables WHERE environment_id = ?1), ?2, ?3, ?4)",
                params![env_id, var.name, var.value, var.secret],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }
}
