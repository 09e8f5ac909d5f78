//! `sockpit mqtt`: an MQTT 3.1.1/5.0 session over WebSocket (core's `protocol::mqtt`) from flags;
//! received publishes as `topic payload` lines, or every packet as a JSON line.

use std::io::Write;

use bytes::Bytes;
use clap::Args;
use serde_json::json;
use sockpit_core::protocol::mqtt::{
    check_filter, check_topic, props::id, MqttEvent, MqttIntent, MqttLayer, MqttOptions, Packet,
    PropValue, Properties, Publish, SubFilter, Version, Will,
};
use sockpit_core::protocol::{self, LayerEvent};
use sockpit_core::script::layered::MqttScripting;
use sockpit_core::script::ScriptLayer;
use sockpit_core::ws::Direction;

use crate::args::ConnectionArgs;
use crate::connect::{connection_config, secs, Usage};
use crate::exit;
use crate::interrupt::{self, Signal};
use crate::layer_out::{exit_status, usage, LayerOutputArgs};
use crate::layer_script::{self, LayerScriptArgs};
use crate::output::Printer;
use sockpit_core::protocol::mqtt::json::packet_json;

pub const MQTT_AFTER_HELP: &str = concat!(
    "\
The subprotocol 'mqtt' is offered; packets ride binary frames. CONNECT is sent on every open;
after a reconnect (--reconnect) the subscriptions are sent again (a mqtt_resubscribe event).
--publish waits for the SUBACK of the --subscribe filters, so a publish to a subscribed topic is seen.
Without -n the run ends once every --publish is acknowledged (when nothing is subscribed), else at
--timeout or when the broker closes. -n N ends after N received PUBLISH packets.
Output: 'topic payload' per received publish (binary payloads as hex); with --json one line per
packet: {\"event\":\"mqtt\",\"dir\":\"in\",\"type\":\"publish\",\"topic\":..,\"qos\":..,\"retain\":..,
\"payload\":..} (payload_b64 for binary), connack (code, reason), suback (granted), puback, ...
--script FILE.js: onMessage sees each received publish as {type:'publish', topic, qos, retain,
payload} and every other received packet by type ({type:'suback', granted}, {type:'connack', code},
...); sp.publish(topic, payload) publishes at --qos/--retain; sp.close() DISCONNECTs first.
Exit status: 0 clean finish, 1 connection/protocol error (a refused CONNACK included),
2 usage error, 3 timeout (--timeout), 130/143 interrupted.",
    signals_help!()
);

#[derive(Debug, Args)]
pub struct MqttArgs {
    /// ws:// or wss:// URL of the broker's WebSocket listener.
    pub url: String,
    /// MQTT version: 3.1.1 or 5.
    #[arg(long, value_name = "3.1.1|5", default_value = "3.1.1", value_parser = ["3.1.1", "5"])]
    pub mqtt_version: String,
    /// MQTT client identifier (default: sockpit-<random>). Not `--client-id`: that is OAuth2's,
    /// among the connection flags.
    #[arg(long = "mqtt-client-id", value_name = "ID")]
    pub mqtt_client_id: Option<String>,
    #[arg(long, value_name = "U")]
    pub username: Option<String>,
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Keep the session (clean session / clean start off).
    #[arg(long)]
    pub no_clean: bool,
    /// Subscribe to a topic filter, with QoS 0, 1 or 2 (default 0) (repeatable).
    #[arg(long = "subscribe", value_name = "TOPIC[:QOS]")]
    pub subscribe: Vec<String>,
    /// Publish PAYLOAD to TOPIC once subscribed (repeatable).
    #[arg(long, num_args = 2, value_names = ["TOPIC", "PAYLOAD"], action = clap::ArgAction::Append)]
    pub publish: Vec<String>,
    /// QoS of every --publish.
    #[arg(long, value_name = "0|1|2", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=2))]
    pub qos: u8,
    /// Set the retain flag on every --publish.
    #[arg(long)]
    pub retain: bool,
    /// Keepalive in seconds (PINGREQ when idle; 0 turns it off).
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub keepalive: u16,
    /// Will message topic (with --will-payload).
    #[arg(long, value_name = "TOPIC", requires = "will_payload")]
    pub will_topic: Option<String>,
    #[arg(long, value_name = "PAYLOAD", requires = "will_topic")]
    pub will_payload: Option<String>,
    #[arg(long, value_name = "0|1|2", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=2))]
    pub will_qos: u8,
    #[arg(long)]
    pub will_retain: bool,
    /// MQTT 5: session expiry interval in seconds.
    #[arg(long, value_name = "S")]
    pub session_expiry: Option<u32>,
    /// MQTT 5: a user property NAME=VALUE on CONNECT and every --publish (repeatable).
    #[arg(long = "user-property", value_name = "NAME=VALUE")]
    pub user_property: Vec<String>,
    /// MQTT 5: response topic on every --publish.
    #[arg(long, value_name = "TOPIC")]
    pub response_topic: Option<String>,
    /// MQTT 5: correlation data on every --publish.
    #[arg(long, value_name = "DATA")]
    pub correlation_data: Option<String>,
    /// MQTT 5: the DISCONNECT reason code at the end (0 normal, 4 with will).
    #[arg(long, value_name = "CODE", default_value_t = 0)]
    pub disconnect_reason: u8,
    /// Give up when no CONNACK arrives within SECS of CONNECT (exit 1).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connack_timeout: f64,
    #[command(flatten)]
    pub out: LayerOutputArgs,
    #[command(flatten)]
    pub script: LayerScriptArgs,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

/// `a/b:1` → (`a/b`, 1); a filter without `:digits` is QoS 0.
fn parse_subscribe(s: &str) -> Result<SubFilter, Usage> {
    let (filter, qos) = match s.rsplit_once(':') {
        Some((f, q)) if !q.is_empty() && q.chars().all(|c| c.is_ascii_digit()) => {
            let qos: u8 = q.parse().unwrap_or(u8::MAX);
            if qos > 2 {
                return Err(Usage(format!(
                    "--subscribe '{s}': QoS {q} is not 0, 1 or 2 (write TOPIC:QOS, e.g. 'a/b:1')"
                )));
            }
            (f, qos)
        }
        _ => (s, 0),
    };
    check_filter(filter).map_err(|e| Usage(format!("--subscribe: {e}")))?;
    Ok(SubFilter::new(filter, qos))
}

fn user_props(a: &MqttArgs) -> Result<Vec<(u8, PropValue)>, Usage> {
    a.user_property
        .iter()
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(|| {
                Usage(format!(
                    "--user-property '{p}' has no '='; write it as NAME=VALUE"
                ))
            })?;
            Ok((id::USER_PROPERTY, PropValue::Pair(k.into(), v.into())))
        })
        .collect()
}

