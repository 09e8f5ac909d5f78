//! Editing the collections tree in place, as the window's sidebar does: the tree's outline, rename,
//! duplicate, delete, reorder among siblings and move between folders and collections; and the
//! environments of every collection (list, add, rename, replace variables, delete). Every write is
//! one `BEGIN IMMEDIATE` transaction.
//!
//! Local secret values are keyed by collection and environment *names*, so renaming or deleting a
//! collection or environment moves or drops the secrets held in this database (the `secrets`
//! rows of the fallback) in the same transaction. Values in the OS credential store need
//! [`crate::secrets::SecretStore`]: front ends call its `rename_node`, `update_environment`,
//! `delete_node`, `delete_environment` and `duplicate_node`, which wrap these (`secrets/follow.rs`).

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::collections::{insert_variables, load_variables};
use super::secrets::SecretScope;
use super::secrets::{delete_database_secret_rows, rekey_secret_rows};
use super::{now_ms, Store, StoreError};
use crate::collection::model::{Collection, Variable};

/// What a node of the tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Collection,
    Folder,
    Request,
}

impl NodeKind {
    fn table(self) -> &'static str {
        match self {
            NodeKind::Collection => "collections",
            NodeKind::Folder => "folders",
            NodeKind::Request => "requests",
        }
    }

    fn what(self) -> &'static str {
        match self {
            NodeKind::Collection => "collection",
            NodeKind::Folder => "folder",
            NodeKind::Request => "request",
        }
    }
}

/// One node of the sidebar's outline (names only; a request is loaded when opened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    pub kind: NodeKind,
    pub id: i64,
    pub name: String,
    /// `websocket` or `sse` for requests, empty otherwise.
    pub protocol: String,
    pub children: Vec<TreeNode>,
}

/// An environment with its collection and variables.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentEntry {
    pub id: i64,
    pub collection_id: i64,
    pub collection: String,
    pub name: String,
    pub variables: Vec<Variable>,
}

type Sql<T> = rusqlite::Result<T>;

/// `(is_folder, id)` of a parent's children in order.
fn siblings(conn: &Connection, collection: i64, folder: Option<i64>) -> Sql<Vec<(bool, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT position, 1, id FROM folders WHERE collection_id = ?1 AND parent_id IS ?2
         UNION ALL
         SELECT position, 0, id FROM requests WHERE collection_id = ?1 AND folder_id IS ?2
         ORDER BY 1, 3",
    )?;
    let rows = stmt.query_map(params![collection, folder], |r| {
        Ok((r.get::<_, i64>(1)? == 1, r.get::<_, i64>(2)?))
    })?;
    rows.collect()
}

/// Writes positions 0..n for `order` (the complete sibling list of one parent).
fn write_positions(conn: &Connection, order: &[(bool, i64)]) -> Sql<()> {
    for (pos, (is_folder, id)) in order.iter().enumerate() {
        let table = if *is_folder { "folders" } else { "requests" };
        conn.execute(
            &format!("UPDATE {table} SET position = ?2 WHERE id = ?1"),
            params![id, pos as i64],
        )?;
    }
    Ok(())
}

