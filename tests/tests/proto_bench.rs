//! Benchmark (issue 5, item 10): decoding small messages to the in-memory form (`DynamicMessage`),
//! with JSON rendered lazily — only the decode is on the hot path. Target: ≥ 1M messages/s.
//!
//! `cargo test --release -p sockpit-tests --test proto_bench -- --ignored --nocapture`
//! Figures are the best of several short rounds, since the machine may be busy.

use std::path::Path;
use std::time::{Duration, Instant};

use sockpit_core::proto::{self, JsonOptions, Schema};

fn demo_schema() -> Schema {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../collections/protos/sockpit_demo.proto");
    Schema::load(&[path], &[]).expect("the demo schema loads")
}

/// Runs `f` over `msgs` in `rounds` rounds of `each`; returns the best round's messages per
/// second (the machine is shared, so the best round is the least disturbed one).
fn rate(msgs: &[Vec<u8>], rounds: u32, each: Duration, mut f: impl FnMut(&[u8])) -> f64 {
    let mut best: f64 = 0.0;
    for _ in 0..rounds {
        let start = Instant::now();
        let mut n: u64 = 0;
        while start.elapsed() < each {
            for m in msgs {
                f(m);
            }
            n += msgs.len() as u64;
        }
        best = best.max(n as f64 / start.elapsed().as_secs_f64());
    }
    best
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn decode_small_messages() {
    let schema = demo_schema();
    let desc = schema.message("sockpit.demo.Envelope").unwrap();
    let samples = [
        r#"{"seq": "1", "trade": {"symbol": "ACME", "side": "BUY", "price": 101.25, "quantity": "300"}}"#,
        r#"{"seq": "2", "quote": {"symbol": "ACME", "bid": 101.2, "ask": 101.3}}"#,
        r#"{"seq": "3", "chat": {"user": "ann", "text": "hello", "mentions": ["bob"]}}"#,
        r#"{"seq": "4", "heartbeat": {"seq": "4"}, "sentAt": "2024-01-01T00:00:00Z"}"#,
    ];
    let msgs: Vec<Vec<u8>> = samples
        .iter()
        .map(|j| proto::encode(&proto::from_json(&desc, j).unwrap()))
        .collect();
    let avg = msgs.iter().map(Vec::len).sum::<usize>() as f64 / msgs.len() as f64;
    let mut sink = 0usize;
    let round = Duration::from_millis(400);
    let decode = rate(&msgs, 8, round, |b| {
        let m = proto::decode(&desc, b).expect("decodes");
        sink += m.fields().count();
    });
    let raw = rate(&msgs, 3, round, |b| {
        sink += proto::decode_raw(b, proto::DEFAULT_MAX_DEPTH)
            .unwrap()
            .len();
    });
    let opts = JsonOptions::default();
    let json = rate(&msgs, 3, round, |b| {
        let m = proto::decode(&desc, b).unwrap();
        sink += proto::to_json_string(&m, &opts, false).unwrap().len();
    });
    println!(
        "proto bench: {} messages of {avg:.0} bytes on average (sink {sink})",
        msgs.len()
    );
    println!("  decode to DynamicMessage: {decode:>12.0} messages/s");
    println!("  raw decode (no schema):   {raw:>12.0} messages/s");
    println!("  decode + render JSON:     {json:>12.0} messages/s");
    if cfg!(debug_assertions) {
        println!("  (debug build: figures are not representative; use --release)");
    } else {
        assert!(
            decode >= 1_000_000.0,
            "decode rate {decode:.0}/s is under the 1M/s target"
        );
    }
}
