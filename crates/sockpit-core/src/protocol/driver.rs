//! The driver task: one per layered session. It owns the [`ProtocolLayer`] and the session's
//! handle, and runs beside the socket's task, never inside it, so a slow layer never stalls reads.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;

use super::{LayerOutput, ProtocolError, ProtocolLayer};
use crate::ws::{
    ConnectConfig, Nanos, SessionCommand, SessionControl, SessionEvent, SessionHandle,
};

/// Intents waiting for the driver at most; a full queue makes `LayerControl::intent` wait.
const INTENT_QUEUE: usize = 256;
/// Batches waiting for the consumer at most; a lagging consumer slows the driver, then the socket.
const BATCH_QUEUE: usize = 64;

/// What a layered session reports: every session event (the wire view), and the layer's own.
#[derive(Debug)]
pub enum LayerEvent<E> {
    Session(SessionEvent),
    Protocol { t: Nanos, event: E },
    Error { t: Nanos, error: ProtocolError },
}

/// Sends intents and commands to a layered session.
pub struct LayerControl<I> {
    intents: mpsc::Sender<I>,
    session: SessionControl,
    close_as: CloseAs,
}

/// The close code and reason the layer's own closes use instead of its own, once set.
type CloseAs = Arc<Mutex<Option<(u16, String)>>>;

impl<I> Clone for LayerControl<I> {
    fn clone(&self) -> Self {
        LayerControl {
            intents: self.intents.clone(),
            session: self.session.clone(),
            close_as: self.close_as.clone(),
        }
    }
}

impl<I: Send + 'static> LayerControl<I> {
    /// Hands `intent` to the layer; `false` when the session is over.
    pub async fn intent(&self, intent: I) -> bool {
        self.intents.send(intent).await.is_ok()
    }

    /// The underlying session (raw sends, pings, close).
    pub fn session(&self) -> &SessionControl {
        &self.session
    }

    /// Closes the connection cleanly; the session ends.
    pub async fn close(&self, code: u16, reason: impl Into<String>) {
        let _ = self.session.close(code, reason).await;
    }

    /// From now on, the layer's own closes (after its goodbye: a DISCONNECT's receipt, ...) use
    /// `code` and `reason` instead of its own (1000): a face ending for a reason of its own (1001
    /// "going away" on SIGTERM) still lets the protocol say goodbye first.
    pub fn close_as(&self, code: u16, reason: impl Into<String>) {
        *self.close_as.lock().unwrap_or_else(|e| e.into_inner()) = Some((code, reason.into()));
    }
}

/// A running layered session: batches of [`LayerEvent`]s, and its control.
pub struct LayerHandle<L: ProtocolLayer> {
    control: LayerControl<L::Intent>,
    batches: mpsc::Receiver<Vec<LayerEvent<L::Event>>>,
}

impl<L: ProtocolLayer> LayerHandle<L> {
    pub fn control(&self) -> LayerControl<L::Intent> {
        self.control.clone()
    }

    /// The next batch, in order; `None` once the session has ended and every event was read.
    pub async fn next_batch(&mut self) -> Option<Vec<LayerEvent<L::Event>>> {
        self.batches.recv().await
    }
}

/// Starts `layer` on a new session to `config` (the layer's subprotocols are offered first, before
/// any the config names), on the current tokio runtime.
pub fn spawn<L: ProtocolLayer>(layer: L, mut config: ConnectConfig) -> LayerHandle<L> {
    let mut protocols = layer.subprotocols();
    for p in std::mem::take(&mut config.subprotocols) {
        if !protocols.contains(&p) {
            protocols.push(p);
        }
    }
    config.subprotocols = protocols;
    let session = SessionHandle::spawn(config);
    let (intent_tx, intent_rx) = mpsc::channel(INTENT_QUEUE);
    let (batch_tx, batch_rx) = mpsc::channel(BATCH_QUEUE);
    let close_as = CloseAs::default();
    let control = LayerControl {
        intents: intent_tx,
        session: session.control(),
        close_as: close_as.clone(),
    };
    tokio::spawn(drive(layer, session, intent_rx, batch_tx, close_as));
    LayerHandle {
        control,
        batches: batch_rx,
    }
}

/// Nanoseconds since `started`, on the session's clock.
fn since(started: Instant, now: Instant) -> Nanos {
    now.saturating_duration_since(started)
        .as_nanos()
        .min(u64::MAX as u128) as Nanos
}

async fn drive<L: ProtocolLayer>(
    mut layer: L,
    mut session: SessionHandle,
    mut intents: mpsc::Receiver<L::Intent>,
    batches: mpsc::Sender<Vec<LayerEvent<L::Event>>>,
    close_as: CloseAs,
) {
    let control = session.control();
    let started = session.started();
    let mut intents_open = true;
    loop {
        let deadline = layer.next_deadline();
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        let mut out = LayerOutput::default();
        let mut batch: Vec<LayerEvent<L::Event>> = Vec::new();
        let mut ended = false;
        tokio::select! {
            b = session.next_batch() => {
                let Some(events) = b else { break };
                // Room for each event and about one decoded event each, so a full batch grows
                // its Vec once, not by doubling.
                batch.reserve(2 * events.len());
                // One clock reading per batch, not per event: a batch is taken in well under a
                // millisecond, and its decoded events share the time it was handled.
                let now = Instant::now();
                let t = since(started, now);
                for ev in events {
                    layer.on_session(&ev, now, &mut out);
                    match &ev {
                        SessionEvent::Open { report, .. } => layer.on_open(report, now, &mut out),
                        SessionEvent::Message { dir: crate::ws::Direction::In, kind, data, .. } => {
                            layer.on_message(*kind, data, now, &mut out)
                        }
                        SessionEvent::Close { .. } | SessionEvent::Reconnecting { .. } => {
                            layer.on_close(now, &mut out)
                        }
                        SessionEvent::Ended { .. } => ended = true,
                        _ => {}
                    }
                    batch.push(LayerEvent::Session(ev));
                    collect(&mut out, &mut batch, t);
                }
            }
            i = intents.recv(), if intents_open => match i {
                Some(intent) => {
                    let now = Instant::now();
                    layer.on_intent(intent, now, &mut out);
                    collect(&mut out, &mut batch, since(started, now));
                }
                None => intents_open = false,
            },
            _ = sleep => {
                let now = Instant::now();
                layer.on_timer(now, &mut out);
                collect(&mut out, &mut batch, since(started, now));
            }
        }
        for msg in std::mem::take(&mut out.send) {
            if control.command(SessionCommand::Send(msg)).await.is_err() {
                break;
            }
        }
        if let Some(reason) = out.drop.take() {
            let _ = control.command(SessionCommand::Drop { reason }).await;
        }
        if let Some(own) = out.close.take() {
            let set = close_as.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let (code, reason) = set.unwrap_or(own);
            let _ = control.close(code, reason).await;
        }
        if !batch.is_empty() && batches.send(batch).await.is_err() {
            return; // nobody listens; dropping the session handle ends the session
        }
        if ended {
            break;
        }
    }
}

/// Moves what the layer produced (besides frames to send) into the batch, stamped `t`.
fn collect<E>(out: &mut LayerOutput<E>, batch: &mut Vec<LayerEvent<E>>, t: Nanos) {
    batch.extend(
        out.events
            .drain(..)
            .map(|event| LayerEvent::Protocol { t, event }),
    );
    batch.extend(
        out.errors
            .drain(..)
            .map(|error| LayerEvent::Error { t, error }),
    );
}