/// `(collection, parent folder)` of a folder or request.
fn parent_of(conn: &Connection, kind: NodeKind, id: i64) -> Sql<Option<(i64, Option<i64>)>> {
    let sql = match kind {
        NodeKind::Folder => "SELECT collection_id, parent_id FROM folders WHERE id = ?1",
        _ => "SELECT collection_id, folder_id FROM requests WHERE id = ?1",
    };
    conn.query_row(sql, [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// A collection's name and its environments' names, `None` when there is no such collection.
fn collection_names(conn: &Connection, id: i64) -> Sql<Option<(String, Vec<String>)>> {
    let Some(name) = conn
        .query_row("SELECT name FROM collections WHERE id = ?1", [id], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare("SELECT name FROM environments WHERE collection_id = ?1 ORDER BY position, id")?;
    let envs = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<Sql<Vec<String>>>()?;
    Ok(Some((name, envs)))
}

/// An environment's collection name and its own name.
fn environment_names(conn: &Connection, id: i64) -> Sql<Option<(String, String)>> {
    conn.query_row(
        "SELECT c.name, e.name FROM environments e JOIN collections c ON c.id = e.collection_id
         WHERE e.id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// The secret scopes a collection owns: its own, then each environment's.
fn collection_scopes(name: &str, envs: &[String]) -> Vec<SecretScope> {
    std::iter::once(SecretScope::collection(name))
        .chain(envs.iter().map(|e| SecretScope::environment(name, e)))
        .collect()
}

impl Store {
    /// The secret scopes of a collection: its own, then each of its environments'.
    pub fn collection_secret_scopes(&self, id: i64) -> Result<Vec<SecretScope>, StoreError> {
        let (name, envs) = collection_names(&self.conn, id)
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "collection",
                id,
            })?;
        Ok(collection_scopes(&name, &envs))
    }

    /// The secret scope of an environment.
    pub fn environment_secret_scope(&self, id: i64) -> Result<SecretScope, StoreError> {
        let (c, e) = environment_names(&self.conn, id)
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "environment",
                id,
            })?;
        Ok(SecretScope::environment(&c, &e))
    }

    fn write_tx<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path().to_path_buf();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&path, e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| StoreError::from_sqlite(&path, e))?;
        Ok(out)
    }

    /// Every collection (by name) with its folders and requests in the user's order.
    pub fn tree(&self) -> Result<Vec<TreeNode>, StoreError> {
        let e = |e| self.err(e);
        let mut out = Vec::new();
        for c in self.list_collections()? {
            let children = self.subtree(c.id, None).map_err(e)?;
            out.push(TreeNode {
                kind: NodeKind::Collection,
                id: c.id,
                name: c.name,
                protocol: String::new(),
                children,
            });
        }
        Ok(out)
    }

    fn subtree(&self, collection: i64, folder: Option<i64>) -> Sql<Vec<TreeNode>> {
        let mut out = Vec::new();
        for (is_folder, id) in siblings(&self.conn, collection, folder)? {
            if is_folder {
                let name: String =
                    self.conn
                        .query_row("SELECT name FROM folders WHERE id = ?1", [id], |r| r.get(0))?;
                out.push(TreeNode {
                    kind: NodeKind::Folder,
                    id,
                    name,
                    protocol: String::new(),
                    children: self.subtree(collection, Some(id))?,
                });
            } else {
                let (name, protocol): (String, String) = self.conn.query_row(
                    "SELECT name, protocol FROM requests WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                out.push(TreeNode {
                    kind: NodeKind::Request,
                    id,
                    name,
                    protocol,
                    children: Vec::new(),
                });
            }
        }
        Ok(out)
    }

    /// The collection and folder a request sits in.
    pub fn request_location(&self, id: i64) -> Result<(i64, Option<i64>), StoreError> {
        parent_of(&self.conn, NodeKind::Request, id)
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "request",
                id,
            })
    }

    /// Creates an empty collection; returns its id.
    pub fn create_collection(&mut self, name: &str) -> Result<i64, StoreError> {
        self.insert_collection(&Collection {
            name: name.to_string(),
            ..Collection::default()
        })
    }

    /// Renames a collection (its name must stay unique), folder or request. A collection's
    /// secrets held in this database (its own and its environments') move to the new name in the
    /// same transaction; those in the OS credential store stay under the old name (on record):
    /// [`crate::secrets::SecretStore::rename_node`] moves them too.
    pub fn rename_node(&mut self, kind: NodeKind, id: i64, name: &str) -> Result<(), StoreError> {
        self.rename_node_moving(kind, id, name, false)
    }

    /// `rename_node`; `os_entries_copied`: the OS entries of the collection's secrets are already
    /// written under the new name, so their rows move too.
    pub(crate) fn rename_node_moving(
        &mut self,
        kind: NodeKind,
        id: i64,
        name: &str,
        os_entries_copied: bool,
    ) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        self.write_tx(|tx| {
            let old = match kind {
                NodeKind::Collection => collection_names(tx, id).map_err(e.clone())?,
                _ => None,
            };
            if kind == NodeKind::Collection {
                let taken: bool = tx
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM collections WHERE name = ?1 AND id <> ?2)",
                        params![name, id],
                        |r| r.get(0),
                    )
                    .map_err(e.clone())?;
                if taken {
                    return Err(StoreError::DuplicateName(name.to_string()));
                }
            }
            let n = tx
                .execute(
                    &format!("UPDATE {} SET name = ?2 WHERE id = ?1", kind.table()),
                    params![id, name],
                )
                .map_err(e.clone())?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: kind.what(),
                    id,
                });
            }
            if let Some((old, envs)) = old {
                let to = collection_scopes(name, &envs);
                for (from, to) in collection_scopes(&old, &envs).iter().zip(&to) {
                    rekey_secret_rows(tx, &from.key(), &to.key(), os_entries_copied)
                        .map_err(e.clone())?;
                }
            }
            Ok(())
        })
    }

    /// Deletes a collection, folder (with everything in it) or request. A collection's secrets
    /// held in this database go in the same transaction; rows recording an OS credential store
    /// entry stay until [`crate::secrets::SecretStore::delete_node`] deletes the entry.
    pub fn delete_node(&mut self, kind: NodeKind, id: i64) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        self.write_tx(|tx| {
            if kind == NodeKind::Collection {
                if let Some((name, envs)) = collection_names(tx, id).map_err(e.clone())? {
                    for scope in collection_scopes(&name, &envs) {
                        delete_database_secret_rows(tx, &scope.key()).map_err(e.clone())?;
                    }
                }
            }
            let n = tx
                .execute(&format!("DELETE FROM {} WHERE id = ?1", kind.table()), [id])
                .map_err(e)?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: kind.what(),
                    id,
                });
            }
            Ok(())
        })
    }

    /// Copies a request (placed right after it, named `NAME copy`) or a whole collection
    /// (`NAME copy`, numbered when taken); returns the copy's id.
    pub fn duplicate_node(&mut self, kind: NodeKind, id: i64) -> Result<i64, StoreError> {
        match kind {
            NodeKind::Collection => {
                let mut c = self.load_collection(id)?;
                c.name = format!("{} copy", c.name);
                Ok(self.import_collection(&c)?.id)
            }
            NodeKind::Request => {
                let mut r = self.load_request(id)?;
                r.name = format!("{} copy", r.name);
                let (collection, folder) = self.request_location(id)?;
                let copy = self.add_request(collection, folder, &r)?;
                let path = self.path().to_path_buf();
                self.write_tx(|tx| {
                    let mut order = siblings(tx, collection, folder)
                        .map_err(|e| StoreError::from_sqlite(&path, e))?;
                    order.retain(|x| *x != (false, copy));
                    let at = order
                        .iter()
                        .position(|x| *x == (false, id))
                        .map_or(order.len(), |p| p + 1);
                    order.insert(at, (false, copy));
                    write_positions(tx, &order).map_err(|e| StoreError::from_sqlite(&path, e))
                })?;
                Ok(copy)
            }
            NodeKind::Folder => Err(StoreError::Corrupt {
                what: "folder".into(),
                reason: "folders cannot be duplicated; duplicate its requests".into(),
            }),
        }
    }

    /// Moves a folder or request `delta` places among its siblings (clamped to the ends).
    pub fn move_node(&mut self, kind: NodeKind, id: i64, delta: i32) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        self.write_tx(|tx| {
            let (collection, folder) =
                parent_of(tx, kind, id)
                    .map_err(e.clone())?
                    .ok_or(StoreError::NotFound {
                        what: kind.what(),
                        id,
                    })?;
            let me = (kind == NodeKind::Folder, id);
            let mut order = siblings(tx, collection, folder).map_err(e.clone())?;
            let Some(from) = order.iter().position(|x| *x == me) else {
                return Ok(());
            };
            let to = (from as i64 + delta as i64).clamp(0, order.len() as i64 - 1) as usize;
            let item = order.remove(from);
            order.insert(to, item);
            write_positions(tx, &order).map_err(e)
        })
    }

    /// Moves a request into another collection or folder (`folder` None: the collection's top
    /// level), or a folder into another folder of the same collection; it goes last there.
    pub fn reparent_node(
        &mut self,
        kind: NodeKind,
        id: i64,
        collection: i64,
        folder: Option<i64>,
    ) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        let bad = |reason: &str| StoreError::Corrupt {
            what: kind.what().into(),
            reason: reason.into(),
        };
        self.write_tx(|tx| {
            let (from_collection, _) =
                parent_of(tx, kind, id)
                    .map_err(e.clone())?
                    .ok_or(StoreError::NotFound {
                        what: kind.what(),
                        id,
                    })?;
            if let Some(f) = folder {
                let owner: Option<i64> = tx
                    .query_row(
                        "SELECT collection_id FROM folders WHERE id = ?1",
                        [f],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(e.clone())?;
                if owner != Some(collection) {
                    return Err(bad("the target folder is not in the target collection"));
                }
            }
            let position = siblings(tx, collection, folder).map_err(e.clone())?.len() as i64;
            match kind {
                NodeKind::Request => {
                    tx.execute(
                        "UPDATE requests SET collection_id = ?2, folder_id = ?3, position = ?4,
                         updated_at = ?5 WHERE id = ?1",
                        params![id, collection, folder, position, now_ms()],
                    )
                    .map_err(e)?;
                }
                NodeKind::Folder => {
                    if from_collection != collection {
                        return Err(bad("a folder moves within its collection only"));
                    }
                    // Refuse moving a folder into itself or below itself.
                    let mut at = folder;
                    while let Some(f) = at {
                        if f == id {
                            return Err(bad("a folder cannot move into itself"));
                        }
                        at = tx
                            .query_row("SELECT parent_id FROM folders WHERE id = ?1", [f], |r| {
                                r.get(0)
                            })
                            .map_err(e.clone())?;
                    }
                    tx.execute(
                        "UPDATE folders SET parent_id = ?2, position = ?3 WHERE id = ?1",
                        params![id, folder, position],
                    )
                    .map_err(e)?;
                }
                NodeKind::Collection => return Err(bad("collections are not moved")),
            }
            Ok(())
        })
    }

    /// Every environment of every collection, by collection name then position.
    pub fn environments(&self) -> Result<Vec<EnvironmentEntry>, StoreError> {
        let e = |e| self.err(e);
        let rows: Vec<(i64, i64, String, String)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT e.id, c.id, c.name, e.name FROM environments e
                     JOIN collections c ON c.id = e.collection_id
                     ORDER BY c.name COLLATE NOCASE, e.position, e.id",
                )
                .map_err(e)?;
            let it = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(e)?;
            it.collect::<Sql<_>>().map_err(e)?
        };
        let mut out = Vec::with_capacity(rows.len());
        for (id, collection_id, collection, name) in rows {
            out.push(EnvironmentEntry {
                id,
                collection_id,
                collection,
                name,
                variables: load_variables(&self.conn, "environment_id = ?1", id).map_err(e)?,
            });
        }
        Ok(out)
    }

    /// Adds an empty environment to a collection (`store.duplicate_name` if it has one so named).
    pub fn add_environment(&mut self, collection: i64, name: &str) -> Result<i64, StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        self.write_tx(|tx| {
            let taken: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM environments WHERE collection_id = ?1 AND name = ?2)",
                    params![collection, name],
                    |r| r.get(0),
                )
                .map_err(e.clone())?;
            if taken {
                return Err(StoreError::DuplicateName(name.to_string()));
            }
            tx.execute(
                "INSERT INTO environments (collection_id, position, name)
                 VALUES (?1, (SELECT count(*) FROM environments WHERE collection_id = ?1), ?2)",
                params![collection, name],
            )
            .map_err(e)?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Replaces an environment's name and variables. On a rename its secrets held in this
    /// database move to the new name in the same transaction; those in the OS credential store
    /// stay under the old name (on record): [`crate::secrets::SecretStore::update_environment`]
    /// moves them too.
    pub fn update_environment(
        &mut self,
        id: i64,
        name: &str,
        variables: &[Variable],
    ) -> Result<(), StoreError> {
        self.update_environment_moving(id, name, variables, false)
    }

    /// `update_environment`; `os_entries_copied`: the OS entries of the environment's secrets are
    /// already written under the new name, so their rows move too.
    pub(crate) fn update_environment_moving(
        &mut self,
        id: i64,
        name: &str,
        variables: &[Variable],
        os_entries_copied: bool,
    ) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        self.write_tx(|tx| {
            if let Some((c, old)) = environment_names(tx, id).map_err(e.clone())? {
                let (from, to) = (
                    SecretScope::environment(&c, &old),
                    SecretScope::environment(&c, name),
                );
                rekey_secret_rows(tx, &from.key(), &to.key(), os_entries_copied)
                    .map_err(e.clone())?;
            }
            let n = tx
                .execute(
                    "UPDATE environments SET name = ?2 WHERE id = ?1",
                    params![id, name],
                )
                .map_err(e.clone())?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "environment",
                    id,
                });
            }
            tx.execute("DELETE FROM variables WHERE environment_id = ?1", [id])
                .map_err(e.clone())?;
            insert_variables(tx, None, Some(id), variables).map_err(e)
        })
    }

    /// Deletes an environment. Its secrets held in this database go in the same transaction; rows
    /// recording an OS credential store entry stay until
    /// [`crate::secrets::SecretStore::delete_environment`] deletes the entry.
    pub fn delete_environment(&mut self, id: i64) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = move |e| StoreError::from_sqlite(&path, e);
        self.write_tx(|tx| {
            if let Some((c, env)) = environment_names(tx, id).map_err(e.clone())? {
                delete_database_secret_rows(tx, &SecretScope::environment(&c, &env).key())
                    .map_err(e.clone())?;
            }
            let n = tx
                .execute("DELETE FROM environments WHERE id = ?1", [id])
                .map_err(e)?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "environment",
                    id,
                });
            }
            Ok(())
        })
    }

    /// A collection's own variables.
    pub fn collection_variables(&self, collection: i64) -> Result<Vec<Variable>, StoreError> {
        load_variables(&self.conn, "collection_id = ?1", collection).map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::Request;

    fn store() -> (Store, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("sockpit-tree-{}-{}", std::process::id(), now_ms()));
        (Store::open_in(&dir).expect("open"), dir)
    }

    fn names(nodes: &[TreeNode]) -> Vec<String> {
        nodes.iter().map(|n| n.name.clone()).collect()
    }

    fn req(name: &str) -> Request {
        Request {
            name: name.into(),
            url: "ws://x".into(),
            ..Request::default()
        }
    }

    #[test]
    fn rename_duplicate_move_and_delete() {
        let (mut s, dir) = store();
        let c = s.create_collection("C").expect("collection");
        let a = s.add_request(c, None, &req("a")).expect("a");
        let b = s.add_request(c, None, &req("b")).expect("b");
        let f = s.add_folder(c, None, "F").expect("folder");
        let copy = s.duplicate_node(NodeKind::Request, a).expect("dup");
        assert_eq!(
            names(&s.tree().expect("tree")[0].children),
            ["a", "a copy", "b", "F"]
        );
        s.rename_node(NodeKind::Request, copy, "a2")
            .expect("rename");
        s.move_node(NodeKind::Request, b, -5).expect("up");
        assert_eq!(
            names(&s.tree().expect("tree")[0].children),
            ["b", "a", "a2", "F"]
        );
        s.reparent_node(NodeKind::Request, a, c, Some(f))
            .expect("into folder");
        let t = s.tree().expect("tree");
        assert_eq!(names(&t[0].children), ["b", "a2", "F"]);
        assert_eq!(names(&t[0].children[2].children), ["a"]);
        assert!(s.reparent_node(NodeKind::Folder, f, c, Some(f)).is_err());
        s.delete_node(NodeKind::Folder, f).expect("delete folder");
        assert!(
            s.load_request(a).is_err(),
            "the folder's request went with it"
        );
        let c2 = s.create_collection("D").expect("D");
        assert_eq!(
            s.rename_node(NodeKind::Collection, c2, "C")
                .map_err(|e| e.code()),
            Err("store.duplicate_name")
        );
        let env = s.add_environment(c, "dev").expect("env");
        s.update_environment(env, "dev", &[Variable::plain("host", "h:1")])
            .expect("vars");
        let envs = s.environments().expect("envs");
        assert_eq!(envs.len(), 1);
        assert_eq!(envs[0].variables[0].value.as_deref(), Some("h:1"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
