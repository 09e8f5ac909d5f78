//! The `sockpit-app` binary: opens the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = sockpit_app::run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
