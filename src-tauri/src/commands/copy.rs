//! "Copy as …" and "Open folder": a request as a command line (rendered by the engine,
//! `app::command_line`, the same rendering as the exports: secrets redacted, variables left as
//! `${name}`), and revealing a file this window exported in the OS file manager.
//!
//! The clipboard itself is written by `tauri-plugin-clipboard-manager` (`write_text`, the only
//! clipboard permission the window has). `e2e_clipboard_text` reads it back for the window e2e
//! only, under the same switch as the dialog stub (`SOCKPIT_E2E_DIALOGS=1`).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

use sockpit_core::app::{self, CliFlavour as Flavour};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::commands::dialogs::dialog_stub_allowed;
use crate::dto::AppError;
use crate::dto_share::CliFlavour;
use crate::dto_store::RequestSpec;
use crate::request_map::spec_to_model;
use crate::state::off_thread;

/// The files this window wrote (collection and log exports): the only ones `reveal_export` shows.
#[derive(Default)]
pub struct ExportedFiles(Mutex<HashSet<PathBuf>>);

impl ExportedFiles {
    /// Records a file the window just wrote.
    pub fn remember(&self, path: impl Into<PathBuf>) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(path.into());
        }
    }

    /// Refuses a path this window did not write: the UI can reveal nothing else.
    fn check(&self, path: &PathBuf) -> Result<(), AppError> {
        if self.0.lock().is_ok_and(|set| set.contains(path)) {
            return Ok(());
        }
        Err(AppError::new(
            "app.reveal_not_exported",
            format!(
                "{}: only a file this window exported can be shown in its folder",
                path.display()
            ),
        ))
    }
}

/// The request being edited (saved or not) as a command line for `flavour`.
#[tauri::command]
pub async fn command_line(spec: RequestSpec, flavour: CliFlavour) -> Result<String, AppError> {
    let request = spec_to_model(&spec)?;
    let flavour = match flavour {
        CliFlavour::Sockpit => Flavour::Sockpit,
        CliFlavour::Websocat => Flavour::Websocat,
        CliFlavour::Wscat => Flavour::Wscat,
        CliFlavour::Curl => Flavour::Curl,
    };
    Ok(app::command_line(&request, flavour))
}

/// Shows an exported file in the OS file manager (its folder opened, the file selected).
#[tauri::command]
pub async fn reveal_export(
    exported: State<'_, ExportedFiles>,
    path: String,
) -> Result<(), AppError> {
    let path = PathBuf::from(path.trim());
    exported.check(&path)?;
    off_thread(move || {
        tauri_plugin_opener::reveal_item_in_dir(&path)
            .map_err(|e| AppError::new("app.reveal", format!("{}: {e}", path.display())))
    })
    .await
}

/// e2e only: the clipboard's text, so the window e2e can check what "Copy …" wrote. Refused unless
/// the app runs with `SOCKPIT_E2E_DIALOGS=1`.
#[tauri::command]
pub async fn e2e_clipboard_text<R: Runtime>(app: AppHandle<R>) -> Result<String, AppError> {
    // The same switch as the dialog stub: only the e2e harness sets it.
    if !dialog_stub_allowed().await {
        return Err(AppError::new(
            "app.e2e_only",
            "reading the clipboard is for the window e2e only (SOCKPIT_E2E_DIALOGS=1)",
        ));
    }
    app.clipboard()
        .read_text()
        .map_err(|e| AppError::new("app.clipboard", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_this_window_exported_are_revealed() {
        let files = ExportedFiles::default();
        let err = files
            .check(&PathBuf::from("/etc/passwd"))
            .expect_err("not exported");
        assert_eq!(err.code, "app.reveal_not_exported");
        assert!(err.message.contains("/etc/passwd"), "{}", err.message);
        files.remember("/tmp/out/log.jsonl");
        assert!(files.check(&PathBuf::from("/tmp/out/log.jsonl")).is_ok());
    }
}
