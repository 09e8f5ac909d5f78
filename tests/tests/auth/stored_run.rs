//! `sockpit run` with auth stored in the collection, against the mock: first-message auth and
//! tickets (pointer, header and regex extraction; into the query, a header and the first message)
//! on WebSocket requests, the HTTP-only patterns on SSE requests, a wrong token shown as the
//! server's close, and a placeholder standing in for an unexported secret refused.

use sockpit_core::collection::auth::{Auth, TicketExtract};
use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_mock::MockServer;
use sockpit_tests::headless::sockpit_headless;

const TOKEN: &str = "demo-token";

fn request(name: &str, url: &str, auth: Auth) -> Item {
    Item::Request(Box::new(Request {
        name: name.into(),
        protocol: Protocol::Websocket,
        url: url.into(),
        auth,
        ..Default::default()
    }))
}

/// A collection file using the mock's auth routes; the token is the secret variable `token`.
fn mock_collection(ws: &str, http: &str) -> String {
    let hello = r#"[{ "name": "hello", "body": "hello" }]"#;
    let echoed = r#"[{ "type": "equals", "value": "hello" }]"#;
    let welcomed = r#"[{ "type": "contains", "value": "\"authenticated\":true" }]"#;
    let bearer = r#"[{ "name": "Authorization", "value": "Bearer {{token}}" }]"#;
    format!(
        r#"{{
  "sockpit": 1,
  "name": "Stored auth",
  "variables": [
    {{ "name": "ws", "value": "{ws}" }},
    {{ "name": "http", "value": "{http}" }},
    {{ "name": "token", "secret": true }}
  ],
  "items": [
    {{ "type": "request", "name": "first message", "protocol": "websocket",
      "url": "{{{{ws}}}}/auth/first-message",
      "auth": {{ "type": "first_message", "message": "{{\"type\":\"auth\",\"token\":\"{{{{token}}}}\"}}",
                "ack": "/type=auth_ok", "timeout_ms": 3000 }},
      "messages": {hello}, "assertions": {echoed} }},
    {{ "type": "request", "name": "ticket in query", "protocol": "websocket",
      "url": "{{{{ws}}}}/auth/ticket",
      "auth": {{ "type": "ticket", "url": "{{{{http}}}}/api/ws-ticket", "headers": {bearer} }},
      "assertions": {welcomed} }},
    {{ "type": "request", "name": "ticket header to header", "protocol": "websocket",
      "url": "{{{{ws}}}}/auth/ticket",
      "auth": {{ "type": "ticket", "url": "{{{{http}}}}/api/ws-ticket", "headers": {bearer},
                "extract": {{ "header": "x-ticket" }}, "into": "header:X-Ticket" }},
      "assertions": {welcomed} }},
    {{ "type": "request", "name": "ticket by regex", "protocol": "websocket",
      "url": "{{{{ws}}}}/auth/ticket",
      "auth": {{ "type": "ticket", "method": "GET", "url": "{{{{http}}}}/api/ws-ticket?shape=text",
                "headers": {bearer}, "extract": {{ "regex": "ticket (\\S+)" }} }},
      "assertions": {welcomed} }},
    {{ "type": "request", "name": "ticket into first message", "protocol": "websocket",
      "url": "{{{{ws}}}}/auth/first-message",
      "auth": {{ "type": "ticket", "url": "{{{{http}}}}/api/ws-ticket", "headers": {bearer},
                "into": "message",
                "first_message": {{ "message": "{{\"type\":\"auth\",\"ticket\":\"{{{{ticket}}}}\"}}",
                                   "ack": "/type=auth_ok" }} }},
      "messages": {hello}, "assertions": {echoed} }}
  ]
}}
"#
    )
}

