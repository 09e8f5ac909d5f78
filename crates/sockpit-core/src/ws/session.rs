//! The session task: one task owns one WebSocket across reconnects; commands in, event batches out.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;

use super::config::ConnectConfig;
use super::connection;
use super::error::WsError;
use super::event::{close_code_is_sendable, Nanos, Outgoing, SessionCommand, SessionEvent};
use super::handshake::{self, Target};
use super::stream::SessionStream;
use super::wire::WireShared;
use crate::auth::{self, AuthRunner, Prepared};
use crate::net::tls::tls_config;

/// Batches that may wait for the consumer before the socket task stops reading (backpressure).
const EVENT_BATCHES: usize = 64;

/// A running session: send commands with [`SessionControl`], read event batches here.
pub struct SessionHandle {
    control: SessionControl,
    events: mpsc::Receiver<Vec<SessionEvent>>,
    started: Instant,
    started_wall: SystemTime,
}

/// The sending half of a session; cheap to clone. Dropping every clone closes the session cleanly
/// (code 1000) once pending sends are out.
#[derive(Clone)]
pub struct SessionControl {
    tx: mpsc::Sender<SessionCommand>,
}

impl SessionHandle {
    /// Starts a session on the current tokio runtime. Connecting happens in the task; watch the events.
    pub fn spawn(config: ConnectConfig) -> SessionHandle {
        let (cmd_tx, cmd_rx) = mpsc::channel(256);
        let (ev_tx, ev_rx) = mpsc::channel(EVENT_BATCHES);
        let started = Instant::now();
        let sink = EventSink {
            tx: ev_tx,
            batch: Vec::with_capacity(64),
            epoch: started,
            wire: None,
        };
        tokio::spawn(run(config, cmd_rx, sink));
        SessionHandle {
            control: SessionControl { tx: cmd_tx },
            events: ev_rx,
            started,
            started_wall: SystemTime::now(),
        }
    }

    pub fn control(&self) -> SessionControl {
        self.control.clone()
    }

    /// The next batch of events, in order; `None` after [`SessionEvent::Ended`].
    pub async fn next_batch(&mut self) -> Option<Vec<SessionEvent>> {
        self.events.recv().await
    }

    /// The monotonic instant event timestamps count from.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Wall-clock time at the start, to show absolute times.
    pub fn started_wall(&self) -> SystemTime {
        self.started_wall
    }

    /// Splits into the control and the event receiver.
    pub fn into_parts(self) -> (SessionControl, mpsc::Receiver<Vec<SessionEvent>>) {
        (self.control, self.events)
    }
}

impl SessionControl {
    pub async fn command(&self, cmd: SessionCommand) -> Result<(), WsError> {
        if let SessionCommand::Close { code, .. } = &cmd {
            if !close_code_is_sendable(*code) {
                return Err(WsError::InvalidCloseCode(*code));
            }
        }
        self.tx.send(cmd).await.map_err(|_| WsError::SessionEnded)
    }

    pub async fn send_text(&self, text: impl Into<String>) -> Result<(), WsError> {
        self.command(SessionCommand::Send(Outgoing::Text(text.into())))
            .await
    }

    pub async fn send_binary(&self, data: impl Into<Bytes>) -> Result<(), WsError> {
        self.command(SessionCommand::Send(Outgoing::Binary(data.into())))
            .await
    }

    pub async fn ping(&self, data: impl Into<Bytes>) -> Result<(), WsError> {
        self.command(SessionCommand::Ping(data.into())).await
    }

    pub async fn close(&self, code: u16, reason: impl Into<String>) -> Result<(), WsError> {
        self.command(SessionCommand::Close {
            code,
            reason: reason.into(),
        })
        .await
    }

    /// A control that does not keep the session open: for a close asked from outside (a signal)
    /// where the end of the other controls must still close the session.
    pub fn downgrade(&self) -> WeakSessionControl {
        WeakSessionControl {
            tx: self.tx.downgrade(),
        }
    }
}

/// A [`SessionControl`] that does not count towards "every clone dropped" (see
/// [`SessionControl::downgrade`]).
#[derive(Clone)]
pub struct WeakSessionControl {
    tx: mpsc::WeakSender<SessionCommand>,
}

impl WeakSessionControl {
    /// The control, while some other control still keeps the session open.
    pub fn upgrade(&self) -> Option<SessionControl> {
        self.tx.upgrade().map(|tx| SessionControl { tx })
    }
}

