//! The window's scripted sessions (core's `app::SessionScripts` and `app::ScriptedSession`, as the
//! window's `ws_connect` drives them) against the mock: a request's hooks that send, log, test and
//! close; the checked-in hook file beside them (file first); `before_connect` variables rendered
//! into the connect; stop on script error; `sp.vars.set` kept for the window session and saved to
//! the active environment; and scripts on a Socket.IO session (`sp.emit`).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sockpit_core::app::{
    check_hook_file, socketio_config, socketio_scripting, App, EnvVarInput, ScriptEvent,
    ScriptPlan, ScriptedSession, ScriptedStream, SessionScripts, StreamBatch,
};
use sockpit_core::collection::model::{KeyValue, Protocol, Request, Scripts};
use sockpit_core::log::{RowKind, SessionLog};
use sockpit_core::protocol::socketio::{self, SioIntent};
use sockpit_core::template::Vars;
use sockpit_core::ws::{ConnectConfig, Direction, SessionEvent, SessionHandle};
use sockpit_mock::MockServer;

const LIMIT: Duration = Duration::from_secs(20);

fn app() -> (tempfile::TempDir, Arc<App>) {
    std::env::set_var("SOCKPIT_SECRET_BACKEND", "database");
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::new(dir.path()));
    (dir, app)
}

fn round_trips() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../collections/hooks/round-trips.js")
}

/// Runs a scripted session to its end: the plain session's events and what the scripts reported.
async fn drain(mut session: ScriptedSession) -> (Vec<SessionEvent>, Vec<ScriptEvent>) {
    let (mut events, mut script) = (Vec::new(), Vec::new());
    tokio::time::timeout(LIMIT, async {
        while let Some(b) = session.next_batch().await {
            match b.events {
                StreamBatch::Ws(e) => events.extend(e),
                StreamBatch::Socketio(b) => events.extend(b.into_iter().filter_map(|e| match e {
                    sockpit_core::protocol::LayerEvent::Session(e) => Some(e),
                    _ => None,
                })),
                StreamBatch::Graphql(_) | StreamBatch::Sse(_) => {}
            }
            script.extend(b.script);
        }
    })
    .await
    .expect("the session ends");
    (events, script)
}

fn tests_of(script: &[ScriptEvent]) -> Vec<(String, bool)> {
    script
        .iter()
        .filter_map(|e| match e {
            ScriptEvent::Test(t) => Some((t.name.clone(), t.passed)),
            _ => None,
        })
        .collect()
}

async fn start(
    app: &Arc<App>,
    r: &Request,
    plan: &ScriptPlan,
) -> Result<Option<SessionScripts>, sockpit_core::app::AppError> {
    let vars = app.request_vars(None).unwrap().values();
    SessionScripts::start(app, r, vars, plan).await
}

