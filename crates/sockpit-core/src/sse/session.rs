//! The subscription task: one task owns one SSE stream across reconnects; commands in, event
//! batches out.
//!
//! Like an `EventSource`: the parser lives as long as the subscription, so the last event ID and
//! the server's `retry` survive reconnects; every request after the first sends `Last-Event-ID`;
//! a stream that ends (or breaks, or stays silent past the read timeout) is re-opened after the
//! reconnection time when a [`ReconnectPolicy`] is set; HTTP 204 stops for good; a refused
//! response (4xx, wrong content type) ends the subscription, a failing server (5xx, 408, 429) and
//! network trouble are retried with backoff.

use std::time::{Duration, Instant, SystemTime};

use futures_util::FutureExt;
use rand::Rng;
use tokio::sync::mpsc;

use crate::ws::event::Nanos;
use crate::ws::reconnect::ReconnectPolicy;

use super::client::{OpenInfo, Opened, Prepared, SseConfig};
use super::error::SseClientError;
use super::parser::{SseItem, SseParser};
use crate::util::error_chain;

/// Most body chunks taken off the socket before a batch is handed out.
const MAX_CHUNKS_PER_BATCH: usize = 64;
/// Batches that may wait for the consumer before the task stops reading (backpressure).
const EVENT_BATCHES: usize = 64;

/// What the outside asks of a subscription task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseCommand {
    /// Unsubscribe: close the stream and end; no reconnect.
    Close,
}

/// Why a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseEndReason {
    /// The user unsubscribed.
    Unsubscribed,
    /// The server answered 204 No Content: it asks the client to stop.
    NoContent,
    /// The stream ended and no reconnect was configured.
    StreamClosed,
    /// An error ended it (the preceding [`SseSessionEvent::Error`] says which).
    Failed,
}

impl SseEndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SseEndReason::Unsubscribed => "unsubscribed",
            SseEndReason::NoContent => "no_content",
            SseEndReason::StreamClosed => "stream_closed",
            SseEndReason::Failed => "failed",
        }
    }
}

/// Something that happened on a subscription. Every event carries `t`, nanoseconds since the
/// subscription started (monotonic clock).
#[derive(Debug, Clone)]
pub enum SseSessionEvent {
    /// A request is about to be sent (`attempt` 0 is the first; later ones are reconnects).
    Connecting {
        t: Nanos,
        attempt: u32,
        url: String,
        /// The `Last-Event-ID` header sent with this request, if any.
        last_event_id: Option<String>,
    },
    /// The server accepted: a 2xx `text/event-stream` response (or the 204 that ends everything).
    Open { t: Nanos, info: Box<OpenInfo> },
    /// A dispatched event.
    Event {
        t: Nanos,
        /// `message` unless the event named another type.
        event_type: String,
        /// The last event ID after this event (its own `id` or an inherited one); empty for none.
        id: String,
        data: String,
        /// The `retry` field in this event, in milliseconds.
        retry: Option<u64>,
    },
    /// A comment line (the text after `:`).
    Comment { t: Nanos, text: String },
    /// The response body ended: the server finished it, the connection broke, or it timed out.
    /// `discarded`: an unfinished event was thrown away (it is never dispatched).
    Closed { t: Nanos, discarded: bool },
    /// The next request starts after `delay`.
    Reconnecting {
        t: Nanos,
        attempt: u32,
        delay: Duration,
    },
    Error {
        t: Nanos,
        error: Box<SseClientError>,
    },
    /// The subscription is over; no event follows.
    Ended { t: Nanos, reason: SseEndReason },
}

impl SseSessionEvent {
    pub fn t(&self) -> Nanos {
        match self {
            SseSessionEvent::Connecting { t, .. }
            | SseSessionEvent::Open { t, .. }
            | SseSessionEvent::Event { t, .. }
            | SseSessionEvent::Comment { t, .. }
            | SseSessionEvent::Closed { t, .. }
            | SseSessionEvent::Reconnecting { t, .. }
            | SseSessionEvent::Error { t, .. }
            | SseSessionEvent::Ended { t, .. } => *t,
        }
    }
}

