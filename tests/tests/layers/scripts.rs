//! `--script FILE.js` on `sockpit socketio`, `graphql`, `stomp` and `mqtt`, against the peers the
//! other layer tests use: the hooks see the decoded protocol events (`sp.message.json()`), answer
//! with `sp.emit` / `sp.publish` / `sp.send(destination, body)` / `sp.close`, and their `test()`
//! results and errors decide the exit status; a syntax error stops the run before it connects.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use sockpit_tests::{sockpit, sockpit_bin, CliOutput, Peer};
use tokio::io::{AsyncBufReadExt, BufReader};

const LIMIT: Duration = Duration::from_secs(30);

/// Runs `sockpit ARGS --json --script F` with `script` in F.
async fn scripted(args: &[&str], script: &str) -> CliOutput {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("hooks.js");
    std::fs::write(&file, script).expect("the script written");
    let mut all = args.to_vec();
    all.extend_from_slice(&["--json", "--script", file.to_str().unwrap_or_default()]);
    sockpit(&all, None, LIMIT).await
}

/// The `test` lines as (name, passed).
fn tests_of(out: &CliOutput) -> Vec<(String, bool)> {
    out.events_of("test")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or_default().to_string(),
                t["passed"] == true,
            )
        })
        .collect()
}

fn tally(out: &CliOutput) -> Value {
    out.events_of("tests").pop().unwrap_or_default()
}

const SIO_PING: &str = "\
function onMessage(sp) {
  const m = sp.message.json();
  if (m.type === 'event' && m.event === 'echo' && m.args[0] === 'ping' && m.args[1] < 3) {
    sp.emit('echo', 'ping', m.args[1] + 1);
  }
}
function after(sp) {
  const seq = sp.messages.map(m => m.json()).filter(e => e.event === 'echo').map(e => e.args[1]);
  test('three pings, in order', () => expect(seq).to.deep.equal([1, 2, 3]));
}
";

#[tokio::test]
async fn socketio_script_answers_each_ping_event_with_an_emit() {
    let peer = Peer::node("socketio_server.js").await;
    let url = peer.http_url("/");
    let args = [
        "socketio",
        url.as_str(),
        "--emit",
        "echo",
        r#"["ping", 1]"#,
        "-n",
        "3",
    ];
    let out = scripted(&args, SIO_PING).await;
    assert_eq!(out.status, 0, "{out:?}");
    let sio = out.events_of("sio");
    let outgoing: Vec<&Value> = sio.iter().filter(|e| e["dir"] == "out").collect();
    let incoming: Vec<&Value> = sio.iter().filter(|e| e["dir"] == "in").collect();
    assert_eq!(
        outgoing.len(),
        3,
        "one --emit and two from the script: {out:?}"
    );
    assert_eq!(outgoing[2]["args"], json!(["ping", 3]));
    assert_eq!(incoming.len(), 3, "{out:?}");
    assert_eq!(
        tests_of(&out),
        [("three pings, in order".to_string(), true)]
    );
    assert_eq!(tally(&out)["failed"], 0);

    // A hook that throws fails the run (exit 1), with the error as a line.
    let throws = "function onMessage(sp) { throw new Error('nope'); }\n";
    let args = [
        "socketio",
        url.as_str(),
        "--emit",
        "echo",
        r#"["x"]"#,
        "-n",
        "1",
    ];
    let out = scripted(&args, throws).await;
    assert_eq!(out.status, 1, "{out:?}");
    let codes: Vec<Value> = out
        .events_of("error")
        .iter()
        .map(|e| e["code"].clone())
        .collect();
    assert!(codes.contains(&json!("script.exception")), "{out:?}");
    assert!(
        out.stderr.contains("the script threw 1 uncaught error(s)"),
        "{out:?}"
    );
}