/// `sockpit-<pid><nanos>`: unique enough that two runs do not take over each other's session.
fn default_client_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("sockpit-{:x}{nanos:08x}", std::process::id())
}

struct Plan {
    opts: MqttOptions,
    subs: Vec<SubFilter>,
    pubs: Vec<Publish>,
}

fn plan(a: &MqttArgs) -> Result<Plan, Usage> {
    let version = Version::parse(&a.mqtt_version).unwrap_or(Version::V311);
    let v5 = version == Version::V5;
    if !v5
        && (a.session_expiry.is_some()
            || !a.user_property.is_empty()
            || a.response_topic.is_some()
            || a.correlation_data.is_some()
            || a.disconnect_reason != 0)
    {
        return Err(Usage(
            "--session-expiry, --user-property, --response-topic, --correlation-data and \
             --disconnect-reason are MQTT 5 features: add --mqtt-version 5"
                .into(),
        ));
    }
    let subs = a
        .subscribe
        .iter()
        .map(|s| parse_subscribe(s))
        .collect::<Result<Vec<_>, _>>()?;
    let user = user_props(a)?;
    let mut pub_props = Properties(user.clone());
    if let Some(t) = &a.response_topic {
        check_topic(t).map_err(|e| Usage(format!("--response-topic: {e}")))?;
        pub_props.push(id::RESPONSE_TOPIC, PropValue::Str(t.clone()));
    }
    if let Some(c) = &a.correlation_data {
        pub_props.push(
            id::CORRELATION_DATA,
            PropValue::Bin(Bytes::from(c.clone().into_bytes())),
        );
    }
    let mut pubs = Vec::new();
    for pair in a.publish.chunks(2) {
        let [topic, payload] = pair else {
            return Err(Usage("--publish takes TOPIC and PAYLOAD".into()));
        };
        check_topic(topic).map_err(|e| Usage(format!("--publish: {e}")))?;
        pubs.push(Publish {
            dup: false,
            qos: a.qos,
            retain: a.retain,
            topic: topic.clone(),
            pkid: 0,
            payload: Bytes::from(payload.clone().into_bytes()),
            props: pub_props.clone(),
        });
    }
    let mut connect_props = Properties(user);
    if let Some(s) = a.session_expiry {
        connect_props.push(id::SESSION_EXPIRY, PropValue::U32(s));
    }
    let will = match (&a.will_topic, &a.will_payload) {
        (Some(t), Some(p)) => {
            check_topic(t).map_err(|e| Usage(format!("--will-topic: {e}")))?;
            Some(Will {
                topic: t.clone(),
                payload: Bytes::from(p.clone().into_bytes()),
                qos: a.will_qos,
                retain: a.will_retain,
                props: Properties::default(),
            })
        }
        _ => None,
    };
    let opts = MqttOptions {
        version,
        client_id: a.mqtt_client_id.clone().unwrap_or_else(default_client_id),
        clean: !a.no_clean,
        keep_alive: a.keepalive,
        username: a.username.clone(),
        password: a.password.clone().map(|p| Bytes::from(p.into_bytes())),
        will,
        connect_props,
        connack_timeout: secs("connack-timeout", a.connack_timeout)?,
        max_packet: a.conn.max_message_size,
    };
    Ok(Plan { opts, subs, pubs })
}

