//! Importers on samples written from each tool's documented format (tests/fixtures/import/):
//! what is carried, what is converted, and what is reported instead of silently dropped.

use std::time::Duration;

use sockpit_core::collection::import::{import_file, Format, Imported};
use sockpit_core::collection::model::*;
use sockpit_mock::MockServer;
use sockpit_tests::collections::import_fixture;
use sockpit_tests::sockpit;

fn import(name: &str) -> Imported {
    import_file(&import_fixture(name), Format::Auto)
        .unwrap_or_else(|e| panic!("{name}: {e} ({})", e.code()))
}

fn requests(c: &Collection) -> Vec<(Vec<String>, Request)> {
    requests_with_path(&c.items)
        .into_iter()
        .map(|(p, r)| (p, r.clone()))
        .collect()
}

fn warned(i: &Imported, text: &str) -> bool {
    i.warnings.iter().any(|w| w.contains(text))
}

#[test]
fn insomnia_v4_requests_payloads_folders_and_environments() {
    let i = import("insomnia-v4.json");
    assert_eq!(i.format, Format::Insomnia);
    let c = &i.collection;
    assert_eq!(c.name, "Chat API");
    assert_eq!(c.variables[0], Variable::plain("host", "127.0.0.1:9"));
    assert_eq!(c.environments[0].name, "Local");
    let reqs = requests(c);
    assert_eq!(reqs.len(), 2);
    let (path, join) = &reqs[0];
    assert_eq!(path, &vec!["Rooms".to_string()]);
    assert_eq!(
        join.url, "ws://{{host}}/echo",
        "Insomnia's {{{{ _.x }}}} becomes {{{{x}}}}"
    );
    assert_eq!(join.headers[0], KeyValue::new("X-Room", "{{room}}"));
    assert!(!join.headers[1].enabled);
    assert_eq!(join.params, vec![KeyValue::new("v", "2")]);
    assert_eq!(
        join.auth,
        Auth::Bearer {
            token: "{{token}}".into()
        }
    );
    // Payloads in their sort order, named, with JSON mode kept.
    assert_eq!(join.messages.len(), 2);
    assert_eq!(
        (
            join.messages[0].name.as_str(),
            join.messages[0].body.as_str()
        ),
        ("message 1", "hello")
    );
    assert_eq!(join.messages[1].kind, MessageKind::Json);
    assert_eq!(
        join.messages[1].body,
        "{\"op\":\"join\",\"room\":\"{{room}}\"}"
    );
    assert!(
        warned(&i, "skipped 1 'request' resource"),
        "{:?}",
        i.warnings
    );
    assert!(
        warned(&i, "auth type 'digest' is not supported"),
        "{:?}",
        i.warnings
    );
    assert!(warned(&i, "'nested' is nested JSON"), "{:?}", i.warnings);
}

#[test]
fn insomnia_v5_yaml_websocket_items() {
    let i = import("insomnia-v5.yaml");
    let c = &i.collection;
    assert_eq!(c.name, "Ticker");
    let reqs = requests(c);
    assert_eq!(reqs.len(), 1);
    let (path, r) = &reqs[0];
    assert_eq!(path, &vec!["Streams".to_string()]);
    assert_eq!(r.url, "wss://{{host}}/ticker");
    assert_eq!(
        r.headers[0],
        KeyValue::new("Authorization", "Bearer {{token}}")
    );
    assert_eq!(r.params, vec![KeyValue::new("symbols", "BTC,ETH")]);
    assert_eq!(c.environments[0].name, "Staging");
    assert!(
        warned(&i, "carry no WebSocket messages"),
        "{:?}",
        i.warnings
    );
    assert!(warned(&i, "skipped 1 HTTP"), "{:?}", i.warnings);
}

