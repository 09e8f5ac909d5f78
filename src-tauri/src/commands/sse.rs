//! SSE commands: subscribe (core's `start_sse`: with the active request, its scripts and an
//! attached hook file start first and run beside the stream; events stream back over a Channel)
//! and unsubscribe.

use sockpit_core::app::start_sse;
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{AppError, SseBatch, SseSubscription};
use crate::dto_store::RequestSpec;
use crate::request_map::spec_to_model;
use crate::state::{lock, AppState};
use crate::stream::forward_sse;

/// Subscribes the SSE pane to `url`. With the active request's `spec` (and its `collection`), the
/// request's scripts and `hook_file` run (`before_connect` first), the URL's variables are
/// rendered and the request's headers, auth (what plain HTTP can carry), TLS and proxy apply; the
/// answer says which WebSocket-only auth was left out.
#[tauri::command]
pub async fn sse_subscribe(
    state: State<'_, AppState>,
    url: String,
    spec: Option<RequestSpec>,
    collection: Option<i64>,
    hook_file: Option<String>,
    stop_on_script_error: Option<bool>,
    on_event: Channel<SseBatch>,
) -> Result<SseSubscription, AppError> {
    let model = spec.as_ref().map(spec_to_model).transpose()?;
    let plan = super::script::script_plan(hook_file.as_deref(), stop_on_script_error);
    let started = start_sse(state.app()?, model, url, collection, plan).await?;
    let id = state.next_id();
    lock(&state.sse).insert(id, started.control);
    tokio::spawn(forward_sse(started.source, on_event, started.secrets));
    Ok(SseSubscription {
        id,
        auth_left_out: started.auth_left_out,
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
