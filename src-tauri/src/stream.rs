//! Forwarders: one task per session moves engine event batches into the log and on to the UI's
//! Channel, coalesced so the UI gets at most one message every `FLUSH` however fast the socket is
//! (every `2 * FLUSH` while a flood fills whole batches, which halves the web view's parsing).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sockpit_core::app::{ScriptEvent, ScriptedBatch, ScriptedSession, SseSource, StreamBatch};
use sockpit_core::log::{Row, RowKind};
use sockpit_core::proto::PayloadCodec;
use sockpit_core::protocol::graphql::GraphqlLayer;
use sockpit_core::protocol::mqtt::{MqttLayer, Version as MqttVersion};
use sockpit_core::protocol::socketio::SocketIoHandle;
use sockpit_core::protocol::stomp::StompLayer;
use sockpit_core::protocol::LayerHandle;
use sockpit_core::sse::SseSessionEvent;
use sockpit_core::ws::{close_code_name, Direction, SessionEvent, SessionHandle};
use sockpit_core::SessionLog;
use tauri::ipc::Channel;

use crate::dto::{AppError, CloseDto, ConnState, Dir, RowDto, SseBatch, SseRow, SseState, WsBatch};
use crate::dto_layer::{gql_dto, mqtt_dto, sio_dto, split, stomp_dto, ProtoEventDto};
use crate::dto_script::ScriptTestDto;
use crate::inspect::{FrameLog, FrameRow, ProtoSetting};
use crate::state::lock;

/// How often pending events are handed to the UI.
pub const FLUSH: Duration = Duration::from_millis(16);
/// Rows sent with each batch: more than a tall log shows (the rest is read on demand).
pub const TAIL_ROWS: usize = 100;
/// Payload bytes shown in a row preview.
const PREVIEW: usize = 4096;

/// Converts a log row to what the list shows; with a protobuf codec, binary messages show as their
/// decoded JSON (hex when they do not decode).
pub fn row_dto(row: &Row<'_>, codec: Option<&PayloadCodec>) -> RowDto {
    let kind = match row.kind {
        RowKind::Text => "text",
        RowKind::Binary => "binary",
        RowKind::Ping => "ping",
        RowKind::Pong => "pong",
        RowKind::Close => "close",
        RowKind::Open => "open",
        RowKind::Connecting => "connecting",
        RowKind::Reconnecting => "reconnecting",
        RowKind::Queued => "queued",
        RowKind::Frame => "frame",
        RowKind::Error => "error",
        RowKind::Ended => "ended",
        RowKind::Script => "script",
    };
    let shown = &row.data[..row.data.len().min(PREVIEW)];
    let decoded = match (row.kind, codec) {
        (RowKind::Binary, Some(c)) if c.decodes() => c
            .decode_json_text(row.data, row.dir == Direction::Out)
            .ok()
            .map(|mut j| {
                let mut cut = j.len().min(PREVIEW);
                while !j.is_char_boundary(cut) {
                    cut -= 1;
                }
                j.truncate(cut);
                j
            }),
        _ => None,
    };
    let text = if let Some(j) = decoded {
        j
    } else if matches!(row.kind, RowKind::Binary | RowKind::Ping | RowKind::Pong) {
        hex::encode(shown)
    } else {
        String::from_utf8_lossy(shown).into_owned()
    };
    RowDto {
        index: row.index as u32,
        t_ms: row.t as f64 / 1e6,
        kind: kind.to_string(),
        dir: match row.dir {
            Direction::In => Dir::In,
            Direction::Out => Dir::Out,
        },
        code: row.code,
        code_name: if row.kind == RowKind::Close {
            close_code_name(row.code).to_string()
        } else {
            String::new()
        },
        size: row.data.len() as u32,
        text,
    }
}

