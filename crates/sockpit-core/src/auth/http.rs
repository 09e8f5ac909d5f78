//! The prepare step: the HTTP calls some patterns need (cookie login, ticket, OAuth2 token) and the
//! headers, query parameters, subprotocols and first message they all add to one attempt.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use http::Method;

use super::{AuthConfig, AuthError, AuthTransport, HttpStep, Prepared, TicketExtract, TicketInto};
use crate::net::proxy::to_reqwest_proxy;
use crate::net::tls::{find_tls_error, tls_alert_reason, tls_config};
use crate::net::{ProxyConfig, TlsOptions};
use crate::util::error_chain;

/// Largest response body read from an auth endpoint.
const MAX_BODY: usize = 1 << 20;
/// An OAuth2 token counts as expired this long before its `expires_in` says.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5);

/// Runs an [`AuthConfig`] before each connection attempt; owns the HTTP client and the OAuth2
/// token cache.
pub struct AuthRunner {
    cfg: AuthConfig,
    client: Option<reqwest::Client>,
    /// The current OAuth2 access token and when it expires. Never held across an `.await`.
    token: Mutex<Option<(String, Option<Instant>)>>,
    timeout: Duration,
    /// ` through proxy URL` for messages, empty without a proxy.
    via: String,
}

/// One HTTP answer.
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl AuthRunner {
    /// Checks the configuration and builds the HTTP client (with the session's TLS settings) when
    /// a pattern needs one. `timeout` bounds each HTTP call.
    pub fn new(
        cfg: AuthConfig,
        tls: &TlsOptions,
        timeout: Duration,
    ) -> Result<AuthRunner, AuthError> {
        let transport = AuthTransport {
            tls: tls.clone(),
            proxy: None,
            timeout,
        };
        AuthRunner::with_transport(cfg, &transport)
    }

    /// [`AuthRunner::new`] whose HTTP calls (login, ticket, token) go through the connection's
    /// proxy as well as its TLS options.
    pub fn with_transport(cfg: AuthConfig, t: &AuthTransport) -> Result<AuthRunner, AuthError> {
        let (tls, timeout) = (&t.tls, t.timeout);
        if let Some(t) = &cfg.ticket {
            match &t.extract {
                TicketExtract::Pointer(p) if !p.starts_with('/') => {
                    return Err(AuthError::Config(format!(
                        "ticket pointer '{p}' must be a JSON pointer starting with '/' (e.g. /ticket)"
                    )))
                }
                TicketExtract::Header(h) if HeaderName::from_bytes(h.trim().as_bytes()).is_err() => {
                    return Err(AuthError::Config(format!(
                        "'{h}' is not a valid header name for the ticket"
                    )))
                }
                _ => {}
            }
            if t.into == TicketInto::Message && cfg.first_message.is_none() {
                return Err(AuthError::Config(
                    "a ticket placed into the first message needs a first message with {{ticket}} \
                     (--auth-first-message) and its acknowledgement (--auth-ack)"
                        .into(),
                ));
            }
        }
        let needs_http = cfg.login.is_some() || cfg.ticket.is_some() || cfg.oauth2.is_some();
        let client = if needs_http {
            Some(build_client(&cfg, tls, t.proxy.as_ref(), timeout)?)
        } else {
            None
        };
        Ok(AuthRunner {
            cfg,
            client,
            token: Mutex::new(None),
            timeout,
            via: t
                .proxy
                .as_ref()
                .map(|p| format!(" through proxy {}", p.display()))
                .unwrap_or_default(),
        })
    }

    pub fn config(&self) -> &AuthConfig {
        &self.cfg
    }

    /// Everything this attempt adds to the upgrade request, fetched now.
    pub async fn prepare(&self) -> Result<Prepared, AuthError> {
        let c = &self.cfg;
        let mut p = static_parts(c);
        let secret_header = |p: &mut Prepared, name: &str, value: String| {
            p.secrets.push(value.clone());
            p.headers.push((name.to_string(), value));
        };
        for (_, v) in c
            .login
            .iter()
            .map(|l| &l.request)
            .chain(c.ticket.iter().map(|t| &t.request))
            .flat_map(|r| r.headers.iter())
        {
            p.secrets.push(v.expose().to_string());
        }
        let mut access_token = None;
        if let Some(o) = &c.oauth2 {
            p.secrets.push(o.client_secret.expose().to_string());
            let token = self.oauth2_token(&p.secrets).await?;
            p.secrets.push(token.clone());
            secret_header(&mut p, "Authorization", format!("Bearer {token}"));
            access_token = Some(token);
        }
        if let Some(login) = &c.login {
            let cookies = self.login(&login.request, &p.secrets).await?;
            let mut pairs = Vec::new();
            for (name, value) in cookies {
                p.secrets.push(value.clone());
                p.cookie_names.push(name.clone());
                pairs.push(format!("{name}={value}"));
            }
            // Cookie names stay visible in reports; their values are secrets.
            p.headers.push(("Cookie".into(), pairs.join("; ")));
        }
        let mut ticket = None;
        if let Some(t) = &c.ticket {
            let value = self.ticket(&t.request, &t.extract, &p.secrets).await?;
            p.secrets.push(value.clone());
            match &t.into {
                TicketInto::Query(name) => p.query.push((name.clone(), value.clone())),
                TicketInto::Header(name) => secret_header(&mut p, name, value.clone()),
                TicketInto::Message => {}
            }
            ticket = Some(value);
        }
        if let Some(f) = &c.first_message {
            let mut text = f.text.expose().to_string();
            p.secrets.push(text.clone());
            if let Some(t) = &ticket {
                text = text.replace("{{ticket}}", t);
            }
            if let Some(t) = &access_token {
                text = text.replace("{{access_token}}", t);
            }
            p.first_message = Some(text);
        }
        Ok(p)
    }

    fn client(&self) -> Result<&reqwest::Client, AuthError> {
        self.client
            .as_ref()
            .ok_or_else(|| AuthError::Config("no HTTP client for the auth step".into()))
    }

    async fn send(
        &self,
        step: &'static str,
        req: &HttpStep,
        extra: Vec<(HeaderName, HeaderValue)>,
        secrets: &[String],
    ) -> Result<Answer, AuthError> {
        let fail = |reason: String| AuthError::Request {
            step,
            url: super::redact(&req.url, secrets),
            via: self.via.clone(),
            reason: super::redact(&reason, secrets),
        };
        let url = url::Url::parse(req.url.trim()).map_err(|e| fail(format!("invalid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(fail("the URL must start with http:// or https://".into()));
        }
        let method = Method::from_bytes(req.method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| fail(format!("invalid HTTP method '{}'", req.method)))?;
        let mut builder = self.client()?.request(method, url);
        for (name, value) in extra {
            builder = builder.header(name, value);
        }
        for (name, value) in &req.headers {
            let n = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| fail(format!("invalid header name '{name}'")))?;
            let v = HeaderValue::from_str(value.expose().trim())
                .map_err(|_| fail(format!("the value of header '{name}' is not allowed")))?;
            builder = builder.header(n, v);
        }
        if let Some(body) = &req.body {
            let b = body.expose();
            let json = b.trim_start().starts_with('{') || b.trim_start().starts_with('[');
            let has_type = req
                .headers
                .iter()
                .any(|(n, _)| n.trim().eq_ignore_ascii_case("content-type"));
            if !has_type {
                let ct = if json {
                    "application/json"
                } else {
                    "application/x-www-form-urlencoded"
                };
                builder = builder.header(CONTENT_TYPE, ct);
            }
            builder = builder.body(b.to_string());
        }
        let send = async {
            let mut resp = builder.send().await.map_err(|e| fail(request_reason(&e)))?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| fail(error_chain(&e)))? {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_BODY {
                    return Err(fail(format!("the answer is over {MAX_BODY} bytes")));
                }
            }
            Ok(Answer {
                status,
                headers,
                body,
            })
        };
        match tokio::time::timeout(self.timeout, send).await {
            Ok(r) => r,
            Err(_) => Err(fail(format!("no answer within {:?}", self.timeout))),
        }
    }

    async fn login(
        &self,
        req: &HttpStep,
        secrets: &[String],
    ) -> Result<Vec<(String, String)>, AuthError> {
        let a = self.send("cookie login", req, Vec::new(), secrets).await?;
        let url = super::redact(&req.url, secrets);
        if !(200..400).contains(&a.status) {
            return Err(AuthError::LoginFailed {
                method: req.method.to_ascii_uppercase(),
                url,
                via: self.via.clone(),
                status: a.status,
                body: preview(&a.body, secrets),
            });
        }
        let cookies: Vec<(String, String)> = a
            .headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| {
                let s = String::from_utf8_lossy(v.as_bytes());
                let first = s.split(';').next()?.trim().to_string();
                let (n, v) = first.split_once('=')?;
                Some((n.trim().to_string(), v.trim().to_string()))
            })
            .filter(|(n, _)| !n.is_empty())
            .collect();
        if cookies.is_empty() {
            return Err(AuthError::LoginNoCookie {
                url,
                status: a.status,
            });
        }
        Ok(cookies)
    }

    async fn ticket(
        &self,
        req: &HttpStep,
        extract: &TicketExtract,
        secrets: &[String],
    ) -> Result<String, AuthError> {
        let a = self
            .send("ticket request", req, Vec::new(), secrets)
            .await?;
        let url = super::redact(&req.url, secrets);
        let body = preview(&a.body, secrets);
        if !(200..300).contains(&a.status) {
            return Err(AuthError::TicketFailed {
                url,
                via: self.via.clone(),
                status: a.status,
                body,
            });
        }
        match extract {
            TicketExtract::Pointer(pointer) => {
                let json: serde_json::Value =
                    serde_json::from_slice(&a.body).map_err(|e| AuthError::TicketNotJson {
                        url: url.clone(),
                        reason: e.to_string(),
                        body: body.clone(),
                    })?;
                match json.pointer(pointer) {
                    Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                    Some(n @ serde_json::Value::Number(_)) => Ok(n.to_string()),
                    _ => Err(AuthError::TicketPointerMissing {
                        url,
                        pointer: pointer.to_string(),
                        body,
                    }),
                }
            }
            TicketExtract::Header(name) => a
                .headers
                .get(name.trim())
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    let mut seen: Vec<&str> = a.headers.keys().map(|k| k.as_str()).collect();
                    seen.dedup();
                    AuthError::TicketHeaderMissing {
                        url,
                        status: a.status,
                        header: name.trim().to_string(),
                        seen: seen.join(", "),
                    }
                }),
            TicketExtract::Regex(re) => {
                let text = String::from_utf8_lossy(&a.body);
                re.captures(&text)
                    .and_then(|c| c.get(1).or_else(|| c.get(0)))
                    .map(|m| m.as_str().to_string())
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| AuthError::TicketRegexNoMatch {
                        url,
                        regex: re.as_str().to_string(),
                        body,
                    })
            }
        }
    }

    /// The cached OAuth2 token, or a new one when there is none or it has expired.
    async fn oauth2_token(&self, secrets: &[String]) -> Result<String, AuthError> {
        let cached = match self.token.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        };
        if let Some((token, expires)) = cached {
            if expires.is_none_or(|e| Instant::now() + EXPIRY_MARGIN < e) {
                return Ok(token);
            }
        }
        let (token, expires) = self.fetch_token(secrets).await?;
        let mut g = match self.token.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = Some((token.clone(), expires));
        Ok(token)
    }

    async fn fetch_token(
        &self,
        secrets: &[String],
    ) -> Result<(String, Option<Instant>), AuthError> {
        let Some(o) = &self.cfg.oauth2 else {
            return Err(AuthError::Config("no OAuth2 settings".into()));
        };
        let form = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials");
            if let Some(scope) = &o.scope {
                form.append_pair("scope", scope);
            }
            form.finish()
        };
        let req = HttpStep {
            method: "POST".into(),
            url: o.token_url.clone(),
            headers: Vec::new(),
            body: Some(super::Secret::new(form)),
        };
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form_encode(&o.client_id),
            form_encode(o.client_secret.expose())
        ));
        let auth = HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| AuthError::Config("the client id has characters not allowed".into()))?;
        let a = self
            .send(
                "OAuth2 token request",
                &req,
                vec![(AUTHORIZATION, auth)],
                secrets,
            )
            .await?;
        let url = super::redact(&o.token_url, secrets);
        let body = preview(&a.body, secrets);
        if !(200..300).contains(&a.status) {
            return Err(AuthError::TokenFailed {
                url,
                via: self.via.clone(),
                status: a.status,
                body,
            });
        }
        let invalid = |reason: String| AuthError::TokenInvalid {
            url: url.clone(),
            reason,
            body: body.clone(),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&a.body).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid("no \"access_token\" string".into()))?;
        let expires = json
            .get("expires_in")
            .and_then(|e| e.as_f64())
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .map(|d| Instant::now() + d);
        Ok((token.to_string(), expires))
    }
}

