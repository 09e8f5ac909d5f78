//! `sockpit socketio`: a Socket.IO session (core's `protocol::socketio`) from flags, printed as
//! `name args-json` lines or JSON Lines (`sio`, `sio_ack`, `sio_connect_error`, `open` with sid).

use std::collections::HashMap;
use std::io::{BufWriter, Write};

use clap::Args;
use serde::Serialize;
use serde_json::{json, Value};
use sockpit_core::protocol::socketio::{self, SioEvent, SioIntent, SocketIoConfig, Transport};
use sockpit_core::protocol::LayerEvent;
use sockpit_core::script::layered::SocketioScripting;
use sockpit_core::script::ScriptLayer;
use sockpit_core::ws::{Closer, Direction, SessionEvent, UpgradeReport};

use crate::args::ConnectArgs;
use crate::exit;
use crate::interrupt::{self, Ending, Signal};
use crate::layer_script;
use crate::output::{open_line, Printer};

pub const SOCKETIO_AFTER_HELP: &str = concat!(
    "\
URL: http(s)://host:port or ws(s)://host:port; a path (http://host/chat) names the namespace.
Output: one line per received event, 'name args-json' (acks as 'ack:ID args-json'); with --json
JSON Lines: sio, sio_ack, sio_connect_error, open (with sid and eio), message, close, error.
Binary attachments are {\"_binary_b64\":\"...\"} in args, both ways.
Emits go out once their namespace is connected (--emit to the first, --emit-to NS to NS, which is
connected too); --ack-reply answers every server event that asks for an ack.
Reconnects (--reconnect) go straight to WebSocket and reconnect every namespace.
--script FILE.js: onMessage sees {type:'event'|'ack', namespace, event, args}; sp.emit(event, ...args)
emits to the first namespace. A failed test() or a script error: exit 1.
Exit status: 0 clean finish, 1 connection/protocol error (incl. connect_error), 2 usage, 3 timeout,
130/143 interrupted.",
    signals_help!()
);

#[derive(Debug, Args)]
pub struct SocketIoArgs {
    /// The Engine.IO path.
    #[arg(long, value_name = "PATH", default_value = "/socket.io/")]
    pub path: String,
    /// Namespace to connect (repeatable; emits go to the first).
    #[arg(long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,
    /// CONNECT payload (v3+) as JSON; for v2 its entries become the query.
    #[arg(long = "auth", value_name = "JSON")]
    pub auth_payload: Option<String>,
    /// Engine.IO version (3 = Socket.IO v2, 4 = v3/v4); detected when absent.
    #[arg(long, value_name = "3|4", value_parser = ["3", "4"])]
    pub eio: Option<String>,
    /// polling: handshake over HTTP long-polling, then upgrade (the official client's default);
    /// websocket: straight to WebSocket.
    #[arg(long, value_name = "websocket|polling", default_value = "polling", value_parser = ["websocket", "polling"])]
    pub transport: String,
    /// Emit EVENT with ARGS_JSON (a JSON array of args; another value is one arg) once the
    /// namespace is connected (repeatable).
    #[arg(long, num_args = 2, value_names = ["EVENT", "ARGS_JSON"], action = clap::ArgAction::Append)]
    pub emit: Vec<String>,
    /// Emit EVENT with ARGS_JSON on namespace NS (connected on the same connection; repeatable).
    #[arg(long = "emit-to", num_args = 3, value_names = ["NS", "EVENT", "ARGS_JSON"], action = clap::ArgAction::Append)]
    pub emit_to: Vec<String>,
    /// Ask for an ack on every --emit and --emit-to.
    #[arg(long)]
    pub ack: bool,
    /// Send the emits as volatile (dropped, not queued, if they cannot go at once).
    #[arg(long)]
    pub volatile: bool,
    /// Answer every server event that asks for an ack with ARGS_JSON (a JSON array of args).
    #[arg(long = "ack-reply", value_name = "ARGS_JSON")]
    pub ack_reply: Option<String>,
    #[command(flatten)]
    pub conn: ConnectArgs,
}

fn usage(msg: String) -> i32 {
    eprintln!("sockpit: error: {msg}");
    exit::USAGE
}

fn parse_args_json(event: &str, text: &str) -> Result<Vec<Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(v) => Ok(vec![v]),
        Err(e) => Err(format!(
            "--emit {event} '{text}': ARGS_JSON is not JSON ({e}); write a JSON array like '[\"hi\", 1]'"
        )),
    }
}

