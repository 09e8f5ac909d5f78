//! `sockpit run` with request scripts against a Python `websockets` server: ping→pong for 1000
//! messages, a session id carried from one message into the next send, a failing chai `expect`
//! in the JUnit file, and a syntax error that fails the run before anything connects.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{json, Value};
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(90);

async fn run(requests: Vec<Value>, reporter: &str) -> (CliOutput, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scripts.sockpit.json");
    let c = json!({"sockpit": 1, "name": "Scripts", "items": requests});
    std::fs::write(&file, serde_json::to_string_pretty(&c).unwrap()).unwrap();
    let out = sockpit(
        &["run", file.to_str().unwrap(), "--reporter", reporter],
        None,
        LIMIT,
    )
    .await;
    (out, dir)
}

fn pingpong(url: &str) -> Value {
    json!({
        "type": "request", "name": "ping pong", "protocol": "websocket", "url": url,
        "settings": {"timeout_ms": 60000},
        "scripts": {
            "on_message": "const m = sp.message.json();\nif (m.type === 'ping') sp.send({type: 'pong', id: m.id});\nif (m.type === 'done') sp.vars.set('pongs', String(m.pongs));",
            "after": "const pings = sp.messages.filter(m => m.dir === 'in' && m.json().type === 'ping');\ntest('1000 pings', () => expect(pings.length).to.equal(1000));\ntest('no gaps', () => pings.forEach((m, i) => expect(m.json().id).to.equal(i)));\ntest('server saw every pong', () => expect(sp.vars.get('pongs')).to.equal('1000'));\ntest('clean close', () => expect(sp.closed.code).to.equal(1000));"
        }
    })
}

