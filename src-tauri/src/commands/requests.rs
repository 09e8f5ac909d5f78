//! The window's first saved-requests file (`app-requests.json` in the data directory): read once
//! and imported into the store by `commands/store.rs`; `store`/`upsert` remain for its tests.

use std::path::Path;

use crate::dto::{AppError, SavedRequest};

fn io_err(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::new("app.requests_io", format!("{}: {e}", path.display()))
}

pub fn load(path: &Path) -> Result<Vec<SavedRequest>, AppError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| io_err(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io_err(path, e)),
    }
}

/// Writes atomically (temp file + rename) so a crash never leaves half a file.
pub fn store(path: &Path, list: &[SavedRequest]) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    let tmp = path.with_extension("json.tmp");
    let json = serde_json::to_vec_pretty(list).map_err(|e| io_err(path, e))?;
    std::fs::write(&tmp, json).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
}

/// Inserts or replaces (by id) `req`.
pub fn upsert(list: &mut Vec<SavedRequest>, req: SavedRequest) {
    match list.iter_mut().find(|r| r.id == req.id) {
        Some(r) => *r = req,
        None => list.push(req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_replaces_and_reloads() {
        let dir = std::env::temp_dir().join(format!("sockpit-app-req-{}", std::process::id()));
        let path = dir.join("app-requests.json");
        assert_eq!(load(&path).map(|l| l.len()), Ok(0));
        let mut list = Vec::new();
        let req = |id: &str, url: &str| SavedRequest {
            id: id.into(),
            name: "echo".into(),
            url: url.into(),
            messages: vec!["hi".into(), "{\"a\":1}".into()],
            sse_url: String::new(),
        };
        upsert(&mut list, req("1", "ws://a"));
        upsert(&mut list, req("2", "ws://b"));
        upsert(&mut list, req("1", "ws://c"));
        store(&path, &list).expect("store");
        let back = load(&path).expect("load");
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].url, "ws://c");
        assert_eq!(back[0].messages.len(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
