//! A window session with scripts beside it ([`ScriptedSession`]): plain WebSocket, Socket.IO,
//! GraphQL or an SSE subscription (every event a message, as `sockpit run` feeds them:
//! `script::sse_inputs`). It feeds each batch to the session's [`SessionScripts`] (what a layered session's
//! scripts see, and which of their actions become layer intents, is core's `script::layered`, as
//! for `sockpit run`), carries out their sends, emits and closes, keeps the variables they set,
//! and hands the face their `sp.log` lines, errors and `test()` results beside each batch.
//! `after` runs when the session ends; then `environment` variables are saved.

use std::sync::Arc;

use super::scripts::{ScriptEvent, ScriptedBatch};
use super::session_scripts::{saved_sentence, SessionScripts};
use super::App;
use crate::protocol::graphql::{GqlEvent, GraphqlLayer};
use crate::protocol::socketio::{SioEvent, SocketIoConfig, SocketIoHandle};
use crate::protocol::{LayerEvent, LayerHandle};
use crate::script::layered::{
    carry_out_on_layer, layer_inputs, GraphqlScripting, LayerCarried, SocketioScripting,
};
use crate::script::{ScriptAction, ScriptInput, VarScope};
use crate::sse::{SseHandle, SseSessionEvent};
use crate::ws::{SessionCommand, SessionEvent, SessionHandle};

/// The session under the scripts.
pub enum ScriptedStream {
    Ws(SessionHandle),
    Socketio(SocketIoHandle, SocketioScripting),
    Graphql(LayerHandle<GraphqlLayer>, GraphqlScripting),
    /// An SSE subscription: `sp.close()` ends it; it has nothing to send on.
    Sse(SseHandle),
}

/// One batch of the session under the scripts, as its stream gave it.
#[derive(Debug)]
pub enum StreamBatch {
    Ws(Vec<SessionEvent>),
    Socketio(Vec<LayerEvent<SioEvent>>),
    Graphql(Vec<LayerEvent<GqlEvent>>),
    Sse(Vec<SseSessionEvent>),
}

impl Default for StreamBatch {
    fn default() -> Self {
        StreamBatch::Ws(Vec::new())
    }
}

/// How `sp.emit` and `sp.close` reach a Socket.IO session of `cfg`: emits on its first
/// namespace, a DISCONNECT for each namespace before the close (as `sockpit run` does).
pub fn socketio_scripting(cfg: &SocketIoConfig) -> SocketioScripting {
    let first = crate::protocol::socketio::first_namespace(cfg);
    SocketioScripting {
        goodbye: crate::protocol::socketio::disconnect_packets(&first, &cfg.namespaces),
        namespace: first,
    }
}

/// A GraphQL session as scripts see it (the window names operations by their ids).
pub fn graphql_scripting() -> GraphqlScripting {
    GraphqlScripting {
        names: Default::default(),
    }
}

fn layer_t<E>(e: &LayerEvent<E>) -> u64 {
    match e {
        LayerEvent::Session(e) => e.t(),
        LayerEvent::Protocol { t, .. } | LayerEvent::Error { t, .. } => *t,
    }
}

fn layer_ended<E>(batch: &[LayerEvent<E>]) -> bool {
    batch
        .iter()
        .any(|e| matches!(e, LayerEvent::Session(SessionEvent::Ended { .. })))
}

impl ScriptedStream {
    async fn next(&mut self) -> Option<StreamBatch> {
        match self {
            ScriptedStream::Ws(h) => h.next_batch().await.map(StreamBatch::Ws),
            ScriptedStream::Socketio(h, _) => h.next_batch().await.map(StreamBatch::Socketio),
            ScriptedStream::Graphql(h, _) => h.next_batch().await.map(StreamBatch::Graphql),
            ScriptedStream::Sse(h) => h.next_batch().await.map(StreamBatch::Sse),
        }
    }