/// What changed since the last flush, besides the rows themselves.
#[derive(Default)]
struct Pending {
    dirty: bool,
    state: Option<ConnState>,
    close: Option<CloseDto>,
    error: Option<AppError>,
    queued: Option<u32>,
    ended: bool,
    /// Row total at the last flush: only rows after it go out with the next batch.
    sent_total: usize,
    upgrade: Option<crate::dto_store::UpgradeDto>,
    /// Decoded protocol events not sent yet.
    proto: Vec<ProtoEventDto>,
    /// Script `test()` results not sent yet.
    tests: Vec<ScriptTestDto>,
    /// What became of scripts' `environment` variables, not sent yet.
    vars_saved: Vec<String>,
}

/// Where a forwarder's events come from: a plain session, or one with a protocol layer (whose
/// batches carry the session's events and the decoded ones).
pub enum Source {
    Ws(SessionHandle),
    Socketio(SocketIoHandle),
    Graphql(LayerHandle<GraphqlLayer>),
    Stomp(LayerHandle<StompLayer>),
    /// MQTT, with the version spoken (its reason codes are worded by it).
    Mqtt(LayerHandle<MqttLayer>, MqttVersion),
    /// A session (plain or layered) with its scripts beside it.
    Scripted(ScriptedSession),
}

/// One batch from a [`Source`]: the session's events (the wire view), the decoded events, and
/// what a script reported.
type Next = (Vec<SessionEvent>, Vec<ProtoEventDto>, Option<ScriptedBatch>);

impl Source {
    /// The next batch: the session's events (the wire view) and the decoded events.
    async fn next(&mut self) -> Option<Next> {
        let plain = |(events, decoded)| (events, decoded, None);
        match self {
            Source::Ws(h) => h.next_batch().await.map(|b| (b, Vec::new(), None)),
            Source::Socketio(h) => h.next_batch().await.map(|b| plain(split(b, sio_dto))),
            Source::Graphql(h) => h.next_batch().await.map(|b| plain(split(b, gql_dto))),
            Source::Stomp(h) => h.next_batch().await.map(|b| plain(split(b, stomp_dto))),
            Source::Mqtt(h, v) => {
                let v = *v;
                let rows = move |t, e: &_| mqtt_dto(v, t, e);
                h.next_batch().await.map(|b| plain(split(b, rows)))
            }
            Source::Scripted(s) => s.next_batch().await.map(|mut b| {
                let (events, decoded) = match std::mem::take(&mut b.events) {
                    StreamBatch::Ws(events) => (events, Vec::new()),
                    StreamBatch::Socketio(b) => split(b, sio_dto),
                    StreamBatch::Graphql(b) => split(b, gql_dto),
                    // An SSE subscription forwards through `forward_sse`.
                    StreamBatch::Sse(_) => (Vec::new(), Vec::new()),
                };
                (events, decoded, Some(b))
            }),
        }
    }
}

impl Pending {
    fn absorb(&mut self, ev: &SessionEvent) {
        self.dirty = true;
        match ev {
            SessionEvent::Connecting { attempt, .. } => {
                self.state = Some(if *attempt == 0 {
                    ConnState::Connecting
                } else {
                    ConnState::Reconnecting
                })
            }
            SessionEvent::Open { report, .. } => {
                self.state = Some(ConnState::Connected);
                self.upgrade = Some(crate::dto_store::UpgradeDto::from_report(report));
            }
            SessionEvent::Reconnecting { .. } => self.state = Some(ConnState::Reconnecting),
            SessionEvent::Close {
                code, reason, by, ..
            } => {
                self.close = Some(CloseDto {
                    code: *code,
                    name: close_code_name(*code).to_string(),
                    reason: reason.clone(),
                    by: by.as_str().to_string(),
                })
            }
            SessionEvent::Queued { queued, .. } => self.queued = Some(*queued as u32),
            SessionEvent::Error { error, .. } => {
                self.error = Some(AppError::new(error.code(), error.to_string()))
            }
            SessionEvent::Ended { .. } => {
                self.state = Some(ConnState::Disconnected);
                self.ended = true;
            }
            _ => {}
        }
    }
}

