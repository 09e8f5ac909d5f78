//! Build script: Tauri's codegen, with the app's own commands declared so capabilities can grant them.

use std::path::Path;

/// Shown when the binary was built before the UI (`make app-build` builds the UI first).
const PLACEHOLDER: &str = "<!doctype html><meta charset=utf-8><title>Sockpit</title>\
<p>The UI was not built into this binary: run <code>make app-build</code>.</p>\n";

fn main() {
    // The frontend is embedded from ../ui/dist; a plain `cargo test --workspace` on a fresh clone has
    // not built it, so give it a placeholder page instead of failing the whole workspace build.
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        let made = std::fs::create_dir_all(dist)
            .and_then(|_| std::fs::write(dist.join("index.html"), PLACEHOLDER));
        if let Err(e) = made {
            eprintln!("cannot write a placeholder ui/dist: {e}");
            std::process::exit(1);
        }
    }
    // tauri-build does not watch the embedded frontend: rebuild when the built UI changes.
    println!("cargo:rerun-if-changed=../ui/dist");
    let manifest = tauri_build::AppManifest::new().commands(&[
        "ws_connect",
        "ws_send",
        "ws_disconnect",
        "sio_emit",
        "sio_ack",
        "gql_start",
        "gql_stop",
        "stomp_subscribe",
        "stomp_unsubscribe",
        "stomp_send",
        "mqtt_subscribe",
        "mqtt_unsubscribe",
        "mqtt_publish",
        "log_range",
        "log_search",
        "log_select",
        "log_rows",
        "log_detail",
        "log_clear",
        "log_export",
        "frames_range",
        "proto_load",
        "proto_set_type",
        "proto_skeleton",
        "proto_inspect",
        "script_check",
        "script_check_file",
        "compare_start",
        "compare_stop",
        "sse_subscribe",
        "sse_unsubscribe",
        "store_tree",
        "store_create",
        "store_rename",
        "store_duplicate",
        "store_delete",
        "store_move",
        "store_reparent",
        "request_get",
        "request_save",
        "env_list",
        "env_create",
        "env_update",
        "env_delete",
        "env_select",
        "env_known",
        "history_list",
        "app_notices",
        "demo_start",
        "collection_import",
        "collection_export",
        "demo_open",
        "dialog_stub_allowed",
        "command_line",
        "reveal_export",
        "e2e_clipboard_text",
    ]);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri build script failed: {e:#}");
        std::process::exit(1);
    }
}
