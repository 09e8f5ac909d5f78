//! The window's end: closing it (or quitting the app) closes every live session with 1001 "going
//! away" and waits, at most [`GRACE`], for their history to be written before the process exits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};

use crate::state::AppState;

/// How long the window waits for the servers' close answers and the history flush.
pub const GRACE: Duration = Duration::from_secs(2);
/// The close code every session ends with when the window goes.
pub const CODE: u16 = 1001;
const REASON: &str = "sockpit window closed";

/// Set once the sessions are being closed: a second close request goes through at once.
static CLOSING: AtomicBool = AtomicBool::new(false);

/// On the window's close request: holds the close, ends the sessions, then destroys the window.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    if CLOSING.swap(true, Ordering::SeqCst) {
        return;
    }
    api.prevent_close();
    let window = window.clone();
    tauri::async_runtime::spawn(async move {
        end_sessions(window.app_handle()).await;
        if let Err(e) = window.destroy() {
            tracing::warn!("the window could not be closed: {e}");
        }
    });
}

/// On an exit request not preceded by a window close (quitting the app): the same, then exit.
pub fn on_exit_requested<R: Runtime>(
    app: &AppHandle<R>,
    api: &tauri::ExitRequestApi,
    code: Option<i32>,
) {
    if CLOSING.swap(true, Ordering::SeqCst) {
        return;
    }
    api.prevent_exit();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        end_sessions(&app).await;
        app.exit(code.unwrap_or(0));
    });
}

/// Closes every session with [`CODE`] and waits for their history, at most [`GRACE`].
pub async fn end_sessions<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    if !state.close_all(CODE, REASON, GRACE).await {
        tracing::warn!("sessions still open after {} ms at exit", GRACE.as_millis());
    }
}
