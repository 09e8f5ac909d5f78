//! Running a STOMP or MQTT request: `settings.stomp|mqtt` become the layer's options, the
//! subscriptions go first and the saved messages (SENDs, publishes) only once the broker confirmed
//! them (every SUBSCRIBE's RECEIPT, the SUBACK), as `sockpit stomp|mqtt` do, so nothing sent to a
//! subscribed topic is missed. Assertions see each received `MESSAGE`'s body under its
//! `destination`, each received publish's payload under its topic. The request ends with a
//! DISCONNECT once everything is decided; with no assertions it waits for what the broker
//! promises (every RECEIPT; every PUBACK/PUBCOMP), so a bare run still proves the broker answers.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;

use super::exec::{timeout_of, Outcome};
use super::layered::{bad_message, bad_settings, drive, Ends, ScriptLink, Sends};
use super::scripted::RequestScript;
use super::{prepare, Stop};
use crate::collection::model::{Request, SavedMessage};
use crate::collection::{ack_mode, header_pair, heartbeat_pair};
use crate::protocol::mqtt::{
    self, props::id, MqttEvent, MqttIntent, MqttLayer, MqttOptions, Packet, PropValue, Properties,
    Publish, SubFilter, Will,
};
use crate::protocol::stomp::{
    AckMode, AckRef, StompAction, StompEvent, StompIntent, StompLayer, StompOptions,
};
use crate::runner::check::Checker;
use crate::runner::RunError;
use crate::script::layered::{Goodbye, LayerScripting, MqttScripting, StompScripting};
use crate::script::ScriptAction;
use crate::store::HistoryRecorder;
use crate::ws::Direction;

/// How long CONNECTED/CONNACK and each RECEIPT may take when the settings say nothing.
const BROKER_WAIT: Duration = Duration::from_secs(10);

/// A rendered STOMP request's layer options.
pub fn stomp_options(r: &Request) -> Result<StompOptions, RunError> {
    let s = r.settings.stomp.clone().unwrap_or_default();
    let versions = match &s.version {
        None => crate::protocol::stomp::Version::ALL.to_vec(),
        Some(v) => vec![crate::protocol::stomp::Version::parse(v).ok_or_else(|| {
            bad_settings(
                r,
                format!("settings.stomp.version is '{v}' once rendered: give 1.0, 1.1 or 1.2"),
            )
        })?],
    };
    let headers = s
        .connect_headers
        .iter()
        .map(|h| header_pair("settings.stomp.connect_headers:", h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_settings(r, e))?;
    let wait = s.receipt_timeout_ms.map(prepare::ms).unwrap_or(BROKER_WAIT);
    Ok(StompOptions {
        versions,
        login: s.login,
        passcode: s.passcode,
        host: s.host,
        headers,
        heartbeat: match &s.heartbeat {
            Some(h) => heartbeat_pair(h).map_err(|e| bad_settings(r, e))?,
            None => StompOptions::default().heartbeat,
        },
        connected_timeout: wait,
        receipt_timeout: wait,
        ..StompOptions::default()
    })
}

/// A STOMP subscription of a request's settings, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct StompSubscription {
    /// The subscription id (`sub-N`, N its place in the list, when the settings name none).
    pub id: String,
    pub destination: String,
    pub ack: AckMode,
}

impl StompSubscription {
    /// The SUBSCRIBE it stands for.
    pub fn action(&self) -> StompAction {
        StompAction::Subscribe {
            id: Some(self.id.clone()),
            destination: self.destination.clone(),
            ack: self.ack,
            headers: Vec::new(),
        }
    }
}

/// A rendered STOMP request's subscriptions (`settings.stomp.subscriptions`), ack modes checked.
pub fn stomp_subscriptions(r: &Request) -> Result<Vec<StompSubscription>, RunError> {
    let subs = r.settings.stomp.clone().unwrap_or_default().subscriptions;
    subs.iter()
        .enumerate()
        .map(|(i, sub)| {
            let ack =
                ack_mode(&sub.destination, sub.ack.as_deref()).map_err(|e| bad_settings(r, e))?;
            Ok(StompSubscription {
                id: sub.id.clone().unwrap_or_else(|| format!("sub-{i}")),
                destination: sub.destination.clone(),
                ack,
            })
        })
        .collect()
}

