//! `AuthError`: a failed authentication step (login, ticket, token, first-message ack), each with a
//! stable `code()`. Messages name the step and what to do; they never carry a secret.

use std::time::Duration;

use crate::util::fmt_duration;

/// Why authenticating a connection failed. Bodies quoted here have every known secret redacted.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("auth settings: {0}")]
    Config(String),
    #[error(
        "{step}: the TLS settings for its https:// request cannot be used: {reason}; fix {option}"
    )]
    TlsConfig {
        step: &'static str,
        /// The flags to fix: `--cacert`, or `--cert/--key`.
        option: &'static str,
        reason: String,
    },
    #[error("{step}: request to {url}{via} failed: {reason} ({})", if .via.is_empty() { "is the server up and the URL right?" } else { "is the proxy up, and does it let this request through? check --proxy" })]
    Request {
        step: &'static str,
        url: String,
        /// ` through proxy http://host:port` when the call went through a proxy, else empty.
        via: String,
        reason: String,
    },
    #[error("cookie login: {method} {url}{via} answered HTTP {status}{}; check the credentials in --login-body/--login-header{}", preview(.body), proxy_hint(.via))]
    LoginFailed {
        method: String,
        url: String,
        /// ` through proxy URL`, or empty.
        via: String,
        status: u16,
        body: String,
    },
    #[error("cookie login: {url} answered HTTP {status} but set no cookie (no Set-Cookie header); check --login-url")]
    LoginNoCookie { url: String, status: u16 },
    #[error("ticket request: {url}{via} answered HTTP {status}{}; check --ticket-url and --ticket-header{}", preview(.body), proxy_hint(.via))]
    TicketFailed {
        url: String,
        via: String,
        status: u16,
        body: String,
    },
    #[error("ticket request: the answer from {url} is not JSON ({reason}){}; point --ticket-pointer at a JSON API", preview(.body))]
    TicketNotJson {
        url: String,
        reason: String,
        body: String,
    },
    #[error("ticket request: the JSON from {url} has no string or number at pointer '{pointer}'{}; fix --ticket-pointer", preview(.body))]
    TicketPointerMissing {
        url: String,
        pointer: String,
        body: String,
    },
    #[error("ticket request: the answer from {url} (HTTP {status}) has no '{header}' header (it has: {seen}); fix --ticket-response-header")]
    TicketHeaderMissing {
        url: String,
        status: u16,
        header: String,
        /// The names of the headers the answer did have.
        seen: String,
    },
    #[error("ticket request: regex '{regex}' does not match the answer from {url}{}; fix --ticket-regex", preview(.body))]
    TicketRegexNoMatch {
        url: String,
        regex: String,
        body: String,
    },
    #[error("OAuth2 token request: {url}{via} answered HTTP {status}{}; check --client-id, --client-secret and --scope{}", preview(.body), proxy_hint(.via))]
    TokenFailed {
        url: String,
        via: String,
        status: u16,
        body: String,
    },
    #[error("OAuth2 token request: the answer from {url} has no access_token ({reason}){}; check --oauth2-token-url", preview(.body))]
    TokenInvalid {
        url: String,
        reason: String,
        body: String,
    },
    #[error("first-message auth: no acknowledgement matching {expected} within {} after the auth message (closed with 1008); check --auth-ack or raise --auth-ack-timeout", fmt_duration(*.after))]
    AckTimeout { expected: String, after: Duration },
    #[error("first-message auth: the server closed the connection with {code}{} instead of acknowledging; check the credentials in --auth-first-message", close_reason(.reason))]
    Rejected { code: u16, reason: String },
}

impl AuthError {
    /// A stable identifier the UI and the CLI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Config(_) => "auth.invalid_config",
            AuthError::TlsConfig { .. } => "auth.tls_config",
            AuthError::Request { .. } => "auth.request_failed",
            AuthError::LoginFailed { .. } => "auth.login_failed",
            AuthError::LoginNoCookie { .. } => "auth.login_no_cookie",
            AuthError::TicketFailed { .. } => "auth.ticket_failed",
            AuthError::TicketNotJson { .. } => "auth.ticket_not_json",
            AuthError::TicketPointerMissing { .. } => "auth.ticket_pointer_missing",
            AuthError::TicketHeaderMissing { .. } => "auth.ticket_header_missing",
            AuthError::TicketRegexNoMatch { .. } => "auth.ticket_regex_no_match",
            AuthError::TokenFailed { .. } => "auth.token_failed",
            AuthError::TokenInvalid { .. } => "auth.token_invalid",
            AuthError::AckTimeout { .. } => "auth.ack_timeout",
            AuthError::Rejected { .. } => "auth.rejected",
        }
    }

    /// Whether a new attempt could succeed (network trouble or a server error, not a refusal).
    pub fn is_transient(&self) -> bool {
        match self {
            AuthError::Request { .. } => true,
            AuthError::LoginFailed { status, .. }
            | AuthError::TicketFailed { status, .. }
            | AuthError::TokenFailed { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

fn preview(body: &str) -> String {
    let one_line: String = body
        .trim()
        .chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.is_empty() {
        String::new()
    } else {
        format!(": {one_line}")
    }
}

/// After a refusal that went through a proxy: the proxy itself may have answered.
fn proxy_hint(via: &str) -> &'static str {
    if via.is_empty() {
        ""
    } else {
        " (or the proxy refused it: check --proxy)"
    }
}

fn close_reason(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" '{reason}'")
    }
}
