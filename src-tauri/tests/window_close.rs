//! The window's end (`closing::end_sessions`, what closing the window or quitting runs): every live
//! session closes with 1001 and its history is written to the end before it returns.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sockpit_app::commands::ws;
use sockpit_app::dto::{ConnectArgs, WsBatch};
use sockpit_app::state::{lock, AppState};
use sockpit_core::store::Store;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::Manager;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_closes_sessions_with_1001_and_flushes_history() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_builder()
        .manage(AppState::default())
        .manage(sockpit_app::inspect::InspectState::default())
        .build(mock_context(noop_assets()))
        .expect("mock app");
    *lock(&app.state::<AppState>().data_dir) = Some(dir.path().to_path_buf());

    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = Mutex::new(tx);
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let tx = lock(&tx).clone();
        let tx = Mutex::new(tx);
        let channel: Channel<WsBatch> = Channel::new(move |body| {
            if let InvokeResponseBody::Json(j) = body {
                let _ = lock(&tx).send(j);
            }
            Ok(())
        });
        let args = ConnectArgs {
            url: format!("{}/echo", mock.ws_url()),
            reconnect: false,
            subprotocols: vec![],
            headers: vec![],
            previous: None,
            record_frames: false,
            spec: None,
            collection: None,
            request_id: None,
            hook_file: None,
            stop_on_script_error: None,
        };
        let id = ws::ws_connect(app.state(), app.state(), args, channel)
            .await
            .expect("connect");
        sessions.push(id);
    }
    let mut connected = 0;
    let end = Instant::now() + Duration::from_secs(10);
    while connected < 2 {
        assert!(Instant::now() < end, "not both connected within 10 s");
        if let Ok(j) = rx.recv_timeout(Duration::from_millis(50)) {
            connected += usize::from(j.contains("\"Connected\""));
        }
    }

    let started = Instant::now();
    sockpit_app::closing::end_sessions(app.handle()).await;
    assert!(
        started.elapsed() < sockpit_app::closing::GRACE,
        "waited out the grace"
    );

    // Read right away: the history is complete when `end_sessions` returns.
    let store = Store::open_in(dir.path()).expect("store");
    let history = store.history(10).expect("history");
    assert_eq!(history.len(), 2, "{history:?}");
    for h in &history {
        assert!(h.ended_at.is_some(), "{h:?}");
        let events = store.history_events(h.id, 0, 100).expect("events");
        let closes: Vec<_> = events
            .iter()
            .filter(|e| e.kind == "close")
            .map(|e| (e.dir.as_str(), e.code))
            .collect();
        assert!(closes.contains(&("out", Some(1001))), "{events:?}");
        // The server's answer made it too.
        assert!(closes.iter().any(|(d, _)| *d == "in"), "{events:?}");
    }
}