/// A running subscription: unsubscribe with [`SseControl`], read event batches here. It runs until
/// it ends by itself, is closed, or this handle (the event receiver) is dropped.
pub struct SseHandle {
    control: SseControl,
    events: mpsc::Receiver<Vec<SseSessionEvent>>,
    started: Instant,
    started_wall: SystemTime,
}

/// The command side of a subscription; cheap to clone. Dropping it does not end the subscription.
#[derive(Clone)]
pub struct SseControl {
    tx: mpsc::Sender<SseCommand>,
}

impl SseControl {
    pub async fn command(&self, cmd: SseCommand) -> Result<(), SseClientError> {
        self.tx
            .send(cmd)
            .await
            .map_err(|_| SseClientError::SessionEnded)
    }

    /// Unsubscribes: the stream is closed and the subscription ends without reconnecting.
    pub async fn close(&self) -> Result<(), SseClientError> {
        self.command(SseCommand::Close).await
    }
}

impl SseHandle {
    /// Starts a subscription on the current tokio runtime. Connecting happens in the task.
    pub fn spawn(config: SseConfig) -> SseHandle {
        let (cmd_tx, cmd_rx) = mpsc::channel(16);
        let (ev_tx, ev_rx) = mpsc::channel(EVENT_BATCHES);
        let started = Instant::now();
        let sink = Sink {
            tx: ev_tx,
            batch: Vec::with_capacity(64),
            epoch: started,
        };
        tokio::spawn(run(config, cmd_rx, sink));
        SseHandle {
            control: SseControl { tx: cmd_tx },
            events: ev_rx,
            started,
            started_wall: SystemTime::now(),
        }
    }

    pub fn control(&self) -> SseControl {
        self.control.clone()
    }

    /// The next batch of events, in order; `None` after [`SseSessionEvent::Ended`].
    pub async fn next_batch(&mut self) -> Option<Vec<SseSessionEvent>> {
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
    pub fn into_parts(self) -> (SseControl, mpsc::Receiver<Vec<SseSessionEvent>>) {
        (self.control, self.events)
    }
}

/// The wait before reconnect number `attempt` (1-based, counting failures since the last
/// connection that delivered an event). The first wait is exactly the reconnection time (the
/// server's `retry`, else the policy's base delay), as an `EventSource` waits; repeated failures
/// back off exponentially with jitter, capped at the policy's max delay (or the server's `retry`
/// when that is longer).
pub fn reconnect_delay(
    policy: &ReconnectPolicy,
    server_retry: Option<u64>,
    attempt: u32,
    rng: &mut impl Rng,
) -> Duration {
    let base = server_retry
        .map(Duration::from_millis)
        .unwrap_or(policy.base_delay);
    if attempt <= 1 {
        return base;
    }
    let backoff = ReconnectPolicy {
        base_delay: base,
        max_delay: policy.max_delay.max(base),
        max_retries: policy.max_retries,
    };
    backoff.delay(attempt, rng).max(base)
}

/// Batches events and hands them to the consumer.
struct Sink {
    tx: mpsc::Sender<Vec<SseSessionEvent>>,
    batch: Vec<SseSessionEvent>,
    epoch: Instant,
}

/// The consumer dropped the handle: nobody listens, so the subscription stops.
struct ConsumerGone;

impl Sink {
    fn now(&self) -> Nanos {
        self.epoch.elapsed().as_nanos() as Nanos
    }

    fn push(&mut self, ev: SseSessionEvent) {
        self.batch.push(ev);
    }

    fn error(&mut self, error: SseClientError) {
        let t = self.now();
        self.push(SseSessionEvent::Error {
            t,
            error: Box::new(error),
        });
    }

    async fn flush(&mut self) -> Result<(), ConsumerGone> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(64));
        self.tx.send(batch).await.map_err(|_| ConsumerGone)
    }
}

