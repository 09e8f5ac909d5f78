//! The scripts of one window session: a hook file attached in the Scripts tab
//! (`ScriptProgram::file`, the same file `sockpit connect --script` and `sockpit run --script`
//! take) and the request's own hooks, each in its own runtime. Every input goes to the file first,
//! and the request's hooks see it only once the file has handled it. `before_connect` of both runs
//! to its end before the request is rendered, so what it sets (`sp.vars.set`) is in the connect.

use std::collections::HashMap;
use std::path::Path;

use futures_util::future::select_all;

use super::scripts::{diagnostic, ScriptDiagnostic};
use super::{App, AppError};
use crate::collection::model::{Protocol, Request};
use crate::script::{
    Hook, ScriptAction, ScriptHost, ScriptInput, ScriptLayer, ScriptOptions, ScriptProgram,
    VarScope,
};

/// What the face chose for a session's scripts beside the request's own hooks.
#[derive(Debug, Clone, Default)]
pub struct ScriptPlan {
    /// A hook file defining `beforeConnect`/`onOpen`/`onMessage`/`onClose`/`after(sp)`.
    pub hook_file: Option<std::path::PathBuf>,
    /// Close the session on the first uncaught script error (`--script-stop-on-error`).
    pub stop_on_error: bool,
}

/// Reads a hook file into a program, as `connect --script` and `run --script` do; a missing or
/// unreadable file is `script.read`.
pub fn read_hook_file(path: &Path) -> Result<ScriptProgram, AppError> {
    Ok(ScriptProgram::read_file(path)?)
}

/// Checks a hook file the way every face takes one (`script::check_hook_file`: it compiles, its
/// top level runs, it defines a hook): no diagnostic when it is whole, one (hook `file`, with line
/// and column when known) when it is not. An unreadable file is an error.
pub async fn check_hook_file(
    path: &Path,
    layer: ScriptLayer,
) -> Result<Vec<ScriptDiagnostic>, AppError> {
    let p = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || read_hook_file(&p)).await;
    let program = read.map_err(|e| {
        AppError::invalid(
            "app.task_failed",
            format!("reading the hook file stopped: {e}"),
        )
    })??;
    Ok(
        match crate::script::check_hook_file(&program, layer).await {
            Ok(()) => Vec::new(),
            Err(e) => {
                let mut d = diagnostic(Hook::BeforeConnect, &e);
                d.hook = "file".into();
                vec![d]
            }
        },
    )
}

/// The script layer of a request's protocol (decides whether `sp.emit` / `sp.publish` exist).
pub fn script_layer(p: Protocol) -> ScriptLayer {
    match p {
        Protocol::Websocket => ScriptLayer::Websocket,
        Protocol::Sse => ScriptLayer::Sse,
        Protocol::Socketio => ScriptLayer::Socketio,
        Protocol::Graphql => ScriptLayer::Graphql,
        Protocol::Stomp => ScriptLayer::Stomp,
        Protocol::Mqtt => ScriptLayer::Mqtt,
    }
}

/// The running scripts of a session, the hook file's first.
pub struct SessionScripts {
    hosts: Vec<ScriptHost>,
    stop_on_error: bool,
    /// What `before_connect` reported (log lines, tests, errors), for the session's first batch.
    pub(super) pending: Vec<ScriptAction>,
}

impl SessionScripts {
    /// Starts the hook file (if any) and the request's hooks (if any) with `vars`, and runs each
    /// `before_connect` to its end, file first: what the file sets, the request's hooks see.
    /// Variables set are kept in `app` for this window session (and rendering). A syntax error,
    /// or an error in `before_connect` when stopping on errors, is an error: nothing connects.
    pub async fn start(
        app: &App,
        r: &Request,
        mut vars: HashMap<String, String>,
        plan: &ScriptPlan,
    ) -> Result<Option<SessionScripts>, AppError> {
        let file = match &plan.hook_file {
            Some(p) => {
                let p = p.clone();
                let read = tokio::task::spawn_blocking(move || read_hook_file(&p));
                Some(read.await.map_err(|e| {
                    AppError::invalid(
                        "app.task_failed",
                        format!("reading the hook file stopped: {e}"),
                    )
                })??)
            }
            None => None,
        };
        let file_origin = file.as_ref().map(|f| f.origin.clone());
        let programs: Vec<ScriptProgram> = file.into_iter().chain(r.scripts.program()).collect();
        if programs.is_empty() {
            return Ok(None);
        }
        let mut scripts = SessionScripts {
            hosts: Vec::new(),
            stop_on_error: plan.stop_on_error,
            pending: Vec::new(),
        };
        for program in programs {
            let options = ScriptOptions {
                layer: script_layer(r.protocol),
                vars: vars.clone(),
                ..ScriptOptions::default()
            };
            let is_file = scripts.hosts.is_empty() && file_origin.is_some();
            let origin = program.origin.clone();
            let mut host = ScriptHost::start(program, options).await?;
            if is_file {
                // A hook file that defines no hook is refused, as by the CLI.
                host.require_a_hook(&origin)?;
            }
            host.feed(vec![ScriptInput::BeforeConnect]).await;
            if host.has(Hook::BeforeConnect) {
                host.settle().await;
                while let Some(a) = host.try_action() {
                    match a {
                        ScriptAction::SetVar { name, value, scope } => {
                            app.keep_script_var(&name, &value, scope);
                            vars.insert(name.clone(), value.clone());
                            if scope == VarScope::Environment {
                                // Saved with the session's others when it ends.
                                let a = ScriptAction::SetVar { name, value, scope };
                                scripts.pending.push(a);
                            }
                        }
                        ScriptAction::Error(e) if plan.stop_on_error => return Err(e.into()),
                        // Nothing is connected yet: a send or a close has nowhere to go.
                        ScriptAction::Send(_)
                        | ScriptAction::Close { .. }
                        | ScriptAction::Emit { .. }
                        | ScriptAction::Publish { .. } => {}
                        other => scripts.pending.push(other),
                    }
                }
            }
            scripts.hosts.push(host);
        }
        Ok(Some(scripts))
    }

