//! Scripts on sockets: JavaScript hooks (QuickJS via rquickjs) that see every message of a
//! session and can send, close, log, keep variables and run chai `expect` tests.
//!
//! A [`ScriptHost`] owns one runtime on its own thread, so a slow script never runs on the socket's
//! task. The face that holds the session feeds it [`ScriptInput`]s in order ([`ScriptHost::feed`])
//! and carries out the [`ScriptAction`]s it answers with (sends, closes, log rows, test results).
//! Each hook call has a time limit and the runtime a memory limit; scripts have no file or network
//! access (`require`, `fetch` and friends throw a clear error).
//!
//! A program is either a hook file (`sockpit connect --script`: it defines any of `beforeConnect`,
//! `onOpen`, `onMessage`, `onClose`, `after`, each taking `sp`) or a request's `scripts` object
//! (one function body per hook). Both run the same way.

mod engine;
pub mod error;
pub mod layered;
mod natives;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

pub use error::ScriptError;

use crate::ws::{DataKind, Direction, Outgoing};

/// The default time one hook call may take.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_millis(1000);
/// The default memory a session's runtime may use.
pub const DEFAULT_MEMORY_LIMIT: usize = 256 << 20;

/// A point in a session where a script runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hook {
    BeforeConnect,
    OnOpen,
    OnMessage,
    OnClose,
    After,
}

impl Hook {
    pub const ALL: [Hook; 5] = [
        Hook::BeforeConnect,
        Hook::OnOpen,
        Hook::OnMessage,
        Hook::OnClose,
        Hook::After,
    ];

    /// The name in a request's `scripts` object.
    pub fn as_str(self) -> &'static str {
        match self {
            Hook::BeforeConnect => "before_connect",
            Hook::OnOpen => "on_open",
            Hook::OnMessage => "on_message",
            Hook::OnClose => "on_close",
            Hook::After => "after",
        }
    }

    /// The function name in a hook file.
    pub fn function_name(self) -> &'static str {
        match self {
            Hook::BeforeConnect => "beforeConnect",
            Hook::OnOpen => "onOpen",
            Hook::OnMessage => "onMessage",
            Hook::OnClose => "onClose",
            Hook::After => "after",
        }
    }

    pub fn parse(s: &str) -> Option<Hook> {
        Hook::ALL.into_iter().find(|h| h.as_str() == s)
    }
}

impl std::fmt::Display for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JavaScript a session runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProgram {
    /// Where it came from, for errors: a file path, or `request 'Name'`.
    pub origin: String,
    pub source: ScriptSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptSource {
    /// A hook file defining `onOpen(sp)`, `onMessage(sp)`, ... as global functions.
    File(String),
    /// One function body per hook (a request's `scripts` object); `sp` is in scope.
    Hooks(BTreeMap<Hook, String>),
}

impl ScriptProgram {
    pub fn file(origin: impl Into<String>, text: impl Into<String>) -> Self {
        ScriptProgram {
            origin: origin.into(),
            source: ScriptSource::File(text.into()),
        }
    }

    pub fn hooks(origin: impl Into<String>, hooks: BTreeMap<Hook, String>) -> Self {
        ScriptProgram {
            origin: origin.into(),
            source: ScriptSource::Hooks(hooks),
        }
    }

    /// Reads a hook file (`--script FILE.js`); its path, as given, is the origin errors name.
    pub fn read_file(path: &std::path::Path) -> Result<Self, ScriptError> {
        let origin = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(ScriptProgram::file(origin, text)),
            Err(e) => Err(ScriptError::Read {
                origin,
                message: e.to_string(),
            }),
        }
    }

    /// The name reports put before a hook file's test names (`round-trips.js`): the file name
    /// of the origin.
    pub fn label(&self) -> String {
        std::path::Path::new(&self.origin)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.origin.clone())
    }
}