/// The task's state.
struct State {
    commands: mpsc::Receiver<SseCommand>,
    commands_open: bool,
    sink: Sink,
    parser: SseParser,
    items: Vec<SseItem>,
}

/// How one connection ended.
enum Outcome {
    /// The user unsubscribed.
    Unsubscribed,
    /// The stream ended; `failure` is `Some(transient)` when it broke (the error is reported).
    /// `delivered`: events dispatched on it.
    Ended {
        failure: Option<bool>,
        delivered: u64,
    },
}

async fn run(cfg: SseConfig, commands: mpsc::Receiver<SseCommand>, sink: Sink) {
    let mut parser = SseParser::new().with_max_event_size(cfg.max_event_size);
    if let Some(id) = &cfg.last_event_id {
        parser.set_last_event_id(id.clone());
    }
    let mut st = State {
        commands,
        commands_open: true,
        sink,
        parser,
        items: Vec::with_capacity(256),
    };
    let reason = match subscribe(&cfg, &mut st).await {
        Ok(reason) => reason,
        Err(ConsumerGone) => {
            tracing::debug!("sse: the consumer went away; subscription stopped");
            return;
        }
    };
    tracing::debug!(reason = reason.as_str(), "sse: subscription ended");
    let t = st.sink.now();
    st.sink.push(SseSessionEvent::Ended { t, reason });
    let _ = st.sink.flush().await;
}