#[test]
fn yaak_websocket_requests_folders_and_templates() {
    let i = import("yaak.json");
    let c = &i.collection;
    assert_eq!(c.name, "Yaak sockets");
    assert_eq!(
        c.variables,
        vec![Variable::plain("host", "127.0.0.1:9")],
        "disabled variables are left out"
    );
    assert_eq!(c.environments[0].name, "Production");
    let reqs = requests(c);
    assert_eq!(
        reqs.iter()
            .map(|(_, r)| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Plain", "Echo JSON"]
    );
    let echo = &reqs[1].1;
    assert_eq!(echo.url, "ws://{{host}}/echo");
    assert_eq!(echo.params, vec![KeyValue::new("client", "yaak")]);
    assert_eq!(
        echo.auth,
        Auth::Basic {
            username: "me".into(),
            password: "{{pass}}".into()
        }
    );
    assert_eq!(echo.messages[0].kind, MessageKind::Json);
    assert_eq!(echo.messages[0].body, "{\"hello\":\"yaak\"}");
    assert!(
        warned(&i, "template function 'uuid()' kept as text"),
        "{:?}",
        i.warnings
    );
    assert!(warned(&i, "skipped 1 HTTP"), "{:?}", i.warnings);
}

#[test]
fn bruno_bru_file_with_ws_messages() {
    let i = import("bruno/echo.bru");
    assert_eq!(i.format, Format::Bruno);
    let reqs = requests(&i.collection);
    let r = &reqs[0].1;
    assert_eq!(r.name, "Echo socket");
    assert_eq!(r.url, "ws://{{host}}/echo");
    assert_eq!(r.params[0], KeyValue::new("lang", "en"));
    assert!(!r.params[1].enabled, "~ disables");
    assert_eq!(r.headers, vec![KeyValue::new("X-Client", "bruno")]);
    assert_eq!(
        r.auth,
        Auth::Bearer {
            token: "{{token}}".into()
        }
    );
    assert_eq!(r.messages.len(), 2);
    assert_eq!(r.messages[0].body, "hello bruno");
    assert_eq!(r.messages[1].kind, MessageKind::Json);
    assert_eq!(
        r.messages[1].body,
        "{\n  \"op\": \"subscribe\",\n  \"topic\": \"news\"\n}"
    );
    assert_eq!(r.settings.handshake_timeout_ms, Some(2500));
    assert!(r
        .scripts
        .before_connect
        .as_deref()
        .unwrap()
        .ends_with("bru.setVar(\"x\", 1);"));
    assert!(
        warned(
            &i,
            "Bruno script:pre-request became its before_connect script"
        ),
        "{:?}",
        i.warnings
    );
    let e = import_file(&import_fixture("bruno/http.bru"), Format::Auto).unwrap_err();
    assert_eq!(e.code(), "import.nothing_to_import");
}

#[test]
fn bruno_opencollection_yaml() {
    let i = import("bruno-opencollection.yml");
    let c = &i.collection;
    assert_eq!(c.name, "Bruno YAML sockets");
    let reqs = requests(c);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].0, vec!["Realtime".to_string()]);
    let chat = &reqs[0].1;
    assert_eq!(chat.url, "ws://{{host}}/echo");
    assert!(!chat.headers[1].enabled);
    assert_eq!(chat.messages[0].name, "hi");
    assert_eq!(chat.messages[1].kind, MessageKind::Json);
    // Two requests named "Chat" in one folder: the second is renamed and reported.
    assert_eq!(reqs[1].1.name, "Chat (2)");
    assert!(
        warned(
            &i,
            "duplicate name 'Chat' in folder 'Realtime' renamed to 'Chat (2)'"
        ),
        "{:?}",
        i.warnings
    );
    assert!(warned(&i, "skipped 1 non-WebSocket"), "{:?}", i.warnings);
}

#[test]
fn kreya_operation_with_sibling_message_files() {
    let i = import("kreya/Echo.krop");
    assert_eq!(i.format, Format::Kreya);
    let r = &requests(&i.collection)[0].1;
    assert_eq!(r.url, "{{wsBase}}/echo");
    assert_eq!(r.headers, vec![KeyValue::new("X-Kreya", "{{client}}")]);
    assert_eq!(r.messages.len(), 2);
    assert_eq!(r.messages[0].kind, MessageKind::Json);
    assert!(r.messages[0].body.contains("\"from\": \"kreya\""));
    assert_eq!(r.messages[1].body, "plain text second message");
    let e = import_file(&import_fixture("kreya/Unary.krop"), Format::Auto).unwrap_err();
    assert_eq!(e.code(), "import.nothing_to_import");
    assert!(e.to_string().contains("grpc"), "{e}");
}

#[test]
fn har_websocket_entries_with_chrome_messages() {
    let i = import("chrome.har");
    assert_eq!(i.format, Format::Har);
    assert_eq!(i.collection.name, "Trading dashboard");
    let r = &requests(&i.collection)[0].1;
    assert_eq!(r.url, "ws://127.0.0.1:9/echo?feed=prices");
    assert_eq!(r.subprotocols, vec!["prices.v1", "prices.v0"]);
    let names: Vec<&str> = r.headers.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        ["Origin", "Cookie"],
        "handshake headers are the engine's own"
    );
    assert_eq!(r.messages.len(), 2, "sent frames become saved messages");
    assert_eq!(r.messages[0].kind, MessageKind::Json);
    assert_eq!(
        (r.messages[1].kind, r.messages[1].body.as_str()),
        (MessageKind::Base64, "3q2+7w==")
    );
    assert_eq!(
        r.received_examples.len(),
        2,
        "received frames are kept for reference"
    );
    assert_eq!(r.received_examples[1].body, "tick 1");
    assert!(warned(&i, "skipped 1 HTTP entry"), "{:?}", i.warnings);
}

