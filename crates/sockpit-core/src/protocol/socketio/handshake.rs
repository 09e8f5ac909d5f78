//! The pre-handshake: URL forms (http(s):// or ws(s)://, any path), and the Engine.IO long-polling
//! open request over reqwest with the connection's TLS options, proxy, headers and static auth.

use std::time::Duration;

use super::layer::{query_of, PollingHandshake};
use super::packet;
use super::SocketIoConfig;
use crate::net::proxy::to_reqwest_proxy;
use crate::net::tls::tls_config;
use crate::protocol::ProtocolError;

/// Where to connect, worked out from the config before any traffic.
#[derive(Debug, Clone)]
pub struct Plan {
    /// ws(s)://host/path?user-query (EIO and transport are added by the caller).
    pub ws_url: String,
    /// http(s)://host/path?user-query, without EIO and transport.
    pub polling_url: url::Url,
    pub namespaces: Vec<String>,
    pub eio: u8,
}

fn bad_url(msg: String) -> ProtocolError {
    ProtocolError::new("socketio.bad_url", msg)
}

pub fn plan(cfg: &SocketIoConfig) -> Result<Plan, ProtocolError> {
    let raw = cfg.ws.url.trim();
    let url = url::Url::parse(raw).map_err(|e| {
        bad_url(format!(
            "'{raw}' is not a URL ({e}); write http://host:port"
        ))
    })?;
    let (ws_scheme, http_scheme) = match url.scheme() {
        "http" | "ws" => ("ws", "http"),
        "https" | "wss" => ("wss", "https"),
        other => {
            return Err(bad_url(format!(
                "'{raw}': scheme '{other}' is not one of http, https, ws, wss"
            )))
        }
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad_url(format!("'{raw}' has no host")));
    }
    let mut namespaces: Vec<String> = cfg
        .namespaces
        .iter()
        .map(|n| super::normalize_nsp(n))
        .collect();
    if namespaces.is_empty() {
        // As the official client: io("http://host/chat") connects namespace /chat.
        let p = url.path();
        namespaces.push(if p.is_empty() {
            "/".into()
        } else {
            p.to_string()
        });
    }
    let mut path = cfg.path.clone();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    let mut base = url.clone();
    base.set_path(&path);
    base.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "EIO" && k != "transport" && k != "sid")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    base.set_query(None);
    if !kept.is_empty() {
        base.query_pairs_mut().extend_pairs(kept.iter());
    }
    let mut polling_url = base.clone();
    polling_url
        .set_scheme(http_scheme)
        .map_err(|_| bad_url(format!("'{raw}': cannot use {http_scheme}")))?;
    let mut ws_url = base;
    ws_url
        .set_scheme(ws_scheme)
        .map_err(|_| bad_url(format!("'{raw}': cannot use {ws_scheme}")))?;
    Ok(Plan {
        ws_url: ws_url.to_string(),
        polling_url,
        namespaces,
        eio: cfg.eio.unwrap_or(4),
    })
}

/// v2 has no auth payload: the auth object's entries go on the handshake query.
pub fn v2_query(cfg: &SocketIoConfig) -> Vec<(String, String)> {
    cfg.auth
        .as_ref()
        .map(|a| {
            url::form_urlencoded::parse(query_of(a).as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a request failed because nothing listens on the port.
fn refused(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        source = err.source();
    }
    false
}

fn client(cfg: &SocketIoConfig) -> Result<reqwest::Client, ProtocolError> {
    let fail = |m: String| ProtocolError::new("socketio.handshake_failed", m);
    let tls = tls_config(&cfg.ws.tls).map_err(|e| fail(format!("TLS setup: {e}")))?;
    let builder = match &cfg.ws.proxy {
        Some(p) => reqwest::Client::builder()
            .proxy(to_reqwest_proxy(p).map_err(|r| fail(format!("proxy {}: {r}", p.display())))?),
        None => reqwest::Client::builder().no_proxy(),
    };
    builder
        .connect_timeout(cfg.ws.handshake_timeout)
        .timeout(cfg.ws.handshake_timeout)
        .user_agent(concat!("sockpit/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(rustls::ClientConfig::clone(&tls))
        .build()
        .map_err(|e| fail(crate::util::error_chain(&e)))
}

/// The polling open request; returns the Engine.IO version the server speaks and its open packet.
pub async fn poll_open(
    cfg: &SocketIoConfig,
    plan: &Plan,
) -> Result<(u8, PollingHandshake), ProtocolError> {
    let client = client(cfg)?;
    let stat = cfg
        .ws
        .auth
        .as_ref()
        .map(crate::auth::static_parts)
        .unwrap_or_default();
    let mut eio = plan.eio;
    loop {
        let mut url = plan.polling_url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.extend_pairs(cfg.ws.query.iter());
            q.extend_pairs(stat.query.iter());
            if eio == 3 {
                q.extend_pairs(v2_query(cfg).iter());
                q.append_pair("b64", "1");
            }
            q.append_pair("EIO", &eio.to_string());
            q.append_pair("transport", "polling");
        }
        let shown = crate::auth::redact(url.as_str(), &stat.secrets);
        let mut req = client.get(url.clone());
        for (k, v) in cfg.ws.headers.iter().chain(stat.headers.iter()) {
            req = req.header(k, v);
        }
        let resp = req.send().await.map_err(|e| {
            let why = if refused(&e) {
                // As the WebSocket and SSE engines word it, not reqwest's chain of wrappers.
                let port = url.port_or_known_default().unwrap_or(0);
                let host = url.host_str().unwrap_or("");
                format!("connection refused by {host}:{port}: is a server listening on that port?")
            } else {
                crate::auth::redact(&crate::util::error_chain(&e), &stat.secrets)
            };
            ProtocolError::new(
                "socketio.handshake_failed",
                format!("the polling handshake to {shown} failed: {why}"),
            )
        })?;
        let status = resp.status();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type")
            .to_string();
        let body = tokio::time::timeout(Duration::from_secs(10), resp.text())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let refused_version = status.as_u16() == 400
            && (body.contains("Unsupported protocol version")
                || body.contains("unsupported version"));
        if refused_version && cfg.eio.is_none() && eio == 4 {
            eio = 3;
            continue;
        }
        let not_sio = |why: &str| {
            let mut preview: String = body.chars().take(200).collect();
            if preview.len() < body.len() {
                preview.push('…');
            }
            ProtocolError::new(
                "socketio.not_socketio",
                format!(
                    "{shown} is not a Socket.IO endpoint: it answered {status} ({ctype}){why}: \
                     {preview:?}. Check the URL and --path (default /socket.io/), or --eio"
                ),
            )
        };
        if !status.is_success() {
            return Err(not_sio(""));
        }
        let (fmt, packets) = packet::split_polling_payload(&body)
            .map_err(|e| not_sio(&format!(", not an Engine.IO payload ({e})")))?;
        let mut packets = packets.into_iter();
        let first = packets.next().unwrap_or_default();
        let Some(json) = first.strip_prefix('0') else {
            return Err(not_sio(", not an Engine.IO open packet"));
        };
        let open = packet::parse_open(json).map_err(|e| not_sio(&format!(" ({e})")))?;
        let eio = if fmt == 3 || open.max_payload.is_none() {
            3
        } else {
            4
        };
        return Ok((
            eio,
            PollingHandshake {
                open,
                extra: packets.filter(|p| !p.is_empty()).collect(),
            },
        ));
    }
}