pub async fn run(a: SocketIoArgs) -> i32 {
    let c = &a.conn;
    if !c.send.is_empty() || !c.send_hex.is_empty() || c.echo || c.send_type.is_some() {
        return usage(
            "--send*, --echo and --send-type are for `sockpit connect`; use --emit".into(),
        );
    }
    let mut ws = match crate::connect::shared_config(c) {
        Ok(w) => w,
        Err(m) => return usage(m),
    };
    ws.url = c.url.clone();
    let mut cfg = SocketIoConfig::new(c.url.clone());
    cfg.ws = ws;
    cfg.path = a.path.clone();
    cfg.namespaces = a.namespaces.clone();
    cfg.eio = a.eio.as_deref().and_then(|e| e.parse().ok());
    cfg.transport = if a.transport == "websocket" {
        Transport::WebSocket
    } else {
        Transport::Polling
    };
    if let Some(t) = &a.auth_payload {
        match serde_json::from_str(t) {
            Ok(v) => cfg.auth = Some(v),
            Err(e) => return usage(format!("--auth '{t}' is not JSON ({e})")),
        }
    }
    let first_nsp = socketio::first_namespace(&cfg);
    let mut emits = Vec::new();
    for pair in a.emit.chunks(2) {
        let [name, args] = pair else { continue };
        match parse_args_json(name, args) {
            Ok(v) => emits.push((first_nsp.clone(), name.clone(), v)),
            Err(m) => return usage(m),
        }
    }
    for triple in a.emit_to.chunks(3) {
        let [nsp, name, args] = triple else { continue };
        if !nsp.starts_with('/') {
            return usage(format!(
                "--emit-to {nsp} {name}: a namespace starts with '/', like /chat"
            ));
        }
        let nsp = socketio::normalize_nsp(nsp);
        match parse_args_json(name, args) {
            Ok(v) => {
                // Connected in the handshake, beside the first (or the URL's) namespace.
                if !cfg
                    .namespaces
                    .iter()
                    .any(|n| socketio::normalize_nsp(n) == nsp)
                {
                    if cfg.namespaces.is_empty() {
                        cfg.namespaces.push(first_nsp.clone());
                    }
                    cfg.namespaces.push(nsp.clone());
                }
                emits.push((nsp, name.clone(), v))
            }
            Err(m) => return usage(m),
        }
    }
    let ack_reply = match a
        .ack_reply
        .as_deref()
        .map(|t| parse_args_json("--ack-reply", t))
    {
        Some(Ok(v)) => Some(v),
        Some(Err(m)) => return usage(m.replacen("--emit --ack-reply", "--ack-reply", 1)),
        None => None,
    };
    // Each emit waits for its namespace's first connect, as the official client emits on 'connect'.
    let mut pending: HashMap<String, Vec<SioIntent>> = HashMap::new();
    for (namespace, name, args) in emits {
        pending
            .entry(namespace.clone())
            .or_default()
            .push(SioIntent::Emit {
                namespace,
                name,
                args,
                ack: a.ack,
                volatile: a.volatile,
            });
    }
    let timeout = match c
        .timeout
        .map(|t| crate::connect::secs_or("timeout", t))
        .transpose()
    {
        Ok(t) => t,
        Err(m) => return usage(m),
    };
    let goodbyes = socketio::disconnect_packets(&first_nsp, &cfg.namespaces);
    let mut printer = Printer {
        out: BufWriter::new(std::io::stdout().lock()),
        json: c.json,
        verbose: c.verbose,
        quiet: c.quiet,
        proto: crate::connect_proto::Codec::default(),
        notes: BufWriter::new(std::io::stderr()),
    };
    let scripting = SocketioScripting {
        namespace: first_nsp.clone(),
        goodbye: goodbyes.clone(),
    };
    let (path, stop) = (c.script.as_ref(), c.script_stop_on_error);
    let layer = ScriptLayer::Socketio;
    let mut script = match layer_script::start(path, stop, layer, scripting, &mut printer).await {
        Ok(s) => s,
        Err(msg) => return usage(msg),
    };
    let mut h = match socketio::connect(cfg).await {
        Ok(h) => h,
        Err(e) => {
            if c.json {
                println!(
                    "{}",
                    json!({"event":"error","code":e.code(),"message":e.message})
                );
            }
            eprintln!("sockpit: error: {e}");
            // A URL that cannot be Socket.IO's is a usage error, as in `sockpit connect`.
            return if e.code() == "socketio.bad_url" {
                exit::USAGE
            } else {
                exit::FAILURE
            };
        }
    };
    let control = h.control();
    let mut st = Run {
        p: printer,
        received: 0,
        count: c.count,
        failure: None,
        refused: false,
        last_open: None,
        closing: false,
        pending,
        ack_reply,
        outbox: Vec::new(),
    };
    let run = async {
        while let Some(batch) =
            layer_script::next_batch(&mut h, script.as_mut(), &control, &mut st.p).await
        {
            let inputs = script.as_ref().map(|s| s.inputs(&batch));
            let ended = st.batch(batch);
            let _ = st.p.flush();
            if let (Some(s), Some(inputs)) = (script.as_mut(), inputs) {
                s.feed(inputs, &control, &mut st.p).await;
            }
            for intent in std::mem::take(&mut st.outbox) {
                if !control.intent(intent).await {
                    break;
                }
            }
            if !st.closing && (st.count.is_some_and(|n| st.received >= n) || st.refused) {
                st.closing = true;
                control.close(1000, "").await;
            }
            if ended {
                break;
            }
        }
    };
    // A signal: a Socket.IO DISCONNECT packet for every namespace, then the close frame.
    let goodbye = |sig: Signal| {
        interrupt::goodbye_then_close(
            async {
                for p in &goodbyes {
                    let _ = control.session().send_text(p.as_str()).await;
                }
            },
            control.close(sig.close_code(), sig.reason()),
        )
    };
    let ending = interrupt::drive(timeout, run, goodbye).await;
    let scripted = layer_script::finish(script, &mut st.p).await;
    if let Ending::Interrupted(sig) = ending {
        return interrupt::finish(sig, c.json, &mut st.p.out);
    }
    if matches!(ending, Ending::TimedOut) {
        let msg = crate::connect::timeout_message(timeout);
        if c.json {
            let _ =
                st.p.json_error_raw(None, "cli.timeout", &msg, String::new());
        }
        let _ = st.p.flush();
        eprintln!("sockpit: error: {msg}");
        return exit::TIMEOUT;
    }
    let _ = st.p.flush();
    match st.failure.or(scripted.err()) {
        Some(m) => {
            eprintln!("sockpit: error: {m}");
            exit::FAILURE
        }
        None => exit::OK,
    }
}

