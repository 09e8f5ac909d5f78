//! Clean endings on SIGINT/SIGTERM: the real `sockpit` binary, signalled with `kill`, against a
//! Python `websockets` server that records the close code it received (`/record-close`), a server
//! that never answers a close, `sockpit run` (report and history written), `sockpit sse`, and
//! `sockpit stomp` and `sockpit mqtt` (DISCONNECT before the close).

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_core::store::Store;
use sockpit_tests::servers::{first_client_frame, raw_frame_server};
use sockpit_tests::{sockpit, sockpit_bin, Peer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(30);

/// A `sockpit` process in the background whose stdout lines can be awaited and that can be
/// signalled.
struct Running {
    child: tokio::process::Child,
    /// Held open to the end (`Child::wait` would close it, and `connect` closes at its end).
    _stdin: Option<tokio::process::ChildStdin>,
    lines: mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

struct Ended {
    status: i32,
    stdout: Vec<String>,
    stderr: String,
    /// From the first signal to the exit.
    took: Duration,
}

impl Running {
    fn start(args: &[&str], data_dir: Option<&Path>) -> Running {
        let mut cmd = tokio::process::Command::new(sockpit_bin());
        cmd.args(args)
            .env_remove("RUST_LOG")
            // stdin stays open: `connect` would otherwise close at its end.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(d) = data_dir {
            cmd.env("SOCKPIT_DATA_DIR", d);
        }
        let mut child = cmd.spawn().expect("sockpit starts");
        let stdout = child.stdout.take().expect("piped");
        let stdin = child.stdin.take();
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut r = BufReader::new(stdout).lines();
            while let Ok(Some(l)) = r.next_line().await {
                let _ = tx.send(l);
            }
        });
        Running {
            child,
            _stdin: stdin,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a stdout line containing `needle`.
    async fn wait_for(&mut self, needle: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.recv())
                .await
                .unwrap_or_else(|_| panic!("no {needle} within 20 s; seen: {:#?}", self.seen))
                .unwrap_or_else(|| panic!("sockpit ended before {needle}; seen: {:#?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(needle) {
                return;
            }
        }
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.id().expect("still running").to_string();
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &pid])
            .status()
            .expect("kill runs")
            .success();
        assert!(ok, "kill -{sig} {pid}");
    }

    /// Sends `sig` and waits for the exit.
    async fn stop(self, sig: &str) -> Ended {
        let sent = Instant::now();
        self.signal(sig);
        self.finish(sent).await
    }

    async fn finish(mut self, sent: Instant) -> Ended {
        let status = tokio::time::timeout(LIMIT, self.child.wait())
            .await
            .expect("sockpit exits after the signal")
            .expect("sockpit ran");
        let took = sent.elapsed();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr).await;
        }
        while let Some(l) = self.lines.recv().await {
            self.seen.push(l);
        }
        use std::os::unix::process::ExitStatusExt;
        Ended {
            // Killed by a signal: minus its number.
            status: status
                .code()
                .unwrap_or_else(|| -status.signal().unwrap_or(0)),
            stdout: self.seen,
            stderr,
            took,
        }
    }
}

