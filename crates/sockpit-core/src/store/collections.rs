//! Collections in the store: whole trees in and out (import, export, run) and single requests and
//! folders (what the window edits). Every write is one `BEGIN IMMEDIATE` transaction.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{now_ms, Store, StoreError};
use crate::collection::model::{
    Collection, Environment, Folder, Item, MessageKind, Protocol, Request, SavedMessage, Variable,
};

/// One row of `list_collections`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSummary {
    pub id: i64,
    pub name: String,
    pub requests: u64,
}

/// Where an imported collection went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub id: i64,
    pub name: String,
    /// The name it had in the file, when that name was taken and it was renamed.
    pub renamed_from: Option<String>,
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn from_json<T: DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what: what.into(),
        reason: e.to_string(),
    })
}

type Sql<T> = rusqlite::Result<T>;

impl Store {
    pub fn list_collections(&self) -> Result<Vec<CollectionSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, c.name, (SELECT count(*) FROM requests r WHERE r.collection_id = c.id)
                 FROM collections c ORDER BY c.name COLLATE NOCASE",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(CollectionSummary {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    requests: r.get::<_, i64>(2)?.max(0) as u64,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Sql<Vec<_>>>().map_err(|e| self.err(e))
    }

    /// The id of the collection called `name`.
    pub fn find_collection(&self, name: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row("SELECT id FROM collections WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Saves a whole collection under its own name (`store.duplicate_name` if taken).
    pub fn insert_collection(&mut self, c: &Collection) -> Result<i64, StoreError> {
        let path = self.path().to_path_buf();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&path, e))?;
        if name_taken(&tx, &c.name).map_err(|e| StoreError::from_sqlite(&path, e))? {
            return Err(StoreError::DuplicateName(c.name.clone()));
        }
        let id = insert_tree(&tx, c).map_err(|e| StoreError::from_sqlite(&path, e))?;
        tx.commit().map_err(|e| StoreError::from_sqlite(&path, e))?;
        Ok(id)
    }

    /// Saves an imported collection; a taken name becomes `NAME (2)`, `NAME (3)`, ... and is reported.
    pub fn import_collection(&mut self, c: &Collection) -> Result<ImportOutcome, StoreError> {
        let path = self.path().to_path_buf();
        let e = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let mut name = c.name.clone();
        let mut n = 2;
        while name_taken(&tx, &name).map_err(e)? {
            name = format!("{} ({n})", c.name);
            n += 1;
        }
        let renamed_from = (name != c.name).then(|| c.name.clone());
        let mut c = c.clone();
        c.name = name.clone();
        let id = insert_tree(&tx, &c).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(ImportOutcome {
            id,
            name,
            renamed_from,
        })
    }

    /// The whole collection tree, as the share format writes it.
    pub fn load_collection(&self, id: i64) -> Result<Collection, StoreError> {
        let (name, description): (String, String) = self
            .conn
            .query_row(
                "SELECT name, description FROM collections WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "collection",
                id,
            })?;
        let variables =
            load_variables(&self.conn, "collection_id = ?1", id).map_err(|e| self.err(e))?;
        let mut environments = Vec::new();
        let envs: Vec<(i64, String)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id, name FROM environments WHERE collection_id = ?1 ORDER BY position, id")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<Sql<_>>().map_err(|e| self.err(e))?
        };
        for (env_id, env_name) in envs {
            environments.push(Environment {
                name: env_name,
                variables: load_variables(&self.conn, "environment_id = ?1", env_id)
                    .map_err(|e| self.err(e))?,
            });
        }
        let items = self.load_items(id, None)?;
        Ok(Collection {
            name,
            description,
            variables,
            environments,
            items,
        })
    }

    fn load_items(&self, collection: i64, folder: Option<i64>) -> Result<Vec<Item>, StoreError> {
        // Folders and requests share one ordering by position.
        let mut entries: Vec<(i64, bool, i64)> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT position, 1, id FROM folders WHERE collection_id = ?1 AND parent_id IS ?2
                     UNION ALL
                     SELECT position, 0, id FROM requests WHERE collection_id = ?1 AND folder_id IS ?2
                     ORDER BY 1, 3",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(params![collection, folder], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? == 1, r.get(2)?))
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                entries.push(row.map_err(|e| self.err(e))?);
            }
        }
        let mut items = Vec::with_capacity(entries.len());
        for (_, is_folder, id) in entries {
            if is_folder {
                let (name, description): (String, String) = self
                    .conn
                    .query_row(
                        "SELECT name, description FROM folders WHERE id = ?1",
                        [id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .map_err(|e| self.err(e))?;
                items.push(Item::Folder(Folder {
                    name,
                    description,
                    items: self.load_items(collection, Some(id))?,
                }));
            } else {
                items.push(Item::Request(Box::new(self.load_request(id)?)));
            }
        }
        Ok(items)
    }

    pub fn load_request(&self, id: i64) -> Result<Request, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT name, description, protocol, url, method, body, params, headers,
                        subprotocols, auth, settings, received, scripts
                 FROM requests WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        [
                            r.get::<_, String>(6)?,
                            r.get::<_, String>(7)?,
                            r.get::<_, String>(8)?,
                            r.get::<_, String>(9)?,
                            r.get::<_, String>(10)?,
                            r.get::<_, String>(11)?,
                            r.get::<_, String>(12)?,
                        ],
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::NotFound {
                what: "request",
                id,
            })?;
        let (name, description, protocol, url, method, body, json) = row;
        let what = format!("request '{name}'");
        let protocol = Protocol::parse(&protocol).unwrap_or_default();
        let mut messages = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT name, kind, body, delay_ms, extra FROM saved_messages
                     WHERE request_id = ?1 ORDER BY position, id",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((
                        SavedMessage {
                            name: r.get(0)?,
                            kind: MessageKind::parse(&r.get::<_, String>(1)?).unwrap_or_default(),
                            body: r.get(2)?,
                            delay_ms: r.get::<_, Option<i64>>(3)?.map(|v| v.max(0) as u64),
                            ..SavedMessage::default()
                        },
                        r.get::<_, String>(4)?,
                    ))
                })
                .map_err(|e| self.err(e))?;
            for m in rows {
                let (mut m, extra) = m.map_err(|e| self.err(e))?;
                m.set_extra(from_json(&what, &extra)?);
                messages.push(m);
            }
        }
        let mut assertions = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT spec FROM assertions WHERE request_id = ?1 ORDER BY position, id")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([id], |r| r.get::<_, String>(0))
                .map_err(|e| self.err(e))?;
            for spec in rows {
                assertions.push(from_json(&what, &spec.map_err(|e| self.err(e))?)?);
            }
        }
        Ok(Request {
            name,
            description,
            protocol,
            url,
            method,
            body,
            params: from_json(&what, &json[0])?,
            headers: from_json(&what, &json[1])?,
            subprotocols: from_json(&what, &json[2])?,
            auth: from_json(&what, &json[3])?,
            settings: from_json(&what, &json[4])?,
            messages,
            assertions,
            received_examples: from_json(&what, &json[5])?,
            scripts: from_json(&what, &json[6])?,
        })
    }

    /// Adds a request at the end of a collection (or of one of its folders); returns its id.
    pub fn add_request(
        &mut self,
        collection: i64,
        folder: Option<i64>,
        request: &Request,
    ) -> Result<i64, StoreError> {
        let path = self.path().to_path_buf();
        let e = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let position = next_position(&tx, collection, folder).map_err(e)?;
        let id = insert_request(&tx, collection, folder, position, request).map_err(e)?;
        touch(&tx, collection).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(id)
    }

    /// Replaces a saved request (its messages and assertions too), keeping its place.
    pub fn update_request(&mut self, id: i64, request: &Request) -> Result<(), StoreError> {
        let path = self.path().to_path_buf();
        let e = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let collection: Option<i64> = tx
            .query_row(
                "SELECT collection_id FROM requests WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?;
        let Some(collection) = collection else {
            return Err(StoreError::NotFound {
                what: "request",
                id,
            });
        };
        tx.execute("DELETE FROM saved_messages WHERE request_id = ?1", [id])
            .map_err(e)?;
        tx.execute("DELETE FROM assertions WHERE request_id = ?1", [id])
            .map_err(e)?;
        tx.execute(
            "UPDATE requests SET name=?2, description=?3, protocol=?4, url=?5, method=?6, body=?7,
             params=?8, headers=?9, subprotocols=?10, auth=?11, settings=?12, received=?13,
             updated_at=?14, scripts=?15 WHERE id=?1",
            params![
                id,
                request.name,
                request.description,
                request.protocol.as_str(),
                request.url,
                request.method,
                request.body,
                to_json(&request.params),
                to_json(&request.headers),
                to_json(&request.subprotocols),
                to_json(&request.auth),
                to_json(&request.settings),
                to_json(&request.received_examples),
                now_ms(),
                to_json(&request.scripts),
            ],
        )
        .map_err(e)?;
        insert_children(&tx, id, request).map_err(e)?;
        touch(&tx, collection).map_err(e)?;
        tx.commit().map_err(e)
    }

    pub fn delete_request(&mut self, id: i64) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM requests WHERE id = ?1", [id])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "request",
                id,
            });
        }
        Ok(())
    }

    /// Adds an empty folder at the end of a collection or folder; returns its id.
    pub fn add_folder(
        &mut self,
        collection: i64,
        parent: Option<i64>,
        name: &str,
    ) -> Result<i64, StoreError> {
        let path = self.path().to_path_buf();
        let e = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e)?;
        let position = next_position(&tx, collection, parent).map_err(e)?;
        tx.execute(
            "INSERT INTO folders (collection_id, parent_id, position, name) VALUES (?1, ?2, ?3, ?4)",
            params![collection, parent, position, name],
        )
        .map_err(e)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(e)?;
        Ok(id)
    }

    /// Deletes a collection with its database-held secrets, as
    /// [`Store::delete_node`](super::tree) does (OS entries need `SecretStore::delete_node`).
    pub fn delete_collection(&mut self, id: i64) -> Result<(), StoreError> {
        self.delete_node(super::NodeKind::Collection, id)
    }

    /// The ids of a collection's requests, in tree order.
    pub fn request_ids(&self, collection: i64) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM requests WHERE collection_id = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([collection], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Sql<Vec<i64>>>().map_err(|e| self.err(e))
    }
}

