//! SSE commands: subscribe (events stream back over a Channel) and unsubscribe.

use sockpit_core::sse::{SseConfig, SseHandle};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{AppError, SseBatch};
use crate::state::{lock, AppState};
use crate::stream::forward_sse;

#[tauri::command]
pub async fn sse_subscribe(
    state: State<'_, AppState>,
    url: String,
    on_event: Channel<SseBatch>,
) -> Result<u32, AppError> {
    let handle = SseHandle::spawn(SseConfig::new(url.trim()));
    let id = state.next_id();
    lock(&state.sse).insert(id, handle.control());
    tokio::spawn(forward_sse(handle, on_event));
    Ok(id)
}

#[tauri::command]
pub async fn sse_unsubscribe(
    state: State<'_, AppState>,
    subscription: u32,
) -> Result<(), AppError> {
    let control = lock(&state.sse).remove(&subscription);
    if let Some(c) = control {
        // Ended already is fine: the user wanted it stopped.
        let _ = c.close().await;
    }
    Ok(())
}