#[tokio::test]
async fn a_scripted_session_sends_logs_tests_closes_and_runs_after() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    app.keep_script_var("greeting", "hi", sockpit_core::script::VarScope::Run);
    let url = format!("{}/echo", mock.ws_url());
    let request = Request {
        name: "scripted".into(),
        url: url.clone(),
        scripts: Scripts {
            on_open: Some("sp.send(sp.vars.get('greeting'))".into()),
            on_message: Some(
                "sp.log('got ' + sp.message.data);\ntest('echo', () => expect(sp.message.data).to.equal('hi'));\nsp.close(1000, 'done');".into(),
            ),
            after: Some("test('one in', () => expect(sp.messages.filter(m => m.dir === 'in').length).to.equal(1));".into()),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let scripts = start(&app, &request, &ScriptPlan::default())
        .await
        .unwrap()
        .unwrap();
    let handle = SessionHandle::spawn(ConnectConfig::new(url));
    let session = ScriptedSession::new(ScriptedStream::Ws(handle), scripts, app.clone());
    let (events, script) = drain(session).await;
    let mut log = SessionLog::new();
    for e in &events {
        log.push(e);
    }
    sockpit_core::app::ScriptedBatch {
        events: StreamBatch::default(),
        script: script.clone(),
        t: 0,
    }
    .push_rows(&mut log);

    let sent_hi = events.iter().any(|e| {
        matches!(e, SessionEvent::Message { dir: Direction::Out, data, .. } if &data[..] == b"hi")
    });
    assert!(sent_hi, "on_open sent 'hi': {events:?}");
    assert_eq!(
        tests_of(&script),
        vec![("echo".into(), true), ("one in".into(), true)],
        "{script:?}"
    );
    let rows: Vec<String> = log
        .range(0, log.len())
        .filter(|r| r.kind == RowKind::Script)
        .map(|r| String::from_utf8_lossy(r.data).into_owned())
        .collect();
    assert_eq!(rows, vec!["on_message: got hi".to_string()]);
}

#[tokio::test]
async fn the_checked_in_hook_file_runs_before_the_request_hooks_and_its_tests_pass() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    let url = format!("{}/echo", mock.ws_url());
    let request = Request {
        name: "round trips".into(),
        url: url.clone(),
        scripts: Scripts {
            on_message: Some("sp.log('own hook saw ' + sp.message.data)".into()),
            after: Some(
                "test('own after', () => expect(sp.messages.length).to.be.above(0))".into(),
            ),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let plan = ScriptPlan {
        hook_file: Some(round_trips()),
        stop_on_error: false,
    };
    let scripts = start(&app, &request, &plan).await.unwrap().unwrap();
    let handle = SessionHandle::spawn(ConnectConfig::new(url));
    let (events, script) = drain(ScriptedSession::new(
        ScriptedStream::Ws(handle),
        scripts,
        app,
    ))
    .await;
    // The file's `after` ran first, then the request's.
    assert_eq!(
        tests_of(&script),
        vec![
            ("five round trips".into(), true),
            ("no gaps in the sequence".into(), true),
            ("own after".into(), true),
        ],
        "{script:?}"
    );
    let closed = events.iter().any(|e| {
        matches!(e, SessionEvent::Close { dir: Direction::Out, reason, .. } if reason == "five round trips")
    });
    assert!(closed, "the file closed the session: {events:?}");
    let own_logs = script
        .iter()
        .filter(|e| matches!(e, ScriptEvent::Log { text, .. } if text.starts_with("own hook saw")))
        .count();
    assert_eq!(own_logs, 5, "the request's hook saw every echo: {script:?}");

    // The engine's check of the file: whole; a broken one names its line; a missing one is an error.
    let ws = sockpit_core::script::ScriptLayer::Websocket;
    assert!(check_hook_file(&round_trips(), ws)
        .await
        .unwrap()
        .is_empty());
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.js");
    std::fs::write(&bad, "function onOpen(sp) {\n  let x = ;\n}\n").unwrap();
    let d = check_hook_file(&bad, ws).await.unwrap();
    assert_eq!(
        (d.len(), d[0].code.as_str(), d[0].line),
        (1, "script.syntax", 2)
    );
    let none = dir.path().join("none.js");
    let missing = check_hook_file(&none, ws).await.unwrap_err();
    assert_eq!(missing.code(), "script.read");
    assert!(
        missing.to_string().contains("cannot read the script"),
        "{missing}"
    );
    // A file defining no hook is refused on Connect, as the CLI refuses it.
    let empty = dir.path().join("empty.js");
    std::fs::write(&empty, "const x = 1;\n").unwrap();
    let d = check_hook_file(&empty, ws).await.unwrap();
    assert_eq!(d[0].code, "script.no_hooks");
    let plan = ScriptPlan {
        hook_file: Some(empty),
        stop_on_error: false,
    };
    let (_d, app) = self::app();
    let err = start(&app, &request, &plan).await.err().unwrap();
    assert_eq!(err.code(), "script.no_hooks");
}

#[tokio::test]
async fn a_syntax_error_stops_the_connect_and_no_scripts_means_no_host() {
    let (_dir, app) = app();
    let mut request = Request {
        name: "broken".into(),
        url: "ws://127.0.0.1:9/echo".into(),
        ..Request::default()
    };
    assert!(start(&app, &request, &ScriptPlan::default())
        .await
        .unwrap()
        .is_none());
    request.scripts.on_open = Some("let x = ;".into());
    let err = start(&app, &request, &ScriptPlan::default())
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "script.syntax");
}

/// The first message of the mock's /headers: the upgrade's headers and query.
fn first_json(events: &[SessionEvent]) -> Value {
    events
        .iter()
        .find_map(|e| match e {
            SessionEvent::Message {
                dir: Direction::In,
                data,
                ..
            } => serde_json::from_slice(data).ok(),
            _ => None,
        })
        .expect("the /headers report")
}

#[tokio::test]
async fn variables_before_connect_sets_render_into_the_url_and_headers() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    let request = Request {
        name: "token first".into(),
        url: format!("{}/headers?sid={{{{sid}}}}", mock.ws_url()),
        headers: vec![KeyValue::new("X-Token", "{{token}}")],
        scripts: Scripts {
            before_connect: Some(
                "sp.vars.set('token', 'tok-' + (40 + 2));\nsp.vars.set('sid', 's7');".into(),
            ),
            on_message: Some("sp.close(1000, 'seen')".into()),
            ..Scripts::default()
        },
        ..Request::default()
    };
    // As `ws_connect` does: scripts first (before_connect to its end), then the render.
    let scripts = start(&app, &request, &ScriptPlan::default())
        .await
        .unwrap()
        .unwrap();
    let cfg = app.render_ws(&request, None, false).unwrap();
    assert!(cfg.url.ends_with("/headers?sid=s7"), "{}", cfg.url);
    let handle = SessionHandle::spawn(cfg);
    let (events, _) = drain(ScriptedSession::new(
        ScriptedStream::Ws(handle),
        scripts,
        app,
    ))
    .await;
    let report = first_json(&events);
    let text = report.to_string();
    assert!(
        text.contains("tok-42"),
        "the header carried the token: {text}"
    );
    assert!(text.contains("s7"), "the query carried the sid: {text}");
}