/// A rendered MQTT request's subscriptions (`settings.mqtt.subscriptions`), filters checked.
pub fn mqtt_filters(r: &Request) -> Result<Vec<SubFilter>, RunError> {
    r.settings
        .mqtt
        .clone()
        .unwrap_or_default()
        .subscriptions
        .iter()
        .map(|s| {
            mqtt::check_filter(&s.filter)
                .map_err(|e| bad_settings(r, format!("settings.mqtt.subscriptions: {e}")))?;
            Ok(SubFilter::new(s.filter.clone(), s.qos))
        })
        .collect()
}

/// A saved message's body as bytes (text, JSON, hex, base64 or a file).
fn body_bytes(r: &Request, m: &SavedMessage, base_dir: &Path) -> Result<Bytes, RunError> {
    Ok(match prepare::outgoing(r, m, base_dir, None)? {
        crate::ws::Outgoing::Text(t) => Bytes::from(t.into_bytes()),
        crate::ws::Outgoing::Binary(b) => b,
    })
}

fn text_of(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) async fn run_stomp(
    r: &Request,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    script: Option<&mut RequestScript>,
    stop: Stop,
) -> Outcome {
    let mut cfg = prepare::ws_config(r, base_dir)?;
    cfg.redact = secrets.to_vec();
    let opts = stomp_options(r)?;
    let subs = stomp_subscriptions(r)?;
    let mut list = Vec::new();
    let mut receipts = std::collections::HashSet::new();
    let mut sub_receipts = std::collections::HashSet::new();
    let mut client_ack = std::collections::HashSet::new();
    for (i, sub) in subs.iter().enumerate() {
        if sub.ack != AckMode::Auto {
            client_ack.insert(sub.id.clone());
        }
        let receipt = format!("subscribed-{i}");
        sub_receipts.insert(receipt.clone());
        receipts.insert(receipt.clone());
        list.push((0, StompIntent::with_receipt(sub.action(), receipt)));
    }
    for (i, m) in r.messages.iter().enumerate() {
        let headers = m
            .headers
            .iter()
            .map(|h| header_pair("header", h))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad_message(r, &m.name, e))?;
        let receipt = format!("send-{i}");
        receipts.insert(receipt.clone());
        let action = StompAction::Send {
            destination: m.destination.clone().unwrap_or_default(),
            headers,
            body: body_bytes(r, m, base_dir)?,
        };
        list.push((
            m.delay_ms.unwrap_or(0),
            StompIntent::with_receipt(action, receipt),
        ));
    }
    let (open, ready) = tokio::sync::watch::channel(sub_receipts.is_empty());
    let sends = Sends {
        list,
        gate: Some((subs.len(), ready)),
        goodbye: Some(StompIntent::new(StompAction::Disconnect)),
        scrub: secrets.to_vec(),
    };
    let checker = Checker::new(r).map_err(RunError::from)?;
    let h = crate::protocol::spawn(StompLayer::new(opts), cfg);
    let mut connected = false;
    drive(
        h,
        sends,
        checker,
        Ends {
            limit: timeout_of(r),
            stop,
        },
        history,
        ScriptLink {
            script,
            // `sp.send(destination, body)` sends a SEND, as in `sockpit stomp --script`.
            scripting: StompScripting {
                headers: Vec::new(),
            },
        },
        |cx, t, ev| {
            match ev {
                StompEvent::Connected { .. } => connected = true,
                StompEvent::Receipt { id, .. } => {
                    receipts.remove(&id);
                    if sub_receipts.remove(&id) && sub_receipts.is_empty() {
                        let _ = open.send(true);
                    }
                }
                StompEvent::Frame {
                    dir: Direction::In,
                    frame,
                } if frame.command == "MESSAGE" => {
                    let dest = frame.get("destination").unwrap_or_default();
                    cx.checker.on_message(t, Some(dest), &text_of(&frame.body));
                    let sub = frame.get("subscription").unwrap_or_default();
                    if client_ack.contains(sub) {
                        cx.follow_up.push(StompIntent::new(StompAction::Ack {
                            message: AckRef::of(&frame),
                            transaction: None,
                        }));
                    }
                }
                _ => {}
            }
            connected && receipts.is_empty()
        },
    )
    .await
}

