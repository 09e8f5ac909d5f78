//! Scripts on a protocol layer, for every face that drives one (`sockpit run`'s layered requests,
//! the CLI's `socketio`/`graphql`/`stomp`/`mqtt`): which layer events a script sees and as what
//! (`sp.message.decoded` is the decoded event), and which of its actions become layer intents
//! (`sp.emit` on Socket.IO, `sp.publish` on MQTT, `sp.send(destination, body)` on STOMP, and
//! `sp.close` through the protocol's goodbye).

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::{ScriptAction, ScriptInput, ScriptMessage};
use crate::protocol::graphql::{GqlEvent, GqlIntent};
use crate::protocol::mqtt::{MqttEvent, MqttIntent, Packet, Properties, Publish};
use crate::protocol::socketio::{SioEvent, SioIntent};
use crate::protocol::stomp::{Frame, StompAction, StompEvent, StompIntent};
use crate::protocol::{LayerControl, LayerEvent};
use crate::ws::{DataKind, Direction};

/// How long `sp.close` waits for the protocol's goodbye (a DISCONNECT's receipt, ...) to close
/// the connection before it closes it itself.
pub const GOODBYE_WAIT: Duration = Duration::from_secs(2);

/// How a protocol's session looks to a script.
pub trait LayerScripting {
    type Event;
    type Intent: Send + 'static;

    /// The decoded form a script sees of a received layer event (`None`: not shown to scripts).
    fn message(&self, ev: &Self::Event) -> Option<Value>;

    /// The intent an `sp.emit`/`sp.publish`/`sp.send` asks for; `Err` says what the script
    /// should call instead.
    fn intent(&self, a: ScriptAction) -> Result<Self::Intent, &'static str>;

    /// The protocol's goodbye before `sp.close` closes the connection.
    fn goodbye(&self) -> Goodbye<Self::Intent>;
}

/// A protocol's goodbye.
pub enum Goodbye<I> {
    /// Intents after which the layer closes the connection itself (with the script's code).
    Intents(Vec<I>),
    /// Raw text messages to send before the close frame.
    Texts(Vec<String>),
}

/// What [`carry_out_on_layer`] left for the face.
#[derive(Debug, PartialEq)]
pub enum LayerCarried {
    /// Carried out on the session (or dropped: the session is gone).
    Done,
    /// Not a session action (a log row, a test, an error, a variable): the face's.
    Face(ScriptAction),
    /// The layer cannot do it; the sentence says what to call instead.
    Unsupported(&'static str),
}

/// What of a layered batch a script sees: the session's open and the server's close, and the
/// layer's received events in their decoded form (not the layer's raw frames).
pub fn layer_inputs<S: LayerScripting>(s: &S, batch: &[LayerEvent<S::Event>]) -> Vec<ScriptInput> {
    let mut inputs = Vec::new();
    for ev in batch {
        match ev {
            LayerEvent::Session(ev) => inputs.extend(
                super::session_inputs(std::slice::from_ref(ev), None)
                    .into_iter()
                    .filter(|i| !matches!(i, ScriptInput::Message(_))),
            ),
            LayerEvent::Protocol { t, event } => {
                if let Some(v) = s.message(event) {
                    let text = v.to_string();
                    inputs.push(ScriptInput::Message(ScriptMessage {
                        dir: Direction::In,
                        kind: DataKind::Text,
                        data: Bytes::from(text.clone()),
                        t_ms: *t as f64 / 1e6,
                        decoded: Some(text),
                    }));
                }
            }
            LayerEvent::Error { .. } => {}
        }
    }
    inputs
}

/// Carries out the session side of a script's action on a layered session: emits, publishes and
/// sends become intents; `sp.close` says the protocol's goodbye first (and closes the connection
/// itself [`GOODBYE_WAIT`] later if the layer has not).
pub async fn carry_out_on_layer<S: LayerScripting>(
    s: &S,
    a: ScriptAction,
    control: &LayerControl<S::Intent>,
) -> LayerCarried {
    match a {
        ScriptAction::Close { code, reason } => {
            match s.goodbye() {
                Goodbye::Intents(intents) => {
                    control.close_as(code, reason.clone());
                    for i in intents {
                        if !control.intent(i).await {
                            return LayerCarried::Done;
                        }
                    }
                    let control = control.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(GOODBYE_WAIT).await;
                        control.close(code, reason).await;
                    });
                }
                Goodbye::Texts(texts) => {
                    for t in texts {
                        let _ = control.session().send_text(t).await;
                    }
                    control.close(code, reason).await;
                }
            }
            LayerCarried::Done
        }
        a @ (ScriptAction::Emit { .. } | ScriptAction::Publish { .. } | ScriptAction::Send(_)) => {
            match s.intent(a) {
                Ok(i) => {
                    let _ = control.intent(i).await;
                    LayerCarried::Done
                }
                Err(what) => LayerCarried::Unsupported(what),
            }
        }
        other => LayerCarried::Face(other),
    }
}

