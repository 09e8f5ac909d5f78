//! The editor's `RequestSpec` to and from the store's request model: argument mapping only. Core's
//! `app` API takes the model from here (to save it, or to render it into an engine configuration
//! with every variable layer and secret). The Settings tab's CA file, skip-verify, proxy and
//! deflate parameters (`extras`) are saved in the model's `Settings` (`request_extras`), so the
//! engine applies them like every other setting.

use sockpit_core::collection::model::{
    Auth, KeyValue, MessageKind, MqttProperties, Protocol, Request, SavedMessage, Settings,
};

use sockpit_core::app::parse_protocol;

use crate::dto::{AppError, SendMode};
use crate::dto_script::ScriptsDto;
use crate::dto_store::{KvDto, RequestSpec, SavedMessageDto};
use crate::request_extras::{extras_of, with_extras, without_extras};

/// A saved message's default name (when the user gave none): its first line, cut to 40 characters.
fn message_name(body: &str) -> String {
    let first = body.lines().next().unwrap_or("").trim();
    let mut name: String = first.chars().take(40).collect();
    if name.is_empty() {
        name = "message".into();
    }
    name
}

/// The composer's mode as the model's message kind (the same six ways of sending).
pub fn message_kind(mode: SendMode) -> MessageKind {
    match mode {
        SendMode::Text => MessageKind::Text,
        SendMode::Json => MessageKind::Json,
        SendMode::Hex => MessageKind::Hex,
        SendMode::Base64 => MessageKind::Base64,
        SendMode::File => MessageKind::File,
        SendMode::Protobuf => MessageKind::Protobuf,
    }
}

fn send_mode(kind: MessageKind) -> SendMode {
    match kind {
        MessageKind::Text => SendMode::Text,
        MessageKind::Json => SendMode::Json,
        MessageKind::Hex => SendMode::Hex,
        MessageKind::Base64 => SendMode::Base64,
        MessageKind::File => SendMode::File,
        MessageKind::Protobuf => SendMode::Protobuf,
    }
}

fn kvs(list: &[KvDto]) -> Vec<KeyValue> {
    list.iter()
        .filter(|kv| !kv.name.trim().is_empty())
        .map(|kv| KeyValue {
            name: kv.name.trim().to_string(),
            value: kv.value.clone(),
            enabled: kv.enabled,
        })
        .collect()
}

fn invalid(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::new("app.invalid_request", format!("{what}: {e}"))
}

/// The model's `Auth`/`Settings` from their JSON (`null` or `{}` is the default).
fn from_json<T: serde::de::DeserializeOwned + Default>(
    what: &str,
    v: &serde_json::Value,
) -> Result<T, AppError> {
    if v.is_null() || v.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(T::default());
    }
    serde_json::from_value(v.clone()).map_err(|e| invalid(what, e))
}

/// A text field of a saved message: absent when blank.
fn filled(v: &Option<String>) -> Option<String> {
    v.clone().filter(|v| !v.trim().is_empty())
}

/// The model of one saved message, every protocol's part carried (Socket.IO emit, GraphQL
/// operation, STOMP SEND, MQTT publish).
fn saved_message(m: &SavedMessageDto) -> Result<SavedMessage, AppError> {
    let properties = match &m.properties {
        None => None,
        Some(p) => {
            Some(from_json::<MqttProperties>("message properties", p)?).filter(|p| !p.is_empty())
        }
    };
    Ok(SavedMessage {
        name: match m.name.trim() {
            "" => message_name(&m.body),
            n => n.to_string(),
        },
        kind: message_kind(m.kind),
        body: m.body.clone(),
        delay_ms: m.delay_ms,
        event: filled(&m.event),
        namespace: filled(&m.namespace),
        ack: m.ack.unwrap_or(false),
        variables: filled(&m.variables),
        operation_name: filled(&m.operation_name),
        destination: filled(&m.destination),
        headers: m
            .headers
            .iter()
            .filter(|h| !h.trim().is_empty())
            .cloned()
            .collect(),
        topic: filled(&m.topic),
        qos: m.qos,
        retain: m.retain.unwrap_or(false),
        properties,
    })
}

/// What the editor shows for one saved message.
fn saved_message_dto(m: &SavedMessage) -> SavedMessageDto {
    SavedMessageDto {
        name: m.name.clone(),
        kind: send_mode(m.kind),
        body: m.body.clone(),
        event: m.event.clone(),
        namespace: m.namespace.clone(),
        ack: m.ack.then_some(true),
        variables: m.variables.clone(),
        operation_name: m.operation_name.clone(),
        delay_ms: m.delay_ms,
        destination: m.destination.clone(),
        headers: m.headers.clone(),
        topic: m.topic.clone(),
        qos: m.qos,
        retain: m.retain.then_some(true),
        properties: m
            .properties
            .as_ref()
            .and_then(|p| serde_json::to_value(p).ok()),
    }
}

