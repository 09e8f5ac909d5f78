//! Kreya: a WebSocket operation file (`.krop`: `details.endpoint`, `invokerName`) whose messages
//! live in sibling files named by `requests[].location`. Kreya templates `{{ env.x }}` and
//! `{{ vars.x }}` become `{{x}}`; its operation script becomes the request's hooks.

use serde_json::Value;

use super::{convert_templates, s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{
    Collection, Item, KeyValue, MessageKind, Protocol, Request, SavedMessage,
};

const FORMAT: &str = "Kreya operation";

fn t(v: &str) -> String {
    convert_templates(v, &["env.", "vars."])
}

pub(super) fn import(doc: &Value, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    let invoker = s(doc.get("invokerName")).to_ascii_lowercase();
    let op = s(doc.get("operationType"));
    let name = std::path::Path::new(ctx.path)
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or("Kreya operation")
        .to_string();
    if !matches!(invoker.as_str(), "websocket" | "websockets" | "ws") {
        return Err(ctx.nothing(format!(
            "'{name}' is a Kreya {} {op} operation; Sockpit imports WebSocket operations",
            if invoker.is_empty() {
                "unknown"
            } else {
                &invoker
            }
        )));
    }
    let details = doc.get("details").cloned().unwrap_or(Value::Null);
    let endpoint = s(details.get("endpoint").or_else(|| details.get("url")));
    if endpoint.is_empty() {
        return Err(ctx.invalid(FORMAT, "details.endpoint (the WebSocket URL) is missing"));
    }
    let headers = match details.get("headers").or_else(|| details.get("metadata")) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|h| KeyValue {
                name: t(&s(h.get("name").or_else(|| h.get("key")))),
                value: t(&s(h.get("value"))),
                enabled: h
                    .get("isActive")
                    .or_else(|| h.get("enabled"))
                    .and_then(Value::as_bool)
                    != Some(false),
            })
            .collect(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| KeyValue::new(t(k), t(&s(Some(v)))))
            .collect(),
        _ => Vec::new(),
    };
    let subprotocols = details
        .get("subprotocols")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|p| s(Some(p))).collect())
        .unwrap_or_default();
    let mut r = Request {
        name: name.clone(),
        protocol: Protocol::Websocket,
        url: t(&endpoint),
        headers,
        subprotocols,
        ..Default::default()
    };
    if let Some(Value::Object(auth)) = details.get("auth") {
        if !auth.is_empty() {
            ctx.warn(format!("request '{name}': Kreya auth configurations live in the project; set auth in Sockpit"));
        }
    }
    let requests = doc
        .get("requests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, req) in requests.iter().enumerate() {
        let loc = s(req.get("location"));
        if loc.is_empty() {
            continue;
        }
        if loc.contains("..") || std::path::Path::new(&loc).is_absolute() {
            return Err(ctx.invalid(
                FORMAT,
                format!("message file '{loc}' is outside the operation's folder"),
            ));
        }
        let file = ctx.dir.join(&loc);
        let body = std::fs::read_to_string(&file).map_err(|e| {
            ctx.invalid(
                FORMAT,
                format!(
                    "message file '{}' (next to the .krop) cannot be read: {e}",
                    file.display()
                ),
            )
        })?;
        let kind =
            if serde_json::from_str::<Value>(&body).is_ok_and(|v| v.is_object() || v.is_array()) {
                MessageKind::Json
            } else {
                MessageKind::Text
            };
        let msg_name = std::path::Path::new(&loc)
            .file_stem()
            .and_then(|n| n.to_str())
            .map(String::from)
            .unwrap_or_else(|| format!("message {}", i + 1));
        r.messages.push(SavedMessage {
            name: msg_name,
            kind,
            body: t(body.trim_end_matches('\n')),
            delay_ms: None,
            ..SavedMessage::default()
        });
    }
    // The operation script: a string, or an object holding it, under any of the names seen.
    let script = ["script", "operationScript", "scripts"]
        .iter()
        .filter_map(|k| doc.get(*k).or_else(|| details.get(*k)))
        .find_map(|v| match v {
            Value::String(t) => Some(t.clone()),
            Value::Object(o) => ["content", "code", "source", "script"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str).map(String::from)),
            _ => None,
        });
    if let Some(text) = script {
        r.scripts = super::scripts::from_kreya(&name, &text, ctx);
    } else if doc.get("tests").is_some() || details.get("tests").is_some() {
        ctx.warn(format!(
            "request '{name}': Kreya tests outside an operation script are not supported and were left out"
        ));
    }
    Ok(Collection {
        name,
        items: vec![Item::Request(Box::new(r))],
        ..Default::default()
    })
}