fn text_or_b64(o: &mut Map<String, Value>, key: &str, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) => o.insert(key.into(), json!(s)),
        Err(_) => o.insert(
            format!("{key}_b64"),
            json!(base64::engine::general_purpose::STANDARD.encode(b)),
        ),
    };
}

/// Socket.IO: received events and acks as `{"type":"event"|"ack","namespace","event","args"}`;
/// `sp.emit` emits on `namespace` (the first one connected).
pub struct SocketioScripting {
    pub namespace: String,
    /// The DISCONNECT packets `sp.close` sends first, one per namespace.
    pub goodbye: Vec<String>,
}

impl LayerScripting for SocketioScripting {
    type Event = SioEvent;
    type Intent = SioIntent;

    fn message(&self, ev: &SioEvent) -> Option<Value> {
        match ev {
            SioEvent::Event {
                dir: Direction::In,
                namespace,
                name,
                args,
                ..
            } => {
                Some(json!({"type": "event", "namespace": namespace, "event": name, "args": args}))
            }
            SioEvent::Ack {
                dir: Direction::In,
                namespace,
                name,
                args,
                ..
            } => Some(json!({"type": "ack", "namespace": namespace, "event": name, "args": args})),
            _ => None,
        }
    }

    fn intent(&self, a: ScriptAction) -> Result<SioIntent, &'static str> {
        match a {
            ScriptAction::Emit { event, args } => Ok(SioIntent::Emit {
                namespace: self.namespace.clone(),
                name: event,
                args,
                ack: false,
                volatile: false,
            }),
            _ => Err("sp.send on Socket.IO: use sp.emit(event, ...args)"),
        }
    }

    fn goodbye(&self) -> Goodbye<SioIntent> {
        Goodbye::Texts(self.goodbye.clone())
    }
}

/// GraphQL: results as `{"type":"next","id","operation","payload"}`, errors as
/// `{"type":"error",...,"errors","terminal"}`, completions as `{"type":"complete",...}`. A
/// script cannot start operations.
pub struct GraphqlScripting {
    /// Operation names by id (`operation` in the events).
    pub names: HashMap<String, String>,
}

impl LayerScripting for GraphqlScripting {
    type Event = GqlEvent;
    type Intent = GqlIntent;

    fn message(&self, ev: &GqlEvent) -> Option<Value> {
        let name = |id: &String| self.names.get(id).cloned().unwrap_or_default();
        Some(match ev {
            GqlEvent::Next { id, payload } => {
                json!({"type": "next", "id": id, "operation": name(id), "payload": payload})
            }
            GqlEvent::Error {
                id,
                errors,
                terminal,
            } => json!({
                "type": "error", "id": id, "operation": name(id), "errors": errors, "terminal": terminal
            }),
            GqlEvent::Complete { id } => {
                json!({"type": "complete", "id": id, "operation": name(id)})
            }
            _ => return None,
        })
    }

    fn intent(&self, _: ScriptAction) -> Result<GqlIntent, &'static str> {
        Err("sp.send/sp.emit/sp.publish on GraphQL: a script reads results; the operations are the request's")
    }

    fn goodbye(&self) -> Goodbye<GqlIntent> {
        Goodbye::Intents(vec![GqlIntent::Terminate])
    }
}

/// STOMP: every received frame but heart-beats as `{"type":"frame","command","destination",
/// "headers","body"}` (`body_b64` when not UTF-8); `sp.send(destination, body)` sends a `SEND`
/// with `headers`.
pub struct StompScripting {
    /// Headers on every SEND a script asks for (`--header`).
    pub headers: Vec<(String, String)>,
}

/// A STOMP frame as a script sees it; a passcode is never shown.
pub fn stomp_frame_json(f: &Frame) -> Value {
    let mut headers = Map::new();
    for (k, v) in &f.headers {
        if !headers.contains_key(k) {
            let v = if k == "passcode" { "***" } else { v.as_str() };
            headers.insert(k.clone(), json!(v));
        }
    }
    let mut o = Map::new();
    o.insert("type".into(), json!("frame"));
    o.insert("command".into(), json!(f.command));
    o.insert("destination".into(), json!(f.get("destination")));
    o.insert("headers".into(), Value::Object(headers));
    text_or_b64(&mut o, "body", &f.body);
    Value::Object(o)
}

impl LayerScripting for StompScripting {
    type Event = StompEvent;
    type Intent = StompIntent;

    fn message(&self, ev: &StompEvent) -> Option<Value> {
        match ev {
            StompEvent::Frame {
                dir: Direction::In,
                frame,
            } => Some(stomp_frame_json(frame)),
            _ => None,
        }
    }