/// Runs until the session ends or the UI is gone, then waits for its history to be written;
/// `live` counts it meanwhile (the window's end waits for that).
pub async fn forward_ws(
    source: Source,
    log: Arc<Mutex<SessionLog>>,
    frames: Option<Arc<Mutex<FrameLog>>>,
    proto: Arc<Mutex<ProtoSetting>>,
    channel: Channel<WsBatch>,
    history: Option<sockpit_core::store::HistoryRecorder>,
    live: crate::state::LiveGuard,
) {
    forward_until_end(source, log, frames, proto, channel, history.as_ref()).await;
    if let Some(h) = history {
        // History is best effort: a failing write is logged, never shown.
        match tokio::task::spawn_blocking(move || h.finish()).await {
            Ok(Err(e)) => tracing::warn!("history not written to its end: {}", e.code()),
            Err(_) => tracing::warn!("the history flush stopped"),
            Ok(Ok(_)) => {}
        }
    }
    drop(live);
}

/// The forwarder's loop. Holds the log lock only while pushing or reading.
async fn forward_until_end(
    mut source: Source,
    log: Arc<Mutex<SessionLog>>,
    frames: Option<Arc<Mutex<FrameLog>>>,
    proto: Arc<Mutex<ProtoSetting>>,
    channel: Channel<WsBatch>,
    history: Option<&sockpit_core::store::HistoryRecorder>,
) {
    let out = Out {
        log: &log,
        frames: frames.as_deref(),
        proto: &proto,
        channel: &channel,
    };
    let mut pending = Pending::default();
    let mut tick = tokio::time::interval(FLUSH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut rest = false;
    loop {
        tokio::select! {
            batch = source.next() => {
                let Some((batch, decoded, scripted)) = batch else {
                    pending.state = Some(ConnState::Disconnected);
                    pending.ended = true;
                    pending.dirty = true;
                    let _ = flush(&mut pending, &out);
                    return;
                };
                if let Some(h) = history {
                    h.record_ws(&batch);
                }
                {
                    let mut l = lock(&log);
                    for ev in batch.iter().filter(|e| !matches!(e, SessionEvent::Frame { .. })) {
                        l.push(ev);
                    }
                    if let Some(s) = &scripted {
                        s.push_rows(&mut l);
                    }
                }
                if let Some(s) = &scripted {
                    pending.dirty |= !s.script.is_empty();
                    pending.tests.extend(s.script.iter().filter_map(|e| match e {
                        ScriptEvent::Test(t) => Some(ScriptTestDto::from(t)),
                        _ => None,
                    }));
                    pending.vars_saved.extend(s.script.iter().filter_map(|e| match e {
                        ScriptEvent::Saved { text, .. } => Some(text.clone()),
                        _ => None,
                    }));
                }
                if let Some(f) = &frames {
                    let mut f = lock(f);
                    for ev in &batch {
                        if let SessionEvent::Frame { record, .. } = ev {
                            f.push(FrameRow::from_record(record));
                        }
                    }
                }
                for ev in &batch {
                    pending.absorb(ev);
                }
                if !decoded.is_empty() {
                    pending.dirty = true;
                    // A protocol error (a malformed packet, a refused handshake) also shows in the
                    // error bar, like a session's own errors; not a result that was in flight when
                    // the user stopped its operation (it stays a row in the events).
                    let shown = |r: &&ProtoEventDto| {
                        r.kind == "protocol_error" && r.name != "graphql.unknown_operation"
                    };
                    if let Some(e) = decoded.iter().rev().find(shown) {
                        pending.error = Some(AppError::new(&e.name, e.data.clone()));
                    }
                    pending.proto.extend(decoded);
                }
                if pending.ended {
                    let _ = flush(&mut pending, &out);
                    return;
                }
            }
            _ = tick.tick() => {
                if rest {
                    rest = false; // the last batch was full: a flood, so skip one tick
                    continue;
                }
                if pending.dirty {
                    match flush(&mut pending, &out) {
                        Ok(added) => rest = added >= TAIL_ROWS,
                        Err(_) => return, // the window went away; dropping the handle closes the session
                    }
                }
            }
        }
    }
}

/// Where a forwarder's output goes.
struct Out<'a> {
    log: &'a Mutex<SessionLog>,
    frames: Option<&'a Mutex<FrameLog>>,
    proto: &'a Mutex<ProtoSetting>,
    channel: &'a Channel<WsBatch>,
}

