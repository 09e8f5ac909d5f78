//! SIGINT/SIGTERM for every subcommand that holds a connection: one listener, one clean ending.
//!
//! The first signal asks the subcommand to end cleanly: a close frame (1000 for SIGINT, 1001
//! "going away" for SIGTERM) or its protocol's goodbye first, a bounded wait ([`GRACE`]) for the
//! server's answer, then exit status 130 (SIGINT) or 143 (SIGTERM). A second signal exits at once.

use std::future::Future;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// The `--help` paragraph on signals, `concat!`ed into the after-help of every subcommand that
/// holds a connection (one text, so they cannot disagree).
macro_rules! signals_help {
    () => {
        "\nCtrl-C (SIGINT) or SIGTERM ends cleanly: the protocol's goodbye if it has one (STOMP/MQTT
DISCONNECT, GraphQL complete, Socket.IO disconnect), a close frame (1000, or 1001 \"going away\" for
SIGTERM; an SSE stream is dropped), a wait of at most 1.5 s for the server, then exit status 130
(SIGINT) or 143 (SIGTERM); --json ends with an \"interrupted\" event. A second signal exits at once."
    };
}

/// How long a subcommand waits, after the first signal, for the server to answer its goodbye.
pub(crate) const GRACE: Duration = Duration::from_millis(1500);
/// How long a protocol goodbye (STOMP/MQTT DISCONNECT, ...) has before the close frame goes.
pub(crate) const GOODBYE: Duration = Duration::from_millis(700);

/// The signal that ended a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Int,
    Term,
}

impl Signal {
    /// `SIGINT` or `SIGTERM`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }

    /// The close code a WebSocket ends with: 1000 for Ctrl-C, 1001 "going away" for SIGTERM.
    pub(crate) fn close_code(self) -> u16 {
        match self {
            Signal::Int => 1000,
            Signal::Term => 1001,
        }
    }

    /// The exit status: 128 + the signal's number, as a shell reports a process the signal killed.
    pub(crate) fn exit_code(self) -> i32 {
        match self {
            Signal::Int => 130,
            Signal::Term => 143,
        }
    }

    /// The close frame's reason.
    pub(crate) fn reason(self) -> String {
        format!("sockpit: {}", self.name())
    }

    /// What the error line says.
    pub(crate) fn message(self) -> String {
        format!("interrupted by {}", self.name())
    }

    /// The `--json` event that ends an interrupted run (the last line on stdout).
    pub(crate) fn json_event(self) -> String {
        format!(
            r#"{{"event":"interrupted","signal":"{}","exit":{}}}"#,
            self.name(),
            self.exit_code()
        )
    }
}

/// The signal listener: SIGINT and SIGTERM no longer kill the process; the first is reported here,
/// the second exits at once.
pub(crate) struct Interrupts {
    rx: watch::Receiver<Option<Signal>>,
}

impl Interrupts {
    /// Starts listening (inside the runtime). Until a subcommand calls this, a signal kills the
    /// process as usual.
    pub(crate) fn listen() -> Interrupts {
        let (tx, rx) = watch::channel(None);
        let (int, term) = match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(i), Ok(t)) => (i, t),
            // No handler: the default action stays, so a signal still ends the process.
            _ => return Interrupts { rx },
        };
        tokio::spawn(listener(tx, int, term));
        Interrupts { rx }
    }

    /// A receiver for a core loop that ends early on the first signal.
    pub(crate) fn watch(&self) -> watch::Receiver<Option<Signal>> {
        self.rx.clone()
    }

    /// Waits for the first signal.
    pub(crate) async fn first(&mut self) -> Signal {
        let got = self
            .rx
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|s| *s);
        match got {
            Some(s) => s,
            // The listener is gone (it never is while the runtime runs): never.
            None => std::future::pending().await,
        }
    }

    /// The signal received so far, if any.
    pub(crate) fn received(&self) -> Option<Signal> {
        *self.rx.borrow()
    }
}

async fn listener(
    tx: watch::Sender<Option<Signal>>,
    mut int: tokio::signal::unix::Signal,
    mut term: tokio::signal::unix::Signal,
) {
    loop {
        let got = tokio::select! {
            _ = int.recv() => Signal::Int,
            _ = term.recv() => Signal::Term,
        };
        if tx.borrow().is_some() {
            eprintln!("sockpit: {} again: exiting at once", got.name());
            std::process::exit(got.exit_code());
        }
        eprintln!("sockpit: {}: closing (again to exit at once)", got.name());
        tx.send_replace(Some(got));
    }
}

/// How a subcommand's main loop ended.
pub(crate) enum Ending {
    /// It ran to its end.
    Done,
    /// `--timeout` ran out.
    TimedOut,
    /// A signal came; the goodbye was sent and waited for (at most [`GRACE`]).
    Interrupted(Signal),
}

/// Runs `run` to its end, until `limit` runs out, or until a signal: then `goodbye(signal)` runs
/// beside `run` (which sees the session end and returns) for at most [`GRACE`].
pub(crate) async fn drive<G, GF>(
    limit: Option<Duration>,
    run: impl Future<Output = ()>,
    goodbye: G,
) -> Ending
where
    G: FnOnce(Signal) -> GF,
    GF: Future<Output = ()>,
{
    let mut signals = Interrupts::listen();
    let deadline = limit.map(|t| tokio::time::Instant::now() + t);
    let out_of_time = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(run);
    tokio::pin!(out_of_time);
    let sig = tokio::select! {
        _ = &mut run => return Ending::Done,
        _ = &mut out_of_time => return Ending::TimedOut,
        s = signals.first() => s,
    };
    let goodbye = async {
        goodbye(sig).await;
        std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = &mut run => {}
        _ = goodbye => {}
        _ = tokio::time::sleep(GRACE) => {}
    }
    Ending::Interrupted(sig)
}

/// For a layered subcommand: `protocol` (its goodbye: DISCONNECT, complete, ...) first; if the
/// session has not ended [`GOODBYE`] later, `close` (a close frame with the signal's code).
pub(crate) async fn goodbye_then_close(
    protocol: impl Future<Output = ()>,
    close: impl Future<Output = ()>,
) {
    protocol.await;
    tokio::time::sleep(GOODBYE).await;
    close.await;
}

/// Ends an interrupted run: the `--json` event, the line on stderr; returns the exit status.
pub(crate) fn finish(sig: Signal, json: bool, out: &mut impl std::io::Write) -> i32 {
    if json {
        let _ = writeln!(out, "{}", sig.json_event());
    }
    let _ = out.flush();
    eprintln!("sockpit: {}", sig.message());
    sig.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_signal_has_its_close_code_and_exit_status() {
        assert_eq!(
            (Signal::Int.close_code(), Signal::Int.exit_code()),
            (1000, 130)
        );
        assert_eq!(
            (Signal::Term.close_code(), Signal::Term.exit_code()),
            (1001, 143)
        );
        let v: serde_json::Value = serde_json::from_str(&Signal::Term.json_event()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"event": "interrupted", "signal": "SIGTERM", "exit": 143})
        );
    }

    #[test]
    fn the_help_text_names_both_exit_statuses() {
        let help: &str = signals_help!();
        assert!(help.contains("130") && help.contains("143") && help.contains("1001"));
    }
}
