//! Connection history: every event of a connection, written off the socket task in batches.
//!
//! [`HistoryRecorder`] owns a background thread with its own SQLite connection. The consumer of a
//! session's event batches hands each batch over with a non-blocking `try_send`; the thread drains
//! whatever is waiting and writes it in one transaction. The socket task never waits for the disk:
//! when the thread falls more than [`QUEUE_BATCHES`] batches behind, batches are counted as
//! `dropped` on the connection row instead of slowing the receive path.
//! [`HistoryRecorder::finish`] closes the connection row and applies the retention setting
//! (`history.max_connections`, oldest connections and their events pruned first).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension};

use super::{now_ms, open_connection, Store, StoreError, DEFAULT_BUSY_TIMEOUT};
use crate::collection::model::Protocol;
use crate::sse::SseSessionEvent;
use crate::ws::{close_code_name, DataKind, SessionEvent};

/// Batches that may wait for the writer thread before new ones are dropped.
pub const QUEUE_BATCHES: usize = 4096;
/// Events written per transaction at most.
const EVENTS_PER_TX: usize = 32_768;
/// Rows per multi-row `INSERT` (8 parameters each, well under SQLite's limit).
const ROWS_PER_INSERT: usize = 64;

fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO history_events (connection_id, seq, t_ns, kind, dir, code, meta, data) VALUES ",
    );
    for i in 0..rows {
        sql.push_str(if i == 0 {
            "(?,?,?,?,?,?,?,?)"
        } else {
            ",(?,?,?,?,?,?,?,?)"
        });
    }
    sql
}

/// One connection in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConnection {
    pub id: i64,
    pub request_id: Option<i64>,
    pub protocol: String,
    pub url: String,
    /// Unix milliseconds.
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub events: u64,
    pub dropped: u64,
}

/// A `history_connections` row from its first eight columns (id, request_id, protocol, url,
/// started_at, ended_at, events, dropped).
fn connection_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryConnection> {
    Ok(HistoryConnection {
        id: r.get(0)?,
        request_id: r.get(1)?,
        protocol: r.get(2)?,
        url: r.get(3)?,
        started_at: r.get(4)?,
        ended_at: r.get(5)?,
        events: r.get::<_, i64>(6)?.max(0) as u64,
        dropped: r.get::<_, i64>(7)?.max(0) as u64,
    })
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub seq: u64,
    pub t_ns: u64,
    /// `text`, `binary`, `ping`, `pong`, `close`, `open`, `connecting`, `reconnecting`, `queued`,
    /// `error`, `ended`, `sse_event`, `comment`.
    pub kind: String,
    pub dir: String,
    pub code: Option<u16>,
    /// Extra detail as text (SSE event type and id, close code name, error code).
    pub meta: Option<String>,
    pub data: Vec<u8>,
}

/// What a recorder wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryStats {
    pub connection_id: i64,
    pub events: u64,
    /// Events not written because the writer fell behind.
    pub dropped: u64,
    /// Time spent inside write transactions.
    pub write_time: Duration,
}

enum Batch {
    Ws(Vec<SessionEvent>),
    Sse(Vec<SseSessionEvent>),
}

impl Batch {
    fn len(&self) -> usize {
        match self {
            Batch::Ws(b) => b.len(),
            Batch::Sse(b) => b.len(),
        }
    }
}

/// Records one connection's events into history from a background thread.
pub struct HistoryRecorder {
    tx: Option<SyncSender<Batch>>,
    thread: Option<JoinHandle<Result<HistoryStats, StoreError>>>,
    connection_id: i64,
    dropped: Arc<AtomicU64>,
}

/// The history list with each connection's outcome, newest first: one query, each outcome found
/// through the partial indexes of migration 6.
pub(super) const HISTORY_LIST: &str = "SELECT c.id, c.request_id, c.protocol, c.url, c.started_at, c.ended_at, c.events,
                        c.dropped,
                        EXISTS (SELECT 1 FROM history_events e INDEXED BY history_events_opens
                                WHERE e.connection_id = c.id AND e.kind = 'open'),
                        (SELECT e.code FROM history_events e INDEXED BY history_events_closes
                         WHERE e.connection_id = c.id AND e.kind = 'close'
                         ORDER BY e.seq DESC LIMIT 1),
                        (SELECT coalesce(e.meta, '') FROM history_events e INDEXED BY history_events_errors
                         WHERE e.connection_id = c.id AND e.kind = 'error'
                         ORDER BY e.seq DESC LIMIT 1),
                        c.owner
                 FROM history_connections c ORDER BY c.id DESC LIMIT ?1";

