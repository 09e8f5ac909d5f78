//! A request's scripts during `sockpit run` (the run's hook file from `--script`, then the
//! request's own): started before connecting, fed the session's events, their sends and closes
//! carried out on the session, their tests and errors kept for the report.

use std::collections::{HashMap, VecDeque};

use super::RunError;
use crate::collection::model::{Protocol, Request};
use crate::proto::payload_codec::PayloadCodec;
use crate::script::{
    Hook, ScriptAction, ScriptHost, ScriptInput, ScriptLayer, ScriptOptions, ScriptProgram,
    ScriptTest, VarScope,
};
use crate::ws::{SessionControl, SessionEvent};

/// What a request's script reported by the end of the request.
#[derive(Debug, Default)]
pub(super) struct ScriptOutcome {
    pub tests: Vec<ScriptTest>,
    /// Uncaught errors, time-outs and memory overruns, as `code: message`.
    pub errors: Vec<String>,
    /// Variables set with scope `run` or `environment`, for the requests after this one.
    pub run_vars: HashMap<String, String>,
    /// Variables set with scope `environment`, in the order set, to be saved after the run.
    pub env_vars: Vec<(String, String)>,
}

/// A request's scripts: the run's hook file (`sockpit run --script`) first, then the request's
/// own `scripts`, each in a runtime of its own for this request's session. Every input goes to
/// each in that order, and the file has finished an input (its actions taken in) before the
/// request's scripts get it, so for every input the file's actions are carried out first.
pub(super) struct RequestScript {
    programs: Vec<Running>,
    outcome: ScriptOutcome,
    /// `--script-stop-on-error`: the first script error closes the request's connection.
    stop_on_error: bool,
    stopped: bool,
    /// Actions of our own to carry out before the scripts' next (the close of stop-on-error).
    queued: VecDeque<ScriptAction>,
}

/// One program running for a request.
struct Running {
    host: ScriptHost,
    /// Put before its test names (`round-trips.js: name`): set for the run's hook file.
    label: Option<String>,
}

impl Running {
    fn relabel(&self, a: ScriptAction) -> ScriptAction {
        relabel(self.label.as_deref(), a)
    }
}

/// A test of the run's hook file is named `FILE: name` in every report.
fn relabel(label: Option<&str>, a: ScriptAction) -> ScriptAction {
    match (a, label) {
        (ScriptAction::Test(mut t), Some(label)) => {
            t.name = format!("{label}: {}", t.name);
            ScriptAction::Test(t)
        }
        (a, _) => a,
    }
}

/// The run's scripts as one request sees them: the hook file and the stop-on-error switch.
#[derive(Clone, Copy, Default)]
pub(crate) struct RunScripts<'a> {
    pub file: Option<&'a ScriptProgram>,
    pub stop_on_error: bool,
}

pub(super) fn layer_of(p: Protocol) -> ScriptLayer {
    match p {
        Protocol::Websocket => ScriptLayer::Websocket,
        Protocol::Sse => ScriptLayer::Sse,
        Protocol::Socketio => ScriptLayer::Socketio,
        Protocol::Graphql => ScriptLayer::Graphql,
        Protocol::Stomp => ScriptLayer::Stomp,
        Protocol::Mqtt => ScriptLayer::Mqtt,
    }
}

impl RequestScript {
    /// Starts the run's hook file and the request's scripts (when there are any) and runs
    /// `before_connect`.
    pub async fn start(
        r: &Request,
        run: RunScripts<'_>,
        vars: &HashMap<String, String>,
    ) -> Result<Option<Self>, RunError> {
        let mut sources: Vec<(ScriptProgram, Option<String>)> = Vec::new();
        if let Some(file) = run.file {
            sources.push((file.clone(), Some(file.label())));
        }
        if let Some(program) = r.scripts.program() {
            sources.push((program, None));
        }
        if sources.is_empty() {
            return Ok(None);
        }
        let mut programs = Vec::with_capacity(sources.len());
        for (program, label) in sources {
            let options = ScriptOptions {
                vars: vars.clone(),
                layer: layer_of(r.protocol),
                ..ScriptOptions::default()
            };
            let host =
                ScriptHost::start(program, options)
                    .await
                    .map_err(|e| RunError::Request {
                        request: r.name.clone(),
                        code: e.code(),
                        message: e.to_string(),
                    })?;
            programs.push(Running { host, label });
        }
        let mut script = RequestScript {
            programs,
            outcome: ScriptOutcome::default(),
            stop_on_error: run.stop_on_error,
            stopped: false,
            queued: VecDeque::new(),
        };
        script.feed_inputs(vec![ScriptInput::BeforeConnect]).await;
        if script
            .programs
            .iter()
            .any(|p| p.host.has(Hook::BeforeConnect))
        {
            // Its variables must be known before the request is rendered and connects.
            for p in &mut script.programs {
                p.host.settle().await;
            }
            while let Some(a) = script.try_action() {
                script.outcome.apply(a, None).await;
            }
        }
        Ok(Some(script))
    }

