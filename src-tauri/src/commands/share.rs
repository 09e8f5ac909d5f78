//! Import, export and the first-run demo over core's `app` API: collections in and out of the
//! store as files (secrets go to the secret store on import and never leave as values).

use std::path::PathBuf;

use sockpit_core::app::ExportKind as Kind;
use sockpit_core::collection::import::Format;
use sockpit_core::collection::parse_share;
use tauri::State;

use crate::commands::copy::ExportedFiles;
use crate::commands::demo::demo_start;
use crate::dto::AppError;
use crate::dto_share::{DemoOpened, ExportKind, ExportReport, ImportReport};
use crate::state::AppState;

/// The shipped demo collection (collections/demo.sockpit.json), embedded in the binary.
const DEMO: &str = include_str!("../../../collections/demo.sockpit.json");
/// The demo's environment whose `host` is pointed at the mock running in the app.
const DEMO_ENV: &str = "local";

fn format_arg(format: Option<&str>) -> Result<Format, AppError> {
    match format.map(str::trim).filter(|f| !f.is_empty()) {
        None => Ok(Format::Auto),
        Some(f) => Format::parse(f).ok_or_else(|| {
            AppError::new(
                "app.unknown_format",
                format!("unknown import format `{f}`: use auto, sockpit, insomnia, yaak, bruno, kreya, har or asyncapi"),
            )
        }),
    }
}

/// Imports a collection file (Sockpit, Insomnia, Yaak, Bruno folder, Kreya, HAR, AsyncAPI) into
/// the store, the way `sockpit import` does.
#[tauri::command]
pub async fn collection_import(
    st: State<'_, AppState>,
    path: String,
    format: Option<String>,
) -> Result<ImportReport, AppError> {
    let format = format_arg(format.as_deref())?;
    let path = PathBuf::from(path.trim());
    let s = st.blocking(move |a| a.import_file(&path, format)).await?;
    Ok(ImportReport {
        collection: s.id,
        name: s.name,
        renamed_from: s.renamed_from,
        format: s.format,
        requests: s.requests as u32,
        warnings: s.warnings,
    })
}

/// Writes a stored collection to `path` in the chosen format; secrets never leave as values.
#[tauri::command]
pub async fn collection_export(
    st: State<'_, AppState>,
    exported: State<'_, ExportedFiles>,
    collection: i64,
    path: String,
    kind: ExportKind,
) -> Result<ExportReport, AppError> {
    let kind = match kind {
        ExportKind::Sockpit => Kind::Sockpit,
        ExportKind::K6 => Kind::K6,
        ExportKind::Wscat => Kind::Wscat,
        ExportKind::Websocat => Kind::Websocat,
        ExportKind::Curl => Kind::Curl,
    };
    let target = PathBuf::from(path.trim());
    let shown = target.display().to_string();
    let written = target.clone();
    let bytes = st
        .blocking(move |a| a.export_to_file(collection, kind, &target))
        .await?;
    exported.remember(written);
    Ok(ExportReport {
        path: shown,
        bytes: bytes.min(u32::MAX as usize) as u32,
    })
}

/// The first-run demo: starts the built-in mock server, imports the shipped demo collection on
/// first use, and points its `local` environment's `host` at the running mock.
#[tauri::command]
pub async fn demo_open(st: State<'_, AppState>) -> Result<DemoOpened, AppError> {
    let info = demo_start(st.clone()).await?;
    let host = info
        .http_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let demo = parse_share(DEMO, "collections/demo.sockpit.json")?;
    let name = demo.name.clone();
    let collection = st
        .blocking(move |a| {
            let id = a.ensure_collection(&demo)?;
            a.set_environment_variable(id, DEMO_ENV, "host", &host)?;
            Ok::<_, sockpit_core::app::AppError>(id)
        })
        .await?;
    Ok(DemoOpened {
        ws_url: info.ws_url,
        http_url: info.http_url,
        collection,
        name,
    })
}
