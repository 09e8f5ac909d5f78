//! `SseParser`: the incremental WHATWG "event stream interpretation" over arbitrary byte chunks.

use memchr::{memchr, memchr2};

/// The default bound on one event: the current line plus the data collected for the pending event.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// The UTF-8 byte order mark, skipped once at the start of a stream.
const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

/// A failure of the SSE parser. The UI and the CLI show `to_string()` and branch on `code()`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SseError {
    #[error(
        "SSE event too large: the current line plus pending data reached {size} bytes, over the \
         limit of {max} bytes (an endless line or a never-ending event; raise the max event size)"
    )]
    EventTooLarge {
        /// Bytes of the current line plus the pending data when the limit was crossed (a lower
        /// bound: the rest of the line was not read).
        size: usize,
        max: usize,
    },
}

impl SseError {
    /// A stable identifier the UI and the CLI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            SseError::EventTooLarge { .. } => "sse.event_too_large",
        }
    }
}

/// A dispatched event, as an `EventSource` would hand it to a `message` listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event` field of the event, or `"message"` when it had none (or an empty one).
    pub event_type: String,
    /// The `data` lines joined with LF (the final LF removed).
    pub data: String,
    /// The last event ID after this event: its own `id` field or the one inherited from an earlier
    /// event; empty when there is none (or an empty `id` reset it).
    pub id: String,
    /// The reconnection time in milliseconds, when a valid `retry` field arrived in this event.
    pub retry: Option<u64>,
}

/// What the parser yields, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A dispatched event.
    Event(SseEvent),
    /// A comment line: the text after the `:`, exactly (a leading space is kept).
    Comment(String),
}

/// The fields of the event being collected, and the state that outlives events.
#[derive(Debug, Clone, Default)]
struct EventState {
    data: String,
    event_type: String,
    /// The "last event ID buffer" of the spec: set by `id` fields, committed at each blank line.
    id_buffer: String,
    /// The "last event ID string": what a reconnect sends as `Last-Event-ID`.
    last_event_id: String,
    /// A valid `retry` in the current event (since the last blank line).
    event_retry: Option<u64>,
    /// The reconnection time: the latest valid `retry`, applied as soon as it arrives.
    retry: Option<u64>,
    /// Whether a field line arrived since the last blank line (an unfinished event at the end).
    pending: bool,
}