/// The store model of what the editor holds.
pub fn spec_to_model(spec: &RequestSpec) -> Result<Request, AppError> {
    Ok(Request {
        name: spec.name.trim().to_string(),
        protocol: match spec.protocol.trim() {
            "" => Protocol::Websocket,
            p => parse_protocol(p)?,
        },
        url: spec.url.trim().to_string(),
        params: kvs(&spec.params),
        headers: kvs(&spec.headers),
        subprotocols: spec
            .subprotocols
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        auth: from_json::<Auth>("auth", &spec.auth)?,
        settings: with_extras(
            from_json::<Settings>("settings", &spec.settings)?,
            &spec.extras,
        ),
        messages: spec
            .messages
            .iter()
            .map(saved_message)
            .collect::<Result<_, _>>()?,
        scripts: spec
            .scripts
            .as_ref()
            .map(ScriptsDto::to_model)
            .unwrap_or_default(),
        ..Request::default()
    })
}

/// What the editor shows for a stored request.
pub fn model_to_spec(r: &Request) -> RequestSpec {
    let kv = |list: &[KeyValue]| {
        list.iter()
            .map(|k| KvDto {
                name: k.name.clone(),
                value: k.value.clone(),
                enabled: k.enabled,
            })
            .collect()
    };
    RequestSpec {
        name: r.name.clone(),
        protocol: r.protocol.as_str().to_string(),
        url: r.url.clone(),
        params: kv(&r.params),
        headers: kv(&r.headers),
        subprotocols: r.subprotocols.clone(),
        auth: serde_json::to_value(&r.auth).unwrap_or(serde_json::Value::Null),
        settings: serde_json::to_value(without_extras(&r.settings))
            .unwrap_or(serde_json::Value::Null),
        messages: r.messages.iter().map(saved_message_dto).collect(),
        sse_url: String::new(),
        extras: extras_of(&r.settings),
        scripts: Some(ScriptsDto::of_model(&r.scripts)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto_store::ExtrasDto;
    use sockpit_core::app::AppError as CoreError;
    use sockpit_core::collection::model::Variable;
    use sockpit_core::template::Vars;
    use sockpit_core::ws::ConnectConfig;

    /// The editor's request rendered as `ws_connect` does (core's `app::ws_config`).
    fn connect_config(
        spec: &RequestSpec,
        vars: &Vars,
        reconnect: bool,
        dir: &std::path::Path,
    ) -> Result<ConnectConfig, CoreError> {
        sockpit_core::app::ws_config(&spec_to_model(spec).expect("model"), vars, reconnect, dir)
    }

    /// The SSE pane's subscription as `sse_subscribe` renders it (core's `app::sse_config`).
    fn sse_config(
        spec: &RequestSpec,
        url: &str,
        vars: &Vars,
        dir: &std::path::Path,
    ) -> Result<(sockpit_core::sse::SseConfig, Option<String>), CoreError> {
        sockpit_core::app::sse_config(&spec_to_model(spec).expect("model"), url, vars, dir)
    }

    /// An active environment with `host` and `token`.
    fn env_vars(host: &str, token: &str) -> Vars {
        let mut vars = Vars::new();
        vars.push_layer(
            "env",
            vec![
                Variable::plain("host", host),
                Variable::plain("token", token),
            ],
        );
        vars
    }

    fn msg() -> SavedMessageDto {
        SavedMessageDto {
            name: String::new(),
            kind: SendMode::Text,
            body: String::new(),
            event: None,
            namespace: None,
            ack: None,
            variables: None,
            operation_name: None,
            delay_ms: None,
            destination: None,
            headers: Vec::new(),
            topic: None,
            qos: None,
            retain: None,
            properties: None,
        }
    }

    fn spec() -> RequestSpec {
        RequestSpec {
            name: "r".into(),
            protocol: "websocket".into(),
            url: "ws://{{host}}/echo".into(),
            params: vec![KvDto {
                name: "a".into(),
                value: "1".into(),
                enabled: true,
            }],
            headers: vec![KvDto {
                name: "X-Test".into(),
                value: "{{token}}".into(),
                enabled: true,
            }],
            subprotocols: vec!["chat".into()],
            auth: serde_json::json!({"type": "bearer", "token": "{{token}}"}),
            settings: serde_json::json!({"handshake_timeout_ms": 1500, "deflate": false}),
            messages: vec![
                SavedMessageDto {
                    name: "greeting".into(),
                    kind: SendMode::Text,
                    body: "hello".into(),
                    ..msg()
                },
                SavedMessageDto {
                    name: String::new(),
                    kind: SendMode::Hex,
                    body: "de ad".into(),
                    ..msg()
                },
            ],
            sse_url: String::new(),
            extras: ExtrasDto {
                insecure: true,
                proxy: "socks5://127.0.0.1:1080".into(),
                ..ExtrasDto::default()
            },
            scripts: Some(ScriptsDto {
                on_open: "sp.send('hi')".into(),
                ..ScriptsDto::default()
            }),
        }
    }

    #[test]
    fn maps_onto_the_engine_config() {
        let vars = env_vars("127.0.0.1:9", "t0k");
        let cfg = connect_config(&spec(), &vars, true, std::path::Path::new(".")).expect("config");
        assert_eq!(cfg.url, "ws://127.0.0.1:9/echo");
        assert_eq!(cfg.query, vec![("a".to_string(), "1".to_string())]);
        assert!(cfg.headers.contains(&("X-Test".into(), "t0k".into())));
        assert_eq!(cfg.subprotocols, vec!["chat".to_string()]);
        assert_eq!(cfg.handshake_timeout.as_millis(), 1500);
        assert!(cfg.deflate.is_none());
        assert!(cfg.tls.skip_verify);
        assert!(cfg.proxy.is_some());
        assert!(cfg.reconnect.is_some());
    }

    #[test]
    fn an_unknown_variable_is_a_readable_error() {
        let err = connect_config(&spec(), &Vars::new(), false, std::path::Path::new("."))
            .expect_err("undefined");
        assert_eq!(err.code(), "template.undefined_variable");
        assert!(err.to_string().contains("host"), "{err}");
    }

    #[test]
    fn round_trips_through_the_model() {
        let s = spec();
        let back = model_to_spec(&spec_to_model(&s).expect("model"));
        assert_eq!(back.auth, s.auth);
        assert_eq!(back.headers, s.headers);
        assert_eq!(back.messages[0], s.messages[0]);
        // A message saved without a name is named after its first line; its kind is kept.
        assert_eq!(back.messages[1].name, "de ad");
        assert_eq!(back.messages[1].kind, SendMode::Hex);
        assert_eq!(back.settings["handshake_timeout_ms"], 1500);
        assert_eq!(back.scripts, s.scripts, "the hooks round-trip");
        assert_eq!(back.extras, s.extras);
    }

    #[test]
    fn the_sse_pane_takes_the_requests_headers_and_http_auth() {
        let vars = env_vars("127.0.0.1:9", "t0k");
        let dir = std::path::Path::new(".");
        let (cfg, left_out) =
            sse_config(&spec(), " http://{{host}}/sse ", &vars, dir).expect("sse config");
        assert_eq!(cfg.url, "http://127.0.0.1:9/sse");
        assert!(cfg.headers.contains(&("X-Test".into(), "t0k".into())));
        assert!(
            cfg.query.is_empty(),
            "the WebSocket URL's params stay there"
        );
        assert!(cfg.auth.is_some(), "bearer auth applies to SSE too");
        assert!(cfg.tls.skip_verify && cfg.proxy.is_some());
        assert_eq!(left_out, None);

        // WebSocket-only auth is left out (and said so), not an error.
        let mut s = spec();
        s.auth = serde_json::json!({"type": "first_message", "message": "{\"t\":\"{{token}}\"}", "ack": "ok"});
        let (cfg, left_out) = sse_config(&s, "http://{{host}}/sse", &vars, dir).expect("config");
        assert!(cfg.auth.is_none());
        assert_eq!(left_out.as_deref(), Some("first_message"));

        // An unknown variable in the SSE URL is the same readable error as for connecting.
        let err = sse_config(&spec(), "http://{{nowhere}}/sse", &vars, dir).expect_err("undefined");
        assert_eq!(err.code(), "template.undefined_variable");
    }

    #[test]
    fn extras_round_trip_through_the_model_and_apply_once() {
        let mut s = spec();
        s.settings = serde_json::json!({"handshake_timeout_ms": 1500});
        s.extras = ExtrasDto {
            ca_file: "certs/{{host}}.pem".into(),
            insecure: true,
            proxy: "http://127.0.0.1:3128".into(),
            deflate_params: "client_no_context_takeover; server_max_window_bits=10".into(),
        };
        let model = spec_to_model(&s).expect("model");
        assert_eq!(
            model.settings.ca_file.as_deref(),
            Some("certs/{{host}}.pem")
        );
        assert_eq!(model.settings.insecure, Some(true));
        assert_eq!(
            model.settings.proxy.as_deref(),
            Some("http://127.0.0.1:3128")
        );
        let back = model_to_spec(&model);
        assert_eq!(back.extras, s.extras);
        // The editor has one copy: the settings JSON does not carry them too.
        assert_eq!(
            back.settings,
            serde_json::json!({"handshake_timeout_ms": 1500})
        );

        let vars = env_vars("localhost", "t");
        let cfg = connect_config(&s, &vars, false, std::path::Path::new("/data")).expect("config");
        assert_eq!(
            cfg.tls.extra_ca_files,
            vec![std::path::PathBuf::from("/data/certs/localhost.pem")]
        );
        assert!(cfg.tls.skip_verify);
        assert_eq!(cfg.proxy.expect("proxy").port, 3128);
        let d = cfg.deflate.expect("deflate");
        assert_eq!(d.server_max_window_bits, Some(10));

        // Empty extras store nothing: the request saves as it did before these fields.
        s.extras = ExtrasDto {
            ca_file: " ".into(),
            ..ExtrasDto::default()
        };
        assert_eq!(
            spec_to_model(&s).expect("model").settings,
            Settings {
                handshake_timeout_ms: Some(1500),
                ..Settings::default()
            }
        );

        s.extras.proxy = "ftp://x".into();
        let e = connect_config(&s, &vars, false, std::path::Path::new("/data")).unwrap_err();
        assert!(e.to_string().contains("settings.proxy"), "{e}");
    }

    #[test]
    fn a_socketio_request_keeps_its_protocol_settings_and_emits_through_the_editor() {
        let mut s = spec();
        s.protocol = "socketio".into();
        s.settings = serde_json::json!({"socketio": {"path": "/io/", "namespaces": ["/chat"], "auth": "{\"token\":\"t\"}", "eio": 4, "transport": "websocket"}});
        s.messages = vec![SavedMessageDto {
            name: "hi".into(),
            body: "[1]".into(),
            event: Some("chat".into()),
            namespace: Some("/chat".into()),
            ack: Some(true),
            ..msg()
        }];
        let model = spec_to_model(&s).expect("model");
        assert_eq!(model.protocol, Protocol::Socketio);
        let sio = model.settings.socketio.clone().expect("socketio settings");
        assert_eq!(sio.path.as_deref(), Some("/io/"));
        assert_eq!(sio.eio, Some(4));
        assert!(model.messages[0].ack);
        let back = model_to_spec(&model);
        assert_eq!(back.protocol, "socketio");
        assert_eq!(back.messages, s.messages);
        assert_eq!(back.settings["socketio"]["namespaces"][0], "/chat");
        s.protocol = "amqp".into();
        let e = spec_to_model(&s).expect_err("unknown protocol");
        assert_eq!(e.code, "app.invalid_protocol");
    }

    #[test]
    fn a_graphql_request_keeps_its_subprotocol_and_init_payload() {
        let mut s = spec();
        s.protocol = "graphql".into();
        s.settings =
            serde_json::json!({"graphql": {"subprotocol": "graphql-transport-ws", "init": "{}"}});
        let back = model_to_spec(&spec_to_model(&s).expect("model"));
        assert_eq!(back.protocol, "graphql");
        assert_eq!(
            back.settings["graphql"]["subprotocol"],
            "graphql-transport-ws"
        );
    }

    /// A STOMP request with everything the model holds for one (but the parts the editor has
    /// no fields for: description, assertions, received examples).
    fn stomp_request() -> Request {
        let mut r: Request = serde_json::from_value(serde_json::json!({
            "name": "STOMP orders", "protocol": "stomp", "url": "ws://{{host}}/stomp",
            "headers": [{"name": "X-Tenant", "value": "t1"}],
            "subprotocols": ["v12.stomp"],
            "settings": {"handshake_timeout_ms": 2000, "stomp": {
                "login": "guest", "passcode": "{{pass}}", "host": "/", "heartbeat": "1000,1000",
                "subscriptions": [{"destination": "/topic/a", "ack": "client"}, {"destination": "/queue/b"}]}},
            "messages": [
                {"name": "order", "kind": "json", "body": "{\"id\":1}", "delay_ms": 250,
                 "destination": "/queue/orders", "headers": ["content-type:application/json", "priority:9"]},
                {"name": "plain", "body": "hi", "destination": "/topic/a"}
            ]
        }))
        .expect("a STOMP request");
        r.scripts.on_open = Some("sp.log('open')".into());
        r
    }

    fn mqtt_request() -> Request {
        serde_json::from_value(serde_json::json!({
            "name": "MQTT sensors", "protocol": "mqtt", "url": "ws://{{host}}/mqtt",
            "settings": {"mqtt": {"subscriptions": [{"filter": "demo/+/temp", "qos": 2}]}},
            "messages": [
                {"name": "kitchen", "kind": "json", "body": "{\"c\":21.5}", "topic": "demo/kitchen/temp",
                 "qos": 1, "retain": true, "properties": {"content_type": "application/json",
                 "response_topic": "r/1", "correlation_data": "abc", "message_expiry_s": 60,
                 "user": [{"name": "u", "value": "1"}, {"name": "u", "value": "2"}]}},
                {"name": "attic", "body": "30", "topic": "demo/attic/temp", "qos": 2}
            ]
        }))
        .expect("an MQTT request")
    }

    #[test]
    fn stomp_and_mqtt_requests_round_trip_whole() {
        for r in [stomp_request(), mqtt_request()] {
            let spec = model_to_spec(&r);
            assert_eq!(spec.protocol, r.protocol.as_str());
            let back = spec_to_model(&spec).expect("model");
            assert_eq!(back, r, "{} round-trips through the editor", r.name);
        }
        let spec = model_to_spec(&stomp_request());
        assert_eq!(spec.settings["stomp"]["subscriptions"][0]["ack"], "client");
        assert_eq!(
            spec.messages[0].destination.as_deref(),
            Some("/queue/orders")
        );
        assert_eq!(spec.messages[0].headers.len(), 2);
        assert_eq!(spec.messages[0].delay_ms, Some(250));
        let spec = model_to_spec(&mqtt_request());
        assert_eq!(spec.messages[0].topic.as_deref(), Some("demo/kitchen/temp"));
        assert_eq!(
            (spec.messages[0].qos, spec.messages[0].retain),
            (Some(1), Some(true))
        );
        assert_eq!(
            spec.messages[0].properties.as_ref().expect("properties")["user"][1]["value"],
            "2"
        );
    }

    #[test]
    fn bad_mqtt_properties_from_the_window_are_a_readable_error() {
        let mut spec = model_to_spec(&mqtt_request());
        spec.messages[0].properties = Some(serde_json::json!({"expiry": 5}));
        let e = spec_to_model(&spec).expect_err("unknown property");
        assert_eq!(e.code, "app.invalid_request");
        assert!(e.message.contains("message properties"), "{}", e.message);
    }

    /// The demo collection's "STOMP topic" and "MQTT sensors" opened in the window and saved
    /// (as `request_get` then `request_save` do) are stored exactly as they were.
    #[test]
    fn the_demo_brokers_are_unchanged_by_opening_and_saving_in_the_window() {
        use sockpit_core::app::App;
        use sockpit_core::collection::import::Format;
        use sockpit_core::store::TreeNode;

        fn find(nodes: &[TreeNode], name: &str) -> Option<i64> {
            nodes
                .iter()
                .find_map(|n| match n.name == name && n.children.is_empty() {
                    true => Some(n.id),
                    false => find(&n.children, name),
                })
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let app = App::new(dir.path());
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../collections/demo.sockpit.json");
        app.import_file(&demo, Format::Sockpit)
            .expect("demo imports");
        let tree = app.tree().expect("tree");
        for (name, protocol) in [
            ("STOMP topic", Protocol::Stomp),
            ("MQTT sensors", Protocol::Mqtt),
        ] {
            let id = find(&tree, name).unwrap_or_else(|| panic!("{name} in the demo"));
            let (stored, _) = app.load_request(id).expect("load");
            assert_eq!(stored.protocol, protocol);
            assert!(!stored.assertions.is_empty() && !stored.description.is_empty());
            let spec = model_to_spec(&stored);
            let mapped = spec_to_model(&spec).expect("model");
            assert_eq!(mapped.messages, stored.messages, "{name}: saved messages");
            assert_eq!(mapped.settings, stored.settings, "{name}: settings");
            let keep_scripts = spec.scripts.is_none();
            app.save_request_from_editor(Some(id), None, mapped, keep_scripts)
                .expect("save");
            let (after, _) = app.load_request(id).expect("load again");
            assert_eq!(after, stored, "{name} is stored as it was");
        }
    }
}