#[tokio::test]
async fn an_on_message_script_answers_1000_pings_and_its_tests_pass() {
    let peer = Peer::python("ws_server.py").await;
    let (out, _dir) = run(vec![pingpong(&peer.ws_url("/pingpong?n=1000"))], "json").await;
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let r = &report["requests"][0];
    assert_eq!(r["passed"], true, "{r:#}");
    let tests = r["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 4, "{r:#}");
    assert!(tests.iter().all(|t| t["passed"] == true), "{r:#}");
    assert_eq!(tests[0]["hook"], "after");
}

#[tokio::test]
async fn a_session_id_from_the_first_message_is_used_in_the_next_send() {
    let peer = Peer::python("ws_server.py").await;
    let request = json!({
        "type": "request", "name": "session", "protocol": "websocket", "url": peer.ws_url("/session"),
        "scripts": {
            "on_message": "const m = sp.message.json();\nif (m.type === 'welcome') { sp.vars.set('session', m.session); sp.send({type: 'join', session: sp.vars.get('session')}); }\nif (m.type === 'joined') { test('joined with the id', () => expect(m.ok).to.be.true); sp.close(1000, 'bye'); }"
        }
    });
    let (out, _dir) = run(vec![request], "json").await;
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let tests = report["requests"][0]["tests"].as_array().unwrap().clone();
    assert_eq!(tests.len(), 1, "{report:#}");
    assert_eq!(tests[0]["name"], "joined with the id");
    assert_eq!(tests[0]["passed"], true);
    assert_eq!(tests[0]["hook"], "on_message");
}

#[tokio::test]
async fn a_failing_expect_fails_the_run_with_chais_message_in_junit() {
    let peer = Peer::python("ws_server.py").await;
    let request = json!({
        "type": "request", "name": "echo", "protocol": "websocket", "url": peer.ws_url("/echo"),
        "messages": [{"name": "hi", "body": "{\"n\": 1}"}],
        "assertions": [{"type": "contains", "value": "\"n\""}],
        "scripts": {
            "after": "test('n is two', () => {\n  expect(sp.messages.find(m => m.dir === 'in').json().n).to.equal(2);\n});\ntest('something came', () => expect(sp.messages.length).to.be.above(0));"
        }
    });
    let (out, _dir) = run(vec![request], "junit").await;
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    let xml = &out.stdout;
    assert!(
        xml.contains(r#"tests="3" failures="1" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="Scripts.echo" name="n is two" time="0.000">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure type="expect" message="AssertionError: expected 1 to equal 2">after line 2</failure>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="Scripts.echo" name="something came" time="0.000"/>"#),
        "{xml}"
    );
    // The request's own testcase (connection and assertion) passed.
    assert!(
        xml.contains(r#"<testcase classname="Scripts" name="echo""#),
        "{xml}"
    );
}

#[tokio::test]
async fn a_script_syntax_error_fails_the_run_before_anything_connects() {
    // Nothing listens here: a run that tried to connect would report a connection error instead.
    let request = json!({
        "type": "request", "name": "broken", "protocol": "websocket", "url": "ws://127.0.0.1:9/",
        "scripts": {"on_open": "sp.send('a');\nsp.send('b'"}
    });
    let (out, _dir) = run(vec![request], "text").await;
    // Like an undefined variable: the run fails (1) before its first request.
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("request 'broken': script: syntax error at line 2, column 12"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("refused"), "{}", out.stderr);
}

#[tokio::test]
async fn scripts_see_decoded_socketio_and_graphql_events_and_sse_events() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let host = mock.addr().to_string();
    let sio = json!({
        "type": "request", "name": "sio", "protocol": "socketio", "url": format!("http://{host}/"),
        "assertions": [{"type": "count", "event": "echo", "min": 1, "within_ms": 5000}],
        "scripts": {
            "on_open": "sp.emit('echo', {n: 7});",
            "on_message": "const e = sp.message.json();\nif (e.type === 'event' && e.event === 'echo') test('echo args', () => expect(e.args[0]).to.deep.equal({n: 7}));"
        }
    });
    let gql = json!({
        "type": "request", "name": "gql", "protocol": "graphql", "url": format!("ws://{host}/graphql"),
        "messages": [{"name": "count", "body": "subscription { count(to: 3, intervalMs: 10) }"}],
        "scripts": {
            "after": "const next = sp.messages.map(m => m.json()).filter(e => e.type === 'next');\ntest('three results of count', () => expect(next.map(e => e.payload.data.count)).to.deep.equal([1, 2, 3]));\ntest('named by the saved operation', () => expect(next[0].operation).to.equal('count'));"
        }
    });
    let sse = json!({
        "type": "request", "name": "sse", "protocol": "sse", "url": format!("http://{host}/sse?n=5&interval=10"),
        "assertions": [{"type": "count", "min": 5, "within_ms": 5000}],
        "scripts": {
            "on_message": "sp.vars.set('events', (sp.vars.get('events') || 0) + 1);",
            "after": "test('five events', () => expect(sp.vars.get('events')).to.equal(5));\ntest('typed', () => expect(sp.messages[0].decoded.event).to.be.a('string'));"
        }
    });
    let (out, _dir) = run(vec![sio, gql, sse], "json").await;
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let counts: Vec<usize> = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tests"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [1, 2, 2], "{report:#}");
}

#[tokio::test]
async fn environment_scope_variables_are_saved_to_a_stored_environment_with_secrets_kept_secret() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let file = dir.path().join("envs.sockpit.json");
    // The first run saves two variables; the next one finds them and tests them.
    let script = "if (sp.vars.get('session')) {\n  test('kept', () => expect([sp.vars.get('session'), sp.vars.get('token')]).to.deep.equal(['s-1', 'tok-secret-42']));\n} else {\n  sp.vars.set('session', 's-1', 'environment');\n  sp.vars.set('token', 'tok-secret-42', 'environment');\n}\nsp.close();";
    let c = json!({
        "sockpit": 1, "name": "Env scripts",
        "environments": [{"name": "local", "variables": [
            {"name": "host", "value": mock.addr().to_string()},
            {"name": "token", "secret": true}
        ]}],
        "items": [{
            "type": "request", "name": "save", "protocol": "websocket", "url": "ws://{{host}}/echo",
            "scripts": {"on_open": script}
        }]
    });
    std::fs::write(&file, serde_json::to_string(&c).unwrap()).unwrap();

    // A file run uses the values and says they were not kept.
    let out = sockpit(
        &[
            "run",
            file.to_str().unwrap(),
            "--env",
            "local",
            "--data-dir",
            data,
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stderr.contains("scripts set session, token with scope 'environment'; only a stored collection run with --env keeps them"),
        "{}",
        out.stderr
    );

    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = sockpit(
        &["run", "Env scripts", "--env", "local", "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("saved session, token to environment 'local'"),
        "{}",
        out.stderr
    );

    let store = sockpit_core::store::Store::open_in(std::path::Path::new(data)).unwrap();
    let env = store
        .environments()
        .unwrap()
        .into_iter()
        .find(|e| e.name == "local")
        .unwrap();
    let var = |n: &str| env.variables.iter().find(|v| v.name == n).unwrap().clone();
    assert_eq!(var("session").value.as_deref(), Some("s-1"));
    assert!(!var("session").secret);
    assert!(var("token").secret, "a secret stays secret");
    assert_eq!(
        var("token").value,
        None,
        "its value is not in the environment's row"
    );
    drop(store);

    let out = sockpit(
        &[
            "run",
            "Env scripts",
            "--env",
            "local",
            "--data-dir",
            data,
            "--reporter",
            "json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["requests"][0]["tests"][0]["name"], "kept",
        "{report:#}"
    );
    assert_eq!(
        report["requests"][0]["tests"][0]["passed"], true,
        "{report:#}"
    );
}

#[tokio::test]
async fn before_connect_sets_a_variable_the_request_is_rendered_with() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let c = json!({
        "sockpit": 1, "name": "Before connect",
        "variables": [{"name": "token", "value": "unset"}],
        "items": [{
            "type": "request", "name": "headers", "protocol": "websocket",
            "url": format!("ws://{}/headers", mock.addr()),
            "headers": [{"name": "X-Token", "value": "{{token}}"}],
            "assertions": [{"type": "contains", "value": "tok-42"}],
            "scripts": {"before_connect": "sp.vars.set('token', 'tok-' + 6 * 7);"}
        }]
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bc.sockpit.json");
    std::fs::write(&file, serde_json::to_string(&c).unwrap()).unwrap();
    let out = sockpit(
        &["run", file.to_str().unwrap(), "--reporter", "json"],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        report["requests"][0]["assertions"][0]["passed"], true,
        "{report:#}"
    );
}