/// `sockpit-<pid><nanos>`, as `sockpit mqtt` picks when no client id is given.
fn default_client_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("sockpit-{:x}{nanos:08x}", std::process::id())
}

/// A rendered MQTT request's layer options.
pub fn mqtt_options(r: &Request) -> Result<MqttOptions, RunError> {
    let s = r.settings.mqtt.clone().unwrap_or_default();
    let version = match &s.version {
        None => mqtt::Version::V311,
        Some(v) => mqtt::Version::parse(v).ok_or_else(|| {
            bad_settings(
                r,
                format!("settings.mqtt.version is '{v}' once rendered: give 3.1.1 or 5"),
            )
        })?,
    };
    let mut connect_props = Properties::default();
    if let Some(e) = s.session_expiry_s {
        connect_props.push(id::SESSION_EXPIRY, PropValue::U32(e));
    }
    let will = match &s.will {
        Some(w) => {
            mqtt::check_topic(&w.topic)
                .map_err(|e| bad_settings(r, format!("settings.mqtt.will: {e}")))?;
            Some(Will {
                topic: w.topic.clone(),
                payload: Bytes::from(w.payload.clone().into_bytes()),
                qos: w.qos,
                retain: w.retain,
                props: Properties::default(),
            })
        }
        None => None,
    };
    Ok(MqttOptions {
        version,
        client_id: s.client_id.unwrap_or_else(default_client_id),
        clean: s.clean_start.unwrap_or(true),
        keep_alive: s.keepalive_s.unwrap_or(60),
        username: s.username,
        password: s.password.map(|p| Bytes::from(p.into_bytes())),
        will,
        connect_props,
        connack_timeout: s.connack_timeout_ms.map(prepare::ms).unwrap_or(BROKER_WAIT),
        ..MqttOptions::default()
    })
}

/// A saved message as the PUBLISH it stands for (the topic checked once rendered).
fn publish_of(r: &Request, m: &SavedMessage, base_dir: &Path) -> Result<Publish, RunError> {
    let topic = m.topic.clone().unwrap_or_default();
    mqtt::check_topic(&topic).map_err(|e| bad_message(r, &m.name, e))?;
    let mut props = Properties::default();
    if let Some(p) = &m.properties {
        if let Some(c) = &p.content_type {
            props.push(id::CONTENT_TYPE, PropValue::Str(c.clone()));
        }
        if let Some(t) = &p.response_topic {
            props.push(id::RESPONSE_TOPIC, PropValue::Str(t.clone()));
        }
        if let Some(c) = &p.correlation_data {
            props.push(
                id::CORRELATION_DATA,
                PropValue::Bin(Bytes::from(c.clone().into_bytes())),
            );
        }
        if let Some(e) = p.message_expiry_s {
            props.push(id::MESSAGE_EXPIRY, PropValue::U32(e));
        }
        for kv in p.user.iter().filter(|kv| kv.enabled) {
            props.push(
                id::USER_PROPERTY,
                PropValue::Pair(kv.name.clone(), kv.value.clone()),
            );
        }
    }
    Ok(Publish {
        dup: false,
        qos: m.qos.unwrap_or(0),
        retain: m.retain,
        topic,
        pkid: 0,
        payload: body_bytes(r, m, base_dir)?,
        props,
    })
}