fn name_taken(conn: &Connection, name: &str) -> Sql<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM collections WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )
}

fn touch(conn: &Connection, collection: i64) -> Sql<()> {
    conn.execute(
        "UPDATE collections SET updated_at = ?2 WHERE id = ?1",
        params![collection, now_ms()],
    )
    .map(|_| ())
}

fn next_position(conn: &Connection, collection: i64, folder: Option<i64>) -> Sql<i64> {
    conn.query_row(
        "SELECT max(coalesce((SELECT max(position) FROM folders WHERE collection_id = ?1 AND parent_id IS ?2), -1),
                    coalesce((SELECT max(position) FROM requests WHERE collection_id = ?1 AND folder_id IS ?2), -1)) + 1",
        params![collection, folder],
        |r| r.get(0),
    )
}

fn insert_tree(conn: &Connection, c: &Collection) -> Sql<i64> {
    let now = now_ms();
    conn.execute(
        "INSERT INTO collections (name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![c.name, c.description, now],
    )?;
    let id = conn.last_insert_rowid();
    insert_variables(conn, Some(id), None, &c.variables)?;
    for (pos, env) in c.environments.iter().enumerate() {
        conn.execute(
            "INSERT INTO environments (collection_id, position, name) VALUES (?1, ?2, ?3)",
            params![id, pos as i64, env.name],
        )?;
        let env_id = conn.last_insert_rowid();
        insert_variables(conn, None, Some(env_id), &env.variables)?;
    }
    insert_items(conn, id, None, &c.items)?;
    Ok(id)
}

