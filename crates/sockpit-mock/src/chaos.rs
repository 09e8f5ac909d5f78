//! Routes that misbehave on purpose: `/drop` resets the TCP connection without a close frame.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::response::Response;

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
