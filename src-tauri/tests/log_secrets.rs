//! The window's log file never holds a secret: with the file logger on (at `RUST_LOG=trace`),
//! saving a request with a literal bearer token, rendering it and connecting with it to the mock
//! writes log lines, and the token is in none of the files under the log directory. Its own test
//! binary: it installs the process's logger and sets environment variables.

use std::path::Path;
use std::time::Duration;

use sockpit_app::logging;
use sockpit_core::app::App;
use sockpit_core::collection::auth::Auth;
use sockpit_core::collection::model::{Protocol, Request};
use sockpit_core::ws::{SessionEvent, SessionHandle};
use sockpit_mock::MockServer;

/// The mock's token, saved as a literal (the save moves it into the secret store).
const TOKEN: &str = sockpit_mock::auth::DEMO_TOKEN;

/// Every file under `dir`, as text.
fn all_logs(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("the log directory exists") {
        let path = entry.expect("a directory entry").path();
        text.push_str(&String::from_utf8_lossy(
            &std::fs::read(&path).expect("a log file"),
        ));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_log_holds_no_secret() {
    // This test binary's process only (see above).
    std::env::set_var("SOCKPIT_SECRET_BACKEND", "database");
    std::env::set_var("RUST_LOG", "trace");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let logs = logging::log_dir(&data);
    let guard = logging::init_file_logging(&logs).unwrap();

    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let app = App::new(&data);
    let request = Request {
        name: "Header auth".into(),
        protocol: Protocol::Websocket,
        url: format!("{}/auth/header?room=1", mock.ws_url()),
        auth: Auth::Bearer {
            token: TOKEN.into(),
        },
        ..Request::default()
    };
    let saved = app.save_request(None, None, request).unwrap();
    assert!(!saved.moved_secrets.is_empty(), "{saved:?}");
    let cfg = app
        .render_ws(&saved.request, Some(saved.collection_id), false)
        .unwrap();

    let mut session = SessionHandle::spawn(cfg);
    let control = session.control();
    let mut opened = false;
    let mut welcome = String::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(batch) = session.next_batch().await {
            for ev in batch {
                match ev {
                    SessionEvent::Open { .. } => opened = true,
                    SessionEvent::Message { data, .. } if welcome.is_empty() => {
                        welcome = String::from_utf8_lossy(&data).into_owned();
                        let _ = control.close(1000, "done").await;
                    }
                    SessionEvent::Error { error, .. } => panic!("session error: {error}"),
                    _ => {}
                }
            }
        }
    })
    .await
    .expect("the session ends");
    assert!(
        opened && welcome.contains("\"via\":\"bearer\""),
        "{welcome}"
    );
    let notices = app.take_notices();
    drop(guard); // writes out every buffered line

    let text = all_logs(&logs);
    for event in [
        "store: migrated",
        "ws: connecting",
        "ws: open",
        "ws: connection ended",
    ] {
        assert!(text.contains(event), "no '{event}' in the log:\n{text}");
    }
    assert!(text.contains("room=***"), "{text}");
    assert!(
        notices.iter().any(|n| text.contains(&n.message)),
        "the notices are logged: {notices:?}\n{text}"
    );
    assert!(!text.contains(TOKEN), "the token reached the log:\n{text}");
}