pub(super) async fn run_mqtt(
    r: &Request,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    script: Option<&mut RequestScript>,
    stop: Stop,
) -> Outcome {
    let mut cfg = prepare::ws_config(r, base_dir)?;
    cfg.redact = secrets.to_vec();
    let opts = mqtt_options(r)?;
    let filters = mqtt_filters(r)?;
    let mut list = Vec::new();
    let first = usize::from(!filters.is_empty());
    if !filters.is_empty() {
        list.push((
            0,
            MqttIntent::Subscribe {
                filters,
                props: Properties::default(),
            },
        ));
    }
    for m in &r.messages {
        list.push((
            m.delay_ms.unwrap_or(0),
            MqttIntent::Publish(publish_of(r, m, base_dir)?),
        ));
    }
    let (open, ready) = tokio::sync::watch::channel(first == 0);
    let sends = Sends {
        list,
        gate: Some((first, ready)),
        goodbye: Some(MqttIntent::Disconnect {
            code: 0,
            props: Properties::default(),
        }),
        scrub: secrets.to_vec(),
    };
    let checker = Checker::new(r).map_err(RunError::from)?;
    let h = crate::protocol::spawn(MqttLayer::new(opts), cfg);
    // Publishes the script made (QoS 0): counted with the saved ones, so that neither ends the
    // request before the other is on its way.
    let script_pubs = std::sync::atomic::AtomicUsize::new(0);
    // Our publishes complete so far (QoS 0 once sent; PUBACK; PUBCOMP), the SUBACK, and incoming
    // QoS 2 flows still waiting for PUBREL.
    let mut completed = 0usize;
    let mut subacked = first == 0;
    let mut incoming_qos2 = 0usize;
    let mut connected = false;
    drive(
        h,
        sends,
        checker,
        Ends {
            limit: timeout_of(r),
            stop,
        },
        history,
        ScriptLink {
            script,
            scripting: CountedPublishes {
                inner: MqttScripting {
                    qos: 0,
                    retain: false,
                    disconnect_reason: 0,
                },
                count: &script_pubs,
            },
        },
        |cx, t, ev| {
            match ev {
                MqttEvent::Connected { .. } => connected = true,
                MqttEvent::Packet { dir, packet } => match (dir, packet) {
                    (Direction::In, Packet::SubAck { .. }) => {
                        subacked = true;
                        let _ = open.send(true);
                    }
                    (Direction::In, Packet::Publish(pb)) => {
                        if pb.qos == 2 {
                            incoming_qos2 += 1;
                        }
                        cx.checker
                            .on_message(t, Some(&pb.topic), &text_of(&pb.payload));
                    }
                    (Direction::In, Packet::PubRel(_)) => {
                        incoming_qos2 = incoming_qos2.saturating_sub(1);
                    }
                    (Direction::Out, Packet::Publish(pb)) if pb.qos == 0 && !pb.dup => {
                        completed += 1;
                    }
                    (Direction::In, Packet::PubAck(_) | Packet::PubComp(_)) => completed += 1,
                    _ => {}
                },
                _ => {}
            }
            let published =
                r.messages.len() + script_pubs.load(std::sync::atomic::Ordering::Relaxed);
            connected && subacked && completed >= published && incoming_qos2 == 0
        },
    )
    .await
}

/// MQTT as `sockpit mqtt --script` shows it to a script, counting the publishes it makes.
struct CountedPublishes<'a> {
    inner: MqttScripting,
    count: &'a std::sync::atomic::AtomicUsize,
}

impl LayerScripting for CountedPublishes<'_> {
    type Event = MqttEvent;
    type Intent = MqttIntent;

    fn message(&self, ev: &MqttEvent) -> Option<serde_json::Value> {
        self.inner.message(ev)
    }

    fn intent(&self, a: ScriptAction) -> Result<MqttIntent, &'static str> {
        let intent = self.inner.intent(a)?;
        self.count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(intent)
    }

    fn goodbye(&self) -> Goodbye<MqttIntent> {
        self.inner.goodbye()
    }
}
