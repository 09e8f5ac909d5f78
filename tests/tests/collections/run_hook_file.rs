//! `sockpit run COLLECTION --script FILE.js` against the mock: the shared hook file
//! `collections/hooks/round-trips.js` passes under `connect --script` and `run --script` alike; the
//! file's hooks run before a request's own and both sets of tests are reported; a failing `expect`
//! in the file fails the run with chai's message; every protocol `run` speaks runs the file;
//! `--script-stop-on-error` closes a request at its first script error; and a bad file (syntax
//! error, no hooks, missing) stops the run before anything connects.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sockpit_mock::MockServer;
use sockpit_tests::collections::shipped_collection;
use sockpit_tests::{sockpit, CliOutput};

use super::run_support::{collection_named, LIMIT};

/// Runs `c` from a file with `--script script` and the reporter, no history, a data dir of its own.
async fn run_with_script(c: &Value, script: &Path, reporter: &str) -> CliOutput {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hooks.sockpit.json");
    std::fs::write(&file, serde_json::to_string_pretty(c).unwrap()).unwrap();
    let data = dir.path().join("data");
    sockpit(
        &[
            "run",
            file.to_str().unwrap(),
            "--script",
            script.to_str().unwrap(),
            "--reporter",
            reporter,
            "--no-history",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await
}

/// Writes `text` as `dir/name` and returns its path.
fn script_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn echo_request(name: &str, mock: &MockServer) -> Value {
    json!({
        "type": "request", "name": name, "protocol": "websocket",
        "url": format!("{}/echo", mock.ws_url()),
        "settings": {"timeout_ms": 10000}
    })
}

#[tokio::test]
async fn the_shared_hook_file_passes_under_connect_and_under_run() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let hooks = shipped_collection("hooks/round-trips.js");

    // `sockpit connect --script`: five sends, five echoes, the close, both tests pass.
    let url = format!("{}/echo", mock.ws_url());
    let out = sockpit(
        &[
            "connect",
            &url,
            "--script",
            hooks.to_str().unwrap(),
            "--json",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let tests = out.events_of("test");
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["five round trips", "no gaps in the sequence"],
        "{out:?}"
    );
    assert!(tests.iter().all(|t| t["passed"] == true), "{tests:?}");

    // `sockpit run --script` on a collection whose one request is an echo: the same two tests
    // are testcases of the JUnit file, named after the file, and pass.
    let c = collection_named("Hooks", vec![echo_request("echo", &mock)]);
    let out = run_with_script(&c, &hooks, "junit").await;
    assert_eq!(out.status, 0, "{out:?}");
    let xml = &out.stdout;
    assert!(
        xml.contains(r#"tests="3" failures="0" errors="0""#),
        "{xml}"
    );
    for name in ["five round trips", "no gaps in the sequence"] {
        let case = format!(
            r#"<testcase classname="Hooks.echo" name="round-trips.js: {name}" time="0.000"/>"#
        );
        assert!(xml.contains(&case), "{case} in {xml}");
    }
}

#[tokio::test]
async fn the_files_hooks_run_before_the_requests_own_and_both_tests_are_reported() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Both send on open; each checks, after, the order the sends left in. The file's hook is
    // slow on purpose: the request's own, were it not made to wait, would send first.
    let file = script_file(
        dir.path(),
        "order.js",
        "function onOpen(sp) {\n\
           const until = Date.now() + 300;\n\
           while (Date.now() < until) {}\n\
           sp.send({from: 'file'});\n\
         }\n\
         function after(sp) {\n\
           const outs = sp.messages.filter((m) => m.dir === 'out').map((m) => m.json().from);\n\
           test('file first', () => expect(outs).to.deep.equal(['file', 'request']));\n\
         }\n",
    );
    let mut request = echo_request("ordered", &mock);
    request["scripts"] = json!({
        "on_open": "sp.send({from: 'request'});",
        "on_message": "if (sp.messages.filter((m) => m.dir === 'in').length === 2) sp.close(1000, 'both back');",
        "after": "const ins = sp.messages.filter((m) => m.dir === 'in').map((m) => m.json().from);\ntest('echoed in send order', () => expect(ins).to.deep.equal(['file', 'request']));"
    });
    let c = collection_named("Order", vec![request]);
    let out = run_with_script(&c, &file, "json").await;
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status, 0, "{out:?}");
    let tests = report["requests"][0]["tests"].as_array().unwrap();
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    // The file's `after` runs first, and its tests carry the file's name.
    assert_eq!(
        names,
        ["order.js: file first", "echoed in send order"],
        "{report:#}"
    );
    assert!(tests.iter().all(|t| t["passed"] == true), "{report:#}");
    assert!(tests.iter().all(|t| t["hook"] == "after"), "{report:#}");

    // The text report shows both, the file's named after it.
    let out = run_with_script(&c, &file, "text").await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains("ok   test 'order.js: file first'")
            && out.stdout.contains("ok   test 'echoed in send order'"),
        "{}",
        out.stdout
    );
}

