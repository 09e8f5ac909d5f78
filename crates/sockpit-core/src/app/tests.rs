//! The application API against a real SQLite store (secrets in the database fallback).

use super::*;
use crate::collection::auth::Auth;
use crate::collection::import::{Format, Imported};
use crate::collection::model::{Collection, Environment, Item, KeyValue, Request, Variable};
use crate::store::NodeKind;

fn app(dir: &Path) -> App {
    let app = App::new(dir);
    *lock(&app.secrets) = Some(SecretStore::database_only(dir));
    app
}

fn bearer(name: &str, token: &str) -> Request {
    Request {
        name: name.into(),
        url: "ws://127.0.0.1:9/echo".into(),
        auth: Auth::Bearer {
            token: token.into(),
        },
        ..Request::default()
    }
}

/// Every request row of the store, as JSON, for "no literal left" checks.
fn stored_requests(app: &App) -> String {
    app.with_store(|s| {
        let mut out = String::new();
        for c in s.list_collections()? {
            out.push_str(&crate::collection::to_share_json(&s.load_collection(c.id)?));
        }
        Ok(out)
    })
    .unwrap()
}

#[test]
fn saving_a_request_moves_its_literal_token_to_a_secret_and_it_still_connects() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let saved = app
        .save_request(None, None, bearer("Chat", "lit-token-1"))
        .unwrap();
    assert_eq!(saved.moved_secrets, vec!["auth_chat_token".to_string()]);
    assert_eq!(
        saved.request.auth,
        Auth::Bearer {
            token: "{{auth_chat_token}}".into()
        }
    );
    assert!(!stored_requests(&app).contains("lit-token-1"));
    let (request, c) = app.load_request(saved.id).unwrap();
    let cfg = app.render_ws(&request, Some(c), false).unwrap();
    assert!(cfg.auth.is_some());
    assert!(cfg.redact.contains(&"lit-token-1".to_string()));

    // Saving a new literal again reuses the one secret variable.
    let again = app
        .save_request(Some(saved.id), None, bearer("Chat", "lit-token-2"))
        .unwrap();
    assert_eq!(again.moved_secrets, vec!["auth_chat_token".to_string()]);
    let vars = app.with_store(|s| Ok(s.collection_variables(c)?)).unwrap();
    assert_eq!(vars.iter().filter(|v| v.secret).count(), 1);
    let cfg = app.render_ws(&again.request, Some(c), false).unwrap();
    assert!(cfg.redact.contains(&"lit-token-2".to_string()));
    assert!(!stored_requests(&app).contains("lit-token-2"));
}

#[test]
fn importing_keeps_secret_values_and_literals_out_of_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let mut header = bearer("Feed", "");
    header.auth = Auth::None;
    header.headers = vec![KeyValue::new("Authorization", "Bearer lit-header")];
    let c = Collection {
        name: "Imported".into(),
        variables: vec![Variable {
            name: "api_key".into(),
            value: Some("var-secret".into()),
            secret: true,
            placeholder: None,
        }],
        environments: vec![Environment {
            name: "prod".into(),
            variables: vec![Variable {
                name: "pw".into(),
                value: Some("env-secret".into()),
                secret: true,
                placeholder: None,
            }],
        }],
        items: vec![
            Item::Request(Box::new(bearer("Chat", "lit-bearer"))),
            Item::Request(Box::new(header)),
        ],
        ..Collection::default()
    };
    let summary = app
        .import_collection(Imported {
            collection: c,
            format: Format::Sockpit,
            warnings: vec!["w".into()],
        })
        .unwrap();
    assert_eq!((summary.requests, summary.warnings.len()), (2, 1));
    assert_eq!(summary.moved_secrets.len(), 2);
    let rows = stored_requests(&app);
    for secret in ["var-secret", "env-secret", "lit-bearer", "lit-header"] {
        assert!(!rows.contains(secret), "{secret} in {rows}");
    }
    let vars = app.request_vars(Some(summary.id)).unwrap();
    let values = vars.secret_values();
    for secret in ["var-secret", "lit-bearer", "Bearer lit-header"] {
        assert!(values.contains(&secret.to_string()), "{secret}: {values:?}");
    }
    // The fallback warning reached the notices once.
    let notices = app.take_notices();
    assert_eq!(
        notices
            .iter()
            .filter(|n| n.code == "secret.fallback")
            .count(),
        1,
        "{notices:?}"
    );
    assert!(app.take_notices().is_empty());
}