struct Run<W: Write> {
    p: Printer<W>,
    received: u64,
    count: Option<u64>,
    failure: Option<String>,
    /// A namespace was refused (connect_error): the run ends with status 1.
    refused: bool,
    last_open: Option<(u64, Box<UpgradeReport>)>,
    closing: bool,
    /// Emits waiting for their namespace's first connect.
    pending: HashMap<String, Vec<SioIntent>>,
    /// `--ack-reply`: the args every ack the server asks for gets.
    ack_reply: Option<Vec<Value>>,
    /// Intents to hand to the layer after this batch.
    outbox: Vec<SioIntent>,
}

impl<W: Write> Run<W> {
    /// Prints a batch; `true` once the session has ended.
    fn batch(&mut self, batch: Vec<LayerEvent<SioEvent>>) -> bool {
        for ev in batch {
            let r = match ev {
                LayerEvent::Session(ev) => {
                    if let Some(done) = self.session(&ev) {
                        return done;
                    }
                    Ok(())
                }
                LayerEvent::Protocol { t, event } => self.sio(t, event),
                LayerEvent::Error { t, error } => {
                    if error.code() != "socketio.malformed"
                        && error.code() != "socketio.unknown_ack"
                    {
                        self.failure = Some(error.message.clone());
                    } else {
                        eprintln!("sockpit: {}", error.message);
                    }
                    if self.p.json {
                        self.p
                            .json_error_raw(Some(t), error.code(), &error.message, String::new())
                    } else {
                        Ok(())
                    }
                }
            };
            if r.is_err() {
                return true;
            }
        }
        false
    }

    /// `Some(true)` when the session ended.
    fn session(&mut self, ev: &SessionEvent) -> Option<bool> {
        match ev {
            SessionEvent::Open { t, report } => {
                // Printed with the Engine.IO sid once the handshake is done.
                if !self.refused {
                    self.failure = None;
                }
                self.last_open = Some((*t, report.clone()));
                return None;
            }
            SessionEvent::Message { .. } if !self.p.json => return None,
            SessionEvent::Error { error, .. } => self.failure = Some(error.to_string()),
            SessionEvent::Close {
                dir: Direction::In,
                code,
                reason,
                by,
                ..
            } => {
                let clean = matches!(code, 1000 | 1001) || (*by == Closer::Client && *code != 1006);
                if !clean && self.failure.is_none() {
                    self.failure = Some(format!("connection closed ({code}) {reason}"));
                }
            }
            SessionEvent::Ended { .. } => return Some(true),
            _ => {}
        }
        let _ = self.p.event(ev);
        None
    }