/// Batches events and hands them to the consumer.
pub(super) struct EventSink {
    tx: mpsc::Sender<Vec<SessionEvent>>,
    pub(super) batch: Vec<SessionEvent>,
    pub(super) epoch: Instant,
    /// The open connection's wire layer, whose frame records join each batch.
    pub(super) wire: Option<Arc<WireShared>>,
}

/// The consumer dropped the handle: nobody listens, so the session stops.
pub(super) struct ConsumerGone;

impl EventSink {
    pub(super) fn now(&self) -> Nanos {
        self.epoch.elapsed().as_nanos() as Nanos
    }

    pub(super) fn push(&mut self, ev: SessionEvent) {
        self.batch.push(ev);
    }

    pub(super) fn error(&mut self, error: WsError) {
        let t = self.now();
        self.push(SessionEvent::Error {
            t,
            error: Box::new(error),
        });
    }

    /// Moves recorded frames into the batch, in time order with the other events.
    fn take_frames(&mut self) {
        let Some(wire) = &self.wire else { return };
        let mut frames = Vec::new();
        wire.take_frames(&mut frames);
        if frames.is_empty() {
            return;
        }
        self.batch
            .extend(frames.into_iter().map(|f| SessionEvent::Frame {
                t: f.t,
                record: Box::new(f),
            }));
        self.batch.sort_by_key(SessionEvent::t);
    }

    pub(super) async fn flush(&mut self) -> Result<(), ConsumerGone> {
        self.take_frames();
        if self.batch.is_empty() {
            return Ok(());
        }
        // The next batch starts as large as this one was (at least a few): a busy session keeps
        // room for its bursts, an idle one (thousands of them in a load run) holds little.
        let room = self.batch.len().clamp(4, 512);
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(room));
        self.tx.send(batch).await.map_err(|_| ConsumerGone)
    }
}

/// What stays fixed for the whole session.
pub(super) struct Fixed {
    pub(super) cfg: ConnectConfig,
    target: Target,
    tls: Option<Arc<rustls::ClientConfig>>,
    /// Runs the auth prepare step before each attempt.
    auth: Option<AuthRunner>,
}

/// What changes as the session runs.
pub(super) struct State {
    pub(super) commands: mpsc::Receiver<SessionCommand>,
    pub(super) commands_open: bool,
    pub(super) events: EventSink,
    /// Sends waiting for an open connection.
    pub(super) queue: VecDeque<Outgoing>,
    /// The user asked to end the session.
    pub(super) user_closed: bool,
    /// The close code the server sent on the current connection, if any.
    pub(super) last_close_in: Option<u16>,
}

/// How one connection ended.
pub(super) enum Outcome {
    /// On purpose, or in a way a new attempt would not fix.
    Finished,
    /// Lost; a reconnect may help.
    Lost,
}

async fn run(cfg: ConnectConfig, commands: mpsc::Receiver<SessionCommand>, events: EventSink) {
    let mut st = State {
        commands,
        commands_open: true,
        events,
        queue: VecDeque::new(),
        user_closed: false,
        last_close_in: None,
    };
    if run_session(cfg, &mut st).await.is_err() {
        tracing::debug!("ws: the consumer went away; session stopped");
    }
    tracing::debug!(user_closed = st.user_closed, "ws: session ended");
    let t = st.events.now();
    st.events.push(SessionEvent::Ended { t });
    let _ = st.events.flush().await;
}

