//! Socket.IO, GraphQL, STOMP and MQTT sessions: `ws_connect` hands a request of these protocols here (rendered
//! by core's `app` API, started on core's protocol layer; raw rows go to the session log as for
//! WebSocket, decoded events ride in the same batches), and the commands that talk to the layer:
//! emit, answer a server's ack request, start and stop an operation. Input is checked by core (`app::emit_args`, ...).

use sockpit_core::app::{
    emit_args, emit_name, graphql_operation, graphql_scripting, socketio_scripting, App,
    AppError as CoreError, BrokerLayer, BrokerRender, ScriptedSession, ScriptedStream,
    SessionScripts,
};
use sockpit_core::collection::model::{Protocol, Request};
use sockpit_core::protocol::graphql::{GqlIntent, GraphqlLayer};
use sockpit_core::protocol::mqtt::MqttLayer;
use sockpit_core::protocol::socketio::{self, SioIntent};
use sockpit_core::protocol::stomp::StompLayer;
use sockpit_core::protocol::LayerControl;
use sockpit_core::store::HistoryRecorder;
use tauri::ipc::Channel;
use tauri::State;

use super::ws::{start_session, Started};
use crate::dto::{AppError, ConnectArgs, WsBatch};
use crate::inspect::InspectState;
use crate::state::{lock, AppState, LayerCtl};
use crate::stream::Source;

/// What connecting a layered request renders to.
enum Rendered {
    Socketio(Box<socketio::SocketIoConfig>),
    Graphql(Box<sockpit_core::app::GraphqlRender>),
    Broker(Box<BrokerRender>),
}

/// Renders `model` for its protocol and records the connection in history (the URL as shown,
/// never a secret's value).
fn render(
    a: &App,
    model: &Request,
    collection: Option<i64>,
    reconnect: bool,
    request: Option<i64>,
) -> Result<(Rendered, Option<HistoryRecorder>), CoreError> {
    let (r, ws) = match model.protocol {
        Protocol::Graphql => {
            let g = a.render_graphql(model, collection, reconnect)?;
            let ws = g.ws.clone();
            (Rendered::Graphql(Box::new(g)), ws)
        }
        Protocol::Stomp | Protocol::Mqtt => {
            let b = a.render_broker(model, collection, reconnect)?;
            let ws = b.ws.clone();
            (Rendered::Broker(Box::new(b)), ws)
        }
        _ => {
            let s = a.render_socketio(model, collection, reconnect)?;
            let ws = s.ws.clone();
            (Rendered::Socketio(Box::new(s)), ws)
        }
    };
    let shown = sockpit_core::auth::redact(&ws.url, &ws.redact);
    Ok((r, a.record_connection(model.protocol, &shown, request)))
}

/// A Socket.IO, GraphQL, STOMP or MQTT request to connect, and its scripts (started, `before_connect` done).
pub(crate) struct Layered {
    pub model: Request,
    pub scripts: Option<SessionScripts>,
}

/// Connects a Socket.IO or GraphQL request: the layer's handshake runs (Socket.IO's polling
/// pre-handshake before this returns), and the session registers like a WebSocket one, its
/// scripts beside it (core's `ScriptedSession` over the layer).
pub(crate) async fn connect_layered(
    state: &AppState,
    inspect: &InspectState,
    layered: Layered,
    args: ConnectArgs,
    on_event: Channel<WsBatch>,
) -> Result<u32, AppError> {
    let Layered { model, scripts } = layered;
    if scripts.is_some() && matches!(model.protocol, Protocol::Stomp | Protocol::Mqtt) {
        return Err(AppError::new(
            "app.broker_scripts",
            format!(
                "the window does not run a {} request's scripts yet: run it with `sockpit run`, \
                 or detach the hook file / clear the request's scripts to connect it here",
                model.protocol.as_str().to_uppercase()
            ),
        ));
    }
    let (collection, reconnect, request) = (args.collection, args.reconnect, args.request_id);
    let record_frames = args.record_frames;
    let (rendered, history) = state
        .blocking(move |a| render(a, &model, collection, reconnect, request))
        .await?;
    let started = match rendered {
        Rendered::Socketio(mut cfg) => {
            cfg.ws.inspect_frames = record_frames;
            let scripting = socketio_scripting(&cfg);
            let h = socketio::connect(*cfg).await?;
            let control = h.control();
            let source = match scripts {
                Some(s) => scripted(state, ScriptedStream::Socketio(h, scripting), s)?,
                None => Source::Socketio(h),
            };
            Started {
                control: control.session().clone(),
                layer: Some(LayerCtl::Socketio(control)),
                source,
                record_frames,
            }
        }
        Rendered::Graphql(g) => {
            let mut ws = g.ws;
            ws.inspect_frames = record_frames;
            let h = sockpit_core::protocol::spawn(GraphqlLayer::new(g.options), ws);
            let control = h.control();
            let source = match scripts {
                Some(s) => scripted(state, ScriptedStream::Graphql(h, graphql_scripting()), s)?,
                None => Source::Graphql(h),
            };
            Started {
                control: control.session().clone(),
                layer: Some(LayerCtl::Graphql(control)),
                source,
                record_frames,
            }
        }
        Rendered::Broker(b) => start_broker(*b, record_frames).await,
    };
    Ok(start_session(
        state,
        inspect,
        started,
        args.previous,
        on_event,
        history,
    ))
}