#[tokio::test]
async fn a_failing_expect_in_the_file_fails_the_run_with_chais_message_in_junit() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = script_file(
        dir.path(),
        "fail.js",
        "function onOpen(sp) { sp.send({n: 1}); }\n\
         function onMessage(sp) { sp.close(1000, 'one is enough'); }\n\
         function after(sp) {\n\
           test('n is two', () => {\n\
             expect(sp.messages.find((m) => m.dir === 'in').json().n).to.equal(2);\n\
           });\n\
         }\n",
    );
    let c = collection_named("Failing", vec![echo_request("echo", &mock)]);
    let out = run_with_script(&c, &file, "junit").await;
    assert_eq!(out.status, 1, "{out:?}");
    let xml = &out.stdout;
    assert!(
        xml.contains(r#"tests="2" failures="1" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<testcase classname="Failing.echo" name="fail.js: n is two" time="0.000">"#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure type="expect" message="AssertionError: expected 1 to equal 2">after line 5</failure>"#),
        "{xml}"
    );
    assert!(
        out.stderr.contains("1 of 1 requests failed"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_bad_hook_file_stops_the_run_before_anything_connects() {
    // A listener nothing should reach: a run that connected would leave a connection to accept.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let c = collection_named(
        "Bad",
        vec![json!({"type": "request", "name": "never", "protocol": "websocket", "url": url})],
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = script_file(
        dir.path(),
        "bad.js",
        "function onOpen(sp) {\n  sp.send('a');\n  sp.send('b';\n}\n",
    );
    let out = run_with_script(&c, &bad, "text").await;
    assert_eq!(out.status, 2, "{out:?}");
    let want = format!(
        "sockpit: error: {}: syntax error at line 3, column 14",
        bad.display()
    );
    assert!(out.stderr.contains(&want), "{want} in {}", out.stderr);
    // No request ran: no result line, no summary.
    assert_eq!(out.stdout, "", "{out:?}");

    let none = script_file(dir.path(), "none.js", "const onOpen = 1;\n");
    let out = run_with_script(&c, &none, "text").await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "the script {} defines none of beforeConnect, onOpen, onMessage, onClose or after",
            none.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "", "{out:?}");

    let missing = dir.path().join("missing.js");
    let out = run_with_script(&c, &missing, "text").await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "cannot read the script {}: No such file",
            missing.display()
        )),
        "{}",
        out.stderr
    );

    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("something connected: {other:?}"),
    }
}

