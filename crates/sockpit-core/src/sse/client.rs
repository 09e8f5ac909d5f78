//! One SSE request over reqwest: configuration, the HTTP client, opening a stream and checking it.
//!
//! [`SseConfig`] says what to subscribe to; [`Prepared`] is the configuration checked once per
//! subscription (URL, headers, TLS, proxy); [`Prepared::open`] sends one request and checks the
//! answer: 204 means "stop", a 2xx `text/event-stream` response is a stream, anything else is an
//! [`SseClientError`] carrying status, headers and the first KiB of the body.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use http::Method;

use crate::net::proxy::to_reqwest_proxy;
use crate::net::tls::{find_tls_error, tls_alert_reason, tls_config};
use crate::net::{ProxyConfig, TlsOptions};
use crate::util::error_chain;
use crate::ws::reconnect::ReconnectPolicy;

use super::error::{SseClientError, BODY_PREVIEW};
use super::parser::DEFAULT_MAX_EVENT_SIZE;

/// Everything needed to open (and re-open) one SSE subscription.
#[derive(Debug, Clone)]
pub struct SseConfig {
    /// `http://` or `https://` URL, as the user typed it.
    pub url: String,
    /// HTTP method; `GET` unless the API wants another (AI streaming APIs use `POST`).
    pub method: String,
    /// Extra query parameters appended to the URL's own.
    pub query: Vec<(String, String)>,
    /// Extra request headers. `Accept: text/event-stream` and `Cache-Control: no-cache` are sent
    /// unless overridden here.
    pub headers: Vec<(String, String)>,
    /// Request body, sent again on every reconnect.
    pub body: Option<Bytes>,
    /// Resume from this event ID: sent as `Last-Event-ID` on the first request too.
    pub last_event_id: Option<String>,
    /// Bound on TCP connect + proxy + TLS, for each attempt.
    pub connect_timeout: Duration,
    /// Bound on the wait for the response status and headers, from sending the request (the
    /// connect included; `connect_timeout` bounds that part alone).
    pub response_timeout: Duration,
    /// Longest silence on an open stream (no bytes at all, comments included) before the connection
    /// counts as lost; `None` waits forever.
    pub read_timeout: Option<Duration>,
    /// Bound on one event (line plus pending data); larger is an error, not unbounded memory.
    pub max_event_size: usize,
    pub tls: TlsOptions,
    pub proxy: Option<ProxyConfig>,
    /// Reconnect when the stream ends or fails transiently; `None` ends on the first loss. A
    /// server's `retry` replaces `base_delay`.
    pub reconnect: Option<ReconnectPolicy>,
    /// Authentication, run before every request through the same prepare step as WebSocket
    /// connections (fresh login and ticket per request; parts that need a WebSocket are refused).
    pub auth: Option<crate::auth::AuthConfig>,
}

impl SseConfig {
    pub fn new(url: impl Into<String>) -> Self {
        SseConfig {
            url: url.into(),
            method: "GET".into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            last_event_id: None,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(30),
            read_timeout: None,
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            tls: TlsOptions::default(),
            proxy: None,
            reconnect: None,
            auth: None,
        }
    }
}

/// What one request's response turned out to be.
pub enum Opened {
    /// A 2xx `text/event-stream` response: read the body.
    Stream(reqwest::Response, OpenInfo),
    /// HTTP 204 No Content: the server asks us to stop reconnecting.
    NoContent(OpenInfo),
}

/// The status line and headers of an accepted response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInfo {
    /// The URL that answered (after redirects).
    pub url: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// From sending the request to the response headers (connect and TLS included).
    pub elapsed: Duration,
}

/// A subscription's configuration, checked and turned into a client once.
pub struct Prepared {
    client: reqwest::Client,
    url: url::Url,
    method: Method,
    headers: HeaderMap,
    body: Option<Bytes>,
    response_timeout: Duration,
    connect_timeout: Duration,
}

impl Prepared {
    pub fn new(cfg: &SseConfig) -> Result<Prepared, SseClientError> {
        let url = parse_url(&cfg.url, &cfg.query)?;
        let method = Method::from_bytes(cfg.method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| {
                SseClientError::InvalidRequest(format!("invalid HTTP method '{}'", cfg.method))
            })?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        let mut user_set: Vec<HeaderName> = Vec::new();
        for (name, value) in &cfg.headers {
            let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                SseClientError::InvalidRequest(format!("invalid header name '{name}'"))
            })?;
            let value = HeaderValue::from_str(value.trim()).map_err(|_| {
                SseClientError::InvalidRequest(format!("invalid value for header '{name}'"))
            })?;
            // The user's headers replace our defaults; repeated user headers are all sent.
            if !user_set.contains(&name) {
                headers.remove(&name);
                user_set.push(name.clone());
            }
            headers.append(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .tcp_nodelay(true)
            .http1_only()
            .user_agent(concat!("sockpit/", env!("CARGO_PKG_VERSION")));
        builder = match &cfg.proxy {
            Some(p) => {
                builder.proxy(to_reqwest_proxy(p).map_err(|reason| SseClientError::Proxy {
                    proxy: p.display(),
                    reason,
                })?)
            }
            None => builder.no_proxy(),
        };
        // reqwest needs a TLS backend even for http:// (a redirect may lead to https://).
        let tls = match tls_config(&cfg.tls) {
            Ok(tls) => rustls::ClientConfig::clone(&tls),
            Err(e) if url.scheme() == "https" => return Err(SseClientError::TlsConfig(e.0)),
            Err(_) => plain_tls_config()?,
        };
        builder = builder.tls_backend_preconfigured(tls);
        let client = builder
            .build()
            .map_err(|e| SseClientError::InvalidRequest(error_chain(&e)))?;
        Ok(Prepared {
            client,
            url,
            method,
            headers,
            body: cfg.body.clone(),
            response_timeout: cfg.response_timeout,
            connect_timeout: cfg.connect_timeout,
        })
    }

