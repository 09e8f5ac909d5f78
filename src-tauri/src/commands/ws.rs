//! WebSocket commands: connect (scripts first, core's `SessionScripts`: `before_connect` of an
//! attached hook file and of the request runs to its end; then the request rendered by core's `app`
//! API with what they set, the scripts run beside the session by core's `ScriptedSession`; events
//! stream back over a Channel), send (encoded by core), disconnect.

use std::path::Path;
use std::sync::{Arc, Mutex};

use sockpit_core::app::{
    encode_message, App, AppError as CoreError, ScriptedSession, ScriptedStream, SessionScripts,
};
use sockpit_core::collection::model::{Protocol, Request};
use sockpit_core::store::HistoryRecorder;
use sockpit_core::ws::{
    ConnectConfig, ReconnectPolicy, SessionCommand, SessionControl, SessionHandle,
};
use sockpit_core::SessionLog;
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{AppError, ConnectArgs, SendMode, WsBatch};
use crate::inspect::InspectState;
use crate::request_map::{message_kind, spec_to_model};
use crate::state::{lock, off_thread, AppState, LayerCtl, WsEntry};
use crate::stream::{forward_ws, Source};

#[tauri::command]
pub async fn ws_connect(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    args: ConnectArgs,
    on_event: Channel<WsBatch>,
) -> Result<u32, AppError> {
    let model = args.spec.as_ref().map(spec_to_model).transpose()?;
    let route = connect_route(model.as_ref().map(|m| m.protocol))?;
    let scripts = start_scripts(&state, model.as_ref(), &args).await?;
    if route == ConnectRoute::Layered {
        let model = model.ok_or_else(|| AppError::new("app.invalid_request", "no request"))?;
        let layered = super::layered::Layered { model, scripts };
        return super::layered::connect_layered(&state, &inspect, layered, args, on_event).await;
    }
    let (collection, reconnect, request) = (args.collection, args.reconnect, args.request_id);
    let url = args.url.trim().to_string();
    let plain = plain_config(url, reconnect, args.subprotocols, args.headers);
    let (mut cfg, history) = state
        .blocking(move |a| render_and_record(a, model, plain, collection, request))
        .await?;
    cfg.inspect_frames = args.record_frames;
    let handle = SessionHandle::spawn(cfg);
    let control = handle.control();
    let source = match scripts {
        Some(s) => Source::Scripted(ScriptedSession::new(
            ScriptedStream::Ws(handle),
            s,
            state.app()?,
        )),
        None => Source::Ws(handle),
    };
    let started = Started {
        control,
        source,
        layer: None,
        record_frames: args.record_frames,
    };
    Ok(start_session(
        &state,
        &inspect,
        started,
        args.previous,
        on_event,
        history,
    ))
}

/// Starts the session's scripts (the attached hook file, then the request's hooks; none without
/// either) with the request's variables: `before_connect` runs to its end, and what it sets is
/// kept in the app, so the request renders with it next.
async fn start_scripts(
    state: &AppState,
    model: Option<&Request>,
    args: &ConnectArgs,
) -> Result<Option<SessionScripts>, AppError> {
    let plan = super::script::script_plan(args.hook_file.as_deref(), args.stop_on_script_error);
    let Some(m) = model.filter(|m| plan.hook_file.is_some() || !m.scripts.is_empty()) else {
        return Ok(None);
    };
    let collection = args.collection;
    let vars = state.blocking(move |a| a.request_vars(collection)).await?;
    let app = state.app()?;
    Ok(SessionScripts::start(&app, m, vars.values(), &plan).await?)
}

/// How `ws_connect` opens a request of a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnectRoute {
    /// A plain WebSocket session (no request, or a `websocket` one).
    Plain,
    /// A session with a protocol layer (Socket.IO, GraphQL, STOMP, MQTT).
    Layered,
}

