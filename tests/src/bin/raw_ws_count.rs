//! The benchmark's floor: a bare tokio-tungstenite loop that counts what it receives, nothing more.
//!
//! `raw_ws_count URL` prints `MESSAGES BYTES` when the server closes.

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: raw_ws_count ws://HOST:PORT/PATH");
        std::process::exit(2);
    };
    let (mut ws, _) = match tokio_tungstenite::connect_async(url.as_str()).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("raw_ws_count: cannot connect to {url}: {e}");
            std::process::exit(1);
        }
    };
    let (mut messages, mut bytes) = (0u64, 0u64);
    while let Some(Ok(m)) = ws.next().await {
        match m {
            Message::Text(t) => {
                messages += 1;
                bytes += t.len() as u64;
            }
            Message::Binary(b) => {
                messages += 1;
                bytes += b.len() as u64;
            }
            _ => {}
        }
    }
    println!("{messages} {bytes}");
}
