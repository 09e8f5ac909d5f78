//! Sockpit's desktop window: registers the commands and state; all socket work is in `sockpit-core`.

pub mod commands;
pub mod dto;
pub mod state;
pub mod stream;

use commands::{demo, log, requests, sse, ws};

/// Builds and runs the app until its window closes.
pub fn run() -> Result<(), String> {
    tauri::Builder::default()
        .manage(state::AppState::default())
        .invoke_handler(tauri::generate_handler![
            ws::ws_connect,
            ws::ws_send,
            ws::ws_disconnect,
            log::log_range,
            log::log_search,
            sse::sse_subscribe,
            sse::sse_unsubscribe,
            requests::requests_list,
            requests::requests_save,
            requests::requests_delete,
            demo::demo_start,
        ])
        .run(tauri::generate_context!())
        .map_err(|e| format!("sockpit window failed: {e}"))
}
