//! The decoded view of a layered session (Socket.IO, GraphQL, STOMP, MQTT) as the UI sees it: one flat
//! `ProtoEventDto` per protocol event, carried in the session's `WsBatch` beside the raw rows.

use serde::Serialize;
use sockpit_core::protocol::graphql::GqlEvent;
use sockpit_core::protocol::mqtt::{self, MqttEvent, Packet};
use sockpit_core::protocol::socketio::SioEvent;
use sockpit_core::protocol::stomp::StompEvent;
use sockpit_core::protocol::{LayerEvent, ProtocolError};
use sockpit_core::script::layered::stomp_frame_json;
use sockpit_core::ws::{Direction, Nanos, SessionEvent};
use ts_rs::TS;

use crate::dto::Dir;

/// One decoded protocol event.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct ProtoEventDto {
    /// Milliseconds since the session started.
    pub t_ms: f64,
    /// Socket.IO: `handshake`, `connected`, `connect_error`, `disconnected`, `event`, `ack`.
    /// GraphQL: `selected`, `connection_ack`, `started`, `resubscribed`, `next`, `error`,
    /// `complete`, `stopped`, `ping`, `pong`, `ka`. STOMP: `frame`, `connected`,
    /// `receipt_waiting`, `receipt`, `resubscribed`. MQTT: `packet`, `connected`, `resubscribed`,
    /// `resent`. All: `protocol_error`.
    pub kind: String,
    pub dir: Dir,
    /// Socket.IO namespace; STOMP destination; MQTT topic (a publish). Empty for GraphQL.
    pub namespace: String,
    /// Socket.IO: the event's name, or for an ack the name of the emit it answers (when known).
    /// GraphQL `selected`: the subprotocol. STOMP `frame`/`receipt`: the command. MQTT `packet`:
    /// its type (`publish`, `suback`...). `protocol_error`: the error's code.
    pub name: String,
    /// Socket.IO: the ack id (an event asking for an ack, or an ack). GraphQL: the operation id.
    /// STOMP: the subscription (a MESSAGE's `subscription`, a SUBSCRIBE's `id`), a receipt's id.
    /// MQTT: the packet id.
    pub id: Option<String>,
    /// JSON text: an event's or ack's args (an array), a `next` payload, an `errors` array, a
    /// `connect_error`'s data, a handshake's details, a STOMP frame (`command`, `headers`, `body`
    /// or `body_b64`), an MQTT packet (as `sockpit mqtt --json` prints it); empty when there is
    /// none. For `protocol_error`, the message.
    pub data: String,
    /// GraphQL `error`: the operation is over (an `error` message, not a result's `errors`).
    pub terminal: bool,
}

fn dir(d: Direction) -> Dir {
    match d {
        Direction::In => Dir::In,
        Direction::Out => Dir::Out,
    }
}

