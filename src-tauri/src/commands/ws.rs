//! WebSocket commands: connect (events stream back over a Channel), send, disconnect.

use std::sync::{Arc, Mutex};

use sockpit_core::payload;
use sockpit_core::proto::PayloadCodec;
use sockpit_core::ws::{ConnectConfig, Outgoing, ReconnectPolicy, SessionCommand, SessionHandle};
use sockpit_core::SessionLog;
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::history::record_ws;
use crate::commands::store::{connect_config, StoreState};
use crate::dto::{AppError, ConnectArgs, SendMode, WsBatch};
use crate::inspect::InspectState;
use crate::state::{lock, AppState, WsEntry};
use crate::stream::forward_ws;

#[tauri::command]
pub async fn ws_connect(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    store: State<'_, StoreState>,
    args: ConnectArgs,
    on_event: Channel<WsBatch>,
) -> Result<u32, AppError> {
    let mut cfg = match &args.spec {
        Some(spec) => connect_config(&state, &store, spec, args.collection, args.reconnect)?,
        None => {
            let mut cfg = ConnectConfig::new(args.url.trim());
            cfg.reconnect = args.reconnect.then(ReconnectPolicy::default);
            cfg.subprotocols = args.subprotocols;
            cfg.headers = args.headers;
            cfg
        }
    };
    // History never keeps a secret variable's value.
    let shown_url = sockpit_core::auth::redact(&cfg.url, &cfg.redact);
    let history = record_ws(&state, &store, &shown_url, args.request_id);
    cfg.inspect_frames = args.record_frames;
    let handle = SessionHandle::spawn(cfg);
    let log = Arc::new(Mutex::new(SessionLog::new()));
    let id = state.next_id();
    if let Some(prev) = args.previous {
        // The UI has moved on from that session's log; free it.
        lock(&state.ws).remove(&prev);
        lock(&inspect.frames).remove(&prev);
    }
    let frames = args.record_frames.then(|| Arc::new(Mutex::new(Vec::new())));
    if let Some(f) = &frames {
        lock(&inspect.frames).insert(id, f.clone());
    }
    let entry = WsEntry {
        control: handle.control(),
        log: log.clone(),
    };
    lock(&state.ws).insert(id, entry);
    tokio::spawn(forward_ws(
        handle,
        log,
        frames,
        inspect.proto.clone(),
        on_event,
        history,
    ));
    Ok(id)
}

/// The message bytes for `mode`, or a readable error; nothing is sent when this fails. `codec` is
/// the protobuf codec in use (for `Protobuf`).
pub fn encode(
    mode: SendMode,
    body: &str,
    codec: Option<&PayloadCodec>,
) -> Result<Outgoing, AppError> {
    match mode {
        SendMode::Text => Ok(Outgoing::Text(body.to_string())),
        SendMode::Json => serde_json::from_str::<serde_json::Value>(body)
            .map(|_| Outgoing::Text(body.to_string()))
            .map_err(|e| AppError::new("ui.invalid_json", format!("invalid JSON: {e}"))),
        SendMode::Hex => payload::parse_hex(body)
            .map(Outgoing::Binary)
            .map_err(|e| AppError::new(e.code(), e.to_string())),
        SendMode::Base64 => payload::parse_base64(body)
            .map(Outgoing::Binary)
            .map_err(|e| AppError::new(e.code(), e.to_string())),
        SendMode::File => payload::read_file(std::path::Path::new(body.trim()))
            .map(Outgoing::Binary)
            .map_err(|e| AppError::new(e.code(), e.to_string())),
        SendMode::Protobuf => {
            let codec = codec.filter(|c| c.encodes()).ok_or_else(|| {
                AppError::new(
                    "ui.no_proto_type",
                    "load a .proto file and choose a type first",
                )
            })?;
            codec
                .encode_json(body)
                .map(|b| Outgoing::Binary(b.into()))
                .map_err(|e| AppError::new(e.code(), e.to_string()))
        }
    }
}

#[tauri::command]
pub async fn ws_send(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    session: u32,
    mode: SendMode,
    body: String,
) -> Result<(), AppError> {
    let out = if mode == SendMode::File {
        // Reading a file may block: off the async runtime's threads.
        let path = std::path::PathBuf::from(body.trim());
        tokio::task::spawn_blocking(move || payload::read_file(&path))
            .await
            .map_err(|e| AppError::new("app.send_file", e.to_string()))?
            .map(Outgoing::Binary)
            .map_err(|e| AppError::new(e.code(), e.to_string()))?
    } else {
        encode(mode, &body, inspect.codec().as_deref())?
    };
    let control = lock(&state.ws)
        .get(&session)
        .map(|e| e.control.clone())
        .ok_or_else(|| AppError::new("app.no_session", "that session is not open"))?;
    control.command(SessionCommand::Send(out)).await?;
    Ok(())
}

#[tauri::command]
pub async fn ws_disconnect(state: State<'_, AppState>, session: u32) -> Result<(), AppError> {
    let control = lock(&state.ws).get(&session).map(|e| e.control.clone());
    if let Some(c) = control {
        // Ended already is fine: the user wanted it closed.
        let _ = c.close(1000, "").await;
    }
    Ok(())
}
