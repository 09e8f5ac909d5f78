//! The `/proto` route: a feed of binary protobuf `sockpit.demo.Envelope` messages from the demo
//! schema shipped in `collections/protos/sockpit_demo.proto`, which also echoes back whatever it
//! is sent (text or binary, unchanged).
//!
//! Item `i` (1-based) has `seq = i`, the current time in `sentAt`, a `feed` header, a `demo` tag,
//! a `source`, and a body that cycles trade, quote, chat, heartbeat.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::Query;
use axum::response::Response;
use bytes::Bytes;
use sockpit_core::proto::{self, Framing, MessageDescriptor, Schema};

/// The demo schema's source, as shipped in `collections/protos/`.
pub const DEMO_PROTO: &str = include_str!("../../../collections/protos/sockpit_demo.proto");

/// The type every `/proto` message has.
pub const DEMO_TYPE: &str = "sockpit.demo.Envelope";

fn envelope() -> Option<&'static MessageDescriptor> {
    static DESC: OnceLock<Option<MessageDescriptor>> = OnceLock::new();
    DESC.get_or_init(|| {
        Schema::from_sources(&[("sockpit_demo.proto", DEMO_PROTO)])
            .and_then(|s| s.message(DEMO_TYPE))
            .ok()
    })
    .as_ref()
}

/// Item `i` of the feed as canonical JSON (`sent_at_secs` fills `sentAt`).
pub fn demo_json(i: u64, sent_at_secs: u64) -> serde_json::Value {
    let body = match i % 4 {
        1 => (
            "trade",
            serde_json::json!({
                "symbol": "ACME", "side": if i % 8 == 1 { "BUY" } else { "SELL" },
                "price": 100.0 + (i % 50) as f64 / 4.0, "quantity": (i * 10).to_string()
            }),
        ),
        2 => (
            "quote",
            serde_json::json!({"symbol": "ACME", "bid": 99.5, "ask": 100.5}),
        ),
        3 => (
            "chat",
            serde_json::json!({"user": "ann", "text": format!("message {i}"), "mentions": ["bob"]}),
        ),
        _ => ("heartbeat", serde_json::json!({"seq": i.to_string()})),
    };
    let mut v = serde_json::json!({
        "seq": i.to_string(),
        "sentAt": {"seconds": 0},
        "headers": {"feed": "demo"},
        "tags": ["demo"],
        "source": {"host": "sockpit-mock", "pid": std::process::id()},
    });
    v["sentAt"] = serde_json::json!(format_rfc3339(sent_at_secs));
    v[body.0] = body.1;
    v
}

/// Item `i` of the feed, encoded (empty if the shipped schema failed to compile).
pub fn demo_message(i: u64) -> Vec<u8> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    envelope()
        .and_then(|d| proto::from_json_value(d, &demo_json(i, now)).ok())
        .map(|m| proto::encode(&m))
        .unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (civil-from-days, proleptic Gregorian).
fn format_rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn param<T: std::str::FromStr>(q: &HashMap<String, String>, name: &str, default: T) -> T {
    q.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `/proto?n=&interval=&framing=`: n messages (default 10, 0 endless) every interval ms (default
/// 100), each wrapped by `framing` (none, varint, grpc); echoes what it receives meanwhile and
/// after the feed, until the client closes.
pub(crate) async fn proto_feed(
    ws: WebSocketUpgrade,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let n: u64 = param(&q, "n", 10);
    let interval = Duration::from_millis(param(&q, "interval", 100));
    let framing: Framing = q
        .get("framing")
        .and_then(|f| f.parse().ok())
        .unwrap_or_default();
    ws.on_upgrade(move |socket| run(socket, n, interval, framing))
}

async fn run(mut socket: WebSocket, n: u64, interval: Duration, framing: Framing) {
    let mut i: u64 = 1;
    let mut next = tokio::time::Instant::now();
    loop {
        let feeding = n == 0 || i <= n;
        tokio::select! {
            _ = tokio::time::sleep_until(next), if feeding => {
                let bytes = framing.wrap(&demo_message(i), Some(DEMO_TYPE)).unwrap_or_default();
                if socket.send(Message::Binary(Bytes::from(bytes))).await.is_err() {
                    return;
                }
                i += 1;
                next += interval;
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    if socket.send(m).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_decode_with_the_shipped_schema() {
        let desc = envelope().expect("the demo schema compiles");
        for i in 1..=8 {
            let bytes = demo_message(i);
            let m = proto::decode(desc, &bytes).unwrap();
            let j = proto::to_json(&m, &proto::JsonOptions::default()).unwrap();
            assert_eq!(j["seq"], i.to_string());
            assert_eq!(j["headers"]["feed"], "demo");
        }
        let j = demo_json(1, 0);
        assert_eq!(j["sentAt"], "1970-01-01T00:00:00Z");
        assert_eq!(j["trade"]["side"], "BUY");
        assert_eq!(format_rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