/// What `/record-close` wrote: "CODE REASON" of the close frame the server received.
async fn recorded_close(file: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(s) = std::fs::read_to_string(file) {
            return s;
        }
        assert!(Instant::now() < deadline, "the server recorded no close");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn last_json(e: &Ended) -> Value {
    let line = e.stdout.last().expect("some output");
    serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"))
}

async fn connect_and_signal(sig: &str) -> (Ended, String) {
    let p = Peer::python("ws_server.py").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("close.txt");
    let url = p.ws_url(&format!("/record-close?file={}", file.display()));
    let mut run = Running::start(&["connect", &url, "--json"], None);
    run.wait_for(r#""event":"open""#).await;
    let ended = run.stop(sig).await;
    let close = recorded_close(&file).await;
    (ended, close)
}

#[tokio::test]
async fn sigint_closes_with_1000_and_exits_130() {
    let (e, close) = connect_and_signal("INT").await;
    assert_eq!(e.status, 130, "{}", e.stderr);
    assert_eq!(close, "1000 sockpit: SIGINT");
    let last = last_json(&e);
    assert_eq!(last["event"], "interrupted", "{:?}", e.stdout);
    assert_eq!(last["signal"], "SIGINT");
    assert_eq!(last["exit"], 130);
    // The server's close answer was seen before the end.
    assert!(
        e.stdout.iter().any(|l| l.contains(r#""event":"close""#)),
        "{:#?}",
        e.stdout
    );
    assert!(e.stderr.contains("interrupted by SIGINT"), "{}", e.stderr);
}

#[tokio::test]
async fn sigterm_closes_with_1001_going_away_and_exits_143() {
    let (e, close) = connect_and_signal("TERM").await;
    assert_eq!(e.status, 143, "{}", e.stderr);
    assert_eq!(close, "1001 sockpit: SIGTERM");
    let last = last_json(&e);
    assert_eq!(last["event"], "interrupted");
    assert_eq!(last["signal"], "SIGTERM");
    assert_eq!(last["exit"], 143);
}

#[tokio::test]
async fn a_server_that_never_answers_the_close_costs_a_bounded_wait() {
    let (port, sent) = raw_frame_server(Vec::new()).await;
    let url = format!("ws://127.0.0.1:{port}/");
    let mut run = Running::start(&["connect", &url, "--json"], None);
    run.wait_for(r#""event":"open""#).await;
    let e = run.stop("INT").await;
    assert_eq!(e.status, 130, "{}", e.stderr);
    // It waited for an answer, but not for long (the grace is 1.5 s; the engine's own is 3 s).
    assert!(e.took >= Duration::from_millis(1000), "{:?}", e.took);
    assert!(e.took < Duration::from_millis(2900), "{:?}", e.took);
    let bytes = sent.await.unwrap();
    let (opcode, payload) = first_client_frame(&bytes).expect("a frame");
    assert_eq!(opcode, 8, "a close frame");
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 1000);
}

#[tokio::test]
async fn a_second_sigint_exits_at_once() {
    let (port, _sent) = raw_frame_server(Vec::new()).await;
    let url = format!("ws://127.0.0.1:{port}/");
    let mut run = Running::start(&["connect", &url, "--json"], None);
    run.wait_for(r#""event":"open""#).await;
    let first = Instant::now();
    run.signal("INT");
    tokio::time::sleep(Duration::from_millis(150)).await;
    run.signal("INT");
    let e = run.finish(first).await;
    assert_eq!(e.status, 130, "{}", e.stderr);
    // Well before the 1.5 s the first signal's wait would take against this silent server.
    assert!(e.took < Duration::from_millis(900), "{:?}", e.took);
    assert!(e.stderr.contains("again"), "{}", e.stderr);
}

#[tokio::test]
async fn sse_drops_the_stream_and_exits_143_on_sigterm() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let url = format!("{}/sse?n=0&interval=50", mock.http_url());
    let mut run = Running::start(&["sse", &url, "--json"], None);
    run.wait_for(r#""event":"open""#).await;
    let e = run.stop("TERM").await;
    assert_eq!(e.status, 143, "{}", e.stderr);
    assert!(e.took < Duration::from_millis(1600), "{:?}", e.took);
    let last = last_json(&e);
    assert_eq!(last["event"], "interrupted");
    assert_eq!(last["signal"], "SIGTERM");
}

/// A collection: a request to `/record-close` that waits for a message that never comes, then one
/// that would pass.
fn collection(record: &str, echo: &str) -> Collection {
    Collection {
        name: "Interrupted".into(),
        items: vec![
            Item::Request(Box::new(Request {
                name: "waits".into(),
                protocol: Protocol::Websocket,
                url: record.into(),
                settings: Settings {
                    timeout_ms: Some(20_000),
                    ..Default::default()
                },
                messages: vec![SavedMessage {
                    name: "hello".into(),
                    body: "hello".into(),
                    ..Default::default()
                }],
                assertions: vec![Assertion::Equals {
                    value: "never sent".into(),
                    event: None,
                }],
                ..Default::default()
            })),
            Item::Request(Box::new(Request {
                name: "second-request".into(),
                protocol: Protocol::Websocket,
                url: echo.into(),
                ..Default::default()
            })),
        ],
        ..Default::default()
    }
}

#[tokio::test]
async fn run_interrupted_writes_its_report_and_history() {
    let p = Peer::python("ws_server.py").await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let close_file = dir.path().join("close.txt");
    let c = collection(
        &p.ws_url(&format!("/record-close?file={}", close_file.display())),
        &p.ws_url("/"),
    );
    let file = dir.path().join("Interrupted.sockpit.json");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    let data_s = data.to_str().unwrap();
    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data_s],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");

    let report = dir.path().join("report.xml");
    let run = Running::start(
        &[
            "run",
            "Interrupted",
            "--data-dir",
            data_s,
            "--reporter",
            "junit",
            "--output",
            report.to_str().unwrap(),
        ],
        None,
    );
    // The first request has sent "hello" and got it back: it is waiting now.
    let start = Instant::now();
    while !has_echo(&data) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no echo in history"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let e = run.stop("INT").await;
    assert_eq!(e.status, 130, "{}\n{:?}", e.stderr, e.stdout);
    assert_eq!(
        recorded_close(&close_file).await,
        "1000 sockpit run: SIGINT"
    );
    let text = e.stdout.join("\n");
    assert!(text.contains("FAIL waits"), "{text}");
    assert!(text.contains("interrupted by SIGINT"), "{text}");
    assert!(
        !text.contains("second-request"),
        "the later request did not run: {text}"
    );

    let xml = std::fs::read_to_string(&report).unwrap();
    assert!(xml.contains(r#"<error type="run.interrupted""#), "{xml}");
    assert!(xml.contains(r#"name="waits""#), "{xml}");
    assert!(!xml.contains(r#"name="second-request""#), "{xml}");

    // History holds the interrupted connection to its end: our close and the server's answer.
    let store = Store::open_in(&data).unwrap();
    let history = store.history(10).unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert!(history[0].ended_at.is_some(), "{history:?}");
    let events = store.history_events(history[0].id, 0, 100).unwrap();
    let closes: Vec<_> = events
        .iter()
        .filter(|ev| ev.kind == "close")
        .map(|ev| (ev.dir.clone(), ev.code))
        .collect();
    assert!(
        closes.contains(&("out".to_string(), Some(1000))),
        "{events:?}"
    );
    assert!(closes.iter().any(|(d, _)| d == "in"), "{events:?}");
}

/// Whether the store's history already holds an incoming text message.
fn has_echo(data: &Path) -> bool {
    let Ok(store) = Store::open_in(data) else {
        return false;
    };
    let Ok(history) = store.history(10) else {
        return false;
    };
    history.iter().any(|h| {
        store
            .history_events(h.id, 0, 100)
            .map(|evs| evs.iter().any(|e| e.kind == "text" && e.dir == "in"))
            .unwrap_or(false)
    })
}

#[tokio::test]
async fn stomp_sends_disconnect_before_closing_on_sigint() {
    let p = Peer::node_with("stomp_server.js", &[]).await;
    let url = p.ws_url("/ws");
    let mut run = Running::start(
        &[
            "stomp",
            &url,
            "--json",
            "--subscribe",
            "/topic/x",
            "--heartbeat",
            "0,0",
            "--receipt-timeout",
            "1",
        ],
        None,
    );
    run.wait_for("stomp_connected").await;
    let e = run.stop("INT").await;
    assert_eq!(e.status, 130, "{}\n{:#?}", e.stderr, e.stdout);
    let frames: Vec<Value> = e
        .stdout
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event"] == "stomp")
        .collect();
    assert!(
        frames
            .iter()
            .any(|f| f["dir"] == "out" && f["command"] == "DISCONNECT"),
        "{:#?}",
        e.stdout
    );
    assert_eq!(last_json(&e)["event"], "interrupted");
    let close = json_lines(&e)
        .into_iter()
        .find(|v| v["event"] == "close" && v["dir"] == "out")
        .unwrap_or_else(|| panic!("no close: {:#?}", e.stdout));
    assert_eq!(close["code"], 1000, "{close}");
}

/// The `--json` lines of `e` as JSON (the others skipped).
fn json_lines(e: &Ended) -> Vec<Value> {
    e.stdout
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

#[tokio::test]
async fn mqtt_sends_disconnect_then_closes_with_1001_on_sigterm() {
    let p = Peer::node("mqtt_aedes.js").await;
    let url = p.ws_url("/");
    let mut run = Running::start(&["mqtt", &url, "--json", "--subscribe", "a/#"], None);
    run.wait_for("suback").await;
    let e = run.stop("TERM").await;
    assert_eq!(e.status, 143, "{}\n{:#?}", e.stderr, e.stdout);
    let lines = json_lines(&e);
    let disconnect = lines
        .iter()
        .find(|v| v["event"] == "mqtt" && v["dir"] == "out" && v["type"] == "disconnect")
        .unwrap_or_else(|| panic!("no DISCONNECT: {:#?}", e.stdout));
    let close = lines
        .iter()
        .find(|v| v["event"] == "close" && v["dir"] == "out")
        .unwrap_or_else(|| panic!("no close: {:#?}", e.stdout));
    assert_eq!(close["code"], 1001, "{close}");
    // The layer's own close right after its DISCONNECT carries the signal's code (not the fallback
    // close frame, which would come 700 ms later).
    let gap = close["t_ms"].as_f64().unwrap() - disconnect["t_ms"].as_f64().unwrap();
    assert!((0.0..500.0).contains(&gap), "{gap} ms: {:#?}", e.stdout);
    assert_eq!(lines.last().unwrap()["event"], "interrupted");
}
