//! Import, export and the first-run demo: collections in and out of the store as files.

use std::path::{Path, PathBuf};

use sockpit_core::collection::export::{export, ExportFormat};
use sockpit_core::collection::import::{import_file, Format};
use sockpit_core::collection::model::{requests_with_path, Variable};
use sockpit_core::collection::{parse_share, to_share_json};
use tauri::State;

use crate::commands::demo::demo_start;
use crate::commands::store::{with_store, StoreState};
use crate::dto::AppError;
use crate::dto_share::{DemoOpened, ExportKind, ExportReport, ImportReport};
use crate::state::AppState;

/// The shipped demo collection (collections/demo.sockpit.json), embedded in the binary.
const DEMO: &str = include_str!("../../../collections/demo.sockpit.json");
/// The demo's environment whose `host` is pointed at the mock running in the app.
const DEMO_ENV: &str = "local";

fn path_arg(path: &str, what: &str) -> Result<PathBuf, AppError> {
    let p = path.trim();
    if p.is_empty() {
        return Err(AppError::new(
            "app.path_missing",
            format!("no file given: type the path of the {what}"),
        ));
    }
    Ok(PathBuf::from(p))
}

/// Imports a collection file (Sockpit, Insomnia, Yaak, Bruno folder, Kreya, HAR, AsyncAPI) into the store.
#[tauri::command(async)]
pub fn collection_import(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    path: String,
    format: Option<String>,
) -> Result<ImportReport, AppError> {
    let path = path_arg(&path, "collection to import")?;
    let format = match format.as_deref().filter(|f| !f.is_empty()) {
        None => Format::Auto,
        Some(f) => Format::parse(f).ok_or_else(|| {
            AppError::new(
                "app.unknown_format",
                format!("unknown import format `{f}`: use auto, sockpit, insomnia, yaak, bruno, kreya, har or asyncapi"),
            )
        })?,
    };
    let imported =
        import_file(&path, format).map_err(|e| AppError::new(e.code(), e.to_string()))?;
    let requests = requests_with_path(&imported.collection.items).len() as u32;
    let outcome = with_store(&app, &st, |s| s.import_collection(&imported.collection))?;
    Ok(ImportReport {
        collection: outcome.id,
        name: outcome.name,
        renamed_from: outcome.renamed_from,
        format: imported.format.as_str().into(),
        requests,
        warnings: imported.warnings,
    })
}

/// Writes a stored collection to `path` in the chosen format; secrets never leave as values.
#[tauri::command(async)]
pub fn collection_export(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    collection: i64,
    path: String,
    kind: ExportKind,
) -> Result<ExportReport, AppError> {
    let path = path_arg(&path, "file to write")?;
    let c = with_store(&app, &st, |s| s.load_collection(collection))?;
    let text = match kind {
        ExportKind::Sockpit => to_share_json(&c),
        ExportKind::K6 => export(&c, ExportFormat::K6, None),
        ExportKind::Wscat => export(&c, ExportFormat::Wscat, None),
        ExportKind::Websocat => export(&c, ExportFormat::Websocat, None),
        ExportKind::Curl => export(&c, ExportFormat::Curl, None),
    };
    write_atomically(&path, text.as_bytes())?;
    Ok(ExportReport {
        path: path.display().to_string(),
        bytes: text.len() as u32,
    })
}

/// Temp file + rename, so a failed export never leaves half a file where a good one was.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let io = |e: std::io::Error| {
        AppError::new(
            "app.export_io",
            format!("cannot write {}: {e}", path.display()),
        )
    };
    if path.is_dir() {
        return Err(AppError::new(
            "app.export_io",
            format!("{} is a folder: give a file name", path.display()),
        ));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// The first-run demo: starts the built-in mock server, imports the shipped demo collection on
/// first use, and points its `local` environment's `host` at the running mock.
#[tauri::command]
pub async fn demo_open(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
) -> Result<DemoOpened, AppError> {
    let info = demo_start(app.clone()).await?;
    let host = info
        .http_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let demo = parse_share(DEMO, "collections/demo.sockpit.json")
        .map_err(|e| AppError::new(e.code(), e.to_string()))?;
    let (id, name) = with_store(&app, &st, |s| {
        let id = match s.find_collection(&demo.name)? {
            Some(id) => id,
            None => s.import_collection(&demo)?.id,
        };
        s.set_environment_variable(id, DEMO_ENV, &Variable::plain("host", host.clone()))?;
        Ok((id, demo.name.clone()))
    })?;
    Ok(DemoOpened {
        ws_url: info.ws_url,
        http_url: info.http_url,
        collection: id,
        name,
    })
}
