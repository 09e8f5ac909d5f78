//! `SseClientError`: everything that can go wrong on an SSE subscription, each with a stable `code()`.

use std::time::Duration;

use crate::util::fmt_duration;
use crate::ws::ErrorDto;

use super::parser::SseError;

/// How much of a refused response's body an error keeps.
pub const BODY_PREVIEW: usize = 1024;

/// A failure of an SSE subscription. The UI and the CLI show `to_string()` and branch on `code()`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SseClientError {
    #[error("invalid URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("unsupported scheme '{scheme}' in '{url}': use http:// or https://")]
    UnsupportedScheme { scheme: String, url: String },
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("TLS setup failed: {0}")]
    TlsConfig(String),
    #[error("proxy {proxy}: {reason}")]
    Proxy { proxy: String, reason: String },
    #[error("connection refused by {addr}: is a server listening on that port?")]
    ConnectionRefused { addr: String },
    #[error("could not connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("timed out after {} {stage}", fmt_duration(*.after))]
    Timeout { stage: String, after: Duration },
    #[error("{}", refused_message("HTTP", *.status, .reason, .content_type.as_deref(), .body))]
    HttpStatus {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        content_type: Option<String>,
        /// The first KiB of the response body, lossily decoded.
        body: String,
    },
    #[error("{}", refused_message("content type", *.status, .reason, .content_type.as_deref(), .body))]
    ContentType {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        content_type: Option<String>,
        body: String,
    },
    #[error("request to {url} failed: {reason}")]
    Request { url: String, reason: String },
    #[error("connection lost while reading the event stream: {0}")]
    Io(String),
    #[error(transparent)]
    Parse(#[from] SseError),
    /// `last`: "; the last failed: WHY" when the newest attempt failed before opening, else empty.
    #[error("gave up after {attempts} reconnect attempts{last}")]
    GaveUp { attempts: u32, last: String },
    #[error("the subscription has ended")]
    SessionEnded,
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
}

impl SseClientError {
    /// A stable identifier the UI and the CLI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            SseClientError::InvalidUrl { .. } => "sse.invalid_url",
            SseClientError::UnsupportedScheme { .. } => "sse.unsupported_scheme",
            SseClientError::InvalidRequest(_) => "sse.invalid_request",
            SseClientError::TlsConfig(_) => "sse.tls_config",
            SseClientError::Proxy { .. } => "sse.proxy",
            SseClientError::ConnectionRefused { .. } => "sse.connection_refused",
            SseClientError::Connect { .. } => "sse.connect_failed",
            SseClientError::Tls { .. } => "sse.tls",
            SseClientError::Timeout { .. } => "sse.timeout",
            SseClientError::HttpStatus { .. } => "sse.http_status",
            SseClientError::ContentType { .. } => "sse.content_type",
            SseClientError::Request { .. } => "sse.request_failed",
            SseClientError::Io(_) => "sse.io",
            SseClientError::Parse(e) => e.code(),
            SseClientError::GaveUp { .. } => "sse.gave_up",
            SseClientError::SessionEnded => "sse.session_ended",
            SseClientError::Auth(e) => e.code(),
        }
    }

    /// Whether a new attempt could succeed where this one failed: network trouble, a stream cut
    /// short, or a server that is overloaded or failing (5xx, 408, 429). A refusal (other 4xx),
    /// a wrong content type or a bad configuration would meet the same answer again.
    pub fn is_transient(&self) -> bool {
        match self {
            SseClientError::ConnectionRefused { .. }
            | SseClientError::Connect { .. }
            | SseClientError::Timeout { .. }
            | SseClientError::Request { .. }
            | SseClientError::Io(_) => true,
            SseClientError::HttpStatus { status, .. } => {
                *status >= 500 || matches!(status, 408 | 429)
            }
            SseClientError::Auth(e) => e.is_transient(),
            _ => false,
        }
    }

    /// The same error with every secret in `secrets` replaced by `***`.
    pub fn redacted(self, secrets: &[String]) -> SseClientError {
        if secrets.is_empty() {
            return self;
        }
        let r = |s: String| crate::auth::redact(&s, secrets);
        match self {
            SseClientError::Timeout { stage, after } => SseClientError::Timeout {
                stage: r(stage),
                after,
            },
            SseClientError::Request { url, reason } => SseClientError::Request {
                url: r(url),
                reason: r(reason),
            },
            SseClientError::Connect { addr, reason } => SseClientError::Connect {
                addr,
                reason: r(reason),
            },
            SseClientError::InvalidRequest(m) => SseClientError::InvalidRequest(r(m)),
            SseClientError::Io(m) => SseClientError::Io(r(m)),
            SseClientError::HttpStatus {
                status,
                reason,
                headers,
                content_type,
                body,
            } => SseClientError::HttpStatus {
                status,
                reason,
                headers: headers.into_iter().map(|(k, v)| (k, r(v))).collect(),
                content_type,
                body: r(body),
            },
            SseClientError::ContentType {
                status,
                reason,
                headers,
                content_type,
                body,
            } => SseClientError::ContentType {
                status,
                reason,
                headers: headers.into_iter().map(|(k, v)| (k, r(v))).collect(),
                content_type,
                body: r(body),
            },
            other => other,
        }
    }

    /// Whether the error is a timeout (the CLI's exit status 3).
    pub fn is_timeout(&self) -> bool {
        matches!(self, SseClientError::Timeout { .. })
    }

    /// The `{code, message}` form the UI and `--json` output carry.
    pub fn to_dto(&self) -> ErrorDto {
        ErrorDto {
            code: self.code().to_string(),
            message: self.to_string(),
        }
    }
}

fn refused_message(
    what: &str,
    status: u16,
    reason: &str,
    content_type: Option<&str>,
    body: &str,
) -> String {
    let mut s = if what == "HTTP" {
        format!("server answered HTTP {status}")
    } else {
        format!(
            "server answered HTTP {status} with content type '{}', not text/event-stream",
            content_type.unwrap_or("(none)")
        )
    };
    if !reason.is_empty() && what == "HTTP" {
        s.push(' ');
        s.push_str(reason);
    }
    if what == "HTTP" {
        if let Some(ct) = content_type {
            s.push_str(&format!(" ({ct})"));
        }
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
        if body.chars().nth(200).is_some() {
            s.push_str("...");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_status_type_and_body() {
        let e = SseClientError::HttpStatus {
            status: 503,
            reason: "Service Unavailable".into(),
            headers: vec![("content-type".into(), "text/plain".into())],
            content_type: Some("text/plain".into()),
            body: "try\nlater".into(),
        };
        assert_eq!(
            e.to_string(),
            "server answered HTTP 503 Service Unavailable (text/plain): try later"
        );
        assert_eq!(e.code(), "sse.http_status");
        assert!(e.is_transient());
        let e = SseClientError::ContentType {
            status: 200,
            reason: "OK".into(),
            headers: vec![],
            content_type: Some("application/json".into()),
            body: "{}".into(),
        };
        assert_eq!(
            e.to_string(),
            "server answered HTTP 200 with content type 'application/json', not text/event-stream: {}"
        );
        assert!(!e.is_transient());
        let e = SseClientError::Timeout {
            stage: "waiting for data (the server sent nothing)".into(),
            after: Duration::from_secs(2),
        };
        assert_eq!(
            e.to_string(),
            "timed out after 2 s waiting for data (the server sent nothing)"
        );
        let e = SseClientError::from(SseError::EventTooLarge { size: 9, max: 8 });
        assert_eq!(e.code(), "sse.event_too_large");
    }
}
