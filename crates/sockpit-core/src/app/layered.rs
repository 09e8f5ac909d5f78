//! Socket.IO and GraphQL requests for the faces: a stored (or edited) request rendered with every
//! variable layer into its layer's configuration (`runner::layered` does the mapping, as for
//! `sockpit run`), a request created with its protocol, and the user's input for an emit or an
//! operation checked into what the layers take, with errors that name what was wrong.

use std::path::Path;

use serde_json::Value;

use crate::collection::model::{Protocol, Request};
use crate::protocol::graphql::{GraphqlOptions, Operation};
use crate::protocol::socketio::SocketIoConfig;
use crate::runner::layered::{graphql_options, socketio_config as sio_config};
use crate::template::Vars;
use crate::ws::{ConnectConfig, ReconnectPolicy};

use super::requests::non_empty;
use super::{App, AppError};

/// A GraphQL request ready to connect: the WebSocket session under the layer, and the layer's
/// options (subprotocol, `connection_init` payload, ack timeout).
#[derive(Debug, Clone)]
pub struct GraphqlRender {
    pub ws: ConnectConfig,
    pub options: GraphqlOptions,
}

/// `request` with its variables rendered (saved messages left out: they are checked when sent).
fn rendered(request: &Request, vars: &Vars) -> Result<Request, AppError> {
    let mut model = request.clone();
    if model.name.is_empty() {
        model.name = "Untitled".into();
    }
    model.messages.clear();
    Ok(vars.render_request(&model)?)
}

fn with_reconnect(cfg: &mut ConnectConfig, reconnect: bool) {
    if reconnect && cfg.reconnect.is_none() {
        cfg.reconnect = Some(ReconnectPolicy::default());
    }
}

/// The Socket.IO configuration for `request` with `vars` (see [`App::render_socketio`]).
pub fn socketio_config(
    request: &Request,
    vars: &Vars,
    reconnect: bool,
    base_dir: &Path,
) -> Result<SocketIoConfig, AppError> {
    let mut cfg = sio_config(&rendered(request, vars)?, base_dir)?;
    with_reconnect(&mut cfg.ws, reconnect);
    cfg.ws.redact = vars.secret_values();
    Ok(cfg)
}

/// The GraphQL configuration for `request` with `vars` (see [`App::render_graphql`]).
pub fn graphql_config(
    request: &Request,
    vars: &Vars,
    reconnect: bool,
    base_dir: &Path,
) -> Result<GraphqlRender, AppError> {
    let r = rendered(request, vars)?;
    let mut ws = crate::runner::prepare::ws_config(&r, base_dir)?;
    with_reconnect(&mut ws, reconnect);
    ws.redact = vars.secret_values();
    Ok(GraphqlRender {
        ws,
        options: graphql_options(&r)?,
    })
}

/// An emit's arguments from the text a user typed: a JSON array is the arguments, any other JSON
/// value is the one argument, and empty text is none (`app.invalid_args` otherwise).
pub fn emit_args(text: &str) -> Result<Vec<Value>, AppError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    match serde_json::from_str(text) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(v) => Ok(vec![v]),
        Err(e) => Err(AppError::invalid(
            "app.invalid_args",
            format!("the event's arguments are not JSON ({e}); give a JSON array of arguments or one JSON value"),
        )),
    }
}

/// The event name of an emit: not empty, and not one of Socket.IO's reserved names.
pub fn emit_name(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(AppError::invalid(
            "app.invalid_event",
            "the event name is empty; type the name of the event to emit",
        ));
    }
    const RESERVED: [&str; 6] = [
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
    ];
    if RESERVED.contains(&n) {
        return Err(AppError::invalid(
            "app.invalid_event",
            format!("'{n}' is a reserved Socket.IO event name and cannot be emitted"),
        ));
    }
    Ok(n.to_string())
}

/// A GraphQL operation from the editor: the document, the variables as JSON text (an object, or
/// empty for none) and the operation name (empty for none).
pub fn graphql_operation(
    query: &str,
    variables: &str,
    operation_name: &str,
) -> Result<Operation, AppError> {
    if query.trim().is_empty() {
        return Err(AppError::invalid(
            "app.invalid_query",
            "the query is empty; write a GraphQL document (query, mutation or subscription)",
        ));
    }
    let mut op = Operation::new(query);
    if !variables.trim().is_empty() {
        match serde_json::from_str::<Value>(variables) {
            Ok(v @ Value::Object(_)) => op.variables = Some(v),
            Ok(Value::Null) => {}
            Ok(_) => {
                return Err(AppError::invalid(
                    "app.invalid_variables",
                    "the variables must be a JSON object, like {\"id\": 1}",
                ))
            }
            Err(e) => {
                return Err(AppError::invalid(
                    "app.invalid_variables",
                    format!("the variables are not JSON ({e})"),
                ))
            }
        }
    }
    let name = operation_name.trim();
    if !name.is_empty() {
        op.operation_name = Some(name.to_string());
    }
    Ok(op)
}

