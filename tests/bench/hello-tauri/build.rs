//! Build script: Tauri's codegen for the hello-world floor app.

fn main() {
    tauri_build::build();
}
