//! Sockpit's engine: everything that touches a socket, with no UI and no tauri dependency.
//!
//! The window (`src-tauri`) and the CLI (`sockpit-cli`) are thin layers over this crate; whatever a
//! user can do to a connection is a call here. See `ARCHITECTURE.md` at the repository root.

pub mod allocator;
pub mod app;
pub mod auth;
pub mod collection;
pub mod error;
pub mod load;
pub mod log;
pub mod message;
pub mod net;
pub mod payload;
pub mod proto;
pub mod protocol;
pub mod runner;
pub mod script;
pub mod secrets;
pub mod sse;
pub mod store;
pub mod template;
mod util;
pub mod ws;

pub use error::ErrorCode;
pub use log::SessionLog;
