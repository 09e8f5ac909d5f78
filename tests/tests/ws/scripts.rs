//! `sockpit connect --script FILE.js` against a Python `websockets` server and the mock: hooks
//! that answer pings, `test()` results deciding the exit status, and the limits (an endless loop,
//! a 1 GiB allocation, `require`/`fetch`, a syntax error before connecting).

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(60);

async fn connect_with(url: &str, script: &str, extra: &[&str]) -> CliOutput {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hooks.js");
    std::fs::write(&file, script).unwrap();
    let mut args = vec!["connect", url, "--script", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    sockpit(&args, None, LIMIT).await
}

const PONG: &str = "\
function onMessage(sp) {
  const m = sp.message.json();
  if (m.type === 'ping') sp.send({type: 'pong', id: m.id});
}
function after(sp) {
  const ins = sp.messages.filter(m => m.dir === 'in');
  test('1000 pings and done', () => expect(ins.length).to.equal(1001));
  test('done says 1000', () => expect(ins[ins.length - 1].json()).to.deep.equal({type: 'done', pongs: 1000}));
}
";

#[tokio::test]
async fn a_hook_file_plays_ping_pong_for_1000_messages() {
    let peer = Peer::python("ws_server.py").await;
    let out = connect_with(&peer.ws_url("/pingpong?n=1000"), PONG, &["--json"]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let tests = out.events_of("test");
    assert_eq!(tests.len(), 2, "{}", out.stdout);
    assert!(tests.iter().all(|t| t["passed"] == true), "{tests:?}");
    let sent = out
        .events_of("message")
        .into_iter()
        .filter(|m| m["dir"] == "out")
        .count();
    assert_eq!(sent, 1000);
    let summary = out.events_of("tests");
    assert_eq!(summary[0]["failed"], 0);
}

#[tokio::test]
async fn a_failing_test_sets_the_exit_status_and_names_the_line() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let script = "function onOpen(sp) { sp.send('hello'); }\nfunction onMessage(sp) {\n  test('says bye', () => expect(sp.message.data).to.equal('bye'));\n  sp.close();\n}\n";
    let out = connect_with(&format!("{}/echo", mock.ws_url()), script, &[]).await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "test FAILED: says bye: AssertionError: expected 'hello' to equal 'bye' (line 3)"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 of 1 script test(s) failed"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn an_endless_loop_is_stopped_and_the_session_goes_on() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let script = "function onOpen(sp) { sp.send('spin'); sp.send('next'); }\nfunction onMessage(sp) {\n  if (sp.message.data === 'spin') { for (;;) {} }\n  sp.log('after the loop:', sp.message.data);\n  sp.close(1000, 'done');\n}\n";
    let started = std::time::Instant::now();
    let out = connect_with(&format!("{}/echo", mock.ws_url()), script, &[]).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("script took longer than 1000 ms in on_message ("),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hooks.js"), "{}", out.stderr);
    assert!(
        out.stderr.contains("script: after the loop: next"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_1_gib_allocation_and_file_or_network_access_are_refused() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let script = "function onOpen(sp) {\n  sp.send('x');\n  require('fs');\n}\nfunction onMessage(sp) {\n  const big = new Uint8Array(1024 * 1024 * 1024);\n  sp.send(String(big.length));\n}\nfunction onClose(sp) {\n  fetch('http://127.0.0.1:9/');\n}\n";
    let out = connect_with(
        &format!("{}/echo", mock.ws_url()),
        script,
        &["--count", "1", "--json"],
    )
    .await;
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    let errors = out.events_of("error");
    let messages: Vec<&str> = errors
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    let codes: Vec<&str> = errors.iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"script.memory"), "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("require('fs') is not available") && m.contains("line 3")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("script ran out of memory in on_message")),
        "{messages:?}"
    );
    // Nothing was sent after the refused allocation.
    let sent = out
        .events_of("message")
        .into_iter()
        .filter(|m| m["dir"] == "out")
        .count();
    assert_eq!(sent, 1, "{}", out.stdout);
}

#[tokio::test]
async fn a_syntax_error_is_reported_with_line_and_column_before_connecting() {
    // Nothing listens on port 9: reaching it would be a connection error, not this one.
    let out = connect_with(
        "ws://127.0.0.1:9/",
        "function onOpen(sp) {\n  sp.send('a'\n}\n",
        &[],
    )
    .await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("hooks.js: syntax error at line 3, column 1"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("refused"), "{}", out.stderr);
}

#[tokio::test]
async fn socketio_takes_a_script_and_then_cannot_connect() {
    let out = connect_with("ws://127.0.0.1:9/", "function onOpen(sp) {}\n", &[]).await;
    assert_eq!(
        out.status, 1,
        "connect takes it (and then cannot connect): {}",
        out.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hooks.js");
    std::fs::write(&file, "function onOpen(sp) {}\n").unwrap();
    let out = sockpit(
        &[
            "socketio",
            "http://127.0.0.1:9/",
            "--script",
            file.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await;
    // The script runs on Socket.IO too (tests/tests/layers/scripts.rs): nothing listens here.
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("--script runs on"), "{}", out.stderr);
}
