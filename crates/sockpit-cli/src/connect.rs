//! `sockpit connect`: one session driven from arguments and stdin, printed as lines or JSON.

use std::io::{BufWriter, Write};
use std::time::Duration;

use bytes::Bytes;
use clap::ArgMatches;
use sockpit_core::payload;
use sockpit_core::script::{ScriptInput, ScriptLayer};
use sockpit_core::ws::{
    close_code_name, ClientCert, Closer, ConnectConfig, DataKind, DeflateConfig, Direction,
    HeartbeatPolicy, Outgoing, PingPolicy, ProxyConfig, ReconnectPolicy, SessionCommand,
    SessionEvent, SessionHandle, TlsOptions, WsError,
};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

use crate::args::{ConnectArgs, ConnectionArgs};
use crate::connect_proto;
use crate::connect_script;
use crate::exit;
use crate::interrupt::{self, Ending, Signal};
use crate::output::Printer;

/// A usage problem found after clap: printed as one line, exit status 2.
pub(crate) struct Usage(pub(crate) String);

pub(crate) fn secs_or(name: &str, v: f64) -> Result<Duration, String> {
    secs(name, v).map_err(|Usage(m)| m)
}

/// What a run that ran out of `--timeout` says.
pub(crate) fn timeout_message(limit: Option<Duration>) -> String {
    let secs = limit.map(|t| t.as_secs_f64()).unwrap_or_default();
    format!("timed out after {secs} s (--timeout)")
}

pub(crate) fn secs(name: &str, v: f64) -> Result<Duration, Usage> {
    Duration::try_from_secs_f64(v).map_err(|_| {
        Usage(if v.is_nan() || v < 0.0 {
            format!("--{name} must be a non-negative number of seconds, got {v}")
        } else {
            // `{v}` of 1e300 would print 300 digits.
            format!("--{name} {v:e} s is too large: give fewer than 1.8e19 seconds")
        })
    })
}

/// The connection settings of `a` (TLS, proxy, auth, reconnect, ...) for another subcommand that
/// checks its URL itself (`sockpit socketio`); a usage error's message otherwise.
pub(crate) fn shared_config(a: &ConnectArgs) -> Result<ConnectConfig, String> {
    connection_config_unchecked(&a.url, &a.conn).map_err(|Usage(m)| m)
}

fn build_config(a: &ConnectArgs) -> Result<ConnectConfig, Usage> {
    let mut cfg = connection_config(&a.url, &a.conn)?;
    for q in &a.query {
        let (k, v) = q
            .split_once('=')
            .ok_or_else(|| Usage(format!("query '{q}' has no '='; write it as NAME=VALUE")))?;
        cfg.query.push((k.to_string(), v.to_string()));
    }
    cfg.subprotocols = a.protocols.clone();
    cfg.inspect_frames = a.frames;
    Ok(cfg)
}

/// The session settings every WebSocket subcommand shares (`ConnectionArgs`).
pub(crate) fn connection_config(url: &str, a: &ConnectionArgs) -> Result<ConnectConfig, Usage> {
    // A URL that can never work is a usage error, reported before anything starts.
    sockpit_core::ws::handshake::parse_target(url, &[]).map_err(|e| Usage(e.to_string()))?;
    connection_config_unchecked(url, a)
}