#[tokio::test]
async fn the_file_runs_on_every_protocol_and_its_run_variables_reach_later_requests() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = mock.addr().to_string();
    let ws = mock.ws_url();
    let dir = tempfile::tempdir().unwrap();
    // Counts requests in a run-scope variable, emits on Socket.IO, tests that something arrived.
    let file = script_file(
        dir.path(),
        "every.js",
        "function onOpen(sp) {\n\
           sp.vars.set('opened', String(Number(sp.vars.get('opened') || 0) + 1));\n\
           if (sp.protocol === 'socketio') sp.emit('echo', {from: 'file'});\n\
         }\n\
         function after(sp) {\n\
           const ins = sp.messages.filter((m) => m.dir === 'in');\n\
           test(sp.protocol + ' is request ' + sp.vars.get('opened'), () => expect(ins.length).to.be.above(0));\n\
         }\n",
    );
    let requests = vec![
        json!({"type": "request", "name": "ws", "protocol": "websocket", "url": format!("{ws}/echo"),
            "messages": [{"name": "hi", "body": "hi"}],
            "assertions": [{"type": "contains", "value": "hi"}]}),
        json!({"type": "request", "name": "sse", "protocol": "sse", "url": format!("http://{host}/sse?n=3&interval=10"),
            "assertions": [{"type": "count", "min": 3, "within_ms": 5000}]}),
        json!({"type": "request", "name": "sio", "protocol": "socketio", "url": format!("http://{host}/"),
            "assertions": [{"type": "count", "event": "echo", "min": 1, "within_ms": 5000}]}),
        json!({"type": "request", "name": "gql", "protocol": "graphql", "url": format!("ws://{host}/graphql"),
            "messages": [{"name": "count", "body": "subscription { count(to: 3, intervalMs: 10) }"}]}),
        json!({"type": "request", "name": "stomp", "protocol": "stomp", "url": format!("{ws}/stomp"),
            "settings": {"timeout_ms": 8000, "stomp": {"subscriptions": [{"destination": "/topic/file"}]}},
            "messages": [{"name": "m", "body": "{\"k\": 1}", "destination": "/topic/file"}],
            "assertions": [{"type": "contains", "event": "/topic/file", "value": "\"k\""}]}),
        json!({"type": "request", "name": "mqtt", "protocol": "mqtt", "url": format!("{ws}/mqtt"),
            "settings": {"timeout_ms": 8000, "mqtt": {"subscriptions": [{"filter": "sockpit/file/#", "qos": 1}]}},
            "messages": [{"name": "m", "body": "x", "topic": "sockpit/file/a"}],
            "assertions": [{"type": "contains", "event": "sockpit/file/a", "value": "x"}]}),
    ];
    let c = collection_named("Every", requests);
    let out = run_with_script(&c, &file, "json").await;
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status, 0, "{out:?}");
    let names: Vec<String> = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["tests"].as_array().unwrap().clone())
        .map(|t| {
            assert_eq!(t["passed"], true, "{t}");
            t["name"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "every.js: websocket is request 1",
            "every.js: sse is request 2",
            "every.js: socketio is request 3",
            "every.js: graphql is request 4",
            "every.js: stomp is request 5",
            "every.js: mqtt is request 6",
        ],
        "{report:#}"
    );
}

#[tokio::test]
async fn script_stop_on_error_closes_the_request_at_the_first_error() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Every echo is sent again and then throws: without the flag this goes on to the timeout.
    let file = script_file(
        dir.path(),
        "throws.js",
        "function onOpen(sp) { sp.send('go'); }\n\
         function onMessage(sp) {\n\
           sp.send('again');\n\
           throw new Error('boom');\n\
         }\n",
    );
    let mut request = echo_request("echo", &mock);
    request["settings"]["timeout_ms"] = json!(1500);
    let c = collection_named("Stops", vec![request]);
    let file_arg = file.to_str().unwrap();
    let (out, report) =
        super::run_support::run_file(&c, &["--script", file_arg, "--no-history"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let goes_on = report["requests"][0]["received"].as_u64().unwrap();
    let (out, report) = super::run_support::run_file(
        &c,
        &[
            "--script",
            file_arg,
            "--script-stop-on-error",
            "--no-history",
        ],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let r = &report["requests"][0];
    let stopped = r["received"].as_u64().unwrap();
    assert!(stopped <= 3, "closed at the first error: {r:#}");
    assert!(
        goes_on > stopped,
        "{goes_on} without the flag, {stopped} with it"
    );
    let first = r["script_errors"][0].as_str().unwrap();
    assert!(
        first.starts_with("script.exception: uncaught Error: boom in on_message")
            && first.contains("throws.js, line 4"),
        "{r:#}"
    );
}
