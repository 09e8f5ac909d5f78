//! `sockpit run COLLECTION|FILE`: run a collection's requests and check their assertions.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use sockpit_core::runner::{self, report, RunOptions};
use sockpit_core::secrets::SecretStore;
use sockpit_core::store::resolve_data_dir;

use tokio::sync::watch;

use crate::collections::{self, Loaded};
use crate::exit;
use crate::interrupt::{Interrupts, Signal};

pub const RUN_AFTER_HELP: &str = "\
COLLECTION is a collection in the store (by name) or a file: NAME.sockpit.json or any file
`sockpit import` reads. Variables: --var, then --env's environment, the collection's variables,
then globals. A secret variable takes $SOCKPIT_VAR_<NAME>, else the value set on this machine
with `sockpit secret set NAME [--collection C] [--env E]` (kept in the OS credential store).
Ctrl-C (SIGINT) or SIGTERM closes the running request's connection (1000, or 1001 for SIGTERM),
waits briefly for the server, marks that request interrupted, runs no later request, writes the
report and history, and exits 130 (SIGINT) or 143 (SIGTERM); a second signal exits at once.
--script FILE.js runs a hook file for every request, as `sockpit connect --script` runs it: in
a runtime of its own per request, each hook before the request's own scripts for the same
input. Its test() results are reported with the request's, named `FILE.js: name`. An unreadable
file, a syntax error or a file without hooks is a usage error before anything connects.
Exit status: 0 every request passed, 1 a request failed or the collection is unusable (undefined
variable, invalid regex or pointer, ...), 2 usage error, 130/143 interrupted.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reporter {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A collection in the store (by name) or a collection file.
    pub collection: String,
    /// The environment whose variables to use.
    #[arg(short = 'e', long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// How to report: text (default), json or junit (JUnit XML for CI).
    #[arg(short, long, value_enum, default_value_t = Reporter::Text)]
    pub reporter: Reporter,
    /// Write the report to FILE instead of stdout (the text report still goes to stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Set a variable above every other source, NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Do not record the connections in the store's history.
    #[arg(long)]
    pub no_history: bool,
    /// Run a JavaScript hook file for every request (like a collection-level script): it
    /// defines any of beforeConnect(sp), onOpen(sp), onMessage(sp), onClose(sp) and after(sp).
    #[arg(long, value_name = "FILE.js")]
    pub script: Option<PathBuf>,
    /// Close a request's connection on its first uncaught script error (by default it runs on;
    /// the request fails either way).
    #[arg(long, requires = "script")]
    pub script_stop_on_error: bool,
}

fn fail(code: i32, msg: impl std::fmt::Display) -> i32 {
    eprintln!("sockpit: error: {msg}");
    code
}

