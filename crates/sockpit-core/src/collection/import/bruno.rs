//! Bruno: a `.bru` request file (`meta { type: ws }`, `ws { url }`, `headers`, `params:query`,
//! `auth:*`, one `body:ws` block per message) and the YAML OpenCollection form
//! (`opencollection: 1.0.0`, `info`, `items` with `info.type: websocket`).

use serde_json::Value;

use super::{s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{
    Auth, Collection, Folder, Item, KeyValue, MessageKind, Protocol, Request, SavedMessage,
};

const FORMAT: &str = "Bruno .bru file";

struct Block {
    name: String,
    /// `(key, value, enabled)` for key-value blocks.
    pairs: Vec<(String, String, bool)>,
    /// The text of a script block (`script:*`, `tests`), dedented.
    raw: String,
}

/// Blocks whose body is JavaScript, kept as text rather than split into pairs.
fn is_script_block(name: &str) -> bool {
    name.starts_with("script:") || name == "tests"
}

/// Splits a `.bru` file into blocks. Values may span lines between `'''` markers.
fn blocks(text: &str, ctx: &Ctx) -> Result<Vec<Block>, CollectionError> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_end();
        if trimmed.trim().is_empty() {
            continue;
        }
        let Some(name) = trimmed.strip_suffix('{').map(str::trim) else {
            return Err(ctx.invalid(
                FORMAT,
                format!("line {}: expected 'NAME {{', found {:?}", n + 1, trimmed),
            ));
        };
        if name.is_empty() || name.contains(' ') {
            return Err(ctx.invalid(FORMAT, format!("line {}: bad block name {:?}", n + 1, name)));
        }
        if is_script_block(name) {
            let mut body: Vec<&str> = Vec::new();
            let mut closed = false;
            for (_, l) in lines.by_ref() {
                if l.trim_end() == "}" {
                    closed = true;
                    break;
                }
                body.push(l);
            }
            if !closed {
                return Err(unclosed(ctx, name));
            }
            out.push(Block {
                name: name.to_string(),
                pairs: Vec::new(),
                raw: super::scripts::dedent(&body),
            });
            continue;
        }
        let mut pairs = Vec::new();
        let mut closed = false;
        while let Some((n, line)) = lines.next() {
            if line.trim_end() == "}" {
                closed = true;
                break;
            }
            let l = line.trim();
            if l.is_empty() {
                continue;
            }
            let Some((k, v)) = l.split_once(':') else {
                // Raw blocks (docs, scripts, JSON bodies) have free text; keep it as one value.
                pairs.push((String::new(), line.to_string(), true));
                continue;
            };
            let (k, enabled) = match k.trim().strip_prefix('~') {
                Some(k) => (k.to_string(), false),
                None => (k.trim().to_string(), true),
            };
            let v = v.trim();
            if v == "'''" {
                let mut body: Vec<&str> = Vec::new();
                let mut done = false;
                for (_, l2) in lines.by_ref() {
                    if l2.trim() == "'''" {
                        done = true;
                        break;
                    }
                    body.push(l2);
                }
                if !done {
                    return Err(ctx.invalid(
                        FORMAT,
                        format!(
                            "line {}: a ''' value is never closed (truncated file?)",
                            n + 1
                        ),
                    ));
                }
                let indent = body
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.len() - l.trim_start().len())
                    .min()
                    .unwrap_or(0);
                let text: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
                pairs.push((k, text.join("\n"), enabled));
            } else {
                pairs.push((k, v.to_string(), enabled));
            }
        }
        if !closed {
            return Err(unclosed(ctx, name));
        }
        out.push(Block {
            name: name.to_string(),
            pairs,
            raw: String::new(),
        });
    }
    Ok(out)
}

fn unclosed(ctx: &Ctx, name: &str) -> CollectionError {
    ctx.invalid(
        FORMAT,
        format!("block '{name}' is never closed with '}}' (truncated file?)"),
    )
}