/// Starts a STOMP or MQTT layer and asks it for the request's saved subscriptions (the layer
/// sends them once the broker accepted the login).
async fn start_broker(b: BrokerRender, record_frames: bool) -> Started {
    let mut ws = b.ws;
    ws.inspect_frames = record_frames;
    match b.layer {
        BrokerLayer::Stomp { options, subscribe } => {
            let h = sockpit_core::protocol::spawn(StompLayer::new(*options), ws);
            let control = h.control();
            for intent in subscribe {
                // A layer already ended shows why in its events.
                let _ = control.intent(intent).await;
            }
            Started {
                control: control.session().clone(),
                layer: Some(LayerCtl::Stomp(control)),
                source: Source::Stomp(h),
                record_frames,
            }
        }
        BrokerLayer::Mqtt { options, subscribe } => {
            let version = options.version;
            let h = sockpit_core::protocol::spawn(MqttLayer::new(*options), ws);
            let control = h.control();
            if let Some(intent) = subscribe {
                let _ = control.intent(intent).await;
            }
            Started {
                control: control.session().clone(),
                layer: Some(LayerCtl::Mqtt(control)),
                source: Source::Mqtt(h, version),
                record_frames,
            }
        }
    }
}

fn scripted(
    state: &AppState,
    stream: ScriptedStream,
    scripts: SessionScripts,
) -> Result<Source, AppError> {
    Ok(Source::Scripted(ScriptedSession::new(
        stream,
        scripts,
        state.app()?,
    )))
}

pub(crate) fn layer_of(state: &AppState, session: u32) -> Result<LayerCtl, AppError> {
    lock(&state.ws)
        .get(&session)
        .ok_or_else(|| AppError::new("app.no_session", "that session is not open"))?
        .layer
        .clone()
        .ok_or_else(|| {
            AppError::new(
                "app.no_layer",
                "that session is plain WebSocket: connect a Socket.IO, GraphQL, STOMP or MQTT request",
            )
        })
}

pub(crate) fn ended() -> AppError {
    AppError::new("app.no_session", "the session has ended; connect again")
}

/// Emits `event` with `args` (JSON: an array of arguments or one value) on `namespace` (`/` when
/// empty), asking for an ack when `ack` is set; the ack shows in the session's events. A
/// `volatile` emit is dropped (and said so) when its namespace is not connected, not queued.
#[tauri::command]
pub async fn sio_emit(
    state: State<'_, AppState>,
    session: u32,
    namespace: String,
    event: String,
    args: String,
    ack: bool,
    volatile: bool,
) -> Result<(), AppError> {
    let name = emit_name(&event)?;
    let args = emit_args(&args)?;
    let c = socketio_of(&state, session)?;
    let intent = SioIntent::Emit {
        namespace: namespace_of(&namespace),
        name,
        args,
        ack,
        volatile,
    };
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// Answers the server's event `id` on `namespace` (an emit that asked for an ack) with `args`
/// (JSON: an array of arguments or one value); the reply shows threaded to that event.
#[tauri::command]
pub async fn sio_ack(
    state: State<'_, AppState>,
    session: u32,
    namespace: String,
    id: u32,
    args: String,
) -> Result<(), AppError> {
    let args = emit_args(&args)?;
    let c = socketio_of(&state, session)?;
    let intent = SioIntent::Ack {
        namespace: namespace_of(&namespace),
        id: u64::from(id),
        args,
    };
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

fn socketio_of(state: &AppState, session: u32) -> Result<LayerControl<SioIntent>, AppError> {
    match layer_of(state, session)? {
        LayerCtl::Socketio(c) => Ok(c),
        _ => Err(AppError::new(
            "app.no_layer",
            "that session is not Socket.IO",
        )),
    }
}

/// `/` for an empty namespace, `/chat` for `chat`.
fn namespace_of(namespace: &str) -> String {
    match namespace.trim() {
        "" => "/".to_string(),
        n => socketio::normalize_nsp(n),
    }
}

/// Starts a GraphQL operation with the UI's `id`; its results show in the session's events.
#[tauri::command]
pub async fn gql_start(
    state: State<'_, AppState>,
    session: u32,
    id: String,
    query: String,
    variables: String,
    operation_name: String,
) -> Result<(), AppError> {
    let op = graphql_operation(&query, &variables, &operation_name)?;
    let LayerCtl::Graphql(c) = layer_of(&state, session)? else {
        return Err(AppError::new("app.no_layer", "that session is not GraphQL"));
    };
    let intent = GqlIntent::Start { id: Some(id), op };
    c.intent(intent).await.then_some(()).ok_or_else(ended)
}

/// Stops a running GraphQL operation (`complete` / `stop`).
#[tauri::command]
pub async fn gql_stop(
    state: State<'_, AppState>,
    session: u32,
    id: String,
) -> Result<(), AppError> {
    let LayerCtl::Graphql(c) = layer_of(&state, session)? else {
        return Err(AppError::new("app.no_layer", "that session is not GraphQL"));
    };
    c.intent(GqlIntent::Stop { id })
        .await
        .then_some(())
        .ok_or_else(ended)
}
