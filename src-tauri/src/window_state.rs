//! Window size, position and maximised state survive a restart (tauri-plugin-window-state).
//!
//! The plugin restores the geometry when the window opens but saves it only on a clean exit; a
//! logout, a crash or a kill would forget it. So the geometry is also saved half a second after the
//! last move or resize.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

const FLAGS: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);
const SETTLE: Duration = Duration::from_millis(500);

/// Bumped by every move/resize; a pending save runs only if no newer event came since.
static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default()
        .with_state_flags(FLAGS)
        .build()
}

/// Saves the geometry once the window has stopped moving.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if GENERATION.load(Ordering::SeqCst) == generation {
            if let Err(e) = app.save_window_state(FLAGS) {
                tracing::warn!("could not save the window geometry: {e}");
            }
        }
    });
}