async fn subscribe(cfg: &SseConfig, st: &mut State) -> Result<SseEndReason, ConsumerGone> {
    let prepared = match Prepared::new(cfg) {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(code = e.code(), "sse: subscription not started");
            st.sink.error(e);
            return Ok(SseEndReason::Failed);
        }
    };
    let runner = match auth_runner(cfg) {
        Ok(r) => r,
        Err(e) => {
            st.sink.error(SseClientError::Auth(e));
            return Ok(SseEndReason::Failed);
        }
    };
    // Logs name the origin only: the path and query may carry secrets the engine does not know.
    let origin = crate::auth::loggable_origin(prepared.url().as_str());
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    let mut connection: u32 = 0;
    // Failures since the last connection that delivered an event.
    let mut failures: u32 = 0;
    // Why the newest request failed before opening, for the give-up error.
    let mut last_failure = String::new();
    loop {
        let last_id = st.parser.last_event_id().to_string();
        // The auth prepare step runs before every request: a fresh login and ticket each time.
        let auth = match &runner {
            None => Ok(crate::auth::Prepared::default()),
            Some(r) => tokio::select! {
                p = r.prepare() => p,
                () = wait_close(&mut st.commands, &mut st.commands_open) => {
                    return Ok(SseEndReason::Unsubscribed)
                }
                () = st.sink.tx.closed() => return Err(ConsumerGone),
            },
        };
        let t = st.sink.now();
        let shown_url = match &auth {
            Ok(a) => crate::auth::redact(prepared.url_with(a).as_str(), &a.secrets),
            Err(_) => prepared.url().to_string(),
        };
        st.sink.push(SseSessionEvent::Connecting {
            t,
            attempt: connection,
            url: shown_url,
            last_event_id: (!last_id.is_empty()).then(|| last_id.clone()),
        });
        st.sink.flush().await?;
        tracing::debug!(%origin, attempt = connection, "sse: connecting");
        connection += 1;
        let opened = match auth {
            Err(e) => Err(SseClientError::Auth(e)),
            Ok(auth) => tokio::select! {
                r = prepared.open_with(&last_id, &auth) => match r {
                    Ok(Opened::Stream(resp, mut info)) => {
                        info.url = crate::auth::redact(&info.url, &auth.secrets);
                        Ok(Opened::Stream(resp, info))
                    }
                    Ok(Opened::NoContent(mut info)) => {
                        info.url = crate::auth::redact(&info.url, &auth.secrets);
                        Ok(Opened::NoContent(info))
                    }
                    Err(e) => Err(e.redacted(&auth.secrets)),
                },
                () = wait_close(&mut st.commands, &mut st.commands_open) => {
                    return Ok(SseEndReason::Unsubscribed)
                }
                () = st.sink.tx.closed() => return Err(ConsumerGone),
            },
        };
        // `None`: the stream ended well; `Some(transient)`: an error (already reported).
        let failure = match opened {
            Ok(Opened::NoContent(info)) => {
                tracing::info!(%origin, "sse: 204 No Content, stopping");
                let t = st.sink.now();
                st.sink.push(SseSessionEvent::Open {
                    t,
                    info: Box::new(info),
                });
                return Ok(SseEndReason::NoContent);
            }
            Ok(Opened::Stream(response, info)) => {
                tracing::info!(%origin, "sse: open");
                last_failure.clear();
                let t = st.sink.now();
                st.sink.push(SseSessionEvent::Open {
                    t,
                    info: Box::new(info),
                });
                match read_stream(cfg, st, response).await? {
                    Outcome::Unsubscribed => return Ok(SseEndReason::Unsubscribed),
                    Outcome::Ended { failure, delivered } => {
                        tracing::info!(%origin, delivered, broken = failure.is_some(), "sse: stream ended");
                        if delivered > 0 {
                            failures = 0;
                        }
                        failure
                    }
                }
            }
            Err(e) => {
                let transient = e.is_transient();
                // The code only: error texts may quote URLs or response bodies.
                tracing::info!(%origin, code = e.code(), transient, "sse: request failed");
                last_failure = format!("; the last failed: {e}");
                st.sink.error(e);
                Some(transient)
            }
        };
        let Some(policy) = &cfg.reconnect else {
            return Ok(match failure {
                None => SseEndReason::StreamClosed,
                Some(_) => SseEndReason::Failed,
            });
        };
        if failure == Some(false) {
            return Ok(SseEndReason::Failed);
        }
        failures += 1;
        if !policy.allows(failures) {
            tracing::info!(%origin, attempts = failures - 1, "sse: gave up reconnecting");
            st.sink.error(SseClientError::GaveUp {
                attempts: failures - 1,
                last: std::mem::take(&mut last_failure),
            });
            return Ok(SseEndReason::Failed);
        }
        let delay = reconnect_delay(policy, st.parser.retry(), failures, &mut rng);
        tracing::info!(%origin, attempt = connection, delay_ms = delay.as_millis() as u64, "sse: reconnecting");
        let t = st.sink.now();
        st.sink.push(SseSessionEvent::Reconnecting {
            t,
            attempt: connection,
            delay,
        });
        st.sink.flush().await?;
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            () = wait_close(&mut st.commands, &mut st.commands_open) => {
                return Ok(SseEndReason::Unsubscribed)
            }
            () = st.sink.tx.closed() => return Err(ConsumerGone),
        }
    }
}

/// The auth runner for a subscription's auth settings (`None` without auth); its HTTP calls use
/// the subscription's TLS options and proxy.
fn auth_runner(cfg: &SseConfig) -> Result<Option<crate::auth::AuthRunner>, crate::auth::AuthError> {
    let Some(auth) = cfg.auth.clone().filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    auth.check_http_only()?;
    let transport = crate::auth::AuthTransport {
        tls: cfg.tls.clone(),
        proxy: cfg.proxy.clone(),
        timeout: cfg.response_timeout,
    };
    crate::auth::AuthRunner::with_transport(auth, &transport).map(Some)
}

/// Resolves when the user unsubscribes; never otherwise (dropped controls are remembered and
/// then ignored: they do not end the subscription).
async fn wait_close(commands: &mut mpsc::Receiver<SseCommand>, open: &mut bool) {
    while *open {
        match commands.recv().await {
            Some(SseCommand::Close) => return,
            None => *open = false,
        }
    }
    std::future::pending::<()>().await;
}

