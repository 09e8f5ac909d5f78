//! Test vectors for the SSE parser, written from the WHATWG spec, each checked at every chunk split.
//!
//! The groups follow those of LaunchDarkly's sse-contract-tests (parsing, BOM, comments, line
//! endings, multi-line data, ids, retry, fields without a colon, end of stream), but the vectors
//! are our own. Every stream is fed whole, split in two at every byte offset, split in three at
//! every pair of offsets (short streams), and byte by byte; all must give the expected outcome.

use super::parser::{SseEvent, SseItem, SseParser};

/// An expected item.
#[derive(Clone, Copy)]
enum Want {
    Event {
        event_type: &'static str,
        data: &'static str,
        id: &'static str,
        retry: Option<u64>,
    },
    Comment(&'static str),
}

const fn msg(data: &'static str) -> Want {
    ev("message", data)
}

const fn ev(event_type: &'static str, data: &'static str) -> Want {
    Want::Event {
        event_type,
        data,
        id: "",
        retry: None,
    }
}

const fn comment(text: &'static str) -> Want {
    Want::Comment(text)
}

impl Want {
    const fn id(self, id: &'static str) -> Want {
        match self {
            Want::Event {
                event_type,
                data,
                retry,
                ..
            } => Want::Event {
                event_type,
                data,
                id,
                retry,
            },
            Want::Comment(_) => panic!("a comment has no id"),
        }
    }

    const fn retry(self, ms: u64) -> Want {
        match self {
            Want::Event {
                event_type,
                data,
                id,
                ..
            } => Want::Event {
                event_type,
                data,
                id,
                retry: Some(ms),
            },
            Want::Comment(_) => panic!("a comment has no retry"),
        }
    }

