//! One virtual user: a task that opens one WebSocket session, runs the scenario's steps over it and
//! records what happened in the run's shared [`Stats`]; the session task owns the socket.

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::scenario::{Arrival, Expect, Scenario, Step, Target};
use super::stats::Stats;
use super::stopped;
use crate::ws::{
    ConnectConfig, Direction, Nanos, SessionCommand, SessionControl, SessionEvent, SessionHandle,
};

/// How long a user waits for the server's answer to its close frame.
pub(super) const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Why a wait on the session ended.
pub(super) enum Wait {
    /// The awaited message arrived (or, while connecting, the connection opened).
    Matched,
    Deadline,
    /// The session is over (the server closed, or the connection died).
    Ended,
    Stopped,
}

/// A user's live connection as [`wait`] sees it: WebSocket and SSE users alike.
pub(super) trait Feed {
    type Event;
    fn events(&mut self) -> &mut mpsc::Receiver<Vec<Self::Event>>;
    /// Takes in one batch: counts, drops, the open, and whether `expect` matched.
    fn absorb(&mut self, batch: Vec<Self::Event>, expect: Option<&Expect>) -> bool;
    fn stop(&self) -> watch::Receiver<bool>;
    fn open(&self) -> bool;
    fn ended(&self) -> bool;
    /// The event stream is gone: the connection is over.
    fn gone(&mut self);
}

/// Reads events until `expect` matches (without one, while not yet open: until the open),
/// `until`, the connection's end or a stop (unless `ignore_stop`).
pub(super) async fn wait<F: Feed>(
    live: &mut F,
    until: Instant,
    expect: Option<&Expect>,
    ignore_stop: bool,
) -> Wait {
    let connecting = !live.open();
    if live.ended() {
        return Wait::Ended;
    }
    let deadline = tokio::time::sleep_until(until);
    tokio::pin!(deadline);
    let mut stop = live.stop();
    loop {
        tokio::select! {
            batch = live.events().recv() => {
                let Some(batch) = batch else {
                    live.gone();
                    return Wait::Ended;
                };
                let matched = live.absorb(batch, expect);
                if matched || (connecting && live.open() && expect.is_none()) {
                    return Wait::Matched;
                }
                if live.ended() {
                    return Wait::Ended;
                }
            }
            _ = &mut deadline => return Wait::Deadline,
            _ = stopped(&mut stop), if !ignore_stop => return Wait::Stopped,
        }
    }
}

pub(super) struct Vu {
    pub(super) id: u64,
    pub(super) scenario: Arc<Scenario>,
    pub(super) stats: Arc<Stats>,
    /// The end of the run.
    pub(super) end: Instant,
    pub(super) stop: watch::Receiver<bool>,
    /// One of the spike phase's users: holds its connection to the end whatever the arrival.
    pub(super) spike: bool,
}

/// A user's live session.
struct Live {
    control: SessionControl,
    events: mpsc::Receiver<Vec<SessionEvent>>,
    stats: Arc<Stats>,
    stop: watch::Receiver<bool>,
    open: bool,
    ended: bool,
    we_closed: bool,
    /// When the last message went out (session clock), for round trips.
    last_out: Option<Nanos>,
}

impl Feed for Live {
    type Event = SessionEvent;

    fn events(&mut self) -> &mut mpsc::Receiver<Vec<SessionEvent>> {
        &mut self.events
    }

    fn stop(&self) -> watch::Receiver<bool> {
        self.stop.clone()
    }

    fn open(&self) -> bool {
        self.open
    }

    fn ended(&self) -> bool {
        self.ended
    }

    fn gone(&mut self) {
        if self.open && !self.ended {
            self.stats.closed();
        }
        self.ended = true;
    }

    fn absorb(&mut self, batch: Vec<SessionEvent>, expect: Option<&Expect>) -> bool {
        let mut matched = false;
        for ev in batch {
            match ev {
                SessionEvent::Open { t, report } => {
                    self.open = true;
                    self.stats
                        .opened(Duration::from_nanos(t), Some(report.handshake));
                }
                SessionEvent::Message {
                    t,
                    dir: Direction::Out,
                    data,
                    ..
                } => {
                    self.stats.sent(data.len());
                    self.last_out = Some(t);
                }
                SessionEvent::Message {
                    t,
                    dir: Direction::In,
                    data,
                    ..
                } => {
                    self.stats.received(data.len());
                    if let (Some(e), false) = (expect, matched) {
                        let hit = match std::str::from_utf8(&data) {
                            Ok(text) => e.matches(text),
                            Err(_) => e.matches(&hex::encode(&data)),
                        };
                        if hit {
                            matched = true;
                            let rtt = self
                                .last_out
                                .map(|o| Duration::from_nanos(t.saturating_sub(o)));
                            self.stats.matched(rtt);
                        }
                    }
                }
                SessionEvent::Close {
                    dir: Direction::In,
                    code,
                    ..
                } if self.open && !self.we_closed => {
                    self.stats.dropped(code);
                    // Counted once: whatever follows is the end of this connection.
                    self.we_closed = true;
                }
                SessionEvent::Error { error, .. } if !self.open => {
                    self.stats.failed(error.code());
                }
                SessionEvent::Ended { .. } => {
                    if self.open {
                        self.stats.closed();
                    }
                    self.ended = true;
                }
                _ => {}
            }
        }
        matched
    }
}

