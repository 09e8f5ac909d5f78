//! Exporters: the websocat and curl commands run for real against the mock; the k6 script is
//! valid JavaScript (node --check); wscat lines carry every part; no export holds a secret.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sockpit_core::collection::export::{export, ExportFormat};
use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_mock::MockServer;
use sockpit_tests::collections::{sample_collection, shipped_collection};
use sockpit_tests::peers::peers_dir;
use sockpit_tests::sockpit;

fn greet() -> Collection {
    Collection {
        name: "Greet".into(),
        items: vec![Item::Request(Box::new(Request {
            name: "Greet".into(),
            protocol: Protocol::Websocket,
            url: "ws://{{host}}/echo".into(),
            subprotocols: vec![],
            messages: vec![
                SavedMessage {
                    name: "hi".into(),
                    body: "hello {{name}} \"quoted\" $HOME `x`".into(),
                    ..Default::default()
                },
                SavedMessage {
                    name: "bin".into(),
                    kind: MessageKind::Hex,
                    body: "dead".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }))],
        ..Default::default()
    }
}

/// Runs the command lines of an export (comments dropped) in bash with `vars` set.
fn run_exported(script: &str, vars: &[(&str, &str)]) -> String {
    let body: String = script
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let path = format!(
        "{}:{}",
        peers_dir().join(".venv/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("timeout");
    cmd.args(["10", "bash", "-c", &body]).env("PATH", path);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{body}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn websocat_and_curl_commands_work_against_the_mock() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = mock.addr().to_string();
    let ws = export(&greet(), ExportFormat::Websocat, None);
    assert!(ws.contains("# message 'bin' is binary"), "{ws}");
    assert!(ws.contains("# set first: host=... name=..."), "{ws}");
    let echoed = tokio::task::spawn_blocking(move || {
        run_exported(&ws, &[("host", &host), ("name", "world")])
    })
    .await
    .unwrap();
    assert_eq!(
        echoed.trim(),
        "hello world \"quoted\" $HOME `x`",
        "variables expand, the rest is literal"
    );

    let demo = sockpit_core::collection::parse_share(
        &std::fs::read_to_string(shipped_collection("demo.sockpit.json")).unwrap(),
        "demo",
    )
    .unwrap();
    let host = mock.addr().to_string();
    let headers = export(&demo, ExportFormat::Websocat, Some("Headers and query"));
    let h2 = host.clone();
    let seen = tokio::task::spawn_blocking(move || {
        run_exported(&headers, &[("host", &h2), ("greeting", "from websocat")])
    })
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(seen.lines().next().unwrap()).unwrap();
    assert_eq!(v["headers"]["x-demo"], "from websocat");
    assert_eq!(v["query"]["lang"], "en");

    let curl = export(&demo, ExportFormat::Curl, Some("Feed"));
    assert!(curl.contains("curl --no-buffer -H 'Accept: text/event-stream' \"http://${host}/sse?n=5&interval=10\""), "{curl}");
    let events = tokio::task::spawn_blocking(move || run_exported(&curl, &[("host", &host)]))
        .await
        .unwrap();
    assert_eq!(events.matches("data: ").count(), 6, "{events}");
}

#[test]
fn wscat_lines_and_the_k6_script() {
    let demo_text = std::fs::read_to_string(shipped_collection("demo.sockpit.json")).unwrap();
    let demo = sockpit_core::collection::parse_share(&demo_text, "demo").unwrap();
    let wscat = export(&demo, ExportFormat::Wscat, Some("Headers and query"));
    assert!(
        wscat.contains("wscat -c \"ws://${host}/headers?lang=en\" -H \"X-Demo: ${greeting}\""),
        "{wscat}"
    );
    let echo = export(&demo, ExportFormat::Wscat, Some("Echo"));
    assert!(echo.contains("-x \"${greeting}\""), "{echo}");
    assert!(echo.contains("$(date +%s)"), "{echo}");
    assert!(
        echo.contains("# message 'bytes' is binary: wscat cannot send it"),
        "{echo}"
    );

    let k6 = export(&demo, ExportFormat::K6, None);
    assert!(k6.contains("import ws from 'k6/ws';"), "{k6}");
    assert!(
        k6.contains("const url = `ws://${__ENV.host}/echo`;"),
        "{k6}"
    );
    assert!(
        k6.contains("socket.sendBinary(encoding.b64decode(\"3q2+7w==\"))"),
        "{k6}"
    );
    assert!(
        k6.contains("socket.setTimeout(function () { socket.send("),
        "delays: {k6}"
    );
    assert!(
        k6.contains("\"WebSocket / Echo: equals \\\"hello from sockpit\\\"\""),
        "{k6}"
    );
    assert!(
        k6.contains("// an SSE request: k6 has no SSE client; skipped"),
        "{k6}"
    );
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("demo.k6.mjs");
    std::fs::write(&script, &k6).unwrap();
    let out = Command::new("node")
        .arg("--check")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "node --check: {}\n{k6}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn no_export_writes_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.sockpit.json");
    // The file itself already has placeholders; the exporters start from the stored values.
    let c = sample_collection("Secrets");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    for f in [
        ExportFormat::K6,
        ExportFormat::Wscat,
        ExportFormat::Websocat,
        ExportFormat::Curl,
    ] {
        let text = export(&c, f, None);
        for secret in ["s3cret-value", "literal-auth-token", "literal-header-token"] {
            assert!(!text.contains(secret), "{f:?} leaked {secret}:\n{text}");
        }
    }
    for format in ["sockpit", "k6", "wscat", "websocat", "curl"] {
        let out = sockpit(
            &["export", file.to_str().unwrap(), "--format", format],
            None,
            Duration::from_secs(20),
        )
        .await;
        assert_eq!(out.status, 0, "{format}: {out:?}");
        assert!(!out.stdout.contains("s3cret"), "{format}");
    }
    let out = sockpit(
        &[
            "export",
            file.to_str().unwrap(),
            "--format",
            "wscat",
            "--request",
            "Nope",
        ],
        None,
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(Path::new(&file).exists());
}
