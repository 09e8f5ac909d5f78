//! The session task: one task owns one WebSocket across reconnects; commands in, event batches out.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Interval;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as TError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::config::ConnectConfig;
use super::error::WsError;
use super::event::{
    close_code_is_sendable, Closer, DataKind, Direction, Nanos, Outgoing, SessionCommand,
    SessionEvent,
};
use super::handshake::{self, Target};
use super::reconnect::close_code_is_retryable;
use super::transport::{self, SessionStream};
use super::wire::WireShared;

/// Most messages taken off the socket before a batch is handed out.
const MAX_BATCH: usize = 512;
/// Batches that may wait for the consumer before the socket task stops reading (backpressure).
const EVENT_BATCHES: usize = 64;
/// How long we wait for the server's close frame after sending ours.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

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
}

/// Batches events and hands them to the consumer.
struct EventSink {
    tx: mpsc::Sender<Vec<SessionEvent>>,
    batch: Vec<SessionEvent>,
    epoch: Instant,
    /// The open connection's wire layer, whose frame records join each batch.
    wire: Option<Arc<WireShared>>,
}

/// The consumer dropped the handle: nobody listens, so the session stops.
struct ConsumerGone;

impl EventSink {
    fn now(&self) -> Nanos {
        self.epoch.elapsed().as_nanos() as Nanos
    }

    fn push(&mut self, ev: SessionEvent) {
        self.batch.push(ev);
    }

    fn error(&mut self, error: WsError) {
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

    async fn flush(&mut self) -> Result<(), ConsumerGone> {
        self.take_frames();
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(64));
        self.tx.send(batch).await.map_err(|_| ConsumerGone)
    }
}

/// What stays fixed for the whole session.
struct Fixed {
    cfg: ConnectConfig,
    target: Target,
    tls: Option<Arc<rustls::ClientConfig>>,
}

/// What changes as the session runs.
struct State {
    commands: mpsc::Receiver<SessionCommand>,
    commands_open: bool,
    events: EventSink,
    /// Sends waiting for an open connection.
    queue: VecDeque<Outgoing>,
    /// The user asked to end the session.
    user_closed: bool,
}

/// How one connection ended.
enum Outcome {
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
    };
    let _ = run_session(cfg, &mut st).await;
    let t = st.events.now();
    st.events.push(SessionEvent::Ended { t });
    let _ = st.events.flush().await;
}

async fn run_session(cfg: ConnectConfig, st: &mut State) -> Result<(), ConsumerGone> {
    let fixed = match prepare(cfg) {
        Ok(f) => f,
        Err(e) => {
            st.events.error(e);
            return Ok(());
        }
    };
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let mut retry: u32 = 0;
    loop {
        let t = st.events.now();
        st.events
            .push(SessionEvent::Connecting { t, attempt: retry });
        st.events.flush().await?;
        match connect_phase(&fixed, st).await? {
            Phase::Opened(ws, report, wire) => {
                retry = 0;
                let t = st.events.now();
                st.events.push(SessionEvent::Open { t, report });
                st.events.wire = wire;
                let outcome = io_loop(&fixed, st, *ws).await;
                st.events.flush().await?;
                st.events.wire = None;
                if let Outcome::Finished = outcome? {
                    return Ok(());
                }
            }
            Phase::Failed(e) => {
                let transient = e.is_transient();
                st.events.error(e);
                if !transient {
                    return Ok(());
                }
            }
            Phase::Cancelled => return Ok(()),
        }
        let Some(policy) = &fixed.cfg.reconnect else {
            return Ok(());
        };
        if st.user_closed {
            return Ok(());
        }
        retry += 1;
        if !policy.allows(retry) {
            st.events.error(WsError::Io(format!(
                "gave up after {} reconnect attempts",
                retry - 1
            )));
            return Ok(());
        }
        let delay = policy.delay(retry, &mut rng);
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
        Some(transport::tls_config(&cfg.tls)?)
    } else {
        None
    };
    Ok(Fixed { cfg, target, tls })
}

enum Phase {
    Opened(
        Box<WebSocketStream<SessionStream>>,
        Box<super::event::UpgradeReport>,
        Option<Arc<WireShared>>,
    ),
    Failed(WsError),
    Cancelled,
}

