//! Authentication for sockets: the patterns real services use, applied to every connection attempt.
//!
//! [`AuthConfig`] holds any combination of: bearer, basic, an API key header, a token in the query
//! string or in `Sec-WebSocket-Protocol`, a cookie login, a one-time ticket from a REST call, OAuth2
//! client credentials, and first-message auth. [`AuthRunner::prepare`] runs before **every**
//! connection attempt (so a reconnect logs in again and fetches a fresh ticket; an OAuth2 token is
//! reused until it expires) and yields the extra headers, query parameters, subprotocols and the
//! first message. Every secret it handles is also listed in [`Prepared::secrets`], so reports,
//! events and errors can be redacted with [`redact`].

mod error;
mod http;

use std::time::Duration;

pub use error::AuthError;
pub use http::{static_parts, AuthRunner};

use crate::net::{ProxyConfig, TlsOptions};

/// A secret string: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The value itself, for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How a connection authenticates. Parts combine (a ticket placed into a first message, a bearer
/// header plus a cookie, ...); all empty means no auth.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// `Authorization: Bearer TOKEN`.
    pub bearer: Option<Secret>,
    /// `Authorization: Basic base64(user:password)`.
    pub basic: Option<(String, Secret)>,
    /// An API key header: name and value.
    pub api_key: Option<(String, Secret)>,
    /// A token as a query parameter (note: URLs end up in server and proxy logs).
    pub query_token: Option<(String, Secret)>,
    /// A token offered as one more subprotocol in `Sec-WebSocket-Protocol` (after the user's).
    pub subprotocol_token: Option<Secret>,
    pub login: Option<LoginConfig>,
    pub ticket: Option<TicketConfig>,
    pub oauth2: Option<OAuth2Config>,
    pub first_message: Option<FirstMessage>,
}

impl AuthConfig {
    /// Checks that every part can work over plain HTTP (SSE): first-message auth, a subprotocol
    /// token and a ticket sent as a message need a WebSocket. The error names the part and why.
    pub fn check_http_only(&self) -> Result<(), AuthError> {
        let why = |what: &str| {
            Err(AuthError::Config(format!(
                "{what} needs a WebSocket: an SSE request is plain HTTP, it has no messages to send \
                 and no Sec-WebSocket-Protocol header; use query:NAME or header:NAME, a token, a \
                 cookie login or OAuth2 instead"
            )))
        };
        if self.first_message.is_some() {
            return why("first-message auth (--auth-first-message)");
        }
        if self.subprotocol_token.is_some() {
            return why("a subprotocol token (--subprotocol-token)");
        }
        if self
            .ticket
            .as_ref()
            .is_some_and(|t| t.into == TicketInto::Message)
        {
            return why("a ticket sent as the first message (--ticket-into message)");
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.bearer.is_none()
            && self.basic.is_none()
            && self.api_key.is_none()
            && self.query_token.is_none()
            && self.subprotocol_token.is_none()
            && self.login.is_none()
            && self.ticket.is_none()
            && self.oauth2.is_none()
            && self.first_message.is_none()
    }
}

/// An HTTP request made before connecting (login, ticket).
#[derive(Debug, Clone)]
pub struct HttpStep {
    pub method: String,
    pub url: String,
    /// Header values are treated as secrets (they usually carry credentials).
    pub headers: Vec<(String, Secret)>,
    /// Request body; treated as a secret (it usually carries a password).
    pub body: Option<Secret>,
}

/// Cookie login: the cookies set by this request go on the upgrade request.
#[derive(Debug, Clone)]
pub struct LoginConfig {
    pub request: HttpStep,
}

/// A one-time ticket from a REST call, fetched fresh for every connection attempt.
#[derive(Debug, Clone)]
pub struct TicketConfig {
    pub request: HttpStep,
    /// Where the ticket is in the response.
    pub extract: TicketExtract,
    pub into: TicketInto,
}

/// Where a ticket is found in the ticket endpoint's answer.
#[derive(Debug, Clone)]
pub enum TicketExtract {
    /// A JSON pointer into the body (`/ticket`); a string or a number.
    Pointer(String),
    /// A response header, by name.
    Header(String),
    /// A regex over the body: its first capture group (the whole match when it has none).
    Regex(regex::Regex),
}

impl TicketExtract {
    /// A regex extractor; the error says why the pattern is not a regex.
    pub fn regex(pattern: &str) -> Result<TicketExtract, String> {
        regex::Regex::new(pattern)
            .map(TicketExtract::Regex)
            .map_err(|e| format!("'{pattern}' is not a valid regex: {}", regex_reason(&e)))
    }

