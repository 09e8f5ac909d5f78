//! Helpers for the store, collection and `sockpit run` tests: a sample collection using every
//! field, fixture paths, and running the CLI with extra environment variables.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use sockpit_core::collection::model::*;

use crate::cli::{sockpit_bin, CliOutput};

/// `tests/fixtures/import/NAME`.
pub fn import_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/import")
        .join(name)
}

/// `collections/NAME` at the repository root.
pub fn shipped_collection(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../collections")
        .join(name)
}

/// A collection with folders, both protocols, every auth field, secrets and assertions.
pub fn sample_collection(name: &str) -> Collection {
    let echo = Request {
        name: "Echo".into(),
        protocol: Protocol::Websocket,
        url: "ws://{{host}}/echo".into(),
        params: vec![KeyValue::new("a", "1")],
        headers: vec![
            KeyValue {
                name: "X-Off".into(),
                value: "v".into(),
                enabled: false,
            },
            KeyValue::new("Authorization", "Bearer literal-header-token"),
        ],
        subprotocols: vec!["chat".into()],
        auth: Auth::Bearer {
            token: "literal-auth-token".into(),
        },
        settings: Settings {
            timeout_ms: Some(2000),
            deflate: Some(false),
            ca_file: Some("certs/ca.pem".into()),
            insecure: Some(true),
            proxy: Some("socks5h://{{proxy_host}}:1080".into()),
            deflate_params: Some("client_no_context_takeover".into()),
            ..Default::default()
        },
        messages: vec![
            SavedMessage {
                name: "hello".into(),
                kind: MessageKind::Text,
                body: "hello".into(),
                delay_ms: None,
                ..SavedMessage::default()
            },
            SavedMessage {
                name: "bin".into(),
                kind: MessageKind::Hex,
                body: "dead beef".into(),
                delay_ms: Some(10),
                ..SavedMessage::default()
            },
        ],
        assertions: vec![
            Assertion::Contains {
                value: "hello".into(),
                event: None,
            },
            Assertion::JsonPointer {
                pointer: "/a/0".into(),
                equals: serde_json::json!({"b": [1, 2]}),
                event: None,
            },
        ],
        ..Default::default()
    };
    let sse = Request {
        name: "Feed".into(),
        protocol: Protocol::Sse,
        url: "http://{{host}}/sse?n=3".into(),
        method: Some("POST".into()),
        body: Some("{}".into()),
        auth: Auth::Basic {
            username: "me".into(),
            password: "{{password}}".into(),
        },
        ..Default::default()
    };
    Collection {
        name: name.into(),
        description: "desc".into(),
        variables: vec![Variable::plain("host", "127.0.0.1:1")],
        environments: vec![Environment {
            name: "dev".into(),
            variables: vec![
                Variable::plain("host", "127.0.0.1:2"),
                Variable {
                    name: "password".into(),
                    value: Some("s3cret-value".into()),
                    secret: true,
                    placeholder: None,
                },
            ],
        }],
        items: vec![
            Item::Request(Box::new(echo)),
            Item::Folder(Folder {
                name: "Streams".into(),
                description: String::new(),
                items: vec![
                    Item::Folder(Folder {
                        name: "Empty".into(),
                        ..Default::default()
                    }),
                    Item::Request(Box::new(sse)),
                ],
            }),
        ],
    }
}

/// Runs `sockpit ARGS` with extra environment variables and an empty stdin.
pub async fn sockpit_with_env(args: &[&str], env: &[(&str, &str)], limit: Duration) -> CliOutput {
    let mut cmd = tokio::process::Command::new(sockpit_bin());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(limit, cmd.output())
        .await
        .unwrap_or_else(|_| panic!("sockpit {args:?} did not finish within {limit:?}"))
        .expect("sockpit ran");
    CliOutput {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
