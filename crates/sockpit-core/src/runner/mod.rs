//! Running a collection headless (`sockpit run`, and the window's "Run collection").
//!
//! Before anything connects, the whole collection is checked ([`validate`]) and every request is
//! rendered with its variables, so an undefined variable, a bad regex or a bad pointer fails the run
//! at once, naming it. Then each request runs in tree order ([`exec`]): connect, send the saved
//! messages in order (each after its `delay_ms`), check the assertions ([`check::Checker`]) on what
//! arrives, and close. A request passes when it had no connection error and every assertion passed.
//! [`report`] renders the outcome as text, JSON or JUnit XML.
//!
//! [`validate`]: crate::collection::validate

pub mod auth;
pub mod brokers;
pub mod check;
mod exec;
pub mod layered;
pub mod prepare;
pub mod report;
mod scripted;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::collection::error::CollectionError;
use crate::collection::model::{requests_with_path, Collection, Protocol, Request, Variable};
use crate::store::Store;
use crate::template::{TemplateError, Vars};

pub use check::AssertionResult;
pub use exec::DEFAULT_TIMEOUT;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RunError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error("message '{message}' of request '{request}': {reason}")]
    Message {
        request: String,
        message: String,
        reason: String,
    },
    #[error("request '{request}' uses a secret that was not exported (a placeholder stands in its auth, headers or proxy): put the value in a secret variable, set it on this machine, and write {{{{name}}}} there")]
    SecretPlaceholder { request: String },
    #[error("request '{request}': {message}")]
    Request {
        request: String,
        code: &'static str,
        message: String,
    },
    #[error("the collection has no requests to run")]
    Empty,
    /// The run's hook file (`--script`): unreadable, a syntax error, or no hooks.
    #[error(transparent)]
    Script(#[from] crate::script::ScriptError),
}

impl RunError {
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Template(e) => e.code(),
            RunError::Collection(e) => e.code(),
            RunError::Message { .. } => "run.invalid_message",
            RunError::SecretPlaceholder { .. } => "run.secret_placeholder",
            RunError::Request { code, .. } => code,
            RunError::Empty => "run.empty",
            RunError::Script(e) => e.code(),
        }
    }
}

/// A face's request to stop a run early (Ctrl-C, SIGTERM): the live request's connection closes
/// with `close_code` (waiting at most [`INTERRUPT_WAIT`] for the server), its result is marked
/// `run.interrupted` naming `cause`, and no later request runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupt {
    pub close_code: u16,
    /// What stopped it (`SIGINT`).
    pub cause: String,
}

/// How long an interrupted request waits for the server's answer to its close.
pub const INTERRUPT_WAIT: Duration = Duration::from_millis(1500);

/// A run's early stop as the request loops see it: never, without a receiver.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stop(Option<tokio::sync::watch::Receiver<Option<Interrupt>>>);

impl Stop {
    /// The interrupt, once asked for.
    pub(crate) fn now(&self) -> Option<Interrupt> {
        self.0.as_ref().and_then(|rx| rx.borrow().clone())
    }

    /// Waits for the interrupt (forever without one).
    pub(crate) async fn wait(&mut self) -> Interrupt {
        if let Some(rx) = self.0.as_mut() {
            let got = rx
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|v| v.clone());
            if let Some(i) = got {
                return i;
            }
        }
        std::future::pending().await
    }
}

/// The error an interrupted request reports.
pub(crate) fn interrupted_error(i: &Interrupt) -> (String, String) {
    (
        "run.interrupted".to_string(),
        format!("interrupted by {} (close {})", i.cause, i.close_code),
    )
}

/// What to run with.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The environment (`--env NAME`).
    pub environment: Option<String>,
    /// `--var NAME=VALUE`, above everything else.
    pub overrides: Vec<(String, String)>,
    pub globals: Vec<Variable>,
    /// Where relative paths (message files, schemas) start: the collection file's directory.
    pub base_dir: PathBuf,
    /// Set to stop the run early (see [`Interrupt`]).
    pub stop: Option<tokio::sync::watch::Receiver<Option<Interrupt>>>,
    /// A hook file (`--script FILE.js`) run for every request, in a runtime of its own per
    /// request, before the request's own scripts; its tests are named `FILE: name`.
    pub script: Option<crate::script::ScriptProgram>,
    /// `--script-stop-on-error`: a request's first script error (any script's) closes its
    /// connection; the request fails as it would anyway, and the run goes on.
    pub script_stop_on_error: bool,
}

/// The outcome of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestResult {
    /// Folder names from the collection's root.
    pub path: Vec<String>,
    pub name: String,
    pub protocol: Protocol,
    /// The URL as rendered.
    pub url: String,
    pub duration: Duration,
    /// Data messages (or SSE events) received.
    pub received: u64,
    pub assertions: Vec<AssertionResult>,
    /// `(code, message)` of a connection or protocol error.
    pub error: Option<(String, String)>,
    /// The `test()` results of the request's scripts, in the order they ran.
    pub tests: Vec<crate::script::ScriptTest>,
    /// Uncaught script errors, as `code: message`.
    pub script_errors: Vec<String>,
}

impl RequestResult {
    pub fn passed(&self) -> bool {
        self.error.is_none()
            && self.assertions.iter().all(|a| a.passed)
            && self.tests.iter().all(|t| t.passed)
            && self.script_errors.is_empty()
    }

