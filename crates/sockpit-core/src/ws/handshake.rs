//! Opening one connection: URL → TCP/proxy/TLS → HTTP upgrade, with the full upgrade report.

use std::sync::Arc;
use std::time::Instant;

use http::header::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as TError, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

use super::config::ConnectConfig;
use super::error::WsError;
use super::event::UpgradeReport;
use super::stream::SessionStream;
use super::wire::{WireOptions, WireShared, WireStream};
use crate::net::tls::tls_alert_reason;
use crate::net::transport::{open_tcp, tls_connect, Stage, Transport};

/// An open connection: the WebSocket, what the upgrade looked like, and the wire layer's shared
/// state when it is on the path.
pub type Opened = (
    WebSocketStream<SessionStream>,
    UpgradeReport,
    Option<Arc<WireShared>>,
);

/// The parts of a target URL the connection needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: url::Url,
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

/// Parses and checks the URL and applies extra query parameters.
pub fn parse_target(raw: &str, query: &[(String, String)]) -> Result<Target, WsError> {
    let invalid = |reason: String| WsError::InvalidUrl {
        url: raw.to_string(),
        reason,
    };
    let mut url = url::Url::parse(raw.trim()).map_err(|e| {
        let hint = if !raw.contains("://") {
            " (did you mean ws://...?)"
        } else {
            ""
        };
        invalid(format!("{e}{hint}"))
    })?;
    let tls = match url.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            return Err(WsError::UnsupportedScheme {
                scheme: other.to_string(),
                url: raw.to_string(),
            })
        }
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid("no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url
        .port_or_known_default()
        .unwrap_or(if tls { 443 } else { 80 });
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    url.set_fragment(None);
    Ok(Target {
        url,
        host,
        port,
        tls,
    })
}

/// Opens one connection per `cfg` and performs the upgrade. `epoch` is the session's clock origin
/// (frame records are timestamped against it).
pub async fn open(
    cfg: &ConnectConfig,
    target: &Target,
    tls: Option<Arc<rustls::ClientConfig>>,
    epoch: Instant,
) -> Result<Opened, WsError> {
    let started = Instant::now();
    let mut stage = Stage::Resolve;
    let attempt = open_inner(cfg, target, tls, &mut stage, started, epoch);
    match tokio::time::timeout(cfg.handshake_timeout, attempt).await {
        Ok(r) => r,
        Err(_) => Err(WsError::Timeout {
            stage: format!("{} to {}:{}", stage.describe(), target.host, target.port),
            after: cfg.handshake_timeout,
        }),
    }
}

async fn open_inner(
    cfg: &ConnectConfig,
    target: &Target,
    tls: Option<Arc<rustls::ClientConfig>>,
    stage: &mut Stage,
    started: Instant,
    epoch: Instant,
) -> Result<Opened, WsError> {
    let request = build_request(cfg, target)?;
    // A user's own Sec-WebSocket-Extensions header replaces our offer (and our deflate).
    let deflate = cfg.deflate.clone().filter(|_| {
        !cfg.headers
            .iter()
            .any(|(n, _)| n.trim().eq_ignore_ascii_case("sec-websocket-extensions"))
    });
    let request_line = format!(
        "GET {} HTTP/1.1",
        request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let request_headers = header_pairs(request.headers());

    let tcp = open_tcp(&target.host, target.port, cfg.proxy.as_ref(), stage).await?;
    let connected = Instant::now();
    let transport = if target.tls {
        *stage = Stage::Tls;
        let config = tls.ok_or_else(|| WsError::TlsConfig("no TLS configuration".into()))?;
        tls_connect(tcp, &target.host, config).await?
    } else {
        Transport::Plain(tcp)
    };
    *stage = Stage::Upgrade;
    let (stream, wire) = if deflate.is_some() || cfg.inspect_frames {
        let shared = Arc::new(WireShared::default());
        let opts = WireOptions {
            inspect: cfg.inspect_frames,
            deflate,
            max_message_size: cfg.max_message_size,
            max_frame_size: cfg.max_frame_size,
            epoch,
        };
        let wire = WireStream::new(transport, opts, shared.clone());
        (SessionStream::wire(wire), Some(shared))
    } else {
        (SessionStream::direct(transport), None)
    };
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(cfg.max_message_size))
        .max_frame_size(Some(cfg.max_frame_size))
        .read_buffer_size(cfg.read_buffer_size);
    let (ws, response) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(ws_config))
            .await
            .map_err(|e| handshake_error(e, cfg))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let (raw_request, raw_response) = match &wire {
        Some(w) => {
            if let Some(Err(why)) = w.negotiation() {
                return Err(WsError::ExtensionRejected(why));
            }
            let (req, resp) = w.heads();
            (Some(req), Some(resp))
        }
        None => {
            if let Some(ext) = header("sec-websocket-extensions") {
                return Err(WsError::ExtensionRejected(format!(
                    "the server accepted extensions we did not offer: {ext}"
                )));
            }
            (None, None)
        }
    };
    let report = UpgradeReport {
        url: target.url.to_string(),
        request_line,
        request_headers,
        status: response.status().as_u16(),
        response_headers: header_pairs(response.headers()),
        protocol: header("sec-websocket-protocol"),
        extensions: header("sec-websocket-extensions"),
        elapsed: started.elapsed(),
        handshake: connected.elapsed(),
        raw_request,
        raw_response,
    };
    Ok((ws, report, wire))
}

