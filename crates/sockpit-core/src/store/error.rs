//! `StoreError`: what can go wrong with the local database, each with a stable `code()`.

use std::path::Path;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("the database {path} is locked by another process (the Sockpit app or another sockpit command is writing to it); close that or try again")]
    Locked { path: String },
    #[error("the database {path} was written by a newer Sockpit (schema version {found}, this one knows up to {supported}); update Sockpit — the file was left untouched")]
    NewerVersion {
        path: String,
        found: u32,
        supported: u32,
    },
    #[error("{path} is not a Sockpit database or is damaged ({reason}); move it away and Sockpit starts a new one")]
    NotADatabase { path: String, reason: String },
    #[error("cannot use the data directory {path}: {reason}; pass --data-dir or set SOCKPIT_DATA_DIR to a writable directory")]
    DataDir { path: String, reason: String },
    #[error("no collection named '{0}' in the store (see `sockpit import FILE`, or pass a .sockpit.json file)")]
    CollectionNotFound(String),
    #[error("a collection named '{0}' already exists; pick another name")]
    DuplicateName(String),
    #[error("no {what} with id {id} in the store")]
    NotFound { what: &'static str, id: i64 },
    #[error("migration to schema version {version} failed ({reason}); the database was left at version {at}")]
    Migration {
        version: u32,
        at: u32,
        reason: String,
    },
    #[error("stored {what} is unreadable ({reason}); re-save it")]
    Corrupt { what: String, reason: String },
    #[error("database error in {path}: {reason}")]
    Sqlite { path: String, reason: String },
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Locked { .. } => "store.locked",
            StoreError::NewerVersion { .. } => "store.newer_version",
            StoreError::NotADatabase { .. } => "store.not_a_database",
            StoreError::DataDir { .. } => "store.data_dir",
            StoreError::CollectionNotFound(_) => "store.collection_not_found",
            StoreError::DuplicateName(_) => "store.duplicate_name",
            StoreError::NotFound { .. } => "store.not_found",
            StoreError::Migration { .. } => "store.migration_failed",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::Sqlite { .. } => "store.sqlite",
        }
    }

    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let path_s = path.display().to_string();
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    return StoreError::Locked { path: path_s }
                }
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    return StoreError::NotADatabase {
                        path: path_s,
                        reason: msg.clone().unwrap_or_else(|| f.to_string()),
                    }
                }
                ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied => {
                    return StoreError::DataDir {
                        path: path_s,
                        reason: msg.clone().unwrap_or_else(|| f.to_string()),
                    }
                }
                _ => {}
            }
        }
        StoreError::Sqlite {
            path: path_s,
            reason: e.to_string(),
        }
    }
}
