//! Running a Socket.IO or GraphQL request: the saved messages become emits or operations on the
//! protocol layer, and the assertions see decoded events (a Socket.IO event's args, as a JSON
//! array, under its name; an ack's args under `ack:EVENT`; a GraphQL result's payload, or
//! `{"errors":[...]}`, under the operation's saved-message name), never the raw frames. The raw
//! frames still go to history, so a recorded run shows the wire.
//!
//! A request ends when every saved message was handed over and every assertion is decided; with
//! no assertions it waits for what the protocol promises (every asked-for ack, every operation
//! completed), so a bare run still proves the server answers.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::check::Checker;
use super::exec::{final_error, timeout_of, Outcome, CLOSE_WAIT, SCRIPT_IDLE, TICK};
use super::scripted::RequestScript;
use super::{prepare, RunError};
use super::{Stop, INTERRUPT_WAIT};
use crate::collection::model::Request;
use crate::protocol::graphql::{
    GqlEvent, GqlIntent, GraphqlLayer, GraphqlOptions, Operation, Subprotocol,
};
use crate::protocol::socketio::{self, SioEvent, SioIntent, SocketIoConfig, Transport};
use crate::protocol::{LayerControl, LayerEvent, LayerHandle, ProtocolLayer};
use crate::script::layered::{
    carry_out_on_layer, layer_inputs, GraphqlScripting, LayerCarried, LayerScripting,
    SocketioScripting,
};
use crate::script::ScriptAction;
use crate::store::HistoryRecorder;
use crate::ws::{Closer, Direction, Nanos, SessionEvent};

/// How long `connection_ack` may take when the request's settings say nothing.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn bad_message(r: &Request, message: &str, reason: String) -> RunError {
    RunError::Message {
        request: r.name.clone(),
        message: message.into(),
        reason,
    }
}

pub(super) fn bad_settings(r: &Request, reason: String) -> RunError {
    RunError::Request {
        request: r.name.clone(),
        code: "run.invalid_settings",
        message: reason,
    }
}

/// A rendered Socket.IO request as the layer's config (TLS, proxy, auth and reconnect from the
/// request, like a WebSocket request).
pub fn socketio_config(r: &Request, base_dir: &Path) -> Result<SocketIoConfig, RunError> {
    // A Socket.IO URL may be http(s)://; the session underneath is checked as its ws(s):// twin.
    let mut as_ws = r.clone();
    for (from, to) in [("http://", "ws://"), ("https://", "wss://")] {
        if let Some(rest) = r.url.strip_prefix(from) {
            as_ws.url = format!("{to}{rest}");
        }
    }
    let ws = prepare::ws_config(&as_ws, base_dir)?;
    let mut cfg = SocketIoConfig::new(r.url.clone());
    cfg.ws = ws;
    let s = r.settings.socketio.clone().unwrap_or_default();
    if let Some(p) = s.path {
        cfg.path = p;
    }
    cfg.namespaces = s.namespaces;
    cfg.eio = s.eio;
    cfg.transport = match s.transport.as_deref() {
        Some("websocket") => Transport::WebSocket,
        _ => Transport::Polling,
    };
    if let Some(a) = &s.auth {
        cfg.auth = Some(serde_json::from_str(a).map_err(|e| {
            bad_settings(
                r,
                format!("settings.socketio.auth is not JSON once rendered ({e}): {a}"),
            )
        })?);
    }
    Ok(cfg)
}

/// A rendered GraphQL request's layer options.
pub fn graphql_options(r: &Request) -> Result<GraphqlOptions, RunError> {
    let g = r.settings.graphql.clone().unwrap_or_default();
    let init_payload = match &g.init {
        Some(i) => Some(serde_json::from_str(i).map_err(|e| {
            bad_settings(
                r,
                format!("settings.graphql.init is not JSON once rendered ({e}): {i}"),
            )
        })?),
        None => None,
    };
    Ok(GraphqlOptions {
        only: g.subprotocol.as_deref().and_then(Subprotocol::parse),
        init_payload,
        ack_timeout: g.ack_timeout_ms.map(prepare::ms).unwrap_or(ACK_TIMEOUT),
    })
}

/// A saved message's body as an emit's args: a JSON array, one other value, or none when empty.
fn emit_args(r: &Request, name: &str, body: &str) -> Result<Vec<Value>, RunError> {
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    match serde_json::from_str(body) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(v) => Ok(vec![v]),
        Err(e) => Err(bad_message(
            r,
            name,
            format!("the args are not JSON once rendered ({e}): {body}"),
        )),
    }
}

