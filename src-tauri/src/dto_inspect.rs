//! DTOs of the inspectors (log filters and detail, export, frames, protobuf, compare), exported to
//! TypeScript with ts-rs like those in `dto.rs`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::Dir;

/// Which rows the message log shows. `dir`: `all`, `in` or `out`; `kinds`: any of `text`,
/// `binary`, `control` (pings, pongs, connection events, errors) and `close`; empty means all.
#[derive(Debug, Clone, Deserialize, Serialize, TS, PartialEq, Eq)]
pub struct LogFilter {
    pub dir: String,
    pub kinds: Vec<String>,
}

/// A page of a filtered scan: matching row indexes, and where the next page starts.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct LogSelection {
    pub indices: Vec<u32>,
    pub next: u32,
}

/// One row in full for the detail pane. `text` is the payload as UTF-8 when it is valid UTF-8;
/// `hex` the first 64 KiB as hex for binary rows; `proto_json` the protobuf decode (compact JSON)
/// when a schema and type are set, else `proto_error` says why not.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct RowDetail {
    pub index: u32,
    pub t_ms: f64,
    pub kind: String,
    pub dir: Dir,
    pub size: u32,
    pub code: u16,
    pub code_name: String,
    pub text: Option<String>,
    pub hex: Option<String>,
    /// The payload is longer than what `text`/`hex` hold.
    pub truncated: bool,
    pub proto_json: Option<String>,
    pub proto_error: Option<String>,
}

/// Where an export went.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct ExportResult {
    pub path: String,
    pub lines: u32,
}

/// One recorded WebSocket frame.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct FrameDto {
    pub index: u32,
    pub t_ms: f64,
    pub dir: Dir,
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    /// `text`, `binary`, `continuation`, `close`, `ping`, `pong` or `reserved(N)`.
    pub opcode: String,
    pub masked: bool,
    /// The masking key as 8 hex digits, empty when unmasked.
    pub mask: String,
    /// Payload length on the wire.
    pub len: f64,
}

/// A loaded protobuf schema: its file and message types (user types first).
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct ProtoSchemaDto {
    pub path: String,
    pub types: Vec<String>,
}

/// What the Compare view starts: `key` is a JSON pointer (`/id`), or empty to pair by order.
#[derive(Debug, Clone, Deserialize, Serialize, TS, PartialEq)]
pub struct CompareArgs {
    pub ws_url: String,
    pub sse_url: String,
    pub key: String,
}

/// A paired (or, at the end, one-sided) item; times in ms since the compare started.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct CompareItemDto {
    pub key: String,
    pub ws_ms: Option<f64>,
    pub sse_ms: Option<f64>,
    /// SSE minus WebSocket arrival, ms.
    pub delta_ms: Option<f64>,
    pub payload_match: Option<bool>,
    pub ws_payload: Option<String>,
    pub sse_payload: Option<String>,
}

/// The engine's summary at the end of a compare.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct CompareSummaryDto {
    pub ws_items: u32,
    pub sse_items: u32,
    pub matched: u32,
    pub mismatched: u32,
    pub missing_on_ws: u32,
    pub missing_on_sse: u32,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// What a compare sends the UI every ~16 ms.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct CompareBatch {
    pub items: Vec<CompareItemDto>,
    /// Side events as lines: `ws open`, `sse error: ...`, `ws ended`.
    pub notes: Vec<String>,
    pub errors: Vec<crate::dto::AppError>,
    pub summary: Option<CompareSummaryDto>,
    pub done: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::tests::check;

    #[test]
    fn typescript_bindings_of_inspectors() {
        let mut failures = Vec::new();
        check::<LogFilter>(&mut failures);
        check::<LogSelection>(&mut failures);
        check::<RowDetail>(&mut failures);
        check::<ExportResult>(&mut failures);
        check::<FrameDto>(&mut failures);
        check::<ProtoSchemaDto>(&mut failures);
        check::<CompareArgs>(&mut failures);
        check::<CompareItemDto>(&mut failures);
        check::<CompareSummaryDto>(&mut failures);
        check::<CompareBatch>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }
}
