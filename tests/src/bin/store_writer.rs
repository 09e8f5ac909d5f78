//! A writer for the crash-safety test: writes into a store in a loop, the kinds of write the
//! window and the CLI make, and prints one line after each commit, until it is killed.
//!
//! Usage: `store_writer DATA_DIR FIRST`. Write `n` (from FIRST on) is, by `n % 8`:
//! - 0–4: a saved request `save n` with four messages (`saved n`); every third one also rewrites
//!   the previous request in place;
//! - 5: an import (through `App`, as `sockpit import` and the window do) of collection `Import n`
//!   with a secret collection variable `token` = `v-n` (`imported n`);
//! - 6: a rename of the oldest `Import k` collection to `Renamed k`, its secret moving along
//!   (`renamed k`);
//! - 7: an environment `env n` with a secret variable added to collection `Crash` (`env n`).
//!
//! Meanwhile a second thread records a flooding session into history: one connection per run,
//! an `open` and then batches of 64 messages `flood I` as fast as the recorder takes them.
//! Secrets live in the database fallback (the test runs without a Secret Service).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use sockpit_core::app::{App, AppError, EnvVarInput};
use sockpit_core::collection::import::{Format, Imported};
use sockpit_core::collection::model::{
    Collection, Item, Protocol, Request, SavedMessage, Variable,
};
use sockpit_core::store::{NodeKind, Store};
use sockpit_core::ws::event::{DataKind, Direction, SessionEvent, UpgradeReport};

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("store_writer: {e}");
    std::process::exit(1);
}

/// Runs one write, again while the database is busy (a loaded machine can starve the history
/// writer while it holds the lock past the busy timeout; the window would show `store.locked`
/// and the user would try again). Any other error ends the writer.
fn retry<T>(mut write: impl FnMut() -> Result<T, AppError>) -> T {
    for _ in 0..100 {
        match write() {
            Ok(v) => return v,
            Err(e) if e.code() == "store.locked" => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => fail(e),
        }
    }
    fail("the database stayed locked")
}

fn ack(line: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Records a flooding session into history until the process dies.
fn flood(dir: &Path) {
    let mut store = Store::open_in(dir).unwrap_or_else(|e| fail(e));
    let recorder = store
        .record_connection(Protocol::Websocket, "ws://127.0.0.1:1/flood", None)
        .unwrap_or_else(|e| fail(e));
    drop(store);
    let report = UpgradeReport {
        url: "ws://127.0.0.1:1/flood".into(),
        request_line: "GET /flood HTTP/1.1".into(),
        request_headers: Vec::new(),
        status: 101,
        response_headers: Vec::new(),
        protocol: None,
        extensions: None,
        elapsed: Duration::ZERO,
        handshake: Duration::ZERO,
        raw_request: None,
        raw_response: None,
    };
    recorder.record_ws_owned(vec![SessionEvent::Open {
        t: 1,
        report: Box::new(report),
    }]);
    for batch in 0u64.. {
        let events = (0..64)
            .map(|i| {
                let n = batch * 64 + i;
                SessionEvent::Message {
                    t: n + 2,
                    dir: Direction::In,
                    kind: DataKind::Text,
                    data: Bytes::from(format!("flood {n}")),
                }
            })
            .collect();
        recorder.record_ws_owned(events);
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn save(
    store: &mut Store,
    collection: i64,
    n: u64,
    previous: &mut Option<(i64, Request)>,
) -> Result<(), AppError> {
    let request = Request {
        name: format!("save {n}"),
        protocol: Protocol::Websocket,
        url: format!("ws://127.0.0.1:1/{n}"),
        messages: (0..4)
            .map(|i| SavedMessage {
                name: format!("m{i}"),
                body: format!("{n}-{i}-").repeat(40),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let id = store.add_request(collection, None, &request)?;
    if n % 3 == 0 {
        if let Some((pid, prev)) = previous {
            prev.description = format!("updated by {n}");
            store.update_request(*pid, prev)?;
        }
    }
    *previous = Some((id, request));
    Ok(())
}

fn import(app: &App, n: u64) {
    let collection = Collection {
        name: format!("Import {n}"),
        variables: vec![Variable {
            name: "token".into(),
            value: Some(format!("v-{n}")),
            secret: true,
            ..Default::default()
        }],
        items: vec![Item::Request(Box::new(Request {
            name: format!("hello {n}"),
            protocol: Protocol::Websocket,
            url: "ws://127.0.0.1:1/{{token}}".into(),
            ..Default::default()
        }))],
        ..Default::default()
    };
    let imported = Imported {
        collection,
        format: Format::Sockpit,
        warnings: Vec::new(),
    };
    let summary = retry(|| app.import_collection(imported.clone()));
    if summary.name != format!("Import {n}") {
        fail(format!("imported as {:?}", summary.name));
    }
}

/// Renames the oldest `Import k` to `Renamed k`; returns k.
fn rename(app: &App) -> Option<u64> {
    let found = retry(|| {
        app.with_store(|s| {
            Ok(s.list_collections()?
                .into_iter()
                .filter_map(|c| {
                    let k = c.name.strip_prefix("Import ")?.parse::<u64>().ok()?;
                    Some((k, c.id))
                })
                .min())
        })
    });
    let (k, id) = found?;
    retry(|| app.rename_node(NodeKind::Collection, id, &format!("Renamed {k}")));
    Some(k)
}

/// Adds environment `env n` to `collection`, then gives it a secret variable (two writes, as the
/// window makes them).
fn environment(app: &App, collection: i64, n: u64) {
    let id = retry(|| app.create_environment(collection, &format!("env {n}")));
    let key = EnvVarInput {
        name: "key".into(),
        value: format!("k-{n}"),
        secret: true,
    };
    retry(|| app.update_environment(id, "", vec![key.clone()]));
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(first)) = (args.next(), args.next()) else {
        eprintln!("usage: store_writer DATA_DIR FIRST");
        std::process::exit(2);
    };
    let Ok(first) = first.parse::<u64>() else {
        eprintln!("FIRST must be a number");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let app = App::new(&dir);
    let collection = app
        .with_store(|store| {
            Ok(match store.find_collection("Crash")? {
                Some(id) => id,
                None => store.insert_collection(&Collection {
                    name: "Crash".into(),
                    ..Default::default()
                })?,
            })
        })
        .unwrap_or_else(|e| fail(e));
    let flood_dir = dir.clone();
    std::thread::spawn(move || flood(&flood_dir));
    let mut previous: Option<(i64, Request)> = None;
    for n in first.. {
        match n % 8 {
            5 => {
                import(&app, n);
                ack(&format!("imported {n}"));
            }
            6 => {
                if let Some(k) = rename(&app) {
                    ack(&format!("renamed {k}"));
                }
            }
            7 => {
                environment(&app, collection, n);
                ack(&format!("env {n}"));
            }
            _ => {
                retry(|| app.with_store(|store| save(store, collection, n, &mut previous)));
                ack(&format!("saved {n}"));
            }
        }
    }
}
