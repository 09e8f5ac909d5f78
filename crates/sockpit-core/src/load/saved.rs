//! A saved request as a load target (`sockpit load --collection C --request R`): found by name,
//! rendered with the run's variables, and prepared the way `sockpit run` prepares it
//! ([`crate::runner::prepare`]): URL, headers, auth, TLS, proxy, subprotocols, and the saved
//! messages as the bytes each virtual user sends.

use crate::collection::model::{requests_with_path, Collection, Protocol, Request};
use crate::runner::{prepare, RunError, RunOptions};
use crate::template::Vars;
use crate::ws::Outgoing;

use super::error::LoadError;
use super::scenario::Target;

/// What the users of a run from a saved request connect with and send.
#[derive(Debug, Clone)]
pub struct SavedTarget {
    /// The request's name as found.
    pub name: String,
    /// A WebSocket session, or an SSE subscription for an SSE request.
    pub target: Target,
    /// The saved messages in order, rendered and encoded once (dynamic values such as
    /// `{{$uuid}}` are drawn once for the whole run).
    pub messages: Vec<Outgoing>,
}

/// The request called `name` (or `Folder / Name`) in `c`, or the names there are.
fn find<'a>(c: &'a Collection, name: &str) -> Result<&'a Request, LoadError> {
    let all = requests_with_path(&c.items);
    let full = |path: &[String], r: &Request| {
        let mut p = path.to_vec();
        p.push(r.name.clone());
        p.join(" / ")
    };
    all.iter()
        .find(|(_, r)| r.name == name)
        .or_else(|| all.iter().find(|(p, r)| full(p, r) == name))
        .map(|(_, r)| *r)
        .ok_or_else(|| LoadError::UnknownRequest {
            name: name.to_string(),
            collection: c.name.clone(),
            known: if all.is_empty() {
                "no requests".to_string()
            } else {
                all.iter()
                    .map(|(p, r)| format!("'{}'", full(p, r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
}

fn request_error(e: RunError) -> LoadError {
    LoadError::Request {
        code: e.code(),
        message: e.to_string(),
    }
}

/// Finds, renders and prepares request `name` of `c` with `opts`' environment, overrides and
/// globals (secrets already filled in by the face). Only the one request is rendered: a broken
/// sibling does not stop the run.
pub fn saved_target(
    c: &Collection,
    name: &str,
    opts: &RunOptions,
) -> Result<SavedTarget, LoadError> {
    let original = find(c, name)?;
    if !matches!(original.protocol, Protocol::Websocket | Protocol::Sse) {
        return Err(LoadError::UnsupportedProtocol {
            request: original.name.clone(),
            protocol: original.protocol.as_str(),
        });
    }
    let vars = Vars::for_collection(
        c,
        opts.environment.as_deref(),
        &opts.globals,
        &opts.overrides,
    )
    .map_err(|e| request_error(e.into()))?;
    let r = vars
        .render_request(original)
        .map_err(|e| request_error(e.into()))?;
    if r.protocol == Protocol::Sse {
        let cfg = prepare::sse_config(&r, &opts.base_dir).map_err(request_error)?;
        return Ok(SavedTarget {
            name: r.name,
            target: Target::Sse(cfg),
            messages: Vec::new(),
        });
    }
    let connect = prepare::ws_config(&r, &opts.base_dir).map_err(request_error)?;
    let codec = prepare::codec(&r, &opts.base_dir).map_err(request_error)?;
    let messages = r
        .messages
        .iter()
        .map(|m| prepare::outgoing(&r, m, &opts.base_dir, codec.as_ref()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(request_error)?;
    Ok(SavedTarget {
        name: r.name,
        target: Target::Ws(connect),
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{Environment, Folder, Item, KeyValue, SavedMessage, Variable};

    fn collection() -> Collection {
        let req = Request {
            name: "Echo".into(),
            url: "ws://{{host}}/echo".into(),
            headers: vec![KeyValue::new("X-Env", "{{host}}")],
            subprotocols: vec!["chat".into()],
            messages: vec![SavedMessage {
                name: "hi".into(),
                body: "hello {{host}}".into(),
                ..SavedMessage::default()
            }],
            ..Request::default()
        };
        let sse = Request {
            name: "Feed".into(),
            url: "http://x/sse".into(),
            protocol: Protocol::Sse,
            ..Request::default()
        };
        Collection {
            name: "C".into(),
            environments: vec![Environment {
                name: "local".into(),
                variables: vec![Variable::plain("host", "127.0.0.1:9")],
            }],
            items: vec![
                Item::Folder(Folder {
                    name: "F".into(),
                    items: vec![Item::Request(Box::new(req))],
                    ..Folder::default()
                }),
                Item::Request(Box::new(sse)),
            ],
            ..Collection::default()
        }
    }

    fn opts(env: Option<&str>) -> RunOptions {
        RunOptions {
            environment: env.map(str::to_string),
            ..RunOptions::default()
        }
    }

    #[test]
    fn the_request_is_rendered_with_the_environment_and_its_messages() {
        let t = saved_target(&collection(), "Echo", &opts(Some("local"))).unwrap();
        let Target::Ws(connect) = &t.target else {
            panic!("a websocket request: {t:?}")
        };
        assert_eq!(connect.url, "ws://127.0.0.1:9/echo");
        assert_eq!(
            connect.headers,
            vec![("X-Env".to_string(), "127.0.0.1:9".to_string())]
        );
        assert_eq!(connect.subprotocols, vec!["chat".to_string()]);
        assert_eq!(t.messages, vec![Outgoing::Text("hello 127.0.0.1:9".into())]);
        // Also by its path.
        assert!(saved_target(&collection(), "F / Echo", &opts(Some("local"))).is_ok());
    }

    #[test]
    fn unknown_names_list_what_exists_and_undefined_variables_fail() {
        let e = saved_target(&collection(), "Nope", &opts(None)).unwrap_err();
        assert_eq!(e.code(), "load.unknown_request");
        let msg = e.to_string();
        assert!(msg.contains("'F / Echo', 'Feed'"), "{msg}");
        let e = saved_target(&collection(), "Echo", &opts(None)).unwrap_err();
        assert!(e.to_string().contains("host"), "{e}");
        let feed = saved_target(&collection(), "Feed", &opts(None)).unwrap();
        assert!(matches!(feed.target, Target::Sse(ref c) if c.url == "http://x/sse"));
    }
}