async fn run_session(cfg: ConnectConfig, st: &mut State) -> Result<(), ConsumerGone> {
    let fixed = match prepare(cfg) {
        Ok(f) => f,
        Err(e) => {
            tracing::info!(code = e.code(), "ws: session not started");
            st.events.error(e);
            return Ok(());
        }
    };
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let mut retry: u32 = 0;
    // Logs name the target without user info, query values or known secrets.
    let url = auth::loggable_url(fixed.target.url.as_str(), &fixed.cfg.redact);
    let mut first = true;
    // Why the newest attempt failed, for the give-up error: "gave up" alone hides the cause.
    let mut last_failure: Option<String>;
    loop {
        let t = st.events.now();
        st.events
            .push(SessionEvent::Connecting { t, attempt: retry });
        st.events.flush().await?;
        tracing::debug!(%url, attempt = retry, "ws: connecting");
        // Boxed: the connect future (DNS, proxy, TLS, upgrade) is the largest state of this task,
        // and boxing it keeps it off the session's size while the connection is open.
        let phase = Box::pin(connect_phase(&fixed, st, first)).await?;
        first = false;
        match phase {
            Phase::Opened(ws, report, wire, prepared) => {
                tracing::info!(%url, attempt = retry, "ws: open");
                retry = 0;
                last_failure = None;
                let t = st.events.now();
                st.events.push(SessionEvent::Open { t, report });
                st.events.wire = wire;
                let outcome = connection::io_loop(&fixed, st, *ws, prepared).await;
                st.events.flush().await?;
                st.events.wire = None;
                let lost = matches!(outcome, Ok(Outcome::Lost));
                tracing::info!(%url, lost, close_code = st.last_close_in, "ws: connection ended");
                if let Outcome::Finished = outcome? {
                    return Ok(());
                }
            }
            Phase::Failed(e) => {
                let transient = e.is_transient();
                // The code only: error texts may quote URLs or response bodies.
                tracing::info!(%url, code = e.code(), transient, "ws: connect failed");
                last_failure = Some(e.to_string());
                st.events.error(e);
                if !transient {
                    return Ok(());
                }
            }
            Phase::Cancelled => {
                tracing::debug!(%url, "ws: connect cancelled");
                return Ok(());
            }
        }
        let Some(policy) = &fixed.cfg.reconnect else {
            return Ok(());
        };
        if st.user_closed {
            return Ok(());
        }
        retry += 1;
        if !policy.allows(retry) {
            tracing::info!(%url, attempts = retry - 1, "ws: gave up reconnecting");
            let why = last_failure
                .as_deref()
                .map(|m| format!("; the last failed: {m}"))
                .unwrap_or_default();
            st.events.error(WsError::Io(format!(
                "gave up after {} reconnect attempts{why}",
                retry - 1
            )));
            return Ok(());
        }
        let delay = policy.delay(retry, &mut rng);
        tracing::info!(%url, attempt = retry, delay_ms = delay.as_millis() as u64, "ws: reconnecting");
        let t = st.events.now();
        st.events.push(SessionEvent::Reconnecting {
            t,
            attempt: retry,
            delay,
        });
        st.events.flush().await?;
        if !wait_offline(st, delay, fixed.cfg.send_queue_limit).await? {
            return Ok(());
        }
    }
}

fn prepare(cfg: ConnectConfig) -> Result<Fixed, WsError> {
    let target = handshake::parse_target(&cfg.url, &cfg.query)?;
    let tls = if target.tls {
        Some(tls_config(&cfg.tls)?)
    } else {
        None
    };
    let auth = match cfg.auth.clone().filter(|a| !a.is_empty()) {
        Some(a) => {
            let transport = auth::AuthTransport {
                tls: cfg.tls.clone(),
                proxy: cfg.proxy.clone(),
                timeout: cfg.handshake_timeout,
            };
            Some(AuthRunner::with_transport(a, &transport).map_err(WsError::Auth)?)
        }
        None => None,
    };
    Ok(Fixed {
        cfg,
        target,
        tls,
        auth,
    })
}

enum Phase {
    Opened(
        Box<WebSocketStream<SessionStream>>,
        Box<super::event::UpgradeReport>,
        Option<Arc<WireShared>>,
        Option<Box<Prepared>>,
    ),
    Failed(WsError),
    Cancelled,
}

async fn connect_phase(fixed: &Fixed, st: &mut State, first: bool) -> Result<Phase, ConsumerGone> {
    let attempt = open_attempt(fixed, st.events.epoch, first);
    tokio::pin!(attempt);
    loop {
        tokio::select! {
            r = &mut attempt => {
                return Ok(match r {
                    Ok((ws, report, wire, prepared)) => {
                        Phase::Opened(Box::new(ws), Box::new(report), wire, prepared)
                    }
                    Err(e) => Phase::Failed(e),
                });
            }
            cmd = st.commands.recv(), if st.commands_open => {
                if !handle_offline_cmd(st, cmd, fixed.cfg.send_queue_limit) {
                    return Ok(Phase::Cancelled);
                }
                st.events.flush().await?;
            }
        }
    }
}

type Attempt = (
    WebSocketStream<SessionStream>,
    super::event::UpgradeReport,
    Option<Arc<WireShared>>,
    Option<Box<Prepared>>,
);

