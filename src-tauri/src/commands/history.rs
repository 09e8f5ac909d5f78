//! Connection history over core's `app` API: the recent connections with URL, time and outcome
//! (one query); the UI opens one as a new tab from its URL. Notices ride along here too: the
//! warnings a user should see, taken by the UI's notice bar.

use tauri::State;

use crate::dto::{AppError, NoticeDto};
use crate::dto_store::HistoryDto;
use crate::state::AppState;

#[tauri::command]
pub async fn history_list(
    st: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<HistoryDto>, AppError> {
    let items = st.blocking(move |a| a.history(limit)).await?;
    Ok(items
        .into_iter()
        .map(|h| HistoryDto {
            id: h.connection.id,
            request_id: h.connection.request_id,
            protocol: h.connection.protocol,
            url: h.connection.url,
            started_at: h.connection.started_at as f64,
            outcome: h.outcome,
            events: h.connection.events.min(u32::MAX as u64) as u32,
        })
        .collect())
}

/// The notices since the last call (secret store fallback, OS entries left behind), oldest first.
#[tauri::command]
pub async fn app_notices(st: State<'_, AppState>) -> Result<Vec<NoticeDto>, AppError> {
    let notices = st.app()?.take_notices();
    Ok(notices
        .into_iter()
        .map(|n| NoticeDto {
            code: n.code.to_string(),
            message: n.message,
        })
        .collect())
}
