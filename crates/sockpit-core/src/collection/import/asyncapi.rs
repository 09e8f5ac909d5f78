//! AsyncAPI 2.x (2.6) and 3.0, JSON or YAML: WebSocket servers and channels become requests,
//! examples of messages the client sends become saved messages (examples of what the server
//! sends are kept as `received_examples`), and `ws` channel bindings give query parameters and
//! headers. Local `$ref`s (`#/components/...`) are followed.
//!
//! The first `ws`/`wss` server is the collection variable `server`; every other one becomes an
//! environment setting `server`, so `--env NAME` picks it. Request URLs are `{{server}}ADDRESS`;
//! server and channel parameters `{name}` become `{{name}}`, with their defaults as variables.

use serde_json::Value;

use super::{s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{
    Collection, Environment, Item, KeyValue, MessageKind, Protocol, Request, SavedMessage, Variable,
};

const FORMAT: &str = "AsyncAPI document";
const MAX_REF_DEPTH: usize = 16;

/// Follows local `$ref`s.
fn deref<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_DEPTH {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            return v;
        };
        match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => v = target,
            None => return v,
        }
    }
    v
}

/// `{name}` → `{{name}}`.
fn params_to_templates(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
            out.push_str(&format!("{{{{{name}}}}}"));
        } else {
            out.push(c);
        }
    }
    out
}

fn example_body(v: &Value) -> (MessageKind, String) {
    match v {
        Value::String(t) => (MessageKind::Text, t.clone()),
        other => (
            MessageKind::Json,
            serde_json::to_string(other).unwrap_or_default(),
        ),
    }
}

/// The examples of a message object (2.x `examples[].payload`, 3.0 the same; also
/// `payload.examples` / `payload.example`).
fn examples(doc: &Value, msg: &Value, fallback: &str) -> Vec<SavedMessage> {
    let msg = deref(doc, msg);
    if let Some(one_of) = msg.get("oneOf").and_then(Value::as_array) {
        return one_of
            .iter()
            .flat_map(|m| examples(doc, m, fallback))
            .collect();
    }
    let base = Some(s(msg.get("name")))
        .filter(|n| !n.is_empty())
        .or_else(|| Some(s(msg.get("title"))).filter(|n| !n.is_empty()))
        .unwrap_or_else(|| fallback.to_string());
    let mut payloads: Vec<(String, Value)> = Vec::new();
    if let Some(ex) = msg.get("examples").and_then(Value::as_array) {
        for (i, e) in ex.iter().enumerate() {
            if let Some(p) = e.get("payload") {
                let n = Some(s(e.get("name")))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| {
                        if ex.len() > 1 {
                            format!("{base} {}", i + 1)
                        } else {
                            base.clone()
                        }
                    });
                payloads.push((n, p.clone()));
            }
        }
    }
    if payloads.is_empty() {
        let payload = msg.get("payload").map(|p| deref(doc, p));
        if let Some(p) = payload {
            if let Some(e) = p
                .get("examples")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
            {
                payloads.push((base.clone(), e.clone()));
            } else if let Some(e) = p.get("example") {
                payloads.push((base.clone(), e.clone()));
            }
        }
    }
    payloads
        .into_iter()
        .map(|(name, p)| {
            let (kind, body) = example_body(&p);
            SavedMessage {
                name,
                kind,
                body,
                delay_ms: None,
                ..SavedMessage::default()
            }
        })
        .collect()
}

/// A value for a schema property: default, const, first example or enum value.
fn schema_value(doc: &Value, prop: &Value) -> Option<String> {
    let p = deref(doc, prop);
    let v = p
        .get("default")
        .or_else(|| p.get("const"))
        .or_else(|| p.get("examples").and_then(|e| e.get(0)))
        .or_else(|| p.get("example"))
        .or_else(|| p.get("enum").and_then(|e| e.get(0)))?;
    Some(s(Some(v)))
}

fn binding_pairs(
    doc: &Value,
    schema: Option<&Value>,
    what: &str,
    request: &str,
    ctx: &mut Ctx,
) -> Vec<KeyValue> {
    let Some(schema) = schema.map(|v| deref(doc, v)) else {
        return Vec::new();
    };
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(k, p)| {
            let value = schema_value(doc, p).unwrap_or_else(|| {
                ctx.warn(format!("request '{request}': {what} '{k}' has no default or example; its value is empty"));
                String::new()
            });
            KeyValue::new(k.clone(), value)
        })
        .collect()
}

fn server_url(doc: &Value, srv: &Value, v3: bool) -> String {
    let protocol = s(srv.get("protocol"));
    let raw = if v3 {
        format!("{}{}", s(srv.get("host")), s(srv.get("pathname")))
    } else {
        s(srv.get("url"))
    };
    let _ = doc;
    let with_scheme = if raw.contains("://") {
        raw
    } else {
        format!("{protocol}://{raw}")
    };
    params_to_templates(with_scheme.trim_end_matches('/'))
}

