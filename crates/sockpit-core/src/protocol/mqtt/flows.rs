//! What the MQTT layer does with each packet from the broker: the QoS flows, acknowledgements,
//! CONNACK (and the resubscribe after a reconnect), refusals in words.

use std::time::Instant;

use super::codec::{Ack, Packet, Version};
use super::props::{self, connack_v3_words, reason_words, Properties};
use super::{Flight, MqttEvent, MqttLayer};
use crate::protocol::LayerOutput;
use crate::ws::Direction;

impl MqttLayer {
    fn refused(&self, code: u8, props: &Properties) -> String {
        let words = match self.opts.version {
            Version::V311 => connack_v3_words(code),
            Version::V5 => reason_words(code),
        };
        let mut m = format!("the broker refused the connection: {words} (CONNACK {code:#04x})");
        if let Some(r) = props.string(props::id::REASON_STRING) {
            m.push_str(&format!(": {r}"));
        }
        m
    }

    pub(super) fn on_packet(&mut self, p: Packet, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        let reply = match &p {
            Packet::ConnAck {
                session_present,
                code,
                props,
            } => {
                self.connack_deadline = None;
                if *code != 0 {
                    out.error("mqtt.connack_refused", self.refused(*code, props));
                    out.close = Some((1000, String::new()));
                } else {
                    self.connected = true;
                    let reconnect = self.opens > 1;
                    out.event(MqttEvent::Packet {
                        dir: Direction::In,
                        packet: p.clone(),
                    });
                    out.event(MqttEvent::Connected {
                        session_present: *session_present,
                        reconnect,
                    });
                    self.after_connack(reconnect, now, out);
                    return;
                }
                None
            }
            Packet::Publish(pb) => match pb.qos {
                1 => Some(Packet::PubAck(Ack::new(pb.pkid))),
                2 => {
                    let dup = !self.incoming.insert(pb.pkid);
                    if dup {
                        // A resend of one already received: acknowledge again, report once.
                        self.send(Packet::PubRec(Ack::new(pb.pkid)), now, out);
                        return;
                    }
                    Some(Packet::PubRec(Ack::new(pb.pkid)))
                }
                _ => None,
            },
            Packet::PubRel(a) => {
                self.incoming.remove(&a.pkid);
                Some(Packet::PubComp(Ack::new(a.pkid)))
            }
            Packet::PubAck(a) | Packet::PubComp(a) => {
                let want = if matches!(p, Packet::PubAck(_)) {
                    Flight::Published
                } else {
                    Flight::Released
                };
                if let Some(i) = self
                    .outgoing
                    .iter()
                    .position(|(o, f)| o.pkid == a.pkid && *f == want)
                {
                    self.outgoing.remove(i);
                    self.in_use.remove(&a.pkid);
                } else {
                    out.error(
                        "mqtt.unknown_packet_id",
                        format!(
                            "{} for packet id {}, which is not in flight",
                            p.name().to_uppercase(),
                            a.pkid
                        ),
                    );
                }
                if a.code >= 0x80 {
                    out.error(
                        "mqtt.publish_refused",
                        format!(
                            "the broker refused publish {}: {}",
                            a.pkid,
                            reason_words(a.code)
                        ),
                    );
                }
                None
            }
            Packet::PubRec(a) => {
                let found = self
                    .outgoing
                    .iter_mut()
                    .find(|(o, f)| o.pkid == a.pkid && *f == Flight::Published && o.qos == 2);
                match found {
                    Some(entry) if a.code < 0x80 => {
                        entry.1 = Flight::Released;
                        Some(Packet::PubRel(Ack::new(a.pkid)))
                    }
                    Some(_) => {
                        self.outgoing.retain(|(o, _)| o.pkid != a.pkid);
                        self.in_use.remove(&a.pkid);
                        out.error(
                            "mqtt.publish_refused",
                            format!(
                                "the broker refused publish {}: {}",
                                a.pkid,
                                reason_words(a.code)
                            ),
                        );
                        None
                    }
                    None => {
                        out.error(
                            "mqtt.unknown_packet_id",
                            format!("PUBREC for packet id {}, which is not in flight", a.pkid),
                        );
                        // Answer anyway so the broker's flow can end.
                        Some(Packet::PubRel(Ack {
                            pkid: a.pkid,
                            code: 0x92,
                            props: Properties::default(),
                        }))
                    }
                }
            }
            Packet::SubAck { pkid, codes, .. } => {
                let filters = self.pending_subs.remove(pkid).unwrap_or_default();
                self.in_use.remove(pkid);
                for (i, c) in codes.iter().enumerate() {
                    if *c >= 0x80 {
                        let f = filters.get(i).cloned().unwrap_or_default();
                        self.subs.retain(|s| s.filter != f);
                        let why = if self.opts.version == Version::V5 {
                            reason_words(*c)
                        } else {
                            "failure"
                        };
                        out.error(
                            "mqtt.subscribe_refused",
                            format!(
                                "the broker refused the subscription to '{f}': {why} ({c:#04x})"
                            ),
                        );
                    }
                }
                None
            }
            Packet::UnsubAck { pkid, .. } => {
                self.in_use.remove(pkid);
                None
            }
            Packet::PingResp => {
                self.ping_deadline = None;
                None
            }
            Packet::Disconnect { code, props } => {
                let mut m = format!(
                    "the broker sent DISCONNECT: {} ({code:#04x})",
                    reason_words(*code)
                );
                if let Some(r) = props.string(props::id::REASON_STRING) {
                    m.push_str(&format!(": {r}"));
                }
                out.error("mqtt.disconnected", m);
                None
            }
            Packet::Auth { .. } => None,
            Packet::Connect(_)
            | Packet::Subscribe { .. }
            | Packet::Unsubscribe { .. }
            | Packet::PingReq => {
                out.error(
                    "mqtt.protocol_violation",
                    format!(
                        "the server sent {}, a client's packet",
                        p.name().to_uppercase()
                    ),
                );
                None
            }
        };
        out.event(MqttEvent::Packet {
            dir: Direction::In,
            packet: p,
        });
        if let Some(r) = reply {
            self.send(r, now, out);
        }
    }

    fn after_connack(&mut self, reconnect: bool, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        if reconnect && !self.subs.is_empty() {
            let filters = self.subs.clone();
            let names: Vec<String> = filters.iter().map(|f| f.filter.clone()).collect();
            let pkid = self.pkid();
            self.pending_subs.insert(pkid, names.clone());
            self.send(
                Packet::Subscribe {
                    pkid,
                    filters,
                    props: Properties::default(),
                },
                now,
                out,
            );
            out.event(MqttEvent::Resubscribed { filters: names });
        }
        if reconnect && !self.outgoing.is_empty() {
            let flights = self.outgoing.clone();
            for (mut p, f) in flights.iter().cloned() {
                match f {
                    Flight::Published => {
                        p.dup = true;
                        self.send(Packet::Publish(p), now, out);
                    }
                    Flight::Released => self.send(Packet::PubRel(Ack::new(p.pkid)), now, out),
                }
            }
            out.event(MqttEvent::Resent {
                count: flights.len(),
            });
        }
        for intent in std::mem::take(&mut self.queued) {
            self.intent_now(intent, now, out);
        }
    }
}
