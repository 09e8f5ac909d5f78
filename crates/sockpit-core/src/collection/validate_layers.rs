//! Checks of the Socket.IO and GraphQL parts of a request (STOMP and MQTT in `validate_brokers`): its `settings.socketio` /
//! `settings.graphql`, and its saved messages as emits or operations. JSON fields holding
//! `{{variables}}` are checked once rendered, by the runner.

use serde_json::Value;

use super::error::CollectionError;
use super::model::{MessageKind, Protocol, Request};

fn json(text: &str) -> Option<Result<Value, String>> {
    (!text.contains("{{")).then(|| serde_json::from_str(text).map_err(|e| e.to_string()))
}

pub(super) fn validate_layers(r: &Request) -> Result<(), CollectionError> {
    let bad = |what: &'static str, reason: String| CollectionError::InvalidRequest {
        request: r.name.clone(),
        what,
        reason,
    };
    super::validate_brokers::validate_brokers(r)?;
    if r.settings.socketio.is_some() && r.protocol != Protocol::Socketio {
        return Err(bad(
            "settings",
            format!(
                "settings.socketio applies to Socket.IO requests, and this one is {}: set \
                 \"protocol\": \"socketio\" or remove it",
                r.protocol.as_str()
            ),
        ));
    }
    if r.settings.graphql.is_some() && r.protocol != Protocol::Graphql {
        return Err(bad(
            "settings",
            format!(
                "settings.graphql applies to GraphQL requests, and this one is {}: set \
                 \"protocol\": \"graphql\" or remove it",
                r.protocol.as_str()
            ),
        ));
    }
    if let Some(s) = &r.settings.socketio {
        if let Some(e) = s.eio.filter(|e| !matches!(e, 3 | 4)) {
            return Err(bad(
                "settings",
                format!("settings.socketio.eio is {e}: give 3 (Socket.IO v2) or 4 (v3/v4)"),
            ));
        }
        if let Some(t) = s
            .transport
            .as_deref()
            .filter(|t| !matches!(*t, "polling" | "websocket"))
        {
            return Err(bad(
                "settings",
                format!("settings.socketio.transport is '{t}': give polling or websocket"),
            ));
        }
        if let Some(Err(e)) = s.auth.as_deref().and_then(json) {
            return Err(bad(
                "settings",
                format!("settings.socketio.auth is not JSON ({e}); write an object like {{\"token\":\"...\"}}"),
            ));
        }
    }
    if let Some(g) = &r.settings.graphql {
        if let Some(p) = g
            .subprotocol
            .as_deref()
            .filter(|p| !matches!(*p, "graphql-transport-ws" | "graphql-ws"))
        {
            return Err(bad(
                "settings",
                format!(
                    "settings.graphql.subprotocol is '{p}': give graphql-transport-ws or \
                     graphql-ws (the legacy protocol)"
                ),
            ));
        }
        if let Some(Err(e)) = g.init.as_deref().and_then(json) {
            return Err(bad(
                "settings",
                format!("settings.graphql.init is not JSON ({e})"),
            ));
        }
    }
    for m in &r.messages {
        let msg = |reason: String| bad("message", format!("message '{}': {reason}", m.name));
        let sio_parts = m.event.is_some() || m.namespace.is_some() || m.ack;
        let gql_parts = m.variables.is_some() || m.operation_name.is_some();
        match r.protocol {
            Protocol::Socketio => {
                if gql_parts {
                    return Err(msg("variables and operation_name belong to GraphQL operations; a Socket.IO message is an emit (event, body = JSON args, ack)".into()));
                }
                if m.event.as_deref().is_none_or(|e| e.trim().is_empty()) {
                    return Err(msg(
                        "a Socket.IO message needs \"event\": the event to emit (its args are the body, a JSON array)".into(),
                    ));
                }
                if !matches!(m.kind, MessageKind::Text | MessageKind::Json) {
                    return Err(msg(format!(
                        "kind {} cannot be emitted: a Socket.IO body is JSON args (binary as {{\"_binary_b64\":\"...\"}})",
                        m.kind.as_str()
                    )));
                }
                if let Some(Err(e)) = (!m.body.trim().is_empty()).then(|| json(&m.body)).flatten() {
                    return Err(msg(format!(
                        "the body is not JSON ({e}); write the args as a JSON array like [\"hi\", 1]"
                    )));
                }
            }
            Protocol::Graphql => {
                if sio_parts {
                    return Err(msg("event, namespace and ack belong to Socket.IO emits; a GraphQL message is an operation (body = the query, variables, operation_name)".into()));
                }
                if m.body.trim().is_empty() {
                    return Err(msg(
                        "a GraphQL operation needs its document in \"body\" (e.g. subscription { tick })".into(),
                    ));
                }
                match m.variables.as_deref().and_then(json) {
                    Some(Err(e)) => return Err(msg(format!("variables are not JSON ({e})"))),
                    Some(Ok(v)) if !v.is_object() => {
                        return Err(msg(format!("variables must be a JSON object, got {v}")))
                    }
                    _ => {}
                }
            }
            // Checked by validate_brokers.
            Protocol::Stomp | Protocol::Mqtt => {}
            Protocol::Websocket | Protocol::Sse => {
                if sio_parts || gql_parts {
                    return Err(msg(format!(
                        "event/namespace/ack (Socket.IO) and variables/operation_name (GraphQL) \
                         do not apply to a {} request: set its protocol or remove them",
                        r.protocol.as_str()
                    )));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{GraphqlSettings, SavedMessage, SocketIoSettings};

    fn req(protocol: Protocol, messages: Vec<SavedMessage>) -> Request {
        Request {
            name: "r".into(),
            protocol,
            url: "ws://127.0.0.1:1".into(),
            messages,
            ..Request::default()
        }
    }

    fn emit(event: Option<&str>, body: &str) -> SavedMessage {
        SavedMessage {
            name: "m".into(),
            body: body.into(),
            event: event.map(Into::into),
            ..SavedMessage::default()
        }
    }

    fn err(r: &Request) -> String {
        validate_layers(r).unwrap_err().to_string()
    }

    #[test]
    fn socketio_emits_need_an_event_and_json_args() {
        assert!(validate_layers(&req(Protocol::Socketio, vec![emit(Some("echo"), "[1]")])).is_ok());
        assert!(validate_layers(&req(Protocol::Socketio, vec![emit(Some("echo"), "")])).is_ok());
        assert!(validate_layers(&req(
            Protocol::Socketio,
            vec![emit(Some("e"), "[\"{{x}}\"")]
        ))
        .is_ok());
        assert!(err(&req(Protocol::Socketio, vec![emit(None, "[1]")])).contains("needs \"event\""));
        let e = err(&req(Protocol::Socketio, vec![emit(Some("echo"), "[1,")]));
        assert!(e.contains("message 'm'") && e.contains("not JSON"), "{e}");
        let e = err(&req(Protocol::Websocket, vec![emit(Some("echo"), "x")]));
        assert!(e.contains("do not apply to a websocket request"), "{e}");
    }

    #[test]
    fn graphql_operations_need_a_document_and_object_variables() {
        let op = |body: &str, vars: Option<&str>| SavedMessage {
            name: "op".into(),
            body: body.into(),
            variables: vars.map(Into::into),
            ..SavedMessage::default()
        };
        assert!(validate_layers(&req(
            Protocol::Graphql,
            vec![op("{ hello }", Some("{\"a\":1}"))]
        ))
        .is_ok());
        assert!(err(&req(Protocol::Graphql, vec![op(" ", None)])).contains("needs its document"));
        assert!(
            err(&req(Protocol::Graphql, vec![op("{ a }", Some("[1]"))])).contains("JSON object")
        );
        let mut r = req(Protocol::Graphql, vec![emit(Some("x"), "{ a }")]);
        assert!(err(&r).contains("belong to Socket.IO"));
        r.messages.clear();
        r.settings.graphql = Some(GraphqlSettings {
            subprotocol: Some("graphql-sse".into()),
            ..GraphqlSettings::default()
        });
        assert!(err(&r).contains("graphql-transport-ws or graphql-ws"));
    }

    #[test]
    fn protocol_settings_belong_to_their_protocol() {
        let mut r = req(Protocol::Websocket, vec![]);
        r.settings.socketio = Some(SocketIoSettings::default());
        assert!(err(&r).contains("\"protocol\": \"socketio\""));
        r.protocol = Protocol::Socketio;
        r.settings.socketio = Some(SocketIoSettings {
            eio: Some(5),
            ..SocketIoSettings::default()
        });
        assert!(err(&r).contains("give 3"));
        r.settings.socketio = Some(SocketIoSettings {
            auth: Some("{token".into()),
            ..SocketIoSettings::default()
        });
        assert!(err(&r).contains("settings.socketio.auth is not JSON"));
    }
}
