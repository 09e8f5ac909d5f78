//! The vocabulary between a session task and the outside: `SessionCommand` in, `SessionEvent` out.

use std::time::Duration;

use bytes::Bytes;

use super::error::WsError;
use super::wire::FrameRecord;

/// Nanoseconds since the session started, from a monotonic clock.
pub type Nanos = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received from the server.
    In,
    /// Sent by us.
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    Text,
    Binary,
}

impl DataKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::Text => "text",
            DataKind::Binary => "binary",
        }
    }
}

/// Who started a close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closer {
    Server,
    Client,
}

impl Closer {
    pub fn as_str(self) -> &'static str {
        match self {
            Closer::Server => "server",
            Closer::Client => "client",
        }
    }
}

/// What the upgrade exchange looked like, for the window's "handshake" view and the `open` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeReport {
    /// The URL actually requested (with query parameters applied).
    pub url: String,
    /// `GET /path?query HTTP/1.1`
    pub request_line: String,
    pub request_headers: Vec<(String, String)>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    /// The subprotocol the server selected.
    pub protocol: Option<String>,
    /// The `Sec-WebSocket-Extensions` the server answered with.
    pub extensions: Option<String>,
    /// Time from the start of this attempt to the 101 response.
    pub elapsed: Duration,
    /// Time from the TCP connection (or a proxy's tunnel) being ready to the 101 response: the
    /// TLS handshake and the HTTP upgrade, without name resolution and TCP connect.
    pub handshake: Duration,
    /// The request and response heads exactly as on the wire (when the wire layer was on the path).
    pub raw_request: Option<String>,
    pub raw_response: Option<String>,
}

/// Something that happened on a session. Every event carries `t`, nanoseconds since session start.
#[derive(Debug, Clone)]
pub enum SessionEvent {
    /// A connection attempt starts (`attempt` 0 is the first; later ones are reconnects).
    Connecting {
        t: Nanos,
        attempt: u32,
    },
    Open {
        t: Nanos,
        report: Box<UpgradeReport>,
    },
    /// A data message, sent or received. Text payloads are valid UTF-8.
    Message {
        t: Nanos,
        dir: Direction,
        kind: DataKind,
        data: Bytes,
    },
    Ping {
        t: Nanos,
        dir: Direction,
        data: Bytes,
    },
    Pong {
        t: Nanos,
        dir: Direction,
        data: Bytes,
    },
    /// A close frame sent (`Out`) or received (`In`), or a connection that died without one (`In`,
    /// code 1006, `reason` saying why). `by` is who started the closing.
    Close {
        t: Nanos,
        dir: Direction,
        code: u16,
        reason: String,
        by: Closer,
    },
    /// The connection was lost; the next attempt starts after `delay`.
    Reconnecting {
        t: Nanos,
        attempt: u32,
        delay: Duration,
    },
    /// A send is waiting for the connection to open; `queued` messages are waiting now.
    Queued {
        t: Nanos,
        queued: usize,
    },
    /// One frame as it crossed the wire (only with `inspect_frames`).
    Frame {
        t: Nanos,
        record: Box<FrameRecord>,
    },
    Error {
        t: Nanos,
        error: Box<WsError>,
    },
    /// The session is over; no event follows.
    Ended {
        t: Nanos,
    },
}

impl SessionEvent {
    pub fn t(&self) -> Nanos {
        match self {
            SessionEvent::Connecting { t, .. }
            | SessionEvent::Open { t, .. }
            | SessionEvent::Message { t, .. }
            | SessionEvent::Ping { t, .. }
            | SessionEvent::Pong { t, .. }
            | SessionEvent::Close { t, .. }
            | SessionEvent::Reconnecting { t, .. }
            | SessionEvent::Queued { t, .. }
            | SessionEvent::Frame { t, .. }
            | SessionEvent::Error { t, .. }
            | SessionEvent::Ended { t } => *t,
        }
    }
}

/// A data message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Text(String),
    Binary(Bytes),
}

/// What the outside asks of a session task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCommand {
    Send(Outgoing),
    Ping(Bytes),
    /// Close cleanly with this code and reason; the session ends and does not reconnect.
    Close {
        code: u16,
        reason: String,
    },
    /// Abandon the open connection as lost (no close handshake; recorded as 1006 with `reason`),
    /// e.g. when a protocol layer's keepalive failed; the session reconnects if its policy allows.
    Drop {
        reason: String,
    },
}

/// The RFC 6455 §7.4 (and IANA registry) name of a close code.
pub fn close_code_name(code: u16) -> &'static str {
    match code {
        1000 => "Normal Closure",
        1001 => "Going Away",
        1002 => "Protocol Error",
        1003 => "Unsupported Data",
        1004 => "Reserved",
        1005 => "No Status Received",
        1006 => "Abnormal Closure",
        1007 => "Invalid Frame Payload Data",
        1008 => "Policy Violation",
        1009 => "Message Too Big",
        1010 => "Mandatory Extension",
        1011 => "Internal Error",
        1012 => "Service Restart",
        1013 => "Try Again Later",
        1014 => "Bad Gateway",
        1015 => "TLS Handshake",
        3000..=3999 => "Registered",
        4000..=4999 => "Private",
        _ => "Unknown",
    }
}

/// Whether we may put `code` in a close frame we send (RFC 6455 §7.4.1-2).
pub fn close_code_is_sendable(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_have_rfc_names() {
        assert_eq!(close_code_name(1000), "Normal Closure");
        assert_eq!(close_code_name(1006), "Abnormal Closure");
        assert_eq!(close_code_name(1009), "Message Too Big");
        assert_eq!(close_code_name(4001), "Private");
        assert_eq!(close_code_name(3001), "Registered");
        assert_eq!(close_code_name(999), "Unknown");
        assert!(close_code_is_sendable(4001) && close_code_is_sendable(1000));
        assert!(!close_code_is_sendable(1005) && !close_code_is_sendable(1006));
        assert!(!close_code_is_sendable(999) && !close_code_is_sendable(5000));
    }
}
