//! The window's first saved-requests file (`app-requests.json` in the data directory): imported
//! into the store's default collection once, when the store is first opened, then renamed
//! `app-requests.json.imported`.

use std::path::Path;

use sockpit_core::app::{AppError, DEFAULT_COLLECTION};
use sockpit_core::collection::model::{Collection, MessageKind, Request, SavedMessage};
use sockpit_core::store::Store;

use crate::dto::SavedRequest;

const OLD_FILE: &str = "app-requests.json";

fn io_err(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

pub fn load(path: &Path) -> Result<Vec<SavedRequest>, AppError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| io_err(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io_err(path, e)),
    }
}

/// Imports `app-requests.json` into the default collection once, then renames it `.imported`.
pub fn import_old_requests(store: &mut Store, dir: &Path) -> Result<(), AppError> {
    let path = dir.join(OLD_FILE);
    if !path.exists() {
        return Ok(());
    }
    let old = load(&path)?;
    let requests: Vec<Request> = old
        .iter()
        .map(|r| Request {
            name: r.name.clone(),
            url: r.url.clone(),
            messages: r
                .messages
                .iter()
                .map(|m| SavedMessage {
                    name: m
                        .lines()
                        .next()
                        .unwrap_or("message")
                        .chars()
                        .take(40)
                        .collect(),
                    kind: MessageKind::Text,
                    body: m.clone(),
                    delay_ms: None,
                    ..SavedMessage::default()
                })
                .collect(),
            ..Request::default()
        })
        .collect();
    let collection = match store.find_collection(DEFAULT_COLLECTION)? {
        Some(id) => id,
        None => store.insert_collection(&Collection {
            name: DEFAULT_COLLECTION.into(),
            ..Collection::default()
        })?,
    };
    for r in &requests {
        store.add_request(collection, None, r)?;
    }
    let done = path.with_extension("json.imported");
    std::fs::rename(&path, &done)
        .map_err(|e| io_err(&path, format!("imported, but could not rename it: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_the_old_requests_file_once() {
        let dir = tempfile::tempdir().expect("dir");
        let dir = dir.path();
        let old = vec![SavedRequest {
            id: "1".into(),
            name: "Echo".into(),
            url: "ws://127.0.0.1:1/echo".into(),
            messages: vec!["first".into(), "{\"second\":2}".into()],
            sse_url: String::new(),
        }];
        std::fs::write(dir.join(OLD_FILE), serde_json::to_vec(&old).expect("json")).expect("write");
        let mut store = Store::open_in(dir).expect("store");
        import_old_requests(&mut store, dir).expect("import");
        import_old_requests(&mut store, dir).expect("second call is a no-op");
        assert!(!dir.join(OLD_FILE).exists());
        assert!(dir.join("app-requests.json.imported").exists());
        let tree = store.tree().expect("tree");
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].name, DEFAULT_COLLECTION);
        assert_eq!(tree[0].children.len(), 1, "imported once");
        let r = store.load_request(tree[0].children[0].id).expect("request");
        assert_eq!(r.name, "Echo");
        let bodies: Vec<&str> = r.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["first", "{\"second\":2}"]);
    }
}
