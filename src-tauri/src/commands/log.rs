//! Log reads for the virtual list: a range of rows, and search hits, read from the session's log.

use tauri::State;

use crate::dto::{AppError, RowDto};
use crate::inspect::InspectState;
use crate::state::{lock, off_thread, AppState};
use crate::stream::row_dto;

/// Longest range one call returns.
const MAX_RANGE: u32 = 2000;

pub fn log_of(
    state: &AppState,
    session: u32,
) -> Result<std::sync::Arc<std::sync::Mutex<sockpit_core::SessionLog>>, AppError> {
    lock(&state.ws)
        .get(&session)
        .map(|e| e.log.clone())
        .ok_or_else(|| AppError::new("app.no_session", "that session's log is gone"))
}

#[tauri::command]
pub async fn log_range(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    session: u32,
    start: u32,
    end: u32,
) -> Result<Vec<RowDto>, AppError> {
    let log = log_of(&state, session)?;
    let codec = inspect.codec();
    let end = end.min(start.saturating_add(MAX_RANGE));
    off_thread(move || {
        let rows = lock(&log)
            .range(start as usize, end as usize)
            .map(|r| row_dto(&r, codec.as_deref()))
            .collect();
        Ok::<_, AppError>(rows)
    })
    .await
}

/// Indices of rows containing `needle` (case-insensitive), from `from`, at most `limit`.
#[tauri::command]
pub async fn log_search(
    state: State<'_, AppState>,
    session: u32,
    needle: String,
    from: u32,
    limit: u32,
) -> Result<Vec<u32>, AppError> {
    let log = log_of(&state, session)?;
    off_thread(move || {
        let hits = lock(&log).search(&needle, true, from as usize, limit.min(10_000) as usize);
        Ok::<_, AppError>(hits.into_iter().map(|i| i as u32).collect())
    })
    .await
}
