//! How a recorded connection went: its outcome from the stored events, and whether the process
//! that recorded it is gone without closing the row (killed, crashed, power lost), which the
//! History list shows as `interrupted` instead of a connection that looks live forever.
//!
//! A connection row names its recording process as `owner` (`pid:start`, the start time telling a
//! reused pid apart on Linux). A row whose `ended_at` is unset and whose owner no longer runs was
//! interrupted. Rows written before the column existed have no owner and are never called
//! interrupted.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

/// How a recorded connection went, from its stored events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryOutcome {
    /// The handshake succeeded at least once.
    pub opened: bool,
    /// The last close code seen.
    pub close_code: Option<u16>,
    /// The last error's code (`ws.handshake_rejected`, ...).
    pub error: Option<String>,
    /// The row was never closed and the process recording it is gone.
    pub interrupted: bool,
}

impl HistoryOutcome {
    /// The one-word outcome the History list shows: the error's code when it never opened or
    /// had no close, `closed <code>`, `connected` while running, `interrupted` when its process
    /// died while it ran, `ended`, `connecting` or `failed`. `ended` says whether the connection
    /// row was closed.
    pub fn label(&self, ended: bool) -> String {
        match (&self.error, self.close_code, self.opened, ended) {
            (Some(code), _, false, _) => code.clone(),
            (_, Some(c), _, _) => format!("closed {c}"),
            (Some(code), _, true, _) => code.clone(),
            (None, None, _, false) if self.interrupted => "interrupted".into(),
            (None, None, true, false) => "connected".into(),
            (None, None, true, true) => "ended".into(),
            (None, None, false, false) => "connecting".into(),
            (None, None, false, true) => "failed".into(),
        }
    }
}

/// This process as a connection row's `owner`.
pub(crate) fn this_process() -> String {
    let pid = std::process::id();
    match start_time(pid) {
        Some(start) => format!("{pid}:{start}"),
        None => pid.to_string(),
    }
}

/// Whether a row with this `owner` and no `ended_at` was interrupted: its process is gone.
pub(crate) fn owner_gone(owner: Option<&str>) -> bool {
    let Some(owner) = owner else { return false };
    let (pid, start) = match owner.split_once(':') {
        Some((p, s)) => (p, Some(s)),
        None => (owner, None),
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    !runs(pid, start)
}

/// Field 22 of `/proc/PID/stat`: the process's start time in clock ticks since boot.
#[cfg(target_os = "linux")]
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_string)
}

#[cfg(not(target_os = "linux"))]
fn start_time(_pid: u32) -> Option<String> {
    None
}

#[cfg(target_os = "linux")]
fn runs(pid: u32, start: Option<&str>) -> bool {
    match (start_time(pid), start) {
        (None, _) => false,
        (Some(now), Some(then)) => now == then,
        (Some(_), None) => true,
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn runs(pid: u32, _start: Option<&str>) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn runs(_pid: u32, _start: Option<&str>) -> bool {
    // Unknown here: a live-looking row is the safe reading.
    true
}

impl Store {
    /// How a recorded connection went: opened or not, its last close code and last error code,
    /// and whether it was interrupted.
    pub fn history_outcome(&self, connection: i64) -> Result<HistoryOutcome, StoreError> {
        let e = |e| self.err(e);
        let (opened, ended, owner): (bool, bool, Option<String>) = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM history_events WHERE connection_id = ?1 AND kind = 'open'),
                        ended_at IS NOT NULL, owner
                 FROM history_connections WHERE id = ?1",
                [connection],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(e)?
            .unwrap_or((false, true, None));
        let last = |kind: &str| -> rusqlite::Result<Option<(Option<i64>, Option<String>)>> {
            self.conn
                .query_row(
                    "SELECT code, meta FROM history_events WHERE connection_id = ?1 AND kind = ?2
                     ORDER BY seq DESC LIMIT 1",
                    params![connection, kind],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
        };
        let close_code = last("close")
            .map_err(e)?
            .and_then(|(c, _)| c)
            .map(|c| c.clamp(0, 65535) as u16);
        let error = last("error")
            .map_err(e)?
            .map(|(_, m)| m.unwrap_or_default());
        Ok(HistoryOutcome {
            opened,
            close_code,
            error,
            interrupted: !ended && owner_gone(owner.as_deref()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs_and_a_dead_one_does_not() {
        let me = this_process();
        assert!(!owner_gone(Some(&me)));
        assert!(!owner_gone(None), "rows from before the column");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(owner_gone(Some(&format!("{pid}:1"))), "a reaped child");
        #[cfg(target_os = "linux")]
        {
            let parent = std::os::unix::process::parent_id();
            assert!(!owner_gone(Some(&format!("{parent}"))), "pid alone, alive");
            assert!(
                owner_gone(Some(&format!("{parent}:0"))),
                "a live pid whose start time differs is a reused pid"
            );
        }
    }

    #[test]
    fn interrupted_rows_say_so_and_a_close_still_wins() {
        let mut o = HistoryOutcome {
            opened: true,
            interrupted: true,
            ..Default::default()
        };
        assert_eq!(o.label(false), "interrupted");
        assert_eq!(o.label(true), "ended");
        o.close_code = Some(1001);
        assert_eq!(o.label(false), "closed 1001");
        o.close_code = None;
        o.interrupted = false;
        assert_eq!(o.label(false), "connected");
    }

    #[test]
    fn the_history_list_finds_outcomes_by_index_not_by_walking_events() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let mut stmt = store
            .conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                crate::store::history::HISTORY_LIST
            ))
            .unwrap();
        let plan: Vec<String> = stmt
            .query_map([500], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for index in [
            "history_events_opens",
            "history_events_closes",
            "history_events_errors",
        ] {
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{index} not used: {plan:?}"
            );
        }
        assert!(
            !plan.iter().any(|step| step.contains("PRIMARY KEY")),
            "an outcome walks a connection's events: {plan:?}"
        );
    }
}
