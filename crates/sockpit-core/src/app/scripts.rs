//! A request's scripts in the window: syntax checks for the editor ([`check_scripts`]) and a
//! session that runs them ([`ScriptedSession`]): it feeds the session's batches to a
//! [`ScriptHost`], carries out its sends and closes, and hands the face its `sp.log` lines,
//! errors and `test()` results beside each batch. `after` runs when the session ends.

use std::collections::HashMap;

use serde::Serialize;

use super::AppError;
use crate::collection::model::{Protocol, Request, Scripts};
use crate::log::SessionLog;
use crate::script::{
    Hook, ScriptAction, ScriptError, ScriptHost, ScriptInput, ScriptLayer, ScriptOptions,
    ScriptProgram, ScriptTest,
};
use crate::ws::{SessionCommand, SessionControl, SessionEvent, SessionHandle};

/// A syntax error in one hook, where the editor underlines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptDiagnostic {
    /// `before_connect`, `on_open`, `on_message`, `on_close` or `after`.
    pub hook: String,
    pub code: String,
    pub message: String,
    /// 1-based, in the hook's body (0 when unknown).
    pub line: u32,
    pub column: u32,
}

/// Checks each non-blank hook's syntax without running anything; one diagnostic per broken hook.
pub fn check_scripts(scripts: &Scripts) -> Vec<ScriptDiagnostic> {
    scripts
        .hooks()
        .into_iter()
        .filter_map(|(hook, body)| {
            let program = ScriptProgram::hooks("script", [(hook, body)].into_iter().collect());
            ScriptHost::check(&program)
                .err()
                .map(|e| diagnostic(hook, &e))
        })
        .collect()
}

fn diagnostic(hook: Hook, e: &ScriptError) -> ScriptDiagnostic {
    let (line, column, message) = match e {
        ScriptError::Syntax {
            line,
            column,
            message,
            ..
        } => (*line, *column, message.clone()),
        other => (0, 0, other.to_string()),
    };
    ScriptDiagnostic {
        hook: hook.as_str().to_string(),
        code: e.code().to_string(),
        message,
        line,
        column,
    }
}

/// What a script reported, for the face: a log line or error (a `script` row) or a test result.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptEvent {
    Log { hook: Hook, text: String },
    Error { code: &'static str, message: String },
    Test(ScriptTest),
}

impl ScriptEvent {
    /// The text of its `script` row in the session log; `None` for test results (the Tests panel
    /// shows them).
    pub fn row_text(&self) -> Option<String> {
        match self {
            ScriptEvent::Log { hook, text } => Some(format!("{hook}: {text}")),
            ScriptEvent::Error { code, message } => Some(format!("{code}: {message}")),
            ScriptEvent::Test(_) => None,
        }
    }
}

/// One batch of a scripted session: the session's events and what the script reported since.
#[derive(Debug, Default)]
pub struct ScriptedBatch {
    pub events: Vec<SessionEvent>,
    pub script: Vec<ScriptEvent>,
    /// Session time (ns) of the newest event, for the script rows.
    pub t: u64,
}

impl ScriptedBatch {
    /// Adds the script's rows to the session log (after the batch's own events).
    pub fn push_rows(&self, log: &mut SessionLog) {
        for text in self.script.iter().filter_map(ScriptEvent::row_text) {
            log.push_script(self.t, &text);
        }
    }
}

/// Starts a request's scripts (if it has any) with the request's variables (`sp.vars.get`) and runs
/// `before_connect`. A syntax error or an exception at start is an error: nothing should connect.
pub async fn start_request_script(
    r: &Request,
    vars: HashMap<String, String>,
) -> Result<Option<ScriptHost>, AppError> {
    let Some(program) = r.scripts.program() else {
        return Ok(None);
    };
    let options = ScriptOptions {
        layer: match r.protocol {
            Protocol::Websocket => ScriptLayer::Websocket,
            Protocol::Sse => ScriptLayer::Sse,
            Protocol::Socketio => ScriptLayer::Socketio,
            Protocol::Graphql => ScriptLayer::Graphql,
            Protocol::Stomp => ScriptLayer::Stomp,
            Protocol::Mqtt => ScriptLayer::Mqtt,
        },
        vars,
        ..ScriptOptions::default()
    };
    let mut host = ScriptHost::start(program, options).await?;
    host.feed(vec![ScriptInput::BeforeConnect]).await;
    Ok(Some(host))
}

/// A plain WebSocket session with a script beside it.
pub struct ScriptedSession {
    handle: SessionHandle,
    control: SessionControl,
    host: Option<ScriptHost>,
    t: u64,
}

enum Step {
    Batch(Option<Vec<SessionEvent>>),
    Action(Option<ScriptAction>),
}

impl ScriptedSession {
    pub fn new(handle: SessionHandle, host: ScriptHost) -> ScriptedSession {
        ScriptedSession {
            control: handle.control(),
            handle,
            host: Some(host),
            t: 0,
        }
    }

