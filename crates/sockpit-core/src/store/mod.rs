//! The local store: one SQLite file (`sockpit.db`) in the data directory shared by the app and the CLI.
//!
//! Opening a store ([`Store::open_in`]) creates the directory and the file when needed, refuses a
//! database written by a newer Sockpit before changing anything ([`StoreError::NewerVersion`]),
//! then turns on WAL and foreign keys and applies the pending migrations ([`migrate`]), each in one
//! transaction. Collections live in [`collections`], environments and settings in [`settings`],
//! connection history in [`history`] (written by a background thread, in batches).
//!
//! Durability: WAL with `synchronous=NORMAL`, so a committed save survives the process being killed
//! at any point (the crash-safety test kills a writer 100+ times); a power cut may lose the last
//! commits, never the file's integrity.

pub mod collections;
pub mod error;
pub mod history;
pub mod migrate;
pub mod outcome;
pub mod secrets;
pub mod settings;
pub mod tree;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use collections::{CollectionSummary, ImportOutcome};
pub use error::StoreError;
pub use history::{HistoryConnection, HistoryRecorder, HistoryStats, RecordedEvent};
pub use outcome::HistoryOutcome;
pub use tree::{EnvironmentEntry, NodeKind, TreeNode};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "sockpit.db";
/// How long a write waits for another process holding the database before `store.locked`.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(3);

/// The OS data directory for Sockpit: `$XDG_DATA_HOME/sockpit` or `~/.local/share/sockpit` on
/// Linux, `~/Library/Application Support/sockpit` on macOS, `%APPDATA%\sockpit` on Windows.
pub fn default_data_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return env("APPDATA").map(|d| d.join("sockpit"));
    }
    let home = env("HOME");
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Application Support/sockpit"));
    }
    env("XDG_DATA_HOME")
        .or_else(|| home.map(|h| h.join(".local/share")))
        .map(|d| d.join("sockpit"))
}

/// `explicit` (from `--data-dir` / `SOCKPIT_DATA_DIR`) or the OS default.
pub fn resolve_data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => default_data_dir().ok_or_else(|| StoreError::DataDir {
            path: "(none)".into(),
            reason: "no home directory is known (HOME is unset)".into(),
        }),
    }
}

/// An open store. Not `Sync`: the app keeps it behind a mutex and never holds that across `.await`.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when missing) `DIR/sockpit.db`.
    pub fn open_in(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::DataDir {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        Store::open(&dir.join(DB_FILE), DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens (creating when missing) the database file at `path`.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Store, StoreError> {
        let conn = open_connection(path, busy_timeout)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        migrate::migrate(&store.conn, path)?;
        tracing::debug!(path = %path.display(), "store: open");
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `PRAGMA integrity_check`: `"ok"` for a healthy file.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let rows: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| self.err(e))?;
            let it = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(|e| self.err(e))?;
            it.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        Ok(rows.join("; "))
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrate::user_version(&self.conn).map_err(|e| self.err(e))
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e)
    }
}

/// Opens a connection with the store's pragmas, after checking the file is not from a newer
/// version (nothing is written before that check).
pub(crate) fn open_connection(
    path: &Path,
    busy_timeout: Duration,
) -> Result<Connection, StoreError> {
    let err = |e| StoreError::from_sqlite(path, e);
    let conn = Connection::open(path).map_err(err)?;
    conn.busy_timeout(busy_timeout).map_err(err)?;
    let version = migrate::user_version(&conn).map_err(err)?;
    if version > migrate::LATEST {
        tracing::warn!(
            path = %path.display(),
            found = version,
            supported = migrate::LATEST,
            "store: written by a newer Sockpit; not opened"
        );
        return Err(StoreError::NewerVersion {
            path: path.display().to_string(),
            found: version,
            supported: migrate::LATEST,
        });
    }
    // `journal_mode` answers with a row; WAL needs a moment of exclusive access the first time.
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Sqlite {
            path: path.display().to_string(),
            reason: format!("could not switch to WAL journaling (got '{mode}')"),
        });
    }
    conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;")
        .map_err(err)?;
    Ok(conn)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
