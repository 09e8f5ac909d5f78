//! The feed routes: `/sse` (Server-Sent Events, with knobs for line endings, chunking, drops,
//! resume and 204) and `/feed` (the same items as JSON text messages over WebSocket).
//!
//! Item `i` (1-based) of the feed has id `i`, type `tick` (every third one is unnamed, i.e.
//! `message`) and data `{"n":i}`; every fifth item's data spans two lines (`{"n":i,` LF
//! `"lines":2}`, still JSON). A `: keepalive` comment precedes every fourth item, and the first
//! item of each connection carries `retry`.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocketUpgrade};
use axum::extract::Query;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

type Params = Query<HashMap<String, String>>;

fn param<T: std::str::FromStr>(q: &HashMap<String, String>, name: &str, default: T) -> T {
    q.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn flag(q: &HashMap<String, String>, name: &str) -> bool {
    matches!(q.get(name).map(String::as_str), Some("1" | "true" | "yes"))
}

/// One item of the feed, as both routes send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub id: u64,
    /// `None`: an unnamed event (type `message`).
    pub event_type: Option<&'static str>,
    pub data: String,
}

/// Item `i` (1-based) of the feed.
pub fn feed_item(i: u64) -> FeedItem {
    FeedItem {
        id: i,
        event_type: (i % 3 != 0).then_some("tick"),
        data: if i % 5 == 0 {
            format!("{{\"n\":{i},\n\"lines\":2}}")
        } else {
            format!("{{\"n\":{i}}}")
        },
    }
}

/// The feed's parameters, shared by both routes.
struct Feed {
    /// Items in the whole feed; 0 is endless.
    n: u64,
    interval: Duration,
    /// The first item to send on this connection.
    start: u64,
}

impl Feed {
    fn from_query(q: &HashMap<String, String>, resume_from: Option<u64>) -> Feed {
        Feed {
            n: param(q, "n", 10),
            interval: Duration::from_millis(param(q, "interval", 100)),
            start: resume_from.map_or(1, |id| id.saturating_add(1)),
        }
    }

    fn is_over(&self) -> bool {
        self.n != 0 && self.start > self.n
    }

    fn includes(&self, i: u64) -> bool {
        self.n == 0 || i <= self.n
    }
}

/// Writes one event's lines with the chosen line ending.
fn encode_event(out: &mut Vec<u8>, item: &FeedItem, eol: &[u8], retry: Option<u64>) {
    let mut line = |s: &str| {
        out.extend_from_slice(s.as_bytes());
        out.extend_from_slice(eol);
    };
    if item.id % 4 == 0 {
        line(": keepalive");
    }
    line(&format!("id: {}", item.id));
    if let Some(t) = item.event_type {
        line(&format!("event: {t}"));
    }
    if let Some(ms) = retry {
        line(&format!("retry: {ms}"));
    }
    for data in item.data.split('\n') {
        line(&format!("data: {data}"));
    }
    out.extend_from_slice(eol);
}

/// The state of one `/sse` response body.
struct SseBody {
    feed: Feed,
    next: u64,
    eol: &'static [u8],
    retry: Option<u64>,
    chunk: usize,
    chunk_delay: Duration,
    drop_after: Option<u64>,
    sent: u64,
    /// Pieces ready to go out (a chunked write, or the preamble).
    pending: VecDeque<Bytes>,
    /// The partial event before a drop went out: fail the body now.
    dropping: bool,
    first: bool,
}

impl SseBody {
    /// Produces the next piece of the body; `None` at its end.
    async fn next_piece(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        if let Some(piece) = self.pending.pop_front() {
            if !self.chunk_delay.is_zero() && !self.first {
                tokio::time::sleep(self.chunk_delay).await;
            }
            self.first = false;
            return Some(Ok(piece));
        }
        if self.dropping {
            // Let the partial event reach the client, then cut the connection mid-event.
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Some(Err(std::io::Error::other(
                "drop_after: connection cut mid-event",
            )));
        }
        if !self.feed.includes(self.next) {
            return None;
        }
        if self.sent > 0 && !self.feed.interval.is_zero() {
            tokio::time::sleep(self.feed.interval).await;
        }
        let mut out = Vec::with_capacity(256);
        // At full speed, pack events into larger writes.
        let pack = self.feed.interval.is_zero() && self.chunk == 0;
        loop {
            if self.drop_after.is_some_and(|k| self.sent >= k) {
                let eol = std::str::from_utf8(self.eol).unwrap_or("\n");
                out.extend_from_slice(format!("id: {}{eol}data: partial", self.next).as_bytes());
                self.dropping = true;
                break;
            }
            let retry = if self.sent == 0 { self.retry } else { None };
            encode_event(&mut out, &feed_item(self.next), self.eol, retry);
            self.next += 1;
            self.sent += 1;
            if !pack || out.len() >= 16 * 1024 || !self.feed.includes(self.next) {
                break;
            }
        }
        let out = Bytes::from(out);
        if self.chunk > 0 {
            let mut at = 0;
            while at < out.len() {
                let end = (at + self.chunk).min(out.len());
                self.pending.push_back(out.slice(at..end));
                at = end;
            }
            return Box::pin(self.next_piece()).await;
        }
        self.first = false;
        Some(Ok(out))
    }
}