    fn intent(&self, a: ScriptAction) -> Result<StompIntent, &'static str> {
        match a {
            // `sp.send(destination, body)` on STOMP rides the publish action.
            ScriptAction::Publish { topic, payload } => Ok(StompIntent::new(StompAction::Send {
                destination: topic,
                headers: self.headers.clone(),
                body: payload,
            })),
            _ => Err("sp.send(destination, body) is how a STOMP script sends a SEND frame"),
        }
    }

    fn goodbye(&self) -> Goodbye<StompIntent> {
        Goodbye::Intents(vec![StompIntent::new(StompAction::Disconnect)])
    }
}

/// MQTT: received publishes as `{"type":"publish","topic","qos","retain","payload"}`
/// (`payload_b64` when not UTF-8), every other received packet by its type (`connack` with
/// `code`, `suback` with `granted`); `sp.publish(topic, payload)` publishes at `qos`/`retain`.
pub struct MqttScripting {
    pub qos: u8,
    pub retain: bool,
    /// The DISCONNECT reason code `sp.close` sends (v5).
    pub disconnect_reason: u8,
}

impl LayerScripting for MqttScripting {
    type Event = MqttEvent;
    type Intent = MqttIntent;

    fn message(&self, ev: &MqttEvent) -> Option<Value> {
        match ev {
            MqttEvent::Packet {
                dir: Direction::In,
                packet: Packet::Publish(p),
            } => {
                let mut o = Map::new();
                o.insert("type".into(), json!("publish"));
                o.insert("topic".into(), json!(p.topic));
                o.insert("qos".into(), json!(p.qos));
                o.insert("retain".into(), json!(p.retain));
                text_or_b64(&mut o, "payload", &p.payload);
                Some(Value::Object(o))
            }
            // The rest by type, so a script can wait for its SUBACK before it publishes.
            MqttEvent::Packet {
                dir: Direction::In,
                packet,
            } => Some(match packet {
                Packet::ConnAck { code, .. } => json!({"type": "connack", "code": code}),
                Packet::SubAck { codes, .. } => json!({"type": "suback", "granted": codes}),
                other => json!({"type": other.name()}),
            }),
            _ => None,
        }
    }

    fn intent(&self, a: ScriptAction) -> Result<MqttIntent, &'static str> {
        match a {
            ScriptAction::Publish { topic, payload } => Ok(MqttIntent::Publish(Publish {
                dup: false,
                qos: self.qos,
                retain: self.retain,
                topic,
                pkid: 0,
                payload,
                props: Properties::default(),
            })),
            _ => Err("sp.send on MQTT: use sp.publish(topic, payload)"),
        }
    }

    fn goodbye(&self) -> Goodbye<MqttIntent> {
        Goodbye::Intents(vec![MqttIntent::Disconnect {
            code: self.disconnect_reason,
            props: Properties::default(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_sees_received_frames_and_publishes_decoded_and_nothing_else() {
        let mut frame = Frame::new("MESSAGE");
        frame.headers = vec![
            ("destination".into(), "/topic/a".into()),
            ("passcode".into(), "secret".into()),
        ];
        frame.body = vec![0xff, 0x00];
        let batch = vec![
            LayerEvent::Protocol {
                t: 2_000_000,
                event: StompEvent::Frame {
                    dir: Direction::In,
                    frame: frame.clone(),
                },
            },
            LayerEvent::Protocol {
                t: 3_000_000,
                event: StompEvent::Frame {
                    dir: Direction::Out,
                    frame,
                },
            },
            LayerEvent::Protocol {
                t: 4_000_000,
                event: StompEvent::Heartbeat { dir: Direction::In },
            },
        ];
        let stomp = StompScripting { headers: vec![] };
        let inputs = layer_inputs(&stomp, &batch);
        assert_eq!(inputs.len(), 1, "only the received frame: {inputs:?}");
        let ScriptInput::Message(m) = &inputs[0] else {
            panic!("a message: {inputs:?}");
        };
        let seen: Value = serde_json::from_str(m.decoded.as_deref().unwrap_or("")).unwrap();
        assert_eq!(seen["destination"], "/topic/a");
        assert_eq!(seen["headers"]["passcode"], "***");
        assert_eq!(seen["body_b64"], "/wA=");
        assert_eq!(m.t_ms, 2.0);

        let mqtt = MqttScripting {
            qos: 1,
            retain: true,
            disconnect_reason: 0,
        };
        let publish = ScriptAction::Publish {
            topic: "a/b".into(),
            payload: Bytes::from_static(b"x"),
        };
        match mqtt.intent(publish) {
            Ok(MqttIntent::Publish(p)) => assert!(p.qos == 1 && p.retain && p.topic == "a/b"),
            other => panic!("a publish: {other:?}"),
        }
        let send = ScriptAction::Send(crate::ws::Outgoing::Text("x".into()));
        assert!(mqtt.intent(send).is_err());
        let suback = MqttEvent::Packet {
            dir: Direction::In,
            packet: Packet::SubAck {
                pkid: 1,
                codes: vec![1, 0x80],
                props: Properties::default(),
            },
        };
        assert_eq!(
            mqtt.message(&suback),
            Some(json!({"type": "suback", "granted": [1, 0x80]}))
        );
    }
}
