//! The serializable shapes the UI sees (DTOs), exported to TypeScript with ts-rs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An error as the UI sees it: branch on `code`, show `message`.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The one path every engine error takes to the UI: its stable code and its message.
impl<E: sockpit_core::ErrorCode> From<E> for AppError {
    fn from(e: E) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}

/// Something the user should see beside a command's result (a secret kept in the database
/// because there is no OS credential store, an OS entry left behind), shown as a notice.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct NoticeDto {
    pub code: String,
    pub message: String,
}

/// The connection state shown in the status element.
#[derive(Debug, Clone, Copy, Serialize, TS, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    Connected,
    Reconnecting,
    Disconnected,
}

/// Which way a row went.
#[derive(Debug, Clone, Copy, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    In,
    Out,
}

/// One row of a session log, for the virtual list. `text` is the payload (binary as hex), cut to
/// a preview length; `size` is the full payload size.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct RowDto {
    pub index: u32,
    /// Milliseconds since the session started.
    pub t_ms: f64,
    /// `text`, `binary`, `ping`, `pong`, `close`, `open`, `connecting`, `reconnecting`, `queued`,
    /// `frame`, `error` or `ended`.
    pub kind: String,
    pub dir: Dir,
    /// Close code for `close` rows, 0 otherwise.
    pub code: u16,
    /// RFC 6455 name of `code` for `close` rows, empty otherwise.
    pub code_name: String,
    pub size: u32,
    pub text: String,
}

/// The last close seen on a session.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct CloseDto {
    pub code: u16,
    pub name: String,
    pub reason: String,
    /// `server` or `client`.
    pub by: String,
}

/// What a WebSocket session sends the UI every ~16 ms while something happens.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct WsBatch {
    /// Rows in the log now.
    pub total: u32,
    /// Set when the state changed since the last batch.
    pub state: Option<ConnState>,
    /// The newest rows (at most a screenful); older ones are read with `log_range`.
    pub tail: Vec<RowDto>,
    pub close: Option<CloseDto>,
    pub error: Option<AppError>,
    /// Messages waiting for the connection to open.
    pub queued: Option<u32>,
    /// Frames recorded so far (0 unless connected with `record_frames`).
    pub frames: u32,
    /// The upgrade exchange, on every open (the "Upgrade report").
    pub upgrade: Option<crate::dto_store::UpgradeDto>,
    /// Decoded protocol events since the last batch (Socket.IO, GraphQL sessions; empty otherwise).
    pub proto: Vec<crate::dto_layer::ProtoEventDto>,
    /// Script `test()` results since the last batch (sessions of requests with scripts).
    pub tests: Vec<crate::dto_script::ScriptTestDto>,
    /// What became of variables scripts set with scope `environment` (one sentence each time
    /// they are saved, as the session ends), for a toast.
    pub vars_saved: Vec<String>,
}

/// What the UI asks for when it connects.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ConnectArgs {
    pub url: String,
    /// Reconnect with backoff after an abnormal close.
    pub reconnect: bool,
    pub subprotocols: Vec<String>,
    pub headers: Vec<(String, String)>,
    /// The session this one replaces; its log is dropped.
    pub previous: Option<u32>,
    /// Record every frame for the Frames tab (the wire inspector).
    #[serde(default)]
    pub record_frames: bool,
    /// The editor's request (params, headers, auth, settings, TLS, proxy); when set, its URL and
    /// options are used, `{{variables}}` rendered, and `subprotocols`/`headers` above ignored.
    #[serde(default)]
    #[ts(optional)]
    pub spec: Option<crate::dto_store::RequestSpec>,
    /// The collection whose variables apply (with the active environment and globals).
    #[serde(default)]
    #[ts(optional, as = "Option<f64>")]
    pub collection: Option<i64>,
    /// The stored request this tab shows, recorded with the connection in history.
    #[serde(default)]
    #[ts(optional, as = "Option<f64>")]
    pub request_id: Option<i64>,
    /// A hook file (the Scripts tab's "Hook file…") run beside the request's own hooks.
    #[serde(default)]
    #[ts(optional)]
    pub hook_file: Option<String>,
    /// Close the session on the first uncaught script error.
    #[serde(default)]
    #[ts(optional)]
    pub stop_on_script_error: Option<bool>,
}

/// How the composer's text is turned into a message.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SendMode {
    Text,
    Json,
    Hex,
    Base64,
    /// The body is a file path; the file's bytes are sent as one binary message.
    File,
    /// The body is protobuf JSON, encoded with the schema's send type.
    Protobuf,
}

/// State of an SSE subscription.
#[derive(Debug, Clone, Copy, Serialize, TS, PartialEq, Eq)]
pub enum SseState {
    Connecting,
    Open,
    Reconnecting,
    Closed,
}

/// One SSE row.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct SseRow {
    pub t_ms: f64,
    /// `event`, `comment`, `open`, `closed`, `reconnecting`, `error`, `ended`, or `script` (an
    /// `sp.log` line or a script error).
    pub kind: String,
    pub event_type: String,
    pub id: String,
    pub data: String,
}

/// What an SSE subscription sends the UI.
#[derive(Debug, Clone, Serialize, TS, PartialEq)]
pub struct SseBatch {
    pub state: Option<SseState>,
    pub rows: Vec<SseRow>,
    pub error: Option<AppError>,
    /// The request's script `test()` results since the last batch.
    pub tests: Vec<crate::dto_script::ScriptTestDto>,
    /// What became of scripts' `environment` variables as the subscription ended.
    pub vars_saved: Vec<String>,
}

/// A started SSE subscription.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct SseSubscription {
    pub id: u32,
    /// The request's auth pattern not used because it needs a WebSocket (`first_message`, ...).
    pub auth_left_out: Option<String>,
}

/// A saved request: where to connect and the messages kept with it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct SavedRequest {
    pub id: String,
    pub name: String,
    pub url: String,
    pub messages: Vec<String>,
    pub sse_url: String,
}

/// The built-in mock server started from the app.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct DemoInfo {
    pub ws_url: String,
    pub http_url: String,
}

#[cfg(test)]
pub(crate) mod tests {
    //! The checked-in TypeScript bindings must match these types; `UPDATE_BINDINGS=1` rewrites them.
    use super::*;
    use std::path::PathBuf;

    pub(crate) fn check<T: TS + 'static>(failures: &mut Vec<String>) {
        let cfg = ts_rs::Config::default();
        let fresh = match T::export_to_string(&cfg) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: {e}", T::name(&cfg)));
                return;
            }
        };
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../ui/src/ipc/bindings")
            .join(format!("{}.ts", T::name(&cfg)));
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().expect("bindings dir")).expect("mkdir");
            std::fs::write(&path, &fresh).expect("write binding");
            return;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk != fresh {
            failures.push(path.display().to_string());
        }
    }

    #[test]
    fn typescript_bindings_are_up_to_date() {
        let mut failures = Vec::new();
        check::<AppError>(&mut failures);
        check::<NoticeDto>(&mut failures);
        check::<ConnState>(&mut failures);
        check::<Dir>(&mut failures);
        check::<RowDto>(&mut failures);
        check::<CloseDto>(&mut failures);
        check::<WsBatch>(&mut failures);
        check::<ConnectArgs>(&mut failures);
        check::<SendMode>(&mut failures);
        check::<SseState>(&mut failures);
        check::<SseRow>(&mut failures);
        check::<SseBatch>(&mut failures);
        check::<SseSubscription>(&mut failures);
        check::<SavedRequest>(&mut failures);
        check::<DemoInfo>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }
}