impl App {
    /// The Socket.IO configuration for `request` of `collection`, variables rendered and secrets
    /// filled as for a WebSocket request; `reconnect` turns on the default policy when the
    /// settings name none. Secret values are marked for redaction.
    pub fn render_socketio(
        &self,
        request: &Request,
        collection: Option<i64>,
        reconnect: bool,
    ) -> Result<SocketIoConfig, AppError> {
        let vars = self.request_vars(collection)?;
        socketio_config(request, &vars, reconnect, &self.data_dir)
    }

    /// The GraphQL configuration for `request` of `collection` (see [`App::render_socketio`]).
    pub fn render_graphql(
        &self,
        request: &Request,
        collection: Option<i64>,
        reconnect: bool,
    ) -> Result<GraphqlRender, AppError> {
        let vars = self.request_vars(collection)?;
        graphql_config(request, &vars, reconnect, &self.data_dir)
    }

    /// Creates an empty request of `protocol` named `name` in `collection` (under `folder`).
    pub fn create_request(
        &self,
        name: &str,
        protocol: Protocol,
        collection: i64,
        folder: Option<i64>,
    ) -> Result<i64, AppError> {
        let name = non_empty(name)?;
        let r = Request {
            name,
            protocol,
            ..Request::default()
        };
        self.with_store(|s| Ok(s.add_request(collection, folder, &r)?))
    }
}

