//! STOMP and MQTT requests for the faces: a stored (or edited) request rendered with every variable
//! layer into its layer's options and its saved subscriptions (`runner::brokers` does the
//! mapping, as for `sockpit run`), and the user's input for a subscription, a SEND or a PUBLISH
//! checked into the intents the layers take, with the engine's errors naming what was wrong.

use std::path::Path;

use bytes::Bytes;

use crate::collection::model::{Protocol, Request};
use crate::collection::{ack_mode, check_qos, header_pair};
use crate::protocol::mqtt::{self, MqttIntent, MqttOptions, Properties, Publish, SubFilter};
use crate::protocol::stomp::{StompAction, StompIntent, StompOptions};
use crate::runner::brokers::{mqtt_filters, mqtt_options, stomp_options, stomp_subscriptions};
use crate::template::Vars;
use crate::ws::{ConnectConfig, ReconnectPolicy};

use super::{App, AppError};

/// A broker layer ready to start, and what to ask of it once it runs (the saved subscriptions).
#[derive(Debug, Clone)]
pub enum BrokerLayer {
    Stomp {
        options: Box<StompOptions>,
        subscribe: Vec<StompIntent>,
    },
    Mqtt {
        options: Box<MqttOptions>,
        subscribe: Option<MqttIntent>,
    },
}

/// A STOMP or MQTT request ready to connect: the WebSocket session under the layer, and the layer.
#[derive(Debug, Clone)]
pub struct BrokerRender {
    pub ws: ConnectConfig,
    pub layer: BrokerLayer,
}

/// The broker configuration for `request` with `vars` (see [`App::render_broker`]).
pub fn broker_config(
    request: &Request,
    vars: &Vars,
    reconnect: bool,
    base_dir: &Path,
) -> Result<BrokerRender, AppError> {
    let mut model = request.clone();
    if model.name.is_empty() {
        model.name = "Untitled".into();
    }
    // Saved SENDs/publishes are checked when sent, not on connect.
    model.messages.clear();
    let r = vars.render_request(&model)?;
    let mut ws = crate::runner::prepare::ws_config(&r, base_dir)?;
    if reconnect && ws.reconnect.is_none() {
        ws.reconnect = Some(ReconnectPolicy::default());
    }
    ws.redact = vars.secret_values();
    let layer = match r.protocol {
        Protocol::Mqtt => {
            let filters = mqtt_filters(&r)?;
            BrokerLayer::Mqtt {
                options: Box::new(mqtt_options(&r)?),
                subscribe: (!filters.is_empty()).then(|| MqttIntent::Subscribe {
                    filters,
                    props: Properties::default(),
                }),
            }
        }
        Protocol::Stomp => BrokerLayer::Stomp {
            options: Box::new(stomp_options(&r)?),
            subscribe: stomp_subscriptions(&r)?
                .iter()
                .map(|s| StompIntent::new(s.action()))
                .collect(),
        },
        p => {
            return Err(AppError::invalid(
                "app.not_a_broker",
                format!("a {} request has no broker to connect to", p.as_str()),
            ))
        }
    };
    Ok(BrokerRender { ws, layer })
}

fn not_empty(what: &str, value: &str, example: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(
            "app.invalid_broker_input",
            format!("the {what} is empty; give one, like '{example}'"),
        ));
    }
    Ok(v.to_string())
}

fn invalid(message: String) -> AppError {
    AppError::invalid("app.invalid_broker_input", message)
}

/// A STOMP SUBSCRIBE from the window: a destination and an ack mode (`auto` when empty).
pub fn stomp_subscribe(id: &str, destination: &str, ack: &str) -> Result<StompIntent, AppError> {
    let destination = not_empty("destination", destination, "/topic/orders")?;
    let ack =
        ack_mode(&destination, Some(ack.trim()).filter(|a| !a.is_empty())).map_err(invalid)?;
    Ok(StompIntent::new(StompAction::Subscribe {
        id: Some(id.to_string()).filter(|i| !i.is_empty()),
        destination,
        ack,
        headers: Vec::new(),
    }))
}