/// Why an auth request failed; a TLS alert from the server (a client certificate it wants or
/// refuses) is said in words naming --cert/--key.
fn request_reason(e: &reqwest::Error) -> String {
    match find_tls_error(e) {
        Some(rustls::Error::AlertReceived(alert)) => {
            format!("TLS: {}", tls_alert_reason(*alert))
        }
        _ => error_chain(e),
    }
}

/// RFC 6749 §2.3.1: client id and secret are form-encoded before HTTP Basic.
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The first KiB of a body, lossily decoded, with secrets redacted.
fn preview(body: &[u8], secrets: &[String]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(1024)]);
    super::redact(&text, secrets)
}

/// The first auth step whose request goes to an `https://` URL, if any.
fn https_step(cfg: &AuthConfig) -> Option<&'static str> {
    let https = |url: &str| {
        url.trim()
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    };
    let steps = [
        (
            "cookie login",
            cfg.login.as_ref().map(|l| l.request.url.as_str()),
        ),
        (
            "ticket request",
            cfg.ticket.as_ref().map(|t| t.request.url.as_str()),
        ),
        (
            "OAuth2 token request",
            cfg.oauth2.as_ref().map(|o| o.token_url.as_str()),
        ),
    ];
    steps
        .into_iter()
        .find(|(_, url)| url.is_some_and(https))
        .map(|(step, _)| step)
}

