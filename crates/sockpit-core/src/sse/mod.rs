//! The SSE engine: a WHATWG-conformant `text/event-stream` parser and a reconnecting client.
//!
//! The client ([`SseHandle::spawn`] with an [`SseConfig`]) runs one task per subscription over
//! reqwest, like the WebSocket sessions: commands in, batches of [`SseSessionEvent`]s out; see
//! [`session`] for the reconnect rules (`Last-Event-ID`, `retry`, backoff, 204).
//!
//! [`SseParser`] implements the "event stream interpretation" of the HTML standard's
//! server-sent events section, fed byte chunks exactly as they come off the socket:
//!
//! - lines end with LF, CR or CRLF, also when the CR and the LF arrive in different chunks (a CR
//!   at a chunk end ends its line at once; an LF first in the next chunk is then not a new line);
//! - one UTF-8 BOM is skipped at the start of a stream, nowhere else;
//! - a line starting with `:` is a comment, yielded as [`SseItem::Comment`] so a log can show it;
//! - `name: value` sets a field (one space after the colon is removed), a line without a colon is
//!   a field with an empty value; `event`, `data`, `id` and `retry` are known, others ignored;
//! - `data` lines are joined with LF; `id` is ignored when it contains NUL and an empty `id`
//!   resets the last event ID; `retry` counts only when it is all ASCII digits;
//! - a blank line dispatches the event ([`SseItem::Event`], type `message` unless `event` said
//!   otherwise); with no `data` nothing is dispatched but the event type is reset;
//! - an unfinished event at the end of the stream is discarded ([`SseParser::finish`]);
//! - invalid UTF-8 becomes U+FFFD; it is never an error.
//!
//! The one error is a line plus pending data longer than the max event size
//! ([`SseError::EventTooLarge`], 16 MiB by default), so an endless line cannot take all memory.
//!
//! ```
//! use sockpit_core::sse::{SseItem, SseParser};
//!
//! let mut parser = SseParser::new();
//! let mut items = Vec::new();
//! parser.feed(b"id: 7\r\nevent: tick\r\ndata: {\"n\":1}\r", &mut items).unwrap();
//! parser.feed(b"\n\r\n: ping\n", &mut items).unwrap();
//! let SseItem::Event(event) = &items[0] else { panic!() };
//! assert_eq!((event.event_type.as_str(), event.data.as_str(), event.id.as_str()), ("tick", "{\"n\":1}", "7"));
//! assert_eq!(items[1], SseItem::Comment(" ping".into()));
//! assert_eq!(parser.last_event_id(), "7"); // send as Last-Event-ID on reconnect
//! parser.finish(); // the connection ended
//! ```

pub mod client;
pub mod compare;
pub mod compare_run;
pub mod error;
pub mod parser;
pub mod session;

#[cfg(test)]
mod vectors;

pub use client::{OpenInfo, SseConfig};
pub use compare::{CompareItem, CompareSummary, KeyRule, Side};
pub use compare_run::{CompareConfig, CompareEvent, CompareHandle};
pub use error::SseClientError;
pub use parser::{parse, SseError, SseEvent, SseItem, SseParser, DEFAULT_MAX_EVENT_SIZE};
pub use session::{SseCommand, SseControl, SseEndReason, SseHandle, SseSessionEvent};