    /// The next batch: session events, script results, or both; `None` once the session has
    /// ended and `after` has run.
    pub async fn next_batch(&mut self) -> Option<ScriptedBatch> {
        loop {
            let step = match self.host.as_mut() {
                None => Step::Batch(self.handle.next_batch().await),
                Some(host) => tokio::select! {
                    b = self.handle.next_batch() => Step::Batch(b),
                    a = host.next_action() => Step::Action(a),
                },
            };
            match step {
                Step::Batch(None) => {
                    let script = self.finish().await;
                    return (!script.is_empty()).then_some(ScriptedBatch {
                        events: Vec::new(),
                        script,
                        t: self.t,
                    });
                }
                Step::Batch(Some(events)) => {
                    if let Some(e) = events.last() {
                        self.t = e.t();
                    }
                    let mut script = Vec::new();
                    if let Some(host) = self.host.as_mut() {
                        host.feed(crate::script::session_inputs(&events, None))
                            .await;
                    }
                    self.drain(&mut script).await;
                    if events
                        .iter()
                        .any(|e| matches!(e, SessionEvent::Ended { .. }))
                    {
                        script.extend(self.finish().await);
                    }
                    return Some(ScriptedBatch {
                        events,
                        script,
                        t: self.t,
                    });
                }
                Step::Action(None) => self.host = None,
                Step::Action(Some(a)) => {
                    let mut script = Vec::new();
                    apply(a, Some(&self.control), &mut script).await;
                    self.drain(&mut script).await;
                    if !script.is_empty() {
                        return Some(ScriptedBatch {
                            events: Vec::new(),
                            script,
                            t: self.t,
                        });
                    }
                }
            }
        }
    }

    /// Carries out the actions already produced.
    async fn drain(&mut self, out: &mut Vec<ScriptEvent>) {
        while let Some(a) = self.host.as_mut().and_then(ScriptHost::try_action) {
            apply(a, Some(&self.control), out).await;
        }
    }

    /// Runs `after` and returns what is left (sends and closes no longer apply).
    async fn finish(&mut self) -> Vec<ScriptEvent> {
        let mut out = Vec::new();
        if let Some(host) = self.host.take() {
            for a in host.finish().await {
                apply(a, None, &mut out).await;
            }
        }
        out
    }
}

/// Carries out one action: sends and closes on the session while it lives; the rest is reported.
async fn apply(a: ScriptAction, control: Option<&SessionControl>, out: &mut Vec<ScriptEvent>) {
    match a {
        ScriptAction::Send(m) => {
            if let Some(c) = control {
                if let Err(e) = c.command(SessionCommand::Send(m)).await {
                    out.push(ScriptEvent::Error {
                        code: "script.send",
                        message: format!("sp.send failed: {e}"),
                    });
                }
            }
        }
        ScriptAction::Close { code, reason } => {
            if let Some(c) = control {
                // Closed already is fine: the script wanted it closed.
                let _ = c.close(code, reason).await;
            }
        }
        ScriptAction::Log { hook, text } => out.push(ScriptEvent::Log { hook, text }),
        ScriptAction::Test(t) => out.push(ScriptEvent::Test(t)),
        ScriptAction::Error(e) => out.push(ScriptEvent::Error {
            code: e.code(),
            message: match e.stack() {
                "" => e.to_string(),
                stack => format!("{e}\n{stack}"),
            },
        }),
        ScriptAction::SetVar { .. } => {}
        ScriptAction::Emit { .. } | ScriptAction::Publish { .. } => out.push(ScriptEvent::Log {
            hook: Hook::OnMessage,
            text: "sp.emit/sp.publish ignored: this session speaks plain WebSocket".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_points_at_the_broken_hook_and_line() {
        let scripts = Scripts {
            on_open: Some("sp.send('hi')".into()),
            on_message: Some("let a = 1;\nlet b = ;\n".into()),
            ..Scripts::default()
        };
        let d = check_scripts(&scripts);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].hook, "on_message");
        assert_eq!(d[0].code, "script.syntax");
        assert_eq!(d[0].line, 2);
        assert!(d[0].column > 0);
        assert!(check_scripts(&Scripts::default()).is_empty());
    }

    #[test]
    fn script_rows_go_to_the_log_and_tests_do_not() {
        let batch = ScriptedBatch {
            events: Vec::new(),
            script: vec![
                ScriptEvent::Log {
                    hook: Hook::OnOpen,
                    text: "hello".into(),
                },
                ScriptEvent::Test(ScriptTest {
                    hook: Hook::OnMessage,
                    name: "t".into(),
                    passed: true,
                    message: String::new(),
                    line: 0,
                }),
            ],
            t: 5,
        };
        let mut log = SessionLog::new();
        batch.push_rows(&mut log);
        assert_eq!(log.len(), 1);
        let row = log.get(0).expect("a row");
        assert_eq!(row.kind, crate::log::RowKind::Script);
        assert_eq!(row.data, b"on_open: hello");
    }
}