impl EventState {
    /// Processes one complete line (without its line end).
    #[inline]
    fn process_line(
        &mut self,
        line: &[u8],
        max: usize,
        out: &mut Vec<SseItem>,
    ) -> Result<(), SseError> {
        let size = line.len() + self.data.len();
        if size > max {
            return Err(SseError::EventTooLarge { size, max });
        }
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line[0] == b':' {
            out.push(SseItem::Comment(decode(&line[1..]).into_owned()));
            return Ok(());
        }
        let (field, value) = match memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        self.pending = true;
        match field {
            b"data" => {
                self.data.push_str(&decode(value));
                self.data.push('\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.push_str(&decode(value));
            }
            // An id containing NUL is ignored (the `_` arm).
            b"id" if memchr(0, value).is_none() => {
                self.id_buffer.clear();
                self.id_buffer.push_str(&decode(value));
            }
            b"retry" => {
                if let Some(ms) = parse_retry(value) {
                    self.event_retry = Some(ms);
                    self.retry = Some(ms);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A blank line: the spec's "dispatch the event".
    fn dispatch(&mut self, out: &mut Vec<SseItem>) {
        self.pending = false;
        if self.last_event_id != self.id_buffer {
            self.last_event_id.clone_from(&self.id_buffer);
        }
        let retry = self.event_retry.take();
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // every data line appended an LF
        let event_type = if self.event_type.is_empty() {
            String::from("message")
        } else {
            std::mem::take(&mut self.event_type)
        };
        out.push(SseItem::Event(SseEvent {
            event_type,
            data,
            id: self.last_event_id.clone(),
            retry,
        }));
    }

    /// Forgets the unfinished event; keeps what outlives a connection.
    fn discard_event(&mut self) {
        self.data.clear();
        self.event_type.clear();
        self.event_retry = None;
        self.pending = false;
        self.id_buffer.clone_from(&self.last_event_id);
    }
}

/// Decodes with U+FFFD for invalid UTF-8 (the WHATWG decoder's replacement, one per maximal
/// invalid subpart); borrows when the bytes are valid.
#[inline]
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// A `retry` value: ASCII digits only (and at least one), as milliseconds; saturates at `u64::MAX`.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// An incremental parser of a `text/event-stream` body.
///
/// Feed it the body's chunks as they arrive, split anywhere (inside a UTF-8 sequence, between CR
/// and LF, inside the BOM); call [`finish`](Self::finish) when the stream ends. The items are the
/// same however the stream is split. One parser serves a whole `EventSource` life: `finish` keeps
/// [`last_event_id`](Self::last_event_id) and [`retry`](Self::retry) for the reconnect.
#[derive(Debug, Clone)]
pub struct SseParser {
    /// The start of a line whose end has not arrived yet (empty when lines end inside a chunk).
    line: Vec<u8>,
    state: EventState,
    max_event_size: usize,
    /// How many bytes of the BOM matched at the stream start; `None` once past it.
    bom: Option<u8>,
    /// The previous chunk ended with CR: an LF at the start of the next is part of that line end.
    skip_lf: bool,
    /// Set by an error: the stream cannot be trusted any more until `finish`.
    failed: Option<SseError>,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl SseParser {
    /// A parser with the default max event size ([`DEFAULT_MAX_EVENT_SIZE`]).
    pub fn new() -> Self {
        SseParser {
            line: Vec::new(),
            state: EventState::default(),
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            bom: Some(0),
            skip_lf: false,
            failed: None,
        }
    }

    /// Sets the bound on one event: bytes of the current line plus the pending event's data.
    pub fn with_max_event_size(mut self, max: usize) -> Self {
        self.max_event_size = max;
        self
    }

    /// The bound on one event (see [`with_max_event_size`](Self::with_max_event_size)).
    pub fn max_event_size(&self) -> usize {
        self.max_event_size
    }

    /// The last event ID: what to send as `Last-Event-ID` when reconnecting (empty: send none).
    /// It changes at blank lines only, so an `id` in an unfinished event does not count.
    pub fn last_event_id(&self) -> &str {
        &self.state.last_event_id
    }

    /// Seeds the last event ID, e.g. to resume a stream from an ID the user gave.
    pub fn set_last_event_id(&mut self, id: impl Into<String>) {
        self.state.last_event_id = id.into();
        self.state.id_buffer.clone_from(&self.state.last_event_id);
    }

    /// The reconnection time in milliseconds from the latest valid `retry` field, if any.
    pub fn retry(&self) -> Option<u64> {
        self.state.retry
    }

    /// Parses one chunk, appending the items it completes to `out`.
    ///
    /// On an error the items before the offending line are already in `out`; the parser then
    /// refuses further input (returning the same error) until [`finish`](Self::finish).
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseItem>) -> Result<(), SseError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.feed_inner(chunk, out) {
            Ok(()) => Ok(()),
            Err(err) => {
                self.line = Vec::new();
                self.state.discard_event();
                self.failed = Some(err.clone());
                Err(err)
            }
        }
    }

    fn feed_inner(&mut self, mut chunk: &[u8], out: &mut Vec<SseItem>) -> Result<(), SseError> {
        if let Some(matched) = self.bom {
            chunk = self.skip_bom(matched, chunk);
        }
        if self.skip_lf && !chunk.is_empty() {
            self.skip_lf = false;
            if chunk[0] == b'\n' {
                chunk = &chunk[1..];
            }
        }
        let max = self.max_event_size;
        while let Some(end) = memchr2(b'\n', b'\r', chunk) {
            if self.line.is_empty() {
                self.state.process_line(&chunk[..end], max, out)?;
            } else {
                self.reserve_line(end)?;
                self.line.extend_from_slice(&chunk[..end]);
                self.state.process_line(&self.line, max, out)?;
                self.line.clear();
            }
            let mut next = end + 1;
            if chunk[end] == b'\r' {
                match chunk.get(next) {
                    Some(b'\n') => next += 1,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            chunk = &chunk[next..];
        }
        if !chunk.is_empty() {
            self.reserve_line(chunk.len())?;
            self.line.extend_from_slice(chunk);
        }
        Ok(())
    }

    /// Checks that `more` bytes may join the pending line, before copying them.
    fn reserve_line(&self, more: usize) -> Result<(), SseError> {
        let size = self.line.len() + more + self.state.data.len();
        if size > self.max_event_size {
            return Err(SseError::EventTooLarge {
                size,
                max: self.max_event_size,
            });
        }
        Ok(())
    }

    /// Consumes the BOM (or the part of it in this chunk) at the stream start. Bytes that turn out
    /// not to be a BOM become the start of the first line.
    fn skip_bom<'c>(&mut self, mut matched: u8, mut chunk: &'c [u8]) -> &'c [u8] {
        while let Some((&byte, rest)) = chunk.split_first() {
            if byte != BOM[usize::from(matched)] {
                self.line.extend_from_slice(&BOM[..usize::from(matched)]);
                self.bom = None;
                return chunk;
            }
            chunk = rest;
            matched += 1;
            if usize::from(matched) == BOM.len() {
                self.bom = None;
                return chunk;
            }
        }
        self.bom = Some(matched);
        chunk
    }

    /// Ends the stream: an unfinished line or event is discarded, never dispatched. Returns whether
    /// anything was discarded (a drop mid-event, or an event that failed). The parser is then ready for the next connection
    /// of the same source: the BOM is skipped again, while `last_event_id` and `retry` are kept.
    pub fn finish(&mut self) -> bool {
        let discarded = self.failed.is_some()
            || !self.line.is_empty()
            || self.bom.is_some_and(|m| m > 0)
            || self.state.pending
            || !self.state.data.is_empty();
        self.line.clear();
        self.state.discard_event();
        self.bom = Some(0);
        self.skip_lf = false;
        self.failed = None;
        discarded
    }
}

/// Parses a complete stream in one go: `feed` then `finish` (an unfinished last event is dropped).
pub fn parse(stream: &[u8]) -> Result<Vec<SseItem>, SseError> {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    parser.feed(stream, &mut out)?;
    parser.finish();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, data: &str, id: &str, retry: Option<u64>) -> SseItem {
        SseItem::Event(SseEvent {
            event_type: event_type.into(),
            data: data.into(),
            id: id.into(),
            retry,
        })
    }

    #[test]
    fn lone_cr_at_chunk_end_dispatches_at_once_and_the_lf_is_not_a_line() {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.feed(b"data: a\r", &mut out).unwrap();
        assert!(out.is_empty());
        p.feed(b"\r", &mut out).unwrap();
        assert_eq!(out, [event("message", "a", "", None)]);
        // The LF completes the CRLF started by the CR above: no extra blank line, no second event.
        p.feed(b"\ndata: b\r", &mut out).unwrap();
        p.feed(b"", &mut out).unwrap(); // an empty chunk keeps the pending CR
        p.feed(b"\n\n", &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1], event("message", "b", "", None));
    }

    #[test]
    fn cr_then_lf_split_does_not_dispatch_twice() {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for chunk in [&b"data: a\r"[..], b"\n", b"data: b\r", b"\n", b"\r", b"\n"] {
            p.feed(chunk, &mut out).unwrap();
        }
        assert_eq!(out, [event("message", "a\nb", "", None)]);
    }

    #[test]
    fn max_event_size_bounds_an_endless_line() {
        let mut p = SseParser::new().with_max_event_size(64);
        let mut out = Vec::new();
        p.feed(b"data: ok\n\n", &mut out).unwrap();
        p.feed(b"data: ", &mut out).unwrap();
        let mut err = None;
        for _ in 0..100 {
            if let Err(e) = p.feed(b"xxxxxxxxxx", &mut out) {
                err = Some(e);
                break;
            }
        }
        let err = err.expect("an endless line must fail");
        assert_eq!(err.code(), "sse.event_too_large");
        assert!(matches!(err, SseError::EventTooLarge { size, max: 64 } if size > 64));
        assert!(err.to_string().contains("64 bytes"), "{err}");
        assert!(p.line.capacity() <= 128, "the line buffer stayed bounded");
        assert_eq!(out, [event("message", "ok", "", None)]);
        // Failed until finish; then a new stream parses again.
        assert_eq!(p.feed(b"\n\n", &mut out), Err(err));
        assert!(p.finish());
        p.feed(b"data: again\n\n", &mut out).unwrap();
        assert_eq!(out[1], event("message", "again", "", None));
    }

    #[test]
    fn max_event_size_counts_pending_data_and_allows_the_exact_limit() {
        // "data: 0123456789" is 16 bytes; each data line adds 11 bytes ("0123456789\n") of data.
        let line = b"data: 0123456789\n";
        let ok = 16 + 11 * 3; // the fourth line: 16 + 33 bytes of pending data = the limit
        let mut p = SseParser::new().with_max_event_size(ok);
        let mut out = Vec::new();
        for _ in 0..4 {
            p.feed(line, &mut out).unwrap();
        }
        let err = p.feed(line, &mut out).unwrap_err();
        assert_eq!(
            err,
            SseError::EventTooLarge {
                size: 16 + 44,
                max: ok
            }
        );
        // The same stream split into single bytes fails at the same line, with the same items.
        let stream: Vec<u8> = [&b"data: a\n\n"[..], &line.repeat(5)].concat();
        let mut whole = SseParser::new().with_max_event_size(ok);
        let mut items_whole = Vec::new();
        assert!(whole.feed(&stream, &mut items_whole).is_err());
        let mut bytes = SseParser::new().with_max_event_size(ok);
        let mut items_bytes = Vec::new();
        let failed = stream
            .iter()
            .any(|b| bytes.feed(&[*b], &mut items_bytes).is_err());
        assert!(failed);
        assert_eq!(items_whole, items_bytes);
        assert_eq!(items_whole, [event("message", "a", "", None)]);
    }

    #[test]
    fn a_huge_chunk_over_the_limit_is_refused_without_copying() {
        let mut p = SseParser::new().with_max_event_size(1024);
        let mut out = Vec::new();
        let err = p.feed(&vec![b'x'; 1 << 20], &mut out).unwrap_err();
        assert_eq!(err.code(), "sse.event_too_large");
        assert_eq!(p.line.capacity(), 0);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        let items = parse(
            b"event: \xFFx\nid: \xC3\ndata: a\xE2\x82\ndata: \xF0\x9F\x98\x80\xC0\xAF\n\n: \xFE\n",
        )
        .unwrap();
        assert_eq!(
            items,
            [
                event(
                    "\u{FFFD}x",
                    "a\u{FFFD}\n\u{1F600}\u{FFFD}\u{FFFD}",
                    "\u{FFFD}",
                    None
                ),
                SseItem::Comment(" \u{FFFD}".into()),
            ]
        );
    }

    #[test]
    fn finish_discards_and_keeps_what_a_reconnect_needs() {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.feed(
            b"id: 1\nretry: 2500\ndata: a\n\nid: 2\ndata: half",
            &mut out,
        )
        .unwrap();
        assert_eq!(p.last_event_id(), "1");
        assert!(p.finish(), "a drop mid-event discards it");
        assert!(!p.finish(), "nothing left");
        assert_eq!(p.last_event_id(), "1");
        assert_eq!(p.retry(), Some(2500));
        // The next connection starts a new stream: a BOM is skipped again, the id is inherited.
        p.feed(b"\xEF\xBB\xBFdata: b\n\n", &mut out).unwrap();
        assert_eq!(
            out,
            [
                event("message", "a", "1", Some(2500)),
                event("message", "b", "1", None)
            ]
        );
        assert!(!p.finish());
    }

    #[test]
    fn set_last_event_id_seeds_the_events() {
        let mut p = SseParser::new();
        p.set_last_event_id("41");
        let mut out = Vec::new();
        p.feed(b"data: x\n\n", &mut out).unwrap();
        assert_eq!(out, [event("message", "x", "41", None)]);
    }

    #[test]
    fn error_code_is_stable() {
        assert_eq!(
            SseError::EventTooLarge { size: 2, max: 1 }.code(),
            "sse.event_too_large"
        );
    }

    /// A large generated stream fed in 16 KiB chunks. Run with
    /// `cargo test --release -p sockpit-core sse_parser_throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn sse_parser_throughput() {
        use std::time::Instant;
        let mut small = Vec::new();
        for n in 0..1_000_000u32 {
            small.extend_from_slice(
                format!("id: {n}\nevent: tick\ndata: {{\"n\":{n},\"price\":101.25,\"sym\":\"ABC\"}}\n\n")
                    .as_bytes(),
            );
            if n % 100 == 0 {
                small.extend_from_slice(b": keepalive\n");
            }
        }
        let mut large = Vec::new();
        let line = format!("data: {}\r\n", "y".repeat(200));
        for n in 0..50_000u32 {
            large.extend_from_slice(format!("id: {n}\r\n").as_bytes());
            for _ in 0..20 {
                large.extend_from_slice(line.as_bytes());
            }
            large.extend_from_slice(b"\r\n");
        }
        for (name, stream) in [("small events, LF", &small), ("4 KiB events, CRLF", &large)] {
            let mut best = f64::MAX;
            let mut events = 0;
            for _ in 0..5 {
                let mut p = SseParser::new();
                let mut out = Vec::with_capacity(1024);
                events = 0;
                let start = Instant::now();
                for chunk in stream.chunks(16 * 1024) {
                    p.feed(chunk, &mut out).unwrap();
                    events += out
                        .iter()
                        .filter(|i| matches!(i, SseItem::Event(_)))
                        .count();
                    out.clear();
                }
                p.finish();
                best = best.min(start.elapsed().as_secs_f64());
            }
            println!(
                "sse_parser_throughput [{name}]: {:.1} MB in {:.1} ms: {:.0} MB/s, {:.0} events/s ({events} events)",
                stream.len() as f64 / 1e6,
                best * 1e3,
                stream.len() as f64 / 1e6 / best,
                events as f64 / best,
            );
        }
    }
}