    /// `Folder / Request`.
    pub fn full_name(&self) -> String {
        let mut parts = self.path.clone();
        parts.push(self.name.clone());
        parts.join(" / ")
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub collection: String,
    pub environment: Option<String>,
    pub results: Vec<RequestResult>,
    pub duration: Duration,
    /// What scripts set with `sp.vars.set(name, value, 'environment')`, in order: the face saves
    /// them to the run's environment when the collection is a stored one.
    pub environment_updates: Vec<(String, String)>,
    /// Set when the run was stopped early; the requests after the interrupted one did not run.
    pub interrupted: Option<Interrupt>,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.results.iter().all(RequestResult::passed)
    }

    pub fn failed_requests(&self) -> usize {
        self.results.iter().filter(|r| !r.passed()).count()
    }
}

/// Reads and checks a hook file for [`RunOptions::script`]: readable, compiles (else its line
/// and column), and defines at least one hook. Faces call it before loading the collection.
pub async fn load_script_file(
    path: &std::path::Path,
) -> Result<crate::script::ScriptProgram, crate::script::ScriptError> {
    let program = crate::script::ScriptProgram::read_file(path)?;
    crate::script::check_hook_file(&program, crate::script::ScriptLayer::Websocket).await?;
    Ok(program)
}

/// The collection's requests, rendered, with their folder paths; fails on the first problem.
pub fn prepare(c: &Collection, opts: &RunOptions) -> Result<Vec<(Vec<String>, Request)>, RunError> {
    crate::collection::validate::validate(c)?;
    let vars = Vars::for_collection(
        c,
        opts.environment.as_deref(),
        &opts.globals,
        &opts.overrides,
    )?;
    if let Some(program) = &opts.script {
        crate::script::ScriptHost::check(program)?;
    }
    let mut out = Vec::new();
    for (path, r) in requests_with_path(&c.items) {
        // A script with a syntax error fails the run before anything connects.
        if let Some(program) = r.scripts.program() {
            crate::script::ScriptHost::check(&program).map_err(|e| RunError::Request {
                request: r.name.clone(),
                code: e.code(),
                message: e.to_string(),
            })?;
        }
        out.push((path, vars.render_request(r)?));
    }
    if out.is_empty() {
        return Err(RunError::Empty);
    }
    Ok(out)
}

fn redact_result(r: &mut RequestResult, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let red = |s: &str| crate::auth::redact(s, secrets);
    r.url = red(&r.url);
    if let Some((_, message)) = &mut r.error {
        *message = red(message);
    }
    for a in &mut r.assertions {
        a.assertion = red(&a.assertion);
        a.detail = red(&a.detail);
    }
    for t in &mut r.tests {
        t.message = red(&t.message);
    }
    for e in &mut r.script_errors {
        *e = red(e);
    }
}

/// Runs every request in order, calling `on_result` as each finishes. With `history`, each
/// connection is recorded in the store's history (written in the background).
pub async fn run_collection(
    c: &Collection,
    opts: &RunOptions,
    mut history: Option<&mut Store>,
    mut on_result: impl FnMut(&RequestResult),
) -> Result<RunReport, RunError> {
    let requests = prepare(c, opts)?;
    // The hook file must define a hook; its top level runs once here, before anything connects.
    if let Some(program) = &opts.script {
        crate::script::check_hook_file(program, crate::script::ScriptLayer::Websocket).await?;
    }
    // Secret values never reach a report: not in a URL, an error or an assertion's detail.
    let secrets = Vars::for_collection(
        c,
        opts.environment.as_deref(),
        &opts.globals,
        &opts.overrides,
    )
    .map(|v| v.secret_values())
    .unwrap_or_default();
    // Scripts see the run's variables; what they set with scope `run` reaches later requests.
    let mut script_vars = Vars::for_collection(
        c,
        opts.environment.as_deref(),
        &opts.globals,
        &opts.overrides,
    )
    .map(|v| v.values())
    .unwrap_or_default();
    let mut environment_updates = Vec::new();
    let started = Instant::now();
    let mut results = Vec::with_capacity(requests.len());
    let originals: Vec<Request> = requests_with_path(&c.items)
        .into_iter()
        .map(|(_, r)| r.clone())
        .collect();
    let stop = Stop(opts.stop.clone());
    let mut interrupted = None;
    for ((path, r), original) in requests.into_iter().zip(originals) {
        if let Some(i) = stop.now() {
            interrupted = Some(i);
            break;
        }
        let rerender = |set: &[(String, String)]| -> Result<Request, RunError> {
            let mut overrides = opts.overrides.clone();
            overrides.extend(set.iter().cloned());
            let vars =
                Vars::for_collection(c, opts.environment.as_deref(), &opts.globals, &overrides)?;
            Ok(vars.render_request(&original)?)
        };
        let recorder = history.as_deref_mut().and_then(|s| {
            let url = crate::auth::redact(&r.url, &secrets);
            s.record_connection(r.protocol, &url, None).ok()
        });
        let scope = exec::ScriptScope {
            rerender: &rerender,
            vars: &mut script_vars,
            env_updates: &mut environment_updates,
            run: scripted::RunScripts {
                file: opts.script.as_ref(),
                stop_on_error: opts.script_stop_on_error,
            },
        };
        let mut result = exec::run_request(
            &r,
            path,
            &opts.base_dir,
            recorder.as_ref(),
            &secrets,
            scope,
            stop.clone(),
        )
        .await;
        redact_result(&mut result, &secrets);
        if let Some(rec) = recorder {
            // History is best effort: a failing write never fails the run.
            let _ = rec.finish();
        }
        on_result(&result);
        results.push(result);
    }
    let interrupted = interrupted.or_else(|| stop.now());
    Ok(RunReport {
        collection: c.name.clone(),
        environment: opts.environment.clone(),
        results,
        duration: started.elapsed(),
        environment_updates,
        interrupted,
    })
}
