//! One open connection of a session: the I/O loop, keepalive deadlines, the close handshake, and
//! what the server's bad input (oversized, invalid UTF-8, corrupt compressed data) turns into.

use std::time::{Duration, Instant};

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
use super::event::{Closer, DataKind, Direction, Nanos, Outgoing, SessionCommand, SessionEvent};
use super::reconnect::close_code_is_retryable;
use super::stream::SessionStream;

use super::session::{enqueue, ConsumerGone, EventSink, Fixed, Outcome, State};
use crate::auth::{AuthError, FirstMessage, Prepared};

/// Most messages taken off the socket before a batch is handed out.
const MAX_BATCH: usize = 512;
/// Most payload bytes taken off the socket before a batch is handed out. Without it a fast server
/// filled a batch with dozens of 1 MiB messages: the consumer then freed them long after they were
/// read, and each message landed in cold, freshly faulted memory instead of the block just freed.
const MAX_BATCH_BYTES: usize = 1 << 20;
/// How long we wait for the server's close frame after sending ours.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

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

pub(super) async fn io_loop(
    fixed: &Fixed,
    st: &mut State,
    mut ws: Ws,
    prepared: Option<Box<Prepared>>,
) -> Result<Outcome, ConsumerGone> {
    let cfg = &fixed.cfg;
    let mut keep = Keepalive::new(cfg);
    // Who started the closing handshake, once one has started.
    let mut closing_by: Option<Closer> = None;
    st.last_close_in = None;

    // First-message auth: user sends stay queued until the server acknowledges.
    let first = prepared.and_then(|p| Some((p.first_message.clone()?, p.secrets)));
    let policy = cfg.auth.as_ref().and_then(|a| a.first_message.as_ref());
    if let (Some((text, secrets)), Some(policy)) = (first, policy) {
        let auth = FirstAuth {
            text,
            secrets: &secrets,
            policy,
        };
        if let Some(end) =
            authenticate(fixed, st, &mut ws, &mut keep, &mut closing_by, auth).await?
        {
            return Ok(end);
        }
    }

    // Flush what waited for the connection, in order.
    while let Some(m) = st.queue.pop_front().filter(|_| closing_by.is_none()) {
        if let Err(e) = send_data(st, &mut ws, m, true).await {
            return lost(st, e).await;
        }
    }
    if !st.commands_open && closing_by.is_none() {
        start_close(st, &mut ws, &mut keep, &mut closing_by, 1000, String::new()).await;
    }
    st.events.flush().await?;
    let mut arrival = Arrival::default();

    loop {
        let deadline = keep.next_deadline();
        tokio::select! {
            msg = ws.next() => {
                let mut next = msg;
                let (mut taken, mut bytes) = (0, 0);
                loop {
                    match next {
                        Some(Ok(m)) => {
                            bytes += m.len();
                            let t = arrival.of(ws.get_ref().reads(), &st.events);
                            on_message(cfg, st, &mut keep, &mut closing_by, m, t);
                        }
                        Some(Err(e)) => return on_read_error(st, &mut ws, closing_by, e).await,
                        None => return on_end(fixed, st, closing_by).await,
                    }
                    taken += 1;
                    if taken >= MAX_BATCH || bytes >= MAX_BATCH_BYTES {
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
                        Some(SessionCommand::Drop { reason }) => {
                            let _ = ws.flush().await;
                            return dropped(st, reason).await;
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

/// The first message of one connection and how its acknowledgement looks.
struct FirstAuth<'a> {
    text: String,
    secrets: &'a [String],
    policy: &'a FirstMessage,
}

/// Sends the auth message and waits for the acknowledgement, queueing user sends meanwhile.
/// `Some` when the connection ended instead (rejected, timed out, closed by the user).
async fn authenticate(
    fixed: &Fixed,
    st: &mut State,
    ws: &mut Ws,
    keep: &mut Keepalive,
    closing_by: &mut Option<Closer>,
    auth: FirstAuth<'_>,
) -> Result<Option<Outcome>, ConsumerGone> {
    let cfg = &fixed.cfg;
    if let Err(e) = ws.send(Message::text(auth.text.clone())).await {
        return lost(st, e).await.map(Some);
    }
    // The event shows the message with its secrets redacted.
    let shown = crate::auth::redact(&auth.text, auth.secrets);
    let t = st.events.now();
    st.events.push(SessionEvent::Message {
        t,
        dir: Direction::Out,
        kind: DataKind::Text,
        data: Bytes::from(shown),
    });
    st.events.flush().await?;
    let deadline = tokio::time::sleep(auth.policy.timeout);
    tokio::pin!(deadline);
    // The server's close frame, if it closed instead of acknowledging.
    let mut refused: Option<(u16, String)> = None;
    loop {
        tokio::select! {
            msg = ws.next() => {
                let m = match msg {
                    Some(Ok(m)) => m,
                    end => {
                        if let (Some((code, reason)), Some(Closer::Server)) = (refused.take(), *closing_by) {
                            st.events.error(WsError::Auth(AuthError::Rejected { code, reason }));
                        }
                        return match end {
                            Some(Err(e)) => on_read_error(st, ws, *closing_by, e).await.map(Some),
                            _ => on_end(fixed, st, *closing_by).await.map(Some),
                        };
                    }
                };
                let acked = match &m {
                    Message::Text(text) => auth.policy.ack.matches(text.as_str()),
                    Message::Close(frame) => {
                        refused = Some(frame.as_ref().map_or((1005, String::new()), |f| {
                            (u16::from(f.code), f.reason.as_str().to_string())
                        }));
                        false
                    }
                    _ => false,
                };
                let t = st.events.now();
                on_message(cfg, st, keep, closing_by, m, t);
                if acked && closing_by.is_none() {
                    st.events.flush().await?;
                    return Ok(None);
                }
                st.events.flush().await?;
            }
            cmd = st.commands.recv(), if st.commands_open && closing_by.is_none() => {
                match cmd {
                    None => st.commands_open = false,
                    Some(SessionCommand::Send(m)) => enqueue(st, m, cfg.send_queue_limit),
                    Some(SessionCommand::Ping(_) | SessionCommand::Drop { .. }) => {}
                    Some(SessionCommand::Close { code, reason }) => {
                        st.user_closed = true;
                        start_close(st, ws, keep, closing_by, code, reason).await;
                        return Ok(None);
                    }
                }
                st.events.flush().await?;
            }
            _ = &mut deadline, if closing_by.is_none() => {
                st.events.error(WsError::Auth(AuthError::AckTimeout {
                    expected: auth.policy.ack.describe(),
                    after: auth.policy.timeout,
                }));
                start_close(st, ws, keep, closing_by, 1008, "authentication timeout".into()).await;
                st.events.flush().await?;
                return Ok(None);
            }
        }
    }
}

/// When received messages arrived: the time of the socket read that brought them, so the clock is
/// read once per read (thousands of small messages can come in one) instead of once per message.
#[derive(Default)]
struct Arrival {
    /// The read count [`Arrival::t`] belongs to; `None` before the first message.
    reads: Option<u64>,
    t: Nanos,
}

impl Arrival {
    fn of(&mut self, reads: u64, events: &EventSink) -> Nanos {
        if self.reads != Some(reads) {
            self.reads = Some(reads);
            self.t = events.now();
        }
        self.t
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
    t: Nanos,
) {
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
            st.last_close_in = Some(code);
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
    // The close frame may have gone out in an earlier batch than the end of the stream.
    let last_close = st.last_close_in;
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