/// Checks a hook file the way every face takes one, before anything connects: it compiles, its
/// top level runs (on a runtime of its own, then dropped, so its `after` never runs here), and it
/// defines at least one hook.
pub async fn check_hook_file(
    program: &ScriptProgram,
    layer: ScriptLayer,
) -> Result<(), ScriptError> {
    let options = ScriptOptions {
        layer,
        ..ScriptOptions::default()
    };
    let host = ScriptHost::start(program.clone(), options).await?;
    host.require_a_hook(&program.origin)
}

/// Which layer the session speaks; decides whether `sp.emit` / `sp.publish` exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScriptLayer {
    #[default]
    Websocket,
    Sse,
    Socketio,
    Graphql,
    Stomp,
    Mqtt,
}

impl ScriptLayer {
    pub fn as_str(self) -> &'static str {
        match self {
            ScriptLayer::Websocket => "websocket",
            ScriptLayer::Sse => "sse",
            ScriptLayer::Socketio => "socketio",
            ScriptLayer::Graphql => "graphql",
            ScriptLayer::Stomp => "stomp",
            ScriptLayer::Mqtt => "mqtt",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ScriptOptions {
    pub time_limit: Duration,
    pub memory_limit: usize,
    /// The run's variables as the script starts (`sp.vars.get`).
    pub vars: HashMap<String, String>,
    pub layer: ScriptLayer,
}

impl Default for ScriptOptions {
    fn default() -> Self {
        ScriptOptions {
            time_limit: DEFAULT_TIME_LIMIT,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            vars: HashMap::new(),
            layer: ScriptLayer::default(),
        }
    }
}

/// A data message as a script sees it.
#[derive(Debug, Clone)]
pub struct ScriptMessage {
    pub dir: Direction,
    pub kind: DataKind,
    pub data: Bytes,
    /// Milliseconds since the session started.
    pub t_ms: f64,
    /// The decoded form as JSON text: protobuf JSON, or the protocol layer's event.
    pub decoded: Option<String>,
}

/// What happened on the session, fed to the script in order.
#[derive(Debug, Clone)]
pub enum ScriptInput {
    BeforeConnect,
    Open {
        t_ms: f64,
    },
    Message(ScriptMessage),
    Close {
        t_ms: f64,
        code: u16,
        reason: String,
    },
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarScope {
    Run,
    Environment,
}

/// One `test()` call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptTest {
    pub hook: Hook,
    pub name: String,
    pub passed: bool,
    /// The assertion's message when it failed (chai's, e.g. "expected 2 to equal 3").
    pub message: String,
    /// The line in the script where it failed (0 when unknown).
    pub line: u32,
}

/// What a script asks of the session, in the order it asked.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptAction {
    Send(Outgoing),
    /// `sp.emit(event, ...args)` on Socket.IO.
    Emit {
        event: String,
        args: Vec<serde_json::Value>,
    },
    /// `sp.publish(topic, payload)` on MQTT.
    Publish {
        topic: String,
        payload: Bytes,
    },
    Close {
        code: u16,
        reason: String,
    },
    Log {
        hook: Hook,
        text: String,
    },
    SetVar {
        name: String,
        value: String,
        scope: VarScope,
    },
    Test(ScriptTest),
    /// An uncaught exception, a time-out or a memory overrun; the session goes on unless the face
    /// was told to stop on script errors.
    Error(ScriptError),
}

/// Which hooks a program defines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HookSet(u8);

impl HookSet {
    pub fn insert(&mut self, h: Hook) {
        self.0 |= 1 << h as u8;
    }

