//! Yaak: the export JSON (`yaakSchema`, `resources.websocketRequests`, folders, environments).
//! Yaak templates `${[ name ]}` become `{{name}}`.

use serde_json::Value;

use super::{s, Ctx};
use crate::collection::error::CollectionError;
use crate::collection::model::{
    Auth, Collection, Environment, Folder, Item, KeyValue, MessageKind, Protocol, Request,
    SavedMessage, Variable,
};

/// The newest `yaakSchema` this importer knows.
const MAX_SCHEMA: u64 = 4;
const FORMAT: &str = "Yaak export";

/// `${[ name ]}` → `{{name}}`; function calls such as `${[ uuid() ]}` are kept and reported.
fn t(text: &str, ctx: &mut Ctx) -> String {
    if !text.contains("${[") {
        return text.to_string();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("]}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = after[..end].trim();
        if inner.contains('(') {
            ctx.warn(format!("Yaak template function '{inner}' kept as text"));
            out.push_str(&rest[start..start + 3 + end + 2]);
        } else {
            out.push_str(&format!("{{{{{inner}}}}}"));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

pub(super) fn import(doc: &Value, ctx: &mut Ctx) -> Result<Collection, CollectionError> {
    let schema = doc.get("yaakSchema").and_then(Value::as_u64).unwrap_or(0);
    if schema > MAX_SCHEMA {
        return Err(CollectionError::NewerVersion {
            path: ctx.path.into(),
            format: "the Yaak export schema",
            found: schema.to_string(),
            supported: MAX_SCHEMA.to_string(),
        });
    }
    let res = doc
        .get("resources")
        .filter(|r| r.is_object())
        .ok_or_else(|| ctx.invalid(FORMAT, "\"resources\" is missing"))?;
    let list = |k: &str| -> Vec<Value> {
        res.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let workspace = list("workspaces").into_iter().next();
    let mut c = Collection {
        name: workspace
            .as_ref()
            .map(|w| s(w.get("name")))
            .unwrap_or_default(),
        description: workspace
            .as_ref()
            .map(|w| s(w.get("description")))
            .unwrap_or_default(),
        ..Default::default()
    };
    for env in list("environments") {
        let vars: Vec<Variable> = env
            .get("variables")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|v| v.get("enabled").and_then(Value::as_bool) != Some(false))
                    .map(|v| Variable::plain(s(v.get("name")), t(&s(v.get("value")), ctx)))
                    .collect()
            })
            .unwrap_or_default();
        let is_base = env.get("parentModel").and_then(Value::as_str) == Some("workspace")
            || (env.get("environmentId").is_some_and(Value::is_null)
                && env.get("parentModel").is_none());
        if is_base {
            c.variables.extend(vars);
        } else {
            c.environments.push(Environment {
                name: s(env.get("name")),
                variables: vars,
            });
        }
    }
    for (k, what) in [("httpRequests", "HTTP"), ("grpcRequests", "gRPC")] {
        let n = list(k).len();
        if n > 0 {
            ctx.warn(format!(
                "skipped {n} {what} request(s): Sockpit imports WebSocket requests"
            ));
        }
    }
    let folders = list("folders");
    let requests = list("websocketRequests");
    c.items = children(None, &folders, &requests, ctx);
    Ok(c)
}

fn prio(v: &Value) -> f64 {
    v.get("sortPriority").and_then(Value::as_f64).unwrap_or(0.0)
}

fn children(
    parent: Option<&str>,
    folders: &[Value],
    requests: &[Value],
    ctx: &mut Ctx,
) -> Vec<Item> {
    let in_parent = |v: &&Value| v.get("folderId").and_then(Value::as_str) == parent;
    let mut entries: Vec<(f64, bool, &Value)> = folders
        .iter()
        .filter(in_parent)
        .map(|f| (prio(f), true, f))
        .chain(
            requests
                .iter()
                .filter(in_parent)
                .map(|r| (prio(r), false, r)),
        )
        .collect();
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    for (_, is_folder, v) in entries {
        if is_folder {
            let id = s(v.get("id"));
            out.push(Item::Folder(Folder {
                name: s(v.get("name")),
                description: s(v.get("description")),
                items: children(Some(&id), folders, requests, ctx),
            }));
        } else {
            out.push(Item::Request(Box::new(request(v, ctx))));
        }
    }
    out
}

fn request(v: &Value, ctx: &mut Ctx) -> Request {
    let name = s(v.get("name"));
    let pairs = |key: &str, ctx: &mut Ctx| -> Vec<KeyValue> {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|h| !s(h.get("name")).is_empty())
                    .map(|h| KeyValue {
                        name: t(&s(h.get("name")), ctx),
                        value: t(&s(h.get("value")), ctx),
                        enabled: h.get("enabled").and_then(Value::as_bool) != Some(false),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let params = pairs("urlParameters", ctx);
    let headers = pairs("headers", ctx);
    let a = v.get("authentication");
    let field = |k: &str| s(a.and_then(|a| a.get(k)));
    let auth = match v.get("authenticationType").and_then(Value::as_str) {
        None | Some("none") => Auth::None,
        Some("bearer") => Auth::Bearer {
            token: t(&field("token"), ctx),
        },
        Some("basic") => Auth::Basic {
            username: t(&field("username"), ctx),
            password: t(&field("password"), ctx),
        },
        Some("apikey") => Auth::ApiKey {
            name: t(&field("key"), ctx),
            value: t(&field("value"), ctx),
            location: if field("location") == "query" {
                "query".into()
            } else {
                "header".into()
            },
        },
        Some("oauth2") if field("grantType") == "client_credentials" => {
            Auth::Oauth2ClientCredentials {
                token_url: t(&field("accessTokenUrl"), ctx),
                client_id: t(&field("clientId"), ctx),
                client_secret: t(&field("clientSecret"), ctx),
                scope: Some(t(&field("scope"), ctx)).filter(|s| !s.is_empty()),
            }
        }
        Some(other) => {
            ctx.warn(format!(
                "request '{name}': auth type '{other}' is not supported and was left out"
            ));
            Auth::None
        }
    };
    let message = t(&s(v.get("message")), ctx);
    let messages = if message.is_empty() {
        Vec::new()
    } else {
        let kind = if serde_json::from_str::<Value>(&message)
            .is_ok_and(|j| j.is_object() || j.is_array())
        {
            MessageKind::Json
        } else {
            MessageKind::Text
        };
        vec![SavedMessage {
            name: "message".into(),
            kind,
            body: message,
            delay_ms: None,
            ..SavedMessage::default()
        }]
    };
    Request {
        name,
        description: s(v.get("description")),
        protocol: Protocol::Websocket,
        url: t(&s(v.get("url")), ctx),
        params,
        headers,
        auth,
        messages,
        ..Default::default()
    }
}