fn get<'a>(b: &'a Block, key: &str) -> Option<&'a str> {
    b.pairs
        .iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, v, _)| v.as_str())
}

pub(super) fn import_bru(text: &str, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    match bru_request(text, ctx)? {
        Ok((_, r)) => Ok(Collection {
            name: r.name.clone(),
            items: vec![Item::Request(Box::new(r))],
            ..Default::default()
        }),
        Err(skipped) => Err(ctx.nothing(skipped)),
    }
}

/// One `.bru` file: `Ok((seq, request))` for a WebSocket request, `Err(why)` for one Sockpit skips.
pub(super) fn bru_request(
    text: &str,
    ctx: &mut Ctx,
) -> Result<Result<(f64, Request), String>, CollectionError> {
    let blocks = blocks(text, ctx)?;
    let meta = blocks
        .iter()
        .find(|b| b.name == "meta")
        .ok_or_else(|| ctx.invalid(FORMAT, "no meta block"))?;
    let name = get(meta, "name").unwrap_or("").to_string();
    let ty = get(meta, "type").unwrap_or("http");
    if ty != "ws" {
        return Ok(Err(format!(
            "'{name}' is a Bruno {ty} request; Sockpit imports WebSocket (type: ws) requests"
        )));
    }
    let seq = get(meta, "seq")
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    let ws = blocks
        .iter()
        .find(|b| b.name == "ws")
        .ok_or_else(|| ctx.invalid(FORMAT, "a ws request without a ws block"))?;
    let mut r = Request {
        name: name.clone(),
        protocol: Protocol::Websocket,
        url: get(ws, "url").unwrap_or("").to_string(),
        ..Default::default()
    };
    let kvs = |b: &Block| -> Vec<KeyValue> {
        b.pairs
            .iter()
            .filter(|(k, _, _)| !k.is_empty())
            .map(|(k, v, e)| KeyValue {
                name: k.clone(),
                value: v.clone(),
                enabled: *e,
            })
            .collect()
    };
    let auth_mode = get(ws, "auth").unwrap_or("none");
    for b in &blocks {
        match b.name.as_str() {
            "meta" | "ws" => {}
            "headers" => r.headers = kvs(b),
            "params:query" => r.params = kvs(b),
            "auth:bearer" if auth_mode == "bearer" => {
                r.auth = Auth::Bearer {
                    token: get(b, "token").unwrap_or("").into(),
                }
            }
            "auth:basic" if auth_mode == "basic" => {
                r.auth = Auth::Basic {
                    username: get(b, "username").unwrap_or("").into(),
                    password: get(b, "password").unwrap_or("").into(),
                }
            }
            "auth:apikey" if auth_mode == "apikey" => {
                r.auth = Auth::ApiKey {
                    name: get(b, "key").unwrap_or("").into(),
                    value: get(b, "value").unwrap_or("").into(),
                    location: if get(b, "placement") == Some("queryparams") {
                        "query".into()
                    } else {
                        "header".into()
                    },
                }
            }
            "auth:oauth2"
                if auth_mode == "oauth2" && get(b, "grant_type") == Some("client_credentials") =>
            {
                r.auth = Auth::Oauth2ClientCredentials {
                    token_url: get(b, "access_token_url").unwrap_or("").into(),
                    client_id: get(b, "client_id").unwrap_or("").into(),
                    client_secret: get(b, "client_secret").unwrap_or("").into(),
                    scope: get(b, "scope").filter(|s| !s.is_empty()).map(Into::into),
                }
            }
            "body:ws" => {
                let kind = match get(b, "type").unwrap_or("text") {
                    "json" => MessageKind::Json,
                    _ => MessageKind::Text,
                };
                let n = r.messages.len() + 1;
                r.messages.push(SavedMessage {
                    name: get(b, "name")
                        .map(String::from)
                        .unwrap_or_else(|| format!("message {n}")),
                    kind,
                    body: get(b, "content").unwrap_or("").to_string(),
                    delay_ms: None,
                    ..SavedMessage::default()
                });
            }
            "docs" => {
                r.description = b
                    .pairs
                    .iter()
                    .map(|(k, v, _)| {
                        if k.is_empty() {
                            v.trim().to_string()
                        } else {
                            format!("{k}: {v}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            "script:pre-request" | "script:post-response" | "tests" => {}
            "settings" => {
                if let Some(ms) = get(b, "timeout")
                    .and_then(|v| v.parse::<u64>().ok())
                    .filter(|v| *v > 0)
                {
                    r.settings.handshake_timeout_ms = Some(ms);
                }
            }
            other => ctx.warn(format!(
                "request '{name}': Bruno block '{other}' is not supported and was left out"
            )),
        }
    }
    let script = |n: &str| blocks.iter().find(|b| b.name == n).map(|b| b.raw.as_str());
    r.scripts = super::scripts::from_bruno(
        &name,
        script("script:pre-request"),
        script("script:post-response"),
        script("tests"),
        ctx,
    );
    let mapped_oauth2 =
        auth_mode == "oauth2" && matches!(r.auth, Auth::Oauth2ClientCredentials { .. });
    if !matches!(
        auth_mode,
        "none" | "inherit" | "bearer" | "basic" | "apikey"
    ) && !mapped_oauth2
    {
        ctx.warn(format!(
            "request '{name}': auth mode '{auth_mode}' is not supported and was left out"
        ));
    }
    Ok(Ok((seq, r)))
}

/// The `vars` and `vars:secret` of a Bruno environment file.
pub(super) fn bru_environment(
    text: &str,
    ctx: &mut Ctx,
) -> Result<Vec<crate::collection::model::Variable>, CollectionError> {
    let mut vars = Vec::new();
    for b in blocks_or_lists(text, ctx)? {
        match b.name.as_str() {
            "vars" => {
                for (k, v, enabled) in &b.pairs {
                    if !k.is_empty() && *enabled {
                        vars.push(crate::collection::model::Variable::plain(
                            k.clone(),
                            v.clone(),
                        ));
                    }
                }
            }
            "vars:secret" => {
                for (k, v, _) in &b.pairs {
                    let name = if k.is_empty() { v.trim() } else { k.as_str() };
                    for n in name
                        .split(',')
                        .map(|n| n.trim().trim_start_matches('~'))
                        .filter(|n| !n.is_empty())
                    {
                        vars.push(crate::collection::model::Variable {
                            name: n.to_string(),
                            value: None,
                            secret: true,
                            placeholder: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(vars)
}

/// Like [`blocks`], but `NAME [` ... `]` lists (Bruno's `vars:secret [ a, b ]`) count as blocks of
/// bare names.
fn blocks_or_lists(text: &str, ctx: &Ctx) -> Result<Vec<Block>, CollectionError> {
    let mut converted = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_end();
        if let Some(head) = t.strip_suffix('[') {
            converted.push_str(head);
            converted.push_str("{\n");
        } else if t == "]" {
            converted.push_str("}\n");
        } else {
            converted.push_str(line);
            converted.push('\n');
        }
    }
    blocks(&converted, ctx)
}

pub(super) fn import_opencollection(
    doc: &Value,
    ctx: &mut Ctx,
) -> Result<Collection, CollectionError> {
    let version = s(doc.get("opencollection"));
    let major: u64 = version
        .split('.')
        .next()
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(1);
    if major > 1 {
        return Err(CollectionError::NewerVersion {
            path: ctx.path.into(),
            format: "OpenCollection",
            found: version,
            supported: "1.x".into(),
        });
    }
    let info = doc.get("info");
    let items = doc
        .get("items")
        .or_else(|| doc.get("item"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut skipped = 0;
    let out = oc_items(&items, ctx, &mut skipped);
    if skipped > 0 {
        ctx.warn(format!(
            "skipped {skipped} non-WebSocket request(s): Sockpit imports WebSocket requests"
        ));
    }
    Ok(Collection {
        name: s(info.and_then(|i| i.get("name"))),
        description: s(info.and_then(|i| i.get("summary").or_else(|| i.get("description")))),
        items: out,
        ..Default::default()
    })
}

fn oc_items(items: &[Value], ctx: &mut Ctx, skipped: &mut u32) -> Vec<Item> {
    let seq = |v: &Value| {
        v.get("info")
            .and_then(|i| i.get("seq"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    let mut sorted: Vec<&Value> = items.iter().collect();
    sorted.sort_by(|a, b| seq(a).total_cmp(&seq(b)));
    let mut out = Vec::new();
    for it in sorted {
        let info = it.get("info");
        let name = s(info.and_then(|i| i.get("name")));
        let ty = s(info.and_then(|i| i.get("type")));
        match ty.as_str() {
            "folder" => out.push(Item::Folder(Folder {
                name,
                description: String::new(),
                items: oc_items(
                    it.get("items")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or(&[]),
                    ctx,
                    skipped,
                ),
            })),
            "websocket" | "ws" => {
                let w = it
                    .get("websocket")
                    .or_else(|| it.get("ws"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let kvs = |key: &str| -> Vec<KeyValue> {
                    w.get(key)
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .map(|h| KeyValue {
                                    name: s(h.get("name")),
                                    value: s(h.get("value")),
                                    enabled: h.get("disabled").and_then(Value::as_bool)
                                        != Some(true),
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let mut r = Request {
                    name: name.clone(),
                    protocol: Protocol::Websocket,
                    url: s(w.get("url")),
                    headers: kvs("headers"),
                    params: kvs("params"),
                    ..Default::default()
                };
                let msgs: Vec<Value> = match w.get("messages").or_else(|| w.get("message")) {
                    Some(Value::Array(a)) => a.clone(),
                    Some(m @ Value::Object(_)) => vec![m.clone()],
                    _ => Vec::new(),
                };
                for (i, m) in msgs.iter().enumerate() {
                    let kind = match s(m.get("type")).as_str() {
                        "json" => MessageKind::Json,
                        _ => MessageKind::Text,
                    };
                    let body = m.get("data").or_else(|| m.get("content"));
                    r.messages.push(SavedMessage {
                        name: Some(s(m.get("name")))
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| format!("message {}", i + 1)),
                        kind,
                        body: match body {
                            Some(Value::String(t)) => t.clone(),
                            Some(other) => other.to_string(),
                            None => String::new(),
                        },
                        delay_ms: None,
                        ..SavedMessage::default()
                    });
                }
                if let Some(a) = w.get("auth").filter(|a| !a.is_null()) {
                    r.auth = match s(a.get("type")).as_str() {
                        "bearer" => Auth::Bearer {
                            token: s(a.get("token")),
                        },
                        "basic" => Auth::Basic {
                            username: s(a.get("username")),
                            password: s(a.get("password")),
                        },
                        "" | "none" | "inherit" => Auth::None,
                        other => {
                            ctx.warn(format!("request '{name}': auth type '{other}' is not supported and was left out"));
                            Auth::None
                        }
                    };
                }
                let script_of = |k: &str| {
                    let v = w.get("script").or_else(|| it.get("script"));
                    v.and_then(|v| v.get(k))
                        .and_then(Value::as_str)
                        .map(String::from)
                };
                let tests = w
                    .get("tests")
                    .or_else(|| it.get("tests"))
                    .and_then(Value::as_str)
                    .map(String::from);
                r.scripts = super::scripts::from_bruno(
                    &name,
                    script_of("req").as_deref(),
                    script_of("res").as_deref(),
                    tests.as_deref(),
                    ctx,
                );
                for k in ["scripts", "assertions", "vars"] {
                    if it.get(k).is_some() || w.get(k).is_some() {
                        ctx.warn(format!(
                            "request '{name}': '{k}' is not supported and was left out"
                        ));
                    }
                }
                out.push(Item::Request(Box::new(r)));
            }
            _ => *skipped += 1,
        }
    }
    out
}