#[test]
fn asyncapi_2_6_servers_channels_examples_and_bindings() {
    let i = import("asyncapi-2.6.yaml");
    let c = &i.collection;
    assert_eq!(c.name, "Market feed");
    assert_eq!(
        c.variables[0],
        Variable::plain("server", "ws://localhost:{{port}}")
    );
    assert!(c.variables.contains(&Variable::plain("port", "8765")));
    assert!(c.variables.contains(&Variable::plain("symbol", "BTC")));
    assert_eq!(c.environments[0].name, "production");
    assert_eq!(
        c.environments[0].variables[0],
        Variable::plain("server", "wss://feed.example.test")
    );
    let r = &requests(c)[0].1;
    assert_eq!(r.url, "{{server}}/prices/{{symbol}}");
    assert_eq!(r.params[0], KeyValue::new("depth", "10"));
    assert_eq!(r.headers, vec![KeyValue::new("X-Client", "sockpit")]);
    assert_eq!(r.messages[0].name, "subscribe-btc");
    assert_eq!(r.messages[0].body, "{\"depth\":10,\"op\":\"subscribe\"}");
    assert_eq!(
        (r.messages[1].kind, r.messages[1].body.as_str()),
        (MessageKind::Text, "ping")
    );
    assert_eq!(
        r.received_examples[0].body,
        "{\"price\":1,\"symbol\":\"BTC\"}"
    );
    assert!(
        warned(&i, "server 'broker' uses protocol 'mqtt'"),
        "{:?}",
        i.warnings
    );
    assert!(
        warned(&i, "query parameter 'token' has no default or example"),
        "{:?}",
        i.warnings
    );
}

#[test]
fn asyncapi_3_0_operations_pick_what_is_sent() {
    let i = import("asyncapi-3.0.json");
    let c = &i.collection;
    assert_eq!(
        c.variables[0],
        Variable::plain("server", "ws://127.0.0.1:8765")
    );
    let reqs = requests(c);
    let room = &reqs.iter().find(|(_, r)| r.name == "room").unwrap().1;
    assert_eq!(room.url, "{{server}}/echo");
    assert_eq!(room.headers, vec![KeyValue::new("X-Room", "general")]);
    assert_eq!(room.messages.len(), 1);
    assert_eq!(room.messages[0].body, "{\"text\":\"hello asyncapi\"}");
    assert_eq!(room.received_examples[0].body, "{\"said\":\"hi\"}");
    assert!(reqs
        .iter()
        .any(|(_, r)| r.name == "quiet" && r.url == "{{server}}/close"));
}

#[tokio::test]
async fn imported_requests_run_against_the_mock() {
    // AsyncAPI 3.0 → store → run: the server variable points at the mock.
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let limit = Duration::from_secs(30);
    let file = import_fixture("asyncapi-3.0.json");
    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        limit,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("imported 'Chat service' (2 requests, asyncapi format)"),
        "{out:?}"
    );
    let server = format!("server=ws://{}", mock.addr());
    let out = sockpit(
        &["run", "Chat service", "--var", &server, "--data-dir", data],
        None,
        limit,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains("2 of 2 requests passed"),
        "{}",
        out.stdout
    );

    // Every fixture imports through the CLI, and its export re-imports to the same file.
    for f in [
        "insomnia-v4.json",
        "insomnia-v4-socketio.json",
        "insomnia-v5.yaml",
        "yaak.json",
        "bruno/echo.bru",
        "bruno-opencollection.yml",
        "kreya/Echo.krop",
        "chrome.har",
        "asyncapi-2.6.yaml",
    ] {
        let path = import_fixture(f);
        let out = sockpit(
            &["import", path.to_str().unwrap(), "--data-dir", data],
            None,
            limit,
        )
        .await;
        assert_eq!(out.status, 0, "{f}: {out:?}");
        let name = out.stdout.split('\'').nth(1).unwrap().to_string();
        let first = sockpit(&["export", &name, "--data-dir", data], None, limit).await;
        assert_eq!(first.status, 0, "{f}: {first:?}");
        let again = dir.path().join("again.sockpit.json");
        std::fs::write(&again, &first.stdout).unwrap();
        let second = sockpit(
            &["export", again.to_str().unwrap(), "--data-dir", data],
            None,
            limit,
        )
        .await;
        assert_eq!(second.stdout, first.stdout, "{f}: export is stable");
    }
}

#[tokio::test]
async fn a_bruno_collection_folder_imports_and_runs() {
    let i = import("bruno-collection");
    let c = &i.collection;
    assert_eq!(c.name, "Bruno team sockets");
    let reqs = requests(c);
    assert_eq!(
        reqs.iter()
            .map(|(_, r)| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Ticker", "Chat"],
        "ordered by meta.seq"
    );
    assert_eq!(reqs[0].0, vec!["Realtime".to_string()]);
    assert_eq!(
        c.items.len(),
        1,
        "a folder with no WebSocket request is left out"
    );
    let env = &c.environments[0];
    assert_eq!(env.name, "Local");
    assert_eq!(env.variables[0], Variable::plain("host", "127.0.0.1:8765"));
    assert!(env.variables[1].secret && env.variables[1].value.is_none());
    assert!(
        warned(&i, "skipped 1 non-WebSocket request file"),
        "{:?}",
        i.warnings
    );
    assert!(warned(&i, "collection.bru"), "{:?}", i.warnings);

    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let host = format!("host={}", mock.addr());
    let dir = import_fixture("bruno-collection");
    let out = sockpit(
        &[
            "run",
            dir.to_str().unwrap(),
            "--env",
            "Local",
            "--var",
            &host,
        ],
        None,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains("2 of 2 requests passed"),
        "{}",
        out.stdout
    );
}