/// A STOMP SEND from the window: a destination, headers one `name:value` a line, and the body.
pub fn stomp_send(destination: &str, headers: &str, body: &str) -> Result<StompIntent, AppError> {
    let destination = not_empty("destination", destination, "/topic/orders")?;
    let headers = headers
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|h| header_pair("header", h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    Ok(StompIntent::new(StompAction::Send {
        destination,
        headers,
        body: Bytes::from(body.to_string().into_bytes()),
    }))
}

/// An MQTT SUBSCRIBE from the window: one topic filter (`+`/`#` allowed) at a QoS.
pub fn mqtt_subscribe(filter: &str, qos: u8) -> Result<MqttIntent, AppError> {
    let filter = not_empty("topic filter", filter, "demo/+/temp")?;
    mqtt::check_filter(&filter).map_err(invalid)?;
    check_qos(&format!("the subscription to '{filter}'"), qos).map_err(invalid)?;
    Ok(MqttIntent::Subscribe {
        filters: vec![SubFilter::new(filter, qos)],
        props: Properties::default(),
    })
}

/// An MQTT PUBLISH from the window: a topic (no wildcards), QoS, retain and the payload.
pub fn mqtt_publish(
    topic: &str,
    qos: u8,
    retain: bool,
    payload: &str,
) -> Result<MqttIntent, AppError> {
    let topic = not_empty("topic", topic, "demo/kitchen/temp")?;
    mqtt::check_topic(&topic).map_err(invalid)?;
    check_qos(&format!("the publish to '{topic}'"), qos).map_err(invalid)?;
    Ok(MqttIntent::Publish(Publish {
        dup: false,
        qos,
        retain,
        topic,
        pkid: 0,
        payload: Bytes::from(payload.to_string().into_bytes()),
        props: Properties::default(),
    }))
}

impl App {
    /// The STOMP or MQTT configuration for `request` of `collection`, variables rendered and
    /// secrets filled as for a WebSocket request (see [`App::render_socketio`]).
    pub fn render_broker(
        &self,
        request: &Request,
        collection: Option<i64>,
        reconnect: bool,
    ) -> Result<BrokerRender, AppError> {
        let vars = self.request_vars(collection)?;
        broker_config(request, &vars, reconnect, &self.data_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Request {
        serde_json::from_str(json).expect("request")
    }

    #[test]
    fn a_stomp_request_renders_its_options_and_subscriptions() {
        let r = request(
            r#"{"name":"s","protocol":"stomp","url":"ws://127.0.0.1:9/stomp","settings":{"stomp":{
                "login":"demo","passcode":"demo-pass","subscriptions":[
                {"destination":"/topic/a","ack":"client"},{"destination":"/topic/b","id":"mine"}]}}}"#,
        );
        let b = broker_config(&r, &Vars::new(), false, Path::new(".")).expect("render");
        let BrokerLayer::Stomp { options, subscribe } = b.layer else {
            panic!("not stomp")
        };
        assert_eq!(options.login.as_deref(), Some("demo"));
        assert_eq!(subscribe.len(), 2);
        assert!(matches!(&subscribe[1].action,
            StompAction::Subscribe { id: Some(id), destination, .. } if id == "mine" && destination == "/topic/b"));
    }

    #[test]
    fn an_mqtt_request_renders_one_subscribe_of_its_filters() {
        let r = request(
            r#"{"name":"m","protocol":"mqtt","url":"ws://127.0.0.1:9/mqtt","settings":{"mqtt":{
                "subscriptions":[{"filter":"demo/+/temp","qos":1}]}}}"#,
        );
        let b = broker_config(&r, &Vars::new(), false, Path::new(".")).expect("render");
        let BrokerLayer::Mqtt { subscribe, .. } = b.layer else {
            panic!("not mqtt")
        };
        assert!(matches!(subscribe,
            Some(MqttIntent::Subscribe { filters, .. }) if filters[0].filter == "demo/+/temp" && filters[0].qos == 1));
    }

    #[test]
    fn bad_window_input_is_refused_with_the_engines_words() {
        let e = mqtt_publish("demo/+/temp", 0, false, "x").unwrap_err();
        assert_eq!(e.code(), "app.invalid_broker_input");
        assert!(e.to_string().contains("no wildcards"), "{e}");
        let e = mqtt_publish("demo/a", 3, false, "x").unwrap_err();
        assert!(e.to_string().contains("QoS is 0, 1 or 2"), "{e}");
        let e = mqtt_subscribe("demo/#/x", 0).unwrap_err();
        assert!(e.to_string().contains("demo/#/x"), "{e}");
        assert!(mqtt_subscribe("demo/#", 2).is_ok());
        let e = stomp_send("/topic/a", "priority 5", "").unwrap_err();
        assert!(e.to_string().contains("has no ':'"), "{e}");
        let e = stomp_subscribe("", "/topic/a", "sometimes").unwrap_err();
        assert!(
            e.to_string().contains("auto, client or client-individual"),
            "{e}"
        );
        let e = stomp_send(" ", "", "").unwrap_err();
        assert!(e.to_string().contains("destination is empty"), "{e}");
        assert!(stomp_send("/topic/a", "priority:5\n\n", "hi").is_ok());
    }
}
