//! MQTT 3.1.1 and 5.0 over WebSocket as one [`ProtocolLayer`] (subprotocol `mqtt`, binary frames).
//!
//! Binary messages feed a reassembly buffer, so a packet may span frames and a frame may hold
//! several packets; [`codec::decode`] is a pure function over those bytes. On every open the layer
//! sends CONNECT and waits for CONNACK (bounded by [`MqttOptions::connack_timeout`]); intents are
//! queued until then. After a reconnect the subscriptions are sent again ([`MqttEvent::Resubscribed`])
//! and unacknowledged QoS 1/2 publishes are resent. QoS 1 and 2 run their full flows both ways
//! (PUBACK; PUBREC, PUBREL, PUBCOMP) with packet ids. A PINGREQ goes out when nothing was sent
//! for the keepalive; no PINGRESP within the keepalive after it drops the connection as lost, so
//! the session's reconnect policy applies.
//!
//! Error codes: `mqtt.malformed_packet`, `mqtt.packet_too_large`, `mqtt.truncated_packet`,
//! `mqtt.connack_refused`, `mqtt.no_connack`, `mqtt.keepalive_timeout`, `mqtt.disconnected`
//! (a v5 server DISCONNECT), `mqtt.subscribe_refused`, `mqtt.publish_refused`,
//! `mqtt.bad_topic`, `mqtt.unknown_packet_id`, `mqtt.protocol_violation`, `mqtt.too_long`.

pub mod codec;
mod encode;
mod flows;
pub mod json;
pub mod props;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

pub use codec::{decode, Ack, CodecError, Connect, Packet, Publish, SubFilter, Version, Will};
pub use encode::encode;
pub use props::{check_filter, check_topic, connack_v3_words, reason_words, PropValue, Properties};

use super::{LayerOutput, ProtocolLayer};
use crate::ws::{DataKind, Direction, UpgradeReport};

/// How an MQTT layer connects.
#[derive(Debug, Clone)]
pub struct MqttOptions {
    pub version: Version,
    pub client_id: String,
    /// Clean session (3.1.1) / clean start (5).
    pub clean: bool,
    /// Seconds; 0 turns keepalive off.
    pub keep_alive: u16,
    pub username: Option<String>,
    pub password: Option<Bytes>,
    pub will: Option<Will>,
    /// v5 CONNECT properties (session expiry, user properties, ...).
    pub connect_props: Properties,
    pub connack_timeout: Duration,
    /// Largest packet accepted from the server.
    pub max_packet: usize,
}

impl Default for MqttOptions {
    fn default() -> Self {
        MqttOptions {
            version: Version::V311,
            client_id: String::new(),
            clean: true,
            keep_alive: 60,
            username: None,
            password: None,
            will: None,
            connect_props: Properties::default(),
            connack_timeout: Duration::from_secs(10),
            max_packet: 64 << 20,
        }
    }
}

/// What the user asks of an MQTT session.
#[derive(Debug, Clone)]
pub enum MqttIntent {
    Subscribe {
        filters: Vec<SubFilter>,
        props: Properties,
    },
    Unsubscribe {
        filters: Vec<String>,
    },
    /// `pkid` is assigned by the layer for QoS 1/2.
    Publish(Publish),
    /// DISCONNECT with this reason code (v5), then a clean close.
    Disconnect {
        code: u8,
        props: Properties,
    },
}

