//! Proxies every client can go through: HTTP `CONNECT` and SOCKS5/5h, parsed from a URL; the same
//! settings as a reqwest proxy for the HTTP clients (SSE, auth steps).

use crate::util::error_chain;

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

/// The proxy for a reqwest client (SSE, auth steps); the error is the reason, without the proxy.
pub(crate) fn to_reqwest_proxy(p: &ProxyConfig) -> Result<reqwest::Proxy, String> {
    let scheme = match p.kind {
        ProxyKind::HttpConnect => "http",
        ProxyKind::Socks5 => "socks5",
        ProxyKind::Socks5h => "socks5h",
    };
    let host = if p.host.contains(':') {
        format!("[{}]", p.host)
    } else {
        p.host.clone()
    };
    let mut url =
        url::Url::parse(&format!("{scheme}://{host}:{}", p.port)).map_err(|e| e.to_string())?;
    if let Some((user, pass)) = &p.auth {
        if p.kind != ProxyKind::HttpConnect {
            let _ = url.set_username(user);
            let _ = url.set_password(Some(pass));
        }
    }
    let mut proxy = reqwest::Proxy::all(url.as_str()).map_err(|e| error_chain(&e))?;
    if let (ProxyKind::HttpConnect, Some((user, pass))) = (p.kind, &p.auth) {
        proxy = proxy.basic_auth(user, pass);
    }
    Ok(proxy)
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