    /// What `before_connect` set, to render the request with before it connects.
    pub fn before_connect_vars(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .outcome
            .run_vars
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort();
        v
    }

    /// Whether stop-on-error already stopped the request (an error in `before_connect`): then it
    /// does not connect.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Whether a script reads messages: then the request stays open for it (until the server
    /// or the script closes, or the timeout) instead of closing once its assertions are decided.
    pub fn listens(&self) -> bool {
        self.programs.iter().any(|p| p.host.has(Hook::OnMessage))
    }

    pub async fn feed(&mut self, batch: &[SessionEvent], decoder: Option<&PayloadCodec>) {
        self.feed_inputs(crate::script::session_inputs(batch, decoder))
            .await;
    }

    /// Feeds the inputs to every program in order; each but the last has handled them (its
    /// actions taken in) before the next gets them.
    pub async fn feed_inputs(&mut self, inputs: Vec<ScriptInput>) {
        if inputs.is_empty() {
            return;
        }
        let last = self.programs.len().saturating_sub(1);
        let mut inputs = Some(inputs);
        for (i, p) in self.programs.iter_mut().enumerate() {
            let these = if i == last {
                inputs.take()
            } else {
                inputs.clone()
            };
            let Some(these) = these else { break };
            p.host.feed(these).await;
            if i < last {
                p.host.settle().await;
            }
        }
    }

    /// Records that a script asked for something this request cannot do.
    pub fn note_unsupported(&mut self, what: &str) {
        self.outcome
            .errors
            .push(format!("script.unsupported: {what}"));
        self.error_seen();
    }

    /// The next action, the hook file's before the request's; never resolves once every
    /// script thread has ended.
    pub async fn next_action(&mut self) -> ScriptAction {
        if let Some(a) = self.queued.pop_front() {
            return a;
        }
        let got = match self.programs.as_mut_slice() {
            [] => None,
            [one] => one.host.next_action().await.map(|a| (0, a)),
            [first, second, ..] => tokio::select! {
                biased;
                Some(a) = first.host.next_action() => Some((0, a)),
                Some(a) = second.host.next_action() => Some((1, a)),
                else => None,
            },
        };
        let got = got.map(|(i, a)| self.programs[i].relabel(a));
        match got {
            Some(a) => self.taken(a),
            None => std::future::pending().await,
        }
    }

    /// An action already produced, without waiting: the hook file's first.
    pub fn try_action(&mut self) -> Option<ScriptAction> {
        if let Some(a) = self.queued.pop_front() {
            return Some(a);
        }
        let a = self
            .programs
            .iter_mut()
            .find_map(|p| p.host.try_action().map(|a| p.relabel(a)))?;
        Some(self.taken(a))
    }

    /// Notes a script error on its way out (for stop-on-error).
    fn taken(&mut self, a: ScriptAction) -> ScriptAction {
        if matches!(a, ScriptAction::Error(_)) {
            self.error_seen();
        }
        a
    }

    /// With stop-on-error, the first script error closes the request's connection.
    fn error_seen(&mut self) {
        if self.stop_on_error && !self.stopped {
            self.stopped = true;
            self.queued.push_back(ScriptAction::Close {
                code: 1000,
                reason: "script error".into(),
            });
        }
    }

    pub async fn apply(&mut self, a: ScriptAction, control: Option<&SessionControl>) {
        self.outcome.apply(a, control).await
    }

    /// Runs `after` (the hook file's first) and returns what the scripts reported.
    pub async fn finish(self) -> ScriptOutcome {
        let RequestScript {
            programs,
            mut outcome,
            ..
        } = self;
        for p in programs {
            let Running { host, label } = p;
            for a in host.finish().await {
                outcome.apply(relabel(label.as_deref(), a), None).await;
            }
        }
        outcome
    }
}

impl ScriptOutcome {
    /// Carries out one action; sends and closes go to `control` while the session lives.
    async fn apply(&mut self, a: ScriptAction, control: Option<&SessionControl>) {
        let Some(a) = crate::script::carry_out_on_session(a, control).await else {
            return;
        };
        match a {
            ScriptAction::Send(_) | ScriptAction::Close { .. } => {}
            ScriptAction::Test(t) => self.tests.push(t),
            ScriptAction::Error(e) => self.errors.push(format!("{}: {e}", e.code())),
            ScriptAction::SetVar { name, value, scope } => {
                if scope == VarScope::Environment {
                    self.env_vars.push((name.clone(), value.clone()));
                }
                self.run_vars.insert(name, value);
            }
            // Log rows go to history with the session; the run report does not show them.
            ScriptAction::Log { .. } => {}
            ScriptAction::Emit { .. } | ScriptAction::Publish { .. } => {}
        }
    }
}