/// `connection_config` without the URL check, for subcommands that take other URL forms
/// (`sockpit socketio` accepts http(s)://).
pub(crate) fn connection_config_unchecked(
    url: &str,
    a: &ConnectionArgs,
) -> Result<ConnectConfig, Usage> {
    let mut cfg = ConnectConfig::new(url.to_string());
    for h in &a.headers {
        let (name, value) = h.split_once(':').ok_or_else(|| {
            Usage(format!(
                "header '{h}' has no ':'; write it as 'Name: value'"
            ))
        })?;
        if name.trim().is_empty() {
            return Err(Usage(format!("header '{h}' has an empty name")));
        }
        cfg.headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    cfg.handshake_timeout = secs("handshake-timeout", a.handshake_timeout)?;
    cfg.max_message_size = a.max_message_size;
    cfg.max_frame_size = a.max_frame_size;
    cfg.tls = TlsOptions {
        extra_ca_files: a.cacert.clone(),
        client_cert: match (&a.cert, &a.key) {
            (Some(c), Some(k)) => Some(ClientCert {
                cert_file: c.clone(),
                key_file: k.clone(),
            }),
            _ => None,
        },
        skip_verify: a.insecure,
    };
    cfg.auth = a.auth.config().map_err(Usage)?;
    if a.no_deflate {
        cfg.deflate = None;
    } else if let Some(params) = &a.deflate {
        cfg.deflate = Some(parse_deflate(params).map_err(Usage)?);
    }
    if let Some(p) = &a.proxy {
        cfg.proxy = Some(ProxyConfig::parse(p).map_err(Usage)?);
    }
    if a.send_queue == 0 {
        return Err(Usage(
            "--send-queue must be at least 1 (sends wait there while reconnecting)".into(),
        ));
    }
    cfg.send_queue_limit = a.send_queue;
    if a.reconnect || a.max_retries.is_some() {
        cfg.reconnect = Some(ReconnectPolicy {
            base_delay: secs("backoff-base", a.backoff_base)?,
            max_delay: secs("backoff-max", a.backoff_max)?,
            max_retries: Some(a.max_retries.unwrap_or(10)),
        });
    }
    if let Some(iv) = a.ping_interval {
        if iv <= 0.0 {
            return Err(Usage("--ping-interval must be above 0".into()));
        }
        cfg.ping = Some(PingPolicy {
            interval: secs("ping-interval", iv)?,
            timeout: secs("ping-timeout", a.ping_timeout)?,
        });
    }
    if let Some(text) = &a.heartbeat {
        if a.heartbeat_interval <= 0.0 {
            return Err(Usage("--heartbeat-interval must be above 0".into()));
        }
        cfg.heartbeat = Some(HeartbeatPolicy {
            interval: secs("heartbeat-interval", a.heartbeat_interval)?,
            message: text.clone(),
            expect: a.heartbeat_expect.clone(),
            timeout: secs("heartbeat-timeout", a.heartbeat_timeout)?,
        });
    }
    Ok(cfg)
}

/// Parses `--deflate 'client_no_context_takeover; server_max_window_bits=10'`.
fn parse_deflate(params: &str) -> Result<DeflateConfig, String> {
    sockpit_core::ws::deflate_params::parse_deflate_params(params)
        .map_err(|e| format!("--deflate: {e}"))
}

/// The `--send*` messages in the order they were given on the command line.
fn initial_sends(
    a: &ConnectArgs,
    m: Option<&ArgMatches>,
    codec: &connect_proto::Codec,
) -> Result<Vec<Outgoing>, Usage> {
    let mut items: Vec<(usize, Outgoing)> = Vec::new();
    let idx = |id: &str| -> Vec<usize> {
        m.and_then(|m| m.indices_of(id))
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    for (i, s) in idx("send").into_iter().zip(&a.send) {
        let out = connect_proto::outgoing(codec, s.clone())
            .map_err(|e| Usage(format!("--send '{s}': {e}")))?;
        items.push((i, out));
    }
    for (i, s) in idx("send_hex").into_iter().zip(&a.send_hex) {
        let b = payload::parse_hex(s).map_err(|e| Usage(format!("--send-hex '{s}': {e}")))?;
        items.push((i, Outgoing::Binary(b)));
    }
    for (i, s) in idx("send_base64").into_iter().zip(&a.send_base64) {
        let b = payload::parse_base64(s).map_err(|e| Usage(format!("--send-base64: {e}")))?;
        items.push((i, Outgoing::Binary(b)));
    }
    for (i, p) in idx("send_file").into_iter().zip(&a.send_file) {
        let b = payload::read_file(p).map_err(|e| Usage(format!("--send-file: {e}")))?;
        items.push((i, Outgoing::Binary(b)));
    }
    items.sort_by_key(|(i, _)| *i);
    Ok(items.into_iter().map(|(_, o)| o).collect())
}

pub async fn run(a: ConnectArgs, matches: Option<&ArgMatches>) -> i32 {
    let codec = match connect_proto::load(&a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sockpit: error: {}", e.message);
            return if e.usage { exit::USAGE } else { exit::FAILURE };
        }
    };
    let prepared = build_config(&a).and_then(|cfg| Ok((cfg, initial_sends(&a, matches, &codec)?)));
    let (cfg, sends) = match prepared {
        Ok(v) => v,
        Err(Usage(msg)) => {
            eprintln!("sockpit: error: {msg}");
            return exit::USAGE;
        }
    };
    let timeout = match a.timeout.map(|t| secs("timeout", t)).transpose() {
        Ok(t) => t,
        Err(Usage(msg)) => {
            eprintln!("sockpit: error: {msg}");
            return exit::USAGE;
        }
    };
    let stdout = std::io::stdout();
    let mut printer = Printer {
        out: BufWriter::with_capacity(64 * 1024, stdout.lock()),
        json: a.json,
        verbose: a.verbose,
        quiet: a.quiet,
        proto: codec.clone(),
        notes: std::io::BufWriter::new(std::io::stderr()),
    };

    // The script is compiled before connecting: a syntax error costs no connection.
    let mut script = match &a.script {
        Some(path) => {
            match connect_script::start(path, a.script_stop_on_error, ScriptLayer::Websocket).await
            {
                Ok(s) => Some(s),
                Err(msg) => {
                    eprintln!("sockpit: error: {msg}");
                    if a.json {
                        let _ = printer.json_error_raw(None, "script.invalid", &msg, String::new());
                        let _ = printer.flush();
                    }
                    return exit::USAGE;
                }
            }
        }
        None => None,
    };
    if let Some(s) = script.as_mut() {
        s.feed(vec![ScriptInput::BeforeConnect]).await;
    }

    let handle = SessionHandle::spawn(cfg);
    let (control, mut events) = handle.into_parts();
    for m in sends {
        if control.command(SessionCommand::Send(m)).await.is_err() {
            break;
        }
    }
    // Lines on stdin are sent as text. Their end closes the session (once everything queued is
    // sent: the session closes with 1000 when its last control is dropped) unless --count,
    // --timeout or --echo says how it ends.
    let close_on_eof = a.count.is_none() && a.timeout.is_none() && !a.echo && a.script.is_none();
    let stdin_control = control.clone();
    let keep_open = (!close_on_eof).then(|| control.clone());
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let sent = match connect_proto::outgoing(&codec, line) {
                Ok(m) => stdin_control.command(SessionCommand::Send(m)).await,
                Err(e) => {
                    eprintln!("sockpit: stdin line not sent: {e}");
                    continue;
                }
            };
            if sent.is_err() {
                return;
            }
        }
        drop(stdin_control);
        // Without an ending condition the session ends with stdin; otherwise it stays open.
        if let Some(c) = keep_open {
            std::future::pending::<()>().await;
            drop(c);
        }
    });
    // Echoes go through their own task so that printing never waits on a full command channel.
    let count_control = a.count.map(|_| control.clone());
    let echo_tx = a.echo.then(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
        let echo_control = control.clone();
        tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                if echo_control.command(SessionCommand::Send(m)).await.is_err() {
                    return;
                }
            }
        });
        tx
    });
    // A scripted session keeps a control for the script's sends and closes.
    let script_control = script.as_ref().map(|_| control.clone());
    // A signal's close goes through a weak control: the end of stdin must still close the session.
    let signal_control = control.downgrade();
    drop(control);

    let mut state = RunState {
        received: 0,
        count: a.count,
        closing: false,
        failure: None,
    };
    let run = async {
        loop {
            let batch = match script.as_mut() {
                Some(s) => tokio::select! {
                    b = events.recv() => b,
                    action = s.next_action() => {
                        s.apply(action, script_control.as_ref(), &mut printer).await;
                        continue;
                    }
                },
                None => events.recv().await,
            };
            let Some(batch) = batch else { break };
            let mut ended = handle_batch(&mut printer, &mut state, &batch, echo_tx.as_ref());
            let mut inputs = connect_script::inputs_of(&batch);
            // Print everything already waiting before one flush.
            while !ended {
                match events.try_recv() {
                    Ok(more) => {
                        ended = handle_batch(&mut printer, &mut state, &more, echo_tx.as_ref());
                        if script.is_some() {
                            inputs.extend(connect_script::inputs_of(&more));
                        }
                    }
                    Err(_) => break,
                }
            }
            let _ = printer.flush();
            if let Some(s) = script.as_mut() {
                s.feed(inputs).await;
                while let Some(action) = s.try_action() {
                    s.apply(action, script_control.as_ref(), &mut printer).await;
                }
            }
            if state.closing_requested() {
                state.closing = true;
                if let Some(c) = &count_control {
                    let _ = c.close(1000, "").await;
                }
            }
            if ended {
                break;
            }
        }
    };
    let goodbye = |sig: Signal| async move {
        if let Some(c) = signal_control.upgrade() {
            let _ = c.close(sig.close_code(), sig.reason()).await;
        }
    };
    let ending = interrupt::drive(timeout, run, goodbye).await;
    if let Ending::Interrupted(sig) = ending {
        // A scripted session still runs `after` and reports its tests.
        if let Some(s) = script {
            let _ = s.finish(&mut printer).await;
        }
        return interrupt::finish(sig, a.json, &mut printer.out);
    }
    if matches!(ending, Ending::TimedOut) {
        // A scripted session that runs out still runs `after` and reports its tests.
        if let Some(s) = script {
            let _ = s.finish(&mut printer).await;
        }
        let msg = timeout_message(timeout);
        if a.json {
            let _ = printer.json_error_raw(None, "cli.timeout", &msg, String::new());
        }
        let _ = printer.flush();
        eprintln!("sockpit: error: {msg}");
        return exit::TIMEOUT;
    }
    drop(script_control);
    let script_outcome = match script {
        Some(s) => s.finish(&mut printer).await,
        None => Ok(()),
    };
    let _ = printer.flush();
    match (state.failure, script_outcome) {
        (Some((code, msg)), _) => {
            eprintln!("sockpit: error: {msg}");
            code
        }
        (None, Err(msg)) => {
            eprintln!("sockpit: error: {msg}");
            exit::FAILURE
        }
        (None, Ok(())) => exit::OK,
    }
}