    pub fn has(self, h: Hook) -> bool {
        self.0 & (1 << h as u8) != 0
    }
}

/// How many input batches the script thread has finished, for [`ScriptHost::settle`].
#[derive(Debug, Default)]
pub(crate) struct Progress {
    done: AtomicU64,
    notify: tokio::sync::Notify,
}

impl Progress {
    pub(crate) fn batch_done(&self) {
        self.done.fetch_add(1, Ordering::Release);
        self.notify.notify_one();
    }
}

const INPUT_BATCHES: usize = 64;
const ACTIONS: usize = 1024;

/// A running script: its thread, the inputs going in and the actions coming out.
pub struct ScriptHost {
    input: Option<mpsc::Sender<Vec<ScriptInput>>>,
    actions: mpsc::Receiver<ScriptAction>,
    stash: VecDeque<ScriptAction>,
    hooks: HookSet,
    thread: Option<std::thread::JoinHandle<()>>,
    progress: Arc<Progress>,
    sent: u64,
}

impl ScriptHost {
    /// Compiles the program and runs its top level on a new thread. A syntax error, or an
    /// exception at the top level, comes back here, before anything connects.
    pub async fn start(
        program: ScriptProgram,
        options: ScriptOptions,
    ) -> Result<Self, ScriptError> {
        let (input_tx, input_rx) = mpsc::channel(INPUT_BATCHES);
        let (actions_tx, actions_rx) = mpsc::channel(ACTIONS);
        let (ready_tx, ready_rx) = oneshot::channel();
        let origin = program.origin.clone();
        let progress = Arc::new(Progress::default());
        let thread_progress = progress.clone();
        let thread = std::thread::Builder::new()
            .name("sockpit-script".into())
            .stack_size(8 << 20)
            .spawn(move || {
                engine::run(
                    program,
                    options,
                    ready_tx,
                    input_rx,
                    actions_tx,
                    thread_progress,
                )
            })
            .map_err(|e| ScriptError::Engine {
                origin: origin.clone(),
                message: format!("could not start the script thread: {e}"),
            })?;
        let hooks = match ready_rx.await {
            Ok(r) => r?,
            Err(_) => {
                return Err(ScriptError::Engine {
                    origin,
                    message: "the script engine stopped while starting".into(),
                })
            }
        };
        Ok(ScriptHost {
            input: Some(input_tx),
            actions: actions_rx,
            stash: VecDeque::new(),
            hooks,
            thread: Some(thread),
            progress,
            sent: 0,
        })
    }

    /// Waits until the script has handled every input fed so far (its actions are then all
    /// available through [`ScriptHost::try_action`]), e.g. `before_connect` before connecting.
    pub async fn settle(&mut self) {
        while self.progress.done.load(Ordering::Acquire) < self.sent {
            tokio::select! {
                _ = self.progress.notify.notified() => {}
                a = self.actions.recv() => match a {
                    Some(a) => self.stash.push_back(a),
                    None => return,
                },
            }
        }
    }

    /// Checks a program's syntax without running it (for validation before a run).
    pub fn check(program: &ScriptProgram) -> Result<(), ScriptError> {
        engine::check_syntax(program)
    }

    pub fn has(&self, hook: Hook) -> bool {
        self.hooks.has(hook)
    }

    /// For a hook file: [`ScriptError::NoHooks`] unless it defines at least one hook.
    pub fn require_a_hook(&self, origin: &str) -> Result<(), ScriptError> {
        if Hook::ALL.iter().any(|h| self.has(*h)) {
            Ok(())
        } else {
            Err(ScriptError::NoHooks {
                origin: origin.to_string(),
            })
        }
    }

    /// Queues inputs for the script, in order. While the queue is full, actions the script
    /// produces are taken in (and kept for [`ScriptHost::try_action`]), so neither side waits on
    /// the other.
    pub async fn feed(&mut self, inputs: Vec<ScriptInput>) {
        if inputs.is_empty() {
            return;
        }
        let Some(tx) = self.input.clone() else { return };
        let mut inputs = Some(inputs);
        loop {
            tokio::select! {
                permit = tx.reserve() => {
                    if let (Ok(p), Some(i)) = (permit, inputs.take()) {
                        p.send(i);
                        self.sent += 1;
                    }
                    return;
                }
                a = self.actions.recv() => match a {
                    Some(a) => self.stash.push_back(a),
                    // The script thread is gone: nothing will read the inputs.
                    None => return,
                },
            }
        }
    }

    /// An action already produced, without waiting.
    pub fn try_action(&mut self) -> Option<ScriptAction> {
        self.stash
            .pop_front()
            .or_else(|| self.actions.try_recv().ok())
    }

