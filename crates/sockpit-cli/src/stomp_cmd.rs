//! `sockpit stomp`: STOMP 1.0-1.2 over WebSocket through core's `protocol::stomp` layer:
//! subscribe, send (after the subscriptions' receipts), ack, transactions; frames as JSON lines.

use std::collections::HashSet;
use std::io::Write;

use bytes::Bytes;
use clap::Args;
use serde_json::{json, Value};
use sockpit_core::protocol::stomp::{
    AckMode, AckRef, Frame, StompAction, StompEvent, StompIntent, StompLayer, StompOptions, Version,
};
use sockpit_core::protocol::{self, LayerControl, LayerEvent};
use sockpit_core::script::layered::{stomp_frame_json, StompScripting};
use sockpit_core::script::ScriptLayer;
use sockpit_core::ws::Direction;

use crate::args::ConnectionArgs;
use crate::connect::{connection_config, secs, Usage};
use crate::exit;
use crate::interrupt::{self, Signal};
use crate::layer_out::{exit_status, line, usage, LayerOutputArgs};
use crate::layer_script::{self, LayerScriptArgs};
use crate::output::Printer;

pub const STOMP_AFTER_HELP: &str = concat!(
    "\
v12.stomp, v11.stomp and v10.stomp are offered (or the one --stomp-version names); the version the
broker answers in CONNECTED decides header escaping. Every --subscribe asks for a receipt, and the
--send frames go only once every subscription's receipt has arrived, so a message sent to a topic
is not lost. With --transaction the sends go inside BEGIN/COMMIT (ABORT with --abort). Messages of a
client or client-individual subscription are acknowledged with ACK (NACK with --nack).
--header 'k:v' adds a header to every SEND frame; -H 'Name: value' is an HTTP header on the upgrade.
Output: each MESSAGE body on a line; with --json one event per line: stomp (every frame, in and
out: command, headers, body or body_b64), stomp_connected, stomp_receipt_wait, stomp_receipt (with
waited_ms), stomp_resubscribe (after a reconnect), heartbeat, open, close, reconnect, error.
Without -n the run ends after the sends when there is no --subscribe (DISCONNECT with a receipt);
--script FILE.js: onMessage sees each received frame as sp.message.json() = {type:'frame', command,
destination, headers, body}; sp.send(destination, body) sends a SEND; sp.close() DISCONNECTs first.
-n N ends after N MESSAGE frames. Exit status: 0 clean finish, 1 connection/protocol error or a
broker ERROR (a refused login prints the broker's message), 2 usage error, 3 timeout (--timeout),
130/143 interrupted.",
    signals_help!()
);

#[derive(Debug, Args)]
pub struct StompArgs {
    /// ws:// or wss:// URL of the STOMP endpoint (RabbitMQ: ws://host:15674/ws).
    pub url: String,
    /// The CONNECT login.
    #[arg(long, value_name = "L")]
    pub login: Option<String>,
    /// The CONNECT passcode.
    #[arg(long, value_name = "P")]
    pub passcode: Option<String>,
    /// The CONNECT host header (the broker's virtual host); not sent unless given.
    #[arg(long, value_name = "H")]
    pub vhost: Option<String>,
    /// Subscribe to DEST with ack mode auto (default), client or client-individual (repeatable).
    #[arg(long = "subscribe", value_name = "DEST[:ACKMODE]")]
    pub subscribe: Vec<String>,
    /// Send BODY to DEST once the subscriptions are confirmed (repeatable).
    #[arg(long = "send", num_args = 2, value_names = ["DEST", "BODY"])]
    pub send: Vec<String>,
    /// A header on every SEND frame, 'k:v' (repeatable).
    #[arg(long = "header", value_name = "'K:V'")]
    pub frame_headers: Vec<String>,
    /// A header on the CONNECT frame, 'k:v' (repeatable).
    #[arg(long = "connect-header", value_name = "'K:V'")]
    pub connect_headers: Vec<String>,
    /// Heart-beating to offer, in ms: CX (we send at least this often), CY (we want the broker's
    /// this often); 0 is none.
    #[arg(
        long = "heartbeat",
        value_name = "CX,CY",
        default_value = "10000,10000"
    )]
    pub stomp_heartbeat: String,
    /// Speak only this STOMP version: 1.0, 1.1 or 1.2.
    #[arg(long, value_name = "V")]
    pub stomp_version: Option<String>,
    /// Ask a receipt for every SEND (the wait is shown).
    #[arg(long)]
    pub receipt: bool,
    /// Send the --send frames inside the transaction TX (BEGIN, the sends, COMMIT).
    #[arg(long, value_name = "TX")]
    pub transaction: Option<String>,
    /// With --transaction, ABORT instead of COMMIT.
    #[arg(long, requires = "transaction")]
    pub abort: bool,
    /// Answer messages of client/client-individual subscriptions with NACK instead of ACK.
    #[arg(long)]
    pub nack: bool,
    /// How long to wait for CONNECTED and for each RECEIPT.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub receipt_timeout: f64,
    #[command(flatten)]
    pub out: LayerOutputArgs,
    #[command(flatten)]
    pub script: LayerScriptArgs,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