impl Store {
    /// Starts recording a new connection (`request_id`: the saved request it came from).
    pub fn record_connection(
        &mut self,
        protocol: Protocol,
        url: &str,
        request_id: Option<i64>,
    ) -> Result<HistoryRecorder, StoreError> {
        self.conn
            .execute(
                "INSERT INTO history_connections (request_id, protocol, url, started_at, owner)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    request_id,
                    protocol.as_str(),
                    url,
                    now_ms(),
                    super::outcome::this_process()
                ],
            )
            .map_err(|e| self.err(e))?;
        let connection_id = self.conn.last_insert_rowid();
        let keep = self.history_max_connections()?;
        let path = self.path().to_path_buf();
        let conn = open_connection(&path, DEFAULT_BUSY_TIMEOUT)?;
        // The writer only appends rows under a connection row that exists (inserted above), so
        // per-row foreign-key lookups are skipped; a bigger cache and fewer checkpoints keep the
        // appends cheap. Durability is unchanged (WAL, synchronous=NORMAL).
        conn.execute_batch(
            "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=8192;",
        )
        .map_err(|e| self.err(e))?;
        let (tx, rx) = mpsc::sync_channel(QUEUE_BATCHES);
        let dropped = Arc::new(AtomicU64::new(0));
        let dropped_in_thread = dropped.clone();
        let thread = std::thread::Builder::new()
            .name("sockpit-history".into())
            .spawn(move || {
                lower_priority();
                let r = writer(conn, path, rx, connection_id, keep, dropped_in_thread);
                match &r {
                    Ok(stats) if stats.dropped > 0 => tracing::warn!(
                        connection_id,
                        dropped = stats.dropped,
                        "history: events dropped (the writer fell behind)"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(
                        connection_id,
                        code = e.code(),
                        "history: writing failed: {e}"
                    ),
                }
                r
            })
            .map_err(|e| StoreError::Sqlite {
                path: self.path().display().to_string(),
                reason: format!("cannot start the history writer thread: {e}"),
            })?;
        Ok(HistoryRecorder {
            tx: Some(tx),
            thread: Some(thread),
            connection_id,
            dropped,
        })
    }

