//! HAR with Chrome's `_webSocketMessages`: one request per WebSocket entry; sent frames become
//! saved messages, received frames are kept as `received_examples` for reference.

use serde_json::Value;

use super::{s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{
    Collection, Item, KeyValue, MessageKind, Protocol, Request, SavedMessage,
};

const FORMAT: &str = "HAR";

/// Upgrade headers the engine writes itself.
const HANDSHAKE_HEADERS: &[&str] = &[
    "host",
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    "content-length",
    "accept-encoding",
];

fn is_websocket(e: &Value) -> bool {
    let url = s(e.get("request").and_then(|r| r.get("url")));
    e.get("_resourceType").and_then(Value::as_str) == Some("websocket")
        || e.get("_webSocketMessages").is_some()
        || url.starts_with("ws://")
        || url.starts_with("wss://")
}

fn message(m: &Value, n: usize, prefix: &str) -> SavedMessage {
    let data = s(m.get("data"));
    let binary = m.get("opcode").and_then(Value::as_u64) == Some(2);
    let kind = if binary {
        MessageKind::Base64
    } else if serde_json::from_str::<Value>(&data).is_ok_and(|v| v.is_object() || v.is_array()) {
        MessageKind::Json
    } else {
        MessageKind::Text
    };
    SavedMessage {
        name: format!("{prefix} {n}"),
        kind,
        body: data,
        delay_ms: None,
        ..SavedMessage::default()
    }
}

pub(super) fn import(doc: &Value, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    let log = doc
        .get("log")
        .ok_or_else(|| ctx.invalid(FORMAT, "\"log\" is missing"))?;
    let version = s(log.get("version"));
    if version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok())
        .is_some_and(|m| m > 1)
    {
        return Err(CollectionError::NewerVersion {
            path: ctx.path.into(),
            format: "HAR",
            found: version,
            supported: "1.2".into(),
        });
    }
    let entries = log
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| ctx.invalid(FORMAT, "\"log.entries\" is not a list"))?;
    let mut items = Vec::new();
    let mut skipped = 0;
    for e in entries {
        if !is_websocket(e) {
            skipped += 1;
            continue;
        }
        let req = e.get("request").cloned().unwrap_or(Value::Null);
        let url = s(req.get("url"));
        let parsed = url::Url::parse(&url).ok();
        let name = parsed
            .as_ref()
            .map(|u| format!("{}{}", u.host_str().unwrap_or(""), u.path()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| url.clone());
        let mut r = Request {
            name,
            protocol: Protocol::Websocket,
            url,
            ..Default::default()
        };
        for h in req
            .get("headers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let hn = s(h.get("name"));
            let lower = hn.to_ascii_lowercase();
            if lower == "sec-websocket-protocol" {
                r.subprotocols.extend(
                    s(h.get("value"))
                        .split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty()),
                );
            } else if !hn.starts_with(':') && !HANDSHAKE_HEADERS.contains(&lower.as_str()) {
                r.headers.push(KeyValue::new(hn, s(h.get("value"))));
            }
        }
        let frames = e
            .get("_webSocketMessages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let (mut sent, mut got) = (0, 0);
        for m in &frames {
            match s(m.get("type")).as_str() {
                "send" => {
                    sent += 1;
                    r.messages.push(message(m, sent, "sent"));
                }
                "receive" => {
                    got += 1;
                    r.received_examples.push(message(m, got, "received"));
                }
                other => ctx.warn(format!(
                    "request '{}': a frame of type '{other}' was left out",
                    r.name
                )),
            }
        }
        if frames.is_empty() {
            ctx.warn(format!("request '{}': the HAR entry has no _webSocketMessages (export it from Chrome to keep them)", r.name));
        }
        items.push(Item::Request(Box::new(r)));
    }
    if skipped > 0 {
        ctx.warn(format!(
            "skipped {skipped} HTTP entr{}: Sockpit imports WebSocket entries",
            if skipped == 1 { "y" } else { "ies" }
        ));
    }
    let title = log
        .get("pages")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .map(|p| s(p.get("title")))
        .unwrap_or_default();
    Ok(Collection {
        name: title,
        items,
        ..Default::default()
    })
}
