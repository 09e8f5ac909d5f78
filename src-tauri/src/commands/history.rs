//! Connection history over `sockpit_core::store`: the recent connections with URL, time and
//! outcome (recorded by `ws_connect`: dropping the recorder when the session ends closes the
//! connection row); the UI opens one as a new tab from its URL.

use sockpit_core::collection::model::Protocol;
use sockpit_core::store::HistoryRecorder;
use tauri::State;

use crate::commands::store::{with_store, StoreState};
use crate::dto::AppError;
use crate::dto_store::HistoryDto;
use crate::state::AppState;

/// Starts recording a WebSocket connection; history is best effort, so a failure records nothing.
pub fn record_ws(
    app: &AppState,
    st: &StoreState,
    url: &str,
    request: Option<i64>,
) -> Option<HistoryRecorder> {
    with_store(app, st, |s| {
        s.record_connection(Protocol::Websocket, url, request)
    })
    .ok()
}

#[tauri::command]
pub fn history_list(
    app: State<'_, AppState>,
    st: State<'_, StoreState>,
    limit: u32,
) -> Result<Vec<HistoryDto>, AppError> {
    with_store(&app, &st, |s| {
        let mut out = Vec::new();
        for h in s.history(limit.min(500))? {
            let o = s.history_outcome(h.id)?;
            let outcome = match (&o.error, o.close_code, o.opened, h.ended_at) {
                (Some(code), _, false, _) => code.clone(),
                (_, Some(c), _, _) => format!("closed {c}"),
                (Some(code), _, true, _) => code.clone(),
                (None, None, true, None) => "connected".into(),
                (None, None, true, Some(_)) => "ended".into(),
                (None, None, false, None) => "connecting".into(),
                (None, None, false, Some(_)) => "failed".into(),
            };
            out.push(HistoryDto {
                id: h.id,
                request_id: h.request_id,
                protocol: h.protocol,
                url: h.url,
                started_at: h.started_at as f64,
                outcome,
                events: h.events.min(u32::MAX as u64) as u32,
            });
        }
        Ok(out)
    })
}