pub async fn run(a: RunArgs, data_dir: Option<&Path>) -> i32 {
    let mut overrides = Vec::new();
    for v in &a.vars {
        match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => {
                overrides.push((k.trim().to_string(), val.to_string()))
            }
            _ => {
                return fail(
                    exit::USAGE,
                    format!("--var '{v}' has no name or '='; write it as NAME=VALUE"),
                )
            }
        }
    }
    // The hook file is checked before the collection loads, so nothing connects with a bad one.
    let script = match &a.script {
        Some(path) => match runner::load_script_file(path).await {
            Ok(p) => Some(p),
            Err(e) => return fail(exit::USAGE, e),
        },
        None => None,
    };
    let Loaded {
        mut collection,
        base_dir,
        mut store,
        warnings,
    } = match collections::load(&a.collection, data_dir) {
        Ok(l) => l,
        Err((code, msg)) => return fail(code, msg),
    };
    for w in warnings {
        eprintln!("sockpit: warning: {w}");
    }
    if let Some(env) = &a.env {
        if !collection.environments.iter().any(|e| &e.name == env) {
            let names: Vec<&str> = collection
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            return fail(
                exit::USAGE,
                format!(
                    "no environment named '{env}' in collection '{}' (it has: {})",
                    collection.name,
                    if names.is_empty() {
                        "no environments".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            );
        }
    }
    let mut globals = match store.as_ref().map(|s| s.globals()).transpose() {
        Ok(g) => g.unwrap_or_default(),
        Err(e) => return fail(exit::FAILURE, e),
    };
    // Local secret values (OS credential store or the database) before anything renders.
    match resolve_data_dir(data_dir) {
        Ok(dir) => {
            let mut secrets = SecretStore::new(&dir);
            let filled = secrets.fill(&mut collection, &mut globals);
            crate::secret_cmd::warn_once(&mut secrets);
            if let Err(e) = filled {
                return fail(exit::FAILURE, e);
            }
        }
        Err(e) => return fail(exit::FAILURE, e),
    }
    // From here on, a signal stops the run cleanly (before, it ends the process as usual).
    let signals = Interrupts::listen();
    let opts = RunOptions {
        environment: a.env.clone(),
        overrides,
        globals,
        base_dir,
        stop: Some(stop_on(signals.watch())),
        script,
        script_stop_on_error: a.script_stop_on_error,
    };
    // Text goes to stdout as requests finish, unless stdout carries a JSON or JUnit report.
    let stream_text = a.reporter == Reporter::Text || a.output.is_some();
    let history = if a.no_history { None } else { store.as_mut() };
    let result = runner::run_collection(&collection, &opts, history, |r| {
        if stream_text {
            let mut out = std::io::stdout().lock();
            let text = report::text_result(r);
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
        }
    })
    .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return fail(exit::FAILURE, e),
    };
    if stream_text {
        print!("{}", report::text_summary(&report));
    }
    let rendered = match a.reporter {
        Reporter::Text => report::text(&report),
        Reporter::Json => report::json(&report),
        Reporter::Junit => report::junit(&report),
    };
    match &a.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered) {
                return fail(
                    exit::FAILURE,
                    format!("cannot write the report to {}: {e}", path.display()),
                );
            }
        }
        None if a.reporter != Reporter::Text => {
            print!("{rendered}");
        }
        None => {}
    }
    let _ = std::io::stdout().flush();
    save_script_variables(&a, data_dir, &report);
    if report.interrupted.is_some() {
        let sig = signals.received().unwrap_or(Signal::Int);
        eprintln!("sockpit: {}", sig.message());
        return sig.exit_code();
    }
    if report.passed() {
        exit::OK
    } else {
        eprintln!(
            "sockpit: error: {} of {} requests failed",
            report.failed_requests(),
            report.results.len()
        );
        exit::FAILURE
    }
}

/// The run's stop, set by the first SIGINT/SIGTERM that `signals` sees.
fn stop_on(
    mut signals: watch::Receiver<Option<Signal>>,
) -> watch::Receiver<Option<runner::Interrupt>> {
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let Ok(sig) = signals.wait_for(Option::is_some).await.map(|s| *s) else {
            return;
        };
        let Some(sig) = sig else { return };
        let _ = tx.send(Some(runner::Interrupt {
            close_code: sig.close_code(),
            cause: sig.name().to_string(),
        }));
        // The run may end on its own before it looks: keep the sender until the process ends.
        std::future::pending::<()>().await;
    });
    rx
}

/// Saves what scripts set with scope `environment` into the run's environment of a stored
/// collection; otherwise says they were kept for this run only.
fn save_script_variables(a: &RunArgs, data_dir: Option<&Path>, report: &runner::RunReport) {
    if report.environment_updates.is_empty() {
        return;
    }
    let names: Vec<&str> = report
        .environment_updates
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let path = Path::new(&a.collection);
    let from_file = path.is_file() || path.join("bruno.json").is_file();
    let target = match (&a.env, from_file) {
        (Some(env), false) => env,
        _ => {
            eprintln!(
                "sockpit: warning: scripts set {} with scope 'environment'; only a stored collection run with --env keeps them (this run used them and forgot them)",
                names.join(", ")
            );
            return;
        }
    };
    let dir = match resolve_data_dir(data_dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("sockpit: warning: script variables not saved: {e}");
            return;
        }
    };
    match sockpit_core::app::App::new(&dir).set_environment_variables(
        &report.collection,
        target,
        &report.environment_updates,
    ) {
        Ok(()) => eprintln!(
            "sockpit: saved {} to environment '{target}'",
            names.join(", ")
        ),
        Err(e) => eprintln!("sockpit: warning: script variables not saved: {e}"),
    }
}
