//! Sockpit's desktop window: registers the commands and state; all socket work is in `sockpit-core`.

pub mod closing;
pub mod commands;
pub mod dto;
pub mod dto_inspect;
pub mod dto_layer;
pub mod dto_proto;
pub mod dto_script;
pub mod dto_share;
pub mod dto_store;
pub mod inspect;
pub mod legacy;
pub mod logging;
pub mod renderer;
pub mod request_extras;
pub mod request_map;
pub mod state;
pub mod stream;
pub mod window_state;

use commands::{compare, demo, frames, log, log_view, proto, sse, ws};

/// Builds and runs the app until its window closes.
pub fn run() -> Result<(), String> {
    // First, so that everything after it is logged; the guard lives until the app exits.
    let mut log_guard = logging::init_for_app();
    let app = tauri::Builder::default()
        .plugin(window_state::plugin())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .on_window_event(|window, event| {
            window_state::on_window_event(window, event);
            closing::on_window_event(window, event);
        })
        .manage(state::AppState::default())
        .manage(inspect::InspectState::default())
        .manage(commands::copy::ExportedFiles::default())
        .invoke_handler(tauri::generate_handler![
            ws::ws_connect,
            ws::ws_send,
            ws::ws_disconnect,
            commands::layered::sio_emit,
            commands::layered::sio_ack,
            commands::layered::gql_start,
            commands::layered::gql_stop,
            commands::brokers::stomp_subscribe,
            commands::brokers::stomp_unsubscribe,
            commands::brokers::stomp_send,
            commands::brokers::mqtt_subscribe,
            commands::brokers::mqtt_unsubscribe,
            commands::brokers::mqtt_publish,
            log::log_range,
            log::log_search,
            log_view::log_select,
            log_view::log_rows,
            log_view::log_detail,
            log_view::log_clear,
            log_view::log_export,
            frames::frames_range,
            commands::script::script_check,
            commands::script::script_check_file,
            proto::proto_load,
            proto::proto_set_type,
            proto::proto_skeleton,
            commands::inspector::proto_inspect,
            compare::compare_start,
            compare::compare_stop,
            sse::sse_subscribe,
            sse::sse_unsubscribe,
            commands::store::store_tree,
            commands::store::store_create,
            commands::store::store_rename,
            commands::store::store_duplicate,
            commands::store::store_delete,
            commands::store::store_move,
            commands::store::store_reparent,
            commands::store::request_get,
            commands::store::request_save,
            commands::env::env_list,
            commands::env::env_create,
            commands::env::env_update,
            commands::env::env_delete,
            commands::env::env_select,
            commands::env::env_known,
            commands::history::history_list,
            commands::history::app_notices,
            demo::demo_start,
            commands::share::collection_import,
            commands::share::collection_export,
            commands::share::demo_open,
            commands::dialogs::dialog_stub_allowed,
            commands::copy::command_line,
            commands::copy::reveal_export,
            commands::copy::e2e_clipboard_text,
        ])
        .build(tauri::generate_context!())
        .map_err(|e| {
            tracing::error!("the window could not start: {e}");
            format!("sockpit window failed: {e}")
        })?;
    app.run(move |handle, event| match event {
        tauri::RunEvent::ExitRequested { api, code, .. } => {
            closing::on_exit_requested(handle, &api, code);
        }
        tauri::RunEvent::Exit => {
            tracing::info!("window exiting");
            // Writes out what is still buffered: the process may end without unwinding.
            log_guard.take();
        }
        _ => {}
    });
    Ok(())
}
