//! Scripts through the window's `ws_connect` as Tauri calls it, against the mock: a Socket.IO
//! request's script answers events with `sp.emit` and its `after` test passes; a GraphQL
//! request's script sees the subscription's results; a WebSocket request's `before_connect` sets
//! variables the connect renders into a header and the query (the mock's /headers); an attached
//! hook file runs beside the request's hooks; an SSE request's scripts through `sse_subscribe`, their
//! `sp.close()` ending the stream.

use std::time::{Duration, Instant};

use sockpit_app::commands::{layered, sse, store, ws};
use sockpit_app::dto::{ConnectArgs, SseBatch, WsBatch};
use sockpit_app::dto_script::ScriptsDto;
use sockpit_app::dto_store::{KvDto, RequestSpec};
use sockpit_app::state::{lock, AppState};
use sockpit_mock::MockServer;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{App, Manager};

const LIMIT: Duration = Duration::from_secs(20);

fn mock_app(dir: &std::path::Path) -> App<MockRuntime> {
    std::env::set_var("SOCKPIT_SECRET_BACKEND", "database");
    let app = mock_builder()
        .manage(AppState::default())
        .manage(sockpit_app::inspect::InspectState::default())
        .build(mock_context(noop_assets()))
        .expect("mock app");
    *lock(&app.state::<AppState>().data_dir) = Some(dir.to_path_buf());
    app
}

/// A new stored request of `protocol` as the editor shows it.
async fn spec_of(app: &App<MockRuntime>, protocol: &str) -> RequestSpec {
    let c = store::store_create(
        app.state(),
        "collection".into(),
        "S".into(),
        None,
        None,
        None,
    )
    .await
    .expect("collection");
    let id = store::store_create(
        app.state(),
        "request".into(),
        format!("{protocol} scripted"),
        Some(c),
        None,
        Some(protocol.into()),
    )
    .await
    .expect("request");
    store::request_get(app.state(), id).await.expect("get").spec
}

/// Connects `spec` (with an optional hook file) and returns the session id and its batches (JSON).
async fn connect(
    app: &App<MockRuntime>,
    spec: RequestSpec,
    hook_file: Option<String>,
) -> (u32, std::sync::mpsc::Receiver<String>) {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    let channel: Channel<WsBatch> = Channel::new(move |body| {
        if let InvokeResponseBody::Json(j) = body {
            let _ = lock(&tx).send(j);
        }
        Ok(())
    });
    let args = ConnectArgs {
        url: spec.url.clone(),
        reconnect: false,
        subprotocols: vec![],
        headers: vec![],
        previous: None,
        record_frames: false,
        spec: Some(spec),
        collection: None,
        request_id: None,
        hook_file,
        stop_on_script_error: None,
    };
    let id = ws::ws_connect(app.state(), app.state(), args, channel)
        .await
        .expect("connect");
    (id, rx)
}

