//! Whether the window's file dialogs may be answered by the e2e harness instead of the OS.
//!
//! WebDriver cannot drive GTK's file chooser, so the window e2e stubs the dialog at the UI's IPC
//! boundary (`ui/src/ipc/dialog.ts`). The stub is honoured only when the app was started with
//! `SOCKPIT_E2E_DIALOGS=1` (the harness sets it); a normal run always shows the OS dialog.

/// The environment variable that lets the e2e harness answer file dialogs.
pub const E2E_DIALOGS_VAR: &str = "SOCKPIT_E2E_DIALOGS";

/// True when the e2e harness may answer file dialogs in place of the OS.
#[tauri::command]
pub async fn dialog_stub_allowed() -> bool {
    std::env::var_os(E2E_DIALOGS_VAR).is_some_and(|v| v == "1")
}