    /// The URL requested (with the extra query parameters applied).
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// Sends one request (with `Last-Event-ID` when `last_event_id` is not empty) and checks the
    /// response.
    pub async fn open(&self, last_event_id: &str) -> Result<Opened, SseClientError> {
        self.open_with(last_event_id, &crate::auth::Prepared::default())
            .await
    }

    /// The URL with the query parameters an auth step adds.
    pub fn url_with(&self, auth: &crate::auth::Prepared) -> url::Url {
        let mut url = self.url.clone();
        if !auth.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &auth.query {
                pairs.append_pair(k, v);
            }
        }
        url
    }

    /// [`Prepared::open`] with the headers and query parameters of an auth prepare step.
    pub async fn open_with(
        &self,
        last_event_id: &str,
        auth: &crate::auth::Prepared,
    ) -> Result<Opened, SseClientError> {
        let started = Instant::now();
        let mut headers = self.headers.clone();
        for (name, value) in &auth.headers {
            let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                SseClientError::InvalidRequest(format!("invalid auth header name '{name}'"))
            })?;
            let value = HeaderValue::from_str(value.trim()).map_err(|_| {
                SseClientError::InvalidRequest(format!(
                    "the auth step produced a value not allowed in header '{name}'"
                ))
            })?;
            headers.insert(name, value);
        }
        let url = self.url_with(auth);
        if !last_event_id.is_empty() {
            match HeaderValue::from_str(last_event_id) {
                Ok(v) => {
                    headers.insert("last-event-id", v);
                }
                // An ID with a line break or other control byte cannot go in a header.
                Err(_) => {
                    headers.remove("last-event-id");
                }
            }
        }
        let mut request = self
            .client
            .request(self.method.clone(), url.clone())
            .headers(headers);
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        // reqwest's connect timeout fails a slow connect first (when it is the shorter one).
        let bound = self.response_timeout;
        let response = match tokio::time::timeout(bound, request.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(map_request_error(&e, &url, self.connect_timeout)),
            Err(_) => {
                return Err(SseClientError::Timeout {
                    stage: format!(
                    "waiting for the response from {} (connected, but no HTTP status and headers)",
                    url
                ),
                    after: bound,
                })
            }
        };
        let info = OpenInfo {
            url: response.url().to_string(),
            status: response.status().as_u16(),
            headers: header_pairs(response.headers()),
            elapsed: started.elapsed(),
        };
        let status = response.status();
        if status == http::StatusCode::NO_CONTENT {
            return Ok(Opened::NoContent(info));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let is_event_stream = content_type
            .as_deref()
            .is_some_and(|ct| mime_essence(ct) == "text/event-stream");
        if status.is_success() && is_event_stream {
            return Ok(Opened::Stream(response, info));
        }
        let reason = status.canonical_reason().unwrap_or("").to_string();
        let body = body_preview(response, self.response_timeout).await;
        let (status, headers) = (info.status, info.headers);
        Err(if (200..300).contains(&status) {
            SseClientError::ContentType {
                status,
                reason,
                headers,
                content_type,
                body,
            }
        } else {
            SseClientError::HttpStatus {
                status,
                reason,
                headers,
                content_type,
                body,
            }
        })
    }
}