/// `/sse`: the feed as an event stream. Any method; `Last-Event-ID` resumes after that id.
pub(crate) async fn sse(
    method: Method,
    headers: HeaderMap,
    Query(q): Params,
    body: Bytes,
) -> Response {
    let last_event_id = headers
        .get("last-event-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let resume_from = last_event_id.as_deref().and_then(|v| v.trim().parse().ok());
    let feed = Feed::from_query(&q, resume_from);
    if flag(&q, "done") && last_event_id.is_some() && feed.is_over() {
        return StatusCode::NO_CONTENT.into_response();
    }
    let eol: &'static [u8] = match q.get("eol").map(String::as_str) {
        Some("crlf") => b"\r\n",
        Some("cr") => b"\r",
        _ => b"\n",
    };
    let mut pending = VecDeque::new();
    let mut preamble = Vec::new();
    if flag(&q, "bom") {
        preamble.extend_from_slice(b"\xEF\xBB\xBF");
    }
    preamble.extend_from_slice(b": sockpit mock feed");
    preamble.extend_from_slice(eol);
    if flag(&q, "echo") {
        let seen: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_string(), serde_json::Value::String(v))
            })
            .collect();
        let request = serde_json::json!({
            "method": method.as_str(),
            "body": String::from_utf8_lossy(&body),
            "last_event_id": last_event_id,
            "headers": seen,
        });
        preamble.extend_from_slice(b"event: request");
        preamble.extend_from_slice(eol);
        preamble.extend_from_slice(format!("data: {request}").as_bytes());
        preamble.extend_from_slice(eol);
        preamble.extend_from_slice(eol);
    }
    pending.push_back(Bytes::from(preamble));
    let state = SseBody {
        next: feed.start,
        feed,
        eol,
        retry: Some(param(&q, "retry", 1000)),
        chunk: param(&q, "chunk", 0),
        chunk_delay: Duration::from_millis(param(&q, "chunk_delay", 0)),
        drop_after: q.get("drop_after").and_then(|v| v.parse().ok()),
        sent: 0,
        pending,
        dropping: false,
        first: true,
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        st.next_piece().await.map(|piece| (piece, st))
    });
    (
        [
            ("content-type", "text/event-stream"),
            ("cache-control", "no-cache"),
            ("x-accel-buffering", "no"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `/feed`: the same items as JSON text messages over WebSocket, then a close with 1000.
pub(crate) async fn feed(ws: WebSocketUpgrade, Query(q): Params) -> Response {
    let resume_from = q.get("last_event_id").and_then(|v| v.parse().ok());
    let feed = Feed::from_query(&q, resume_from);
    ws.on_upgrade(move |mut socket| async move {
        let mut i = feed.start;
        while feed.includes(i) {
            if i != feed.start && !feed.interval.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(feed.interval) => {}
                    incoming = socket.recv() => match incoming {
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                        Some(Ok(_)) => continue,
                    },
                }
            }
            let item = feed_item(i);
            let text = serde_json::json!({
                "id": item.id.to_string(),
                "type": item.event_type.unwrap_or("message"),
                "data": item.data,
            })
            .to_string();
            if socket
                .send(Message::Text(Utf8Bytes::from(text)))
                .await
                .is_err()
            {
                return;
            }
            i += 1;
        }
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: Utf8Bytes::from_static("feed done"),
            })))
            .await;
        while let Some(Ok(_)) = socket.recv().await {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_have_ids_types_and_multiline_data() {
        assert_eq!(feed_item(1).event_type, Some("tick"));
        assert_eq!(feed_item(3).event_type, None);
        assert_eq!(feed_item(5).data, "{\"n\":5,\n\"lines\":2}");
        let mut out = Vec::new();
        encode_event(&mut out, &feed_item(4), b"\r\n", Some(250));
        assert_eq!(
            out,
            b": keepalive\r\nid: 4\r\nevent: tick\r\nretry: 250\r\ndata: {\"n\":4}\r\n\r\n"
        );
    }
}
