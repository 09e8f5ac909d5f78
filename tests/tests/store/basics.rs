//! The SQLite store on real files: pragmas, migrations, refusing newer or foreign files untouched,
//! locked databases, the collection tree round trip, request edits, history and its retention.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_core::collection::model::*;
use sockpit_core::store::{migrate, Store, DB_FILE};
use sockpit_core::ws::{ConnectConfig, SessionEvent, SessionHandle};
use sockpit_mock::MockServer;
use sockpit_tests::collections::sample_collection;

#[test]
fn a_new_store_has_wal_foreign_keys_and_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let store = Store::open_in(&data).unwrap();
    assert!(data.join(DB_FILE).exists());
    assert_eq!(store.schema_version().unwrap(), migrate::LATEST);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);
    let raw = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Reopening migrates nothing and keeps the data.
    let store = Store::open_in(&data).unwrap();
    assert_eq!(store.schema_version().unwrap(), migrate::LATEST);
}

#[test]
fn foreign_keys_cascade_and_collections_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let c = sample_collection("Demo");
    let id = store.insert_collection(&c).unwrap();
    assert_eq!(store.load_collection(id).unwrap(), c);
    let e = store.insert_collection(&c).unwrap_err();
    assert_eq!(e.code(), "store.duplicate_name");

    // Import renames on a clash and reports it.
    let out = store.import_collection(&c).unwrap();
    assert_eq!(out.name, "Demo (2)");
    assert_eq!(out.renamed_from.as_deref(), Some("Demo"));
    let list = store.list_collections().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].requests, 2);

    // Edit one request: messages and assertions replaced, place kept.
    let ids = store.request_ids(id).unwrap();
    let mut r = store.load_request(ids[0]).unwrap();
    r.messages.truncate(1);
    r.assertions.clear();
    r.name = "Echo 2".into();
    store.update_request(ids[0], &r).unwrap();
    let loaded = store.load_collection(id).unwrap();
    let Item::Request(first) = &loaded.items[0] else {
        panic!("first item is the request")
    };
    assert_eq!(**first, r);

    // Appending puts a request after the folder.
    let new_id = store.add_request(id, None, &r).unwrap();
    assert!(matches!(
        store.load_collection(id).unwrap().items[2],
        Item::Request(_)
    ));
    store.delete_request(new_id).unwrap();
    assert_eq!(
        store.delete_request(new_id).unwrap_err().code(),
        "store.not_found"
    );

    // Deleting a collection removes its tree (foreign keys on).
    store.delete_collection(id).unwrap();
    let raw = rusqlite::Connection::open(store.path()).unwrap();
    let n: i64 = raw
        .query_row(
            "SELECT count(*) FROM saved_messages m JOIN requests r ON r.id = m.request_id WHERE r.collection_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
    let orphans: i64 = raw
        .query_row(
            "SELECT count(*) FROM requests WHERE collection_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn globals_settings_and_environment_variables() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    store.set_global(&Variable::plain("g", "1")).unwrap();
    store.set_global(&Variable::plain("g", "2")).unwrap();
    store.set_global(&Variable::plain("h", "3")).unwrap();
    let g = store.globals().unwrap();
    assert_eq!(
        g,
        vec![Variable::plain("g", "2"), Variable::plain("h", "3")]
    );
    assert_eq!(store.history_max_connections().unwrap(), 100);
    store.set_setting("history.max_connections", "7").unwrap();
    assert_eq!(store.history_max_connections().unwrap(), 7);

    let id = store.insert_collection(&sample_collection("C")).unwrap();
    store
        .set_environment_variable(id, "ci", &Variable::plain("host", "h:1"))
        .unwrap();
    store
        .set_environment_variable(id, "dev", &Variable::plain("host", "h:2"))
        .unwrap();
    let c = store.load_collection(id).unwrap();
    assert_eq!(c.environments.len(), 2);
    assert_eq!(
        c.environments[0].variables[0],
        Variable::plain("host", "h:2")
    );
    assert_eq!(c.environments[1].name, "ci");
}

fn file_bytes(p: &std::path::Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = file_bytes(&path);
    let e = Store::open_in(dir.path()).unwrap_err();
    assert_eq!(e.code(), "store.newer_version");
    assert!(e.to_string().contains("version 99"), "{e}");
    assert!(e.to_string().contains("update Sockpit"), "{e}");
    assert_eq!(file_bytes(&path), before);
    assert!(!dir.path().join("sockpit.db-wal").exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let junk = b"this is not sqlite, just some text that happens to be long enough. ".repeat(20);
    std::fs::write(&path, &junk).unwrap();
    let e = Store::open_in(dir.path()).unwrap_err();
    assert_eq!(e.code(), "store.not_a_database", "{e}");
    assert_eq!(file_bytes(&path), junk);
}

#[test]
fn a_locked_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let c = sample_collection("Locked");
    let holder = rusqlite::Connection::open(store.path()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut fast = Store::open(store.path(), Duration::from_millis(200));
    // Opening may already fail on the lock; if it does not, the write does.
    let e = match &mut fast {
        Ok(s) => s.insert_collection(&c).unwrap_err(),
        Err(e) => e.clone(),
    };
    assert_eq!(e.code(), "store.locked", "{e}");
    assert!(e.to_string().contains("locked by another process"), "{e}");
    holder.execute_batch("ROLLBACK").unwrap();
    // Nothing was written; once free, the same save works.
    assert!(store.list_collections().unwrap().is_empty());
    store.insert_collection(&c).unwrap();
}

async fn record_flood(store: &mut Store, url: &str) -> (u64, sockpit_core::store::HistoryStats) {
    let rec = store
        .record_connection(Protocol::Websocket, url, None)
        .unwrap();
    let mut handle = SessionHandle::spawn(ConnectConfig::new(url));
    let mut seen = 0u64;
    while let Some(batch) = handle.next_batch().await {
        seen += batch.len() as u64;
        let ended = batch
            .iter()
            .any(|e| matches!(e, SessionEvent::Ended { .. }));
        rec.record_ws_owned(batch);
        if ended {
            break;
        }
    }
    (seen, rec.finish().unwrap())
}

#[tokio::test]
async fn history_keeps_every_event_and_prunes_old_connections() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    store.set_setting("history.max_connections", "2").unwrap();
    let url = format!("{}/flood?n=2000&size=8", mock.ws_url());
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (seen, stats) = record_flood(&mut store, &url).await;
        assert_eq!(stats.dropped, 0);
        assert_eq!(stats.events, seen, "every event is stored");
        assert_eq!(
            store.history_event_count(stats.connection_id).unwrap(),
            seen
        );
        ids.push(stats.connection_id);
    }
    let kept = store.history(10).unwrap();
    assert_eq!(
        kept.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    assert_eq!(
        store.history_event_count(ids[0]).unwrap(),
        0,
        "pruned with its events"
    );
    let events = store.history_events(ids[2], 0, 5000).unwrap();
    let texts = events.iter().filter(|e| e.kind == "text").count();
    assert_eq!(texts, 2000);
    assert!(events
        .iter()
        .any(|e| e.kind == "close" && e.code == Some(1000)));
    assert!(events.windows(2).all(|w| w[0].t_ns <= w[1].t_ns));
    assert_eq!(kept[0].events as usize, events.len());
}
