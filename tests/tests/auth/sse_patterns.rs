//! `sockpit sse` through the auth prepare step, end to end against the mock's `/auth/sse/*` routes:
//! query token, cookie login, tickets (into the query or a header, fresh on every reconnect),
//! OAuth2 client credentials and bearer; secrets never reach `--json` output.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(60);
const LOGIN_BODY: &str = r#"{"username":"demo","password":"demo-pass"}"#;

async fn sse(url: &str, extra: &[&str]) -> CliOutput {
    let mut args = vec!["sse", url, "--json", "-n", "1", "--timeout", "10"];
    args.extend_from_slice(extra);
    sockpit(&args, None, LIMIT).await
}

/// The `via` of every event received.
fn vias(out: &CliOutput) -> Vec<String> {
    out.events_of("sse")
        .iter()
        .map(|e| {
            let d: serde_json::Value = serde_json::from_str(e["data"].as_str().unwrap()).unwrap();
            assert_eq!(d["authenticated"], true);
            d["via"].as_str().unwrap().to_string()
        })
        .collect()
}

#[tokio::test]
async fn every_http_auth_pattern_opens_its_sse_route() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let http = mock.http_url();
    let login = format!("{http}/login");
    let ticket = format!("{http}/api/ws-ticket");
    let token = format!("{http}/oauth/token");
    let cases: Vec<(String, Vec<&str>, &str, &str)> = vec![
        (
            format!("{http}/auth/sse/query"),
            vec!["--query-token", "token=demo-token"],
            "query",
            "demo-token",
        ),
        (
            format!("{http}/auth/sse/bearer"),
            vec!["--bearer", "demo-token"],
            "bearer",
            "demo-token",
        ),
        (
            format!("{http}/auth/sse/cookie"),
            vec!["--login-url", &login, "--login-body", LOGIN_BODY],
            "cookie",
            "demo-pass",
        ),
        (
            format!("{http}/auth/sse/ticket"),
            vec![
                "--ticket-url",
                &ticket,
                "--ticket-header",
                "Authorization: Bearer demo-token",
            ],
            "ticket",
            "tkt-",
        ),
        (
            format!("{http}/auth/sse/ticket"),
            vec![
                "--ticket-url",
                &ticket,
                "--ticket-header",
                "Authorization: Bearer demo-token",
                "--ticket-into",
                "header:X-Ticket",
                "--ticket-response-header",
                "X-Ticket",
            ],
            "ticket",
            "tkt-",
        ),
        (
            format!("{http}/auth/sse/bearer"),
            vec![
                "--oauth2-token-url",
                &token,
                "--client-id",
                "demo-client",
                "--client-secret",
                "demo-secret",
            ],
            "oauth2",
            "oat-",
        ),
    ];
    for (url, flags, via, secret) in cases {
        let out = sse(&url, &flags).await;
        assert_eq!(out.status, 0, "{flags:?}: {}", out.stderr);
        assert_eq!(vias(&out), [via], "{flags:?}");
        assert!(
            !out.stdout.contains(secret),
            "{secret} in --json: {}",
            out.stdout
        );
        // Without the auth the same route refuses with 401.
        let out = sse(&url, &[]).await;
        assert_eq!(out.status, 1, "{url}: {out:?}");
        assert_eq!(out.events_of("error")[0]["code"], "sse.http_status");
        assert!(out.one_error_line().contains("401"), "{}", out.stderr);
    }
    // The query token is in the URL: shown redacted in the connecting and open events.
    let out = sse(
        &format!("{http}/auth/sse/query"),
        &["--query-token", "token=demo-token"],
    )
    .await;
    let connecting = &out.events_of("connecting")[0];
    assert!(
        connecting["url"].as_str().unwrap().ends_with("token=***"),
        "{connecting}"
    );
    let open = &out.events_of("open")[0];
    assert!(
        open["url"].as_str().unwrap().ends_with("token=***"),
        "{open}"
    );
}

#[tokio::test]
async fn each_sse_reconnect_fetches_a_fresh_ticket() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    // Each stream ends after one event; the reconnect needs a new ticket (a reused one is a 401,
    // which ends the run with an error).
    let url = format!("{}/auth/sse/ticket?n=1", mock.http_url());
    let ticket = format!("{}/api/ws-ticket", mock.http_url());
    let out = sockpit(
        &[
            "sse",
            &url,
            "--json",
            "-n",
            "3",
            "--timeout",
            "20",
            "--reconnect",
            "--backoff-base",
            "0.05",
            "--ticket-url",
            &ticket,
            "--ticket-header",
            "Authorization: Bearer demo-token",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(vias(&out), ["ticket", "ticket", "ticket"]);
    assert_eq!(out.events_of("open").len(), 3);
    assert!(out.events_of("error").is_empty(), "{out:?}");
}

#[tokio::test]
async fn sse_auth_step_failures_name_the_step() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let http = mock.http_url();
    let url = format!("{http}/auth/sse/cookie");
    let login = format!("{http}/login");
    let out = sse(
        &url,
        &[
            "--login-url",
            &login,
            "--login-body",
            r#"{"username":"demo","password":"nope-nope"}"#,
        ],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.events_of("error")[0]["code"], "auth.login_failed");
    let line = out.one_error_line();
    assert!(
        line.contains("cookie login: POST") && line.contains("HTTP 401"),
        "{line}"
    );
    assert!(!out.stderr.contains("nope-nope") && !out.stdout.contains("nope-nope"));

    let ticket = format!("{http}/api/ws-ticket?shape=text");
    let out = sse(
        &format!("{http}/auth/sse/ticket"),
        &[
            "--ticket-url",
            &ticket,
            "--ticket-header",
            "Authorization: Bearer demo-token",
        ],
    )
    .await;
    assert_eq!(out.status, 1);
    assert_eq!(out.events_of("error")[0]["code"], "auth.ticket_not_json");
    assert!(
        out.one_error_line().contains("ticket request"),
        "{}",
        out.stderr
    );
}