/// A protocol's name as the faces spell it (`websocket`, `socketio`, `graphql`, `stomp`, `mqtt`,
/// `sse`).
pub fn parse_protocol(s: &str) -> Result<Protocol, AppError> {
    Protocol::parse(s).ok_or_else(|| {
        AppError::invalid(
            "app.invalid_protocol",
            format!(
                "unknown protocol '{s}'; expected websocket, socketio, graphql, stomp, mqtt or sse"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{
        GraphqlSettings, SavedMessage, Settings, SocketIoSettings, Variable,
    };
    use crate::protocol::graphql::Subprotocol;
    use crate::protocol::socketio::Transport;
    use crate::secrets::SecretStore;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.push_layer(
            "env",
            vec![
                Variable::plain("host", "127.0.0.1:3000"),
                Variable::plain("token", "s3cret"),
            ],
        );
        v
    }

    fn sio_request() -> Request {
        Request {
            name: "chat".into(),
            protocol: Protocol::Socketio,
            url: "http://{{host}}/".into(),
            settings: Settings {
                socketio: Some(SocketIoSettings {
                    path: Some("/io/".into()),
                    namespaces: vec!["/chat".into()],
                    auth: Some(r#"{"token":"{{token}}"}"#.into()),
                    eio: Some(4),
                    transport: Some("websocket".into()),
                }),
                ..Settings::default()
            },
            ..Request::default()
        }
    }

    fn gql_request() -> Request {
        Request {
            name: "counter".into(),
            protocol: Protocol::Graphql,
            url: "ws://{{host}}/graphql".into(),
            settings: Settings {
                graphql: Some(GraphqlSettings {
                    subprotocol: Some("graphql-ws".into()),
                    init: Some(r#"{"token":"{{token}}"}"#.into()),
                    ack_timeout_ms: Some(2500),
                }),
                ..Settings::default()
            },
            ..Request::default()
        }
    }

    #[test]
    fn a_socketio_request_renders_into_the_layer_config_with_its_settings() {
        let cfg = socketio_config(&sio_request(), &vars(), true, Path::new(".")).unwrap();
        assert_eq!(cfg.ws.url, "ws://127.0.0.1:3000/");
        assert_eq!(cfg.path, "/io/");
        assert_eq!(cfg.namespaces, vec!["/chat".to_string()]);
        assert_eq!(cfg.auth, Some(serde_json::json!({"token": "s3cret"})));
        assert_eq!(cfg.eio, Some(4));
        assert_eq!(cfg.transport, Transport::WebSocket);
        assert!(cfg.ws.reconnect.is_some(), "reconnect asked for");
        let plain = socketio_config(&sio_request(), &vars(), false, Path::new(".")).unwrap();
        assert!(plain.ws.reconnect.is_none());
    }

    #[test]
    fn a_socketio_request_without_settings_takes_the_defaults() {
        let r = Request {
            protocol: Protocol::Socketio,
            url: "ws://127.0.0.1:9".into(),
            ..Request::default()
        };
        let cfg = socketio_config(&r, &Vars::new(), false, Path::new(".")).unwrap();
        assert_eq!(cfg.path, "/socket.io/");
        assert_eq!(cfg.transport, Transport::Polling);
        assert_eq!(cfg.eio, None);
        assert!(cfg.auth.is_none());
    }

    #[test]
    fn a_bad_auth_payload_is_an_error_that_names_the_setting() {
        let mut r = sio_request();
        if let Some(s) = r.settings.socketio.as_mut() {
            s.auth = Some("{token:".into());
        }
        let e = socketio_config(&r, &vars(), false, Path::new(".")).unwrap_err();
        assert_eq!(e.code(), "run.invalid_settings");
        assert!(e.to_string().contains("settings.socketio.auth"), "{e}");
    }

    #[test]
    fn a_graphql_request_renders_its_session_and_layer_options() {
        let g = graphql_config(&gql_request(), &vars(), false, Path::new(".")).unwrap();
        assert_eq!(g.ws.url, "ws://127.0.0.1:3000/graphql");
        assert_eq!(g.options.only, Some(Subprotocol::LegacyWs));
        assert_eq!(
            g.options.init_payload,
            Some(serde_json::json!({"token": "s3cret"}))
        );
        assert_eq!(
            g.options.ack_timeout,
            std::time::Duration::from_millis(2500)
        );
        let mut bad = gql_request();
        if let Some(s) = bad.settings.graphql.as_mut() {
            s.init = Some("nope".into());
        }
        let e = graphql_config(&bad, &vars(), false, Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("settings.graphql.init"), "{e}");
    }

    #[test]
    fn an_unknown_variable_fails_before_any_traffic() {
        let e = socketio_config(&sio_request(), &Vars::new(), false, Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("host"), "{e}");
    }

    #[test]
    fn emit_input_is_checked_with_errors_that_say_what_was_wrong() {
        assert_eq!(emit_args("").unwrap(), Vec::<Value>::new());
        assert_eq!(
            emit_args(r#"[1, "a"]"#).unwrap(),
            vec![serde_json::json!(1), serde_json::json!("a")]
        );
        assert_eq!(
            emit_args(r#"{"a":1}"#).unwrap(),
            vec![serde_json::json!({"a": 1})]
        );
        let e = emit_args("[1,").unwrap_err();
        assert_eq!(e.code(), "app.invalid_args");
        assert!(e.to_string().contains("not JSON"), "{e}");
        assert_eq!(emit_name(" chat ").unwrap(), "chat");
        assert_eq!(emit_name("").unwrap_err().code(), "app.invalid_event");
        assert!(emit_name("connect")
            .unwrap_err()
            .to_string()
            .contains("reserved"));
    }

    #[test]
    fn an_operation_needs_a_document_and_object_variables() {
        let op =
            graphql_operation("subscription { count(to: 3) }", r#"{"n": 3}"#, " Count ").unwrap();
        assert_eq!(op.variables, Some(serde_json::json!({"n": 3})));
        assert_eq!(op.operation_name.as_deref(), Some("Count"));
        let none = graphql_operation("{ hello }", "  ", "").unwrap();
        assert!(none.variables.is_none() && none.operation_name.is_none());
        assert_eq!(
            graphql_operation(" ", "", "").unwrap_err().code(),
            "app.invalid_query"
        );
        let e = graphql_operation("{ hello }", "[1]", "").unwrap_err();
        assert_eq!(e.code(), "app.invalid_variables");
        assert!(e.to_string().contains("JSON object"), "{e}");
        assert!(graphql_operation("{ hello }", "{", "")
            .unwrap_err()
            .to_string()
            .contains("not JSON"));
    }

    #[test]
    fn protocols_parse_by_their_share_format_names() {
        assert_eq!(parse_protocol("socketio").unwrap(), Protocol::Socketio);
        assert_eq!(parse_protocol("graphql").unwrap(), Protocol::Graphql);
        assert_eq!(parse_protocol("stomp").unwrap(), Protocol::Stomp);
        assert_eq!(parse_protocol("mqtt").unwrap(), Protocol::Mqtt);
        let e = parse_protocol("amqp").unwrap_err();
        assert_eq!(e.code(), "app.invalid_protocol");
        assert!(e.to_string().contains("stomp, mqtt or sse"), "{e}");
    }

    #[test]
    fn a_request_created_with_its_protocol_keeps_its_settings_and_emits_when_saved() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(dir.path());
        *super::super::lock(&app.secrets) = Some(SecretStore::database_only(dir.path()));
        let c = app.with_store(|s| Ok(s.create_collection("c")?)).unwrap();
        let id = app
            .create_request("chat", Protocol::Socketio, c, None)
            .unwrap();
        let (r, coll) = app.load_request(id).unwrap();
        assert_eq!((r.protocol, coll), (Protocol::Socketio, c));
        let mut edited = sio_request();
        edited.messages.push(SavedMessage {
            name: "hi".into(),
            body: r#"["hello"]"#.into(),
            event: Some("chat".into()),
            namespace: Some("/chat".into()),
            ack: true,
            ..SavedMessage::default()
        });
        app.save_request(Some(id), None, edited.clone()).unwrap();
        let (back, _) = app.load_request(id).unwrap();
        assert_eq!(back.protocol, Protocol::Socketio);
        assert_eq!(back.settings.socketio, edited.settings.socketio);
        assert_eq!(back.messages, edited.messages);
        let gid = app
            .create_request("counter", Protocol::Graphql, c, None)
            .unwrap();
        app.save_request(Some(gid), None, gql_request()).unwrap();
        let (g, _) = app.load_request(gid).unwrap();
        assert_eq!(g.settings.graphql, gql_request().settings.graphql);
        assert_eq!(
            app.create_request(" ", Protocol::Graphql, c, None)
                .unwrap_err()
                .code(),
            "app.empty_name"
        );
    }
}