pub(super) async fn run_socketio(
    r: &Request,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    script: Option<&mut RequestScript>,
    stop: Stop,
) -> Outcome {
    let mut cfg = socketio_config(r, base_dir)?;
    // Secret variables rendered into the URL or headers stay out of events (and so history).
    cfg.ws.redact = secrets.to_vec();
    let first = socketio::first_namespace(&cfg);
    let mut sends = Vec::new();
    for m in &r.messages {
        sends.push((
            m.delay_ms.unwrap_or(0),
            SioIntent::Emit {
                namespace: m.namespace.clone().unwrap_or_else(|| first.clone()),
                name: m.event.clone().unwrap_or_default(),
                args: emit_args(r, &m.name, &m.body)?,
                ack: m.ack,
                volatile: false,
            },
        ));
    }
    let acks_wanted = r.messages.iter().filter(|m| m.ack).count();
    let checker = Checker::new(r).map_err(RunError::from)?;
    let limit = timeout_of(r);
    let namespaces = cfg.namespaces.clone();
    let h = match socketio::connect(cfg).await {
        Ok(h) => h,
        Err(e) => {
            return Ok((
                0,
                checker.finish("the handshake failed"),
                Some((e.code().into(), e.message)),
            ))
        }
    };
    let mut acks = 0usize;
    let mut connected = false;
    let goodbye = socketio::disconnect_packets(&first, &namespaces);
    drive(
        h,
        sends.into(),
        checker,
        Ends { limit, stop },
        history,
        ScriptLink {
            script,
            scripting: SocketioScripting {
                namespace: first.clone(),
                goodbye,
            },
        },
        |cx, t, ev| {
            let (checker, error) = (&mut *cx.checker, &mut *cx.error);
            match ev {
                SioEvent::Connected { .. } => connected = true,
                SioEvent::ConnectError { namespace, data } => {
                    *error = Some((
                        "socketio.connect_error".into(),
                        format!("namespace {namespace} refused the connection: {data}"),
                    ));
                }
                SioEvent::Event {
                    dir: Direction::In,
                    name,
                    args,
                    ..
                } => checker.on_message(t, Some(&name), &Value::Array(args).to_string()),
                SioEvent::Ack {
                    dir: Direction::In,
                    name,
                    args,
                    ..
                } => {
                    acks += 1;
                    let on = format!("ack:{}", name.unwrap_or_default());
                    checker.on_message(t, Some(&on), &Value::Array(args).to_string());
                }
                _ => {}
            }
            connected && acks >= acks_wanted
        },
    )
    .await
}

pub(super) async fn run_graphql(
    r: &Request,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    script: Option<&mut RequestScript>,
    stop: Stop,
) -> Outcome {
    let mut cfg = prepare::ws_config(r, base_dir)?;
    cfg.redact = secrets.to_vec();
    let opts = graphql_options(r)?;
    let mut sends = Vec::new();
    let mut names = HashMap::new();
    for (i, m) in r.messages.iter().enumerate() {
        let id = (i + 1).to_string();
        let variables = match &m.variables {
            Some(v) => Some(serde_json::from_str::<Value>(v).map_err(|e| {
                bad_message(
                    r,
                    &m.name,
                    format!("variables are not JSON once rendered ({e}): {v}"),
                )
            })?),
            None => None,
        };
        let mut op = Operation::new(m.body.clone());
        op.variables = variables;
        op.operation_name = m.operation_name.clone();
        names.insert(id.clone(), m.name.clone());
        sends.push((
            m.delay_ms.unwrap_or(0),
            GqlIntent::Start { id: Some(id), op },
        ));
    }
    let checker = Checker::new(r).map_err(RunError::from)?;
    let limit = timeout_of(r);
    let h = crate::protocol::spawn(GraphqlLayer::new(opts), cfg);
    let mut finished = 0usize;
    let total = names.len();
    drive(
        h,
        sends.into(),
        checker,
        Ends { limit, stop },
        history,
        ScriptLink {
            script,
            scripting: GraphqlScripting {
                names: names.clone(),
            },
        },
        |cx, t, ev| {
            let (checker, error) = (&mut *cx.checker, &mut *cx.error);
            match ev {
                GqlEvent::Next { id, payload } => {
                    let on = names.get(&id).map(String::as_str).unwrap_or("");
                    checker.on_message(t, Some(on), &payload.to_string());
                }
                GqlEvent::Error {
                    id,
                    errors,
                    terminal,
                } => {
                    let on = names.get(&id).cloned().unwrap_or_default();
                    let body = serde_json::json!({ "errors": errors });
                    checker.on_message(t, Some(&on), &body.to_string());
                    if terminal {
                        finished += 1;
                        *error = Some((
                            "graphql.error".into(),
                            format!("operation '{on}' failed: {errors}"),
                        ));
                    }
                }
                GqlEvent::Complete { .. } => finished += 1,
                _ => {}
            }
            finished >= total
        },
    )
    .await
}

/// What ends a layered request besides its own work: its time limit and the run's stop.
pub(super) struct Ends {
    pub limit: Duration,
    pub stop: Stop,
}