/// How the run is going.
#[derive(Default)]
struct State {
    received: u64,
    /// Our publishes not yet complete (sent at QoS 0, PUBACK, PUBCOMP).
    unfinished: usize,
    /// SUBACKs still awaited before the publishes go.
    subacks_awaited: usize,
    /// Incoming QoS 2 publishes whose PUBREL has not arrived (the flow is finished before leaving).
    incoming_qos2: usize,
    /// A CONNACK accepted the connection at least once.
    connacked: bool,
    closing: bool,
    ended: bool,
    protocol_failure: Option<(&'static str, String)>,
    session_failure: Option<(i32, String)>,
}

pub async fn run(a: MqttArgs) -> i32 {
    let prepared = plan(&a).and_then(|p| {
        let t = a.out.time_limit()?;
        let mut cfg = connection_config(&a.url, &a.conn)?;
        cfg.inspect_frames = a.out.raw_wanted();
        Ok((p, cfg, t))
    });
    let (plan, cfg, timeout) = match prepared {
        Ok(v) => v,
        Err(u) => return usage(u),
    };
    let version = plan.opts.version;
    let mut printer = a.out.printer();
    let scripting = MqttScripting {
        qos: a.qos,
        retain: a.retain,
        disconnect_reason: a.disconnect_reason,
    };
    let (path, stop) = (a.script.script.as_ref(), a.script.script_stop_on_error);
    let mut script =
        match layer_script::start(path, stop, ScriptLayer::Mqtt, scripting, &mut printer).await {
            Ok(s) => s,
            Err(msg) => return usage(Usage(msg)),
        };
    let disconnect = MqttIntent::Disconnect {
        code: a.disconnect_reason,
        props: Properties::default(),
    };
    let mut h = protocol::spawn(MqttLayer::new(plan.opts), cfg);
    let control = h.control();
    let mut st = State {
        unfinished: plan.pubs.len(),
        ..State::default()
    };
    let mut pubs = Some(plan.pubs);
    if !plan.subs.is_empty() {
        st.subacks_awaited = 1;
        let _ = control
            .intent(MqttIntent::Subscribe {
                filters: plan.subs.clone(),
                props: Properties::default(),
            })
            .await;
    }
    let run = async {
        loop {
            if st.subacks_awaited == 0 {
                for p in pubs.take().unwrap_or_default() {
                    let _ = control.intent(MqttIntent::Publish(p)).await;
                }
            }
            let next = layer_script::next_batch(&mut h, script.as_mut(), &control, &mut printer);
            let Some(batch) = next.await else {
                break;
            };
            for ev in &batch {
                if handle(&mut printer, &mut st, &a, version, ev).is_err() {
                    st.ended = true; // stdout is gone
                }
            }
            let _ = printer.flush();
            if let Some(s) = script.as_mut() {
                s.feed(s.inputs(&batch), &control, &mut printer).await;
            }
            // Never before CONNACK (a refusal must be seen), nor with our publishes in flight.
            let published = pubs.is_none() && st.unfinished == 0 && st.incoming_qos2 == 0;
            let done = st.connacked
                && published
                && match a.out.count {
                    Some(n) => st.received >= n,
                    None => plan.subs.is_empty(),
                };
            if done && !st.closing && !st.ended {
                st.closing = true;
                let _ = control.intent(disconnect.clone()).await;
            }
            if st.ended {
                break;
            }
        }
    };
    // A signal: DISCONNECT (the layer then closes, with the signal's code), else a close frame.
    let goodbye = |sig: Signal| {
        let (control, disconnect) = (&control, &disconnect);
        interrupt::goodbye_then_close(
            async move {
                control.close_as(sig.close_code(), sig.reason());
                let _ = control.intent(disconnect.clone()).await;
            },
            control.close(sig.close_code(), sig.reason()),
        )
    };
    let ending = interrupt::drive(timeout, run, goodbye).await;
    let scripted = layer_script::finish(script, &mut printer).await;
    if let Some(code) = a.out.cut_short(ending, timeout, &mut printer) {
        return code;
    }
    let _ = printer.flush();
    exit_status(
        st.protocol_failure
            .map(|(_, m)| (exit::FAILURE, m))
            .or(st.session_failure)
            .or(scripted.err().map(|m| (exit::FAILURE, m))),
    )
}

fn handle<W: Write>(
    p: &mut Printer<W>,
    st: &mut State,
    a: &MqttArgs,
    v: Version,
    ev: &LayerEvent<MqttEvent>,
) -> std::io::Result<()> {
    match ev {
        LayerEvent::Session(s) => {
            if a.out.session(p, &mut st.session_failure, s)? {
                st.ended = true;
            }
            Ok(())
        }
        LayerEvent::Error { t, error } => {
            if error.code() != "mqtt.unknown_packet_id" {
                st.protocol_failure
                    .get_or_insert_with(|| (error.code(), error.message.clone()));
            }
            a.out.layer_error(p, *t, error.code(), &error.message)
        }
        LayerEvent::Protocol { t, event } => mqtt(p, st, a, v, *t, event),
    }
}

fn mqtt<W: Write>(
    p: &mut Printer<W>,
    st: &mut State,
    a: &MqttArgs,
    v: Version,
    t: u64,
    ev: &MqttEvent,
) -> std::io::Result<()> {
    match ev {
        MqttEvent::Packet { dir, packet } => {
            let counted = match (dir, packet) {
                (Direction::In, Packet::Publish(pb)) => {
                    if a.out.count_reached(st.received) {
                        return Ok(());
                    }
                    st.received += 1;
                    if pb.qos == 2 {
                        st.incoming_qos2 += 1;
                    }
                    if !a.out.json {
                        write!(p.out, "{} ", pb.topic)?;
                        match std::str::from_utf8(&pb.payload) {
                            Ok(s) => writeln!(p.out, "{s}")?,
                            Err(_) => writeln!(p.out, "{}", hex::encode(&pb.payload))?,
                        }
                    }
                    true
                }
                (Direction::In, Packet::PubRel(_)) => {
                    st.incoming_qos2 = st.incoming_qos2.saturating_sub(1);
                    false
                }
                (Direction::In, Packet::SubAck { .. }) => {
                    st.subacks_awaited = st.subacks_awaited.saturating_sub(1);
                    false
                }
                (Direction::Out, Packet::Publish(pb)) if pb.qos == 0 => {
                    st.unfinished = st.unfinished.saturating_sub(1);
                    false
                }
                (Direction::In, Packet::PubAck(_) | Packet::PubComp(_)) => {
                    st.unfinished = st.unfinished.saturating_sub(1);
                    false
                }
                _ => false,
            };
            if a.out.json {
                writeln!(p.out, "{}", packet_json(v, *dir, t, packet))
            } else if a.out.verbose && !counted {
                writeln!(p.notes, "sockpit: mqtt {} {}", dir.as_str(), packet.name())
            } else {
                Ok(())
            }
        }
        MqttEvent::Connected {
            session_present,
            reconnect,
        } => {
            st.connacked = true;
            if *reconnect {
                // A keepalive loss or a cut packet was recovered from.
                if st.protocol_failure.as_ref().is_some_and(|(c, _)| {
                    matches!(*c, "mqtt.keepalive_timeout" | "mqtt.truncated_packet")
                }) {
                    st.protocol_failure = None;
                }
            }
            if a.out.json {
                writeln!(
                    p.out,
                    "{}",
                    json!({"event": "mqtt_connected", "t_ms": t as f64 / 1e6,
                        "session_present": session_present, "reconnect": reconnect})
                )
            } else {
                Ok(())
            }
        }
        MqttEvent::Resubscribed { filters } => {
            if a.out.json {
                writeln!(
                    p.out,
                    "{}",
                    json!({"event": "mqtt_resubscribe", "t_ms": t as f64 / 1e6, "filters": filters})
                )
            } else {
                writeln!(
                    p.notes,
                    "sockpit: reconnected: re-subscribed to {}",
                    filters.join(", ")
                )
            }
        }
        MqttEvent::Resent { count } => {
            if a.out.json {
                writeln!(
                    p.out,
                    "{}",
                    json!({"event": "mqtt_resend", "t_ms": t as f64 / 1e6, "count": count})
                )
            } else {
                writeln!(
                    p.notes,
                    "sockpit: reconnected: resent {count} unacknowledged publish(es)"
                )
            }
        }
    }
}
