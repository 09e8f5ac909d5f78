//! Routes that test a client's edges: `/drop` resets the TCP connection without a close frame,
//! `/fragment` sends one message split into continuation frames (written by hand on the upgraded
//! connection: axum's WebSocket cannot fragment), `/pings` sends a ping storm and reports the
//! pongs it got back, `/oversize` sends one message of a given size.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::routes::echo_loop;
use crate::AppState;

pub(crate) async fn drop_connection(
    ws: WebSocketUpgrade,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<HashMap<String, String>>,
    State(state): State<AppState>,
) -> Response {
    let ms: u64 = q.get("ms").and_then(|v| v.parse().ok()).unwrap_or(0);
    let times: u32 = q.get("times").and_then(|v| v.parse().ok()).unwrap_or(1);
    let should_drop = match q.get("key") {
        None => true,
        Some(key) => {
            let mut drops = state.drops.lock().unwrap_or_else(|e| e.into_inner());
            let n = drops.entry(key.clone()).or_insert(0);
            if *n < times {
                *n += 1;
                true
            } else {
                false
            }
        }
    };
    let fd = state
        .sockets
        .lock()
        .ok()
        .and_then(|m| m.get(&peer).copied());
    ws.on_upgrade(move |socket: WebSocket| async move {
        if !should_drop {
            return echo_loop(socket).await;
        }
        tokio::time::sleep(Duration::from_millis(ms)).await;
        if let Some(fd) = fd {
            // SO_LINGER 0 turns the close below into a TCP RST.
            // SAFETY: the connection (and so the descriptor) is alive while `socket` is held.
            let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            let _ = socket2::SockRef::from(&borrowed).set_linger(Some(Duration::ZERO));
        }
        drop(socket);
    })
}

fn param<T: std::str::FromStr>(q: &HashMap<String, String>, name: &str, default: T) -> T {
    q.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn flag(q: &HashMap<String, String>, name: &str) -> bool {
    matches!(q.get(name).map(String::as_str), Some("1" | "true" | "yes"))
}

/// The payload of `/fragment` and `/oversize`: `size` bytes of `abc...xyz` repeated.
pub fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| b'a' + (i % 26) as u8).collect()
}

/// One unmasked server frame.
fn frame(out: &mut Vec<u8>, fin: bool, opcode: u8, payload: &[u8]) {
    out.push(if fin { 0x80 } else { 0 } | opcode);
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= u16::MAX as usize => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
}

/// The frames of `/fragment`: a text (or binary) message of `size` bytes in `parts` frames (the
/// first with the data opcode, the rest continuations, FIN on the last), optionally a ping between
/// the first two, then a close 1000.
pub fn fragment_frames(parts: usize, size: usize, binary: bool, ping: bool) -> Vec<u8> {
    let parts = parts.max(1);
    let payload = pattern(size);
    let chunk = size.div_ceil(parts).max(1);
    let mut out = Vec::with_capacity(size + parts * 10 + 16);
    for i in 0..parts {
        let start = (i * chunk).min(size);
        let end = ((i + 1) * chunk).min(size);
        let opcode = match (i, binary) {
            (0, true) => 0x2,
            (0, false) => 0x1,
            _ => 0x0,
        };
        frame(&mut out, i + 1 == parts, opcode, &payload[start..end]);
        if ping && i == 0 && parts > 1 {
            frame(&mut out, true, 0x9, b"mid-message");
        }
    }
    let mut close = 1000u16.to_be_bytes().to_vec();
    close.extend_from_slice(b"fragments sent");
    frame(&mut out, true, 0x8, &close);
    out
}

