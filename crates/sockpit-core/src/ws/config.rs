//! What a WebSocket session is asked to do: target, handshake options, TLS, proxy and resilience.

use std::path::PathBuf;
use std::time::Duration;

use super::reconnect::ReconnectPolicy;
use super::wire::deflate::DeflateConfig;
use crate::auth::AuthConfig;

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
        }
    }
}

/// TLS settings for `wss://`.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Extra PEM CA certificates trusted besides the OS roots.
    pub extra_ca_files: Vec<PathBuf>,
    /// Client certificate chain (PEM) for mutual TLS, with its private key.
    pub client_cert: Option<ClientCert>,
    /// Accept any server certificate. Only when the user asks; the UI shows it as a warning.
    pub skip_verify: bool,
}

#[derive(Debug, Clone)]
pub struct ClientCert {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// A proxy the TCP connection goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    pub kind: ProxyKind,
    pub host: String,
    pub port: u16,
    /// `user:password` credentials from the proxy URL.
    pub auth: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// HTTP `CONNECT` tunnel.
    HttpConnect,
    /// SOCKS5, target host resolved locally.
    Socks5,
    /// SOCKS5, target host name resolved by the proxy.
    Socks5h,
}

impl ProxyConfig {
    /// Parses `http://[user:pass@]host:port`, `socks5://...` or `socks5h://...`.
    pub fn parse(s: &str) -> Result<ProxyConfig, String> {
        let url = url::Url::parse(s).map_err(|e| {
            format!(
                "invalid proxy URL '{s}': {e} (expected http://host:port or socks5://host:port)"
            )
        })?;
        let (kind, default_port) = match url.scheme() {
            "http" => (ProxyKind::HttpConnect, 8080),
            "socks5" => (ProxyKind::Socks5, 1080),
            "socks5h" => (ProxyKind::Socks5h, 1080),
            other => {
                return Err(format!(
                "unsupported proxy scheme '{other}' in '{s}': use http://, socks5:// or socks5h://"
            ))
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| format!("proxy URL '{s}' has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let auth = if url.username().is_empty() {
            None
        } else {
            let dec = |v: &str| {
                url::form_urlencoded::parse(format!("x={v}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((dec(url.username()), dec(url.password().unwrap_or(""))))
        };
        Ok(ProxyConfig {
            kind,
            host,
            port: url.port().unwrap_or(default_port),
            auth,
        })
    }

    /// The proxy as shown in messages, without credentials.
    pub fn display(&self) -> String {
        let scheme = match self.kind {
            ProxyKind::HttpConnect => "http",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
        };
        format!("{scheme}://{}:{}", self.host, self.port)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_urls() {
        let p = ProxyConfig::parse("http://user:p%40ss@127.0.0.1:3128").unwrap();
        assert_eq!(p.kind, ProxyKind::HttpConnect);
        assert_eq!(p.port, 3128);
        assert_eq!(p.auth, Some(("user".into(), "p@ss".into())));
        let s = ProxyConfig::parse("socks5h://[::1]").unwrap();
        assert_eq!(
            (s.kind, s.host.as_str(), s.port),
            (ProxyKind::Socks5h, "::1", 1080)
        );
        let err = ProxyConfig::parse("ftp://x:1").unwrap_err();
        assert!(err.contains("unsupported proxy scheme 'ftp'"), "{err}");
        assert!(ProxyConfig::parse("not a url").is_err());
    }
}