    /// As shown in messages.
    pub fn describe(&self) -> String {
        match self {
            TicketExtract::Pointer(p) => format!("JSON pointer '{p}'"),
            TicketExtract::Header(h) => format!("response header '{h}'"),
            TicketExtract::Regex(r) => format!("regex '{}'", r.as_str()),
        }
    }
}

/// Where a ticket goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketInto {
    Query(String),
    Header(String),
    /// Into `{{ticket}}` of the first message (the ticket alone when there is no first message).
    Message,
}

impl TicketInto {
    /// Parses `query:NAME`, `header:NAME` or `message`.
    pub fn parse(s: &str) -> Result<TicketInto, String> {
        match s.split_once(':') {
            Some(("query", n)) if !n.is_empty() => Ok(TicketInto::Query(n.to_string())),
            Some(("header", n)) if !n.is_empty() => Ok(TicketInto::Header(n.to_string())),
            None if s == "message" => Ok(TicketInto::Message),
            _ => Err(format!(
                "'{s}' is not a ticket place: use query:NAME, header:NAME or message"
            )),
        }
    }
}

/// OAuth2 client credentials grant; the token becomes `Authorization: Bearer`.
#[derive(Debug, Clone)]
pub struct OAuth2Config {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub scope: Option<String>,
}

/// A message sent right after the connection opens; user sends wait until the server acknowledges.
#[derive(Debug, Clone)]
pub struct FirstMessage {
    /// Text sent on open. `{{ticket}}` and `{{access_token}}` are filled in from the prepare step.
    pub text: Secret,
    pub ack: AckMatch,
    pub timeout: Duration,
}

/// How the acknowledgement is recognised.
#[derive(Debug, Clone)]
pub enum AckMatch {
    /// Any text message matching the regex.
    Regex(regex::Regex),
    /// A JSON message whose value at `pointer` equals `value` (a string, or the JSON text of a
    /// number, boolean or null).
    Pointer { pointer: String, value: String },
}

/// A regex syntax error in one line: `regex` spreads it over several (the pattern, a caret, the
/// reason), and the last line says what is wrong.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let why = text.lines().last().unwrap_or_default();
    why.trim().trim_start_matches("error: ").to_string()
}

impl AckMatch {
    /// Parses `/pointer=value` (a JSON pointer starts with `/`) or a regex.
    pub fn parse(s: &str) -> Result<AckMatch, String> {
        if s.starts_with('/') {
            if let Some((p, v)) = s.split_once('=') {
                return Ok(AckMatch::Pointer {
                    pointer: p.to_string(),
                    value: v.to_string(),
                });
            }
        }
        regex::Regex::new(s).map(AckMatch::Regex).map_err(|e| {
            format!(
                "'{s}' is neither /pointer=value nor a valid regex: {}",
                regex_reason(&e)
            )
        })
    }

    /// Whether a received text message is the acknowledgement.
    pub fn matches(&self, text: &str) -> bool {
        match self {
            AckMatch::Regex(re) => re.is_match(text),
            AckMatch::Pointer { pointer, value } => {
                let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                    return false;
                };
                match json.pointer(pointer) {
                    Some(serde_json::Value::String(s)) => s == value,
                    Some(other) => {
                        serde_json::from_str::<serde_json::Value>(value).is_ok_and(|v| &v == other)
                    }
                    None => false,
                }
            }
        }
    }

    /// As shown in messages.
    pub fn describe(&self) -> String {
        match self {
            AckMatch::Regex(re) => format!("regex '{}'", re.as_str()),
            AckMatch::Pointer { pointer, value } => format!("'{pointer}' = '{value}'"),
        }
    }
}