async fn connect_phase(fixed: &Fixed, st: &mut State) -> Result<Phase, ConsumerGone> {
    let attempt = handshake::open(
        &fixed.cfg,
        &fixed.target,
        fixed.tls.clone(),
        st.events.epoch,
    );
    tokio::pin!(attempt);
    loop {
        tokio::select! {
            r = &mut attempt => {
                return Ok(match r {
                    Ok((ws, report, wire)) => Phase::Opened(Box::new(ws), Box::new(report), wire),
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
        Some(SessionCommand::Ping(_)) => true,
        Some(SessionCommand::Close { .. }) => {
            st.user_closed = true;
            false
        }
    }
}

fn enqueue(st: &mut State, m: Outgoing, limit: usize) {
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

fn to_message(m: Outgoing) -> (Message, DataKind, Bytes) {
    match m {
        Outgoing::Text(s) => {
            let b = Bytes::from(s);
            // `b` came from a String, so it is valid UTF-8.
            let text =
                tokio_tungstenite::tungstenite::Utf8Bytes::try_from(b.clone()).unwrap_or_default();
            (Message::Text(text), DataKind::Text, b)
        }
        Outgoing::Binary(b) => (Message::Binary(b.clone()), DataKind::Binary, b),
    }
}

/// Timers of an open connection.
struct Keepalive {
    ping: Option<Interval>,
    pong_due: Option<Instant>,
    heartbeat: Option<Interval>,
    heartbeat_due: Option<Instant>,
    /// We sent a close frame and wait for the server's until then.
    closing_until: Option<Instant>,
}

impl Keepalive {
    fn new(cfg: &ConnectConfig) -> Keepalive {
        let every = |d: Duration| {
            let mut iv = tokio::time::interval_at(tokio::time::Instant::now() + d, d);
            iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            iv
        };
        Keepalive {
            ping: cfg.ping.as_ref().map(|p| every(p.interval)),
            pong_due: None,
            heartbeat: cfg.heartbeat.as_ref().map(|h| every(h.interval)),
            heartbeat_due: None,
            closing_until: None,
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        [self.pong_due, self.heartbeat_due, self.closing_until]
            .into_iter()
            .flatten()
            .min()
    }
}

async fn tick(iv: &mut Option<Interval>) {
    match iv {
        Some(iv) => {
            iv.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

type Ws = WebSocketStream<SessionStream>;

async fn io_loop(fixed: &Fixed, st: &mut State, mut ws: Ws) -> Result<Outcome, ConsumerGone> {
    let cfg = &fixed.cfg;
    let mut keep = Keepalive::new(cfg);
    // Who started the closing handshake, once one has started.
    let mut closing_by: Option<Closer> = None;

    // Flush what waited for the connection, in order.
    while let Some(m) = st.queue.pop_front() {
        if let Err(e) = send_data(st, &mut ws, m, true).await {
            return lost(st, e).await;
        }
    }
    if !st.commands_open {
        start_close(st, &mut ws, &mut keep, &mut closing_by, 1000, String::new()).await;
    }
    st.events.flush().await?;

    loop {
        let deadline = keep.next_deadline();
        tokio::select! {
            msg = ws.next() => {
                let mut next = msg;
                let mut taken = 0;
                loop {
                    match next {
                        Some(Ok(m)) => on_message(cfg, st, &mut keep, &mut closing_by, m),
                        Some(Err(e)) => return on_read_error(st, &mut ws, closing_by, e).await,
                        None => return on_end(fixed, st, closing_by).await,
                    }
                    taken += 1;
                    if taken >= MAX_BATCH {
                        break;
                    }
                    match ws.next().now_or_never() {
                        Some(m) => next = m,
                        None => break,
                    }
                }
                st.events.flush().await?;
            }
            cmd = st.commands.recv(), if st.commands_open && closing_by.is_none() => {
                let mut cmd = cmd;
                let mut taken = 0;
                loop {
                    let r = match cmd {
                        None => {
                            st.commands_open = false;
                            start_close(st, &mut ws, &mut keep, &mut closing_by, 1000, String::new()).await;
                            break;
                        }
                        Some(SessionCommand::Send(m)) => send_data(st, &mut ws, m, false).await,
                        Some(SessionCommand::Ping(p)) => {
                            let t = st.events.now();
                            st.events.push(SessionEvent::Ping { t, dir: Direction::Out, data: p.clone() });
                            ws.feed(Message::Ping(p)).await
                        }
                        Some(SessionCommand::Close { code, reason }) => {
                            st.user_closed = true;
                            start_close(st, &mut ws, &mut keep, &mut closing_by, code, reason).await;
                            break;
                        }
                    };
                    if let Err(e) = r {
                        return lost(st, e).await;
                    }
                    taken += 1;
                    if taken >= MAX_BATCH {
                        break;
                    }
                    match st.commands.try_recv() {
                        Ok(c) => cmd = Some(c),
                        Err(mpsc::error::TryRecvError::Empty) => break,
                        Err(mpsc::error::TryRecvError::Disconnected) => cmd = None,
                    }
                }
                if closing_by.is_none() {
                    if let Err(e) = ws.flush().await {
                        return lost(st, e).await;
                    }
                }
                st.events.flush().await?;
            }
            _ = tick(&mut keep.ping), if closing_by.is_none() => {
                if let Some(p) = &cfg.ping {
                    if keep.pong_due.is_none() {
                        keep.pong_due = Some(Instant::now() + p.timeout);
                    }
                }
                let data = Bytes::from_static(b"sockpit");
                let t = st.events.now();
                st.events.push(SessionEvent::Ping { t, dir: Direction::Out, data: data.clone() });
                if let Err(e) = ws.send(Message::Ping(data)).await {
                    return lost(st, e).await;
                }
                st.events.flush().await?;
            }
            _ = tick(&mut keep.heartbeat), if closing_by.is_none() => {
                if let Some(h) = &cfg.heartbeat {
                    if keep.heartbeat_due.is_none() {
                        keep.heartbeat_due = Some(Instant::now() + h.timeout);
                    }
                    if let Err(e) = send_data(st, &mut ws, Outgoing::Text(h.message.clone()), true).await {
                        return lost(st, e).await;
                    }
                    st.events.flush().await?;
                }
            }
            _ = sleep_until(deadline) => {
                let now = Instant::now();
                if keep.closing_until.is_some_and(|d| d <= now) {
                    // The server never answered our close frame; we are done anyway.
                    return Ok(Outcome::Finished);
                }
                let error = if keep.pong_due.is_some_and(|d| d <= now) {
                    WsError::PongTimeout(cfg.ping.as_ref().map(|p| p.timeout).unwrap_or_default())
                } else {
                    WsError::HeartbeatTimeout(cfg.heartbeat.as_ref().map(|h| h.timeout).unwrap_or_default())
                };
                let reason = error.to_string();
                st.events.error(error);
                return dropped(st, reason).await;
            }
        }
    }
}

/// Sends one data message (`flush` now, or leave it buffered for a later flush).
async fn send_data(st: &mut State, ws: &mut Ws, m: Outgoing, flush: bool) -> Result<(), TError> {
    let (msg, kind, data) = to_message(m);
    if flush {
        ws.send(msg).await?;
    } else {
        ws.feed(msg).await?;
    }
    let t = st.events.now();
    st.events.push(SessionEvent::Message {
        t,
        dir: Direction::Out,
        kind,
        data,
    });
    Ok(())
}

async fn start_close(
    st: &mut State,
    ws: &mut Ws,
    keep: &mut Keepalive,
    closing_by: &mut Option<Closer>,
    code: u16,
    reason: String,
) {
    *closing_by = Some(Closer::Client);
    keep.closing_until = Some(Instant::now() + CLOSE_GRACE);
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.clone().into(),
    };
    let t = st.events.now();
    st.events.push(SessionEvent::Close {
        t,
        dir: Direction::Out,
        code,
        reason,
        by: Closer::Client,
    });
    // A failure here shows up as the end of the read side.
    let _ = ws.close(Some(frame)).await;
}

fn on_message(
    cfg: &ConnectConfig,
    st: &mut State,
    keep: &mut Keepalive,
    closing_by: &mut Option<Closer>,
    m: Message,
) {
    let t = st.events.now();
    let ev = match m {
        Message::Text(text) => {
            let data = Bytes::from(text);
            heartbeat_reply(cfg, keep, &data);
            SessionEvent::Message {
                t,
                dir: Direction::In,
                kind: DataKind::Text,
                data,
            }
        }
        Message::Binary(data) => {
            heartbeat_reply(cfg, keep, &data);
            SessionEvent::Message {
                t,
                dir: Direction::In,
                kind: DataKind::Binary,
                data,
            }
        }
        Message::Ping(data) => {
            st.events.push(SessionEvent::Ping {
                t,
                dir: Direction::In,
                data: data.clone(),
            });
            // tungstenite answers every ping itself; record the reply it sends.
            SessionEvent::Pong {
                t,
                dir: Direction::Out,
                data,
            }
        }
        Message::Pong(data) => {
            keep.pong_due = None;
            SessionEvent::Pong {
                t,
                dir: Direction::In,
                data,
            }
        }
        Message::Close(frame) => {
            let (code, reason) = frame
                .map(|f| (u16::from(f.code), f.reason.as_str().to_string()))
                .unwrap_or((1005, String::new()));
            let by = *closing_by.get_or_insert(Closer::Server);
            st.events.push(SessionEvent::Close {
                t,
                dir: Direction::In,
                code,
                reason: reason.clone(),
                by,
            });
            if by == Closer::Server {
                // tungstenite echoes the close frame (with the same code; 1000 when there was none).
                let echo = if code == 1005 { 1000 } else { code };
                SessionEvent::Close {
                    t,
                    dir: Direction::Out,
                    code: echo,
                    reason,
                    by,
                }
            } else {
                return;
            }
        }
        Message::Frame(_) => return,
    };
    st.events.push(ev);
}

fn heartbeat_reply(cfg: &ConnectConfig, keep: &mut Keepalive, data: &[u8]) {
    if keep.heartbeat_due.is_none() {
        return;
    }
    let matches = match cfg.heartbeat.as_ref().and_then(|h| h.expect.as_deref()) {
        Some(expect) => memchr::memmem::find(data, expect.as_bytes()).is_some(),
        None => true,
    };
    if matches {
        keep.heartbeat_due = None;
    }
}

/// The read side ended cleanly (after a close handshake) or the TCP stream just stopped.
async fn on_end(
    fixed: &Fixed,
    st: &mut State,
    closing_by: Option<Closer>,
) -> Result<Outcome, ConsumerGone> {
    let last_close = st.events.batch.iter().rev().find_map(|e| match e {
        SessionEvent::Close {
            dir: Direction::In,
            code,
            ..
        } => Some(*code),
        _ => None,
    });
    match closing_by {
        Some(Closer::Client) => Ok(Outcome::Finished),
        Some(Closer::Server) => {
            st.events.flush().await?;
            let retry = fixed.cfg.reconnect.is_some()
                && last_close.is_some_and(close_code_is_retryable)
                && !st.user_closed;
            Ok(if retry {
                Outcome::Lost
            } else {
                Outcome::Finished
            })
        }
        None => {
            dropped(
                st,
                "the server closed the TCP connection without a close frame".into(),
            )
            .await
        }
    }
}

async fn on_read_error(
    st: &mut State,
    ws: &mut Ws,
    closing_by: Option<Closer>,
    e: TError,
) -> Result<Outcome, ConsumerGone> {
    let (error, code) = match e {
        TError::ConnectionClosed | TError::AlreadyClosed if closing_by.is_some() => {
            return Ok(Outcome::Finished);
        }
        // We asked to close and the peer hung up instead of answering: that is still the end we wanted.
        TError::Protocol(ProtocolError::ResetWithoutClosingHandshake) | TError::Io(_)
            if closing_by == Some(Closer::Client) =>
        {
            return Ok(Outcome::Finished);
        }
        TError::Capacity(CapacityError::MessageTooLong { size, max_size }) => (
            WsError::MessageTooLarge {
                size,
                max: max_size,
            },
            1009,
        ),
        TError::Utf8(_) => (WsError::InvalidUtf8, 1007),
        TError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            return dropped(
                st,
                "the server reset the connection without a close frame".into(),
            )
            .await;
        }
        TError::Protocol(p) => (WsError::Protocol(p.to_string()), 1002),
        TError::Io(io) => match st.events.wire.as_ref().and_then(|w| w.failure()) {
            // The wire layer refused the server's data (corrupt compressed data).
            Some(why) => (WsError::Deflate(why), 1007),
            None => {
                st.events.error(WsError::Io(io.to_string()));
                return dropped(st, io.to_string()).await;
            }
        },
        other => (WsError::Protocol(other.to_string()), 1002),
    };
    if closing_by.is_none() {
        let reason = match &error {
            WsError::MessageTooLarge { .. } => "message too big",
            WsError::InvalidUtf8 => "invalid UTF-8",
            WsError::Deflate(_) => "invalid compressed data",
            _ => "protocol error",
        };
        let t = st.events.now();
        st.events.push(SessionEvent::Close {
            t,
            dir: Direction::Out,
            code,
            reason: reason.into(),
            by: Closer::Client,
        });
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(Some(frame))).await;
    }
    st.events.error(error);
    st.events.flush().await?;
    Ok(Outcome::Finished)
}

/// Records a connection that died without a close handshake (1006).
async fn dropped(st: &mut State, reason: String) -> Result<Outcome, ConsumerGone> {
    let t = st.events.now();
    st.events.push(SessionEvent::Close {
        t,
        dir: Direction::In,
        code: 1006,
        reason,
        by: Closer::Server,
    });
    st.events.flush().await?;
    Ok(if st.user_closed {
        Outcome::Finished
    } else {
        Outcome::Lost
    })
}

async fn lost(st: &mut State, e: TError) -> Result<Outcome, ConsumerGone> {
    let reason = e.to_string();
    st.events.error(WsError::Io(reason.clone()));
    dropped(st, reason).await
}
