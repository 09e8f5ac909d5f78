//! Tauri commands, grouped by feature; each maps arguments onto a `sockpit-core` call.

pub mod brokers;
pub mod compare;
pub mod copy;
pub mod demo;
pub mod dialogs;
pub mod env;
pub mod frames;
pub mod history;
pub mod inspector;
pub mod layered;
pub mod log;
pub mod log_view;
pub mod proto;
pub mod script;
pub mod share;
pub mod sse;
pub mod store;
pub mod ws;
