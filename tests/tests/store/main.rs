//! The SQLite store and local secrets on real files: basics, crash safety under SIGKILL, history, secrets, logs that never carry one.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test store MODULE::` runs one module.

mod basics;
mod crash;
mod history_bench;
mod log_secrets;
mod secrets;
