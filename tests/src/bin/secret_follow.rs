//! Renames or deletes a stored environment or collection through `SecretStore`, as the window
//! does, for the Secret Service test in `tests/secrets.rs` (the CLI has no such command).
//!
//! Usage, with `SOCKPIT_DATA_DIR` set:
//! `secret_follow rename-env COLLECTION ENV NEW` | `secret_follow rename-collection COLLECTION NEW`
//! | `secret_follow delete-env COLLECTION ENV`. Warnings go to stderr as `warning: ...`; an error
//! is `error: CODE: MESSAGE` on stderr and exit status 1.

use std::path::{Path, PathBuf};

use sockpit_core::secrets::{SecretError, SecretStore};
use sockpit_core::store::{NodeKind, Store, StoreError};

fn environment(store: &Store, collection: &str, env: &str) -> Result<(i64, i64), StoreError> {
    store
        .environments()?
        .into_iter()
        .find(|e| e.collection == collection && e.name == env)
        .map(|e| (e.collection_id, e.id))
        .ok_or(StoreError::NotFound {
            what: "environment",
            id: -1,
        })
}

fn run(dir: &Path, args: &[String]) -> Result<Vec<String>, SecretError> {
    let mut store = Store::open_in(dir)?;
    let mut secrets = SecretStore::new(dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["rename-env", c, e, new] => {
            let (_, id) = environment(&store, c, e)?;
            let vars = store
                .environments()?
                .into_iter()
                .find(|x| x.id == id)
                .map(|x| x.variables)
                .unwrap_or_default();
            secrets.update_environment(&mut store, id, new, &vars)
        }
        ["rename-collection", c, new] => {
            let id = store.find_collection(c)?.ok_or(StoreError::NotFound {
                what: "collection",
                id: -1,
            })?;
            secrets.rename_node(&mut store, NodeKind::Collection, id, new)
        }
        ["delete-env", c, e] => {
            let (_, id) = environment(&store, c, e)?;
            secrets.delete_environment(&mut store, id)
        }
        _ => {
            eprintln!("usage: secret_follow rename-env C E NEW | rename-collection C NEW | delete-env C E");
            std::process::exit(2);
        }
    }
}

fn main() {
    let Some(dir) = std::env::var_os("SOCKPIT_DATA_DIR").map(PathBuf::from) else {
        eprintln!("SOCKPIT_DATA_DIR is not set");
        std::process::exit(2);
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&dir, &args) {
        Ok(warnings) => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
        }
        Err(e) => {
            eprintln!("error: {}: {e}", e.code());
            std::process::exit(1);
        }
    }
}