/// Batches until one contains every needle (their JSON joined), or the limit.
fn wait_for(rx: &std::sync::mpsc::Receiver<String>, needles: &[&str]) -> String {
    let end = Instant::now() + LIMIT;
    let mut seen = String::new();
    while Instant::now() < end {
        if let Ok(j) = rx.recv_timeout(Duration::from_millis(50)) {
            seen.push_str(&j);
            if needles.iter().all(|n| seen.contains(n)) {
                return seen;
            }
        }
    }
    panic!("never saw {needles:?} in {seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_socketio_request_s_script_emits_and_its_tests_pass() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let mut spec = spec_of(&app, "socketio").await;
    spec.url = mock.http_url();
    spec.scripts = Some(ScriptsDto {
        on_message: "const m = sp.message.json();\nif (m.event === 'echo' && m.args[1] < 3) sp.emit('echo', 'ping', m.args[1] + 1);\nif (m.event === 'echo' && m.args[1] === 3) sp.close(1000, 'three');".into(),
        after: "const seq = sp.messages.map(m => m.json()).filter(e => e.event === 'echo').map(e => e.args[1]);\ntest('three pings, in order', () => expect(seq).to.deep.equal([1, 2, 3]));".into(),
        ..ScriptsDto::default()
    });
    let (id, rx) = connect(&app, spec, None).await;
    wait_for(&rx, &["\"Connected\""]);
    // The first emit is the user's (the Emit button); the script answers the rest.
    layered::sio_emit(
        app.state(),
        id,
        "/".into(),
        "echo".into(),
        r#"["ping", 1]"#.into(),
        false,
        false,
    )
    .await
    .expect("emit");
    let seen = wait_for(&rx, &["three pings, in order"]);
    assert!(
        seen.contains(r#""name":"three pings, in order","passed":true"#),
        "{seen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_graphql_request_s_script_sees_the_subscription_s_results() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let mut spec = spec_of(&app, "graphql").await;
    spec.url = format!("{}/graphql", mock.ws_url());
    spec.scripts = Some(ScriptsDto {
        on_message: "const m = sp.message.json();\nif (m.type === 'complete') sp.close(1000, 'done');".into(),
        after: "const counts = sp.messages.map(m => m.json()).filter(e => e.type === 'next').map(e => e.payload.data.count);\ntest('counted to three', () => expect(counts).to.deep.equal([1, 2, 3]));".into(),
        ..ScriptsDto::default()
    });
    let (id, rx) = connect(&app, spec, None).await;
    wait_for(&rx, &["\"Connected\""]);
    layered::gql_start(
        app.state(),
        id,
        "c1".into(),
        "subscription { count(to: 3, intervalMs: 10) }".into(),
        String::new(),
        String::new(),
    )
    .await
    .expect("start");
    let seen = wait_for(&rx, &["counted to three"]);
    assert!(
        seen.contains(r#""name":"counted to three","passed":true"#),
        "{seen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn before_connect_variables_reach_the_header_and_query_and_a_hook_file_runs_too() {
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let hook = dir.path().join("hooks.js");
    std::fs::write(
        &hook,
        "function onMessage(sp) {\n  test('file saw the report', () => expect(sp.message.json().headers).to.be.an('object'));\n}\n",
    )
    .expect("hook file");
    let mut spec = spec_of(&app, "websocket").await;
    spec.url = format!("{}/headers?sid={{{{sid}}}}", mock.ws_url());
    spec.headers = vec![KvDto {
        name: "X-Token".into(),
        value: "{{token}}".into(),
        enabled: true,
    }];
    spec.scripts = Some(ScriptsDto {
        before_connect: "sp.vars.set('token', 'tok-' + (40 + 2));\nsp.vars.set('sid', 's7');"
            .into(),
        ..ScriptsDto::default()
    });
    let (_id, rx) = connect(&app, spec, Some(hook.display().to_string())).await;
    let header = r#"\"x-token\":\"tok-42\""#;
    let query = r#"\"sid\":\"s7\""#;
    let seen = wait_for(&rx, &[header, query, "file saw the report"]);
    assert!(
        seen.contains(r#""name":"file saw the report","passed":true"#),
        "{seen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sse_requests_scripts_run_through_sse_subscribe_and_sp_close_ends_the_stream() {
    let dir = tempfile::tempdir().expect("dir");
    let app = mock_app(dir.path());
    let mock = MockServer::start("127.0.0.1", 0).await.expect("mock");
    let mut spec = spec_of(&app, "sse").await;
    // Reconnect at once after the stream ends: the feed then ends only when closed.
    spec.settings = serde_json::json!({"reconnect": {"base_ms": 10, "max_ms": 10}});
    spec.scripts = Some(ScriptsDto {
        on_message: "sp.log('event ' + sp.message.json().n);\nif (sp.message.json().n === 3) sp.close();".into(),
        after: "test('three events first', () => expect(sp.messages.slice(0, 3).map(m => m.json().n)).to.deep.equal([1, 2, 3]));".into(),
        ..ScriptsDto::default()
    });
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    let channel: Channel<SseBatch> = Channel::new(move |body| {
        if let InvokeResponseBody::Json(j) = body {
            let _ = lock(&tx).send(j);
        }
        Ok(())
    });
    // Without `done` the feed reconnects for ever: the stream ends only by the script's close.
    let url = format!("{}/sse?n=5&interval=10&retry=10", mock.http_url());
    sse::sse_subscribe(app.state(), url, Some(spec), None, None, None, channel)
        .await
        .expect("subscribe");
    let seen = wait_for(
        &rx,
        &[
            r#""name":"three events first","passed":true"#,
            r#""kind":"script""#,
            "on_message: event 3",
            r#""kind":"ended""#,
        ],
    );
    assert!(seen.contains(r#""data":"unsubscribed""#), "{seen}");
}
