//! Bad input, each a clear error with nothing changed: corrupt and truncated files, unknown
//! formats, newer format versions, duplicate names, a locked or newer database, undefined
//! variables, invalid regexes and pointers; and no input makes an importer panic.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use sockpit_core::collection::import::{import_text, Format};
use sockpit_core::collection::model::*;
use sockpit_core::collection::to_share_json;
use sockpit_core::store::{Store, DB_FILE};
use sockpit_tests::collections::{import_fixture, shipped_collection};
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(30);

async fn import_into(data: &Path, file: &Path) -> CliOutput {
    sockpit(
        &[
            "import",
            file.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await
}

/// Imports `content` as a file named `name` and expects one error line containing `expect`, with
/// no store created.
async fn refused(name: &str, content: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, content).unwrap();
    let data = dir.path().join("data");
    let out = import_into(&data, &file).await;
    assert_eq!(out.status, 1, "{name}: {out:?}");
    let line = out.one_error_line();
    assert!(line.contains(expect), "{name}: {line}");
    assert!(
        !data.join(DB_FILE).exists(),
        "{name}: the store was touched"
    );
}

#[tokio::test]
async fn corrupt_truncated_and_unknown_files() {
    let demo = std::fs::read(shipped_collection("demo.sockpit.json")).unwrap();
    refused(
        "cut.sockpit.json",
        &demo[..demo.len() / 2],
        "is not valid JSON (line ",
    )
    .await;
    refused(
        "cut.sockpit.json",
        &demo[..demo.len() / 2],
        "nothing was imported",
    )
    .await;
    let har = std::fs::read(import_fixture("chrome.har")).unwrap();
    refused("cut.har", &har[..har.len() - 40], "is not valid JSON").await;
    let bru = std::fs::read_to_string(import_fixture("bruno/echo.bru")).unwrap();
    let cut = &bru[..bru.find("hello bruno").unwrap() + 5];
    refused("cut.bru", cut.as_bytes(), "never closed (truncated file?)").await;
    refused("x.yaml", b"type: [unclosed\n  - a: {", "is not valid YAML").await;
    refused(
        "bin.json",
        &[0xff, 0xfe, 0x00, 0x7b],
        "is not valid UTF-8 text",
    )
    .await;
    refused("empty.json", b"  \n", "the file is empty").await;
    refused(
        "what.json",
        br#"{"foo": 1, "bar": []}"#,
        "unknown format (found an object with keys bar, foo); pass --format",
    )
    .await;
    refused(
        "notes.txt",
        b"just some words\n",
        "unknown format (found a plain value)",
    )
    .await;
    refused(
        "wrong.json",
        br#"{"sockpit": 1, "name": "X", "items": [{"type": "request", "name": "R"}]}"#,
        "not a valid Sockpit collection file: missing field `protocol`",
    )
    .await;
    refused(
        "typo.json",
        br#"{"sockpit": 1, "name": "X", "itemz": []}"#,
        "unknown field `itemz`",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = import_into(dir.path(), &dir.path().join("missing.json")).await;
    assert_eq!(out.status, 1);
    assert!(out.one_error_line().contains("cannot read"), "{out:?}");
}

#[tokio::test]
async fn files_from_newer_format_versions() {
    refused("new.sockpit.json", br#"{"sockpit": 2, "name": "Future"}"#, "uses the Sockpit collection format version 2, newer than this Sockpit reads (up to 1); update Sockpit").await;
    refused(
        "ins.json",
        br#"{"_type": "export", "__export_format": 5, "resources": []}"#,
        "the Insomnia export format version 5",
    )
    .await;
    refused(
        "ins.yaml",
        b"type: collection.insomnia.rest/6.0\nname: X\ncollection: []\n",
        "the Insomnia collection format version 6.0",
    )
    .await;
    refused(
        "yaak.json",
        br#"{"yaakSchema": 9, "resources": {}}"#,
        "the Yaak export schema version 9",
    )
    .await;
    refused(
        "api.yaml",
        b"asyncapi: 4.0.0\ninfo: {title: x}\n",
        "AsyncAPI version 4.0.0",
    )
    .await;
    refused(
        "oc.yml",
        b"opencollection: 2.0.0\ninfo: {name: x}\n",
        "OpenCollection version 2.0.0",
    )
    .await;
    refused(
        "h.har",
        br#"{"log": {"version": "2.0", "entries": []}}"#,
        "HAR version 2.0",
    )
    .await;
}

fn collection_with(assertion: Assertion, url: &str) -> String {
    to_share_json(&Collection {
        name: "Bad".into(),
        items: vec![Item::Request(Box::new(Request {
            name: "R".into(),
            protocol: Protocol::Websocket,
            url: url.into(),
            assertions: vec![assertion],
            ..Default::default()
        }))],
        ..Default::default()
    })
}

#[tokio::test]
async fn invalid_regexes_and_pointers_are_refused_before_anything_runs() {
    let bad_regex = collection_with(
        Assertion::Matches {
            pattern: "price: (\\d+".into(),
            event: None,
        },
        "ws://127.0.0.1:1/",
    );
    refused(
        "re.sockpit.json",
        bad_regex.as_bytes(),
        "invalid regex /price: (\\d+/ in an assertion of request 'R'",
    )
    .await;
    let bad_pointer = collection_with(
        Assertion::JsonPointer {
            pointer: "data/0".into(),
            equals: serde_json::json!(1),
            event: None,
        },
        "ws://127.0.0.1:1/",
    );
    refused(
        "ptr.sockpit.json",
        bad_pointer.as_bytes(),
        "invalid JSON pointer 'data/0' in an assertion of request 'R'",
    )
    .await;
    // `run` refuses the same files without connecting (port 1 would be "refused").
    let dir = tempfile::tempdir().unwrap();
    for (name, text, code_text) in [
        ("re.json", &bad_regex, "invalid regex"),
        ("ptr.json", &bad_pointer, "invalid JSON pointer"),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = sockpit(&["run", file.to_str().unwrap()], None, LIMIT).await;
        assert_eq!(out.status, 1, "{out:?}");
        assert!(out.one_error_line().contains(code_text), "{out:?}");
        assert!(out.stdout.is_empty(), "nothing ran: {out:?}");
    }
}

#[tokio::test]
async fn undefined_variables_name_the_variable_and_the_place() {
    let c = Collection {
        name: "Vars".into(),
        variables: vec![Variable::plain("host", "127.0.0.1:1")],
        items: vec![Item::Request(Box::new(Request {
            name: "Greeter".into(),
            protocol: Protocol::Websocket,
            url: "ws://{{host}}/echo".into(),
            headers: vec![KeyValue::new("X-Tenant", "{{tenant}}")],
            ..Default::default()
        }))],
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vars.sockpit.json");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    let out = sockpit(&["run", file.to_str().unwrap()], None, LIMIT).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(
        out.one_error_line(),
        "sockpit: error: undefined variable 'tenant' in 'X-Tenant' of request 'Greeter': define it in the environment, the collection's variables or globals, or pass --var tenant=VALUE"
    );
    assert!(out.stdout.is_empty(), "no request ran");
    let out = sockpit(
        &[
            "run",
            file.to_str().unwrap(),
            "--var",
            "tenant=acme",
            "--var",
            "nonsense",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out.one_error_line().contains("--var 'nonsense'"), "{out:?}");
}

#[tokio::test]
async fn duplicate_names_on_import_are_renamed_and_reported() {
    let req = |name: &str| {
        Item::Request(Box::new(Request {
            name: name.into(),
            protocol: Protocol::Websocket,
            url: "ws://x/".into(),
            ..Default::default()
        }))
    };
    let c = Collection {
        name: "Dups".into(),
        items: vec![req("Same"), req("Same"), req("Same (2)"), req("Other")],
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dups.sockpit.json");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    let yaml = dir.path().join("dups.yml");
    std::fs::write(
        &yaml,
        "opencollection: 1.0.0\ninfo: {name: Dups}\nitems:\n  - info: {name: Same, type: websocket}\n    websocket: {url: 'ws://x/'}\n  - info: {name: Same, type: websocket}\n    websocket: {url: 'ws://y/'}\n",
    )
    .unwrap();
    let out = import_into(dir.path(), &yaml).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("duplicate name 'Same' renamed to 'Same (2)'"),
        "{out:?}"
    );
    let out = import_into(dir.path(), &file).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stderr.contains("imported as 'Dups (2)'"), "{out:?}");
    let store = Store::open_in(dir.path()).unwrap();
    let id = store.find_collection("Dups").unwrap().unwrap();
    let names: Vec<String> = requests_with_path(&store.load_collection(id).unwrap().items)
        .iter()
        .map(|(_, r)| r.name.clone())
        .collect();
    assert_eq!(names, ["Same", "Same (2)"]);
}

#[tokio::test]
async fn a_locked_or_newer_database_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let holder = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let demo = shipped_collection("demo.sockpit.json");
    let out = import_into(dir.path(), &demo).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line()
            .contains("is locked by another process"),
        "{out:?}"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert!(Store::open_in(dir.path())
        .unwrap()
        .list_collections()
        .unwrap()
        .is_empty());

    let newer = tempfile::tempdir().unwrap();
    let db = newer.path().join(DB_FILE);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 7;")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = import_into(newer.path(), &demo).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.one_error_line()
            .contains("written by a newer Sockpit (schema version 7"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn no_truncation_or_corruption_of_a_fixture_panics() {
    let fixtures = [
        "insomnia-v4.json",
        "insomnia-v5.yaml",
        "yaak.json",
        "bruno/echo.bru",
        "bruno-opencollection.yml",
        "kreya/Echo.krop",
        "chrome.har",
        "asyncapi-2.6.yaml",
        "asyncapi-3.0.json",
    ];
    let mut runs = 0;
    for f in fixtures {
        let path = import_fixture(f);
        let text = std::fs::read_to_string(&path).unwrap();
        let ext = path.extension().unwrap().to_str().unwrap();
        let dir = path.parent().unwrap();
        let step = (text.len() / 150).max(1);
        for cut in (0..text.len()).step_by(step) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            for format in [
                Format::Auto,
                Format::Insomnia,
                Format::Asyncapi,
                Format::Bruno,
            ] {
                let _ = import_text(&text[..cut], f, ext, dir, format);
                runs += 1;
            }
            // A character swapped for a bracket somewhere in the middle.
            let mut mangled = text.clone();
            mangled.replace_range(cut..cut, "}{]\"");
            let _ = import_text(&mangled, f, ext, dir, Format::Auto);
        }
    }
    assert!(runs > 1000);
}

#[tokio::test]
async fn extreme_numbers_in_settings_do_not_break_a_run() {
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let c = Collection {
        name: "Extreme".into(),
        items: vec![Item::Request(Box::new(Request {
            name: "Huge".into(),
            protocol: Protocol::Websocket,
            url: format!("{}/flood?n=2", mock.ws_url()),
            settings: Settings {
                handshake_timeout_ms: Some(u64::MAX),
                timeout_ms: Some(u64::MAX),
                max_message_size: Some(u64::MAX),
                ping: Some(PingSettings {
                    interval_ms: u64::MAX,
                    timeout_ms: u64::MAX,
                }),
                reconnect: Some(ReconnectSettings {
                    base_ms: u64::MAX,
                    max_ms: u64::MAX,
                    max_retries: Some(u32::MAX),
                }),
                ..Default::default()
            },
            assertions: vec![Assertion::Count {
                min: 2,
                within_ms: u64::MAX,
                event: None,
            }],
            ..Default::default()
        }))],
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.sockpit.json");
    std::fs::write(&file, to_share_json(&c)).unwrap();
    let out = sockpit(&["run", file.to_str().unwrap()], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
}