    /// What of `batch` the scripts see; the newest event's time; whether the session ended.
    fn inputs(&self, batch: &StreamBatch) -> (Vec<ScriptInput>, Option<u64>, bool) {
        match (self, batch) {
            (ScriptedStream::Socketio(_, s), StreamBatch::Socketio(b)) => {
                (layer_inputs(s, b), b.last().map(layer_t), layer_ended(b))
            }
            (ScriptedStream::Graphql(_, s), StreamBatch::Graphql(b)) => {
                (layer_inputs(s, b), b.last().map(layer_t), layer_ended(b))
            }
            (_, StreamBatch::Sse(b)) => (
                crate::script::sse_inputs(b),
                b.last().map(SseSessionEvent::t),
                b.iter().any(|e| matches!(e, SseSessionEvent::Ended { .. })),
            ),
            (_, StreamBatch::Ws(b)) => (
                crate::script::session_inputs(b, None),
                b.last().map(SessionEvent::t),
                b.iter().any(|e| matches!(e, SessionEvent::Ended { .. })),
            ),
            _ => (Vec::new(), None, false),
        }
    }

    /// Carries out a send, emit or close on the session; what the session cannot do comes
    /// back as an error for the log.
    async fn carry_out(&self, a: ScriptAction) -> Option<ScriptEvent> {
        let unsupported = |what: &str| ScriptEvent::Error {
            code: "script.unsupported",
            message: what.to_string(),
        };
        match self {
            ScriptedStream::Ws(h) => match a {
                ScriptAction::Send(m) => {
                    let sent = h.control().command(SessionCommand::Send(m)).await;
                    sent.err().map(|e| ScriptEvent::Error {
                        code: "script.send",
                        message: format!("sp.send failed: {e}"),
                    })
                }
                ScriptAction::Close { code, reason } => {
                    // Closed already is fine: the script wanted it closed.
                    let _ = h.control().close(code, reason).await;
                    None
                }
                _ => Some(unsupported(
                    "sp.emit/sp.publish ignored: this session speaks plain WebSocket",
                )),
            },
            ScriptedStream::Socketio(h, s) => match carry_out_on_layer(s, a, &h.control()).await {
                LayerCarried::Unsupported(what) => Some(unsupported(what)),
                _ => None,
            },
            ScriptedStream::Graphql(h, s) => match carry_out_on_layer(s, a, &h.control()).await {
                LayerCarried::Unsupported(what) => Some(unsupported(what)),
                _ => None,
            },
            ScriptedStream::Sse(h) => match a {
                ScriptAction::Close { .. } => {
                    // Ended already is fine: the script wanted it ended.
                    let _ = h.control().close().await;
                    None
                }
                _ => Some(unsupported(
                    "sp.send/sp.emit/sp.publish ignored: an SSE request only receives events",
                )),
            },
        }
    }

    /// Closes the session after a script error (stop on script errors).
    async fn close_on_error(&self) {
        let control = match self {
            ScriptedStream::Sse(h) => {
                // Ended already is fine.
                let _ = h.control().close().await;
                return;
            }
            ScriptedStream::Ws(h) => h.control(),
            ScriptedStream::Socketio(h, _) => h.control().session().clone(),
            ScriptedStream::Graphql(h, _) => h.control().session().clone(),
        };
        // Closed already is fine.
        let _ = control.close(1000, "script error").await;
    }
}

/// A session with its scripts beside it.
pub struct ScriptedSession {
    stream: ScriptedStream,
    scripts: Option<SessionScripts>,
    app: Arc<App>,
    /// Variables set with scope `environment`, saved when the session ends.
    env_updates: Vec<(String, String)>,
    stopped: bool,
    ended: bool,
    t: u64,
}

enum Step {
    Batch(Option<StreamBatch>),
    Action(Option<ScriptAction>),
}

impl ScriptedSession {
    pub fn new(stream: ScriptedStream, scripts: SessionScripts, app: Arc<App>) -> ScriptedSession {
        ScriptedSession {
            stream,
            scripts: Some(scripts),
            app,
            env_updates: Vec::new(),
            stopped: false,
            ended: false,
            t: 0,
        }
    }

