//! The well-behaved WebSocket routes: echo, flood, close, slow, headers, reject (`/broadcast` is in
//! `rooms.rs`).

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::SinkExt;

type Params = Query<HashMap<String, String>>;

fn param<T: std::str::FromStr>(q: &HashMap<String, String>, name: &str, default: T) -> T {
    q.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Echoes data messages until the client closes. After a close frame the loop reads on, so that the
/// automatic close reply is flushed before the socket is dropped.
pub(crate) async fn echo_loop(mut socket: WebSocket) {
    while let Some(Ok(msg)) = socket.recv().await {
        let reply = match msg {
            Message::Text(_) | Message::Binary(_) => msg,
            _ => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}

pub(crate) async fn echo(ws: WebSocketUpgrade, Query(q): Params) -> Response {
    let ws = match q.get("protocols") {
        Some(list) => ws.protocols(
            list.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>(),
        ),
        None => ws,
    };
    ws.max_message_size(256 << 20)
        .max_frame_size(256 << 20)
        .on_upgrade(echo_loop)
}

pub(crate) async fn flood(ws: WebSocketUpgrade, Query(q): Params) -> Response {
    let n: u64 = param(&q, "n", 1000);
    let size: usize = param(&q, "size", 32);
    let binary = matches!(q.get("binary").map(String::as_str), Some("1" | "true"));
    // `rate=R`: at most R messages per second, paced in 10 ms ticks (0 = as fast as possible).
    let rate: u64 = param(&q, "rate", 0);
    // `numbered=1`: text messages start with their zero-padded index, so each one can be searched for.
    let numbered = matches!(q.get("numbered").map(String::as_str), Some("1" | "true"));
    // `json=1`: text messages are `{"n":INDEX,"pad":"xx…"}`, padded to `size` (script benchmarks).
    let json = matches!(q.get("json").map(String::as_str), Some("1" | "true"));
    ws.write_buffer_size(256 * 1024)
        .on_upgrade(move |mut socket| async move {
            let msg = if binary {
                Message::Binary(Bytes::from(vec![0xa5u8; size]))
            } else {
                Message::Text(Utf8Bytes::from("x".repeat(size)))
            };
            let per_tick = if rate == 0 {
                u64::MAX
            } else {
                rate.div_ceil(100)
            };
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(10));
            let mut i = 0u64;
            while i < n {
                if rate > 0 {
                    tick.tick().await;
                }
                let end = n.min(i.saturating_add(per_tick));
                while i < end {
                    let m = if json && !binary {
                        let head = format!("{{\"n\":{i},\"pad\":\"");
                        let pad = size.saturating_sub(head.len() + 2);
                        Message::Text(Utf8Bytes::from(head + &"x".repeat(pad) + "\"}"))
                    } else if numbered && !binary {
                        let head = format!("{i:08} ");
                        let pad = size.saturating_sub(head.len());
                        Message::Text(Utf8Bytes::from(head + &"x".repeat(pad)))
                    } else {
                        msg.clone()
                    };
                    if socket.feed(m).await.is_err() {
                        return;
                    }
                    i += 1;
                }
                if rate > 0 && socket.flush().await.is_err() {
                    return;
                }
            }
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: 1000,
                    reason: Utf8Bytes::from_static("flood done"),
                })))
                .await;
            // Wait for the client's close reply.
            while let Some(Ok(_)) = socket.recv().await {}
        })
}

pub(crate) async fn close(ws: WebSocketUpgrade, Query(q): Params) -> Response {
    let code: u16 = param(&q, "code", 1000);
    let reason = q.get("reason").cloned().unwrap_or_default();
    ws.on_upgrade(move |mut socket| async move {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from(reason),
            })))
            .await;
        while let Some(Ok(_)) = socket.recv().await {}
    })
}

pub(crate) async fn slow(ws: WebSocketUpgrade, Query(q): Params) -> Response {
    let ms: u64 = param(&q, "ms", 1000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    ws.on_upgrade(echo_loop)
}

pub(crate) async fn headers(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let seen: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                serde_json::Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    let report = serde_json::json!({ "headers": seen, "query": q }).to_string();
    ws.on_upgrade(move |mut socket| async move {
        if socket.send(Message::Text(report.into())).await.is_ok() {
            echo_loop(socket).await;
        }
    })
}

pub(crate) async fn reject(Query(q): Params) -> Response {
    let status = StatusCode::from_u16(param(&q, "status", 401)).unwrap_or(StatusCode::UNAUTHORIZED);
    let body = q
        .get("body")
        .cloned()
        .unwrap_or_else(|| format!("rejected with {status}"));
    (status, [("content-type", "text/plain")], Body::from(body)).into_response()
}
