//! Log views beyond plain ranges: direction/type filters, rows by index, one row in full for the
//! detail pane (with its protobuf decode), clearing, and export as JSON Lines.

use std::io::Write;
use std::sync::Mutex;

use sockpit_core::log::{Row, RowKind};
use sockpit_core::proto::PayloadCodec;
use sockpit_core::ws::{close_code_name, Direction};
use sockpit_core::SessionLog;
use tauri::State;

use super::log::log_of;
use crate::dto::{AppError, Dir, RowDto};
use crate::dto_inspect::{ExportResult, LogFilter, LogSelection, RowDetail};
use crate::inspect::InspectState;
use crate::state::{lock, off_thread, AppState};
use crate::stream::row_dto;

/// Rows scanned per `log_select` call at most, so one call stays short under the log's lock.
const SCAN_LIMIT: usize = 200_000;
/// Payload bytes a detail view carries.
const DETAIL_BYTES: usize = 1 << 20;
/// Binary bytes shown as hex in a detail view.
const DETAIL_HEX: usize = 64 * 1024;
/// Rows copied out per lock while exporting.
const EXPORT_CHUNK: usize = 10_000;

/// The filter's type class of a row kind.
pub fn kind_class(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Text => "text",
        RowKind::Binary => "binary",
        RowKind::Close => "close",
        _ => "control",
    }
}

/// Whether `row` passes `filter`.
pub fn passes(filter: &LogFilter, row: &Row<'_>) -> bool {
    let dir_ok = match filter.dir.as_str() {
        "in" => row.dir == Direction::In,
        "out" => row.dir == Direction::Out,
        _ => true,
    };
    dir_ok && (filter.kinds.is_empty() || filter.kinds.iter().any(|k| k == kind_class(row.kind)))
}

/// Indexes of rows from `from` that pass `filter`, at most `limit`; `next` is where to go on.
#[tauri::command]
pub async fn log_select(
    state: State<'_, AppState>,
    session: u32,
    filter: LogFilter,
    from: u32,
    limit: u32,
) -> Result<LogSelection, AppError> {
    let log = log_of(&state, session)?;
    off_thread(move || Ok::<_, AppError>(select(&lock(&log), &filter, from, limit))).await
}

/// Up to `limit` indexes of rows passing `filter`, scanning at most `SCAN_LIMIT` rows from `from`.
fn select(l: &SessionLog, filter: &LogFilter, from: u32, limit: u32) -> LogSelection {
    let end = (from as usize).saturating_add(SCAN_LIMIT).min(l.len());
    let mut scanned_to = from as usize;
    let mut indices = Vec::new();
    let cap = limit.min(100_000) as usize;
    for row in l.range(from as usize, end) {
        if indices.len() == cap {
            break;
        }
        scanned_to = row.index + 1;
        if passes(filter, &row) {
            indices.push(row.index as u32);
        }
    }
    LogSelection {
        indices,
        next: scanned_to.max(from as usize) as u32,
    }
}

/// The rows at `indices` (a filtered view's visible part).
#[tauri::command]
pub async fn log_rows(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    session: u32,
    indices: Vec<u32>,
) -> Result<Vec<RowDto>, AppError> {
    let log = log_of(&state, session)?;
    let codec = inspect.codec();
    off_thread(move || {
        let l = lock(&log);
        Ok::<_, AppError>(
            indices
                .iter()
                .take(2000)
                .filter_map(|&i| l.get(i as usize))
                .map(|r| row_dto(&r, codec.as_deref()))
                .collect(),
        )
    })
    .await
}

/// One row in full: text, hex of binary payloads, and the protobuf decode when a type is set.
#[tauri::command]
pub async fn log_detail(
    state: State<'_, AppState>,
    inspect: State<'_, InspectState>,
    session: u32,
    index: u32,
) -> Result<RowDetail, AppError> {
    let log = log_of(&state, session)?;
    let codec = inspect.codec();
    off_thread(move || detail(&log, codec.as_deref(), index)).await
}

/// One row in full, decoded without the log's lock held.
fn detail(
    log: &Mutex<SessionLog>,
    codec: Option<&PayloadCodec>,
    index: u32,
) -> Result<RowDetail, AppError> {
    // Copy the payload out so decoding happens without the log's lock.
    let (t, kind, dir, code, data) = {
        let l = lock(log);
        let row = l
            .get(index as usize)
            .ok_or_else(|| AppError::new("app.no_row", format!("row {index} is not in the log")))?;
        (row.t, row.kind, row.dir, row.code, row.data.to_vec())
    };
    let binary = matches!(kind, RowKind::Binary | RowKind::Ping | RowKind::Pong);
    let shown = &data[..data.len().min(DETAIL_BYTES)];
    let text = std::str::from_utf8(shown).ok().map(str::to_string);
    let hex = binary.then(|| hex::encode(&data[..data.len().min(DETAIL_HEX)]));
    let (proto_json, proto_error) = match (codec, kind) {
        (Some(c), RowKind::Binary) if c.decodes() => {
            match c.decode_json_text(&data, dir == Direction::Out) {
                Ok(j) => (Some(j), None),
                Err(e) => (None, Some(format!("{}: {e}", e.code()))),
            }
        }
        _ => (None, None),
    };
    Ok(RowDetail {
        index,
        t_ms: t as f64 / 1e6,
        kind: row_dto_kind(kind),
        dir: if dir == Direction::In {
            Dir::In
        } else {
            Dir::Out
        },
        size: data.len() as u32,
        code,
        code_name: if kind == RowKind::Close {
            close_code_name(code).to_string()
        } else {
            String::new()
        },
        truncated: data.len() > if binary { DETAIL_HEX } else { DETAIL_BYTES },
        text,
        hex,
        proto_json,
        proto_error,
    })
}