/// What a layered request hands its layer: `list` in order, each after its delay; with a `gate`
/// `(n, ready)`, the entries after the first `n` wait until `ready` turns true (STOMP receipts,
/// an MQTT SUBACK); `goodbye` (a DISCONNECT) ends the session once everything is decided,
/// instead of a bare close. `scrub`: secret values (a STOMP passcode, an MQTT password) masked
/// byte for byte with `*` in the outgoing messages history records.
pub(super) struct Sends<I> {
    pub list: Vec<(u64, I)>,
    pub gate: Option<(usize, tokio::sync::watch::Receiver<bool>)>,
    pub goodbye: Option<I>,
    pub scrub: Vec<String>,
}

impl<I> From<Vec<(u64, I)>> for Sends<I> {
    fn from(list: Vec<(u64, I)>) -> Self {
        Sends {
            list,
            gate: None,
            goodbye: None,
            scrub: Vec::new(),
        }
    }
}

/// What `on_event` sees besides the event: the checker, the request's error so far, and intents
/// to hand the layer after this batch (a STOMP ACK for a received MESSAGE).
pub(super) struct EventCtx<'a, I> {
    pub checker: &'a mut Checker,
    pub error: &'a mut Option<(String, String)>,
    pub follow_up: &'a mut Vec<I>,
}

/// Runs a layered session: hands `sends` to the layer, feeds every layer event to `on_event`
/// (which answers whether the protocol's own work is done), records the raw session events, and
/// closes once everything is decided or the time is up.
pub(super) async fn drive<
    L: ProtocolLayer,
    S: LayerScripting<Event = L::Event, Intent = L::Intent>,
