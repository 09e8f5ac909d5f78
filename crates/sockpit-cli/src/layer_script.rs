//! `--script FILE.js` on the protocol subcommands (`socketio`, `graphql`, `stomp`, `mqtt`): the
//! hook file of `connect --script`, fed the layer's decoded events, its emits/publishes/sends and
//! closes carried out through core's `script::layered` (the same code as `sockpit run`'s layered
//! requests), its log lines, tests and errors printed as `connect --script` prints them.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use sockpit_core::protocol::{LayerControl, LayerEvent, LayerHandle, ProtocolLayer};
use sockpit_core::script::layered::{
    carry_out_on_layer, layer_inputs, LayerCarried, LayerScripting,
};
use sockpit_core::script::{ScriptAction, ScriptInput, ScriptLayer};

use crate::connect_script::{self, ScriptRun};
use crate::output::Printer;

/// The script flags of a protocol subcommand.
#[derive(Debug, Args)]
pub struct LayerScriptArgs {
    /// Run a JavaScript hook file on the decoded protocol events: it defines any of
    /// beforeConnect(sp), onOpen(sp), onMessage(sp), onClose(sp) and after(sp); its test()
    /// results decide the exit status.
    #[arg(long, value_name = "FILE.js")]
    pub script: Option<PathBuf>,
    /// Close the session (through the protocol's goodbye) on the first uncaught script error.
    #[arg(long, requires = "script")]
    pub script_stop_on_error: bool,
}

/// A hook file on a layered session.
pub(crate) struct LayerScript<S: LayerScripting> {
    run: ScriptRun,
    scripting: S,
    /// The script called `sp.close` (the run's end is then what it asked for).
    pub(crate) closed: bool,
}

/// Compiles the hook file (before anything connects: a syntax error is a usage error, also
/// printed as a `script.invalid` line with `--json`) and runs `beforeConnect`.
pub(crate) async fn start<S: LayerScripting, W: Write>(
    path: Option<&PathBuf>,
    stop_on_error: bool,
    layer: ScriptLayer,
    scripting: S,
    printer: &mut Printer<W>,
) -> Result<Option<LayerScript<S>>, String> {
    let Some(path) = path else { return Ok(None) };
    match connect_script::start(path, stop_on_error, layer).await {
        Ok(mut run) => {
            run.feed(vec![ScriptInput::BeforeConnect]).await;
            Ok(Some(LayerScript {
                run,
                scripting,
                closed: false,
            }))
        }
        Err(msg) => {
            if printer.json {
                let _ = printer.json_error_raw(None, "script.invalid", &msg, String::new());
                let _ = printer.flush();
            }
            Err(msg)
        }
    }
}

/// The session's next batch; the script's actions that come meanwhile are carried out.
pub(crate) async fn next_batch<L: ProtocolLayer, S, W: Write>(
    h: &mut LayerHandle<L>,
    script: Option<&mut LayerScript<S>>,
    control: &LayerControl<L::Intent>,
    printer: &mut Printer<W>,
) -> Option<Vec<LayerEvent<L::Event>>>
where
    S: LayerScripting<Event = L::Event, Intent = L::Intent>,
{
    let Some(s) = script else {
        return h.next_batch().await;
    };
    loop {
        tokio::select! {
            b = h.next_batch() => return b,
            a = s.run.next_action() => s.apply(a, control, printer).await,
        }
    }
}

impl<S: LayerScripting> LayerScript<S> {
    /// What of a batch the script sees (take it before the batch is consumed).
    pub(crate) fn inputs(&self, batch: &[LayerEvent<S::Event>]) -> Vec<ScriptInput> {
        layer_inputs(&self.scripting, batch)
    }

    /// Feeds a printed batch's inputs to the script and carries out what it has answered so far.
    pub(crate) async fn feed<W: Write>(
        &mut self,
        inputs: Vec<ScriptInput>,
        control: &LayerControl<S::Intent>,
        printer: &mut Printer<W>,
    ) {
        self.run.feed(inputs).await;
        while let Some(a) = self.run.try_action() {
            self.apply(a, control, printer).await;
        }
    }

    async fn apply<W: Write>(
        &mut self,
        a: ScriptAction,
        control: &LayerControl<S::Intent>,
        printer: &mut Printer<W>,
    ) {
        self.closed |= matches!(a, ScriptAction::Close { .. });
        let stop = match carry_out_on_layer(&self.scripting, a, control).await {
            LayerCarried::Done => false,
            LayerCarried::Unsupported(what) => self.run.unsupported(what, printer),
            LayerCarried::Face(a) => self.run.record(a, printer),
        };
        if stop {
            let close = ScriptAction::Close {
                code: 1000,
                reason: "script error".into(),
            };
            let _ = carry_out_on_layer(&self.scripting, close, control).await;
        }
    }

    /// Runs `after`, prints the rest and the test summary; `Err` when a test failed or the
    /// script threw.
    pub(crate) async fn finish<W: Write>(self, printer: &mut Printer<W>) -> Result<(), String> {
        self.run.finish(printer).await
    }
}

/// Finishes an optional script (see [`LayerScript::finish`]).
pub(crate) async fn finish<S: LayerScripting, W: Write>(
    script: Option<LayerScript<S>>,
    printer: &mut Printer<W>,
) -> Result<(), String> {
    match script {
        Some(s) => s.finish(printer).await,
        None => Ok(()),
    }
}
