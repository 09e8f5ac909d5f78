//! A writer for the crash-safety test: saves requests into a store in a loop and prints
//! `saved N` after each commit, until it is killed.
//!
//! Usage: `store_writer DATA_DIR FIRST` — request names are `save FIRST`, `save FIRST+1`, ...;
//! every third save also rewrites the previous request (an update in place).

use std::io::Write;
use std::path::PathBuf;

use sockpit_core::collection::model::{Collection, Protocol, Request, SavedMessage};
use sockpit_core::store::Store;

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
    let mut store = match Store::open_in(&PathBuf::from(dir)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("store_writer: {e}");
            std::process::exit(1);
        }
    };
    let collection = match store.find_collection("Crash") {
        Ok(Some(id)) => id,
        Ok(None) => match store.insert_collection(&Collection {
            name: "Crash".into(),
            ..Default::default()
        }) {
            Ok(id) => id,
            Err(e) => {
                eprintln!("store_writer: {e}");
                std::process::exit(1);
            }
        },
        Err(e) => {
            eprintln!("store_writer: {e}");
            std::process::exit(1);
        }
    };
    let stdout = std::io::stdout();
    let mut previous: Option<(i64, Request)> = None;
    for n in first.. {
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
        let id = match store.add_request(collection, None, &request) {
            Ok(id) => id,
            Err(e) => {
                eprintln!("store_writer: {e}");
                std::process::exit(1);
            }
        };
        if n % 3 == 0 {
            if let Some((pid, mut prev)) = previous.take() {
                prev.description = format!("updated by {n}");
                if let Err(e) = store.update_request(pid, &prev) {
                    eprintln!("store_writer: {e}");
                    std::process::exit(1);
                }
            }
        }
        previous = Some((id, request));
        let mut out = stdout.lock();
        if writeln!(out, "saved {n}")
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}