>(
    mut h: LayerHandle<L>,
    sends: Sends<L::Intent>,
    mut checker: Checker,
    ends: Ends,
    history: Option<&HistoryRecorder>,
    mut link: ScriptLink<'_, S>,
    mut on_event: impl FnMut(&mut EventCtx<'_, L::Intent>, Nanos, L::Event) -> bool,
) -> Outcome {
    let control: LayerControl<L::Intent> = h.control();
    let Sends {
        list,
        gate,
        mut goodbye,
        scrub,
    } = sends;
    let sender = {
        let control = control.clone();
        tokio::spawn(async move {
            let (first, mut ready) = match gate {
                Some((n, ready)) => (n, Some(ready)),
                None => (0, None),
            };
            for (i, (delay, intent)) in list.into_iter().enumerate() {
                if i >= first {
                    if let Some(mut r) = ready.take() {
                        if r.wait_for(|open| *open).await.is_err() {
                            return;
                        }
                    }
                }
                if delay > 0 {
                    tokio::time::sleep(prepare::ms(delay)).await;
                }
                if !control.intent(intent).await {
                    return;
                }
            }
        })
    };
    let mut follow_up = Vec::new();
    // A script that reads messages keeps a request without assertions open until it (or the
    // server) closes, or nothing arrived for SCRIPT_IDLE, as on a WebSocket request.
    let script_listens = link.script.as_ref().is_some_and(|s| s.listens());
    let mut last_in = tokio::time::Instant::now();
    let Ends { limit, mut stop } = ends;
    let deadline = tokio::time::Instant::now() + limit;
    let mut error: Option<(String, String)> = None;
    let mut protocol_done = false;
    let mut closing = false;
    let mut close_deadline = None;
    let mut ticker = tokio::time::interval(TICK);
    let started = Instant::now();
    let mut why = "the connection ended".to_string();
    let mut interrupted = None;
    loop {
        let batch = tokio::select! {
            b = h.next_batch() => b,
            i = stop.wait(), if interrupted.is_none() => {
                // Close now with the face's code; wait for the server at most INTERRUPT_WAIT.
                let by = tokio::time::Instant::now() + INTERRUPT_WAIT;
                close_deadline = Some(close_deadline.map_or(by, |d: tokio::time::Instant| d.min(by)));
                closing = true;
                control.close(i.close_code, format!("sockpit run: {}", i.cause)).await;
                interrupted = Some(i);
                Some(Vec::new())
            }
            _ = ticker.tick() => {
                checker.on_tick(started.elapsed().as_nanos() as u64);
                Some(Vec::new())
            }
            a = link.next_action() => {
                link.apply(a, &control).await;
                Some(Vec::new())
            }
        };
        let Some(batch) = batch else { break };
        let mut ended = false;
        let mut raw = Vec::new();
        let inputs = match link.script {
            Some(_) => layer_inputs(&link.scripting, &batch),
            None => Vec::new(),
        };
        for ev in batch {
            match ev {
                LayerEvent::Session(ev) => {
                    match &ev {
                        SessionEvent::Open { t, .. } => checker.on_open(*t),
                        SessionEvent::Close {
                            dir: Direction::In,
                            code,
                            by: Closer::Server,
                            ..
                        } => checker.on_close(*code),
                        SessionEvent::Error { error: e, .. } => {
                            error = Some((e.code().to_string(), e.to_string()));
                        }
                        SessionEvent::Ended { .. } => ended = true,
                        _ => {}
                    }
                    raw.push(ev);
                }
                LayerEvent::Protocol { t, event } => {
                    last_in = tokio::time::Instant::now();
                    let mut ctx = EventCtx {
                        checker: &mut checker,
                        error: &mut error,
                        follow_up: &mut follow_up,
                    };
                    protocol_done = on_event(&mut ctx, t, event);
                }
                LayerEvent::Error { error: e, .. } => {
                    error = Some((e.code().to_string(), e.message));
                }
            }
        }
        for intent in follow_up.drain(..) {
            control.intent(intent).await;
        }
        if let Some(s) = link.script.as_deref_mut() {
            s.feed_inputs(inputs).await;
        }
        while let Some(a) = link.script.as_deref_mut().and_then(|s| s.try_action()) {
            link.apply(a, &control).await;
        }
        if let Some(h) = history {
            if !raw.is_empty() {
                if !scrub.is_empty() {
                    raw.iter_mut().for_each(|ev| mask_secrets(ev, &scrub));
                }
                h.record_ws_owned(raw);
            }
        }
        if ended {
            break;
        }
        let now = tokio::time::Instant::now();
        let script_done =
            !script_listens || checker.has_checks() || now.duration_since(last_in) >= SCRIPT_IDLE;
        let decided =
            checker.all_decided() && (checker.has_checks() || protocol_done) && script_done;
        if !closing && sender.is_finished() && decided {
            closing = true;
            close_deadline = Some(now + CLOSE_WAIT);
            match goodbye.take() {
                Some(bye) => {
                    control.intent(bye).await;
                }
                None => control.close(1000, "").await,
            }
        }
        if !closing && now >= deadline {
            closing = true;
            close_deadline = Some(now + CLOSE_WAIT);
            control.close(1000, "sockpit run: timeout").await;
        }
        if close_deadline.is_some_and(|d| now >= d) {
            why = "the connection did not close".to_string();
            break;
        }
    }
    sender.abort();
    if tokio::time::Instant::now() >= deadline {
        why = format!("not seen within {} ms", limit.as_millis());
        if !checker.has_checks() && !protocol_done && error.is_none() {
            error = Some((
                "run.timeout".into(),
                format!(
                    "the protocol did not finish within {} ms (acks or operations still pending)",
                    limit.as_millis()
                ),
            ));
        }
    }
    if let Some(i) = &interrupted {
        why = format!("interrupted by {}", i.cause);
    }
    let received = checker.received();
    let results = checker.finish(&why);
    let error = final_error(error, &results, interrupted.as_ref());
    Ok((received, results, error))
}

/// Masks each of `secrets` (byte for byte, so a binary packet keeps its lengths) in an outgoing
/// message.
fn mask_secrets(ev: &mut SessionEvent, secrets: &[String]) {
    let SessionEvent::Message {
        dir: Direction::Out,
        data,
        ..
    } = ev
    else {
        return;
    };
    let mut bytes: Option<Vec<u8>> = None;
    for s in secrets
        .iter()
        .map(String::as_bytes)
        .filter(|s| !s.is_empty())
    {
        let buf = bytes.get_or_insert_with(|| data.to_vec());
        let mut i = 0;
        while i + s.len() <= buf.len() {
            if &buf[i..i + s.len()] == s {
                buf[i..i + s.len()].fill(b'*');
                i += s.len();
            } else {
                i += 1;
            }
        }
    }
    if let Some(b) = bytes.filter(|b| b.as_slice() != data.as_ref()) {
        *data = bytes::Bytes::from(b);
    }
}

/// A request's script on a layered session and how the layer looks to it (core's
/// [`LayerScripting`]: `sp.message.json()` is the decoded event, `sp.emit` an emit on Socket.IO).
pub(super) struct ScriptLink<'a, S: LayerScripting> {
    pub script: Option<&'a mut RequestScript>,
    pub scripting: S,
}

impl<S: LayerScripting> ScriptLink<'_, S> {
    async fn next_action(&mut self) -> ScriptAction {
        match self.script.as_deref_mut() {
            Some(s) => s.next_action().await,
            None => std::future::pending().await,
        }
    }

    async fn apply(&mut self, a: ScriptAction, control: &LayerControl<S::Intent>) {
        let Some(s) = self.script.as_deref_mut() else {
            return;
        };
        match carry_out_on_layer(&self.scripting, a, control).await {
            LayerCarried::Done => {}
            LayerCarried::Unsupported(what) => s.note_unsupported(what),
            LayerCarried::Face(other) => s.apply(other, None).await,
        }
    }
}
