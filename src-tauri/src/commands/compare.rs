//! The Compare view: a WebSocket and an SSE stream side by side (`sse::compare`), items paired by a
//! JSON pointer or by order, streamed to the UI in batches; stop ends it and the summary follows.

use sockpit_core::sse::{
    CompareConfig, CompareEvent, CompareHandle, CompareItem, CompareSummary, KeyRule, SseConfig,
};
use sockpit_core::ws::ConnectConfig;
use tauri::ipc::Channel;
use tauri::State;
use tokio::sync::mpsc;

use crate::dto::AppError;
use crate::dto_inspect::{CompareArgs, CompareBatch, CompareItemDto, CompareSummaryDto};
use crate::inspect::InspectState;
use crate::state::{lock, AppState};
use crate::stream::FLUSH;

fn ms(n: i64) -> f64 {
    n as f64 / 1e6
}

pub fn item_dto(i: &CompareItem) -> CompareItemDto {
    CompareItemDto {
        key: i.key.clone(),
        ws_ms: i.ws_t.map(|t| ms(t as i64)),
        sse_ms: i.sse_t.map(|t| ms(t as i64)),
        delta_ms: i.delta.map(ms),
        payload_match: i.payload_match,
        ws_payload: i.ws_payload.clone(),
        sse_payload: i.sse_payload.clone(),
    }
}

pub fn summary_dto(s: &CompareSummary) -> CompareSummaryDto {
    CompareSummaryDto {
        ws_items: s.ws_items as u32,
        sse_items: s.sse_items as u32,
        matched: s.matched as u32,
        mismatched: s.mismatched as u32,
        missing_on_ws: s.missing_on_ws as u32,
        missing_on_sse: s.missing_on_sse as u32,
        p50_ms: s.delta_p50.map(ms),
        p95_ms: s.delta_p95.map(ms),
        max_ms: s.delta_max.map(ms),
    }
}

/// The key rule for `key`: empty pairs by order, else a JSON pointer starting with `/`.
pub fn key_rule(key: &str) -> Result<KeyRule, AppError> {
    let key = key.trim();
    if key.is_empty() {
        Ok(KeyRule::Order)
    } else if key.starts_with('/') {
        Ok(KeyRule::Pointer(key.to_string()))
    } else {
        Err(AppError::new(
            "ui.invalid_key",
            format!("key '{key}' is not a JSON pointer: start it with '/', e.g. /id"),
        ))
    }
}

fn empty_batch() -> CompareBatch {
    CompareBatch {
        items: Vec::new(),
        notes: Vec::new(),
        errors: Vec::new(),
        summary: None,
        done: false,
    }
}

#[tauri::command]
pub async fn compare_start(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    args: CompareArgs,
    on_event: Channel<CompareBatch>,
) -> Result<u32, AppError> {
    let ws_url = args.ws_url.trim();
    if !(ws_url.starts_with("ws://") || ws_url.starts_with("wss://")) {
        return Err(AppError::new(
            "ui.invalid_url",
            format!("'{ws_url}': use a ws:// or wss:// URL"),
        ));
    }
    sockpit_core::sse::client::parse_url(args.sse_url.trim(), &[])?;
    let cfg = CompareConfig {
        ws: ConnectConfig::new(ws_url),
        sse: SseConfig::new(args.sse_url.trim()),
        key: key_rule(&args.key)?,
        duration: None,
    };
    let handle = CompareHandle::spawn(cfg);
    let (stop_tx, stop_rx) = mpsc::channel(1);
    let id = state.next_id();
    lock(&inspect.compares).insert(id, stop_tx);
    tokio::spawn(forward_compare(handle, stop_rx, on_event));
    Ok(id)
}

#[tauri::command]
pub async fn compare_stop(inspect: State<'_, InspectState>, compare: u32) -> Result<(), AppError> {
    let stop = lock(&inspect.compares).remove(&compare);
    if let Some(s) = stop {
        // Over already is fine.
        let _ = s.send(()).await;
    }
    Ok(())
}

async fn forward_compare(
    mut handle: CompareHandle,
    mut stop: mpsc::Receiver<()>,
    channel: Channel<CompareBatch>,
) {
    let mut out = empty_batch();
    let mut tick = tokio::time::interval(FLUSH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut stopping = false;
    loop {
        tokio::select! {
            batch = handle.next_batch() => {
                let Some(batch) = batch else {
                    out.done = true;
                    let _ = channel.send(out);
                    return;
                };
                for ev in batch {
                    match ev {
                        CompareEvent::Open { side, .. } => out.notes.push(format!("{} open", side.as_str())),
                        CompareEvent::Error { side, code, message, .. } => {
                            out.notes.push(format!("{} error: {message}", side.as_str()));
                            out.errors.push(AppError::new(&code, message));
                        }
                        CompareEvent::Ended { side, failed, .. } => out.notes.push(format!(
                            "{} ended{}", side.as_str(), if failed { " (failed)" } else { "" }
                        )),
                        CompareEvent::Item(item) => out.items.push(item_dto(&item)),
                        CompareEvent::Summary(s) => out.summary = Some(summary_dto(&s)),
                    }
                }
            }
            s = stop.recv(), if !stopping => {
                stopping = true;
                if s.is_some() {
                    handle.stop().await;
                }
            }
            _ = tick.tick() => {
                let has = !out.items.is_empty() || !out.notes.is_empty() || out.summary.is_some();
                if has && channel.send(std::mem::replace(&mut out, empty_batch())).is_err() {
                    return; // the window went away; dropping the handle stops the compare
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules_and_items_in_milliseconds() {
        assert_eq!(key_rule(" ").unwrap(), KeyRule::Order);
        assert_eq!(key_rule("/id").unwrap(), KeyRule::Pointer("/id".into()));
        assert_eq!(key_rule("id").unwrap_err().code, "ui.invalid_key");
        let item = CompareItem {
            key: "3".into(),
            ws_t: Some(1_000_000),
            sse_t: Some(3_500_000),
            delta: Some(2_500_000),
            payload_match: Some(true),
            ws_payload: Some("{\"n\":3}".into()),
            sse_payload: None,
        };
        let d = item_dto(&item);
        assert_eq!(
            (d.ws_ms, d.sse_ms, d.delta_ms),
            (Some(1.0), Some(3.5), Some(2.5))
        );
        let one_sided = item_dto(&CompareItem {
            sse_t: None,
            delta: None,
            payload_match: None,
            ..item
        });
        assert_eq!((one_sided.sse_ms, one_sided.delta_ms), (None, None));
    }
}
