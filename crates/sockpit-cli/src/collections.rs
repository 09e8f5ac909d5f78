//! Finding the collection a command names: a file (any importable format) or a name in the store.

use std::path::{Path, PathBuf};

use sockpit_core::collection::import::{import_file, Format};
use sockpit_core::collection::Collection;
use sockpit_core::store::{resolve_data_dir, Store, StoreError, DB_FILE};

use crate::exit;

/// A collection ready to use, with the store when there is one.
pub struct Loaded {
    pub collection: Collection,
    /// Where relative paths in the collection start.
    pub base_dir: PathBuf,
    pub store: Option<Store>,
    /// What an import could not carry.
    pub warnings: Vec<String>,
}

/// Opens the store in the data directory (creating it).
pub fn open_store(data_dir: Option<&Path>) -> Result<Store, StoreError> {
    let dir = resolve_data_dir(data_dir)?;
    Store::open_in(&dir)
}

/// The store only when its database already exists (a file run never creates one).
fn existing_store(data_dir: Option<&Path>) -> Result<Option<Store>, StoreError> {
    let dir = resolve_data_dir(data_dir)?;
    if dir.join(DB_FILE).exists() {
        Store::open_in(&dir).map(Some)
    } else {
        Ok(None)
    }
}

/// `arg` is a path to an existing file, or the name of a stored collection.
pub fn load(arg: &str, data_dir: Option<&Path>) -> Result<Loaded, (i32, String)> {
    let path = Path::new(arg);
    if path.is_file() || path.join("bruno.json").is_file() {
        let imported =
            import_file(path, Format::Auto).map_err(|e| (exit::FAILURE, e.to_string()))?;
        let store = existing_store(data_dir).map_err(|e| (exit::FAILURE, e.to_string()))?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        return Ok(Loaded {
            collection: imported.collection,
            base_dir,
            store,
            warnings: imported.warnings,
        });
    }
    if path.is_dir() {
        // Not "no such file": it exists, it is just not something `run` or `export` reads.
        return Err((
            exit::USAGE,
            format!(
                "{arg} is a folder without bruno.json: give a collection file (.sockpit.json or \
                 any format `sockpit import` reads), a Bruno collection folder, or the name of a \
                 stored collection"
            ),
        ));
    }
    let looks_like_path = arg.contains('/') || arg.ends_with(".json") || arg.ends_with(".yaml");
    let store = open_store(data_dir).map_err(|e| (exit::FAILURE, e.to_string()))?;
    let id = store
        .find_collection(arg)
        .map_err(|e| (exit::FAILURE, e.to_string()))?;
    let Some(id) = id else {
        let msg = if looks_like_path {
            format!("no such file: {arg}")
        } else {
            StoreError::CollectionNotFound(arg.into()).to_string()
        };
        return Err((exit::USAGE, msg));
    };
    let collection = store
        .load_collection(id)
        .map_err(|e| (exit::FAILURE, e.to_string()))?;
    Ok(Loaded {
        collection,
        base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        store: Some(store),
        warnings: Vec::new(),
    })
}