fn ev(t: Nanos, kind: &str, d: Dir) -> ProtoEventDto {
    ProtoEventDto {
        t_ms: t as f64 / 1e6,
        kind: kind.into(),
        dir: d,
        namespace: String::new(),
        name: String::new(),
        id: None,
        data: String::new(),
        terminal: false,
    }
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A Socket.IO event as a row.
pub fn sio_dto(t: Nanos, e: &SioEvent) -> ProtoEventDto {
    match e {
        SioEvent::Handshake {
            sid,
            eio,
            ping_interval_ms,
            ping_timeout_ms,
            upgraded,
            reconnect,
        } => ProtoEventDto {
            name: sid.clone(),
            data: json(&serde_json::json!({
                "sid": sid, "eio": eio, "ping_interval_ms": ping_interval_ms,
                "ping_timeout_ms": ping_timeout_ms, "upgraded": upgraded, "reconnect": reconnect,
            })),
            ..ev(t, "handshake", Dir::In)
        },
        SioEvent::Connected {
            namespace,
            sid,
            reconnect,
        } => ProtoEventDto {
            namespace: namespace.clone(),
            data: json(&serde_json::json!({"sid": sid, "reconnect": reconnect})),
            ..ev(t, "connected", Dir::In)
        },
        SioEvent::ConnectError { namespace, data } => ProtoEventDto {
            namespace: namespace.clone(),
            data: json(data),
            ..ev(t, "connect_error", Dir::In)
        },
        SioEvent::Disconnected { namespace } => ProtoEventDto {
            namespace: namespace.clone(),
            ..ev(t, "disconnected", Dir::In)
        },
        SioEvent::Event {
            dir: d,
            namespace,
            name,
            args,
            id,
        } => ProtoEventDto {
            namespace: namespace.clone(),
            name: name.clone(),
            id: id.map(|i| i.to_string()),
            data: json(args),
            ..ev(t, "event", dir(*d))
        },
        SioEvent::Ack {
            dir: d,
            namespace,
            id,
            name,
            args,
        } => ProtoEventDto {
            namespace: namespace.clone(),
            name: name.clone().unwrap_or_default(),
            id: Some(id.to_string()),
            data: json(args),
            ..ev(t, "ack", dir(*d))
        },
    }
}

/// A GraphQL event as a row.
pub fn gql_dto(t: Nanos, e: &GqlEvent) -> ProtoEventDto {
    let op = |kind: &str, d: Dir, id: &str| ProtoEventDto {
        id: Some(id.to_string()),
        ..ev(t, kind, d)
    };
    match e {
        GqlEvent::Selected { protocol } => ProtoEventDto {
            name: protocol.as_str().to_string(),
            ..ev(t, "selected", Dir::In)
        },
        GqlEvent::Ack { payload } => ProtoEventDto {
            data: payload.as_ref().map(json).unwrap_or_default(),
            ..ev(t, "connection_ack", Dir::In)
        },
        GqlEvent::Started { id } => op("started", Dir::Out, id),
        GqlEvent::Resubscribed { ids } => ProtoEventDto {
            data: json(ids),
            ..ev(t, "resubscribed", Dir::Out)
        },
        GqlEvent::Next { id, payload } => ProtoEventDto {
            data: json(payload),
            ..op("next", Dir::In, id)
        },
        GqlEvent::Error {
            id,
            errors,
            terminal,
        } => ProtoEventDto {
            data: json(errors),
            terminal: *terminal,
            ..op("error", Dir::In, id)
        },
        GqlEvent::Complete { id } => op("complete", Dir::In, id),
        GqlEvent::Stopped { id } => op("stopped", Dir::Out, id),
        GqlEvent::Ping { payload } => ProtoEventDto {
            data: payload.as_ref().map(json).unwrap_or_default(),
            ..ev(t, "ping", Dir::In)
        },
        GqlEvent::Pong { payload } => ProtoEventDto {
            data: payload.as_ref().map(json).unwrap_or_default(),
            ..ev(t, "pong", Dir::In)
        },
        GqlEvent::KeepAlive => ev(t, "ka", Dir::In),
    }
}

/// A STOMP event as a row (heart-beats left to the raw view).
pub fn stomp_dto(t: Nanos, e: &StompEvent) -> Option<ProtoEventDto> {
    Some(match e {
        StompEvent::Frame { dir: d, frame } => {
            let sub = match frame.command.as_str() {
                "SUBSCRIBE" | "UNSUBSCRIBE" => frame.get("id"),
                _ => frame.get("subscription"),
            };
            ProtoEventDto {
                name: frame.command.clone(),
                namespace: frame.get("destination").unwrap_or_default().to_string(),
                id: sub.map(str::to_string),
                data: json(&stomp_frame_json(frame)),
                ..ev(t, "frame", dir(*d))
            }
        }
        StompEvent::Connected {
            version,
            server,
            session,
            send_every,
            expect_every,
        } => ProtoEventDto {
            name: version.as_str().to_string(),
            data: json(&serde_json::json!({
                "version": version.as_str(), "server": server, "session": session,
                "heartbeat_send_ms": send_every.as_millis() as u64,
                "heartbeat_expect_ms": expect_every.as_millis() as u64,
            })),
            ..ev(t, "connected", Dir::In)
        },
        StompEvent::Resubscribed { ids } => ProtoEventDto {
            data: json(ids),
            ..ev(t, "resubscribed", Dir::Out)
        },
        StompEvent::ReceiptWaiting { id, command } => ProtoEventDto {
            name: command.clone(),
            id: Some(id.clone()),
            ..ev(t, "receipt_waiting", Dir::Out)
        },
        StompEvent::Receipt {
            id,
            command,
            waited,
        } => ProtoEventDto {
            name: command.clone(),
            id: Some(id.clone()),
            data: json(&serde_json::json!({"waited_ms": waited.as_millis() as u64})),
            ..ev(t, "receipt", Dir::In)
        },
        StompEvent::Heartbeat { .. } => return None,
    })
}

/// An MQTT event as a row (pings left to the raw view); `version` words the reason codes.
pub fn mqtt_dto(version: mqtt::Version, t: Nanos, e: &MqttEvent) -> Option<ProtoEventDto> {
    Some(match e {
        MqttEvent::Packet {
            packet: Packet::PingReq | Packet::PingResp,
            ..
        } => return None,
        MqttEvent::Packet { dir: d, packet } => {
            let (topic, pkid) = match packet {
                Packet::Publish(p) => (p.topic.clone(), (p.qos > 0).then_some(p.pkid)),
                Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
                    (String::new(), Some(a.pkid))
                }
                Packet::Subscribe { pkid, .. }
                | Packet::SubAck { pkid, .. }
                | Packet::Unsubscribe { pkid, .. }
                | Packet::UnsubAck { pkid, .. } => (String::new(), Some(*pkid)),
                _ => (String::new(), None),
            };
            ProtoEventDto {
                name: packet.name().to_string(),
                namespace: topic,
                id: pkid.map(|p| p.to_string()),
                data: json(&mqtt::json::packet_json(version, *d, t, packet)),
                ..ev(t, "packet", dir(*d))
            }
        }
        MqttEvent::Connected {
            session_present,
            reconnect,
        } => ProtoEventDto {
            data: json(&serde_json::json!({
                "session_present": session_present, "reconnect": reconnect,
            })),
            ..ev(t, "connected", Dir::In)
        },
        MqttEvent::Resubscribed { filters } => ProtoEventDto {
            data: json(filters),
            ..ev(t, "resubscribed", Dir::Out)
        },
        MqttEvent::Resent { count } => ProtoEventDto {
            data: json(count),
            ..ev(t, "resent", Dir::Out)
        },
    })
}