const MQTT_REPUBLISH: &str = "\
function onMessage(sp) {
  const m = sp.message.json();
  if (m.type === 'publish' && m.topic.startsWith('in/')) sp.publish('out/' + m.topic.slice(3), m.payload.toUpperCase());
}
function after(sp) {
  const got = sp.messages.map(m => m.json()).filter(p => p.type === 'publish').map(p => p.topic + ' ' + p.payload);
  test('republished', () => expect(got).to.deep.equal(['in/a hello', 'out/a HELLO']));
}
";

#[tokio::test]
async fn mqtt_script_republishes_what_it_receives() {
    let peer = Peer::node("mqtt_aedes.js").await;
    let url = peer.ws_url("/");
    let args = [
        "mqtt",
        &url,
        "--subscribe",
        "in/+",
        "--subscribe",
        "out/#",
        "--publish",
        "in/a",
        "hello",
        "--qos",
        "1",
        "-n",
        "2",
        "--timeout",
        "20",
    ];
    let out = scripted(&args, MQTT_REPUBLISH).await;
    assert_eq!(out.status, 0, "{out:?}");
    let published: Vec<(Value, Value)> = out
        .events_of("mqtt")
        .iter()
        .filter(|e| e["dir"] == "out" && e["type"] == "publish")
        .map(|e| (e["topic"].clone(), e["payload"].clone()))
        .collect();
    assert_eq!(
        published,
        [
            (json!("in/a"), json!("hello")),
            (json!("out/a"), json!("HELLO"))
        ],
        "{out:?}"
    );
    assert_eq!(tests_of(&out), [("republished".to_string(), true)]);
}

const GQL_COUNTS: &str = "\
const counts = [];
function onMessage(sp) {
  const m = sp.message.json();
  if (m.type === 'next') counts.push(m.payload.data.count);
}
function after(sp) {
  test('counts', () => expect(counts).to.deep.equal(EXPECTED));
  test('completed', () => expect(sp.messages.map(m => m.json().type)).to.include('complete'));
}
";

#[tokio::test]
async fn graphql_script_asserts_on_next_payloads_and_a_failed_test_exits_1() {
    let peer = Peer::node_with("graphql_server.js", &["transport"]).await;
    let url = peer.ws_url("/graphql");
    let args = [
        "graphql",
        url.as_str(),
        "--query",
        "subscription { count(to: 3, delayMs: 10) }",
    ];
    let out = scripted(&args, &GQL_COUNTS.replace("EXPECTED", "[1, 2, 3]")).await;
    assert_eq!(out.status, 0, "{out:?}");
    let passed = [
        ("counts".to_string(), true),
        ("completed".to_string(), true),
    ];
    assert_eq!(tests_of(&out), passed, "{out:?}");

    let out = scripted(&args, &GQL_COUNTS.replace("EXPECTED", "[1, 2]")).await;
    assert_eq!(out.status, 1, "{out:?}");
    let failed = out.events_of("test");
    assert_eq!(failed[0]["passed"], false, "{out:?}");
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expected [ 1, 2, 3 ]"),
        "chai's words: {out:?}"
    );
    assert_eq!(tally(&out)["failed"], 1);
    assert!(
        out.stderr.contains("1 of 2 script test(s) failed"),
        "{out:?}"
    );

    // sp.close mid-subscription ends the run as asked: terminate, then a clean close.
    let close = "function onMessage(sp) { if (sp.message.json().type === 'next') sp.close(); }\n";
    let endless = "subscription { count(to: 1000, delayMs: 20) }";
    let out = scripted(&["graphql", url.as_str(), "--query", endless], close).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.events_of("gql_next").len() < 1000, "{out:?}");
    let closes = out.events_of("close");
    assert_eq!(
        closes.last().map(|c| c["code"].clone()),
        Some(json!(1000)),
        "{out:?}"
    );
}

const STOMP_FORWARD: &str = "\
function onMessage(sp) {
  const f = sp.message.json();
  if (f.command === 'MESSAGE' && f.destination === '/topic/in') {
    sp.send('/topic/out', {echo: f.body});
    sp.close();
  }
}
function after(sp) {
  const got = sp.messages.map(m => m.json()).filter(f => f.command === 'MESSAGE');
  test('one message on /topic/in', () => expect(got.map(f => f.destination + ' ' + f.body)).to.deep.equal(['/topic/in hi']));
}
";

