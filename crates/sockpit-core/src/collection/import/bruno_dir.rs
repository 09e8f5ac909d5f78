//! A Bruno collection folder: `bruno.json` (the name), `.bru` request files in nested folders
//! (ordered by `meta.seq`), `environments/*.bru` (`vars`, `vars:secret`). Only WebSocket requests
//! are imported; the others are counted in a warning.

use std::path::Path;

use serde_json::Value;

use super::bruno::{bru_environment, bru_request};
use super::{s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{Collection, Environment, Folder, Item};

/// Folders deeper than this are not followed (a link loop cannot recurse forever).
const MAX_DEPTH: usize = 32;

fn read(path: &Path, ctx: &Ctx) -> Result<String, CollectionError> {
    std::fs::read_to_string(path).map_err(|e| CollectionError::Unreadable {
        path: format!("{} ({})", path.display(), ctx.path),
        reason: e.to_string(),
    })
}

/// Runs `f` with a context naming `file`, keeping its warnings.
fn in_file<T>(
    ctx: &mut Ctx,
    file: &Path,
    f: impl FnOnce(&mut Ctx) -> Result<T, CollectionError>,
) -> Result<T, CollectionError> {
    let shown = file.display().to_string();
    let mut sub = Ctx {
        path: &shown,
        dir: ctx.dir,
        warnings: Vec::new(),
    };
    let out = f(&mut sub);
    ctx.warnings.append(&mut sub.warnings);
    out
}

pub(super) fn import_dir(dir: &Path, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    let meta: Value = serde_json::from_str(&read(&dir.join("bruno.json"), ctx)?).map_err(|e| {
        CollectionError::Corrupt {
            path: dir.join("bruno.json").display().to_string(),
            syntax: "JSON",
            reason: e.to_string(),
        }
    })?;
    let mut skipped = 0;
    let items = walk(dir, ctx, &mut skipped, 0)?;
    if skipped > 0 {
        ctx.warn(format!(
            "skipped {skipped} non-WebSocket request file(s): Sockpit imports WebSocket (type: ws) requests"
        ));
    }
    let mut environments = Vec::new();
    let env_dir = dir.join("environments");
    if let Ok(rd) = std::fs::read_dir(&env_dir) {
        let mut files: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "bru"))
        {
            let text = read(f, ctx)?;
            let variables = in_file(ctx, f, |c| bru_environment(&text, c))?;
            environments.push(Environment {
                name: f
                    .file_stem()
                    .and_then(|n| n.to_str())
                    .unwrap_or("env")
                    .to_string(),
                variables,
            });
        }
    }
    if dir.join("collection.bru").exists() {
        ctx.warn("collection.bru (collection-level headers, auth and scripts) is not imported");
    }
    Ok(Collection {
        name: s(meta.get("name")),
        environments,
        items,
        ..Default::default()
    })
}

fn walk(
    dir: &Path,
    ctx: &mut Ctx,
    skipped: &mut u32,
    depth: usize,
) -> Result<Vec<Item>, CollectionError> {
    if depth > MAX_DEPTH {
        return Ok(Vec::new());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| CollectionError::Unreadable {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut folders = Vec::new();
    let mut requests = Vec::new();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if p.is_dir() {
            if name.starts_with('.')
                || name == "node_modules"
                || (depth == 0 && name == "environments")
            {
                continue;
            }
            let items = walk(&p, ctx, skipped, depth + 1)?;
            if !items.is_empty() {
                folders.push(Item::Folder(Folder {
                    name,
                    description: String::new(),
                    items,
                }));
            }
        } else if name.ends_with(".bru") && name != "folder.bru" && name != "collection.bru" {
            let text = read(&p, ctx)?;
            match in_file(ctx, &p, |c| bru_request(&text, c))? {
                Ok((seq, r)) => requests.push((seq, r)),
                Err(_) => *skipped += 1,
            }
        }
    }
    requests.sort_by(|a, b| a.0.total_cmp(&b.0));
    folders.extend(
        requests
            .into_iter()
            .map(|(_, r)| Item::Request(Box::new(r))),
    );
    Ok(folders)
}
