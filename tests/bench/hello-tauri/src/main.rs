//! A hello-world Tauri window: the floor the Sockpit window's memory and start time are compared with.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("hello window failed: {e}");
        std::process::exit(1);
    }
}