/// Sends what is pending; returns how many rows the log gained since the last batch.
fn flush(pending: &mut Pending, out: &Out<'_>) -> tauri::Result<usize> {
    let codec = lock(out.proto).codec.clone();
    let frames = out.frames.map_or(0, |f| lock(f).len() as u32);
    let (total, tail) = {
        let l = lock(out.log);
        let total = l.len();
        // Only rows the UI has not had yet (all of the newest after a clear shrank the log).
        let from = if total < pending.sent_total {
            0
        } else {
            pending.sent_total
        };
        let tail: Vec<RowDto> = l
            .range(from.max(total.saturating_sub(TAIL_ROWS)), total)
            .map(|r| row_dto(&r, codec.as_deref()))
            .collect();
        (total, tail)
    };
    let batch = WsBatch {
        total: total as u32,
        state: pending.state.take(),
        tail,
        close: pending.close.take(),
        error: pending.error.take(),
        queued: pending.queued.take(),
        frames,
        upgrade: pending.upgrade.take(),
        proto: std::mem::take(&mut pending.proto),
        tests: std::mem::take(&mut pending.tests),
        vars_saved: std::mem::take(&mut pending.vars_saved),
    };
    let added = total.saturating_sub(pending.sent_total);
    pending.dirty = false;
    pending.sent_total = total;
    out.channel.send(batch).map(|()| added)
}

fn sse_row(ev: &SseSessionEvent) -> (Option<SseState>, Option<AppError>, SseRow) {
    let t_ms = ev.t() as f64 / 1e6;
    let row = |kind: &str, event_type: &str, id: &str, data: String| SseRow {
        t_ms,
        kind: kind.to_string(),
        event_type: event_type.to_string(),
        id: id.to_string(),
        data,
    };
    match ev {
        SseSessionEvent::Connecting { attempt, url, .. } => (
            Some(if *attempt == 0 {
                SseState::Connecting
            } else {
                SseState::Reconnecting
            }),
            None,
            row("connecting", "", "", url.clone()),
        ),
        SseSessionEvent::Open { info, .. } => (
            Some(SseState::Open),
            None,
            row("open", "", "", format!("HTTP {}", info.status)),
        ),
        SseSessionEvent::Event {
            event_type,
            id,
            data,
            ..
        } => (None, None, row("event", event_type, id, data.clone())),
        SseSessionEvent::Comment { text, .. } => (None, None, row("comment", "", "", text.clone())),
        SseSessionEvent::Closed { .. } => {
            (None, None, row("closed", "", "", "stream ended".into()))
        }
        SseSessionEvent::Reconnecting { delay, .. } => (
            Some(SseState::Reconnecting),
            None,
            row(
                "reconnecting",
                "",
                "",
                format!("retry in {} ms", delay.as_millis()),
            ),
        ),
        SseSessionEvent::Error { error, .. } => {
            let e = AppError::new(error.code(), error.to_string());
            (None, Some(e.clone()), row("error", "", "", e.message))
        }
        SseSessionEvent::Ended { reason, .. } => (
            Some(SseState::Closed),
            None,
            row("ended", "", "", reason.as_str().to_string()),
        ),
    }
}

/// Where an SSE forwarder's events come from. A scripted session's `next_batch` is not
/// cancel-safe (it feeds the scripts and runs `after` between reads), so it runs in its own task
/// and hands whole batches over a bounded channel the forwarder can select on.
enum SseFeed {
    Plain(sockpit_core::sse::SseHandle),
    Scripted(tokio::sync::mpsc::Receiver<ScriptedBatch>),
}