/// Parses and checks the URL and applies extra query parameters.
pub fn parse_url(raw: &str, query: &[(String, String)]) -> Result<url::Url, SseClientError> {
    let invalid = |reason: String| SseClientError::InvalidUrl {
        url: raw.to_string(),
        reason,
    };
    let mut url = url::Url::parse(raw.trim()).map_err(|e| {
        let hint = if raw.contains("://") {
            ""
        } else {
            " (did you mean http://...?)"
        };
        invalid(format!("{e}{hint}"))
    })?;
    match url.scheme() {
        "http" | "https" => {}
        _ if !raw.contains("://") => {
            return Err(invalid(
                "no http:// or https:// scheme (did you mean http://...?)".into(),
            ))
        }
        other => {
            return Err(SseClientError::UnsupportedScheme {
                scheme: other.to_string(),
                url: raw.to_string(),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".into()));
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    url.set_fragment(None);
    Ok(url)
}

/// `text/event-stream; charset=utf-8` → `text/event-stream` (lowercase, parameters dropped).
fn mime_essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Reads up to [`BODY_PREVIEW`] bytes of a refused response's body, within `bound`.
async fn body_preview(mut response: reqwest::Response, bound: Duration) -> String {
    let mut body = Vec::new();
    let read = async {
        while body.len() < BODY_PREVIEW {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
    };
    let _ = tokio::time::timeout(bound.min(Duration::from_secs(5)), read).await;
    body.truncate(BODY_PREVIEW);
    String::from_utf8_lossy(&body).into_owned()
}

/// A TLS configuration that trusts nothing, for an http:// subscription whose TLS options do not
/// load (they only matter after a redirect to https://, which then fails verification).
fn plain_tls_config() -> Result<rustls::ClientConfig, SseClientError> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SseClientError::TlsConfig(e.to_string()))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth())
}

fn find_io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = err.source();
    }
    None
}

fn map_request_error(
    e: &reqwest::Error,
    url: &url::Url,
    connect_timeout: Duration,
) -> SseClientError {
    let addr = format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    );
    let chain = error_chain(e);
    if e.is_timeout() {
        return SseClientError::Timeout {
            stage: format!("connecting to {addr}"),
            after: connect_timeout,
        };
    }
    if e.is_connect() {
        if let Some(tls) = find_tls_error(e) {
            let mut reason = tls.to_string();
            if reason.contains("certificate") {
                reason.push_str(
                    " (trust the server's CA with --cacert FILE, or skip verification with --insecure)",
                );
            }
            return SseClientError::Tls {
                host: url.host_str().unwrap_or("").to_string(),
                reason,
            };
        }
        if find_io_kind(e) == Some(std::io::ErrorKind::ConnectionRefused) {
            return SseClientError::ConnectionRefused { addr };
        }
        return SseClientError::Connect {
            addr,
            reason: strip_prefix(&chain),
        };
    }
    if e.is_builder() {
        return SseClientError::InvalidRequest(chain);
    }
    // A TLS 1.3 server refuses a client certificate (or its absence) after the handshake: the
    // alert arrives with the request.
    if let Some(rustls::Error::AlertReceived(alert)) = find_tls_error(e) {
        return SseClientError::Tls {
            host: url.host_str().unwrap_or("").to_string(),
            reason: tls_alert_reason(*alert),
        };
    }
    SseClientError::Request {
        url: url.to_string(),
        reason: strip_prefix(&chain),
    }
}

/// reqwest prefixes its messages with "error sending request for url (...)"; the URL is known.
fn strip_prefix(chain: &str) -> String {
    match chain.split_once("): ") {
        Some((head, rest)) if head.starts_with("error sending request for url (") => {
            rest.to_string()
        }
        _ => chain.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_query_appended() {
        let u = parse_url(
            "http://127.0.0.1:1/sse?a=1#x",
            &[("b".into(), "2 3".into())],
        )
        .unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:1/sse?a=1&b=2+3");
        let e = parse_url("ws://x/", &[]).unwrap_err();
        assert_eq!(e.code(), "sse.unsupported_scheme");
        let e = parse_url("localhost:8080/sse", &[]).unwrap_err();
        assert_eq!(e.code(), "sse.invalid_url");
        assert!(e.to_string().contains("did you mean http://"), "{e}");
        assert_eq!(
            mime_essence("Text/Event-Stream; charset=utf-8"),
            "text/event-stream"
        );
    }

    #[test]
    fn bad_method_or_header_is_an_invalid_request() {
        let mut cfg = SseConfig::new("http://127.0.0.1:1/");
        cfg.method = "GE T".into();
        assert_eq!(
            Prepared::new(&cfg).err().map(|e| e.code()),
            Some("sse.invalid_request")
        );
        let mut cfg = SseConfig::new("http://127.0.0.1:1/");
        cfg.headers.push(("bad name".into(), "v".into()));
        assert_eq!(
            Prepared::new(&cfg).err().map(|e| e.code()),
            Some("sse.invalid_request")
        );
    }

    #[test]
    fn user_headers_replace_the_defaults() {
        let mut cfg = SseConfig::new("http://127.0.0.1:1/");
        cfg.headers
            .push(("Accept".into(), "application/x-ndjson".into()));
        cfg.headers.push(("X-A".into(), "1".into()));
        cfg.headers.push(("x-a".into(), "2".into()));
        let p = Prepared::new(&cfg).ok().unwrap();
        assert_eq!(p.headers.get_all(ACCEPT).iter().count(), 1);
        assert_eq!(p.headers[ACCEPT], "application/x-ndjson");
        assert_eq!(p.headers.get_all("x-a").iter().count(), 2);
        assert_eq!(p.headers[CACHE_CONTROL], "no-cache");
    }
}