    /// The most recent connections first.
    pub fn history(&self, limit: u32) -> Result<Vec<HistoryConnection>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, request_id, protocol, url, started_at, ended_at, events, dropped
                 FROM history_connections ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit], connection_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The most recent connections first, each with how it went, in one query (the window's
    /// History list).
    pub fn history_with_outcomes(
        &self,
        limit: u32,
    ) -> Result<Vec<(HistoryConnection, super::HistoryOutcome)>, StoreError> {
        let mut stmt = self.conn.prepare(HISTORY_LIST).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit], |r| {
                let connection = connection_row(r)?;
                let owner: Option<String> = r.get(11)?;
                let interrupted =
                    connection.ended_at.is_none() && super::outcome::owner_gone(owner.as_deref());
                Ok((
                    connection,
                    super::HistoryOutcome {
                        opened: r.get(8)?,
                        close_code: r
                            .get::<_, Option<i64>>(9)?
                            .map(|c| c.clamp(0, 65535) as u16),
                        error: r.get(10)?,
                        interrupted,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// A range of one connection's events, by sequence number.
    pub fn history_events(
        &self,
        connection: i64,
        from_seq: u64,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, t_ns, kind, dir, code, meta, data FROM history_events
                 WHERE connection_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![connection, from_seq as i64, limit], |r| {
                Ok(RecordedEvent {
                    seq: r.get::<_, i64>(0)?.max(0) as u64,
                    t_ns: r.get::<_, i64>(1)?.max(0) as u64,
                    kind: r.get(2)?,
                    dir: r.get(3)?,
                    code: r
                        .get::<_, Option<i64>>(4)?
                        .map(|c| c.clamp(0, 65535) as u16),
                    meta: r.get(5)?,
                    data: r.get::<_, Option<Vec<u8>>>(6)?.unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Stored events of a connection.
    pub fn history_event_count(&self, connection: i64) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM history_events WHERE connection_id = ?1",
                [connection],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0).max(0) as u64)
            .map_err(|e| self.err(e))
    }
}

impl HistoryRecorder {
    pub fn connection_id(&self) -> i64 {
        self.connection_id
    }

    /// Queues a WebSocket batch (cloned: payloads are reference-counted) without blocking.
    pub fn record_ws(&self, batch: &[SessionEvent]) {
        self.send(Batch::Ws(batch.to_vec()));
    }

    /// Queues a WebSocket batch without blocking.
    pub fn record_ws_owned(&self, batch: Vec<SessionEvent>) {
        self.send(Batch::Ws(batch));
    }

    /// Queues an SSE batch without blocking.
    pub fn record_sse(&self, batch: &[SseSessionEvent]) {
        self.send(Batch::Sse(batch.to_vec()));
    }

    fn send(&self, batch: Batch) {
        let n = batch.len() as u64;
        let Some(tx) = &self.tx else { return };
        match tx.try_send(batch) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// Waits for everything queued to be written, closes the connection row and prunes history.
    pub fn finish(mut self) -> Result<HistoryStats, StoreError> {
        self.tx.take();
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(StoreError::Sqlite {
                path: String::new(),
                reason: "the history writer thread stopped unexpectedly".into(),
            }),
            None => Err(StoreError::Sqlite {
                path: String::new(),
                reason: "history already finished".into(),
            }),
        }
    }
}

impl Drop for HistoryRecorder {
    fn drop(&mut self) {
        // Closing the channel lets the thread finish on its own; nobody waits for it.
        self.tx.take();
    }
}

/// Persisting history yields the CPU to the receive path: the writer thread runs at nice 10.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: setpriority has no memory effects; on Linux, PRIO_PROCESS with id 0 applies to the
    // calling thread only. A failure leaves the priority as it was, which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

fn writer(
    mut conn: Connection,
    path: PathBuf,
    rx: Receiver<Batch>,
    connection_id: i64,
    keep: u64,
    dropped: Arc<AtomicU64>,
) -> Result<HistoryStats, StoreError> {
    let err = |e| StoreError::from_sqlite(&path, e);
    let mut seq: u64 = 0;
    let mut write_time = Duration::ZERO;
    let mut pending: Vec<Batch> = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut n = first.len();
        pending.push(first);
        while n < EVENTS_PER_TX {
            match rx.try_recv() {
                Ok(b) => {
                    n += b.len();
                    pending.push(b);
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        // Rows borrow their payloads from the pending batches, which live until the commit.
        let mut rows: Vec<(u64, Row<'_>)> = Vec::with_capacity(n);
        for batch in &pending {
            match batch {
                // Frame records are the inspector's, not history's.
                Batch::Ws(events) => rows.extend(
                    events
                        .iter()
                        .filter_map(|ev| ws_row(ev).map(|r| (ev.t(), r))),
                ),
                Batch::Sse(events) => rows.extend(events.iter().map(|ev| (ev.t(), sse_row(ev)))),
            }
        }
        let tx = conn.transaction().map_err(err)?;
        {
            let mut many = tx
                .prepare_cached(&insert_sql(ROWS_PER_INSERT))
                .map_err(err)?;
            let mut one = tx.prepare_cached(&insert_sql(1)).map_err(err)?;
            let full = rows.len() / ROWS_PER_INSERT * ROWS_PER_INSERT;
            let (bulk, rest) = rows.split_at(full);
            let groups = bulk
                .chunks(ROWS_PER_INSERT)
                .map(|g| (true, g))
                .chain(rest.chunks(1).map(|g| (false, g)));
            for (is_bulk, group) in groups {
                let stmt = if is_bulk { &mut many } else { &mut one };
                let mut i = 1;
                for (t, row) in group {
                    let t = (*t).min(i64::MAX as u64) as i64;
                    let seq_now = seq as i64;
                    let values: [&dyn rusqlite::ToSql; 8] = [
                        &connection_id,
                        &seq_now,
                        &t,
                        &row.kind,
                        &row.dir,
                        &row.code,
                        &row.meta,
                        &row.data,
                    ];
                    for v in values {
                        stmt.raw_bind_parameter(i, v).map_err(err)?;
                        i += 1;
                    }
                    seq += 1;
                }
                stmt.raw_execute().map_err(err)?;
            }
        }
        drop(rows);
        pending.clear();
        tx.commit().map_err(err)?;
        write_time += started.elapsed();
    }
    let dropped = dropped.load(Ordering::Relaxed);
    conn.execute(
        "UPDATE history_connections SET ended_at = ?2, events = ?3, dropped = ?4 WHERE id = ?1",
        params![connection_id, now_ms(), seq as i64, dropped as i64],
    )
    .map_err(err)?;
    // Pruning relies on ON DELETE CASCADE to take the events along.
    conn.execute_batch("PRAGMA foreign_keys=ON").map_err(err)?;
    conn.execute(
        "DELETE FROM history_connections WHERE id NOT IN
         (SELECT id FROM history_connections ORDER BY id DESC LIMIT ?1)",
        [keep.min(i64::MAX as u64) as i64],
    )
    .map_err(err)?;
    Ok(HistoryStats {
        connection_id,
        events: seq,
        dropped,
        write_time,
    })
}

struct Row<'a> {
    kind: &'static str,
    dir: &'static str,
    code: Option<u16>,
    meta: Option<String>,
    data: std::borrow::Cow<'a, [u8]>,
}

fn row<'a>(
    kind: &'static str,
    dir: &'static str,
    data: impl Into<std::borrow::Cow<'a, [u8]>>,
) -> Row<'a> {
    Row {
        kind,
        dir,
        code: None,
        meta: None,
        data: data.into(),
    }
}

fn ws_row(ev: &SessionEvent) -> Option<Row<'_>> {
    Some(match ev {
        SessionEvent::Message {
            dir, kind, data, ..
        } => {
            let k = match kind {
                DataKind::Text => "text",
                DataKind::Binary => "binary",
            };
            row(k, dir.as_str(), &data[..])
        }
        SessionEvent::Ping { dir, data, .. } => row("ping", dir.as_str(), &data[..]),
        SessionEvent::Pong { dir, data, .. } => row("pong", dir.as_str(), &data[..]),
        SessionEvent::Close {
            dir,
            code,
            reason,
            by,
            ..
        } => Row {
            code: Some(*code),
            meta: Some(format!("{} (by {})", close_code_name(*code), by.as_str())),
            ..row("close", dir.as_str(), reason.as_bytes())
        },
        SessionEvent::Open { report, .. } => Row {
            code: Some(report.status),
            meta: Some(
                serde_json::json!({
                    "request_line": report.request_line,
                    "protocol": report.protocol,
                    "extensions": report.extensions,
                })
                .to_string(),
            ),
            ..row("open", "in", report.url.as_bytes())
        },
        SessionEvent::Connecting { attempt, .. } => row(
            "connecting",
            "out",
            format!("attempt {attempt}").into_bytes(),
        ),
        SessionEvent::Reconnecting { attempt, delay, .. } => row(
            "reconnecting",
            "out",
            format!("retry {attempt} in {} ms", delay.as_millis()).into_bytes(),
        ),
        SessionEvent::Queued { queued, .. } => {
            row("queued", "out", format!("{queued} queued").into_bytes())
        }
        SessionEvent::Error { error, .. } => Row {
            meta: Some(error.code().to_string()),
            ..row("error", "in", error.to_string().into_bytes())
        },
        SessionEvent::Ended { .. } => row("ended", "in", Vec::new()),
        SessionEvent::Frame { record, .. } => Row {
            meta: Some(format!("{} len={}", record.opcode.as_str(), record.len)),
            ..row("frame", record.dir.as_str(), &record.preview[..])
        },
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

fn sse_row(ev: &SseSessionEvent) -> Row<'_> {
    match ev {
        SseSessionEvent::Event {
            event_type,
            id,
            data,
            ..
        } => Row {
            meta: Some(serde_json::json!({"event": event_type, "id": id}).to_string()),
            ..row("sse_event", "in", data.as_bytes())
        },
        SseSessionEvent::Comment { text, .. } => row("comment", "in", text.as_bytes()),
        SseSessionEvent::Connecting { url, attempt, .. } => Row {
            meta: Some(format!("attempt {attempt}")),
            ..row("connecting", "out", url.as_bytes())
        },
        SseSessionEvent::Open { .. } => row("open", "in", Vec::new()),
        SseSessionEvent::Closed { discarded, .. } => row(
            "closed",
            "in",
            format!("discarded: {discarded}").into_bytes(),
        ),
        SseSessionEvent::Reconnecting { attempt, delay, .. } => row(
            "reconnecting",
            "out",
            format!("retry {attempt} in {} ms", delay.as_millis()).into_bytes(),
        ),
        SseSessionEvent::Error { error, .. } => Row {
            meta: Some(error.code().to_string()),
            ..row("error", "in", error.to_string().into_bytes())
        },
        SseSessionEvent::Ended { reason, .. } => row("ended", "in", reason.as_str().as_bytes()),
    }
}