/// How the auth step's HTTP calls travel: the connection's TLS options and proxy.
#[derive(Debug, Clone, Default)]
pub struct AuthTransport {
    pub tls: TlsOptions,
    pub proxy: Option<ProxyConfig>,
    /// Bound on each HTTP call.
    pub timeout: Duration,
}

/// What the prepare step adds to one connection attempt.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub subprotocols: Vec<String>,
    /// The first message to send on open, with its placeholders filled in.
    pub first_message: Option<String>,
    /// Cookie names set by a login (shown; values are secrets).
    pub cookie_names: Vec<String>,
    /// Every secret string this attempt carries, for [`redact`].
    pub secrets: Vec<String>,
}

/// Replaces every secret (and its URL-encoded form) in `text` with `***`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
        let encoded: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
        if encoded != *s && out.contains(&encoded) {
            out = out.replace(&encoded, "***");
        }
    }
    out
}

/// `url` as it may appear in a log: no user info, no fragment, query values as `***` (names
/// kept), then `secrets` redacted. Text that is not a URL gives `(not a URL)`.
pub fn loggable_url(url: &str, secrets: &[String]) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return "(not a URL)".into();
    };
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    let names: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if names.is_empty() {
        u.set_query(None);
    } else {
        let hidden: Vec<String> = names.iter().map(|k| format!("{k}=***")).collect();
        u.set_query(Some(&hidden.join("&")));
    }
    redact(u.as_str(), secrets)
}

/// Only the scheme, host and port of `url`, for logs where the path may carry a secret.
pub fn loggable_origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => "(not a URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_matchers_and_ticket_places_parse() {
        let a = AckMatch::parse("/type=auth_ok").unwrap();
        assert!(a.matches(r#"{"type":"auth_ok"}"#));
        assert!(!a.matches(r#"{"type":"auth_failed"}"#));
        assert!(!a.matches("not json"));
        let a = AckMatch::parse("/ok=true").unwrap();
        assert!(a.matches(r#"{"ok":true}"#));
        let a = AckMatch::parse("^welcome").unwrap();
        assert!(a.matches("welcome alice"));
        let e = AckMatch::parse("(").unwrap_err();
        assert!(!e.contains('\n') && e.contains("unclosed group"), "{e}");
        assert_eq!(
            TicketInto::parse("query:t").unwrap(),
            TicketInto::Query("t".into())
        );
        assert_eq!(TicketInto::parse("message").unwrap(), TicketInto::Message);
        assert!(TicketInto::parse("body").is_err());
        let sse = AuthConfig {
            subprotocol_token: Some(Secret::new("t")),
            ..AuthConfig::default()
        };
        let e = sse.check_http_only().unwrap_err().to_string();
        assert!(
            e.contains("--subprotocol-token") && e.contains("needs a WebSocket"),
            "{e}"
        );
    }

    #[test]
    fn redaction_covers_plain_and_url_encoded_forms() {
        let secrets = vec!["s3cr+t/x".to_string(), "ab".to_string()];
        let r = redact("token=s3cr%2Bt%2Fx and s3cr+t/x, ab", &secrets);
        assert_eq!(r, "token=*** and ***, ab");
        assert_eq!(format!("{:?}", Secret::new("pw")), "Secret(***)");
    }

    #[test]
    fn loggable_urls_hide_user_info_query_values_and_secrets() {
        let secrets = vec!["s3cret-path".to_string()];
        let shown = loggable_url(
            "wss://user:pw@example.com:8443/feed/s3cret-path?token=abc&room=1#frag",
            &secrets,
        );
        assert_eq!(shown, "wss://example.com:8443/feed/***?token=***&room=***");
        assert_eq!(loggable_url("not a url", &secrets), "(not a URL)");
        assert_eq!(
            loggable_origin("https://u:p@example.com/a/b?token=x"),
            "https://example.com"
        );
    }
}