fn insert_items(
    conn: &Connection,
    collection: i64,
    folder: Option<i64>,
    items: &[Item],
) -> Sql<()> {
    for (pos, item) in items.iter().enumerate() {
        match item {
            Item::Folder(f) => {
                conn.execute(
                    "INSERT INTO folders (collection_id, parent_id, position, name, description)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![collection, folder, pos as i64, f.name, f.description],
                )?;
                let fid = conn.last_insert_rowid();
                insert_items(conn, collection, Some(fid), &f.items)?;
            }
            Item::Request(r) => {
                insert_request(conn, collection, folder, pos as i64, r)?;
            }
        }
    }
    Ok(())
}

fn insert_request(
    conn: &Connection,
    collection: i64,
    folder: Option<i64>,
    position: i64,
    r: &Request,
) -> Sql<i64> {
    conn.execute(
        "INSERT INTO requests (collection_id, folder_id, position, name, description, protocol, url,
            method, body, params, headers, subprotocols, auth, settings, received, updated_at,
            scripts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            collection,
            folder,
            position,
            r.name,
            r.description,
            r.protocol.as_str(),
            r.url,
            r.method,
            r.body,
            to_json(&r.params),
            to_json(&r.headers),
            to_json(&r.subprotocols),
            to_json(&r.auth),
            to_json(&r.settings),
            to_json(&r.received_examples),
            now_ms(),
            to_json(&r.scripts),
        ],
    )?;
    let id = conn.last_insert_rowid();
    insert_children(conn, id, r)?;
    Ok(id)
}

fn insert_children(conn: &Connection, request: i64, r: &Request) -> Sql<()> {
    let mut msg = conn.prepare_cached(
        "INSERT INTO saved_messages (request_id, position, name, kind, body, delay_ms, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (pos, m) in r.messages.iter().enumerate() {
        msg.execute(params![
            request,
            pos as i64,
            m.name,
            m.kind.as_str(),
            m.body,
            m.delay_ms.map(|d| d.min(i64::MAX as u64) as i64),
            to_json(&m.extra())
        ])?;
    }
    let mut asrt = conn.prepare_cached(
        "INSERT INTO assertions (request_id, position, spec) VALUES (?1, ?2, ?3)",
    )?;
    for (pos, a) in r.assertions.iter().enumerate() {
        asrt.execute(params![request, pos as i64, to_json(a)])?;
    }
    Ok(())
}

pub(crate) fn insert_variables(
    conn: &Connection,
    collection: Option<i64>,
    environment: Option<i64>,
    vars: &[Variable],
) -> Sql<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO variables (collection_id, environment_id, position, name, value, secret)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (pos, v) in vars.iter().enumerate() {
        stmt.execute(params![
            collection,
            environment,
            pos as i64,
            v.name,
            v.value,
            v.secret
        ])?;
    }
    Ok(())
}

pub(crate) fn load_variables(conn: &Connection, owner: &str, id: i64) -> Sql<Vec<Variable>> {
    let sql =
        format!("SELECT name, value, secret FROM variables WHERE {owner} ORDER BY position, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([id], |r| {
        Ok(Variable {
            name: r.get(0)?,
            value: r.get(1)?,
            secret: r.get(2)?,
            placeholder: None,
        })
    })?;
    rows.collect()
}
