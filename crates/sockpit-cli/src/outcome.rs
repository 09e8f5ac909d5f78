//! How a layered subcommand (`graphql`, `stomp`, `mqtt`) turns session events into its exit status: one
//! mapping, so the subcommands cannot disagree on what a failure is.

use sockpit_core::ws::{close_code_name, Closer, Direction, SessionEvent, WsError};

use crate::exit;

/// What a session event says about the run's outcome.
pub(crate) enum Outcome {
    /// A connection opened: an earlier failure was recovered from (a reconnect).
    Recovered,
    /// The run failed with this exit status and one-line message (unless later recovered).
    Failed(i32, String),
    /// Nothing either way.
    Neutral,
}

/// The outcome `ev` implies: a session error (status 3 for a handshake timeout), or a close by the
/// server that is not clean (neither 1000/1001, nor one we started).
pub(crate) fn session_outcome(ev: &SessionEvent) -> Outcome {
    match ev {
        SessionEvent::Open { .. } => Outcome::Recovered,
        SessionEvent::Error { error, .. } => {
            let code = match error.as_ref() {
                WsError::Timeout { .. } => exit::TIMEOUT,
                _ => exit::FAILURE,
            };
            Outcome::Failed(code, error.to_string())
        }
        SessionEvent::Close {
            dir: Direction::In,
            code,
            reason,
            by,
            ..
        } => {
            let clean = matches!(code, 1000 | 1001) || *by == Closer::Client && *code != 1006;
            if clean {
                return Outcome::Neutral;
            }
            let mut msg = format!(
                "server closed the connection with {code} {}",
                close_code_name(*code)
            );
            if !reason.is_empty() {
                msg.push_str(&format!(": {reason}"));
            }
            Outcome::Failed(exit::FAILURE, msg)
        }
        _ => Outcome::Neutral,
    }
}

/// Records in `slot` what `ev` says about the run's exit status: an open clears an earlier failure
/// (a reconnect recovered), a session error sets it, and an unclean close sets it unless something
/// earlier explained the end.
pub(crate) fn note_session_failure(slot: &mut Option<(i32, String)>, ev: &SessionEvent) {
    match session_outcome(ev) {
        Outcome::Recovered => *slot = None,
        Outcome::Failed(code, msg) => {
            if matches!(ev, SessionEvent::Error { .. }) || slot.is_none() {
                *slot = Some((code, msg));
            }
        }
        Outcome::Neutral => {}
    }
}
