//! The CLI's log (`-v`, `RUST_LOG`) goes to stderr and never carries a secret: `sockpit run` with
//! a secret token (as a bearer header, in a WebSocket URL's query and on an SSE request) at the
//! most verbose levels logs the sessions, and the token appears nowhere in what it printed; stdout
//! stays pure JSON. Without `-v` or `RUST_LOG` there is no log at all.

use std::time::Duration;

use sockpit_core::collection::auth::Auth;
use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_mock::MockServer;
use sockpit_tests::collections::sockpit_with_env;

/// The mock's token, given to the run only as the secret variable `token`.
const TOKEN: &str = sockpit_mock::auth::DEMO_TOKEN;
const LIMIT: Duration = Duration::from_secs(60);

fn collection(ws: &str, http: &str) -> String {
    let welcomed = |via: &str, event: Option<&str>| Assertion::Contains {
        value: format!("\"via\":\"{via}\""),
        event: event.map(str::to_string),
    };
    let request = |name: &str, protocol: Protocol, url: String, auth: Auth, check: Assertion| {
        Item::Request(Box::new(Request {
            name: name.into(),
            protocol,
            url,
            auth,
            assertions: vec![check],
            ..Default::default()
        }))
    };
    let bearer = || Auth::Bearer {
        token: "{{token}}".into(),
    };
    let c = Collection {
        name: "Log secrets".into(),
        variables: vec![Variable {
            name: "token".into(),
            value: None,
            secret: true,
            placeholder: None,
        }],
        items: vec![
            request(
                "ws bearer",
                Protocol::Websocket,
                format!("{ws}/auth/header"),
                bearer(),
                welcomed("bearer", None),
            ),
            request(
                "ws query",
                Protocol::Websocket,
                format!("{ws}/auth/query?token={{{{token}}}}"),
                Auth::None,
                welcomed("query", None),
            ),
            request(
                "sse bearer",
                Protocol::Sse,
                format!("{http}/auth/sse/bearer"),
                bearer(),
                welcomed("bearer", Some("auth")),
            ),
        ],
        ..Default::default()
    };
    to_share_json(&c)
}

/// Runs the collection with `args` before `run` and `env` added; checks every request passed and
/// stdout is the JSON report, and returns stderr.
async fn run_logged(global: &[&str], env: &[(&str, &str)]) -> String {
    let mock = MockServer::start("127.0.0.1", 0)
        .await
        .expect("the mock starts");
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = dir.path().join("data");
    let file = dir.path().join("log.sockpit.json");
    std::fs::write(&file, collection(&mock.ws_url(), &mock.http_url()))
        .expect("collection written");
    let mut args = global.to_vec();
    args.extend([
        "run",
        file.to_str().expect("a UTF-8 temp path"),
        "--reporter",
        "json",
    ]);
    let data_s = data.to_str().expect("a UTF-8 temp path");
    let mut all_env = vec![
        ("SOCKPIT_DATA_DIR", data_s),
        ("SOCKPIT_SECRET_BACKEND", "database"),
        ("SOCKPIT_VAR_TOKEN", TOKEN),
    ];
    all_env.extend_from_slice(env);
    let out = sockpit_with_env(&args, &all_env, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not the JSON report ({e}): {out:?}"));
    let results = report["requests"].as_array().expect("a requests array");
    assert_eq!(results.len(), 3, "{report}");
    for r in results {
        assert_eq!(r["passed"], true, "{r}");
    }
    assert!(!out.stdout.contains(TOKEN), "{}", out.stdout);
    out.stderr
}

fn assert_logged_without_secret(stderr: &str) {
    for event in [
        "ws: connecting",
        "ws: open",
        "ws: connection ended",
        "sse: open",
    ] {
        assert!(stderr.contains(event), "no '{event}' in the log:\n{stderr}");
    }
    assert!(
        stderr.contains("/auth/query?token=***"),
        "the query value is hidden:\n{stderr}"
    );
    assert!(
        !stderr.contains(TOKEN),
        "the secret reached the log:\n{stderr}"
    );
}

#[tokio::test]
async fn the_most_verbose_log_never_shows_a_secret() {
    let stderr = run_logged(&["-vvv"], &[]).await;
    assert!(
        stderr.contains("TRACE") || stderr.contains("DEBUG"),
        "{stderr}"
    );
    assert_logged_without_secret(&stderr);
}

#[tokio::test]
async fn rust_log_trace_for_every_crate_never_shows_a_secret() {
    let stderr = run_logged(&[], &[("RUST_LOG", "trace")]).await;
    assert_logged_without_secret(&stderr);
}

#[tokio::test]
async fn without_verbose_or_rust_log_there_is_no_log() {
    let stderr = run_logged(&[], &[]).await;
    assert!(
        !stderr.contains("ws: open") && !stderr.contains(" INFO ") && !stderr.contains(" WARN "),
        "{stderr}"
    );
}

#[tokio::test]
async fn connect_json_stays_pure_with_logs_on_stderr() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let out = sockpit_with_env(
        &[
            "-vv", "connect", &url, "--send", "hi", "--count", "1", "--json",
        ],
        &[],
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    // Every stdout line is a JSON event (`events` panics otherwise).
    assert!(!out.events_of("open").is_empty(), "{out:?}");
    assert!(out.stderr.contains("ws: open"), "{}", out.stderr);
}