    fn sio(&mut self, t: u64, ev: SioEvent) -> std::io::Result<()> {
        let t_ms = t as f64 / 1e6;
        let line = match ev {
            SioEvent::Handshake {
                sid,
                eio,
                upgraded,
                reconnect,
                ..
            } => {
                if let Some((t, report)) = self.last_open.take() {
                    if self.p.json {
                        let extra = format!(
                            r#","sid":{},"eio":{eio},"upgraded":{upgraded},"reconnect":{reconnect}"#,
                            Value::from(sid.clone())
                        );
                        open_line(&mut self.p.out, t, &report, &extra)?;
                    }
                }
                if self.p.verbose {
                    eprintln!("sockpit: Engine.IO {eio} session {sid} (upgraded: {upgraded}, reconnect: {reconnect})");
                }
                return Ok(());
            }
            SioEvent::Connected {
                namespace,
                sid,
                reconnect,
            } => {
                if self.p.verbose {
                    eprintln!("sockpit: namespace {namespace} connected");
                }
                if let Some(emits) = self.pending.remove(&namespace) {
                    self.outbox.extend(emits);
                }
                json!({"event":"sio_connect","t_ms":t_ms,"namespace":namespace,"sid":sid,"reconnect":reconnect})
            }
            SioEvent::ConnectError { namespace, data } => {
                self.failure = Some(format!("namespace {namespace} refused: {data}"));
                self.refused = true;
                json!({"event":"sio_connect_error","t_ms":t_ms,"namespace":namespace,"data":data})
            }
            SioEvent::Disconnected { namespace } => {
                json!({"event":"sio_disconnect","t_ms":t_ms,"namespace":namespace})
            }
            // Events and acks are the hot path: written straight from the args, no line object.
            SioEvent::Event {
                dir,
                namespace,
                name,
                args,
                id,
            } => {
                if dir == Direction::In {
                    if let (Some(id), Some(reply)) = (id, &self.ack_reply) {
                        self.outbox.push(SioIntent::Ack {
                            namespace: namespace.clone(),
                            id,
                            args: reply.clone(),
                        });
                    }
                }
                return self.event_line(EventLine {
                    args: &args,
                    dir: dir.as_str(),
                    event: "sio",
                    id,
                    name: Some(&name),
                    namespace: &namespace,
                    t_ms,
                });
            }
            SioEvent::Ack {
                dir,
                namespace,
                id,
                name,
                args,
            } => {
                return self.event_line(EventLine {
                    args: &args,
                    dir: dir.as_str(),
                    event: "sio_ack",
                    id: Some(id),
                    name: name.as_deref(),
                    namespace: &namespace,
                    t_ms,
                });
            }
        };
        if self.p.json {
            writeln!(self.p.out, "{line}")?;
        }
        Ok(())
    }

    /// One `sio`/`sio_ack` line: with `--json` the event object, otherwise (received only)
    /// `NAME [args]` or `ack:ID [args]`.
    fn event_line(&mut self, l: EventLine<'_>) -> std::io::Result<()> {
        if l.dir == Direction::In.as_str() {
            self.received += 1;
            if !self.p.json && !self.p.quiet {
                match (l.event, l.id) {
                    ("sio_ack", Some(id)) => write!(self.p.out, "ack:{id} ")?,
                    _ => write!(self.p.out, "{} ", l.name.unwrap_or_default())?,
                }
                serde_json::to_writer(&mut self.p.out, l.args)?;
                self.p.out.write_all(b"\n")?;
            }
        }
        if self.p.json {
            serde_json::to_writer(&mut self.p.out, &l)?;
            self.p.out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// A `sio`/`sio_ack` JSON line; fields in the order `json!` printed them (sorted).
#[derive(Serialize)]
struct EventLine<'a> {
    args: &'a [Value],
    dir: &'a str,
    event: &'a str,
    id: Option<u64>,
    name: Option<&'a str>,
    namespace: &'a str,
    t_ms: f64,
}
