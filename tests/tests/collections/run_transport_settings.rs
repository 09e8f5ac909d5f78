//! `sockpit run` with a request's stored transport settings: `settings.ca_file` (relative to the
//! collection file) trusts a wss:// server's self-signed certificate that fails without it,
//! `settings.insecure` skips verification, `settings.proxy` goes through an HTTP CONNECT and a
//! SOCKS5 proxy (given as a `{{variable}}`), and a proxy with a wrong scheme is refused by `import`
//! and `run` naming the request and the field.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_core::store::DB_FILE;
use sockpit_mock::MockServer;
use sockpit_tests::headless::sockpit_headless;
use sockpit_tests::servers::{connect_proxy, socks5_proxy, tls_echo_server, SelfSigned};
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(30);

/// A request that sends "hello" and expects it back within 5 s.
fn echo(name: &str, url: &str, settings: Settings) -> Item {
    Item::Request(Box::new(Request {
        name: name.into(),
        protocol: Protocol::Websocket,
        url: url.into(),
        settings: Settings {
            timeout_ms: Some(5000),
            ..settings
        },
        messages: vec![SavedMessage {
            name: "hello".into(),
            body: "hello".into(),
            ..Default::default()
        }],
        assertions: vec![Assertion::Equals {
            value: "hello".into(),
            event: None,
        }],
        ..Default::default()
    }))
}

fn write(dir: &Path, c: &Collection) -> String {
    let file = dir.join(format!("{}.sockpit.json", c.name));
    std::fs::write(&file, to_share_json(c)).unwrap();
    file.to_str().unwrap().to_string()
}

/// Runs a collection holding only `item` and checks that it fails (exit 1) with `needle` in the
/// request's report.
async fn expect_failure(dir: &Path, item: Item, needle: &str) {
    let c = Collection {
        name: "Failing".into(),
        items: vec![item],
        ..Default::default()
    };
    let file = write(dir, &c);
    let (out, results) = run(dir, &file).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(!results[0].1, "{results:?}");
    assert!(results[0].2.contains(needle), "{}", results[0].2);
}

/// `sockpit run FILE --reporter json`: each request's (name, passed, error message).
async fn run(dir: &Path, file: &str) -> (CliOutput, Vec<(String, bool, String)>) {
    let out = sockpit_headless(
        &["run", file, "--reporter", "json"],
        None,
        &dir.join("data"),
        &[],
    )
    .await;
    let report: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("a JSON report ({e}): {out:?}"));
    let results = report["requests"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_string(),
                r["passed"] == true,
                r.to_string(),
            )
        })
        .collect();
    (out, results)
}

#[tokio::test]
async fn a_stored_ca_file_trusts_a_server_that_fails_without_it() {
    let cert = SelfSigned::new();
    let port = tls_echo_server(&cert).await;
    let dir = tempfile::tempdir().unwrap();
    // Relative to the collection file, as other files in the model are.
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    std::fs::copy(&cert.cert_path, dir.path().join("certs/ca.pem")).unwrap();
    let url = format!("wss://localhost:{port}/");
    let c = Collection {
        name: "Tls".into(),
        items: vec![
            echo("no CA", &url, Settings::default()),
            echo(
                "with CA",
                &url,
                Settings {
                    ca_file: Some("certs/ca.pem".into()),
                    ..Settings::default()
                },
            ),
            echo(
                "insecure",
                &url,
                Settings {
                    insecure: Some(true),
                    ..Settings::default()
                },
            ),
        ],
        ..Default::default()
    };
    let file = write(dir.path(), &c);
    let (out, results) = run(dir.path(), &file).await;
    assert_eq!(out.status, 1, "one request fails: {out:?}");
    assert_eq!(results.len(), 3, "{results:?}");
    let (name, passed, detail) = &results[0];
    assert_eq!((name.as_str(), *passed), ("no CA", false), "{detail}");
    assert!(
        detail.contains("certificate") || detail.contains("tls"),
        "a TLS failure: {detail}"
    );
    assert_eq!(
        (results[1].0.as_str(), results[1].1),
        ("with CA", true),
        "{}",
        results[1].2
    );
    assert_eq!(
        (results[2].0.as_str(), results[2].1),
        ("insecure", true),
        "{}",
        results[2].2
    );

    // A CA file that is not there is an error naming the file, not a silent fallback.
    let settings = Settings {
        ca_file: Some("certs/nope.pem".into()),
        ..Settings::default()
    };
    expect_failure(dir.path(), echo("missing CA", &url, settings), "nope.pem").await;
}

#[tokio::test]
async fn a_stored_proxy_carries_the_connection() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (http_port, http_tunnels) = connect_proxy().await;
    let (socks_port, socks_tunnels) = socks5_proxy().await;
    let url = format!("{}/echo", mock.ws_url());
    let dir = tempfile::tempdir().unwrap();
    let c = Collection {
        name: "Proxied".into(),
        variables: vec![Variable::plain(
            "socks",
            format!("socks5h://127.0.0.1:{socks_port}"),
        )],
        items: vec![
            echo(
                "via CONNECT",
                &url,
                Settings {
                    proxy: Some(format!("http://127.0.0.1:{http_port}")),
                    ..Settings::default()
                },
            ),
            echo(
                "via SOCKS5",
                &url,
                Settings {
                    proxy: Some("{{socks}}".into()),
                    ..Settings::default()
                },
            ),
        ],
        ..Default::default()
    };
    let file = write(dir.path(), &c);
    let (out, results) = run(dir.path(), &file).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(results.iter().all(|r| r.1), "{results:?}");
    assert_eq!(http_tunnels.load(Ordering::SeqCst), 1, "one CONNECT tunnel");
    assert_eq!(socks_tunnels.load(Ordering::SeqCst), 1, "one SOCKS5 tunnel");

    // A proxy where nothing listens fails the request: the setting is not ignored.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = closed.local_addr().unwrap().port();
    drop(closed);
    let settings = Settings {
        proxy: Some(format!("http://127.0.0.1:{dead}")),
        ..Settings::default()
    };
    expect_failure(dir.path(), echo("via nothing", &url, settings), "proxy").await;
}

#[tokio::test]
async fn a_proxy_with_a_wrong_scheme_is_refused_by_import_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.sockpit.json");
    std::fs::write(
        &file,
        r#"{ "sockpit": 1, "name": "Bad", "items": [
  { "type": "request", "name": "Through FTP", "protocol": "websocket", "url": "ws://127.0.0.1:1/",
    "settings": { "proxy": "ftp://x" } } ] }
"#,
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let data = dir.path().join("data");
    let out = sockpit(
        &["import", file, "--data-dir", data.to_str().unwrap()],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("request 'Through FTP'")
            && line.contains("settings.proxy")
            && line.contains("'ftp'"),
        "{line}"
    );
    assert!(!data.join(DB_FILE).exists(), "nothing was stored");

    let out = sockpit_headless(&["run", file], None, &data, &[]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("request 'Through FTP'") && line.contains("settings.proxy"),
        "{line}"
    );
    assert!(out.stdout.is_empty(), "nothing ran: {out:?}");
}