/// A protocol error as a row.
pub fn error_dto(t: Nanos, e: &ProtocolError) -> ProtoEventDto {
    ProtoEventDto {
        name: e.code.to_string(),
        data: e.message.clone(),
        ..ev(t, "protocol_error", Dir::In)
    }
}

/// Splits a layered batch into the session's events (the wire view, for the log) and the decoded
/// rows (an event `to_dto` gives no row for is left out).
pub fn split<E, R: Into<Option<ProtoEventDto>>>(
    batch: Vec<LayerEvent<E>>,
    to_dto: impl Fn(Nanos, &E) -> R,
) -> (Vec<SessionEvent>, Vec<ProtoEventDto>) {
    let mut session = Vec::new();
    let mut rows = Vec::new();
    for e in batch {
        match e {
            LayerEvent::Session(s) => session.push(s),
            LayerEvent::Protocol { t, event } => rows.extend(to_dto(t, &event).into()),
            LayerEvent::Error { t, error } => rows.push(error_dto(t, &error)),
        }
    }
    (session, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_bindings_are_up_to_date() {
        let mut failures = Vec::new();
        crate::dto::tests::check::<ProtoEventDto>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }

    #[test]
    fn an_ack_row_names_the_emit_it_answers() {
        let row = sio_dto(
            2_000_000,
            &SioEvent::Ack {
                dir: Direction::In,
                namespace: "/".into(),
                id: 3,
                name: Some("ack-me".into()),
                args: vec![serde_json::json!("hi")],
            },
        );
        assert_eq!(
            (row.kind.as_str(), row.name.as_str(), row.id.as_deref()),
            ("ack", "ack-me", Some("3"))
        );
        assert_eq!(row.data, r#"["hi"]"#);
        assert_eq!(row.t_ms, 2.0);
    }

    #[test]
    fn a_terminal_graphql_error_keeps_its_errors_array() {
        let row = gql_dto(
            0,
            &GqlEvent::Error {
                id: "1".into(),
                errors: serde_json::json!([{"message": "boom"}]),
                terminal: true,
            },
        );
        assert!(row.terminal);
        assert_eq!(row.id.as_deref(), Some("1"));
        assert!(row.data.contains("boom"));
    }
}
