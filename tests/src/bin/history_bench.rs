//! The history benchmark's client: receives a flood with `SessionHandle` on a current-thread
//! runtime (as `sockpit` does), first without history, then forwarding every batch to a
//! `HistoryRecorder`, and prints the receive times and the persisted rate.
//!
//! Usage: `history_bench WS_URL DATA_DIR` (see tests/bench/history_bench.sh).

use std::time::{Duration, Instant};

use sockpit_core::collection::model::Protocol;
use sockpit_core::store::Store;
use sockpit_core::ws::{ConnectConfig, Direction, SessionEvent, SessionHandle};

/// Receives until the session ends; returns (data messages, events, time to the last event).
async fn receive(url: &str, mut sink: impl FnMut(Vec<SessionEvent>)) -> (u64, u64, Duration) {
    let mut handle = SessionHandle::spawn(ConnectConfig::new(url));
    let started = Instant::now();
    let (mut messages, mut events) = (0u64, 0u64);
    while let Some(batch) = handle.next_batch().await {
        events += batch.len() as u64;
        let mut ended = false;
        for ev in &batch {
            match ev {
                SessionEvent::Message {
                    dir: Direction::In, ..
                } => messages += 1,
                SessionEvent::Error { error, .. } => eprintln!("history_bench: {error}"),
                SessionEvent::Ended { .. } => ended = true,
                _ => {}
            }
        }
        sink(batch);
        if ended {
            break;
        }
    }
    (messages, events, started.elapsed())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: history_bench WS_URL DATA_DIR");
        std::process::exit(2);
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("history_bench: {e}");
            std::process::exit(1);
        }
    };
    let mut store = match Store::open_in(std::path::Path::new(&dir)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("history_bench: {e}");
            std::process::exit(1);
        }
    };
    rt.block_on(async {
        let (n, _, base) = receive(&url, drop).await;
        println!(
            "receive only:       {n} messages in {:.3} s ({:.0} msg/s)",
            base.as_secs_f64(),
            n as f64 / base.as_secs_f64()
        );
        let rec = match store.record_connection(Protocol::Websocket, &url, None) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("history_bench: {e}");
                std::process::exit(1);
            }
        };
        let started = Instant::now();
        let (n, events, with) = receive(&url, |b| rec.record_ws_owned(b)).await;
        let stats = match rec.finish() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("history_bench: {e}");
                std::process::exit(1);
            }
        };
        let total = started.elapsed();
        println!(
            "receive + history:  {n} messages in {:.3} s ({:.0} msg/s, {:.2}x the time without history)",
            with.as_secs_f64(),
            n as f64 / with.as_secs_f64(),
            with.as_secs_f64() / base.as_secs_f64()
        );
        println!(
            "persisted:          {} of {events} events in {:.3} s from connect to last commit => {:.0} events/s; dropped {}; {:.3} s inside write transactions",
            stats.events,
            total.as_secs_f64(),
            stats.events as f64 / total.as_secs_f64(),
            stats.dropped,
            stats.write_time.as_secs_f64()
        );
        let stored = store.history_event_count(stats.connection_id).unwrap_or(0);
        println!("stored rows:        {stored}");
        if stats.dropped > 0 || stored != events {
            std::process::exit(1);
        }
    });
}