fn build_request(cfg: &ConnectConfig, target: &Target) -> Result<http::Request<()>, WsError> {
    let mut request =
        target
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| WsError::InvalidUrl {
                url: cfg.url.clone(),
                reason: e.to_string(),
            })?;
    let headers = request.headers_mut();
    // A header the handshake already has (Host, Origin, ...) is replaced by the user's first value;
    // any other user header, and repeats, accumulate.
    let generated: Vec<HeaderName> = headers.keys().cloned().collect();
    let mut replaced: Vec<HeaderName> = Vec::new();
    for (name, value) in &cfg.headers {
        let bad = |reason: String| WsError::InvalidUrl {
            url: cfg.url.clone(),
            reason: format!("header '{name}': {reason}"),
        };
        let n = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| bad("not a valid header name".into()))?;
        let v = HeaderValue::from_str(value.trim())
            .map_err(|_| bad("value has characters not allowed in a header".into()))?;
        if generated.contains(&n) && !replaced.contains(&n) {
            replaced.push(n.clone());
            headers.insert(n, v);
        } else {
            headers.append(n, v);
        }
    }
    let user_extensions = cfg
        .headers
        .iter()
        .any(|(n, _)| n.trim().eq_ignore_ascii_case("sec-websocket-extensions"));
    if let (Some(d), false) = (&cfg.deflate, user_extensions) {
        d.validate().map_err(WsError::Config)?;
        let v = HeaderValue::from_str(&d.offer()).map_err(|e| WsError::Config(e.to_string()))?;
        headers.insert("sec-websocket-extensions", v);
    }
    if !cfg.subprotocols.is_empty() {
        let list = cfg.subprotocols.join(", ");
        let v = HeaderValue::from_str(&list).map_err(|_| WsError::InvalidUrl {
            url: cfg.url.clone(),
            reason: format!("subprotocol list '{list}' has characters not allowed in a header"),
        })?;
        headers.insert("sec-websocket-protocol", v);
    }
    Ok(request)
}

fn header_pairs(h: &http::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn handshake_error(e: TError, cfg: &ConnectConfig) -> WsError {
    match e {
        TError::Http(response) => {
            let body = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(1024)]).into_owned())
                .unwrap_or_default();
            WsError::HandshakeRejected {
                status: response.status().as_u16(),
                reason: response
                    .status()
                    .canonical_reason()
                    .unwrap_or_default()
                    .to_string(),
                headers: header_pairs(response.headers()),
                body,
            }
        }
        TError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
            SubProtocolError::NoSubProtocol,
        )) => WsError::SubprotocolNotAccepted {
            offered: cfg.subprotocols.join(", "),
        },
        TError::Io(io) => match tls_alert(&io) {
            // In TLS 1.3 a server checks the client certificate after the handshake, so its
            // refusal arrives as an alert while the upgrade is being read.
            Some(alert) => WsError::Tls {
                host: url::Url::parse(&cfg.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default(),
                reason: tls_alert_reason(alert),
            },
            None => WsError::Io(format!("during the WebSocket upgrade: {io}")),
        },
        other => WsError::Handshake(other.to_string()),
    }
}

/// The TLS alert a server sent, when that is what broke the connection.
fn tls_alert(io: &std::io::Error) -> Option<rustls::AlertDescription> {
    match io.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(alert) => Some(*alert),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_reject_clearly() {
        let t = parse_target(
            "wss://example.test/chat?a=1#frag",
            &[("b".into(), "x y".into())],
        )
        .unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.tls),
            ("example.test", 443, true)
        );
        assert_eq!(t.url.as_str(), "wss://example.test/chat?a=1&b=x+y");
        let t = parse_target("ws://[::1]:9001", &[]).unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 9001));

        let e = parse_target("http://x", &[]).unwrap_err();
        assert_eq!(e.code(), "ws.unsupported_scheme");
        let e = parse_target("localhost:80", &[]).unwrap_err();
        assert_eq!(e.code(), "ws.unsupported_scheme", "{e}");
        let e = parse_target("ws://", &[]).unwrap_err();
        assert_eq!(e.code(), "ws.invalid_url");
        let e = parse_target("not a url", &[]).unwrap_err();
        assert!(e.to_string().contains("did you mean ws://"), "{e}");
    }

    #[test]
    fn request_carries_headers_and_protocols() {
        let mut cfg = ConnectConfig::new("ws://h:1/p");
        cfg.headers = vec![
            ("X-Token".into(), "abc".into()),
            ("Origin".into(), "http://me".into()),
        ];
        cfg.subprotocols = vec!["chat".into(), "v2".into()];
        let t = parse_target(&cfg.url, &[]).unwrap();
        let r = build_request(&cfg, &t).unwrap();
        assert_eq!(r.headers()["x-token"], "abc");
        assert_eq!(r.headers()["origin"], "http://me");
        assert_eq!(r.headers()["sec-websocket-protocol"], "chat, v2");
        cfg.headers = vec![("Bad Name".into(), "v".into())];
        assert!(build_request(&cfg, &t)
            .unwrap_err()
            .to_string()
            .contains("Bad Name"));
    }
}
