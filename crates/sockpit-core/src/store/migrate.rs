//! Versioned schema migrations, tracked in `PRAGMA user_version`, each applied in one transaction.
//!
//! A migration is appended to [`MIGRATIONS`], never edited once released. Each runs inside
//! `BEGIN IMMEDIATE` together with the `user_version` bump, so a crash leaves the database at the
//! previous version or the next, never between; two processes opening at once migrate once.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// `(version, SQL)`: the SQL takes the schema from `version - 1` to `version`.
const MIGRATIONS: &[(u32, &str)] = &[(1, V1), (2, V2), (3, V3), (4, V4), (5, V5), (6, V6)];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

const V1: &str = r#"
CREATE TABLE collections (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE folders (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES folders(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX folders_by_collection ON folders(collection_id, parent_id, position);
CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    folder_id     INTEGER REFERENCES folders(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    protocol      TEXT NOT NULL CHECK (protocol IN ('websocket', 'sse')),
    url           TEXT NOT NULL,
    method        TEXT,
    body          TEXT,
    params        TEXT NOT NULL DEFAULT '[]',
    headers       TEXT NOT NULL DEFAULT '[]',
    subprotocols  TEXT NOT NULL DEFAULT '[]',
    auth          TEXT NOT NULL DEFAULT '{"type":"none"}',
    settings      TEXT NOT NULL DEFAULT '{}',
    received      TEXT NOT NULL DEFAULT '[]',
    updated_at    INTEGER NOT NULL
);
CREATE INDEX requests_by_collection ON requests(collection_id, folder_id, position);
CREATE TABLE saved_messages (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'json', 'hex', 'base64', 'file', 'protobuf')),
    body       TEXT NOT NULL,
    delay_ms   INTEGER
);
CREATE INDEX saved_messages_by_request ON saved_messages(request_id, position);
CREATE TABLE assertions (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    spec       TEXT NOT NULL
);
CREATE INDEX assertions_by_request ON assertions(request_id, position);
CREATE TABLE environments (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    UNIQUE (collection_id, name)
);
-- Collection variables (collection_id), environment variables (environment_id) or globals (neither).
CREATE TABLE variables (
    id             INTEGER PRIMARY KEY,
    collection_id  INTEGER REFERENCES collections(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    value          TEXT,
    secret         INTEGER NOT NULL DEFAULT 0,
    CHECK (collection_id IS NULL OR environment_id IS NULL)
);
CREATE INDEX variables_by_owner ON variables(collection_id, environment_id, position);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE history_connections (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    protocol   TEXT NOT NULL,
    url        TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    events     INTEGER NOT NULL DEFAULT 0,
    dropped    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE history_events (
    connection_id INTEGER NOT NULL REFERENCES history_connections(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    t_ns          INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    dir           TEXT NOT NULL,
    code          INTEGER,
    meta          TEXT,
    data          BLOB,
    PRIMARY KEY (connection_id, seq)
) WITHOUT ROWID;
"#;

/// Local secret values (see `crate::secrets`): where each lives, `keyring` (the OS credential
/// store; `value` is NULL here) or `database` (the fallback when there is no OS store). `scope` is
/// `''` for globals, `collection/NAME` or `collection/NAME/env/ENV`.
const V2: &str = r#"
CREATE TABLE secrets (
    scope      TEXT NOT NULL,
    name       TEXT NOT NULL,
    backend    TEXT NOT NULL CHECK (backend IN ('keyring', 'database')),
    value      TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, name)
) WITHOUT ROWID;
"#;

/// Protocol layers on requests: the `protocol` CHECK grows (`socketio`, `graphql`, `stomp`, `mqtt`),
/// which SQLite can only do by rebuilding the table (foreign keys are off meanwhile, see
/// [`migrate`], so the rebuild cascades nothing), and saved messages get their protocol parts
/// (`extra`, JSON: Socket.IO event/namespace/ack, GraphQL variables/operation name).
const V3: &str = r#"
CREATE TABLE requests_v3 (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    folder_id     INTEGER REFERENCES folders(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    protocol      TEXT NOT NULL
                  CHECK (protocol IN ('websocket', 'sse', 'socketio', 'graphql', 'stomp', 'mqtt')),
    url           TEXT NOT NULL,
    method        TEXT,
    body          TEXT,
    params        TEXT NOT NULL DEFAULT '[]',
    headers       TEXT NOT NULL DEFAULT '[]',
    subprotocols  TEXT NOT NULL DEFAULT '[]',
    auth          TEXT NOT NULL DEFAULT '{"type":"none"}',
    settings      TEXT NOT NULL DEFAULT '{}',
    received      TEXT NOT NULL DEFAULT '[]',
    updated_at    INTEGER NOT NULL
);
INSERT INTO requests_v3 SELECT * FROM requests;
DROP TABLE requests;
ALTER TABLE requests_v3 RENAME TO requests;
CREATE INDEX requests_by_collection ON requests(collection_id, folder_id, position);
ALTER TABLE saved_messages ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
"#;

/// Request scripts (JavaScript hooks), as the share format's `scripts` object.
const V4: &str = r#"
ALTER TABLE requests ADD COLUMN scripts TEXT NOT NULL DEFAULT '{}';
"#;

/// The process recording a history connection (`pid:start`), so that a row it never closed can
/// be shown as interrupted once that process is gone (`store/outcome.rs`).
const V5: &str = r#"
ALTER TABLE history_connections ADD COLUMN owner TEXT;
"#;

/// The history list's outcome of a connection (its open, last close and last error) found by
/// index: without them each of those lookups walked every event of the connection, so listing 500
/// connections after a flood read every row of the flood. Partial, so message rows (nearly all of
/// them) are not indexed; the queries name them (`INDEXED BY`), since without statistics SQLite
/// prefers the primary key.
const V6: &str = r#"
CREATE INDEX history_events_opens ON history_events(connection_id, seq) WHERE kind = 'open';
CREATE INDEX history_events_closes ON history_events(connection_id, seq) WHERE kind = 'close';
CREATE INDEX history_events_errors ON history_events(connection_id, seq) WHERE kind = 'error';
"#;

/// Migrations that rebuild a table others reference: they run with foreign keys off (SQLite
/// ignores that pragma inside a transaction, so it is set around it) and check them before commit.
const REBUILDS: &[u32] = &[3];

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map(|v| v.clamp(0, u32::MAX as i64) as u32)
}

/// Applies every migration above the database's version.
pub(crate) fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let err = |e| StoreError::from_sqlite(path, e);
    for &(version, sql) in MIGRATIONS {
        if user_version(conn).map_err(err)? >= version {
            continue;
        }
        let rebuild = REBUILDS.contains(&version);
        if rebuild {
            conn.execute_batch("PRAGMA foreign_keys=OFF").map_err(err)?;
        }
        conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
        let result = (|| {
            // Another process may have migrated while we waited for the lock.
            let at = user_version(conn)?;
            if at >= version {
                return Ok(at);
            }
            conn.execute_batch(sql)?;
            if rebuild {
                let broken: i64 =
                    conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                        r.get(0)
                    })?;
                if broken > 0 {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                        Some(format!("{broken} rows would lose their parent")),
                    ));
                }
            }
            conn.execute_batch(&format!("PRAGMA user_version = {version}"))?;
            Ok(at)
        })();
        let result = match result.and_then(|at| conn.execute_batch("COMMIT").map(|()| at)) {
            Ok(at) => Ok(at),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        };
        if rebuild {
            // Outside the transaction again, so the pragma takes effect.
            conn.execute_batch("PRAGMA foreign_keys=ON").map_err(err)?;
        }
        match result {
            Ok(at) => {
                if at < version {
                    tracing::info!(path = %path.display(), from = at, to = version, "store: migrated");
                }
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), version, "store: migration failed: {e}");
                let mapped = err(e);
                if let StoreError::Sqlite { reason, .. } = mapped {
                    return Err(StoreError::Migration {
                        version,
                        at: version - 1,
                        reason,
                    });
                }
                return Err(mapped);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as version 2 left it, with a request that has children in every table that
    /// references `requests`.
    fn v2_with_children(conn: &Connection) {
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V2).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 2; PRAGMA foreign_keys = ON;
             INSERT INTO collections (id, name, created_at, updated_at) VALUES (1, 'c', 0, 0);
             INSERT INTO requests (id, collection_id, position, name, protocol, url, updated_at)
                 VALUES (7, 1, 0, 'r', 'websocket', 'ws://h/', 0);
             INSERT INTO saved_messages (request_id, position, name, kind, body)
                 VALUES (7, 0, 'm', 'text', 'hi');
             INSERT INTO assertions (request_id, position, spec) VALUES (7, 0, '{}');
             INSERT INTO history_connections (request_id, protocol, url, started_at)
                 VALUES (7, 'websocket', 'ws://h/', 0);",
        )
        .unwrap();
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn v3_rebuilds_requests_without_losing_what_references_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let conn = Connection::open(&path).unwrap();
        v2_with_children(&conn);
        migrate(&conn, &path).unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST);
        assert_eq!(count(&conn, "SELECT count(*) FROM saved_messages"), 1);
        assert_eq!(count(&conn, "SELECT count(*) FROM assertions"), 1);
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM history_connections WHERE request_id = 7"
            ),
            1
        );
        let extra: String = conn
            .query_row("SELECT extra FROM saved_messages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(extra, "{}");
        // The new protocols are accepted, others still refused, and foreign keys are on again.
        conn.execute("UPDATE requests SET protocol = 'socketio' WHERE id = 7", [])
            .unwrap();
        assert!(conn
            .execute("UPDATE requests SET protocol = 'gopher' WHERE id = 7", [])
            .is_err());
        assert_eq!(count(&conn, "PRAGMA foreign_keys"), 1);
        conn.execute("DELETE FROM requests WHERE id = 7", [])
            .unwrap();
        assert_eq!(count(&conn, "SELECT count(*) FROM saved_messages"), 0);
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM history_connections WHERE request_id IS NULL"
            ),
            1
        );
    }
}