struct RunState {
    received: u64,
    count: Option<u64>,
    closing: bool,
    /// Exit status and message if the session did not end well.
    failure: Option<(i32, String)>,
}

impl RunState {
    fn closing_requested(&self) -> bool {
        !self.closing && self.count.is_some_and(|n| self.received >= n)
    }
}

/// Prints a batch and tracks the outcome; `true` once the session has ended.
fn handle_batch<W: Write>(
    printer: &mut Printer<W>,
    st: &mut RunState,
    batch: &[SessionEvent],
    echo: Option<&mpsc::UnboundedSender<Outgoing>>,
) -> bool {
    for ev in batch {
        match ev {
            SessionEvent::Message {
                dir: Direction::In,
                kind,
                data,
                ..
            } => {
                if st.count.is_some_and(|n| st.received >= n) {
                    continue;
                }
                st.received += 1;
                if let Some(tx) = echo {
                    let _ = tx.send(echo_of(*kind, data));
                }
            }
            SessionEvent::Open { .. } => st.failure = None,
            SessionEvent::Error { error, .. } => {
                let code = match error.as_ref() {
                    WsError::Timeout { .. } => exit::TIMEOUT,
                    _ => exit::FAILURE,
                };
                st.failure = Some((code, error.to_string()));
            }
            SessionEvent::Close {
                dir: Direction::In,
                code,
                reason,
                by,
                ..
            } => {
                let clean = matches!(code, 1000 | 1001) || *by == Closer::Client && *code != 1006;
                let already_reported = st.failure.is_some() && *code == 1006;
                if !clean && !already_reported {
                    let mut msg = match code {
                        1006 => format!(
                            "connection closed abnormally (1006 Abnormal Closure): {reason}"
                        ),
                        _ => format!(
                            "server closed the connection with {code} {}",
                            close_code_name(*code)
                        ),
                    };
                    if *code != 1006 && !reason.is_empty() {
                        msg.push_str(&format!(": {reason}"));
                    }
                    st.failure = Some((exit::FAILURE, msg));
                }
            }
            SessionEvent::Ended { .. } => {
                let _ = printer.event(ev);
                return true;
            }
            _ => {}
        }
        if printer.event(ev).is_err() {
            // stdout is gone (closed pipe): nothing more to do.
            return true;
        }
    }
    false
}

fn echo_of(kind: DataKind, data: &Bytes) -> Outgoing {
    match kind {
        DataKind::Text => Outgoing::Text(String::from_utf8_lossy(data).into_owned()),
        DataKind::Binary => Outgoing::Binary(data.clone()),
    }
}
