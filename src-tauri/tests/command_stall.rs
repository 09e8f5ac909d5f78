//! A stalled OS credential store never blocks other commands: a collection rename waiting on the
//! keyring runs off the async threads while `log_rows` answers at once (commands called as Tauri
//! calls them, on a current-thread runtime where any blocking command would hold everything up).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sockpit_app::commands::{env, log_view, store};
use sockpit_app::state::{lock, AppState, WsEntry};
use sockpit_core::ws::{Direction, SessionEvent};
use sockpit_core::SessionLog;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::Manager;

#[tokio::test(flavor = "current_thread")]
async fn a_stalled_credential_store_does_not_block_the_log() {
    let stall = Duration::from_millis(700);
    support::install(stall);
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_builder()
        .manage(AppState::default())
        .manage(sockpit_app::inspect::InspectState::default())
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let st = app.state::<AppState>();
    *lock(&st.data_dir) = Some(dir.path().to_path_buf());
    // A collection with an environment secret in the (slow) OS store.
    let c = store::store_create(
        app.state(),
        "collection".into(),
        "Slow".into(),
        None,
        None,
        None,
    )
    .await
    .expect("collection");
    let env = env::env_create(app.state(), c, "dev".into())
        .await
        .expect("env");
    let var = sockpit_app::dto_store::VariableDto {
        name: "token".into(),
        value: "slow-secret".into(),
        secret: true,
    };
    env::env_update(app.state(), env, "dev".into(), vec![var])
        .await
        .expect("secret");
    // A session log to read while the rename waits for the credential store.
    let mut log = SessionLog::new();
    for i in 0..1000u64 {
        log.push(&SessionEvent::Message {
            t: i,
            dir: Direction::In,
            kind: sockpit_core::ws::DataKind::Text,
            data: bytes::Bytes::from(format!("row {i}")),
        });
    }
    // The session's own socket does not matter here (nothing listens on port 1).
    let session = sockpit_core::ws::SessionHandle::spawn(sockpit_core::ws::ConnectConfig::new(
        "ws://127.0.0.1:1/",
    ));
    let control = session.control();
    lock(&st.ws).insert(
        7,
        WsEntry {
            control,
            log: Arc::new(Mutex::new(log)),
            layer: None,
        },
    );

    let renamed = Arc::new(AtomicBool::new(false));
    let done = renamed.clone();
    let started = Instant::now();
    let handle = app.handle().clone();
    let rename = tokio::spawn(async move {
        store::store_rename(handle.state(), "collection".into(), c, "Renamed".into())
            .await
            .expect("rename");
        done.store(true, Ordering::SeqCst);
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    let rows = log_view::log_rows(app.state(), app.state(), 7, vec![0, 500, 999])
        .await
        .expect("rows");
    let took = t.elapsed();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].text, "row 999");
    assert!(
        !renamed.load(Ordering::SeqCst),
        "the rename should still be waiting on the store"
    );
    assert!(
        took < Duration::from_millis(300),
        "log_rows waited {took:?} behind the rename"
    );
    rename.await.expect("rename task");
    assert!(
        started.elapsed() >= stall,
        "the rename did go through the slow store"
    );
    let envs = env::env_list(app.state()).await.expect("envs");
    assert_eq!(envs[0].collection, "Renamed");
}