pub(super) fn import(doc: &Value, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    let version = s(doc.get("asyncapi"));
    let major: u64 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major > 3 {
        return Err(CollectionError::NewerVersion {
            path: ctx.path.into(),
            format: "AsyncAPI",
            found: version,
            supported: "2.6 and 3.0".into(),
        });
    }
    if major < 2 {
        return Err(ctx.invalid(
            FORMAT,
            format!("asyncapi '{version}' is not supported; convert it to 2.6 or 3.0"),
        ));
    }
    let v3 = major == 3;
    let info = doc.get("info");
    let mut c = Collection {
        name: s(info.and_then(|i| i.get("title"))),
        description: s(info.and_then(|i| i.get("description"))),
        ..Default::default()
    };
    // Servers.
    let mut ws_servers = Vec::new();
    if let Some(servers) = doc.get("servers").and_then(Value::as_object) {
        for (name, srv) in servers {
            let srv = deref(doc, srv);
            let protocol = s(srv.get("protocol")).to_ascii_lowercase();
            if protocol == "ws" || protocol == "wss" {
                ws_servers.push((name.clone(), srv));
            } else {
                ctx.warn(format!("server '{name}' uses protocol '{protocol}'; Sockpit imports ws and wss servers"));
            }
        }
    }
    let Some((_, first)) = ws_servers.first() else {
        return Err(ctx.nothing("no server with protocol ws or wss"));
    };
    c.variables
        .push(Variable::plain("server", server_url(doc, first, v3)));
    let add_server_vars = |srv: &Value, vars: &mut Vec<Variable>| {
        if let Some(vs) = srv.get("variables").and_then(Value::as_object) {
            for (k, v) in vs {
                let v = deref(doc, v);
                let value = s(v
                    .get("default")
                    .or_else(|| v.get("enum").and_then(|e| e.get(0))));
                if !vars.iter().any(|x| &x.name == k) {
                    vars.push(Variable::plain(k.clone(), value));
                }
            }
        }
    };
    add_server_vars(first, &mut c.variables);
    for (name, srv) in ws_servers.iter().skip(1) {
        let mut vars = vec![Variable::plain("server", server_url(doc, srv, v3))];
        add_server_vars(srv, &mut vars);
        c.environments.push(Environment {
            name: name.clone(),
            variables: vars,
        });
    }
    // Channels.
    let channels = doc
        .get("channels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, ch) in &channels {
        let ch = deref(doc, ch);
        let address = if v3 {
            match ch.get("address") {
                Some(Value::String(a)) => a.clone(),
                _ => format!("/{key}"),
            }
        } else {
            key.clone()
        };
        let address = if address.starts_with('/') || address.is_empty() {
            address
        } else {
            format!("/{address}")
        };
        let mut r = Request {
            name: key.clone(),
            description: s(ch.get("description")),
            protocol: Protocol::Websocket,
            url: format!("{{{{server}}}}{}", params_to_templates(&address)),
            ..Default::default()
        };
        if let Some(params) = ch.get("parameters").and_then(Value::as_object) {
            for (p, spec) in params {
                let spec = deref(doc, spec);
                let value = s(spec
                    .get("default")
                    .or_else(|| spec.get("schema").and_then(|sc| sc.get("default"))));
                if !c.variables.iter().any(|v| &v.name == p) {
                    c.variables.push(Variable::plain(p.clone(), value));
                }
            }
        }
        let ws = ch.get("bindings").and_then(|b| b.get("ws"));
        r.params = binding_pairs(
            doc,
            ws.and_then(|w| w.get("query")),
            "query parameter",
            key,
            ctx,
        );
        r.headers = binding_pairs(doc, ws.and_then(|w| w.get("headers")), "header", key, ctx);
        let (send, receive) = if v3 {
            v3_messages(doc, key, ch)
        } else {
            let pick = |op: &str| -> Vec<Value> {
                ch.get(op)
                    .and_then(|o| o.get("message"))
                    .cloned()
                    .into_iter()
                    .collect()
            };
            // In 2.x a client `publish`es to the server and `subscribe`s to what it sends.
            (pick("publish"), pick("subscribe"))
        };
        for m in &send {
            r.messages.extend(examples(doc, m, "message"));
        }
        for m in &receive {
            r.received_examples.extend(examples(doc, m, "received"));
        }
        if !send.is_empty() && r.messages.is_empty() {
            ctx.warn(format!(
                "request '{key}': its messages have no examples, so no saved messages were made"
            ));
        }
        c.items.push(Item::Request(Box::new(r)));
    }
    Ok(c)
}

/// 3.0: messages of `send` and `receive` operations on the channel; with no operation at all,
/// every channel message is something to send.
fn v3_messages(doc: &Value, key: &str, ch: &Value) -> (Vec<Value>, Vec<Value>) {
    let channel_ref = format!("#/channels/{}", key.replace('~', "~0").replace('/', "~1"));
    let all: Vec<Value> = ch
        .get("messages")
        .and_then(Value::as_object)
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default();
    let mut send = Vec::new();
    let mut receive = Vec::new();
    let mut any_op = false;
    if let Some(ops) = doc.get("operations").and_then(Value::as_object) {
        for op in ops.values() {
            let op = deref(doc, op);
            if s(op.get("channel").and_then(|c| c.get("$ref"))) != channel_ref {
                continue;
            }
            any_op = true;
            let msgs: Vec<Value> = match op.get("messages").and_then(Value::as_array) {
                Some(list) => list.iter().map(|m| deref(doc, m).clone()).collect(),
                None => all.clone(),
            };
            match s(op.get("action")).as_str() {
                "send" => send.extend(msgs),
                _ => receive.extend(msgs),
            }
        }
    }
    if !any_op {
        send = all;
    }
    (send, receive)
}
