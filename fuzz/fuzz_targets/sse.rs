//! Fuzz target: the SSE parser (`sse::parser`). Property: the same events, comments, last event
//! ID, retry and error for any chunking of the same bytes, and for one-byte chunks.
//!
//! Input: `[max][n][n chunk lengths][stream]`; `max` 0 is the default event size bound, else a
//! small one (to reach `sse.event_too_large`); the chunk lengths repeat over the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::sse::parser::{SseItem, SseParser};

type Outcome = (
    Vec<SseItem>,
    Option<&'static str>,
    bool,
    String,
    Option<u64>,
);

fn run<'a>(max: u8, chunks: impl Iterator<Item = &'a [u8]>) -> Outcome {
    let mut p = SseParser::new();
    if max > 0 {
        p = p.with_max_event_size(usize::from(max));
    }
    let mut out = Vec::new();
    let mut error = None;
    for chunk in chunks {
        if let Err(e) = p.feed(chunk, &mut out) {
            error = Some(e.code());
            break;
        }
    }
    let discarded = error.is_some() || p.finish();
    (
        out,
        error,
        discarded,
        p.last_event_id().to_string(),
        p.retry(),
    )
}

fn chunked<'a>(stream: &'a [u8], cuts: &[u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = stream;
    for &c in cuts.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        if c == 0 {
            // An empty chunk is fed as well; the stream still moves on by one byte.
            chunks.push(&rest[..0]);
        }
        let n = usize::from(c).max(1).min(rest.len());
        chunks.push(&rest[..n]);
        rest = &rest[n..];
    }
    chunks.push(rest);
    chunks
}

fuzz_target!(|data: &[u8]| {
    let [max, n, rest @ ..] = data else {
        return;
    };
    let (cuts, stream) = rest.split_at(usize::from(*n).min(rest.len()));
    let whole = run(*max, std::iter::once(stream));
    let cut = run(*max, chunked(stream, cuts).into_iter());
    assert_eq!(whole, cut, "chunks {cuts:?}");
    let bytes = run(*max, stream.chunks(1));
    assert_eq!(whole, bytes, "one-byte chunks");
});
