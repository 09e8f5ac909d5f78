//! The Socket.IO and GraphQL commands as Tauri calls them: a request created with its protocol
//! keeps it, and emits and operations are checked (by core) before any session is looked up, with
//! errors that name what was wrong; a plain WebSocket session has no layer to talk to.

use std::sync::{Arc, Mutex};

use sockpit_app::commands::{layered, store};
use sockpit_app::state::{lock, AppState, WsEntry};
use sockpit_core::SessionLog;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::Manager;

fn app(dir: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
    let app = mock_builder()
        .manage(AppState::default())
        .manage(sockpit_app::inspect::InspectState::default())
        .build(mock_context(noop_assets()))
        .expect("mock app");
    *lock(&app.state::<AppState>().data_dir) = Some(dir.to_path_buf());
    app
}

#[tokio::test]
async fn a_request_created_as_socketio_or_graphql_keeps_its_protocol() {
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path());
    let c = store::store_create(
        app.state(),
        "collection".into(),
        "P".into(),
        None,
        None,
        None,
    )
    .await
    .expect("collection");
    for protocol in ["socketio", "graphql", "stomp", "mqtt", "sse"] {
        let id = store::store_create(
            app.state(),
            "request".into(),
            format!("{protocol} one"),
            Some(c),
            None,
            Some(protocol.into()),
        )
        .await
        .expect("request");
        let got = store::request_get(app.state(), id).await.expect("get");
        assert_eq!(got.spec.protocol, protocol);
    }
    let e = store::store_create(
        app.state(),
        "request".into(),
        "x".into(),
        Some(c),
        None,
        Some("amqp".into()),
    )
    .await
    .expect_err("unknown protocol");
    assert_eq!(e.code, "app.invalid_protocol");
}

#[tokio::test]
async fn emits_and_operations_are_checked_and_need_a_layered_session() {
    let dir = tempfile::tempdir().expect("dir");
    let app = app(dir.path());
    let emit = |event: &str, args: &str| {
        layered::sio_emit(
            app.state(),
            9,
            "/".into(),
            event.into(),
            args.into(),
            true,
            false,
        )
    };
    let reply = |args: &str| layered::sio_ack(app.state(), 9, "/".into(), 3, args.into());
    assert_eq!(
        emit("chat", "[1,").await.expect_err("bad args").code,
        "app.invalid_args"
    );
    assert_eq!(
        emit("", "[]").await.expect_err("no name").code,
        "app.invalid_event"
    );
    assert_eq!(
        emit("chat", "[1]").await.expect_err("no session").code,
        "app.no_session"
    );
    // An ack reply's arguments are checked like an emit's, before the session is looked up.
    let e = reply("[1,").await.expect_err("bad reply args");
    assert_eq!(e.code, "app.invalid_args");
    assert!(e.message.contains("not JSON"), "{}", e.message);
    assert_eq!(
        reply("[1]").await.expect_err("no session").code,
        "app.no_session"
    );
    let e = layered::gql_start(
        app.state(),
        9,
        "1".into(),
        "{ hello }".into(),
        "[1]".into(),
        String::new(),
    )
    .await
    .expect_err("bad variables");
    assert_eq!(e.code, "app.invalid_variables");

    // A plain WebSocket session (nothing listens on port 1) has no layer.
    let session = sockpit_core::ws::SessionHandle::spawn(sockpit_core::ws::ConnectConfig::new(
        "ws://127.0.0.1:1/",
    ));
    lock(&app.state::<AppState>().ws).insert(
        9,
        WsEntry {
            control: session.control(),
            log: Arc::new(Mutex::new(SessionLog::new())),
            layer: None,
        },
    );
    assert_eq!(
        emit("chat", "[1]").await.expect_err("plain").code,
        "app.no_layer"
    );
    assert_eq!(reply("[1]").await.expect_err("plain").code, "app.no_layer");
    let e = layered::gql_stop(app.state(), 9, "1".into())
        .await
        .expect_err("plain");
    assert_eq!(e.code, "app.no_layer");
}