/// stomp-broker-js delivers nothing to the session that sent it, so the script forwards between
/// two other runs: `--send /topic/in hi` from one, and the forward to /topic/out seen by it.
#[tokio::test]
async fn stomp_script_sends_to_a_destination_and_closes_with_disconnect() {
    let peer = Peer::node("stomp_server.js").await;
    let url = peer.ws_url("/ws");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("forward.js");
    std::fs::write(&file, STOMP_FORWARD).expect("the script written");
    let mut forwarder = tokio::process::Command::new(sockpit_bin())
        .args([
            "stomp",
            &url,
            "--json",
            "--subscribe",
            "/topic/in",
            "--heartbeat",
            "0,0",
        ])
        .args(["--receipt-timeout", "1", "--timeout", "20", "--script"])
        .arg(&file)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sockpit starts");
    let mut lines = BufReader::new(forwarder.stdout.take().expect("piped")).lines();
    let mut seen = Vec::new();
    while let Ok(Some(l)) = lines.next_line().await {
        let subscribed = l.contains(r#""command":"SUBSCRIBE""#);
        seen.push(l);
        if subscribed {
            break;
        }
    }
    // It sends once its own SUBSCRIBE has waited out its receipt (1 s): the forwarder's is in.
    let args = [
        "stomp",
        &url,
        "--json",
        "--subscribe",
        "/topic/out",
        "--send",
        "/topic/in",
        "hi",
        "-n",
        "1",
        "--heartbeat",
        "0,0",
        "--receipt-timeout",
        "1",
        "--timeout",
        "20",
    ];
    let other = sockpit(&args, None, LIMIT).await;
    assert_eq!(other.status, 0, "{other:?}");
    let forwarded: Vec<Value> = other
        .events_of("stomp")
        .into_iter()
        .filter(|e| e["dir"] == "in" && e["command"] == "MESSAGE")
        .map(|e| e["body"].clone())
        .collect();
    assert_eq!(forwarded, [json!(r#"{"echo":"hi"}"#)], "{other:?}");
    while let Ok(Some(l)) = lines.next_line().await {
        seen.push(l);
    }
    let status = forwarder.wait().await.expect("sockpit ends");
    let events: Vec<Value> = seen
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(status.code(), Some(0), "{seen:?}");
    let sent = |command: &str| {
        events
            .iter()
            .any(|e| e["event"] == "stomp" && e["dir"] == "out" && e["command"] == command)
    };
    // sp.send was a SEND frame, and sp.close went through the protocol's goodbye.
    assert!(sent("SEND") && sent("DISCONNECT"), "{seen:?}");
    let tests: Vec<&Value> = events.iter().filter(|e| e["event"] == "test").collect();
    assert_eq!(tests.len(), 1, "{seen:?}");
    assert_eq!(tests[0]["passed"], true, "{seen:?}");
}

#[tokio::test]
async fn a_syntax_error_stops_every_protocol_subcommand_before_it_connects() {
    // Nothing listens on port 9: reaching it would be a connection error (exit 1), not this one.
    let runs: [&[&str]; 4] = [
        &["socketio", "http://127.0.0.1:9/"],
        &["graphql", "ws://127.0.0.1:9/", "--query", "{ a }"],
        &["stomp", "ws://127.0.0.1:9/"],
        &["mqtt", "ws://127.0.0.1:9/"],
    ];
    for args in runs {
        let out = scripted(args, "function onMessage(sp) {\n  sp.emit('a'\n}\n").await;
        assert_eq!(out.status, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("hooks.js: syntax error at line 3"),
            "{args:?}: {out:?}"
        );
        let invalid = out.events_of("error");
        assert_eq!(invalid.len(), 1, "{args:?}: {out:?}");
        assert_eq!(invalid[0]["code"], "script.invalid");
        assert!(out.events_of("open").is_empty(), "{args:?}: {out:?}");
    }
}
