//! `/broadcast`: a chat-style relay with rooms. JSON actions join and leave rooms and send to a
//! room's members; any other message goes to every other client (the route's original behaviour).
//!
//! Protocol (client → server, server → client):
//! - `{"action":"join","room":"r"}` → `{"type":"joined","room":"r","id":ID,"members":N}`
//! - `{"action":"leave","room":"r"}` → `{"type":"left","room":"r","id":ID,"members":N}`
//! - `{"action":"message","room":"r","data":X}` → every member of `r`, the sender included:
//!   `{"type":"message","room":"r","from":ID,"data":X}`
//! - a bad action (unknown action, no room, leaving or sending to a room not joined) →
//!   `{"type":"error","error":"..","request":<the message>}`
//!
//! Each member has a bounded queue; a member too slow to take its messages loses them rather than
//! stalling the room. The room table's lock is never held across an `.await`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::AppState;

/// Members of each room: client id → its queue.
pub(crate) type Rooms = Arc<Mutex<HashMap<String, HashMap<u64, mpsc::Sender<Message>>>>>;

/// Messages queued for one member before it counts as too slow.
const MEMBER_QUEUE: usize = 1024;

pub(crate) async fn broadcast(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.on_upgrade(move |socket| async move {
        let me = state.next_client.fetch_add(1, Ordering::Relaxed);
        let mut rx = state.broadcast.subscribe();
        let (room_tx, mut room_rx) = mpsc::channel::<Message>(MEMBER_QUEUE);
        let (mut tx_half, mut rx_half) = socket.split();
        loop {
            tokio::select! {
                incoming = rx_half.next() => match incoming {
                    Some(Ok(Message::Text(t))) => {
                        match serde_json::from_str::<Value>(t.as_str()) {
                            Ok(v) if v.get("action").is_some() => {
                                if let Some(reply) = act(&state.rooms, me, &room_tx, v) {
                                    if tx_half.send(Message::text(reply.to_string())).await.is_err() {
                                        break;
                                    }
                                }
                            }
                            _ => {
                                let _ = state.broadcast.send((me, Message::Text(t)));
                            }
                        }
                    }
                    Some(Ok(m @ Message::Binary(_))) => {
                        let _ = state.broadcast.send((me, m));
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
                relayed = rx.recv() => match relayed {
                    Ok((from, m)) if from != me => {
                        if tx_half.send(m).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => break,
                },
                Some(m) = room_rx.recv() => {
                    if tx_half.send(m).await.is_err() {
                        break;
                    }
                }
            }
        }
        leave_all(&state.rooms, me);
    })
}

fn lock(
    rooms: &Rooms,
) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<u64, mpsc::Sender<Message>>>> {
    rooms.lock().unwrap_or_else(|p| p.into_inner())
}

/// Carries out one action; the reply for the sender, if any (a room message reaches the sender
/// through its room queue like every other member).
fn act(rooms: &Rooms, me: u64, my_tx: &mpsc::Sender<Message>, request: Value) -> Option<Value> {
    let error =
        |why: &str| Some(json!({"type": "error", "error": why, "request": request.clone()}));
    let action = request["action"].as_str().unwrap_or_default();
    let Some(room) = request["room"].as_str().filter(|r| !r.is_empty()) else {
        return error("a \"room\" (non-empty string) is required");
    };
    match action {
        "join" => {
            let mut map = lock(rooms);
            let members = map.entry(room.to_string()).or_default();
            members.insert(me, my_tx.clone());
            Some(json!({"type": "joined", "room": room, "id": me, "members": members.len()}))
        }
        "leave" => {
            let mut map = lock(rooms);
            let Some(members) = map.get_mut(room).filter(|m| m.contains_key(&me)) else {
                return error("not a member of this room");
            };
            members.remove(&me);
            let left = members.len();
            if left == 0 {
                map.remove(room);
            }
            Some(json!({"type": "left", "room": room, "id": me, "members": left}))
        }
        "message" => {
            let Some(data) = request.get("data") else {
                return error("a message needs \"data\"");
            };
            let targets: Vec<mpsc::Sender<Message>> = {
                let map = lock(rooms);
                match map.get(room).filter(|m| m.contains_key(&me)) {
                    Some(members) => members.values().cloned().collect(),
                    None => return error("join the room before sending to it"),
                }
            };
            let out =
                json!({"type": "message", "room": room, "from": me, "data": data}).to_string();
            for t in targets {
                // A full queue: that member is too slow and misses this message.
                let _ = t.try_send(Message::text(out.clone()));
            }
            None
        }
        _ => error("unknown action: use join, leave or message"),
    }
}

fn leave_all(rooms: &Rooms, me: u64) {
    let mut map = lock(rooms);
    for members in map.values_mut() {
        members.remove(&me);
    }
    map.retain(|_, m| !m.is_empty());
}