    fn item(self) -> SseItem {
        match self {
            Want::Event {
                event_type,
                data,
                id,
                retry,
            } => SseItem::Event(SseEvent {
                event_type: event_type.into(),
                data: data.into(),
                id: id.into(),
                retry,
            }),
            Want::Comment(text) => SseItem::Comment(text.into()),
        }
    }
}

/// One stream and what parsing it must give.
struct Vector {
    group: &'static str,
    name: &'static str,
    stream: &'static [u8],
    items: &'static [Want],
    /// `last_event_id()` after the stream.
    last_id: &'static str,
    /// `retry()` after the stream.
    retry: Option<u64>,
    /// What `finish()` returns: the stream ended inside an event.
    discarded: bool,
}

const fn v(
    group: &'static str,
    name: &'static str,
    stream: &'static [u8],
    items: &'static [Want],
) -> Vector {
    Vector {
        group,
        name,
        stream,
        items,
        last_id: "",
        retry: None,
        discarded: false,
    }
}

impl Vector {
    const fn last_id(mut self, id: &'static str) -> Vector {
        self.last_id = id;
        self
    }
    const fn retry(mut self, ms: u64) -> Vector {
        self.retry = Some(ms);
        self
    }
    const fn discards(mut self) -> Vector {
        self.discarded = true;
        self
    }
}

#[rustfmt::skip]
const VECTORS: &[Vector] = &[
    // Basic parsing.
    v("parsing", "one data line", b"data: hello\n\n", &[msg("hello")]),
    v("parsing", "no space after the colon", b"data:hello\n\n", &[msg("hello")]),
    v("parsing", "only one leading space is removed", b"data:  two\n\n", &[msg(" two")]),
    v("parsing", "trailing spaces are kept", b"data: x  \n\n", &[msg("x  ")]),
    v("parsing", "a tab after the colon is kept", b"data:\tx\n\n", &[msg("\tx")]),
    v("parsing", "colons in the value are kept", b"data: a:b\ndata::c\n\n", &[msg("a:b\n:c")]),
    v("parsing", "JSON data", b"data: {\"a\": [1, 2], \"b\": \"c: d\"}\n\n", &[msg("{\"a\": [1, 2], \"b\": \"c: d\"}")]),
    v("parsing", "two events", b"data: one\n\ndata: two\n\n", &[msg("one"), msg("two")]),
    v("parsing", "blank lines before the first event", b"\n\n\ndata: x\n\n", &[msg("x")]),
    v("parsing", "extra blank lines dispatch once", b"data: x\n\n\n\n", &[msg("x")]),
    v("parsing", "NUL in data is kept", b"data: a\0b\n\n", &[msg("a\0b")]),
    v("parsing", "UTF-8 data", "data: héllo ✓ 😀\n\n".as_bytes(), &[msg("héllo ✓ 😀")]),
    v("parsing", "a long line", concat!("data: ", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "\n\n").as_bytes(),
        &[msg("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]),
    // Multi-line data.
    v("data", "three data lines", b"data: a\ndata: b\ndata: c\n\n", &[msg("a\nb\nc")]),
    v("data", "a data field without a colon is empty data", b"data\n\n", &[msg("")]),
    v("data", "an empty data value", b"data:\n\n", &[msg("")]),
    v("data", "two empty data lines are one LF", b"data:\ndata\n\n", &[msg("\n")]),
    v("data", "empty lines around data are kept", b"data:\ndata: x\ndata:\n\n", &[msg("\nx\n")]),
    v("data", "only the last LF is removed", b"data: a\ndata:\ndata:\n\n", &[msg("a\n\n")]),
    v("data", "a comment inside an event does not split it", b"data: a\n: note\ndata: b\n\n", &[comment(" note"), msg("a\nb")]),
    v("data", "unknown fields inside an event do not split it", b"data: a\nfoo: bar\ndata: b\n\n", &[msg("a\nb")]),
    // Event type.
    v("event", "a named event", b"event: add\ndata: 1\n\n", &[ev("add", "1")]),
    v("event", "the type resets after dispatch", b"event: add\ndata: 1\n\ndata: 2\n\n", &[ev("add", "1"), msg("2")]),
    v("event", "an empty type is message", b"event:\ndata: x\n\n", &[msg("x")]),
    v("event", "an event field without a colon is message", b"event\ndata: x\n\n", &[msg("x")]),
    v("event", "the type may follow the data", b"data: x\nevent: late\n\n", &[ev("late", "x")]),
    v("event", "the last event field wins", b"event: a\nevent: b\ndata: x\n\n", &[ev("b", "x")]),
    v("event", "a type without data is dropped and reset", b"event: a\n\ndata: x\n\n", &[msg("x")]),
    v("event", "the type keeps its spaces", b"event:  two words \ndata: x\n\n", &[ev(" two words ", "x")]),
    v("event", "a type named message", b"event: message\ndata: x\n\n", &[msg("x")]),
    // Id.
    v("id", "an id", b"id: 1\ndata: x\n\n", &[msg("x").id("1")]).last_id("1"),
    v("id", "the id may follow the data", b"data: x\nid: 2\n\n", &[msg("x").id("2")]).last_id("2"),
    v("id", "the id is inherited by later events", b"id: 1\ndata: a\n\ndata: b\n\n", &[msg("a").id("1"), msg("b").id("1")]).last_id("1"),
    v("id", "a new id replaces it", b"id: 1\ndata: a\n\nid: 2\ndata: b\n\n", &[msg("a").id("1"), msg("b").id("2")]).last_id("2"),
    v("id", "an empty id resets it", b"id: 1\ndata: a\n\nid\ndata: b\n\n", &[msg("a").id("1"), msg("b")]),
    v("id", "an empty id value resets it", b"id: 1\ndata: a\n\nid:\ndata: b\n\n", &[msg("a").id("1"), msg("b")]),
    v("id", "an id with NUL is ignored", b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", &[msg("a").id("1"), msg("b").id("1")]).last_id("1"),
    v("id", "an id that is only NUL is ignored", b"id: 1\n\nid: \0\ndata: b\n\n", &[msg("b").id("1")]).last_id("1"),
    v("id", "an id without data is still committed", b"id: 7\n\n", &[]).last_id("7"),
    v("id", "an id without data is inherited", b"id: 7\n\ndata: x\n\n", &[msg("x").id("7")]).last_id("7"),
    v("id", "the last id field wins", b"id: a\nid: b\ndata: x\n\n", &[msg("x").id("b")]).last_id("b"),
    v("id", "the id keeps its spaces and colons", b"id:  a:b \ndata: x\n\n", &[msg("x").id(" a:b ")]).last_id(" a:b "),
    v("id", "an id in an unfinished event is not committed", b"id: 1\ndata: a\n\nid: 9\ndata: b\n", &[msg("a").id("1")]).last_id("1").discards(),
    v("id", "an unfinished id alone is not committed", b"data: a\n\nid: 9\n", &[msg("a")]).discards(),
    // Retry.
    v("retry", "a retry", b"retry: 3000\ndata: x\n\n", &[msg("x").retry(3000)]).retry(3000),
    v("retry", "retry without a space", b"retry:10\ndata: x\n\n", &[msg("x").retry(10)]).retry(10),
    v("retry", "retry zero", b"retry: 0\ndata: x\n\n", &[msg("x").retry(0)]).retry(0),
    v("retry", "leading zeros", b"retry: 007\ndata: x\n\n", &[msg("x").retry(7)]).retry(7),
    v("retry", "retry without data sets the time", b"retry: 500\n\n", &[]).retry(500),
    v("retry", "retry belongs to its own event only", b"retry: 5\ndata: a\n\ndata: b\n\n", &[msg("a").retry(5), msg("b")]).retry(5),
    v("retry", "the latest retry wins", b"retry: 5\ndata: a\n\nretry: 6\ndata: b\n\n", &[msg("a").retry(5), msg("b").retry(6)]).retry(6),
    v("retry", "a letter makes it invalid", b"retry: 30a\ndata: x\n\n", &[msg("x")]),
    v("retry", "a sign makes it invalid", b"retry: -1\ndata: x\n\nretry: +1\n\n", &[msg("x")]),
    v("retry", "a fraction is invalid", b"retry: 1.5\ndata: x\n\n", &[msg("x")]),
    v("retry", "a second space is invalid", b"retry:  100\ndata: x\n\n", &[msg("x")]),
    v("retry", "a trailing space is invalid", b"retry: 100 \ndata: x\n\n", &[msg("x")]),
    v("retry", "an empty retry is ignored", b"retry\nretry:\ndata: x\n\n", &[msg("x")]),
    v("retry", "an invalid retry keeps the earlier one", b"retry: 100\n\nretry: x\ndata: y\n\n", &[msg("y")]).retry(100),
    v("retry", "non-ASCII digits are invalid", "retry: ١٢\ndata: x\n\n".as_bytes(), &[msg("x")]),
    v("retry", "a huge retry saturates", b"retry: 99999999999999999999999999\ndata: x\n\n", &[msg("x").retry(u64::MAX)]).retry(u64::MAX),
    v("retry", "retry in an unfinished event applies at once", b"retry: 42\ndata: x\n", &[]).retry(42).discards(),
    // Fields.
    v("fields", "unknown fields are ignored", b"foo: bar\ndata: x\nbaz\n\n", &[msg("x")]),
    v("fields", "field names are case-sensitive", b"Data: x\nDATA: y\nEvent: e\n\n", &[]),
    v("fields", "a space before the colon is part of the name", b"data : x\n\n", &[]),
    v("fields", "a leading space is part of the name", b" data: x\n\n", &[]),
    v("fields", "only unknown fields dispatch nothing", b"foo\n\nbar: 1\n\n", &[]),
    v("fields", "field lines without a colon", b"event\nid\nretry\ndata\n\n", &[msg("")]),
    // Comments.
    v("comments", "a comment", b": hello\n", &[comment(" hello")]),
    v("comments", "an empty comment", b":\n", &[comment("")]),
    v("comments", "a comment keeps colons", b":a: b\n", &[comment("a: b")]),
    v("comments", "comments then an event", b": one\n:two\ndata: x\n\n", &[comment(" one"), comment("two"), msg("x")]),
    v("comments", "comments alone dispatch nothing", b": ping\n\n: ping\n\n", &[comment(" ping"), comment(" ping")]),
    v("comments", "a comment with CRLF", b": keep-alive\r\n\r\n", &[comment(" keep-alive")]),
    // Line endings.
    v("line endings", "CR", b"data: a\rdata: b\r\r", &[msg("a\nb")]),
    v("line endings", "CRLF", b"data: a\r\ndata: b\r\n\r\n", &[msg("a\nb")]),
    v("line endings", "mixed", b"data: a\r\ndata: b\rdata: c\n\r\n", &[msg("a\nb\nc")]),
    v("line endings", "LF CR is two line ends", b"data: a\n\rdata: b\n\n", &[msg("a"), msg("b")]),
    v("line endings", "CR CR LF is two line ends", b"data: a\r\r\ndata: b\r\n\r\n", &[msg("a"), msg("b")]),
    v("line endings", "CR CR", b"data: a\r\rdata: b\r\r", &[msg("a"), msg("b")]),
    v("line endings", "CRLF CRLF events", b"event: e\r\nid: 1\r\ndata: a\r\n\r\ndata: b\r\n\r\n", &[ev("e", "a").id("1"), msg("b").id("1")]).last_id("1"),
    v("line endings", "CR events with comments", b": c\rid: 2\rdata: x\r\r", &[comment(" c"), msg("x").id("2")]).last_id("2"),
    v("line endings", "blank lines of every kind", b"\r\n\r\n\rdata: x\n\r\n", &[msg("x")]),
    v("line endings", "a lone CR inside a line ends it", b"data: a\rb\n\n", &[msg("a")]),
    // BOM.
    v("bom", "a leading BOM is skipped", b"\xEF\xBB\xBFdata: x\n\n", &[msg("x")]),
    v("bom", "a BOM before a comment", b"\xEF\xBB\xBF: c\n", &[comment(" c")]),
    v("bom", "a BOM before a blank line", b"\xEF\xBB\xBF\ndata: x\n\n", &[msg("x")]),
    v("bom", "only one BOM is skipped", b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n", &[msg("y")]),
    v("bom", "a BOM after the start is not skipped", b"data: a\n\n\xEF\xBB\xBFdata: b\n\n", &[msg("a")]),
    v("bom", "a BOM inside data is kept", b"data: \xEF\xBB\xBFx\n\n", &[msg("\u{FEFF}x")]),
    v("bom", "half a BOM is part of the line", b"\xEF\xBBdata: x\n\ndata: y\n\n", &[msg("y")]),
    v("bom", "half a BOM then a line end", b"\xEF\n\ndata: y\n\n", &[msg("y")]),
    v("bom", "a BOM alone", b"\xEF\xBB\xBF", &[]),
    v("bom", "an unfinished BOM", b"\xEF\xBB", &[]).discards(),
    // End of stream.
    v("end of stream", "an event without its blank line is dropped", b"data: x\n", &[]).discards(),
    v("end of stream", "an unterminated line is dropped", b"data: x", &[]).discards(),
    v("end of stream", "only the finished events", b"data: a\n\ndata: b\n", &[msg("a")]).discards(),
    v("end of stream", "an unterminated comment is dropped", b"data: a\n\n: c", &[msg("a")]).discards(),
    v("end of stream", "an unfinished type alone", b"event: e\n", &[]).discards(),
    v("end of stream", "a trailing CR ends the line", b"data: a\r\r", &[msg("a")]),
    v("end of stream", "an empty stream", b"", &[]),
    // Invalid UTF-8 (replacement, never an error).
    v("utf-8", "an invalid byte in data", b"data: a\xFFb\n\n", &[msg("a\u{FFFD}b")]),
    v("utf-8", "a truncated sequence before LF", b"data: \xE2\x82\ndata: x\n\n", &[msg("\u{FFFD}\nx")]),
    v("utf-8", "a truncated sequence before CR", b"data: \xF0\x9F\x98\rdata: x\r\r", &[msg("\u{FFFD}\nx")]),
    v("utf-8", "an overlong encoding", b"data: \xC0\xAF\n\n", &[msg("\u{FFFD}\u{FFFD}")]),
    v("utf-8", "a surrogate", b"data: \xED\xA0\x80\n\n", &[msg("\u{FFFD}\u{FFFD}\u{FFFD}")]),
    v("utf-8", "invalid bytes in type, id and comment", b": \xFF\nevent: \xFE\nid: \x80\ndata: x\n\n", &[comment(" \u{FFFD}"), ev("\u{FFFD}", "x").id("\u{FFFD}")]).last_id("\u{FFFD}"),
    v("utf-8", "a split four-byte character", "data: 😀😀\n\n".as_bytes(), &[msg("😀😀")]),
    // A realistic feed.
    v("feed", "ids, types, retry and keep-alives", b"retry: 2000\n\n: welcome\nid: 1\nevent: tick\ndata: {\"n\":1}\n\n: ping\nid: 2\ndata: {\"n\":2}\n\nevent: done\ndata\n\n",
        &[comment(" welcome"), ev("tick", "{\"n\":1}").id("1"), comment(" ping"), msg("{\"n\":2}").id("2"), ev("done", "").id("2")]).last_id("2").retry(2000),
];

/// What parsing a stream gave.
#[derive(Debug, PartialEq)]
struct Outcome {
    items: Vec<SseItem>,
    last_id: String,
    retry: Option<u64>,
    discarded: bool,
}

fn run<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut parser = SseParser::new();
    let mut items = Vec::new();
    for chunk in chunks {
        parser
            .feed(chunk, &mut items)
            .expect("no vector exceeds the limit");
    }
    let discarded = parser.finish();
    Outcome {
        items,
        last_id: parser.last_event_id().to_owned(),
        retry: parser.retry(),
        discarded,
    }
}

fn expected(vector: &Vector) -> Outcome {
    Outcome {
        items: vector.items.iter().map(|w| w.item()).collect(),
        last_id: vector.last_id.to_owned(),
        retry: vector.retry,
        discarded: vector.discarded,
    }
}

#[test]
fn vectors_parse_whole_as_expected() {
    for vector in VECTORS {
        assert_eq!(
            run([vector.stream]),
            expected(vector),
            "[{}] {}",
            vector.group,
            vector.name
        );
    }
}

#[test]
fn vectors_give_the_same_at_every_split_in_two() {
    for vector in VECTORS {
        let want = expected(vector);
        let s = vector.stream;
        for at in 0..=s.len() {
            let got = run([&s[..at], &s[at..]]);
            assert_eq!(
                got, want,
                "[{}] {}: split at {at}",
                vector.group, vector.name
            );
        }
    }
}

#[test]
fn vectors_give_the_same_byte_by_byte() {
    for vector in VECTORS {
        let got = run(vector.stream.chunks(1));
        assert_eq!(
            got,
            expected(vector),
            "[{}] {}: byte by byte",
            vector.group,
            vector.name
        );
    }
}

#[test]
fn vectors_give_the_same_at_every_split_in_three() {
    for vector in VECTORS.iter().filter(|v| v.stream.len() <= 160) {
        let want = expected(vector);
        let s = vector.stream;
        for a in 0..=s.len() {
            for b in a..=s.len() {
                let got = run([&s[..a], &s[a..b], &s[b..]]);
                assert_eq!(
                    got, want,
                    "[{}] {}: split at {a}, {b}",
                    vector.group, vector.name
                );
            }
        }
    }
}

#[test]
fn vectors_give_the_same_with_empty_chunks_between_bytes() {
    for vector in VECTORS {
        let chunks = vector.stream.chunks(1).flat_map(|byte| [byte, &[][..]]);
        let got = run(chunks);
        assert_eq!(
            got,
            expected(vector),
            "[{}] {}: with empty chunks",
            vector.group,
            vector.name
        );
    }
}

#[test]
fn vector_set_covers_every_group_with_unique_names() {
    let mut names: Vec<_> = VECTORS.iter().map(|v| (v.group, v.name)).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), VECTORS.len(), "duplicate vector names");
    for group in [
        "parsing",
        "data",
        "event",
        "id",
        "retry",
        "fields",
        "comments",
        "line endings",
        "bom",
        "end of stream",
        "utf-8",
        "feed",
    ] {
        assert!(
            VECTORS.iter().any(|v| v.group == group),
            "no vector in group {group}"
        );
    }
    assert!(VECTORS.len() >= 100, "{} vectors", VECTORS.len());
}