impl Live {
    async fn wait(&mut self, until: Instant, expect: Option<&Expect>, ignore_stop: bool) -> Wait {
        wait(self, until, expect, ignore_stop).await
    }

    /// Closes with `code` and waits (boundedly) for the session to end. `pending` is an expect the
    /// run stopped in: its answer may still arrive before the server's close, and counts as matched.
    async fn close(&mut self, code: u16, mut pending: Option<&Expect>) {
        if self.ended {
            return;
        }
        self.we_closed = true;
        if self.control.close(code, "").await.is_ok() {
            let until = Instant::now() + CLOSE_GRACE;
            while let Wait::Matched = self.wait(until, pending.take(), true).await {}
        }
        if !self.ended && self.open {
            // Gave up waiting: the session stops once its handles are dropped.
            self.stats.closed();
            self.ended = true;
        }
    }
}

impl Vu {
    pub(super) async fn run(self) {
        match self.scenario.target.clone() {
            Target::Ws(cfg) => self.run_ws(cfg).await,
            Target::Sse(cfg) => super::sse_vu::run(self, cfg).await,
        }
    }

    async fn run_ws(self, cfg: ConnectConfig) {
        let sc = &self.scenario;
        let (control, events) = SessionHandle::spawn(cfg).into_parts();
        let mut live = Live {
            control,
            events,
            stats: self.stats.clone(),
            stop: self.stop.clone(),
            open: false,
            ended: false,
            we_closed: false,
            last_out: None,
        };
        // Connect: the first batches carry `Connecting`, then `Open` or an error.
        while !live.open {
            match live.wait(self.end, None, false).await {
                Wait::Matched => {}
                Wait::Ended => return,
                Wait::Deadline | Wait::Stopped => {
                    live.close(sc.close_code, None).await;
                    return;
                }
            }
            if !live.open && live.ended {
                return;
            }
        }
        let mut rng = rand::rngs::SmallRng::from_os_rng();
        let loops = if self.spike {
            sc.loops.unwrap_or(u64::MAX)
        } else {
            sc.loops_per_user()
        };
        let mut iteration = 0u64;
        let mut pending = None;
        'run: while iteration < loops && Instant::now() < self.end {
            for (i, step) in sc.steps.iter().enumerate() {
                match step {
                    Step::Send(t) => {
                        if live
                            .control
                            .send_text(t.render(self.id, iteration))
                            .await
                            .is_err()
                        {
                            break 'run;
                        }
                    }
                    Step::SendMessage(m) => {
                        let cmd = SessionCommand::Send(m.clone());
                        if live.control.command(cmd).await.is_err() {
                            break 'run;
                        }
                    }
                    Step::Think(t) => {
                        let until = (Instant::now() + t.pick(&mut rng)).min(self.end);
                        match live.wait(until, None, false).await {
                            Wait::Deadline | Wait::Matched => {}
                            Wait::Ended | Wait::Stopped => break 'run,
                        }
                    }
                    Step::Expect(e) => {
                        let until = (Instant::now() + sc.expect_timeout).min(self.end);
                        match live.wait(until, Some(e), false).await {
                            Wait::Matched => {}
                            Wait::Deadline if Instant::now() >= self.end => {
                                pending = Some(e);
                                break 'run;
                            }
                            Wait::Deadline => self.stats.timed_out(),
                            Wait::Stopped => {
                                pending = Some(e);
                                break 'run;
                            }
                            Wait::Ended => break 'run,
                        }
                    }
                }
                // A send's expect still runs at the end: it stops at once and leaves its answer
                // pending for the close, so an echo of the last send counts as matched.
                let expect_follows = matches!(step, Step::Send(_) | Step::SendMessage(_))
                    && matches!(sc.steps.get(i + 1), Some(Step::Expect(_)));
                if Instant::now() >= self.end && !expect_follows {
                    break 'run;
                }
            }
            iteration += 1;
            if sc.steps.is_empty() {
                break;
            }
        }
        // A user of a VU run (or of the spike) holds its connection to the end; an arrival
        // leaves when done.
        // An expect the run stopped in still counts its answer when it comes while holding.
        if self.spike || (matches!(sc.arrival, Arrival::Vus(_)) && sc.duration.is_some()) {
            while let Wait::Matched = live.wait(self.end, pending, false).await {
                pending = None;
            }
        }
        live.close(sc.close_code, pending).await;
    }
}
