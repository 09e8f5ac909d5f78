//! The window's commands called as Tauri calls them (state from a mock app), against a real store,
//! a real mock server and an in-memory OS credential store: imports and saves leave no secret in
//! the database file, and connections still use them.

mod support;
use support as keyring_mem;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sockpit_app::commands::{history, share, store, ws};
use sockpit_app::dto::{ConnectArgs, WsBatch};
use sockpit_app::dto_store::{ExtrasDto, RequestSpec};
use sockpit_app::state::{lock, AppState};
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{App, Manager};

fn mock_app(dir: &std::path::Path) -> App<MockRuntime> {
    let app = mock_builder()
        .manage(AppState::default())
        .manage(sockpit_app::inspect::InspectState::default())
        .build(mock_context(noop_assets()))
        .expect("mock app");
    *lock(&app.state::<AppState>().data_dir) = Some(dir.to_path_buf());
    app
}

/// Every byte of the database and its WAL: a secret found anywhere in there is a leak.
fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["sockpit.db", "sockpit.db-wal", "sockpit.db-journal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Connects request `id` through `ws_connect` and waits for `Connected` (or fails with the error).
async fn connects(app: &App<MockRuntime>, id: i64) -> Result<(), String> {
    let stored = store::request_get(app.state(), id)
        .await
        .map_err(|e| e.message)?;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = Mutex::new(tx);
    let channel: Channel<WsBatch> = Channel::new(move |body| {
        if let InvokeResponseBody::Json(j) = body {
            let _ = lock(&tx).send(j);
        }
        Ok(())
    });
    let args = ConnectArgs {
        url: String::new(),
        reconnect: false,
        subprotocols: vec![],
        headers: vec![],
        previous: None,
        record_frames: false,
        spec: Some(stored.spec),
        collection: Some(stored.collection_id),
        request_id: Some(id),
        hook_file: None,
        stop_on_script_error: None,
    };
    ws::ws_connect(app.state(), app.state(), args, channel)
        .await
        .map_err(|e| e.message)?;
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(j) if j.contains("\"Connected\"") => return Ok(()),
            Ok(j) if j.contains("\"error\":{") => return Err(j),
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    Err("no Connected state within 10 s".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_import_and_save_leave_no_secret_in_the_database() {
    keyring_mem::install(Duration::ZERO);
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .expect("mock");
    let host = mock
        .http_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());

    // An Insomnia export with a literal bearer token in the request's auth.
    let insomnia = serde_json::json!({
        "_type": "export", "__export_format": 4,
        "resources": [
            {"_id": "wrk_1", "parentId": null, "_type": "workspace", "name": "Leaky", "scope": "collection"},
            {"_id": "ws-req_1", "parentId": "wrk_1", "_type": "websocket_request", "name": "Header auth",
             "url": format!("ws://{host}/auth/header"), "headers": [],
             "authentication": {"type": "bearer", "token": "demo-token", "prefix": ""}}
        ]
    });
    let file = dir.path().join("leaky.insomnia.json");
    std::fs::write(&file, insomnia.to_string()).expect("write");
    let r = share::collection_import(app.state(), file.display().to_string(), None)
        .await
        .expect("import insomnia");
    assert_eq!((r.format.as_str(), r.requests), ("insomnia", 1));

    // A share file whose secret variable carries its value.
    let sockpit = serde_json::json!({
        "sockpit": 1, "name": "Shared",
        "variables": [{"name": "tok", "value": "demo-token", "secret": true}],
        "items": [{"type": "request", "name": "Var auth", "protocol": "websocket",
                   "url": format!("ws://{host}/auth/header"),
                   "headers": [{"name": "Authorization", "value": "Bearer {{tok}}"}]}]
    });
    let file = dir.path().join("shared.sockpit.json");
    std::fs::write(&file, sockpit.to_string()).expect("write");
    share::collection_import(app.state(), file.display().to_string(), None)
        .await
        .expect("import share file");

    // A request saved from the editor with a literal token typed into the Auth tab.
    let spec = RequestSpec {
        name: "Typed".into(),
        protocol: "websocket".into(),
        url: format!("ws://{host}/auth/header"),
        params: vec![],
        headers: vec![],
        subprotocols: vec![],
        auth: serde_json::json!({"type": "bearer", "token": "demo-token"}),
        settings: serde_json::Value::Null,
        messages: vec![],
        sse_url: String::new(),
        extras: ExtrasDto::default(),
        scripts: None,
    };
    let saved = store::request_save(app.state(), None, None, spec)
        .await
        .expect("save");
    assert_eq!(saved.spec.auth["token"], "{{auth_typed_token}}");

    let db = database_bytes(dir.path());
    assert!(db.len() > 4096, "the database was written");
    assert!(
        !contains(&db, "demo-token"),
        "a secret value reached the database file"
    );
    assert!(
        keyring_mem::values()
            .iter()
            .filter(|v| *v == "demo-token")
            .count()
            >= 3
    );

    // Every request still connects with its secret, now from the credential store.
    let tree = store::store_tree(app.state()).await.expect("tree");
    let ids: Vec<i64> = tree
        .iter()
        .flat_map(|c| c.children.iter().map(|r| r.id))
        .collect();
    assert_eq!(ids.len(), 3, "{tree:?}");
    for id in ids {
        connects(&app, id)
            .await
            .unwrap_or_else(|e| panic!("request {id}: {e}"));
    }
    // History has them, and never the secret.
    let h = history::history_list(app.state(), 10)
        .await
        .expect("history");
    assert_eq!(h.len(), 3);
    assert!(!contains(&database_bytes(dir.path()), "demo-token"));
}
