//! `SessionLog`: every event of a session in compact form, for range reads and search by the window.
//!
//! Bounded: payloads are kept up to a cap ([`DEFAULT_PAYLOAD_CAP`], 512 MiB). Past it the oldest
//! payload chunks are dropped, oldest first; their rows stay (time, kind, direction, size, code:
//! 24 bytes each) and read back with [`DROPPED_PAYLOAD`] as their data, so counts, order and
//! search of the newer rows are unchanged. History in SQLite keeps the payloads when the user
//! keeps history.

use memchr::memmem;

use crate::ws::{close_code_name, Direction, SessionEvent};

/// What a row of the log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    Text,
    Binary,
    Ping,
    Pong,
    Close,
    Open,
    Connecting,
    Reconnecting,
    Queued,
    Frame,
    Error,
    Ended,
    /// A script's `sp.log` line or error (see [`SessionLog::push_script`]).
    Script,
}

/// One row as read back: borrowed from the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    pub index: usize,
    pub t: u64,
    pub kind: RowKind,
    pub dir: Direction,
    /// The close code for `Close` rows, 0 otherwise.
    pub code: u16,
    /// The payload (messages, pings), or a short description (open, close reason, error).
    pub data: &'a [u8],
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    t: u64,
    chunk: u32,
    offset: u32,
    len: u32,
    code: u16,
    kind: RowKind,
    dir: Direction,
}

const CHUNK: usize = 1 << 20;

/// Payload bytes a log keeps by default before it drops the oldest.
pub const DEFAULT_PAYLOAD_CAP: usize = 512 << 20;

/// What a row whose payload was dropped reads back as.
pub const DROPPED_PAYLOAD: &[u8] =
    b"[payload dropped: the session log keeps the newest 512 MiB of payloads]";

/// Append-only store. Payloads are copied into 1 MiB chunks (large ones get a chunk of their own), so
/// a row costs its payload plus 24 bytes, and nothing retains the socket's read buffers.
#[derive(Debug)]
pub struct SessionLog {
    entries: Vec<Entry>,
    chunks: Vec<Vec<u8>>,
    bytes: usize,
    cap: usize,
    /// Chunks below this index were dropped (emptied, kept in place so entries stay valid).
    dropped_chunks: usize,
    dropped_bytes: u64,
}

impl Default for SessionLog {
    fn default() -> SessionLog {
        SessionLog::with_payload_cap(DEFAULT_PAYLOAD_CAP)
    }
}

impl SessionLog {
    pub fn new() -> SessionLog {
        SessionLog::default()
    }

    /// A log that keeps at most `cap` payload bytes (at least the chunk being filled).
    pub fn with_payload_cap(cap: usize) -> SessionLog {
        SessionLog {
            entries: Vec::new(),
            chunks: Vec::new(),
            bytes: 0,
            cap,
            dropped_chunks: 0,
            dropped_bytes: 0,
        }
    }

