//! One virtual user of an SSE target: a task that opens one subscription (`sse::SseHandle`, whose
//! task owns the stream), counts its events, runs the think and expect steps (expects match an
//! event's data) and records connects, failures and streams the server ended as drops.

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::scenario::{Arrival, Expect, Step};
use super::stats::Stats;
use super::vu::{wait, Feed, Vu, Wait, CLOSE_GRACE};
use crate::sse::{SseConfig, SseControl, SseHandle, SseSessionEvent};

/// A user's live subscription.
struct Live {
    control: SseControl,
    events: mpsc::Receiver<Vec<SseSessionEvent>>,
    stats: Arc<Stats>,
    stop: watch::Receiver<bool>,
    open: bool,
    ended: bool,
    we_closed: bool,
    /// When the request went out (subscription clock): connect time runs from here to the open.
    connecting_at: u64,
}

impl Feed for Live {
    type Event = SseSessionEvent;

    fn events(&mut self) -> &mut mpsc::Receiver<Vec<SseSessionEvent>> {
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

    /// Counts, the open, drops, and whether `expect` matched an event's data.
    fn absorb(&mut self, batch: Vec<SseSessionEvent>, expect: Option<&Expect>) -> bool {
        let mut matched = false;
        for ev in batch {
            match ev {
                SseSessionEvent::Connecting { t, .. } => self.connecting_at = t,
                SseSessionEvent::Open { t, .. } if !self.open => {
                    self.open = true;
                    let connect = t.saturating_sub(self.connecting_at);
                    self.stats.opened(Duration::from_nanos(connect), None);
                }
                SseSessionEvent::Event { data, .. } => {
                    self.stats.received(data.len());
                    if let (Some(e), false) = (expect, matched) {
                        if e.matches(&data) {
                            matched = true;
                            // No send precedes an event: no round trip to record.
                            self.stats.matched(None);
                        }
                    }
                }
                SseSessionEvent::Closed { .. } if self.open && !self.we_closed => {
                    self.stats.dropped_as("stream_closed".into());
                    self.we_closed = true;
                }
                SseSessionEvent::Error { error, .. } if !self.open => {
                    self.stats.failed(error.code());
                }
                SseSessionEvent::Ended { .. } => {
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

    /// Unsubscribes and waits (boundedly) for the subscription to end.
    async fn close(&mut self) {
        if self.ended {
            return;
        }
        self.we_closed = true;
        if self.control.close().await.is_ok() {
            let until = Instant::now() + CLOSE_GRACE;
            while let Wait::Matched = self.wait(until, None, true).await {}
        }
        if !self.ended && self.open {
            self.stats.closed();
            self.ended = true;
        }
    }
}

/// Runs user `vu` against the SSE target `cfg`: connect, then its think and expect steps per
/// iteration (the scenario's check refused sends), then hold or leave as a WebSocket user does.
pub(super) async fn run(vu: Vu, cfg: SseConfig) {
    let sc = &vu.scenario;
    let (control, events) = SseHandle::spawn(cfg).into_parts();
    let mut live = Live {
        control,
        events,
        stats: vu.stats.clone(),
        stop: vu.stop.clone(),
        open: false,
        ended: false,
        we_closed: false,
        connecting_at: 0,
    };
    while !live.open {
        match live.wait(vu.end, None, false).await {
            Wait::Matched => {}
            Wait::Ended => return,
            Wait::Deadline | Wait::Stopped => {
                live.close().await;
                return;
            }
        }
    }
    let mut rng = rand::rngs::SmallRng::from_os_rng();
    let loops = if vu.spike {
        sc.loops.unwrap_or(u64::MAX)
    } else {
        sc.loops_per_user()
    };
    let mut iteration = 0u64;
    'run: while iteration < loops && Instant::now() < vu.end && !sc.steps.is_empty() {
        for step in &sc.steps {
            let (until, expect) = match step {
                Step::Think(t) => ((Instant::now() + t.pick(&mut rng)).min(vu.end), None),
                Step::Expect(e) => ((Instant::now() + sc.expect_timeout).min(vu.end), Some(e)),
                Step::Send(_) | Step::SendMessage(_) => continue,
            };
            match live.wait(until, expect, false).await {
                Wait::Matched => {}
                Wait::Deadline if expect.is_some() && Instant::now() < vu.end => {
                    vu.stats.timed_out()
                }
                Wait::Deadline if expect.is_none() => {}
                Wait::Deadline | Wait::Ended | Wait::Stopped => break 'run,
            }
        }
        iteration += 1;
    }
    // Held to the end like a WebSocket user; without steps or a duration, a user reads its
    // stream until the server ends it.
    let holds = sc.duration.is_some() || sc.steps.is_empty();
    if vu.spike || (matches!(sc.arrival, Arrival::Vus(_)) && holds) {
        let _ = live.wait(vu.end, None, false).await;
    }
    live.close().await;
}