#[test]
fn environments_keep_secrets_in_the_secret_store_and_follow_renames() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let c = app
        .create_node(NodeKind::Collection, "C", None, None)
        .unwrap();
    let env = app.create_environment(c, "dev").unwrap();
    app.select_environment(Some(env)).unwrap();
    let row = |name: &str, value: &str, secret: bool| EnvVarInput {
        name: name.into(),
        value: value.into(),
        secret,
    };
    app.update_environment(
        env,
        "dev",
        vec![row("host", "h:1", false), row("token", "s3", true)],
    )
    .unwrap();
    let listed = app.environments().unwrap();
    assert!(listed[0].active);
    let token = listed[0]
        .variables
        .iter()
        .find(|v| v.name == "token")
        .unwrap();
    assert_eq!((token.secret, token.value.clone()), (true, None));
    // An empty secret keeps the value; the rename moves it.
    app.update_environment(
        env,
        "staging",
        vec![row("host", "h:1", false), row("token", "", true)],
    )
    .unwrap();
    app.rename_node(NodeKind::Collection, c, "D").unwrap();
    let vars = app.request_vars(Some(c)).unwrap();
    assert_eq!(vars.secret_values(), vec!["s3".to_string()]);
    assert_eq!(
        app.known_variables(Some(c)).unwrap(),
        vec!["host".to_string(), "token".to_string()]
    );
    assert_eq!(
        app.rename_node(NodeKind::Collection, c, " ")
            .unwrap_err()
            .code(),
        "app.empty_name"
    );
    app.delete_environment(env).unwrap();
    assert!(app.with_secrets(|s| Ok(s.list()?)).unwrap().is_empty());
}

#[test]
fn history_lists_outcomes_in_one_query_like_one_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let rec = app
        .record_connection(
            crate::collection::model::Protocol::Websocket,
            "ws://x/",
            None,
        )
        .unwrap();
    let id = rec.connection_id();
    rec.record_ws(&[crate::ws::SessionEvent::Close {
        t: 2,
        dir: crate::ws::Direction::In,
        code: 1001,
        reason: String::new(),
        by: crate::ws::Closer::Server,
    }]);
    rec.finish().unwrap();
    // Still open while the list is read: dropping a recorder closes its row.
    let _open = app.record_connection(
        crate::collection::model::Protocol::Websocket,
        "ws://y/",
        None,
    );
    let items = app.history(10).unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].connection.id, id);
    assert_eq!(items[1].outcome, "closed 1001");
    assert_eq!(items[0].outcome, "connecting");
    for item in &items {
        let one = app
            .with_store(|s| Ok(s.history_outcome(item.connection.id)?))
            .unwrap();
        assert_eq!(one.label(item.connection.ended_at.is_some()), item.outcome);
    }
}

#[test]
fn node_kinds_and_export_formats() {
    assert_eq!(parse_node_kind("folder").unwrap(), NodeKind::Folder);
    assert_eq!(parse_node_kind("x").unwrap_err().code(), "app.invalid_kind");
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let c = app
        .create_node(NodeKind::Collection, "E", None, None)
        .unwrap();
    app.save_request(None, Some(c), bearer("R", "{{t}}"))
        .unwrap();
    let out = dir.path().join("e.k6.js");
    let n = app.export_to_file(c, ExportKind::K6, &out).unwrap();
    assert_eq!(std::fs::metadata(&out).unwrap().len() as usize, n);
    let e = app
        .export_to_file(c, ExportKind::Sockpit, dir.path())
        .unwrap_err();
    assert_eq!(e.code(), "app.io");
    assert!(e.to_string().contains("folder"), "{e}");
}

#[test]
fn saving_without_scripts_clears_them_and_keeping_leaves_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let mut scripted = bearer("S", "{{t}}");
    scripted.scripts.on_open = Some("sp.send('hi')".into());
    let saved = app.save_request(None, None, scripted).unwrap();
    // A face that sent no scripts field keeps the stored ones.
    app.save_request_keeping_scripts(Some(saved.id), None, bearer("S", "{{t}}"))
        .unwrap();
    let (kept, _) = app.load_request(saved.id).unwrap();
    assert_eq!(kept.scripts.on_open.as_deref(), Some("sp.send('hi')"));
    // The window clearing every hook saves them cleared.
    app.save_request(Some(saved.id), None, bearer("S", "{{t}}"))
        .unwrap();
    let (cleared, _) = app.load_request(saved.id).unwrap();
    assert!(cleared.scripts.is_empty());
}