#[tokio::test]
async fn sockpit_run_authenticates_with_stored_first_message_and_ticket_auth() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("stored.sockpit.json");
    std::fs::write(&file, mock_collection(&mock.ws_url(), &mock.http_url())).unwrap();
    let file = file.to_str().unwrap();

    // Before the secret has a value: a clear error naming it and the command that sets it.
    let out = sockpit_headless(&["run", file], None, &data, &[]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("secret variable 'token'")
            && line.contains("sockpit secret set token --collection 'Stored auth'")
            && line.contains("$SOCKPIT_VAR_TOKEN"),
        "{line}"
    );

    let set = sockpit_headless(
        &["secret", "set", "token", "--collection", "Stored auth"],
        Some(format!("{TOKEN}\n").as_bytes()),
        &data,
        &[],
    )
    .await;
    assert_eq!(set.status, 0, "{set:?}");

    let out = sockpit_headless(&["run", file, "--reporter", "json"], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let results = report["requests"].as_array().unwrap();
    assert_eq!(results.len(), 5, "{report}");
    for r in results {
        assert_eq!(r["passed"], true, "{r}");
    }
    assert!(
        !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
        "{out:?}"
    );
    // The fallback warning, once.
    assert_eq!(
        out.stderr.matches("no OS credential store").count(),
        1,
        "{}",
        out.stderr
    );

    // A wrong token: the first-message request fails with the server's close, and the wrong
    // token is not shown anywhere.
    let wrong = "wrong-token-4711";
    let set = sockpit_headless(
        &[
            "secret",
            "set",
            "token",
            "--collection",
            "Stored auth",
            "--value",
            wrong,
        ],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(set.status, 0, "{set:?}");
    let out = sockpit_headless(&["run", file, "--reporter", "json"], None, &data, &[]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let first = &report["requests"][0];
    assert_eq!(first["passed"], false, "{first}");
    let error = first["error"]["message"].as_str().unwrap_or_default();
    assert!(
        error.contains("4001") && error.contains("Invalid credentials"),
        "{first}"
    );
    assert!(
        !out.stdout.contains(wrong) && !out.stderr.contains(wrong),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_placeholder_in_stored_auth_is_refused_by_sockpit_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let c = Collection {
        name: "Shared".into(),
        items: vec![request(
            "ticket",
            "ws://127.0.0.1:9/x",
            Auth::Oauth2ClientCredentials {
                token_url: "http://127.0.0.1:9/oauth/token".into(),
                client_id: "id".into(),
                client_secret: "literal-client-secret".into(),
                scope: None,
            },
        )],
        ..Default::default()
    };
    let file = dir.path().join("shared.sockpit.json");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    let out = sockpit_headless(&["run", file.to_str().unwrap()], None, &data, &[]).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.stdout.contains("run.secret_placeholder")
            || out.stderr.contains("secret that was not exported"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("literal-client-secret"));
}

#[tokio::test]
async fn stored_auth_works_on_sse_requests_where_http_allows_it() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let http = mock.http_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sse = |name: &str, path: &str, auth: Auth, via: &str| {
        Item::Request(Box::new(Request {
            name: name.into(),
            protocol: Protocol::Sse,
            url: format!("{http}{path}"),
            auth,
            assertions: vec![Assertion::Contains {
                value: format!("\"via\":\"{via}\""),
                event: Some("auth".into()),
            }],
            ..Default::default()
        }))
    };
    let c = Collection {
        name: "SSE auth".into(),
        variables: ["token", "client_secret"]
            .into_iter()
            .map(|n| Variable {
                name: n.into(),
                value: None,
                secret: true,
                placeholder: None,
            })
            .collect(),
        items: vec![
            sse(
                "query",
                "/auth/sse/query",
                Auth::QueryToken {
                    name: "token".into(),
                    token: "{{token}}".into(),
                },
                "query",
            ),
            sse(
                "ticket",
                "/auth/sse/ticket",
                Auth::Ticket {
                    method: "POST".into(),
                    url: format!("{http}/api/ws-ticket"),
                    headers: vec![KeyValue::new("Authorization", "Bearer {{token}}")],
                    body: None,
                    body_secret: false,
                    extract: TicketExtract::default(),
                    into: "header:X-Ticket".into(),
                    first_message: None,
                },
                "ticket",
            ),
            sse(
                "oauth2",
                "/auth/sse/bearer?probe={{token}}",
                Auth::Oauth2ClientCredentials {
                    token_url: format!("{http}/oauth/token"),
                    client_id: "demo-client".into(),
                    client_secret: "{{client_secret}}".into(),
                    scope: None,
                },
                "oauth2",
            ),
        ],
        ..Default::default()
    };
    let file = dir.path().join("sse.sockpit.json");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    let file = file.to_str().unwrap();
    let env = [
        ("SOCKPIT_VAR_TOKEN", TOKEN),
        ("SOCKPIT_VAR_CLIENT_SECRET", "demo-secret"),
    ];
    // With a store, runs go to history: the secret in the URL must not.
    drop(sockpit_core::store::Store::open_in(&data).unwrap());
    let out = sockpit_headless(&["run", file, "--reporter", "json"], None, &data, &env).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(!out.stdout.contains(TOKEN) && !out.stdout.contains("demo-secret"));
    let conn = rusqlite::Connection::open(data.join("sockpit.db")).unwrap();
    let urls: Vec<String> = conn
        .prepare("SELECT url FROM history_connections")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    assert!(urls.iter().any(|u| u.contains("probe=***")), "{urls:?}");
    let leaked: i64 = conn
        .query_row(
            "SELECT count(*) FROM history_events WHERE CAST(meta AS TEXT) LIKE '%demo-token%'
                 OR CAST(data AS TEXT) LIKE '%demo-token%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0);

    // A pattern that needs a WebSocket is a clear error on an SSE request.
    let mut bad = c.clone();
    bad.items = vec![sse(
        "subprotocol",
        "/auth/sse/bearer",
        Auth::SubprotocolToken {
            token: "{{token}}".into(),
        },
        "x",
    )];
    std::fs::write(dir.path().join("bad.sockpit.json"), to_share_json(&bad)).unwrap();
    let bad_file = dir.path().join("bad.sockpit.json");
    let out = sockpit_headless(
        &["run", bad_file.to_str().unwrap(), "--reporter", "json"],
        None,
        &data,
        &env,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(out.stdout.contains("needs a WebSocket"), "{}", out.stdout);
    assert!(!out.stdout.contains(TOKEN));
}
