//! Hostile servers get bounded memory and a clear ending: a frame header claiming 2 GiB, a
//! fragmented message that never ends, and a ping storm, each from a raw server that completes the
//! handshake by hand and then streams its bytes. The real `sockpit connect` is watched from
//! outside: its peak resident memory (`VmHWM`), its exit, and the close frame the server got.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use sockpit_tests::servers::first_client_frame;
use sockpit_tests::sockpit_bin;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Far below what the attacks would take unbounded (2 GiB; a message without end).
const PEAK_LIMIT_KB: u64 = 300 * 1024;

/// What the server streams after the handshake.
#[derive(Clone, Copy)]
enum Attack {
    /// One binary frame header claiming 2 GiB of payload, then a little of it.
    HugeHeader,
    /// A text message begun and continued forever, 64 KiB per fragment.
    EndlessFragments,
    /// Pings without pause, with one text message `hello` after the first 100 000.
    PingStorm,
}

/// Completes the handshake, then streams `attack` until the client stops reading; reports the
/// first frame the client sent (its close) as (opcode, payload).
async fn hostile_server(attack: Attack) -> (u16, oneshot::Receiver<Option<(u8, Vec<u8>)>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let Ok((s, _)) = listener.accept().await else {
            return;
        };
        let _ = tx.send(serve(s, attack).await);
    });
    (port, rx)
}

async fn serve(mut s: TcpStream, attack: Attack) -> Option<(u8, Vec<u8>)> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(s.read_u8().await.ok()?);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let key = head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case("sec-websocket-key")
            .then(|| v.trim().to_string())
    })?;
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    s.write_all(response.as_bytes()).await.ok()?;
    let (mut read, mut write) = s.into_split();
    // Whatever the client sends (pongs, then its close) is read alongside.
    let mut reader = tokio::spawn(async move {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match tokio::time::timeout(Duration::from_secs(20), read.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
                _ => return got,
            }
        }
    });
    let writing = async {
        match attack {
            Attack::HugeHeader => {
                let mut frame = vec![0x82, 127];
                frame.extend_from_slice(&(2u64 << 30).to_be_bytes());
                frame.extend_from_slice(&[0u8; 4096]);
                write.write_all(&frame).await?;
                // Keep the connection open: the client must end it.
                tokio::time::sleep(Duration::from_secs(20)).await;
            }
            Attack::EndlessFragments => {
                let payload = vec![b'x'; 64 * 1024];
                let mut first = vec![0x01, 127];
                first.extend_from_slice(&(payload.len() as u64).to_be_bytes());
                first.extend_from_slice(&payload);
                write.write_all(&first).await?;
                let mut next = vec![0x00, 127];
                next.extend_from_slice(&(payload.len() as u64).to_be_bytes());
                next.extend_from_slice(&payload);
                loop {
                    write.write_all(&next).await?;
                }
            }
            Attack::PingStorm => {
                let pings: Vec<u8> = [0x89u8, 4, b'p', b'i', b'n', b'g'].repeat(10_000);
                for _ in 0..10 {
                    write.write_all(&pings).await?;
                }
                write
                    .write_all(&[0x81, 5, b'h', b'e', b'l', b'l', b'o'])
                    .await?;
                loop {
                    write.write_all(&pings).await?;
                }
            }
        }
        Ok::<(), std::io::Error>(())
    };
    // Until the client hangs up (the reader ends) or 30 s pass.
    let got = tokio::select! {
        got = &mut reader => got.ok()?,
        _ = tokio::time::timeout(Duration::from_secs(30), writing) => reader.await.ok()?,
    };
    // Skip the pongs: the first frame that is not a pong (opcode 0xA).
    let mut at = 0;
    while at + 2 <= got.len() {
        let len = (got[at + 1] & 0x7f) as usize;
        if got[at] & 0x0f != 0x0a || len > 125 {
            return first_client_frame(&got[at..]);
        }
        at += 2 + 4 + len;
    }
    None
}

struct Watched {
    status: i32,
    stdout: String,
    stderr: String,
    peak_kb: u64,
    took: Duration,
}