impl SseFeed {
    fn start(source: SseSource) -> SseFeed {
        match source {
            SseSource::Plain(h) => SseFeed::Plain(h),
            SseSource::Scripted(mut session) => {
                let (tx, rx) = tokio::sync::mpsc::channel(8);
                tokio::spawn(async move {
                    while let Some(b) = session.next_batch().await {
                        if tx.send(b).await.is_err() {
                            return; // the forwarder is gone; dropping the session ends it
                        }
                    }
                });
                SseFeed::Scripted(rx)
            }
        }
    }

    /// The next batch and what scripts reported beside it; cancel-safe.
    async fn next(&mut self) -> Option<(Vec<SseSessionEvent>, Option<ScriptedBatch>)> {
        match self {
            SseFeed::Plain(h) => h.next_batch().await.map(|b| (b, None)),
            SseFeed::Scripted(rx) => rx.recv().await.map(|mut b| {
                let events = match std::mem::take(&mut b.events) {
                    StreamBatch::Sse(events) => events,
                    _ => Vec::new(),
                };
                (events, Some(b))
            }),
        }
    }
}

fn empty_sse_batch() -> SseBatch {
    SseBatch {
        state: None,
        rows: Vec::new(),
        error: None,
        tests: Vec::new(),
        vars_saved: Vec::new(),
    }
}

/// Adds what scripts reported to `out`: `sp.log` lines and errors as `script` rows, `test()`
/// results for the Tests panel, and what became of `environment` variables.
fn absorb_script(out: &mut SseBatch, scripted: &ScriptedBatch) {
    let t_ms = scripted.t as f64 / 1e6;
    for e in &scripted.script {
        match e {
            ScriptEvent::Test(t) => out.tests.push(ScriptTestDto::from(t)),
            ScriptEvent::Saved { text, .. } => out.vars_saved.push(text.clone()),
            _ => {}
        }
        if let Some(text) = e.row_text() {
            out.rows.push(SseRow {
                t_ms,
                kind: "script".into(),
                event_type: String::new(),
                id: String::new(),
                data: text,
            });
        }
    }
}

/// Runs one SSE subscription's forwarding: rows are batched every `FLUSH`. `secrets` (values of
/// secret variables in the URL or headers) never show in the pane's connecting/open rows or errors.
pub async fn forward_sse(source: SseSource, channel: Channel<SseBatch>, secrets: Vec<String>) {
    let mut source = SseFeed::start(source);
    let mut out = empty_sse_batch();
    let mut tick = tokio::time::interval(FLUSH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            batch = source.next() => {
                let Some((batch, scripted)) = batch else {
                    out.state = Some(SseState::Closed);
                    let _ = channel.send(out);
                    return;
                };
                for ev in &batch {
                    let (state, mut error, mut row) = sse_row(ev);
                    if !secrets.is_empty() && row.kind != "event" {
                        row.data = sockpit_core::auth::redact(&row.data, &secrets);
                        if let Some(e) = &mut error {
                            e.message = sockpit_core::auth::redact(&e.message, &secrets);
                        }
                    }
                    if state.is_some() { out.state = state; }
                    if error.is_some() { out.error = error; }
                    out.rows.push(row);
                }
                if let Some(s) = &scripted {
                    absorb_script(&mut out, s);
                }
                // Without scripts the subscription's end is the last batch; with them, `after`
                // reports once more and the source then ends.
                let ended = batch.iter().any(|e| matches!(e, SseSessionEvent::Ended { .. }));
                if ended && matches!(source, SseFeed::Plain(_)) {
                    let _ = channel.send(out);
                    return;
                }
            }
            _ = tick.tick() => {
                if out.state.is_some() || out.error.is_some() || !out.rows.is_empty() || !out.tests.is_empty() || !out.vars_saved.is_empty() {
                    let batch = std::mem::replace(&mut out, empty_sse_batch());
                    if channel.send(batch).is_err() {
                        return;
                    }
                }
            }
        }
    }
}