    /// The next batch: session events, script results, or both; `None` once the session has
    /// ended and `after` has run.
    pub async fn next_batch(&mut self) -> Option<ScriptedBatch> {
        loop {
            let step = match self.scripts.as_mut() {
                None => Step::Batch(self.stream.next().await),
                Some(s) => tokio::select! {
                    b = self.stream.next() => Step::Batch(b),
                    a = s.next_action() => Step::Action(a),
                },
            };
            let mut script = Vec::new();
            match step {
                Step::Batch(None) => {
                    self.finish(&mut script).await;
                    return (!script.is_empty())
                        .then(|| self.batch(StreamBatch::default(), script));
                }
                Step::Batch(Some(events)) => {
                    let (inputs, t, ended) = self.stream.inputs(&events);
                    if let Some(t) = t {
                        self.t = t;
                    }
                    if let Some(s) = self.scripts.as_mut() {
                        s.feed(inputs).await;
                    }
                    self.drain(&mut script).await;
                    if ended {
                        self.ended = true;
                        self.finish(&mut script).await;
                    }
                    return Some(self.batch(events, script));
                }
                Step::Action(None) => self.scripts = None,
                Step::Action(Some(a)) => {
                    self.apply(a, &mut script).await;
                    self.drain(&mut script).await;
                    if !script.is_empty() {
                        return Some(self.batch(StreamBatch::default(), script));
                    }
                }
            }
        }
    }

    fn batch(&self, events: StreamBatch, script: Vec<ScriptEvent>) -> ScriptedBatch {
        ScriptedBatch {
            events,
            script,
            t: self.t,
        }
    }

    /// Carries out the actions already produced.
    async fn drain(&mut self, out: &mut Vec<ScriptEvent>) {
        while let Some(a) = self.scripts.as_mut().and_then(SessionScripts::try_action) {
            self.apply(a, out).await;
        }
    }

    /// Runs `after` (sends and closes no longer apply), then saves `environment` variables.
    async fn finish(&mut self, out: &mut Vec<ScriptEvent>) {
        self.ended = true;
        if let Some(s) = self.scripts.take() {
            for a in s.finish().await {
                self.apply(a, out).await;
            }
        }
        if self.env_updates.is_empty() {
            return;
        }
        let updates = std::mem::take(&mut self.env_updates);
        let mut names: Vec<String> = Vec::new();
        for (n, _) in &updates {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        let app = self.app.clone();
        let saved =
            match tokio::task::spawn_blocking(move || app.save_script_variables(&updates)).await {
                Ok(r) => r,
                Err(e) => Err(super::AppError::invalid(
                    "app.task_failed",
                    format!("saving script variables stopped: {e}"),
                )),
            };
        out.push(ScriptEvent::Saved {
            text: saved_sentence(&names, &saved),
            saved: matches!(saved, Ok(Some(_))),
        });
    }

    /// After a script error: closes the session (once) when stopping on script errors.
    async fn stop_if_asked(&mut self, out: &mut Vec<ScriptEvent>) {
        let stop = self
            .scripts
            .as_ref()
            .is_some_and(SessionScripts::stop_on_error);
        if stop && !self.stopped && !self.ended {
            self.stopped = true;
            out.push(ScriptEvent::Error {
                code: "script.stopped",
                message: "closing the session: stop on script error is on".into(),
            });
            self.stream.close_on_error().await;
        }
    }

    /// Carries out one action: sends, emits and closes on the session while it lives; the rest
    /// is reported or kept.
    async fn apply(&mut self, a: ScriptAction, out: &mut Vec<ScriptEvent>) {
        match a {
            a @ (ScriptAction::Send(_)
            | ScriptAction::Close { .. }
            | ScriptAction::Emit { .. }
            | ScriptAction::Publish { .. }) => {
                if !self.ended {
                    if let Some(e) = self.stream.carry_out(a).await {
                        out.push(e);
                        // What the session cannot do is a script error, as in the CLI.
                        self.stop_if_asked(out).await;
                    }
                }
            }
            ScriptAction::Log { hook, text } => out.push(ScriptEvent::Log { hook, text }),
            ScriptAction::Test(t) => out.push(ScriptEvent::Test(t)),
            ScriptAction::Error(e) => {
                out.push(ScriptEvent::Error {
                    code: e.code(),
                    message: match e.stack() {
                        "" => e.to_string(),
                        stack => format!("{e}\n{stack}"),
                    },
                });
                self.stop_if_asked(out).await;
            }
            ScriptAction::SetVar { name, value, scope } => {
                self.app.keep_script_var(&name, &value, scope);
                if scope == VarScope::Environment {
                    self.env_updates.push((name, value));
                }
            }
        }
    }
}