/// Runs `sockpit connect URL --json ARGS`, sampling its peak resident memory until it exits.
async fn connect_watched(port: u16, args: &[&str]) -> Watched {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(sockpit_bin())
        .arg("connect")
        .arg(format!("ws://127.0.0.1:{port}/"))
        .arg("--json")
        .args(args)
        .env_remove("RUST_LOG")
        // Held open: `connect` closes when its stdin ends.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let _stdin = child.stdin.take();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s).await;
        s
    });
    let err = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        match tokio::time::timeout(Duration::from_millis(10), child.wait()).await {
            Ok(status) => break status.unwrap(),
            Err(_) if started.elapsed() > Duration::from_secs(40) => {
                panic!("sockpit connect did not end within 40 s under attack")
            }
            Err(_) => {}
        }
    };
    eprintln!(
        "sockpit connect {args:?}: peak RSS {peak_kb} KiB, ended in {:?}",
        started.elapsed()
    );
    Watched {
        status: status.code().unwrap_or(-1),
        stdout: out.await.unwrap(),
        stderr: err.await.unwrap(),
        peak_kb,
        took: started.elapsed(),
    }
}

fn events(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn close_code(frame: &Option<(u8, Vec<u8>)>) -> Option<u16> {
    match frame {
        Some((0x8, payload)) if payload.len() >= 2 => {
            Some(u16::from_be_bytes([payload[0], payload[1]]))
        }
        _ => None,
    }
}

#[tokio::test]
async fn a_2_gib_frame_header_is_refused_with_1009_without_buffering_it() {
    let (port, sent) = hostile_server(Attack::HugeHeader).await;
    let w = connect_watched(port, &[]).await;
    let frame = sent.await.unwrap();
    assert_eq!(
        close_code(&frame),
        Some(1009),
        "the client closed with Message Too Big: {frame:?}\n{}\n{}",
        w.stdout,
        w.stderr
    );
    assert_ne!(w.status, 0, "a refused message is a failure");
    assert!(
        w.stderr.to_lowercase().contains("too")
            || w.stdout.to_lowercase().contains("too")
            || w.stdout.contains("1009"),
        "the error says what was too big: {}\n{}",
        w.stdout,
        w.stderr
    );
    assert!(
        w.peak_kb < PEAK_LIMIT_KB,
        "peak memory {} KiB while refusing a 2 GiB frame",
        w.peak_kb
    );
    assert!(w.took < Duration::from_secs(10), "it ended in {:?}", w.took);
}

#[tokio::test]
async fn an_endless_fragmented_message_ends_at_the_message_limit_with_1009() {
    let (port, sent) = hostile_server(Attack::EndlessFragments).await;
    // A 4 MiB limit instead of the default 64 MiB keeps the test quick.
    let w = connect_watched(port, &["--max-message-size", "4194304"]).await;
    let frame = sent.await.unwrap();
    assert_eq!(
        close_code(&frame),
        Some(1009),
        "the client closed with Message Too Big: {frame:?}\n{}\n{}",
        w.stdout,
        w.stderr
    );
    assert_ne!(w.status, 0);
    assert!(
        w.peak_kb < PEAK_LIMIT_KB,
        "peak memory {} KiB for a message capped at 4 MiB",
        w.peak_kb
    );
    let received = events(&w.stdout)
        .iter()
        .filter(|e| e["event"] == "message" && e["dir"] == "in")
        .count();
    assert_eq!(received, 0, "no partial message is delivered");
}

#[tokio::test]
async fn a_ping_storm_is_answered_in_bounded_memory_and_a_message_still_gets_through() {
    let (port, sent) = hostile_server(Attack::PingStorm).await;
    let w = connect_watched(port, &["--count", "1"]).await;
    let frame = sent.await.unwrap();
    let evs = events(&w.stdout);
    let hello = evs
        .iter()
        .any(|e| e["event"] == "message" && e["dir"] == "in" && e["data"] == "hello");
    assert!(
        hello,
        "the message between the pings arrived: {}\n{}",
        w.stdout.lines().take(5).collect::<Vec<_>>().join("\n"),
        w.stderr
    );
    assert_eq!(w.status, 0, "{}", w.stderr);
    assert_eq!(
        close_code(&frame),
        Some(1000),
        "a normal close after --count 1: {frame:?}"
    );
    assert!(
        w.peak_kb < PEAK_LIMIT_KB,
        "peak memory {} KiB under a ping storm",
        w.peak_kb
    );
}