/// `/fragment?parts=N&size=BYTES[&binary=1][&ping=1]`: answers the upgrade by hand and writes the
/// frames itself.
pub(crate) async fn fragment(
    Query(q): Query<HashMap<String, String>>,
    mut req: Request,
) -> Response {
    let parts: usize = param(&q, "parts", 4).clamp(1, 100_000);
    let size: usize = param(&q, "size", 1024).min(256 << 20);
    let frames = fragment_frames(parts, size, flag(&q, "binary"), flag(&q, "ping"));
    let key = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().to_vec());
    let is_upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let (Some(key), true) = (key, is_upgrade) else {
        return (
            StatusCode::BAD_REQUEST,
            "/fragment is a WebSocket route: send an upgrade request\n",
        )
            .into_response();
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let mut io = hyper_util::rt::TokioIo::new(upgraded);
        if io.write_all(&frames).await.is_err() || io.flush().await.is_err() {
            return;
        }
        // Read what the client sends (pongs) until its close reply, then end the TCP
        // connection: the server closes it first (RFC 6455 §7.1.1).
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match io.read(&mut chunk).await {
                    Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                    _ => return,
                }
                while let Some((opcode, len)) = client_frame(&buf) {
                    if opcode == 0x8 {
                        return;
                    }
                    buf.drain(..len);
                }
            }
        })
        .await;
        let _ = io.shutdown().await;
    });
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(&key);
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The opcode and total length of the first complete (masked) client frame in `buf`.
fn client_frame(buf: &[u8]) -> Option<(u8, usize)> {
    let opcode = buf.first()? & 0x0f;
    let b1 = *buf.get(1)?;
    let masked = if b1 & 0x80 != 0 { 4 } else { 0 };
    let (len, head) = match b1 & 0x7f {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => {
            let b: [u8; 8] = buf.get(2..10)?.try_into().ok()?;
            (usize::try_from(u64::from_be_bytes(b)).ok()?, 10)
        }
        n => (n as usize, 2),
    };
    let total = head + masked + len;
    (buf.len() >= total).then_some((opcode, total))
}

/// `/pings?n=&interval=`: sends `n` pings (payload `ping-I`) every `interval` ms, counts the
/// matching pongs, then reports `{"pings":n,"pongs":k}` and closes with 1000.
pub(crate) async fn pings(
    ws: WebSocketUpgrade,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let n: u64 = param(&q, "n", 10).min(1_000_000);
    let interval = Duration::from_millis(param(&q, "interval", 10));
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let mut pongs = 0u64;
        let mut sent = 0u64;
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let is_ours = |p: &Bytes| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|s| s.strip_prefix("ping-"))
                .and_then(|i| i.parse::<u64>().ok())
                .is_some_and(|i| i < n)
        };
        while sent < n {
            tokio::select! {
                _ = tick.tick() => {
                    let payload = Bytes::from(format!("ping-{sent}"));
                    if socket.send(Message::Ping(payload)).await.is_err() {
                        return;
                    }
                    sent += 1;
                }
                m = socket.recv() => match m {
                    Some(Ok(Message::Pong(p))) if is_ours(&p) => pongs += 1,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
            }
        }
        // The last pongs are still on their way: wait for them, up to 2 s.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while pongs < n {
                match socket.recv().await {
                    Some(Ok(Message::Pong(p))) if is_ours(&p) => pongs += 1,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        let report = format!(r#"{{"pings":{n},"pongs":{pongs}}}"#);
        if socket.send(Message::text(report)).await.is_err() {
            return;
        }
        let close = CloseFrame {
            code: 1000,
            reason: Utf8Bytes::from_static("ping storm over"),
        };
        if socket.send(Message::Close(Some(close))).await.is_ok() {
            while let Some(Ok(_)) = socket.recv().await {}
        }
    })
}

/// `/oversize?size=BYTES[&binary=1]`: one message of `size` bytes (default 16 MiB), then echoes.
pub(crate) async fn oversize(
    ws: WebSocketUpgrade,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let size: usize = param(&q, "size", 16 << 20).min(512 << 20);
    let binary = flag(&q, "binary");
    ws.max_message_size(512 << 20)
        .max_frame_size(512 << 20)
        .on_upgrade(move |mut socket: WebSocket| async move {
            let payload = pattern(size);
            let msg = if binary {
                Message::Binary(Bytes::from(payload))
            } else {
                match String::from_utf8(payload) {
                    Ok(s) => Message::text(s),
                    Err(_) => return,
                }
            };
            if socket.send(msg).await.is_ok() {
                echo_loop(socket).await;
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_carry_the_whole_payload_with_fin_on_the_last() {
        let f = fragment_frames(3, 10, false, true);
        // text, FIN 0, 4 bytes
        assert_eq!(&f[..6], &[0x01, 4, b'a', b'b', b'c', b'd']);
        // the ping between fragments
        assert_eq!(f[6], 0x89);
        let rest = &f[6 + 2 + 11..];
        assert_eq!(&rest[..6], &[0x00, 4, b'e', b'f', b'g', b'h']);
        assert_eq!(&rest[6..10], &[0x80, 2, b'i', b'j']);
        assert_eq!(rest[10], 0x88);
        let big = fragment_frames(1, 70_000, true, false);
        assert_eq!(&big[..2], &[0x82, 127]);
    }
}
