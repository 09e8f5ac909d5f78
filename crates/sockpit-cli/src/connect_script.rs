//! `sockpit connect --script FILE.js`: feeds the session to the script's hooks and carries out
//! what they ask (sends, closes), printing their log lines, errors and test results. The protocol
//! subcommands drive the same [`ScriptRun`] through `layer_script.rs`.

use std::io::Write;
use std::path::Path;

use sockpit_core::script::{
    Hook, ScriptAction, ScriptHost, ScriptInput, ScriptLayer, ScriptOptions, ScriptProgram,
    ScriptTest,
};
use sockpit_core::ws::{SessionControl, SessionEvent};

use crate::output::Printer;

pub(crate) struct ScriptRun {
    host: ScriptHost,
    tally: Tally,
}

/// What the script has reported so far.
struct Tally {
    tests: Vec<ScriptTest>,
    errors: usize,
    stop_on_error: bool,
    stopped: bool,
    layer: ScriptLayer,
}

/// Reads and compiles the hook file; a missing file or a syntax error is a usage error.
pub(crate) async fn start(
    path: &Path,
    stop_on_error: bool,
    layer: ScriptLayer,
) -> Result<ScriptRun, String> {
    let program = ScriptProgram::read_file(path).map_err(|e| e.to_string())?;
    let options = ScriptOptions {
        layer,
        ..ScriptOptions::default()
    };
    let host = ScriptHost::start(program, options)
        .await
        .map_err(|e| e.to_string())?;
    host.require_a_hook(&path.display().to_string())
        .map_err(|e| e.to_string())?;
    Ok(ScriptRun {
        host,
        tally: Tally {
            tests: Vec::new(),
            errors: 0,
            stop_on_error,
            stopped: false,
            layer,
        },
    })
}

/// What of a batch the script sees: open, data messages both ways, and the close.
pub(crate) fn inputs_of(batch: &[SessionEvent]) -> Vec<ScriptInput> {
    sockpit_core::script::session_inputs(batch, None)
}

impl ScriptRun {
    pub(crate) async fn feed(&mut self, inputs: Vec<ScriptInput>) {
        self.host.feed(inputs).await;
    }

    /// The next action; never resolves once the script thread is gone (so a `select!` arm
    /// on it simply stops firing).
    pub(crate) async fn next_action(&mut self) -> ScriptAction {
        match self.host.next_action().await {
            Some(a) => a,
            None => std::future::pending().await,
        }
    }

    pub(crate) fn try_action(&mut self) -> Option<ScriptAction> {
        self.host.try_action()
    }

    pub(crate) async fn apply<W: Write>(
        &mut self,
        a: ScriptAction,
        control: Option<&SessionControl>,
        printer: &mut Printer<W>,
    ) {
        self.tally.apply(a, control, printer).await
    }

    /// Prints and counts a call the session's protocol cannot carry out (a script error).
    pub(crate) fn unsupported<W: Write>(&mut self, what: &str, printer: &mut Printer<W>) -> bool {
        self.tally.errors += 1;
        if printer.json {
            let _ = printer.json_error_raw(None, "script.unsupported", what, String::new());
        } else {
            let _ = writeln!(printer.notes, "sockpit: script error: {what}");
        }
        let _ = printer.flush();
        let stop = self.tally.stop_on_error && !self.tally.stopped;
        self.tally.stopped |= stop;
        stop
    }

    /// Prints and counts an action that is not the session's (a log row, a test, an error, ...);
    /// `true` when it is the first script error and the session should stop (stop-on-error).
    pub(crate) fn record<W: Write>(&mut self, a: ScriptAction, printer: &mut Printer<W>) -> bool {
        self.tally.record(a, printer)
    }

    /// Runs `after`, prints what is left and the test summary; `Err` with the failure line when
    /// a test failed or the script threw.
    pub(crate) async fn finish<W: Write>(self, printer: &mut Printer<W>) -> Result<(), String> {
        let ScriptRun { host, mut tally } = self;
        for a in host.finish().await {
            tally.apply(a, None, printer).await;
        }
        let failed = tally.tests.iter().filter(|t| !t.passed).count();
        let _ = printer.script_summary(tally.tests.len(), failed, tally.errors);
        let _ = printer.flush();
        match (failed, tally.errors) {
            (0, 0) => Ok(()),
            (0, e) => Err(format!("the script threw {e} uncaught error(s)")),
            (f, _) => Err(format!(
                "{f} of {} script test(s) failed",
                tally.tests.len()
            )),
        }
    }
}

impl Tally {
    /// Carries out one action. On the first script error with stop-on-error, closes the session.
    async fn apply<W: Write>(
        &mut self,
        a: ScriptAction,
        control: Option<&SessionControl>,
        printer: &mut Printer<W>,
    ) {
        let Some(a) = sockpit_core::script::carry_out_on_session(a, control).await else {
            let _ = printer.flush();
            return;
        };
        if self.record(a, printer) {
            if let Some(c) = control {
                let _ = c.close(1000, "script error").await;
            }
        }
    }

    /// Prints and counts one action the session did not take; `true` on the first error that
    /// should stop the session.
    fn record<W: Write>(&mut self, a: ScriptAction, printer: &mut Printer<W>) -> bool {
        let mut stop = false;
        match a {
            ScriptAction::Send(_) | ScriptAction::Close { .. } => {}
            ScriptAction::Log { hook, text } => {
                let _ = printer.script_log(hook, &text);
            }
            ScriptAction::SetVar { .. } => {}
            ScriptAction::Test(t) => {
                let _ = printer.script_test(&t);
                self.tests.push(t);
            }
            ScriptAction::Error(e) => {
                self.errors += 1;
                let _ = printer.script_error(&e);
                if self.stop_on_error && !self.stopped {
                    self.stopped = true;
                    stop = true;
                }
            }
            ScriptAction::Emit { .. } | ScriptAction::Publish { .. } => {
                let why = if self.layer == ScriptLayer::Websocket {
                    "sp.emit/sp.publish ignored: sockpit connect speaks plain WebSocket"
                } else {
                    "sp.emit/sp.publish/sp.send ignored: the session has ended"
                };
                let _ = printer.script_log(Hook::OnMessage, why);
            }
        }
        let _ = printer.flush();
        stop
    }
}
