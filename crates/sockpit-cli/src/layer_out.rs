//! What `sockpit graphql`, `stomp` and `mqtt` share: the output flags (`-n`, `--timeout`,
//! `--json`, `--raw`, `-v`), the printer they build, how session events and layer errors are
//! shown, and how the way a run ended becomes its exit status.

use std::io::{BufWriter, StdoutLock, Write};
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};
use sockpit_core::ws::SessionEvent;

use crate::connect::{secs, Usage};
use crate::exit;
use crate::interrupt::{self, Ending};
use crate::outcome::note_session_failure;
use crate::output::Printer;

/// The output flags of a layered subcommand. The help lines are generic; a subcommand that counts
/// something specific says so with `mut_arg` in `args.rs`.
#[derive(Debug, Args)]
pub struct LayerOutputArgs {
    /// End with the protocol's goodbye after N received messages.
    #[arg(short = 'n', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// Bound the whole run (exit status 3 when it runs out).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Print JSON Lines events on stdout and nothing else.
    #[arg(long)]
    pub json: bool,
    /// With --json, also print every raw message (`message` events) and frame (`frame` events).
    #[arg(long)]
    pub raw: bool,
    /// Print protocol notes on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Where a layered subcommand prints: stdout (buffered) and notes on stderr.
pub type LayerPrinter = Printer<BufWriter<StdoutLock<'static>>>;

impl LayerOutputArgs {
    /// `--timeout` as a duration; a usage error when it is not a number of seconds.
    pub fn time_limit(&self) -> Result<Option<Duration>, Usage> {
        self.timeout.map(|t| secs("timeout", t)).transpose()
    }

    /// Whether raw messages and frames are wanted (`--raw` with `--json`); the session then
    /// inspects frames.
    pub fn raw_wanted(&self) -> bool {
        self.raw && self.json
    }

    /// Whether `-n` has been reached by `received` messages.
    pub fn count_reached(&self, received: u64) -> bool {
        self.count.is_some_and(|n| received >= n)
    }

    pub fn printer(&self) -> LayerPrinter {
        Printer {
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
            json: self.json,
            verbose: self.verbose,
            quiet: false,
            proto: None,
            notes: BufWriter::new(std::io::stderr()),
        }
    }

    /// A session event: noted in `failure` (see [`note_session_failure`]) and printed (raw
    /// messages and frames only with `--raw --json`). `true` when the session has ended.
    pub fn session<W: Write>(
        &self,
        p: &mut Printer<W>,
        failure: &mut Option<(i32, String)>,
        ev: &SessionEvent,
    ) -> std::io::Result<bool> {
        note_session_failure(failure, ev);
        let ended = matches!(ev, SessionEvent::Ended { .. });
        let raw = matches!(
            ev,
            SessionEvent::Message { .. } | SessionEvent::Frame { .. }
        );
        if !raw || self.raw_wanted() {
            p.event(ev)?;
        }
        Ok(ended)
    }

    /// A layer error: an `error` line with `--json`, a note with `-v`, nothing otherwise.
    pub fn layer_error<W: Write>(
        &self,
        p: &mut Printer<W>,
        t: u64,
        code: &str,
        message: &str,
    ) -> std::io::Result<()> {
        if self.json {
            p.json_error_raw(Some(t), code, message, String::new())
        } else if self.verbose {
            writeln!(p.notes, "sockpit: {message}")
        } else {
            Ok(())
        }
    }

    /// The exit status of a run that did not run to its end (a signal, `--timeout`), after its
    /// last lines; `None` when it did.
    pub fn cut_short<W: Write>(
        &self,
        ending: Ending,
        limit: Option<Duration>,
        p: &mut Printer<W>,
    ) -> Option<i32> {
        match ending {
            Ending::Done => None,
            Ending::Interrupted(sig) => Some(interrupt::finish(sig, self.json, &mut p.out)),
            Ending::TimedOut => {
                let msg = crate::connect::timeout_message(limit);
                if self.json {
                    let _ = p.json_error_raw(None, "cli.timeout", &msg, String::new());
                }
                let _ = p.flush();
                eprintln!("sockpit: error: {msg}");
                Some(exit::TIMEOUT)
            }
        }
    }
}

/// A JSON line with the event's time as `t_ms`.
pub fn line<W: Write>(p: &mut Printer<W>, t: u64, mut v: Value) -> std::io::Result<()> {
    if let Value::Object(o) = &mut v {
        o.insert("t_ms".into(), json!(t as f64 / 1e6));
    }
    writeln!(p.out, "{v}")
}

/// The exit status of a run that ran to its end: 0, or the first failure's (printed).
pub fn exit_status(failure: Option<(i32, String)>) -> i32 {
    match failure {
        Some((code, msg)) => {
            eprintln!("sockpit: error: {msg}");
            code
        }
        None => exit::OK,
    }
}

/// A usage error: printed, exit status 2.
pub fn usage(Usage(msg): Usage) -> i32 {
    eprintln!("sockpit: error: {msg}");
    exit::USAGE
}
