//! The `sockpit-app` binary: opens the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    sockpit_core::allocator::tune_for_large_messages();
    sockpit_app::renderer::choose();
    if let Err(e) = sockpit_app::run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
