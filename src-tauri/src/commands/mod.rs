//! Tauri commands, grouped by feature; each maps arguments onto a `sockpit-core` call.

pub mod demo;
pub mod log;
pub mod requests;
pub mod sse;
pub mod ws;