/// Reads one response body to its end, dispatching events as chunks arrive.
async fn read_stream(
    cfg: &SseConfig,
    st: &mut State,
    mut response: reqwest::Response,
) -> Result<Outcome, ConsumerGone> {
    let mut delivered = 0u64;
    st.sink.flush().await?;
    let error = loop {
        let chunk = tokio::select! {
            biased;
            () = wait_close(&mut st.commands, &mut st.commands_open) => {
                return Ok(Outcome::Unsubscribed)
            }
            // Nobody listens any more: stop waiting for a server that may stay silent.
            () = st.sink.tx.closed() => return Err(ConsumerGone),
            r = read_chunk(&mut response, cfg.read_timeout) => r,
        };
        let mut next = chunk;
        let mut taken = 0;
        let failed = loop {
            match next {
                Ok(Some(bytes)) => {
                    if let Err(e) = feed(st, &bytes, &mut delivered) {
                        break Some(Some(e));
                    }
                }
                Ok(None) => break Some(None),
                Err(e) => break Some(Some(e)),
            }
            taken += 1;
            if taken >= MAX_CHUNKS_PER_BATCH {
                break None;
            }
            match response.chunk().now_or_never() {
                Some(r) => next = r.map_err(body_error),
                None => break None,
            }
        };
        if let Some(end) = failed {
            break end;
        }
        st.sink.flush().await?;
    };
    let failure = error.map(|e| {
        let transient = e.is_transient();
        st.sink.error(e);
        transient
    });
    let discarded = st.parser.finish();
    let t = st.sink.now();
    st.sink.push(SseSessionEvent::Closed { t, discarded });
    Ok(Outcome::Ended { failure, delivered })
}

async fn read_chunk(
    response: &mut reqwest::Response,
    read_timeout: Option<Duration>,
) -> Result<Option<bytes::Bytes>, SseClientError> {
    match read_timeout {
        None => response.chunk().await.map_err(body_error),
        Some(d) => match tokio::time::timeout(d, response.chunk()).await {
            Ok(r) => r.map_err(body_error),
            Err(_) => Err(SseClientError::Timeout {
                stage: "waiting for data on the event stream (the server sent nothing, not even a comment)".into(),
                after: d,
            }),
        },
    }
}

fn body_error(e: reqwest::Error) -> SseClientError {
    SseClientError::Io(error_chain(&e))
}

/// Parses one chunk and queues what it completes. A parser error ends the connection.
fn feed(st: &mut State, bytes: &[u8], delivered: &mut u64) -> Result<(), SseClientError> {
    let result = st.parser.feed(bytes, &mut st.items);
    let t = st.sink.now();
    for item in st.items.drain(..) {
        st.sink.batch.push(match item {
            SseItem::Event(ev) => {
                *delivered += 1;
                SseSessionEvent::Event {
                    t,
                    event_type: ev.event_type,
                    id: ev.id,
                    data: ev.data,
                    retry: ev.retry,
                }
            }
            SseItem::Comment(text) => SseSessionEvent::Comment { t, text },
        });
    }
    result.map_err(SseClientError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn first_reconnect_waits_the_retry_then_backs_off() {
        let policy = ReconnectPolicy {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
            max_retries: None,
        };
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            reconnect_delay(&policy, Some(250), 1, &mut rng),
            Duration::from_millis(250)
        );
        assert_eq!(
            reconnect_delay(&policy, None, 1, &mut rng),
            Duration::from_millis(500)
        );
        for _ in 0..50 {
            let d = reconnect_delay(&policy, Some(250), 3, &mut rng);
            assert!(
                d >= Duration::from_millis(500) && d <= Duration::from_millis(1000),
                "{d:?}"
            );
            let d = reconnect_delay(&policy, Some(250), 30, &mut rng);
            assert!(
                d >= Duration::from_secs(2) && d <= Duration::from_secs(4),
                "{d:?}"
            );
        }
        // A server's retry longer than the cap is still honoured.
        assert_eq!(
            reconnect_delay(&policy, Some(10_000), 5, &mut rng),
            Duration::from_secs(10)
        );
    }
}