/// The route for a request's protocol; an SSE request is refused with what to do instead, never
/// connected as plain WebSocket.
fn connect_route(protocol: Option<Protocol>) -> Result<ConnectRoute, AppError> {
    match protocol {
        None | Some(Protocol::Websocket) => Ok(ConnectRoute::Plain),
        Some(Protocol::Socketio | Protocol::Graphql | Protocol::Stomp | Protocol::Mqtt) => {
            Ok(ConnectRoute::Layered)
        }
        Some(Protocol::Sse) => Err(AppError::new(
            "app.sse_request",
            "an SSE request is subscribed from the SSE pane (SSE URL, then Subscribe), not connected here",
        )),
    }
}

/// A session just spawned, plain or layered, before it is registered.
pub(crate) struct Started {
    pub source: Source,
    pub control: SessionControl,
    pub layer: Option<LayerCtl>,
    pub record_frames: bool,
}

/// The configuration for the editor's request (or the plain one without a request), and its
/// history recorder; the URL history keeps never holds a secret variable's value.
fn render_and_record(
    a: &App,
    model: Option<Request>,
    plain: ConnectConfig,
    collection: Option<i64>,
    request: Option<i64>,
) -> Result<(ConnectConfig, Option<HistoryRecorder>), CoreError> {
    let cfg = match &model {
        Some(m) => a.render_ws(m, collection, plain.reconnect.is_some())?,
        None => plain,
    };
    let shown_url = sockpit_core::auth::redact(&cfg.url, &cfg.redact);
    let history = a.record_connection(Protocol::Websocket, &shown_url, request);
    Ok((cfg, history))
}

/// Spawns the session and its forwarder, registers its log (and frames) under a new id, and frees
/// the log of the session it replaces.
pub(crate) fn start_session(
    state: &AppState,
    inspect: &InspectState,
    started: Started,
    previous: Option<u32>,
    on_event: Channel<WsBatch>,
    history: Option<HistoryRecorder>,
) -> u32 {
    let Started {
        source,
        control,
        layer,
        record_frames,
    } = started;
    let id = state.next_id();
    if let Some(prev) = previous {
        lock(&state.ws).remove(&prev);
        lock(&inspect.frames).remove(&prev);
    }
    let frames = record_frames.then(|| Arc::new(Mutex::new(Vec::new())));
    if let Some(f) = &frames {
        lock(&inspect.frames).insert(id, f.clone());
    }
    let log = Arc::new(Mutex::new(SessionLog::new()));
    lock(&state.ws).insert(
        id,
        WsEntry {
            control,
            log: log.clone(),
            layer,
        },
    );
    let proto = inspect.proto.clone();
    let live = state.live.enter();
    tokio::spawn(forward_ws(
        source, log, frames, proto, on_event, history, live,
    ));
    id
}

/// A connection without a stored request: the URL, subprotocols and headers as given.
fn plain_config(
    url: String,
    reconnect: bool,
    subprotocols: Vec<String>,
    headers: Vec<(String, String)>,
) -> ConnectConfig {
    let mut cfg = ConnectConfig::new(url);
    cfg.reconnect = reconnect.then(ReconnectPolicy::default);
    cfg.subprotocols = subprotocols;
    cfg.headers = headers;
    cfg
}

/// Encodes the composer's `body` with core's `encode_message` (the one encoder `sockpit run`
/// uses too; a file is read off the async threads) and sends it on `session`.
#[tauri::command]
pub async fn ws_send(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    session: u32,
    mode: SendMode,
    body: String,
) -> Result<(), AppError> {
    let codec = inspect.codec();
    let kind = message_kind(mode);
    let out =
        off_thread(move || encode_message(kind, &body, Path::new("."), codec.as_deref())).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layered_protocol_connects_on_its_layer_and_sse_is_refused() {
        assert_eq!(
            connect_route(Some(Protocol::Sse)).expect_err("sse").code,
            "app.sse_request"
        );
        assert_eq!(connect_route(None).ok(), Some(ConnectRoute::Plain));
        assert_eq!(
            connect_route(Some(Protocol::Websocket)).ok(),
            Some(ConnectRoute::Plain)
        );
        for p in [
            Protocol::Socketio,
            Protocol::Graphql,
            Protocol::Stomp,
            Protocol::Mqtt,
        ] {
            assert_eq!(connect_route(Some(p)).ok(), Some(ConnectRoute::Layered));
        }
    }
}
