//! Insomnia: the v4 JSON export (`resources` with `websocket_request` and `websocket_payload`,
//! `socketio_request` and `socketio_payload`) and the v5 YAML collection
//! (`type: collection.insomnia.rest/5.0`; WebSocket and Socket.IO items, no payload).

use serde_json::Value;

use super::{convert_templates, s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{
    Auth, Collection, Environment, Folder, Item, KeyValue, MessageKind, Protocol, Request,
    SavedMessage, Variable,
};

const FORMAT: &str = "Insomnia export";

fn t(v: &str) -> String {
    convert_templates(v, &["_."])
}

pub(super) fn import(doc: &Value, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    if let Some(ty) = doc.get("type").and_then(Value::as_str) {
        return import_v5(doc, ty, ctx);
    }
    let version = doc
        .get("__export_format")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if version > 4 {
        return Err(CollectionError::NewerVersion {
            path: ctx.path.into(),
            format: "the Insomnia export format",
            found: version.to_string(),
            supported: "4 (JSON) and 5 (YAML)".into(),
        });
    }
    if version < 4 {
        return Err(ctx.invalid(
            FORMAT,
            format!(
                "__export_format {version} is not supported; export again as v4 JSON or v5 YAML"
            ),
        ));
    }
    let resources = doc
        .get("resources")
        .and_then(Value::as_array)
        .ok_or_else(|| ctx.invalid(FORMAT, "\"resources\" is missing or not a list"))?;
    let ty = |r: &Value| {
        r.get("_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let id = |r: &Value| s(r.get("_id"));
    let parent = |r: &Value| s(r.get("parentId"));
    let workspace = resources.iter().find(|r| ty(r) == "workspace");
    let mut c = Collection {
        name: workspace.map(|w| s(w.get("name"))).unwrap_or_default(),
        description: workspace
            .map(|w| s(w.get("description")))
            .unwrap_or_default(),
        ..Default::default()
    };
    let root = workspace.map(id).unwrap_or_default();
    // Environments: the base one (child of the workspace) gives collection variables, its children
    // become named environments.
    if let Some(base) = resources
        .iter()
        .find(|r| ty(r) == "environment" && parent(r) == root)
    {
        c.variables = env_vars(base.get("data"), ctx);
        let base_id = id(base);
        for sub in resources
            .iter()
            .filter(|r| ty(r) == "environment" && parent(r) == base_id)
        {
            c.environments.push(Environment {
                name: s(sub.get("name")),
                variables: env_vars(sub.get("data"), ctx),
            });
        }
    }
    let mut skipped: std::collections::BTreeMap<String, u32> = Default::default();
    for r in resources {
        let k = ty(r);
        if !matches!(
            k.as_str(),
            "workspace"
                | "environment"
                | "request_group"
                | "websocket_request"
                | "websocket_payload"
                | "socketio_request"
                | "socketio_payload"
                | "cookie_jar"
                | "api_spec"
        ) {
            *skipped.entry(k).or_default() += 1;
        }
    }
    for (k, n) in skipped {
        ctx.warn(format!(
            "skipped {n} '{k}' resource(s): Sockpit imports WebSocket and Socket.IO requests"
        ));
    }
    c.items = v4_children(resources, &root, ctx);
    Ok(c)
}

fn sort_key(r: &Value) -> f64 {
    r.get("metaSortKey").and_then(Value::as_f64).unwrap_or(0.0)
}

fn v4_children(resources: &[Value], parent: &str, ctx: &mut Ctx) -> Vec<Item> {
    let mut kids: Vec<&Value> = resources
        .iter()
        .filter(|r| s(r.get("parentId")) == parent)
        .filter(|r| {
            matches!(
                r.get("_type").and_then(Value::as_str),
                Some("request_group" | "websocket_request" | "socketio_request")
            )
        })
        .collect();
    kids.sort_by(|a, b| sort_key(a).total_cmp(&sort_key(b)));
    let mut items = Vec::new();
    for r in kids {
        let rid = s(r.get("_id"));
        if r.get("_type").and_then(Value::as_str) == Some("request_group") {
            items.push(Item::Folder(Folder {
                name: s(r.get("name")),
                description: s(r.get("description")),
                items: v4_children(resources, &rid, ctx),
            }));
            continue;
        }
        if r.get("_type").and_then(Value::as_str) == Some("socketio_request") {
            items.push(Item::Request(Box::new(socketio_request(r, resources, ctx))));
            continue;
        }
        let mut req = ws_request(r, ctx);
        let mut payloads: Vec<&Value> = resources
            .iter()
            .filter(|p| {
                p.get("_type").and_then(Value::as_str) == Some("websocket_payload")
                    && s(p.get("parentId")) == rid
            })
            .collect();
        payloads.sort_by(|a, b| sort_key(a).total_cmp(&sort_key(b)));
        for (i, p) in payloads.iter().enumerate() {
            let mode = s(p.get("mode"));
            let kind = match mode.as_str() {
                "application/json" => MessageKind::Json,
                "" | "text/plain" => MessageKind::Text,
                other => {
                    ctx.warn(format!(
                        "request '{}': payload mode '{other}' imported as text",
                        req.name
                    ));
                    MessageKind::Text
                }
            };
            let name = match s(p.get("name")) {
                n if n.is_empty() || n == "New Payload" => format!("message {}", i + 1),
                n => n,
            };
            req.messages.push(SavedMessage {
                name,
                kind,
                body: t(&s(p.get("value"))),
                delay_ms: None,
                ..SavedMessage::default()
            });
        }
        items.push(Item::Request(Box::new(req)));
    }
    items
}

/// A v4 `socketio_request` with its `socketio_payload` (one per request: event name, args, ack)
/// as a saved emit. Each arg is JSON text (mode `application/json`) or a string; the args become
/// the body's JSON array, written as text so `{{variables}}` inside survive.
fn socketio_request(r: &Value, resources: &[Value], ctx: &mut Ctx) -> Request {
    let mut req = ws_request(r, ctx);
    req.protocol = Protocol::Socketio;
    let rid = s(r.get("_id"));
    listeners_note(r, &req.name, ctx);
    let payload = resources.iter().find(|p| {
        p.get("_type").and_then(Value::as_str) == Some("socketio_payload")
            && s(p.get("parentId")) == rid
    });
    if let Some(p) = payload {
        let event = s(p.get("eventName"));
        let args: Vec<String> = p
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|arg| {
                        let value = t(&s(arg.get("value")));
                        match s(arg.get("mode")).as_str() {
                            "application/json" if value.trim().is_empty() => None,
                            "application/json" => Some(value),
                            _ => Some(Value::from(value).to_string()),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        if event.is_empty() {
            if !args.is_empty() {
                ctx.warn(format!(
                    "request '{}': its payload has no event name; not imported",
                    req.name
                ));
            }
        } else {
            req.messages.push(SavedMessage {
                name: event.clone(),
                body: format!("[{}]", args.join(", ")),
                event: Some(event),
                ack: p.get("ack").and_then(Value::as_bool) == Some(true),
                ..SavedMessage::default()
            });
        }
    }
    req
}

/// Insomnia's event listeners choose what its log shows; Sockpit shows every event.
fn listeners_note(r: &Value, request: &str, ctx: &mut Ctx) {
    let names: Vec<String> = r
        .get("eventListeners")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|l| s(l.get("eventName")))
                .filter(|n| !n.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if !names.is_empty() {
        ctx.warn(format!(
            "request '{request}': event listeners ({}) are not imported: Sockpit receives every \
             event; filter them in the window or assert on them by name",
            names.join(", ")
        ));
    }
}

/// Fields shared by v4 and v5 WebSocket requests.
fn ws_request(r: &Value, ctx: &mut Ctx) -> Request {
    let name = s(r.get("name"));
    let pairs = |key: &str| -> Vec<KeyValue> {
        r.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|h| !s(h.get("name")).is_empty())
                    .map(|h| KeyValue {
                        name: t(&s(h.get("name"))),
                        value: t(&s(h.get("value"))),
                        enabled: h.get("disabled").and_then(Value::as_bool) != Some(true),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let auth = auth_of(r.get("authentication"), &name, ctx);
    let url = t(&s(r.get("url")));
    if url.contains("{%") {
        ctx.warn(format!(
            "request '{name}': Insomnia template tags ({{% ... %}}) in the URL were kept as text"
        ));
    }
    Request {
        name,
        description: s(r.get("description")),
        protocol: Protocol::Websocket,
        url,
        params: pairs("parameters"),
        headers: pairs("headers"),
        auth,
        ..Default::default()
    }
}

pub(super) fn auth_of(a: Option<&Value>, request: &str, ctx: &mut Ctx) -> Auth {
    let Some(a) = a.filter(|a| a.as_object().is_some_and(|o| !o.is_empty())) else {
        return Auth::None;
    };
    if a.get("disabled").and_then(Value::as_bool) == Some(true) {
        return Auth::None;
    }
    match a.get("type").and_then(Value::as_str).unwrap_or("none") {
        "none" => Auth::None,
        "bearer" => Auth::Bearer {
            token: t(&s(a.get("token"))),
        },
        "basic" => Auth::Basic {
            username: t(&s(a.get("username"))),
            password: t(&s(a.get("password"))),
        },
        "apikey" => Auth::ApiKey {
            name: t(&s(a.get("key"))),
            value: t(&s(a.get("value"))),
            location: if s(a.get("addTo")) == "queryParams" {
                "query".into()
            } else {
                "header".into()
            },
        },
        "oauth2" if s(a.get("grantType")) == "client_credentials" => {
            Auth::Oauth2ClientCredentials {
                token_url: t(&s(a.get("accessTokenUrl"))),
                client_id: t(&s(a.get("clientId"))),
                client_secret: t(&s(a.get("clientSecret"))),
                scope: Some(t(&s(a.get("scope")))).filter(|s| !s.is_empty()),
            }
        }
        other => {
            ctx.warn(format!(
                "request '{request}': auth type '{other}' is not supported and was left out"
            ));
            Auth::None
        }
    }
}

fn env_vars(data: Option<&Value>, ctx: &mut Ctx) -> Vec<Variable> {
    let Some(Value::Object(m)) = data else {
        return Vec::new();
    };
    m.iter()
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => t(s),
                Value::Object(_) | Value::Array(_) => {
                    ctx.warn(format!(
                        "environment variable '{k}' is nested JSON; imported as its JSON text"
                    ));
                    v.to_string()
                }
                other => s(Some(other)),
            };
            Variable::plain(k.clone(), value)
        })
        .collect()
}

fn import_v5(doc: &Value, ty: &str, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    let version = ty.rsplit('/').next().unwrap_or("");
    let major: u64 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major > 5 {
        return Err(CollectionError::NewerVersion {
            path: ctx.path.into(),
            format: "the Insomnia collection format",
            found: version.into(),
            supported: "5.x".into(),
        });
    }
    if !ty.starts_with("collection.insomnia.rest/") {
        return Err(ctx.invalid(
            FORMAT,
            format!("type '{ty}' is not an Insomnia collection (a design document?)"),
        ));
    }
    let mut c = Collection {
        name: s(doc.get("name")),
        description: s(doc.get("meta").and_then(|m| m.get("description"))),
        ..Default::default()
    };
    if let Some(env) = doc.get("environments") {
        c.variables = env_vars(env.get("data"), ctx);
        if let Some(subs) = env.get("subEnvironments").and_then(Value::as_array) {
            for sub in subs {
                c.environments.push(Environment {
                    name: s(sub.get("name")),
                    variables: env_vars(sub.get("data"), ctx),
                });
            }
        }
    }
    let items = doc
        .get("collection")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut skipped = 0;
    c.items = v5_items(&items, ctx, &mut skipped);
    if skipped > 0 {
        ctx.warn(format!(
            "skipped {skipped} HTTP/gRPC/GraphQL request(s): Sockpit imports WebSocket and Socket.IO requests"
        ));
    }
    if c.items
        .iter()
        .any(|i| matches!(i, Item::Request(_) | Item::Folder(_)))
    {
        ctx.warn(
            "Insomnia v5 collections carry no WebSocket messages or Socket.IO emits: add saved messages in Sockpit",
        );
    }
    Ok(c)
}

fn v5_items(items: &[Value], ctx: &mut Ctx, skipped: &mut u32) -> Vec<Item> {
    let mut sorted: Vec<&Value> = items.iter().collect();
    let key = |v: &Value| {
        v.get("meta")
            .and_then(|m| m.get("sortKey"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    sorted.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let mut out = Vec::new();
    for it in sorted {
        if let Some(children) = it.get("children").and_then(Value::as_array) {
            out.push(Item::Folder(Folder {
                name: s(it.get("name")),
                description: s(it.get("meta").and_then(|m| m.get("description"))),
                items: v5_items(children, ctx, skipped),
            }));
            continue;
        }
        let id = s(it.get("meta").and_then(|m| m.get("id")));
        if id.starts_with("ws-req_") {
            out.push(Item::Request(Box::new(ws_request(it, ctx))));
        } else if id.starts_with("socketio-req_") {
            let mut r = ws_request(it, ctx);
            r.protocol = Protocol::Socketio;
            listeners_note(it, &r.name, ctx);
            out.push(Item::Request(Box::new(r)));
        } else {
            *skipped += 1;
        }
    }
    out
}
