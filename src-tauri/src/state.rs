//! What the app keeps between commands: live sessions (their controls and logs), subscriptions, the demo server.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use sockpit_core::sse::SseControl;
use sockpit_core::ws::SessionControl;
use sockpit_core::SessionLog;
use sockpit_mock::MockServer;

use crate::dto::AppError;

/// One live (or finished, still readable) WebSocket session.
pub struct WsEntry {
    pub control: SessionControl,
    pub log: Arc<Mutex<SessionLog>>,
}

#[derive(Default)]
pub struct AppState {
    next_id: AtomicU32,
    pub ws: Mutex<HashMap<u32, WsEntry>>,
    pub sse: Mutex<HashMap<u32, SseControl>>,
    pub demo: Mutex<Option<MockServer>>,
    pub data_dir: Mutex<Option<PathBuf>>,
}

impl AppState {
    pub fn next_id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (all writers leave it whole).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The data directory shared with the CLI: `SOCKPIT_DATA_DIR` or the OS default.
pub fn data_dir(state: &AppState) -> Result<PathBuf, AppError> {
    if let Some(d) = lock(&state.data_dir).clone() {
        return Ok(d);
    }
    let explicit = std::env::var_os("SOCKPIT_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let dir = sockpit_core::store::resolve_data_dir(explicit.as_deref())
        .map_err(|e| AppError::new(e.code(), e.to_string()))?;
    *lock(&state.data_dir) = Some(dir.clone());
    Ok(dir)
}
