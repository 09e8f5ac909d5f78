//! `sockpit export` of a collection file: a secret field is written as it is only when it is built
//! from `{{variables}}` with nothing credential-like around them; a literal secret beside a
//! reference (`Bearer abc123 {{x}}`, `{"token":"abc123","user":"{{user}}"}`) becomes the placeholder.

use std::time::Duration;

use sockpit_core::collection::share::SECRET_PLACEHOLDER;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

/// A request whose auth block is `auth` and whose headers are `headers`.
fn request(name: &str, auth: serde_json::Value, headers: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "type": "request",
        "name": name,
        "protocol": "websocket",
        "url": "ws://127.0.0.1:1/auth",
        "headers": headers,
        "auth": auth,
    })
}

fn first_message(message: &str) -> serde_json::Value {
    serde_json::json!({ "type": "first_message", "message": message, "ack": "^ok" })
}

#[tokio::test]
async fn literal_secrets_beside_references_are_placeholdered_on_export() {
    let none = serde_json::json!([]);
    let leaks = [
        // (request, auth, headers, the literal that must not be exported)
        request(
            "json literal",
            first_message(r#"{"token":"abc123","user":"{{user}}"}"#),
            none.clone(),
        ),
        request(
            "header literal",
            serde_json::json!({ "type": "none" }),
            serde_json::json!([{ "name": "Authorization", "value": "Bearer abc123 {{x}}" }]),
        ),
        request(
            "token literal",
            serde_json::json!({ "type": "bearer", "token": "abc123{{x}}" }),
            none.clone(),
        ),
        request(
            "params literal",
            first_message(r#"{"action":"auth","params":"abc123","ts":{{$timestamp}}}"#),
            none.clone(),
        ),
        request(
            "form literal",
            serde_json::json!({
                "type": "cookie_login", "method": "POST", "url": "http://127.0.0.1:1/login",
                "body": "username={{user}}&password=abc123", "body_secret": true
            }),
            none.clone(),
        ),
    ];
    let kept = [
        request(
            "json reference",
            first_message(r#"{"type":"auth","token":"{{token}}","ts":{{$timestamp}}}"#),
            none.clone(),
        ),
        request(
            "header reference",
            serde_json::json!({ "type": "none" }),
            serde_json::json!([{ "name": "Authorization", "value": "Bearer {{token}}" }]),
        ),
        request(
            "basic pair",
            serde_json::json!({ "type": "api_key", "name": "X-Key", "value": "{{user}}:{{x}}" }),
            none.clone(),
        ),
        request(
            "form reference",
            serde_json::json!({
                "type": "cookie_login", "method": "POST", "url": "http://127.0.0.1:1/login",
                "body": "username=demo&password={{x}}", "body_secret": true
            }),
            none.clone(),
        ),
    ];
    let mut items: Vec<serde_json::Value> = leaks.to_vec();
    items.extend(kept.iter().cloned());
    let vars: Vec<serde_json::Value> = ["user", "x", "token"]
        .iter()
        .map(|n| serde_json::json!({ "name": n, "value": "v" }))
        .collect();
    let file_json = serde_json::json!({
        "sockpit": 1, "name": "Redaction", "variables": vars, "items": items,
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("redaction.sockpit.json");
    std::fs::write(&file, serde_json::to_string_pretty(&file_json).unwrap()).unwrap();
    let out = sockpit(&["export", file.to_str().unwrap()], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(!out.stdout.contains("abc123"), "{}", out.stdout);
    let exported: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let by_name = |name: &str| -> serde_json::Value {
        exported["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} exported: {exported}"))
    };
    let secret_of = |item: &serde_json::Value| -> String {
        let auth = &item["auth"];
        let v = match auth["type"].as_str().unwrap_or("none") {
            "first_message" => &auth["message"],
            "bearer" => &auth["token"],
            "api_key" => &auth["value"],
            "cookie_login" => &auth["body"],
            _ => &item["headers"][0]["value"],
        };
        v.as_str().unwrap().to_string()
    };
    for r in &leaks {
        let name = r["name"].as_str().unwrap();
        assert_eq!(secret_of(&by_name(name)), SECRET_PLACEHOLDER, "{name}");
    }
    for r in &kept {
        let name = r["name"].as_str().unwrap();
        assert_eq!(secret_of(&by_name(name)), secret_of(r), "{name} kept");
    }
    // The other tools' formats redact the same way.
    for format in ["k6", "wscat", "websocat", "curl"] {
        let out = sockpit(
            &["export", file.to_str().unwrap(), "--format", format],
            None,
            LIMIT,
        )
        .await;
        assert_eq!(out.status, 0, "{format}: {out:?}");
        assert!(!out.stdout.contains("abc123"), "{format}: {}", out.stdout);
    }
}
