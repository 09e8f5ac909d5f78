//! The WebSocket-vs-SSE compare, live part: one task runs a WebSocket session and an SSE
//! subscription at once on one clock, aligns what arrives ([`super::compare::Aligner`]) and reports
//! items as they pair, then the unpaired ones and the summary.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::ws::event::{DataKind, Direction, Nanos, SessionEvent};
use crate::ws::{ConnectConfig, SessionHandle};

use super::client::SseConfig;
use super::compare::{
    sse_arrival, ws_arrival, Aligner, CompareItem, CompareSummary, KeyRule, Side,
};
use super::session::{SseEndReason, SseHandle, SseSessionEvent};

/// What to compare.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    pub ws: ConnectConfig,
    pub sse: SseConfig,
    pub key: KeyRule,
    /// Stop after this long; `None` runs until both sides end.
    pub duration: Option<Duration>,
}

/// What a compare reports, in order; [`CompareEvent::Summary`] is the last one.
#[derive(Debug, Clone)]
pub enum CompareEvent {
    /// A side's connection opened (`t`: nanoseconds since the compare started).
    Open {
        side: Side,
        t: Nanos,
    },
    Error {
        side: Side,
        t: Nanos,
        code: String,
        message: String,
    },
    /// A side is over; `failed` when it ended on an error.
    Ended {
        side: Side,
        t: Nanos,
        failed: bool,
    },
    /// A paired item as it completes, or (at the end) one that arrived on one side only.
    Item(Box<CompareItem>),
    Summary(CompareSummary),
}

/// A running compare: read event batches; dropping it stops the compare.
pub struct CompareHandle {
    events: mpsc::Receiver<Vec<CompareEvent>>,
    stop: mpsc::Sender<()>,
}

impl CompareHandle {
    /// Starts both sessions on the current tokio runtime.
    pub fn spawn(cfg: CompareConfig) -> CompareHandle {
        let (tx, events) = mpsc::channel(64);
        let (stop, stop_rx) = mpsc::channel(1);
        tokio::spawn(run(cfg, tx, stop_rx));
        CompareHandle { events, stop }
    }

    /// The next batch; `None` after the summary.
    pub async fn next_batch(&mut self) -> Option<Vec<CompareEvent>> {
        self.events.recv().await
    }

    /// Ends the compare early (both sessions are closed; the summary follows).
    pub async fn stop(&self) {
        let _ = self.stop.send(()).await;
    }
}

/// Per-side progress.
struct SideState {
    /// Offset of the side's own clock from the compare's start.
    offset: Nanos,
    received: u64,
    ended: bool,
    failed: bool,
}

async fn run(
    cfg: CompareConfig,
    tx: mpsc::Sender<Vec<CompareEvent>>,
    mut stop: mpsc::Receiver<()>,
) {
    let epoch = Instant::now();
    let ws = SessionHandle::spawn(cfg.ws.clone());
    let sse = SseHandle::spawn(cfg.sse.clone());
    let since = |i: Instant| i.saturating_duration_since(epoch).as_nanos() as Nanos;
    let mut ws_side = SideState {
        offset: since(ws.started()),
        received: 0,
        ended: false,
        failed: false,
    };
    let mut sse_side = SideState {
        offset: since(sse.started()),
        received: 0,
        ended: false,
        failed: false,
    };
    let (ws_control, mut ws_rx) = ws.into_parts();
    let (sse_control, mut sse_rx) = sse.into_parts();
    let mut aligner = Aligner::new();
    let deadline = cfg.duration.map(|d| tokio::time::Instant::now() + d);
    let mut stopping = false;
    let mut closed = false;
    while !(ws_side.ended && sse_side.ended) {
        let mut out = Vec::new();
        tokio::select! {
            batch = ws_rx.recv(), if !ws_side.ended => match batch {
                Some(b) => on_ws(&cfg.key, &mut ws_side, &mut aligner, b, &mut out),
                None => ws_side.ended = true,
            },
            batch = sse_rx.recv(), if !sse_side.ended => match batch {
                Some(b) => on_sse(&cfg.key, &mut sse_side, &mut aligner, b, &mut out),
                None => sse_side.ended = true,
            },
            _ = sleep_until(deadline), if !stopping => stopping = true,
            _ = stop.recv(), if !stopping => stopping = true,
        }
        if stopping && !closed {
            closed = true;
            // Close both; their remaining events still arrive and count.
            let _ = ws_control.close(1000, "compare done").await;
            let _ = sse_control.close().await;
        }
        if !out.is_empty() && tx.send(out).await.is_err() {
            return;
        }
    }
    let (unpaired, summary) = aligner.finish();
    let mut out: Vec<CompareEvent> = unpaired
        .into_iter()
        .map(|i| CompareEvent::Item(Box::new(i)))
        .collect();
    out.push(CompareEvent::Summary(summary));
    let _ = tx.send(out).await;
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

fn on_ws(
    rule: &KeyRule,
    side: &mut SideState,
    aligner: &mut Aligner,
    batch: Vec<SessionEvent>,
    out: &mut Vec<CompareEvent>,
) {
    for ev in batch {
        let t = side.offset + ev.t();
        match ev {
            SessionEvent::Open { .. } => {
                side.failed = false;
                out.push(CompareEvent::Open { side: Side::Ws, t });
            }
            SessionEvent::Message {
                dir: Direction::In,
                kind,
                data,
                ..
            } => {
                side.received += 1;
                let text = match kind {
                    DataKind::Text => String::from_utf8_lossy(&data).into_owned(),
                    DataKind::Binary => hex::encode(&data),
                };
                let arrival = ws_arrival(t, &text, side.received, rule);
                if let Some(item) = aligner.push(Side::Ws, arrival) {
                    out.push(CompareEvent::Item(Box::new(item)));
                }
            }
            SessionEvent::Error { error, .. } => {
                side.failed = true;
                out.push(CompareEvent::Error {
                    side: Side::Ws,
                    t,
                    code: error.code().into(),
                    message: error.to_string(),
                });
            }
            SessionEvent::Ended { .. } => {
                side.ended = true;
                out.push(CompareEvent::Ended {
                    side: Side::Ws,
                    t,
                    failed: side.failed,
                });
            }
            _ => {}
        }
    }
}

fn on_sse(
    rule: &KeyRule,
    side: &mut SideState,
    aligner: &mut Aligner,
    batch: Vec<SseSessionEvent>,
    out: &mut Vec<CompareEvent>,
) {
    for ev in batch {
        let t = side.offset + ev.t();
        match ev {
            SseSessionEvent::Open { .. } => out.push(CompareEvent::Open { side: Side::Sse, t }),
            SseSessionEvent::Event {
                event_type,
                id,
                data,
                ..
            } => {
                side.received += 1;
                let arrival = sse_arrival(t, &id, &event_type, &data, side.received, rule);
                if let Some(item) = aligner.push(Side::Sse, arrival) {
                    out.push(CompareEvent::Item(Box::new(item)));
                }
            }
            SseSessionEvent::Error { error, .. } => out.push(CompareEvent::Error {
                side: Side::Sse,
                t,
                code: error.code().into(),
                message: error.to_string(),
            }),
            SseSessionEvent::Ended { reason, .. } => {
                side.ended = true;
                out.push(CompareEvent::Ended {
                    side: Side::Sse,
                    t,
                    failed: reason == SseEndReason::Failed,
                });
            }
            _ => {}
        }
    }
}