/// One attempt: the auth prepare step (fresh login, ticket, token), then the upgrade with what it
/// added. Secrets in the upgrade report are redacted.
async fn open_attempt(
    fixed: &Fixed,
    epoch: std::time::Instant,
    first: bool,
) -> Result<Attempt, WsError> {
    let mut target = fixed.target.clone();
    if first && !fixed.cfg.first_attempt_query.is_empty() {
        let mut pairs = target.url.query_pairs_mut();
        for (k, v) in &fixed.cfg.first_attempt_query {
            pairs.append_pair(k, v);
        }
    }
    let Some(runner) = &fixed.auth else {
        let extra = &fixed.cfg.redact;
        let (ws, mut report, wire) = handshake::open(&fixed.cfg, &target, fixed.tls.clone(), epoch)
            .await
            .map_err(|e| redact_error(e, extra))?;
        redact_report(&mut report, extra);
        return Ok((ws, report, wire, None));
    };
    let mut prepared = runner.prepare().await.map_err(WsError::Auth)?;
    prepared.secrets.extend(fixed.cfg.redact.iter().cloned());
    let mut cfg = fixed.cfg.clone();
    cfg.headers.extend(prepared.headers.iter().cloned());
    cfg.subprotocols
        .extend(prepared.subprotocols.iter().cloned());
    if !prepared.query.is_empty() {
        let mut pairs = target.url.query_pairs_mut();
        for (k, v) in &prepared.query {
            pairs.append_pair(k, v);
        }
    }
    let (ws, mut report, wire) = handshake::open(&cfg, &target, fixed.tls.clone(), epoch)
        .await
        .map_err(|e| redact_error(e, &prepared.secrets))?;
    redact_report(&mut report, &prepared.secrets);
    Ok((ws, report, wire, Some(Box::new(prepared))))
}

fn redact_report(r: &mut super::event::UpgradeReport, secrets: &[String]) {
    let red = |s: &str| auth::redact(s, secrets);
    r.url = red(&r.url);
    r.request_line = red(&r.request_line);
    for (_, v) in r
        .request_headers
        .iter_mut()
        .chain(r.response_headers.iter_mut())
    {
        *v = red(v);
    }
    r.protocol = r.protocol.as_deref().map(red);
    r.raw_request = r.raw_request.as_deref().map(red);
    r.raw_response = r.raw_response.as_deref().map(red);
}

fn redact_error(e: WsError, secrets: &[String]) -> WsError {
    match e {
        WsError::HandshakeRejected {
            status,
            reason,
            headers,
            body,
        } => WsError::HandshakeRejected {
            status,
            reason,
            headers: headers
                .into_iter()
                .map(|(k, v)| (k, auth::redact(&v, secrets)))
                .collect(),
            body: auth::redact(&body, secrets),
        },
        WsError::SubprotocolNotAccepted { offered } => WsError::SubprotocolNotAccepted {
            offered: auth::redact(&offered, secrets),
        },
        WsError::Handshake(m) => WsError::Handshake(auth::redact(&m, secrets)),
        WsError::InvalidUrl { url, reason } => WsError::InvalidUrl {
            url: auth::redact(&url, secrets),
            reason: auth::redact(&reason, secrets),
        },
        other => other,
    }
}

/// Waits out a reconnect delay while still taking commands. `false` when the user closed.
async fn wait_offline(st: &mut State, delay: Duration, limit: usize) -> Result<bool, ConsumerGone> {
    let sleep = tokio::time::sleep(delay);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return Ok(true),
            cmd = st.commands.recv(), if st.commands_open => {
                if !handle_offline_cmd(st, cmd, limit) {
                    return Ok(false);
                }
                st.events.flush().await?;
            }
        }
    }
}

/// A command while no connection is open: sends queue up (bounded), close ends the session.
fn handle_offline_cmd(st: &mut State, cmd: Option<SessionCommand>, limit: usize) -> bool {
    match cmd {
        None => {
            // Every control is gone: close cleanly once the queue is out.
            st.commands_open = false;
            true
        }
        Some(SessionCommand::Send(m)) => {
            enqueue(st, m, limit);
            true
        }
        Some(SessionCommand::Ping(_) | SessionCommand::Drop { .. }) => true,
        Some(SessionCommand::Close { .. }) => {
            st.user_closed = true;
            false
        }
    }
}

pub(super) fn enqueue(st: &mut State, m: Outgoing, limit: usize) {
    if st.queue.len() >= limit {
        st.events.error(WsError::QueueFull { limit });
        return;
    }
    st.queue.push_back(m);
    let t = st.events.now();
    st.events.push(SessionEvent::Queued {
        t,
        queued: st.queue.len(),
    });
}
