//! What a WebSocket session is asked to do: target, handshake options, TLS, proxy and resilience.

use std::time::Duration;

use super::reconnect::ReconnectPolicy;
use super::wire::deflate::DeflateConfig;
use crate::auth::AuthConfig;
use crate::net::{ProxyConfig, TlsOptions};

/// Everything needed to open (and re-open) one WebSocket session.
#[derive(Debug, Clone)]
pub struct ConnectConfig {
    /// `ws://` or `wss://` URL, as the user typed it.
    pub url: String,
    /// Extra query parameters appended to the URL's own.
    pub query: Vec<(String, String)>,
    /// Extra request headers on the upgrade request.
    pub headers: Vec<(String, String)>,
    /// Offered subprotocols, in order of preference (`Sec-WebSocket-Protocol`).
    pub subprotocols: Vec<String>,
    /// Bound on TCP connect + proxy + TLS + upgrade, for each attempt.
    pub handshake_timeout: Duration,
    /// Largest message accepted from the server; larger ones close the connection with 1009.
    pub max_message_size: usize,
    /// Largest single frame accepted from the server.
    pub max_frame_size: usize,
    /// Bytes the socket is read in at a time. The buffer is filled (so resident) up to this size on
    /// the first read: 128 KiB suits one busy session, a few KiB suit thousands of mostly idle ones
    /// (`sockpit load`). Larger messages still arrive whole, over more reads.
    pub read_buffer_size: usize,
    pub tls: TlsOptions,
    pub proxy: Option<ProxyConfig>,
    /// Reconnect after abnormal closes; `None` ends the session on the first loss.
    pub reconnect: Option<ReconnectPolicy>,
    pub ping: Option<PingPolicy>,
    pub heartbeat: Option<HeartbeatPolicy>,
    /// How many sends may wait while the connection is (re)opening.
    pub send_queue_limit: usize,
    /// permessage-deflate offer; `None` sends no offer. On by default, as in browsers.
    pub deflate: Option<DeflateConfig>,
    /// Record every frame on the wire as [`SessionEvent::Frame`](super::SessionEvent::Frame).
    pub inspect_frames: bool,
    /// Authentication, run before every connection attempt (and right after open for first-message
    /// auth); see [`crate::auth`].
    pub auth: Option<AuthConfig>,
    /// Values to hide (`***`) in upgrade reports and handshake errors besides the auth step's own
    /// secrets: the secret variables a caller rendered into the URL or headers (`sockpit run`).
    pub redact: Vec<String>,
    /// Query parameters for the first connection attempt only, e.g. the single-use session id of
    /// an HTTP pre-handshake (Socket.IO's polling upgrade); reconnects go without them.
    pub first_attempt_query: Vec<(String, String)>,
}

impl ConnectConfig {
    pub fn new(url: impl Into<String>) -> Self {
        ConnectConfig {
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            subprotocols: Vec::new(),
            handshake_timeout: Duration::from_secs(10),
            max_message_size: 64 << 20,
            max_frame_size: 16 << 20,
            read_buffer_size: 128 << 10,
            tls: TlsOptions::default(),
            proxy: None,
            reconnect: None,
            ping: None,
            heartbeat: None,
            send_queue_limit: 1000,
            deflate: Some(DeflateConfig::default()),
            inspect_frames: false,
            auth: None,
            redact: Vec::new(),
            first_attempt_query: Vec::new(),
        }
    }
}

/// Protocol-level keepalive: a ping every `interval`, and the connection counts as lost when no pong
/// arrives within `timeout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingPolicy {
    pub interval: Duration,
    pub timeout: Duration,
}

/// Application-level heartbeat: `message` is sent as text every `interval`; the connection counts as
/// lost when no data message (containing `expect`, when set) arrives within `timeout` after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeartbeatPolicy {
    pub interval: Duration,
    pub message: String,
    pub expect: Option<String>,
    pub timeout: Duration,
}
