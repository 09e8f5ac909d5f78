//! SSE commands: subscribe (events stream back over a Channel) and unsubscribe.

use sockpit_core::sse::{SseConfig, SseHandle};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::store::{sse_config, StoreState};
use crate::dto::{AppError, SseBatch, SseSubscription};
use crate::dto_store::RequestSpec;
use crate::state::{lock, AppState};
use crate::stream::forward_sse;

/// Subscribes the SSE pane to `url`. With the active request's `spec` (and its `collection`), the
/// URL's variables are rendered and the request's headers, auth (what plain HTTP can carry), TLS and
/// proxy apply; the answer says which WebSocket-only auth was left out.
#[tauri::command]
pub async fn sse_subscribe(
    state: State<'_, AppState>,
    store: State<'_, StoreState>,
    url: String,
    spec: Option<RequestSpec>,
    collection: Option<i64>,
    on_event: Channel<SseBatch>,
) -> Result<SseSubscription, AppError> {
    let (cfg, left_out, secrets) = match &spec {
        Some(spec) => sse_config(&state, &store, spec, &url, collection)?,
        None => (SseConfig::new(url.trim()), None, Vec::new()),
    };
    let handle = SseHandle::spawn(cfg);
    let id = state.next_id();
    lock(&state.sse).insert(id, handle.control());
    tokio::spawn(forward_sse(handle, on_event, secrets));
    Ok(SseSubscription {
        id,
        auth_left_out: left_out,
    })
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
