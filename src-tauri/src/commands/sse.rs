//! SSE commands: subscribe (events stream back over a Channel) and unsubscribe.

use sockpit_core::app::SseRender;
use sockpit_core::sse::{SseConfig, SseHandle};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{AppError, SseBatch, SseSubscription};
use crate::dto_store::RequestSpec;
use crate::request_map::spec_to_model;
use crate::state::{lock, AppState};
use crate::stream::forward_sse;

/// Subscribes the SSE pane to `url`. With the active request's `spec` (and its `collection`), the
/// URL's variables are rendered and the request's headers, auth (what plain HTTP can carry), TLS and
/// proxy apply; the answer says which WebSocket-only auth was left out.
#[tauri::command]
pub async fn sse_subscribe(
    state: State<'_, AppState>,
    url: String,
    spec: Option<RequestSpec>,
    collection: Option<i64>,
    on_event: Channel<SseBatch>,
) -> Result<SseSubscription, AppError> {
    let render = match spec.as_ref().map(spec_to_model).transpose()? {
        Some(model) => {
            state
                .blocking(move |a| a.render_sse(&model, &url, collection))
                .await?
        }
        None => SseRender {
            config: SseConfig::new(url.trim()),
            auth_left_out: None,
            secrets: Vec::new(),
        },
    };
    let handle = SseHandle::spawn(render.config);
    let id = state.next_id();
    lock(&state.sse).insert(id, handle.control());
    tokio::spawn(forward_sse(handle, on_event, render.secrets));
    Ok(SseSubscription {
        id,
        auth_left_out: render.auth_left_out,
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