    /// The next action; `None` once the script thread has ended.
    pub async fn next_action(&mut self) -> Option<ScriptAction> {
        if let Some(a) = self.stash.pop_front() {
            return Some(a);
        }
        self.actions.recv().await
    }

    /// Runs the `after` hook, ends the thread and returns every action not taken yet.
    pub async fn finish(mut self) -> Vec<ScriptAction> {
        self.feed(vec![ScriptInput::After]).await;
        self.input = None;
        let mut out: Vec<ScriptAction> = self.stash.drain(..).collect();
        while let Some(a) = self.actions.recv().await {
            out.push(a);
        }
        if let Some(t) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
        out
    }
}

impl Drop for ScriptHost {
    fn drop(&mut self) {
        // Closing the input ends the thread once it has finished its current call.
        self.input = None;
    }
}

/// What of a WebSocket session batch a script sees: the open, data messages both ways (binary
/// ones with their protobuf JSON when `decoder` decodes them), and the server's close.
pub fn session_inputs(
    batch: &[crate::ws::SessionEvent],
    decoder: Option<&crate::proto::payload_codec::PayloadCodec>,
) -> Vec<ScriptInput> {
    use crate::ws::SessionEvent;
    let ms = |t: u64| t as f64 / 1e6;
    batch
        .iter()
        .filter_map(|ev| match ev {
            SessionEvent::Open { t, .. } => Some(ScriptInput::Open { t_ms: ms(*t) }),
            SessionEvent::Message { t, dir, kind, data } => {
                Some(ScriptInput::Message(ScriptMessage {
                    dir: *dir,
                    kind: *kind,
                    data: data.clone(),
                    t_ms: ms(*t),
                    decoded: match (kind, decoder) {
                        (DataKind::Binary, Some(c)) => c.decode_json_text(data, false).ok(),
                        _ => None,
                    },
                }))
            }
            SessionEvent::Close {
                t,
                dir: Direction::In,
                code,
                reason,
                ..
            } => Some(ScriptInput::Close {
                t_ms: ms(*t),
                code: *code,
                reason: reason.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// What of an SSE subscription batch a script sees (the same for `sockpit run` and the window):
/// the open, and every event as a text message whose `data` is the event's data and whose
/// `decoded` is `{"event": type, "data": data}`.
pub fn sse_inputs(batch: &[crate::sse::SseSessionEvent]) -> Vec<ScriptInput> {
    use crate::sse::SseSessionEvent;
    let ms = |t: u64| t as f64 / 1e6;
    batch
        .iter()
        .filter_map(|ev| match ev {
            SseSessionEvent::Open { t, .. } => Some(ScriptInput::Open { t_ms: ms(*t) }),
            SseSessionEvent::Event {
                t,
                event_type,
                data,
                ..
            } => {
                let decoded = serde_json::json!({"event": event_type, "data": data});
                Some(ScriptInput::Message(ScriptMessage {
                    dir: Direction::In,
                    kind: DataKind::Text,
                    data: Bytes::from(data.clone()),
                    t_ms: ms(*t),
                    decoded: Some(decoded.to_string()),
                }))
            }
            _ => None,
        })
        .collect()
}

/// Carries out the session side of an action: a send or a close goes to `control` (dropped
/// once the session is gone: `None`). Anything else comes back for the face to handle.
pub async fn carry_out_on_session(
    a: ScriptAction,
    control: Option<&crate::ws::SessionControl>,
) -> Option<ScriptAction> {
    match a {
        ScriptAction::Send(m) => {
            if let Some(c) = control {
                let _ = c.command(crate::ws::SessionCommand::Send(m)).await;
            }
            None
        }
        ScriptAction::Close { code, reason } => {
            if let Some(c) = control {
                // Closed already is fine: the script wanted it closed.
                let _ = c.close(code, reason).await;
            }
            None
        }
        other => Some(other),
    }
}

/// Turns a finished script's actions into test results and errors, for reports.
pub fn tests_of(actions: &[ScriptAction]) -> Vec<ScriptTest> {
    actions
        .iter()
        .filter_map(|a| match a {
            ScriptAction::Test(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