    pub fn stop_on_error(&self) -> bool {
        self.stop_on_error
    }

    /// Feeds `inputs` to every script in order; each one after the first sees them once the ones
    /// before it have handled them (their actions are then ready, first script's first).
    pub async fn feed(&mut self, inputs: Vec<ScriptInput>) {
        if inputs.is_empty() {
            return;
        }
        let last = self.hosts.len().saturating_sub(1);
        for (i, host) in self.hosts.iter_mut().enumerate() {
            if i == last {
                host.feed(inputs).await;
                return;
            }
            host.feed(inputs.clone()).await;
            host.settle().await;
        }
    }

    /// An action already produced, the first script's first.
    pub fn try_action(&mut self) -> Option<ScriptAction> {
        if let Some(a) = (!self.pending.is_empty()).then(|| self.pending.remove(0)) {
            return Some(a);
        }
        self.hosts.iter_mut().find_map(ScriptHost::try_action)
    }

    /// The next action of any script; `None` once every script thread has ended.
    pub async fn next_action(&mut self) -> Option<ScriptAction> {
        if !self.pending.is_empty() {
            return Some(self.pending.remove(0));
        }
        while !self.hosts.is_empty() {
            let (a, i, _) =
                select_all(self.hosts.iter_mut().map(|h| Box::pin(h.next_action()))).await;
            match a {
                Some(a) => return Some(a),
                None => {
                    self.hosts.remove(i);
                }
            }
        }
        std::future::pending().await
    }

    /// Runs `after` of every script in order and returns every action not taken yet.
    pub async fn finish(self) -> Vec<ScriptAction> {
        let mut out = self.pending;
        for host in self.hosts {
            out.extend(host.finish().await);
        }
        out
    }
}

impl App {
    /// Keeps a variable a script set for the rest of this window session: later connects render
    /// with it and later scripts see it (`sp.vars.get`). Scope `environment` is also saved into
    /// the active environment when the session ends ([`App::save_script_variables`]).
    pub fn keep_script_var(&self, name: &str, value: &str, _scope: VarScope) {
        super::lock(&self.script_vars).insert(name.to_string(), value.to_string());
    }

    /// The variables scripts set in this window session.
    pub fn script_vars(&self) -> HashMap<String, String> {
        super::lock(&self.script_vars).clone()
    }

    /// Saves variables scripts set with scope `environment` into the active environment (a
    /// secret one's value into the secret store); the environment's name, or `None` when no
    /// environment is active (they stay for this window session only).
    pub fn save_script_variables(
        &self,
        updates: &[(String, String)],
    ) -> Result<Option<String>, AppError> {
        let Some(env) = self.environments()?.into_iter().find(|e| e.active) else {
            return Ok(None);
        };
        self.set_environment_variables(&env.collection, &env.name, updates)?;
        Ok(Some(env.name))
    }
}

/// The sentence the window shows once scripts' `environment` variables were (or were not) saved.
pub fn saved_sentence(names: &[String], saved: &Result<Option<String>, AppError>) -> String {
    let names = names.join(", ");
    match saved {
        Ok(Some(env)) => format!("Saved {names} to environment '{env}'"),
        Ok(None) => format!(
            "Scripts set {names} with scope 'environment', but no environment is active: kept for this window session only"
        ),
        Err(e) => format!("Script variables {names} not saved: {e}"),
    }
}