/// What an MQTT session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum MqttEvent {
    /// Every packet, both ways, in order.
    Packet { dir: Direction, packet: Packet },
    /// CONNACK accepted; `reconnect` on every open after the first.
    Connected {
        session_present: bool,
        reconnect: bool,
    },
    /// After a reconnect: these subscriptions were sent again.
    Resubscribed { filters: Vec<String> },
    /// After a reconnect: this many unacknowledged QoS 1/2 publishes were sent again.
    Resent { count: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flight {
    /// QoS 1 waits for PUBACK, QoS 2 for PUBREC.
    Published,
    /// QoS 2: PUBREL sent, waits for PUBCOMP.
    Released,
}

/// The MQTT layer.
pub struct MqttLayer {
    opts: MqttOptions,
    buf: BytesMut,
    connected: bool,
    opens: u32,
    connack_deadline: Option<Instant>,
    last_sent: Instant,
    ping_deadline: Option<Instant>,
    /// Intents waiting for CONNACK.
    queued: Vec<MqttIntent>,
    /// Subscriptions acknowledged or in flight (sent again after a reconnect).
    subs: Vec<SubFilter>,
    pending_subs: HashMap<u16, Vec<String>>,
    /// Our QoS 1/2 publishes not yet complete, in the order sent.
    outgoing: Vec<(Publish, Flight)>,
    /// QoS 2 packet ids received, PUBREC sent, waiting for PUBREL.
    incoming: HashSet<u16>,
    next_pkid: u16,
    in_use: HashSet<u16>,
}

impl MqttLayer {
    pub fn new(opts: MqttOptions) -> MqttLayer {
        MqttLayer {
            opts,
            buf: BytesMut::new(),
            connected: false,
            opens: 0,
            connack_deadline: None,
            last_sent: Instant::now(),
            ping_deadline: None,
            queued: Vec::new(),
            subs: Vec::new(),
            pending_subs: HashMap::new(),
            outgoing: Vec::new(),
            incoming: HashSet::new(),
            next_pkid: 1,
            in_use: HashSet::new(),
        }
    }

    pub fn version(&self) -> Version {
        self.opts.version
    }

    /// Whether CONNACK accepted the current connection.
    pub fn connected(&self) -> bool {
        self.connected
    }

    fn pkid(&mut self) -> u16 {
        loop {
            let id = self.next_pkid;
            self.next_pkid = self.next_pkid.checked_add(1).unwrap_or(1);
            if !self.in_use.contains(&id) {
                self.in_use.insert(id);
                return id;
            }
        }
    }

    fn send(&mut self, p: Packet, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        match encode(&p, self.opts.version) {
            Ok(bytes) => {
                out.send_binary(bytes);
                self.last_sent = now;
                out.event(MqttEvent::Packet {
                    dir: Direction::Out,
                    packet: p,
                });
            }
            Err(e) => out.error(e.code, e.message),
        }
    }

    fn connect_packet(&self) -> Packet {
        Packet::Connect(Box::new(Connect {
            version: self.opts.version,
            client_id: self.opts.client_id.clone(),
            clean: self.opts.clean,
            keep_alive: self.opts.keep_alive,
            username: self.opts.username.clone(),
            password: self.opts.password.clone(),
            will: self.opts.will.clone(),
            props: self.opts.connect_props.clone(),
        }))
    }

    fn intent_now(&mut self, intent: MqttIntent, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        match intent {
            MqttIntent::Subscribe { filters, props } => {
                let pkid = self.pkid();
                self.pending_subs
                    .insert(pkid, filters.iter().map(|f| f.filter.clone()).collect());
                for f in &filters {
                    self.subs.retain(|s| s.filter != f.filter);
                    self.subs.push(f.clone());
                }
                self.send(
                    Packet::Subscribe {
                        pkid,
                        filters,
                        props,
                    },
                    now,
                    out,
                );
            }
            MqttIntent::Unsubscribe { filters } => {
                self.subs.retain(|s| !filters.contains(&s.filter));
                let pkid = self.pkid();
                self.send(
                    Packet::Unsubscribe {
                        pkid,
                        filters,
                        props: Properties::default(),
                    },
                    now,
                    out,
                );
            }
            MqttIntent::Publish(mut p) => {
                p.pkid = if p.qos > 0 { self.pkid() } else { 0 };
                if p.qos > 0 {
                    self.outgoing.push((p.clone(), Flight::Published));
                }
                self.send(Packet::Publish(p), now, out);
            }
            MqttIntent::Disconnect { code, props } => {
                self.send(Packet::Disconnect { code, props }, now, out);
                self.connected = false;
                self.ping_deadline = None;
                out.close = Some((1000, String::new()));
            }
        }
    }

    fn check_intent(intent: &MqttIntent) -> Result<(), String> {
        match intent {
            MqttIntent::Subscribe { filters, .. } => {
                if filters.is_empty() {
                    return Err("SUBSCRIBE needs at least one filter".into());
                }
                for f in filters {
                    check_filter(&f.filter)?;
                    if f.qos > 2 {
                        return Err(format!(
                            "QoS {} for '{}': QoS is 0, 1 or 2",
                            f.qos, f.filter
                        ));
                    }
                }
            }
            MqttIntent::Unsubscribe { filters } => {
                for f in filters {
                    check_filter(f)?;
                }
            }
            MqttIntent::Publish(p) => {
                check_topic(&p.topic)?;
                if p.qos > 2 {
                    return Err(format!("QoS {}: QoS is 0, 1 or 2", p.qos));
                }
            }
            MqttIntent::Disconnect { .. } => {}
        }
        Ok(())
    }
}

impl ProtocolLayer for MqttLayer {
    type Intent = MqttIntent;
    type Event = MqttEvent;

    fn subprotocols(&self) -> Vec<String> {
        vec!["mqtt".into()]
    }

    fn on_open(&mut self, _report: &UpgradeReport, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        self.opens += 1;
        self.connected = false;
        self.buf.clear();
        self.ping_deadline = None;
        let connect = self.connect_packet();
        self.send(connect, now, out);
        self.connack_deadline = Some(now + self.opts.connack_timeout);
    }

    fn on_message(
        &mut self,
        kind: DataKind,
        data: &Bytes,
        now: Instant,
        out: &mut LayerOutput<MqttEvent>,
    ) {
        if kind == DataKind::Text {
            out.error(
                "mqtt.malformed_packet",
                format!(
                    "a text message ({} bytes): MQTT over WebSocket is binary",
                    data.len()
                ),
            );
            return;
        }
        self.buf.extend_from_slice(data);
        let mut used = 0;
        loop {
            match decode(&self.buf[used..], self.opts.version, self.opts.max_packet) {
                Ok(Some((p, n))) => {
                    used += n;
                    self.on_packet(p, now, out);
                }
                Ok(None) => break,
                Err(e) => {
                    // The stream has lost its packet boundaries: nothing after this can be trusted.
                    self.buf.clear();
                    used = 0;
                    out.error(e.code, format!("{} (the connection is closed)", e.message));
                    out.close = Some((1002, "malformed MQTT packet".into()));
                    break;
                }
            }
        }
        let _ = self.buf.split_to(used.min(self.buf.len()));
    }

    fn on_intent(&mut self, intent: MqttIntent, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        if let Err(m) = Self::check_intent(&intent) {
            out.error("mqtt.bad_topic", m);
            return;
        }
        if self.connected {
            self.intent_now(intent, now, out);
        } else if matches!(intent, MqttIntent::Disconnect { .. }) {
            out.close = Some((1000, String::new()));
        } else {
            self.queued.push(intent);
        }
    }

    fn on_close(&mut self, _now: Instant, out: &mut LayerOutput<MqttEvent>) {
        if !self.buf.is_empty() {
            let want = match codec::read_varint(&self.buf[1..]) {
                Ok(Some((len, n))) => format!(" of {}", 1 + n + len),
                _ => String::new(),
            };
            out.error(
                "mqtt.truncated_packet",
                format!(
                    "the connection closed in the middle of a packet ({} byte(s){want} received)",
                    self.buf.len()
                ),
            );
            self.buf.clear();
        }
        self.connected = false;
        self.connack_deadline = None;
        self.ping_deadline = None;
        self.pending_subs.clear();
        // Subscription packet ids die with the connection; publishes in flight keep theirs.
        let keep: HashSet<u16> = self.outgoing.iter().map(|(p, _)| p.pkid).collect();
        self.in_use = keep;
        self.incoming.clear();
    }

    fn next_deadline(&self) -> Option<Instant> {
        let keepalive =
            (self.connected && self.opts.keep_alive > 0 && self.ping_deadline.is_none())
                .then(|| self.last_sent + Duration::from_secs(u64::from(self.opts.keep_alive)));
        [self.connack_deadline, self.ping_deadline, keepalive]
            .into_iter()
            .flatten()
            .min()
    }

    fn on_timer(&mut self, now: Instant, out: &mut LayerOutput<MqttEvent>) {
        if let Some(d) = self.connack_deadline {
            if now >= d {
                self.connack_deadline = None;
                out.error(
                    "mqtt.no_connack",
                    format!(
                        "no CONNACK within {} of CONNECT: the server accepted the WebSocket but \
                         never answered as an MQTT broker",
                        crate::util::fmt_duration(self.opts.connack_timeout)
                    ),
                );
                out.close = Some((1000, String::new()));
                return;
            }
        }
        if let Some(d) = self.ping_deadline {
            if now >= d {
                self.ping_deadline = None;
                self.connected = false;
                let why = format!(
                    "no PINGRESP within {} s of PINGREQ (keepalive): the connection is treated as lost",
                    self.opts.keep_alive
                );
                out.error("mqtt.keepalive_timeout", why.clone());
                out.drop = Some(why);
            }
            return;
        }
        if self.connected && self.opts.keep_alive > 0 {
            let ka = Duration::from_secs(u64::from(self.opts.keep_alive));
            if now >= self.last_sent + ka {
                self.send(Packet::PingReq, now, out);
                self.ping_deadline = Some(now + ka);
            }
        }
    }
}

#[cfg(test)]
mod tests;
