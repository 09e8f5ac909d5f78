//! A request's scripts during `sockpit run`: started before connecting, fed the session's events,
//! their sends and closes carried out on the session, their tests and errors kept for the report.

use std::collections::HashMap;

use super::RunError;
use crate::collection::model::{Protocol, Request};
use crate::proto::payload_codec::PayloadCodec;
use crate::script::{
    Hook, ScriptAction, ScriptHost, ScriptInput, ScriptLayer, ScriptOptions, ScriptTest, VarScope,
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

pub(super) struct RequestScript {
    host: ScriptHost,
    outcome: ScriptOutcome,
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
    /// Starts the request's scripts (if it has any) and runs `before_connect`.
    pub async fn start(
        r: &Request,
        vars: &HashMap<String, String>,
    ) -> Result<Option<Self>, RunError> {
        let Some(program) = r.scripts.program() else {
            return Ok(None);
        };
        let options = ScriptOptions {
            vars: vars.clone(),
            layer: layer_of(r.protocol),
            ..ScriptOptions::default()
        };
        let mut host =
            ScriptHost::start(program, options)
                .await
                .map_err(|e| RunError::Request {
                    request: r.name.clone(),
                    code: e.code(),
                    message: e.to_string(),
                })?;
        host.feed(vec![ScriptInput::BeforeConnect]).await;
        let mut script = RequestScript {
            host,
            outcome: ScriptOutcome::default(),
        };
        if script.host.has(Hook::BeforeConnect) {
            // Its variables must be known before the request is rendered and connects.
            script.host.settle().await;
            while let Some(a) = script.host.try_action() {
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

    /// Whether the script reads messages: then the request stays open for it (until the server
    /// or the script closes, or the timeout) instead of closing once its assertions are decided.
    pub fn listens(&self) -> bool {
        self.host.has(Hook::OnMessage)
    }

    pub async fn feed(&mut self, batch: &[SessionEvent], decoder: Option<&PayloadCodec>) {
        self.host
            .feed(crate::script::session_inputs(batch, decoder))
            .await;
    }

    pub async fn feed_inputs(&mut self, inputs: Vec<ScriptInput>) {
        self.host.feed(inputs).await;
    }

    /// Records that the script asked for something this request cannot do.
    pub fn note_unsupported(&mut self, what: &str) {
        self.outcome
            .errors
            .push(format!("script.unsupported: {what}"));
    }

    pub async fn next_action(&mut self) -> ScriptAction {
        match self.host.next_action().await {
            Some(a) => a,
            None => std::future::pending().await,
        }
    }

    pub fn try_action(&mut self) -> Option<ScriptAction> {
        self.host.try_action()
    }

    pub async fn apply(&mut self, a: ScriptAction, control: Option<&SessionControl>) {
        self.outcome.apply(a, control).await
    }

    /// Runs `after` and returns what the script reported.
    pub async fn finish(self) -> ScriptOutcome {
        let RequestScript { host, mut outcome } = self;
        for a in host.finish().await {
            outcome.apply(a, None).await;
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