#[tokio::test]
async fn stop_on_script_error_closes_the_session_at_the_first_error() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    let url = format!("{}/echo", mock.ws_url());
    let request = Request {
        name: "throws".into(),
        url: url.clone(),
        scripts: Scripts {
            on_open: Some("sp.send('a')".into()),
            on_message: Some("throw new Error('boom')".into()),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let plan = ScriptPlan {
        hook_file: None,
        stop_on_error: true,
    };
    let scripts = start(&app, &request, &plan).await.unwrap().unwrap();
    let handle = SessionHandle::spawn(ConnectConfig::new(url));
    let (events, script) = drain(ScriptedSession::new(
        ScriptedStream::Ws(handle),
        scripts,
        app,
    ))
    .await;
    let closed = events.iter().any(|e| {
        matches!(e, SessionEvent::Close { dir: Direction::Out, reason, .. } if reason == "script error")
    });
    assert!(closed, "the session was closed for the error: {events:?}");
    let codes: Vec<&str> = script
        .iter()
        .filter_map(|e| match e {
            ScriptEvent::Error { code, .. } => Some(*code),
            _ => None,
        })
        .collect();
    assert_eq!(
        codes,
        vec!["script.exception", "script.stopped"],
        "{script:?}"
    );

    // A before_connect that throws, when stopping on errors, stops the connect.
    let request = Request {
        name: "throws early".into(),
        url: "ws://127.0.0.1:9/".into(),
        scripts: Scripts {
            before_connect: Some("throw new Error('early')".into()),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let (_dir, app) = self::app();
    let err = start(&app, &request, &plan).await.err().unwrap();
    assert_eq!(err.code(), "script.exception");
}

#[tokio::test]
async fn variables_a_script_sets_stay_for_the_window_session_and_environment_ones_are_saved() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    let c = app.with_store(|s| Ok(s.create_collection("c")?)).unwrap();
    let env = app.create_environment(c, "dev").unwrap();
    app.update_environment(
        env,
        "",
        vec![EnvVarInput {
            name: "token".into(),
            value: "old".into(),
            secret: true,
        }],
    )
    .unwrap();
    app.select_environment(Some(env)).unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let request = Request {
        name: "sets".into(),
        url: url.clone(),
        scripts: Scripts {
            on_open: Some(
                "sp.vars.set('seen', 'yes');\nsp.vars.set('sid', 'abc', 'environment');\nsp.vars.set('token', 'new-secret', 'environment');\nsp.close(1000, 'done');".into(),
            ),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let scripts = start(&app, &request, &ScriptPlan::default())
        .await
        .unwrap()
        .unwrap();
    let handle = SessionHandle::spawn(ConnectConfig::new(url));
    let (_, script) = drain(ScriptedSession::new(
        ScriptedStream::Ws(handle),
        scripts,
        app.clone(),
    ))
    .await;
    let saved: Vec<&String> = script
        .iter()
        .filter_map(|e| match e {
            ScriptEvent::Saved { text, saved: true } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(
        saved,
        vec!["Saved sid, token to environment 'dev'"],
        "{script:?}"
    );
    // Scope run: the next connect renders with it (and its scripts read it).
    let vars = app.request_vars(None).unwrap().values();
    assert_eq!(vars.get("seen").map(String::as_str), Some("yes"));
    // Scope environment: in the stored environment; the secret stays a secret, its value in the
    // secret store, never in the variables table.
    let dev = app
        .environments()
        .unwrap()
        .into_iter()
        .find(|e| e.id == env)
        .unwrap();
    let sid = dev.variables.iter().find(|v| v.name == "sid").unwrap();
    assert_eq!(sid.value.as_deref(), Some("abc"));
    let token = dev.variables.iter().find(|v| v.name == "token").unwrap();
    assert!(token.secret && token.value.is_none(), "{token:?}");
    let fresh = App::new(app.data_dir());
    let values = fresh.request_vars(None).unwrap().values();
    assert_eq!(values.get("token").map(String::as_str), Some("new-secret"));
}

#[tokio::test]
async fn scripts_on_a_socketio_session_emit_and_test() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    let request = Request {
        name: "sio".into(),
        protocol: Protocol::Socketio,
        url: mock.http_url(),
        scripts: Scripts {
            on_message: Some(
                "const m = sp.message.json();\nif (m.type === 'event' && m.event === 'echo' && m.args[1] < 3) sp.emit('echo', 'ping', m.args[1] + 1);\nif (m.args && m.args[1] === 3) sp.close(1000, 'three');".into(),
            ),
            after: Some(
                "const seq = sp.messages.map(m => m.json()).filter(e => e.event === 'echo').map(e => e.args[1]);\ntest('three pings, in order', () => expect(seq).to.deep.equal([1, 2, 3]));".into(),
            ),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let scripts = start(&app, &request, &ScriptPlan::default())
        .await
        .unwrap()
        .unwrap();
    let cfg = socketio_config(&request, &Vars::new(), false, app.data_dir()).unwrap();
    let scripting = socketio_scripting(&cfg);
    let h = socketio::connect(cfg).await.unwrap();
    // The first emit is the user's (the window's Emit button); the script answers the rest.
    h.control()
        .intent(SioIntent::Emit {
            namespace: "/".into(),
            name: "echo".into(),
            args: vec!["ping".into(), 1.into()],
            ack: false,
            volatile: false,
        })
        .await;
    let session = ScriptedSession::new(ScriptedStream::Socketio(h, scripting), scripts, app);
    let (events, script) = drain(session).await;
    assert_eq!(
        tests_of(&script),
        vec![("three pings, in order".into(), true)],
        "{script:?} {events:?}"
    );
    assert!(
        !script
            .iter()
            .any(|e| matches!(e, ScriptEvent::Error { .. })),
        "{script:?}"
    );
}