fn kv(flag: &str, h: &str) -> Result<(String, String), Usage> {
    let (k, v) = h.split_once(':').ok_or_else(|| {
        Usage(format!(
            "{flag} '{h}' has no ':'; write it as 'name:value' (e.g. {flag} 'priority:5')"
        ))
    })?;
    if k.is_empty() {
        return Err(Usage(format!("{flag} '{h}' has an empty name")));
    }
    Ok((k.to_string(), v.to_string()))
}

fn heartbeat(s: &str) -> Result<(u64, u64), Usage> {
    let bad = || {
        Usage(format!(
            "--heartbeat '{s}' is not CX,CY: give two numbers of milliseconds, e.g. --heartbeat \
             10000,10000 (0,0 for none)"
        ))
    };
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

/// A `--subscribe DEST[:ACKMODE]`: the text after the last ':' is an ack mode only when it names
/// one, so destinations holding ':' still work; a word that looks like a mistyped mode is an error.
fn subscription(s: &str) -> Result<(String, AckMode), Usage> {
    if let Some((dest, mode)) = s.rsplit_once(':') {
        if let Some(m) = AckMode::parse(mode) {
            return non_empty(dest).map(|d| (d, m));
        }
        if !mode.is_empty() && mode.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            return Err(Usage(format!(
                "--subscribe '{s}': '{mode}' is not an ack mode; use auto, client or \
                 client-individual (DEST:client)"
            )));
        }
    }
    non_empty(s).map(|d| (d, AckMode::Auto))
}

fn non_empty(dest: &str) -> Result<String, Usage> {
    if dest.is_empty() {
        return Err(Usage(
            "--subscribe needs a destination, e.g. /topic/news".into(),
        ));
    }
    Ok(dest.to_string())
}

struct Plan {
    opts: StompOptions,
    subs: Vec<(String, AckMode)>,
    sends: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

fn prepare(a: &StompArgs) -> Result<(sockpit_core::ws::ConnectConfig, Plan), Usage> {
    let headers = a
        .frame_headers
        .iter()
        .map(|h| kv("--header", h))
        .collect::<Result<Vec<_>, _>>()?;
    let connect_headers = a
        .connect_headers
        .iter()
        .map(|h| kv("--connect-header", h))
        .collect::<Result<Vec<_>, _>>()?;
    let versions = match &a.stomp_version {
        None => Version::ALL.to_vec(),
        Some(v) => vec![Version::parse(v).ok_or_else(|| {
            Usage(format!(
                "--stomp-version '{v}' is not a STOMP version; use 1.0, 1.1 or 1.2"
            ))
        })?],
    };
    let wait = secs("receipt-timeout", a.receipt_timeout)?;
    let opts = StompOptions {
        versions,
        login: a.login.clone(),
        passcode: a.passcode.clone(),
        host: a.vhost.clone(),
        headers: connect_headers,
        heartbeat: heartbeat(&a.stomp_heartbeat)?,
        connected_timeout: wait,
        receipt_timeout: wait,
        ..StompOptions::default()
    };
    let subs = a
        .subscribe
        .iter()
        .map(|s| subscription(s))
        .collect::<Result<Vec<_>, _>>()?;
    let sends = a
        .send
        .chunks(2)
        .map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or_default()))
        .collect();
    let mut cfg = connection_config(&a.url, &a.conn)?;
    cfg.inspect_frames = a.out.raw_wanted();
    Ok((
        cfg,
        Plan {
            opts,
            subs,
            sends,
            headers,
        },
    ))
}