    /// Payload bytes dropped so far to stay under the cap.
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped_bytes
    }

    /// Drops the oldest chunks until the payloads fit the cap; never the one being filled, nor
    /// `newest` (the chunk the last payload went to) or any after it.
    fn enforce_cap(&mut self, newest: u32) {
        let open = self.chunks.len().saturating_sub(1).min(newest as usize);
        while self.bytes > self.cap && self.dropped_chunks < open {
            let chunk = std::mem::take(&mut self.chunks[self.dropped_chunks]);
            self.bytes -= chunk.len();
            self.dropped_bytes += chunk.len() as u64;
            self.dropped_chunks += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Payload bytes held.
    pub fn payload_bytes(&self) -> usize {
        self.bytes
    }

    pub fn push(&mut self, event: &SessionEvent) {
        let (kind, dir, code, data): (RowKind, Direction, u16, std::borrow::Cow<'_, [u8]>) =
            match event {
                SessionEvent::Message {
                    dir, kind, data, ..
                } => {
                    let k = match kind {
                        crate::ws::DataKind::Text => RowKind::Text,
                        crate::ws::DataKind::Binary => RowKind::Binary,
                    };
                    (k, *dir, 0, data[..].into())
                }
                SessionEvent::Ping { dir, data, .. } => (RowKind::Ping, *dir, 0, data[..].into()),
                SessionEvent::Pong { dir, data, .. } => (RowKind::Pong, *dir, 0, data[..].into()),
                SessionEvent::Close {
                    dir, code, reason, ..
                } => {
                    let text = format!("{code} {} {reason}", close_code_name(*code));
                    (RowKind::Close, *dir, *code, text.into_bytes().into())
                }
                SessionEvent::Open { report, .. } => (
                    RowKind::Open,
                    Direction::In,
                    0,
                    report.url.clone().into_bytes().into(),
                ),
                SessionEvent::Connecting { attempt, .. } => (
                    RowKind::Connecting,
                    Direction::Out,
                    0,
                    format!("attempt {attempt}").into_bytes().into(),
                ),
                SessionEvent::Reconnecting { attempt, delay, .. } => (
                    RowKind::Reconnecting,
                    Direction::Out,
                    0,
                    format!("retry {attempt} in {} ms", delay.as_millis())
                        .into_bytes()
                        .into(),
                ),
                SessionEvent::Queued { queued, .. } => (
                    RowKind::Queued,
                    Direction::Out,
                    0,
                    format!("{queued} queued").into_bytes().into(),
                ),
                SessionEvent::Error { error, .. } => (
                    RowKind::Error,
                    Direction::In,
                    0,
                    format!("{}: {error}", error.code()).into_bytes().into(),
                ),
                SessionEvent::Frame { record, .. } => {
                    let r = record.as_ref();
                    let flags: String = [
                        (r.fin, " FIN"),
                        (r.rsv1, " RSV1"),
                        (r.rsv2, " RSV2"),
                        (r.rsv3, " RSV3"),
                    ]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, s)| *s)
                    .collect();
                    (
                        RowKind::Frame,
                        r.dir,
                        0,
                        format!("{}{flags} len={}", r.opcode.as_str(), r.len)
                            .into_bytes()
                            .into(),
                    )
                }
                SessionEvent::Ended { .. } => (RowKind::Ended, Direction::In, 0, (&[][..]).into()),
            };
        let (chunk, offset) = self.store(&data);
        self.enforce_cap(chunk);
        self.entries.push(Entry {
            t: event.t(),
            chunk,
            offset,
            len: data.len() as u32,
            code,
            kind,
            dir,
        });
    }

    /// A row that is not a session event: a script's `sp.log` line or error, at `t` (nanoseconds
    /// since the session started, like the events).
    pub fn push_script(&mut self, t: u64, text: &str) {
        let (chunk, offset) = self.store(text.as_bytes());
        self.enforce_cap(chunk);
        self.entries.push(Entry {
            t,
            chunk,
            offset,
            len: text.len() as u32,
            code: 0,
            kind: RowKind::Script,
            dir: Direction::In,
        });
    }

    fn store(&mut self, data: &[u8]) -> (u32, u32) {
        self.bytes += data.len();
        if data.len() > CHUNK / 2 {
            // Large payloads get a chunk of their own, inserted before the current open one.
            let at = self.chunks.len().saturating_sub(1);
            if self.chunks.is_empty() {
                self.chunks.push(data.to_vec());
                self.chunks.push(Vec::with_capacity(CHUNK));
                return (0, 0);
            }
            self.chunks.insert(at, data.to_vec());
            // Entries pointing at the open chunk move one place up.
            let open = at as u32;
            for e in self.entries.iter_mut().rev() {
                if e.chunk == open {
                    e.chunk += 1;
                } else if e.chunk < open {
                    break;
                }
            }
            return (open, 0);
        }
        let needs_new = self
            .chunks
            .last()
            .is_none_or(|c| c.len() + data.len() > CHUNK);
        if needs_new {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let idx = self.chunks.len() - 1;
        let chunk = &mut self.chunks[idx];
        let offset = chunk.len();
        chunk.extend_from_slice(data);
        (idx as u32, offset as u32)
    }

    pub fn get(&self, index: usize) -> Option<Row<'_>> {
        let e = self.entries.get(index)?;
        let data = if (e.chunk as usize) < self.dropped_chunks && e.len > 0 {
            DROPPED_PAYLOAD
        } else {
            &self.chunks[e.chunk as usize][e.offset as usize..][..e.len as usize]
        };
        Some(Row {
            index,
            t: e.t,
            kind: e.kind,
            dir: e.dir,
            code: e.code,
            data,
        })
    }

    /// Rows `start..end` (clamped to the log).
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = Row<'_>> + '_ {
        let end = end.min(self.len());
        (start.min(end)..end).filter_map(move |i| self.get(i))
    }

    /// Indexes of rows from `from` on whose payload contains `needle`, at most `limit` of them.
    /// With `ignore_case`, ASCII letters match either case.
    pub fn search(&self, needle: &str, ignore_case: bool, from: usize, limit: usize) -> Vec<usize> {
        let mut hits = Vec::new();
        if needle.is_empty() || limit == 0 {
            return hits;
        }
        if ignore_case {
            let lower = needle.to_ascii_lowercase();
            let finder = memmem::Finder::new(lower.as_bytes());
            let mut buf = Vec::new();
            for row in self.range(from, self.len()) {
                buf.clear();
                buf.extend(row.data.iter().map(|b| b.to_ascii_lowercase()));
                if finder.find(&buf).is_some() {
                    hits.push(row.index);
                    if hits.len() == limit {
                        break;
                    }
                }
            }
        } else {
            let finder = memmem::Finder::new(needle.as_bytes());
            for row in self.range(from, self.len()) {
                if finder.find(row.data).is_some() {
                    hits.push(row.index);
                    if hits.len() == limit {
                        break;
                    }
                }
            }
        }
        hits
    }

    /// Indexes of rows from `from` on that `keep` accepts, at most `limit` of them, and the index
    /// the scan stopped at (the next `from`). The window's direction and type filters use it.
    pub fn select(
        &self,
        from: usize,
        limit: usize,
        mut keep: impl FnMut(&Row<'_>) -> bool,
    ) -> (Vec<usize>, usize) {
        let mut hits = Vec::new();
        for row in self.range(from, self.len()) {
            if hits.len() == limit {
                return (hits, row.index);
            }
            if keep(&row) {
                hits.push(row.index);
            }
        }
        (hits, self.len().max(from))
    }

    /// Forgets every row (the window's Clear log); the next row is index 0 again.
    pub fn clear(&mut self) {
        *self = SessionLog::with_payload_cap(self.cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::DataKind;
    use bytes::Bytes;

    fn msg(t: u64, s: &[u8]) -> SessionEvent {
        SessionEvent::Message {
            t,
            dir: Direction::In,
            kind: DataKind::Text,
            data: Bytes::copy_from_slice(s),
        }
    }

    #[test]
    fn stores_reads_ranges_and_searches() {
        let mut log = SessionLog::new();
        for i in 0..10_000u64 {
            log.push(&msg(i, format!("message {i}").as_bytes()));
        }
        let big = vec![b'x'; 3 << 20];
        log.push(&msg(10_000, &big));
        log.push(&msg(10_001, b"after big"));
        log.push(&SessionEvent::Close {
            t: 10_002,
            dir: Direction::In,
            code: 4001,
            reason: "Invalid credentials".into(),
            by: crate::ws::Closer::Server,
        });
        assert_eq!(log.len(), 10_003);
        assert_eq!(log.get(42).unwrap().data, b"message 42");
        assert_eq!(log.get(10_000).unwrap().data.len(), 3 << 20);
        assert_eq!(log.get(10_001).unwrap().data, b"after big");
        assert_eq!(log.get(9_999).unwrap().data, b"message 9999");
        let close = log.get(10_002).unwrap();
        assert_eq!((close.kind, close.code), (RowKind::Close, 4001));
        assert_eq!(close.data, b"4001 Private Invalid credentials");
        let rows: Vec<_> = log.range(5, 8).map(|r| r.t).collect();
        assert_eq!(rows, vec![5, 6, 7]);
        assert_eq!(log.range(10_002, 99_999).count(), 1);
        assert_eq!(log.search("message 99", false, 0, 1000).len(), 111);
        assert_eq!(log.search("MESSAGE 1234", true, 0, 10), vec![1234]);
        assert_eq!(
            log.search("MESSAGE 1234", false, 0, 10),
            Vec::<usize>::new()
        );
        assert_eq!(log.search("credentials", false, 10_000, 10), vec![10_002]);
        assert!(log.get(10_003).is_none());
    }

    #[test]
    fn payloads_over_the_cap_drop_oldest_first_and_rows_stay() {
        let mut log = SessionLog::with_payload_cap(4 << 20);
        let payload = vec![b'p'; 1000];
        // 10 MiB of payloads through a 4 MiB log.
        for i in 0..10_485u64 {
            let mut p = payload.clone();
            p[..8].copy_from_slice(&i.to_be_bytes());
            log.push(&msg(i, &p));
        }
        assert_eq!(log.len(), 10_485, "every row stays");
        assert!(log.payload_bytes() <= 4 << 20, "{}", log.payload_bytes());
        assert!(log.payload_bytes() > 3 << 20, "{}", log.payload_bytes());
        assert_eq!(
            log.payload_bytes() as u64 + log.dropped_bytes(),
            10_485_000,
            "kept + dropped = all"
        );
        assert_eq!(log.get(0).unwrap().data, DROPPED_PAYLOAD);
        assert_eq!(log.get(0).unwrap().t, 0, "the row itself is kept");
        let last = log.get(10_484).unwrap();
        assert_eq!(&last.data[..8], &10_484u64.to_be_bytes());
        // The newest rows read whole; the boundary is a clean prefix.
        let first_kept = (0..log.len())
            .find(|&i| log.get(i).unwrap().data != DROPPED_PAYLOAD)
            .unwrap();
        assert!((first_kept..log.len()).all(|i| log.get(i).unwrap().data.len() == 1000));
        // A payload larger than the cap still goes in whole, and pushes the rest out.
        log.push(&msg(20_000, &vec![b'b'; 5 << 20]));
        assert_eq!(log.get(10_485).unwrap().data.len(), 5 << 20);
        assert_eq!(log.search("zzz", false, 0, 10), Vec::<usize>::new());
        log.clear();
        log.push(&msg(1, b"again"));
        assert_eq!(log.get(0).unwrap().data, b"again");
    }

    #[test]
    fn selects_with_a_predicate_in_pages_and_clears() {
        let mut log = SessionLog::new();
        for i in 0..10u64 {
            log.push(&msg(i, format!("m{i}").as_bytes()));
        }
        let even = |r: &Row<'_>| r.t % 2 == 0;
        assert_eq!(log.select(0, 100, even), (vec![0, 2, 4, 6, 8], 10));
        assert_eq!(log.select(0, 2, even), (vec![0, 2], 3));
        assert_eq!(log.select(3, 2, even), (vec![4, 6], 7));
        assert_eq!(log.select(12, 2, even), (vec![], 12));
        log.clear();
        assert!(log.is_empty());
        assert_eq!(log.payload_bytes(), 0);
        log.push(&msg(1, b"again"));
        assert_eq!(log.get(0).unwrap().data, b"again");
    }
}