/// The HTTP client of the auth steps. The connection's TLS options apply to them: when they cannot
/// be loaded and a step calls an `https://` URL, that is an error naming the step and the flag
/// (never a silent fall back to the OS roots); plain `http://` steps do not use them.
fn build_client(
    cfg: &AuthConfig,
    tls: &TlsOptions,
    proxy: Option<&ProxyConfig>,
    timeout: Duration,
) -> Result<reqwest::Client, AuthError> {
    let config = match tls_config(tls) {
        Ok(c) => c,
        Err(e) => {
            let reason = e.0;
            if let Some(step) = https_step(cfg) {
                // The CA files alone load: the client certificate or key is at fault.
                let ca_only = TlsOptions {
                    client_cert: None,
                    ..tls.clone()
                };
                let option = if tls_config(&ca_only).is_ok() {
                    "--cert/--key"
                } else {
                    "--cacert"
                };
                return Err(AuthError::TlsConfig {
                    step,
                    option,
                    reason,
                });
            }
            // reqwest needs a TLS backend even for http:// requests, which never use it.
            tls_config(&TlsOptions::default())
                .map_err(|e| AuthError::Config(format!("TLS setup for auth requests: {e}")))?
        }
    };
    let builder = match proxy {
        Some(p) => reqwest::Client::builder().proxy(to_reqwest_proxy(p).map_err(|reason| {
            AuthError::Config(format!(
                "proxy for auth requests: proxy {}: {reason}",
                p.display()
            ))
        })?),
        None => reqwest::Client::builder().no_proxy(),
    };
    builder
        .connect_timeout(timeout)
        .user_agent(concat!("sockpit/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(rustls::ClientConfig::clone(&config))
        .build()
        .map_err(|e| AuthError::Config(error_chain(&e)))
}

/// The parts that need no request (bearer, basic, API key, query and subprotocol tokens), for
/// clients that cannot run the full prepare step before each attempt (SSE).
pub fn static_parts(c: &AuthConfig) -> Prepared {
    let mut p = Prepared::default();
    let secret_header = |p: &mut Prepared, name: &str, value: String| {
        p.secrets.push(value.clone());
        p.headers.push((name.to_string(), value));
    };
    if let Some(token) = &c.bearer {
        p.secrets.push(token.expose().to_string());
        secret_header(
            &mut p,
            "Authorization",
            format!("Bearer {}", token.expose()),
        );
    }
    if let Some((user, pass)) = &c.basic {
        p.secrets.push(pass.expose().to_string());
        let raw = format!("{user}:{}", pass.expose());
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
        secret_header(&mut p, "Authorization", format!("Basic {encoded}"));
    }
    if let Some((name, value)) = &c.api_key {
        secret_header(&mut p, name, value.expose().to_string());
    }
    if let Some((name, value)) = &c.query_token {
        p.secrets.push(value.expose().to_string());
        p.query.push((name.clone(), value.expose().to_string()));
    }
    if let Some(token) = &c.subprotocol_token {
        p.secrets.push(token.expose().to_string());
        p.subprotocols.push(token.expose().to_string());
    }
    p
}
