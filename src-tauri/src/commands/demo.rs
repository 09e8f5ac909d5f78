//! First-run demo: starts the built-in mock server on 127.0.0.1 inside the app.

use sockpit_mock::MockServer;
use tauri::State;

use crate::dto::{AppError, DemoInfo};
use crate::state::{lock, AppState};

#[tauri::command]
pub async fn demo_start(state: State<'_, AppState>) -> Result<DemoInfo, AppError> {
    let running = lock(&state.demo).as_ref().map(|m| DemoInfo {
        ws_url: m.ws_url(),
        http_url: m.http_url(),
    });
    if let Some(info) = running {
        return Ok(info);
    }
    let server = MockServer::start("127.0.0.1", 0).await.map_err(|e| {
        AppError::new(
            "app.demo_failed",
            format!("could not start the mock server: {e}"),
        )
    })?;
    let info = DemoInfo {
        ws_url: server.ws_url(),
        http_url: server.http_url(),
    };
    let mut slot = lock(&state.demo);
    if let Some(m) = slot.as_ref() {
        // Another call won the race; keep its server.
        return Ok(DemoInfo {
            ws_url: m.ws_url(),
            http_url: m.http_url(),
        });
    }
    *slot = Some(server);
    Ok(info)
}