/// How the run is going.
#[derive(Default)]
struct State {
    received: u64,
    /// Receipts of our subscriptions not yet seen; the sends wait for them.
    sub_receipts: HashSet<String>,
    sends_done: bool,
    /// Receipts asked for and not yet seen (DISCONNECT's aside): the run ends after them.
    waiting: HashSet<String>,
    /// Ack modes of our subscriptions, by id.
    client_ack: HashSet<String>,
    closing: bool,
    ended: bool,
    protocol_failure: Option<String>,
    session_failure: Option<(i32, String)>,
}

pub async fn run(a: StompArgs) -> i32 {
    let prepared = prepare(&a).and_then(|p| Ok((p, a.out.time_limit()?)));
    let ((cfg, plan), timeout) = match prepared {
        Ok(v) => v,
        Err(u) => return usage(u),
    };
    let mut printer = a.out.printer();
    let scripting = StompScripting {
        headers: plan.headers.clone(),
    };
    let (path, stop) = (a.script.script.as_ref(), a.script.script_stop_on_error);
    let mut script =
        match layer_script::start(path, stop, ScriptLayer::Stomp, scripting, &mut printer).await {
            Ok(s) => s,
            Err(msg) => return usage(Usage(msg)),
        };
    let mut h = protocol::spawn(StompLayer::new(plan.opts.clone()), cfg);
    let control = h.control();
    let mut st = State::default();
    for (i, (dest, ack)) in plan.subs.iter().enumerate() {
        let id = format!("sub-{i}");
        let receipt = format!("subscribed-{i}");
        st.sub_receipts.insert(receipt.clone());
        if *ack != AckMode::Auto {
            st.client_ack.insert(id.clone());
        }
        let action = StompAction::Subscribe {
            id: Some(id),
            destination: dest.clone(),
            ack: *ack,
            headers: Vec::new(),
        };
        let _ = control
            .intent(StompIntent::with_receipt(action, receipt))
            .await;
    }
    let run = async {
        if st.sub_receipts.is_empty() {
            send_all(&control, &a, &plan, &mut st).await;
        }
        while let Some(batch) =
            layer_script::next_batch(&mut h, script.as_mut(), &control, &mut printer).await
        {
            let mut acks = Vec::new();
            for ev in &batch {
                if handle(&mut printer, &mut st, &a, ev, &mut acks).is_err() {
                    st.ended = true; // stdout is gone
                }
            }
            let _ = printer.flush();
            if let Some(s) = script.as_mut() {
                s.feed(s.inputs(&batch), &control, &mut printer).await;
            }
            for intent in acks {
                let _ = control.intent(intent).await;
            }
            if !st.sends_done && st.sub_receipts.is_empty() {
                send_all(&control, &a, &plan, &mut st).await;
            }
            let done = a.out.count_reached(st.received)
                || (a.out.count.is_none()
                    && plan.subs.is_empty()
                    && st.sends_done
                    && st.waiting.is_empty());
            if done && !st.closing && !st.ended {
                st.closing = true;
                let _ = control
                    .intent(StompIntent::new(StompAction::Disconnect))
                    .await;
            }
            if st.ended {
                break;
            }
        }
    };
    // A signal: DISCONNECT (its RECEIPT closes the connection, with the signal's code), else a close
    // frame.
    let goodbye = |sig: Signal| {
        let control = &control;
        interrupt::goodbye_then_close(
            async move {
                control.close_as(sig.close_code(), sig.reason());
                let _ = control
                    .intent(StompIntent::new(StompAction::Disconnect))
                    .await;
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
            .map(|m| (exit::FAILURE, m))
            .or(st.session_failure)
            .or(scripted.err().map(|m| (exit::FAILURE, m))),
    )
}

/// Sends the `--send` frames (inside the transaction, if any).
async fn send_all(control: &LayerControl<StompIntent>, a: &StompArgs, plan: &Plan, st: &mut State) {
    st.sends_done = true;
    let receipt = |what: String| a.receipt.then_some(what);
    if let Some(tx) = &a.transaction {
        let begin = StompAction::Begin {
            transaction: tx.clone(),
        };
        let _ = control
            .intent(StompIntent {
                action: begin,
                receipt: receipt(format!("begin-{tx}")),
            })
            .await;
    }
    for (i, (dest, body)) in plan.sends.iter().enumerate() {
        let mut headers = plan.headers.clone();
        if let Some(tx) = &a.transaction {
            headers.push(("transaction".into(), tx.clone()));
        }
        let action = StompAction::Send {
            destination: dest.clone(),
            headers,
            body: Bytes::from(body.clone().into_bytes()),
        };
        let _ = control
            .intent(StompIntent {
                action,
                receipt: receipt(format!("send-{i}")),
            })
            .await;
    }
    if let Some(tx) = &a.transaction {
        let transaction = tx.clone();
        let action = if a.abort {
            StompAction::Abort { transaction }
        } else {
            StompAction::Commit { transaction }
        };
        let _ = control
            .intent(StompIntent {
                action,
                receipt: receipt(format!("end-{tx}")),
            })
            .await;
    }
}

fn handle<W: Write>(
    p: &mut Printer<W>,
    st: &mut State,
    a: &StompArgs,
    ev: &LayerEvent<StompEvent>,
    acks: &mut Vec<StompIntent>,
) -> std::io::Result<()> {
    match ev {
        LayerEvent::Session(s) => {
            if a.out.session(p, &mut st.session_failure, s)? {
                st.ended = true;
            }
            Ok(())
        }
        LayerEvent::Error { t, error } => {
            if matches!(error.code(), "stomp.receipt_timeout" | "stomp.receipt_lost") {
                st.waiting
                    .retain(|r| !error.message.contains(&format!("'{r}'")));
            }
            // A broker that never confirms SUBSCRIBE (stomp-broker-js): send anyway, warn only.
            let sub_receipt = (error.code() == "stomp.receipt_timeout")
                .then(|| {
                    st.sub_receipts
                        .iter()
                        .find(|r| error.message.contains(&format!("'{r}'")))
                        .cloned()
                })
                .flatten();
            if let Some(r) = &sub_receipt {
                st.sub_receipts.remove(r);
                writeln!(
                    p.notes,
                    "sockpit: warning: {}; sending anyway",
                    error.message
                )?;
            } else {
                st.protocol_failure
                    .get_or_insert_with(|| error.message.clone());
            }
            if sub_receipt.is_some() && !a.out.json {
                return Ok(()); // warned above
            }
            a.out.layer_error(p, *t, error.code(), &error.message)
        }
        LayerEvent::Protocol { t, event } => stomp(p, st, a, *t, event, acks),
    }
}

/// The JSON `stomp` line of a frame: what a script sees of it (core's `stomp_frame_json`, the
/// passcode never shown), as an event with its direction.
fn frame_json(dir: Direction, f: &Frame) -> Value {
    let mut o = stomp_frame_json(f);
    if let Value::Object(m) = &mut o {
        m.remove("type");
        m.remove("destination");
        m.insert("event".into(), json!("stomp"));
        m.insert("dir".into(), json!(dir.as_str()));
    }
    o
}

fn stomp<W: Write>(
    p: &mut Printer<W>,
    st: &mut State,
    a: &StompArgs,
    t: u64,
    ev: &StompEvent,
    acks: &mut Vec<StompIntent>,
) -> std::io::Result<()> {
    match ev {
        StompEvent::Frame { dir, frame } => {
            let message = *dir == Direction::In && frame.command == "MESSAGE";
            if message {
                if a.out.count_reached(st.received) {
                    return Ok(()); // past -n: not counted, not shown, not acknowledged
                }
                st.received += 1;
                let sub = frame.get("subscription").unwrap_or_default();
                if st.client_ack.contains(sub) {
                    let message = AckRef::of(frame);
                    let action = if a.nack {
                        StompAction::Nack {
                            message,
                            transaction: None,
                        }
                    } else {
                        StompAction::Ack {
                            message,
                            transaction: None,
                        }
                    };
                    acks.push(StompIntent::new(action));
                }
            }
            if a.out.json {
                line(p, t, frame_json(*dir, frame))
            } else if message {
                match std::str::from_utf8(&frame.body) {
                    Ok(s) => writeln!(p.out, "{s}"),
                    Err(_) => writeln!(p.out, "{}", hex::encode(&frame.body)),
                }
            } else if a.out.verbose {
                writeln!(p.notes, "sockpit: {} {}", dir.as_str(), frame.command)
            } else {
                Ok(())
            }
        }
        StompEvent::Receipt {
            id,
            command,
            waited,
        } => {
            st.sub_receipts.remove(id);
            st.waiting.remove(id);
            let ms = waited.as_secs_f64() * 1e3;
            if a.out.json {
                line(
                    p,
                    t,
                    json!({"event": "stomp_receipt", "id": id, "command": command, "waited_ms": ms}),
                )
            } else if a.out.verbose {
                writeln!(
                    p.notes,
                    "sockpit: receipt '{id}' ({command}) after {ms:.1} ms"
                )
            } else {
                Ok(())
            }
        }
        StompEvent::ReceiptWaiting { id, command } => {
            if command != "DISCONNECT" {
                st.waiting.insert(id.clone());
            }
            if a.out.json {
                line(
                    p,
                    t,
                    json!({"event": "stomp_receipt_wait", "id": id, "command": command}),
                )
            } else if a.out.verbose {
                writeln!(p.notes, "sockpit: waiting for receipt '{id}' ({command})")
            } else {
                Ok(())
            }
        }
        StompEvent::Connected {
            version,
            server,
            session,
            send_every,
            expect_every,
        } => {
            if a.out.json {
                line(
                    p,
                    t,
                    json!({"event": "stomp_connected", "version": version.as_str(),
                        "server": server, "session": session,
                        "heartbeat_send_ms": send_every.as_millis() as u64,
                        "heartbeat_expect_ms": expect_every.as_millis() as u64}),
                )
            } else if a.out.verbose {
                writeln!(
                    p.notes,
                    "sockpit: STOMP {version} connected ({}; heart-beats: send every {} ms, \
                     expect every {} ms)",
                    server.as_deref().unwrap_or("unnamed server"),
                    send_every.as_millis(),
                    expect_every.as_millis()
                )
            } else {
                Ok(())
            }
        }
        StompEvent::Resubscribed { ids } => {
            if a.out.json {
                line(p, t, json!({"event": "stomp_resubscribe", "ids": ids}))
            } else {
                writeln!(
                    p.notes,
                    "sockpit: reconnected: re-subscribed {}",
                    ids.join(", ")
                )
            }
        }
        StompEvent::Heartbeat { dir } => {
            if a.out.json {
                line(p, t, json!({"event": "heartbeat", "dir": dir.as_str()}))
            } else if a.out.verbose {
                writeln!(p.notes, "sockpit: heart-beat {}", dir.as_str())
            } else {
                Ok(())
            }
        }
    }
}
