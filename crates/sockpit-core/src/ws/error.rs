//! `WsError`: everything that can go wrong on a WebSocket connection, each with a stable `code()`.

use std::time::Duration;

use serde::Serialize;

use crate::net::{NetError, TlsConfigError};
use crate::util::fmt_duration;

/// A failure of a WebSocket session. The UI and the CLI show `to_string()` and branch on `code()`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum WsError {
    #[error("invalid URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("unsupported scheme '{scheme}' in '{url}': use ws:// or wss://")]
    UnsupportedScheme { scheme: String, url: String },
    #[error("could not resolve host '{host}': {reason}")]
    Dns { host: String, reason: String },
    #[error("connection refused by {addr}: is a server listening on that port?")]
    ConnectionRefused { addr: String },
    #[error("could not connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("timed out after {} during {stage}", fmt_duration(*.after))]
    Timeout { stage: String, after: Duration },
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("TLS setup failed: {0}")]
    TlsConfig(String),
    #[error("proxy {proxy}: {reason}")]
    Proxy { proxy: String, reason: String },
    #[error("{}", rejected_message(*.status, .reason, .body))]
    HandshakeRejected {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        /// The first KiB of the response body, lossily decoded.
        body: String,
    },
    #[error("the server accepted none of the offered subprotocols ({offered})")]
    SubprotocolNotAccepted { offered: String },
    #[error("WebSocket handshake failed: {0}")]
    Handshake(String),
    #[error(
        "extension negotiation failed: {0} (connect with --no-deflate to offer no compression)"
    )]
    ExtensionRejected(String),
    #[error("permessage-deflate failed: {0} (closed with 1007)")]
    Deflate(String),
    #[error("invalid setting: {0}")]
    Config(String),
    #[error("received a message of {size} bytes, over the limit of {max} bytes (closed with 1009; raise --max-message-size)")]
    MessageTooLarge { size: usize, max: usize },
    #[error("received a text message that is not valid UTF-8 (closed with 1007)")]
    InvalidUtf8,
    #[error("protocol violation by the server: {0} (closed with 1002)")]
    Protocol(String),
    #[error("connection lost: {0}")]
    Io(String),
    #[error("no pong within {} of our ping", fmt_duration(*.0))]
    PongTimeout(Duration),
    #[error("no heartbeat reply within {}", fmt_duration(*.0))]
    HeartbeatTimeout(Duration),
    #[error(
        "send queue is full ({limit} messages waiting for the connection); this message was dropped (raise --send-queue)"
    )]
    QueueFull { limit: usize },
    #[error("invalid close code {0}: use 1000, 1001, 1002, 1003, 1007-1014 or 3000-4999")]
    InvalidCloseCode(u16),
    #[error("the session has ended")]
    SessionEnded,
    /// An authentication step failed; `code()` is the step's own (`auth.login_failed`, ...).
    #[error("{0}")]
    Auth(crate::auth::AuthError),
}

impl WsError {
    /// A stable identifier the UI and the CLI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            WsError::InvalidUrl { .. } => "ws.invalid_url",
            WsError::UnsupportedScheme { .. } => "ws.unsupported_scheme",
            WsError::Dns { .. } => "ws.dns",
            WsError::ConnectionRefused { .. } => "ws.connection_refused",
            WsError::Connect { .. } => "ws.connect_failed",
            WsError::Timeout { .. } => "ws.timeout",
            WsError::Tls { .. } => "ws.tls",
            WsError::TlsConfig(_) => "ws.tls_config",
            WsError::Proxy { .. } => "ws.proxy",
            WsError::HandshakeRejected { .. } => "ws.handshake_rejected",
            WsError::SubprotocolNotAccepted { .. } => "ws.subprotocol_not_accepted",
            WsError::Handshake(_) => "ws.handshake_failed",
            WsError::ExtensionRejected(_) => "ws.extension_rejected",
            WsError::Deflate(_) => "ws.deflate",
            WsError::Config(_) => "ws.invalid_config",
            WsError::MessageTooLarge { .. } => "ws.message_too_large",
            WsError::InvalidUtf8 => "ws.invalid_utf8",
            WsError::Protocol(_) => "ws.protocol",
            WsError::Io(_) => "ws.io",
            WsError::PongTimeout(_) => "ws.pong_timeout",
            WsError::HeartbeatTimeout(_) => "ws.heartbeat_timeout",
            WsError::QueueFull { .. } => "ws.queue_full",
            WsError::InvalidCloseCode(_) => "ws.invalid_close_code",
            WsError::SessionEnded => "ws.session_ended",
            WsError::Auth(e) => e.code(),
        }
    }

    /// Whether a new connection attempt could succeed where this one failed (network trouble, not a
    /// configuration or a server's deliberate answer).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            WsError::ConnectionRefused { .. }
                | WsError::Connect { .. }
                | WsError::Timeout { .. }
                | WsError::Io(_)
                | WsError::PongTimeout(_)
                | WsError::HeartbeatTimeout(_)
                | WsError::Dns { .. }
        ) || matches!(self, WsError::HandshakeRejected { status, .. } if *status >= 500)
            || matches!(self, WsError::Auth(e) if e.is_transient())
    }

    /// The `{code, message}` form the UI and `--json` output carry.
    pub fn to_dto(&self) -> ErrorDto {
        ErrorDto {
            code: self.code().to_string(),
            message: self.to_string(),
        }
    }
}

impl From<NetError> for WsError {
    fn from(e: NetError) -> WsError {
        match e {
            NetError::Dns { host, reason } => WsError::Dns { host, reason },
            NetError::ConnectionRefused { addr } => WsError::ConnectionRefused { addr },
            NetError::Connect { addr, reason } => WsError::Connect { addr, reason },
            NetError::Tls { host, reason } => WsError::Tls { host, reason },
            NetError::Proxy { proxy, reason } => WsError::Proxy { proxy, reason },
        }
    }
}

impl From<TlsConfigError> for WsError {
    fn from(e: TlsConfigError) -> WsError {
        WsError::TlsConfig(e.0)
    }
}

/// An error as the UI and the CLI's `--json` output see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorDto {
    pub code: String,
    pub message: String,
}

fn rejected_message(status: u16, reason: &str, body: &str) -> String {
    let mut s = format!("server rejected the WebSocket upgrade with HTTP {status}");
    if !reason.is_empty() {
        s.push(' ');
        s.push_str(reason);
    }
    let body = body.trim();
    if !body.is_empty() {
        let one_line: String = body
            .chars()
            .take(200)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        s.push_str(": ");
        s.push_str(&one_line);
    }
    s
}