fn row_dto_kind(kind: RowKind) -> String {
    let row = Row {
        index: 0,
        t: 0,
        kind,
        dir: Direction::In,
        code: 0,
        data: &[],
    };
    row_dto(&row, None).kind
}

/// Forgets the session's rows; the session itself goes on.
#[tauri::command]
pub async fn log_clear(state: State<'_, AppState>, session: u32) -> Result<(), AppError> {
    let log = log_of(&state, session)?;
    off_thread(move || {
        lock(&log).clear();
        Ok::<_, AppError>(())
    })
    .await
}

/// One JSON Lines record of a row: text payloads as `text`, others as `hex`.
pub fn export_line(row: &Row<'_>) -> serde_json::Value {
    let base = row_dto(row, None);
    let mut v = serde_json::json!({
        "index": row.index,
        "t_ms": base.t_ms,
        "dir": if row.dir == Direction::In { "in" } else { "out" },
        "kind": base.kind,
        "size": row.data.len(),
    });
    if row.kind == RowKind::Close {
        v["code"] = row.code.into();
        v["code_name"] = base.code_name.into();
    }
    match std::str::from_utf8(row.data) {
        Ok(s) if !matches!(row.kind, RowKind::Binary | RowKind::Ping | RowKind::Pong) => {
            v["text"] = s.into()
        }
        _ => v["hex"] = hex::encode(row.data).into(),
    }
    v
}

/// Writes the whole log to `path` as JSON Lines (one row a line), in chunks so the live session
/// is never held up for long.
#[tauri::command]
pub async fn log_export(
    state: State<'_, AppState>,
    exported: State<'_, crate::commands::copy::ExportedFiles>,
    session: u32,
    path: String,
) -> Result<ExportResult, AppError> {
    let log = log_of(&state, session)?;
    let path = path.trim().to_string();
    if path.is_empty() {
        return Err(AppError::new(
            "app.export_path",
            "type a file path to export to",
        ));
    }
    let target = path.clone();
    let lines = off_thread(move || write_jsonl(&log, &target)).await?;
    exported.remember(&path);
    Ok(ExportResult { path, lines })
}

/// Writes every row of `log` to `target` as JSON Lines, `EXPORT_CHUNK` rows per lock; returns
/// how many rows went out.
fn write_jsonl(log: &Mutex<SessionLog>, target: &str) -> Result<u32, AppError> {
    let io = |e: std::io::Error| AppError::new("app.export_io", format!("{target}: {e}"));
    let file = std::fs::File::create(target).map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    let mut at = 0usize;
    loop {
        let mut buf = Vec::new();
        {
            let l = lock(log);
            for row in l.range(at, at + EXPORT_CHUNK) {
                serde_json::to_writer(&mut buf, &export_line(&row))
                    .map_err(|e| AppError::new("app.export_io", e.to_string()))?;
                buf.push(b'\n');
                at = row.index + 1;
            }
        }
        if buf.is_empty() {
            break;
        }
        out.write_all(&buf).map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(at as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use sockpit_core::ws::{Closer, DataKind, SessionEvent};
    use sockpit_core::SessionLog;

    fn log() -> SessionLog {
        let mut l = SessionLog::new();
        let msg = |t, dir, kind, data: &'static [u8]| SessionEvent::Message {
            t,
            dir,
            kind,
            data: Bytes::from_static(data),
        };
        l.push(&msg(1, Direction::Out, DataKind::Text, b"hi"));
        l.push(&msg(2, Direction::In, DataKind::Text, b"hi"));
        l.push(&msg(3, Direction::In, DataKind::Binary, b"\x00\xff"));
        l.push(&SessionEvent::Close {
            t: 4,
            dir: Direction::In,
            code: 4001,
            reason: "bye".into(),
            by: Closer::Server,
        });
        l
    }

    fn select(l: &SessionLog, dir: &str, kinds: &[&str]) -> Vec<usize> {
        let f = LogFilter {
            dir: dir.into(),
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
        };
        l.select(0, 100, |r| passes(&f, r)).0
    }

    #[test]
    fn filters_by_direction_and_type_class() {
        let l = log();
        assert_eq!(select(&l, "all", &[]), vec![0, 1, 2, 3]);
        assert_eq!(select(&l, "out", &[]), vec![0]);
        assert_eq!(select(&l, "in", &["text", "close"]), vec![1, 3]);
        assert_eq!(select(&l, "all", &["binary"]), vec![2]);
        assert_eq!(select(&l, "all", &["control"]), Vec::<usize>::new());
    }

    #[test]
    fn exports_text_as_text_and_binary_as_hex() {
        let l = log();
        let lines: Vec<_> = l.range(0, 4).map(|r| export_line(&r)).collect();
        assert_eq!(lines[0]["text"], "hi");
        assert_eq!(lines[0]["dir"], "out");
        assert_eq!(lines[2]["hex"], "00ff");
        assert!(lines[2].get("text").is_none());
        assert_eq!(lines[3]["code"], 4001);
        assert_eq!(lines[3]["code_name"], "Private");
        assert_eq!(lines[3]["index"], 3);
    }
}
