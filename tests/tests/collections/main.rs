//! Collections: the share format, importers, exporters and `sockpit run` (the demo, transport settings, hook files, Socket.IO, GraphQL, STOMP and MQTT requests), bad input.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test collections MODULE::` runs one module.

mod bad_input;
mod bad_input_table;
mod export;
mod export_redaction;
mod import;
mod import_scripts;
mod run_demo;
mod run_hook_file;
mod run_protocols;
mod run_scripts;
mod run_stomp_mqtt;
mod run_support;
mod run_transport_settings;
mod share;
