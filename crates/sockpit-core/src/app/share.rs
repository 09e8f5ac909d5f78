//! Collections in and out as files: import with secret handling (secret variable values and
//! literal credentials go to the secret store, never into the database's rows), export in the
//! share format or as other tools' scenarios and commands (secrets never leave as values), and
//! writing a file atomically.

use std::path::Path;

use crate::collection::export::{export, ExportFormat};
use crate::collection::import::{import_file, Format, Imported};
use crate::collection::model::{requests_with_path, Collection};
use crate::collection::to_share_json;
use crate::secrets::{extract_literal_secrets, SecretScope};

use super::{App, AppError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// The store id of the new collection.
    pub id: i64,
    pub name: String,
    /// The name in the file, when it was taken in the store and the collection was renamed.
    pub renamed_from: Option<String>,
    /// `sockpit`, `insomnia`, `yaak`, `bruno`, ...
    pub format: String,
    pub requests: usize,
    /// What could not be carried over.
    pub warnings: Vec<String>,
    /// Secret variables literal credentials were moved into.
    pub moved_secrets: Vec<String>,
}

/// The formats a collection can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Sockpit's share format (secrets replaced by placeholders).
    Sockpit,
    K6,
    Wscat,
    Websocat,
    Curl,
}

/// `c` in format `kind`; `request` limits the command formats to one request.
pub fn export_text(c: &Collection, kind: ExportKind, request: Option<&str>) -> String {
    let format = match kind {
        ExportKind::Sockpit => return to_share_json(c),
        ExportKind::K6 => ExportFormat::K6,
        ExportKind::Wscat => ExportFormat::Wscat,
        ExportKind::Websocat => ExportFormat::Websocat,
        ExportKind::Curl => ExportFormat::Curl,
    };
    export(c, format, request)
}

/// Temp file + rename, so a failed write never leaves half a file where a good one was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let io = |e: std::io::Error| AppError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if path.as_os_str().is_empty() {
        return Err(AppError::invalid(
            "app.path_missing",
            "no file given: choose where to write",
        ));
    }
    if path.is_dir() {
        return Err(AppError::Io {
            path: path.display().to_string(),
            reason: "it is a folder: give a file name".into(),
        });
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

impl App {
    /// Reads `path` (any importable format, or a Bruno folder) and imports it (see
    /// [`App::import_collection`]). Everything is read and checked before the store is touched.
    pub fn import_file(&self, path: &Path, format: Format) -> Result<ImportSummary, AppError> {
        if path.as_os_str().is_empty() {
            return Err(AppError::invalid(
                "app.path_missing",
                "no file given: choose the collection to import",
            ));
        }
        let imported = import_file(path, format)?;
        self.import_collection(imported)
    }

    /// Stores an imported collection. Secret variable values and literal credentials (auth
    /// fields, credential headers, which become `{{auth_<request>_<field>}}` secret variables)
    /// go to the secret store, never into the collection's rows. A name already taken gets a
    /// suffix.
    pub fn import_collection(&self, imported: Imported) -> Result<ImportSummary, AppError> {
        let requests = requests_with_path(&imported.collection.items).len();
        let mut stripped = imported.collection;
        let mut values: Vec<(Option<String>, String, String)> = Vec::new();
        for v in stripped.variables.iter_mut().filter(|v| v.secret) {
            if let Some(value) = v.value.take() {
                values.push((None, v.name.clone(), value));
            }
        }
        for e in &mut stripped.environments {
            for v in e.variables.iter_mut().filter(|v| v.secret) {
                if let Some(value) = v.value.take() {
                    values.push((Some(e.name.clone()), v.name.clone(), value));
                }
            }
        }
        let moved = extract_literal_secrets(&mut stripped);
        for (name, value) in &moved {
            values.push((None, name.clone(), value.clone()));
        }
        let outcome = self.with_both(|store, secrets| {
            let outcome = store.import_collection(&stripped)?;
            for (env, name, value) in &values {
                let scope = match env {
                    Some(env) => SecretScope::environment(&outcome.name, env),
                    None => SecretScope::collection(&outcome.name),
                };
                if let Err(e) = secrets.set(&scope, name, value) {
                    // Nothing half-imported: the collection goes again with its secrets.
                    let _ =
                        secrets.delete_node(store, crate::store::NodeKind::Collection, outcome.id);
                    return Err(e.into());
                }
            }
            Ok((outcome, Vec::new()))
        })?;
        Ok(ImportSummary {
            id: outcome.id,
            name: outcome.name,
            renamed_from: outcome.renamed_from,
            format: imported.format.as_str().to_string(),
            requests,
            warnings: imported.warnings,
            moved_secrets: moved.into_iter().map(|(n, _)| n).collect(),
        })
    }

    /// The collection named like `c` in the store, imported (as [`App::import_collection`]) when
    /// there is none; returns its id. The first-run demo opens this way.
    pub fn ensure_collection(&self, c: &Collection) -> Result<i64, AppError> {
        if let Some(id) = self.with_store(|s| Ok(s.find_collection(&c.name)?))? {
            return Ok(id);
        }
        let imported = Imported {
            collection: c.clone(),
            format: Format::Sockpit,
            warnings: Vec::new(),
        };
        Ok(self.import_collection(imported)?.id)
    }

    /// Sets a plain variable of an environment of `collection` (creating the environment).
    pub fn set_environment_variable(
        &self,
        collection: i64,
        environment: &str,
        name: &str,
        value: &str,
    ) -> Result<(), AppError> {
        let var = crate::collection::model::Variable::plain(name, value);
        self.with_store(|s| Ok(s.set_environment_variable(collection, environment, &var)?))
    }

    /// Writes stored collection `id` to `path` in format `kind`; returns the bytes written.
    pub fn export_to_file(
        &self,
        id: i64,
        kind: ExportKind,
        path: &Path,
    ) -> Result<usize, AppError> {
        let c = self.with_store(|s| Ok(s.load_collection(id)?))?;
        let text = export_text(&c, kind, None);
        write_atomically(path, text.as_bytes())?;
        Ok(text.len())
    }
}
