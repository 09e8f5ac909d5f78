//! How a saved request authenticates: every pattern the engine's [`crate::auth`] runs, as stored
//! in the database and written in `NAME.sockpit.json`.
//!
//! Every string field may hold `{{variables}}`. Secret-bearing fields (tokens, passwords, API key
//! values, client secrets, first messages, credential headers of login/ticket calls, and login or
//! ticket bodies marked `body_secret`) are written to shared files only when they are a
//! `{{variable}}`; a literal becomes a placeholder. [`Auth::map_fields`] visits every field with its
//! name and whether it is secret, so rendering, redaction and the placeholder check share one list.

use serde::{Deserialize, Serialize};

use super::model::KeyValue;

fn is_false(b: &bool) -> bool {
    !*b
}

fn post() -> String {
    "POST".into()
}

fn is_post(m: &String) -> bool {
    m == "POST"
}

fn header() -> String {
    "header".into()
}

fn query_ticket() -> String {
    "query:ticket".into()
}

fn is_query_ticket(s: &String) -> bool {
    s == "query:ticket"
}

/// Header names whose literal values are treated as credentials.
pub const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
];

/// Whether a header of this name carries a credential.
pub fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str())
}

/// How a request authenticates. Secret fields are exported only when they are a `{{variable}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer TOKEN`.
    Bearer { token: String },
    /// `Authorization: Basic base64(username:password)`.
    Basic { username: String, password: String },
    /// An API key in a header (default) or a query parameter.
    ApiKey {
        name: String,
        value: String,
        /// `header` (default) or `query`.
        #[serde(rename = "in", default = "header")]
        location: String,
    },
    /// A token as a query parameter (URLs land in server and proxy logs).
    QueryToken { name: String, token: String },
    /// A token offered as one more subprotocol in `Sec-WebSocket-Protocol`.
    SubprotocolToken { token: String },
    /// A message sent on open; other sends wait for the acknowledgement.
    FirstMessage {
        message: String,
        /// A regex, or `/json/pointer=value`.
        ack: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// An HTTP login before each connection; its cookies go on the upgrade request.
    CookieLogin {
        #[serde(default = "post", skip_serializing_if = "is_post")]
        method: String,
        url: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        headers: Vec<KeyValue>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// The body carries a credential (a password): exported only as a `{{variable}}`.
        #[serde(default, skip_serializing_if = "is_false")]
        body_secret: bool,
    },
    /// A one-time ticket from a REST call, fetched fresh for every connection attempt.
    Ticket {
        #[serde(default = "post", skip_serializing_if = "is_post")]
        method: String,
        url: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        headers: Vec<KeyValue>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        body_secret: bool,
        /// Where the ticket is in the answer.
        #[serde(default)]
        extract: TicketExtract,
        /// `query:NAME` (default `query:ticket`), `header:NAME` or `message`.
        #[serde(default = "query_ticket", skip_serializing_if = "is_query_ticket")]
        into: String,
        /// The first message (`{{ticket}}` is filled in), needed when `into` is `message`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_message: Option<FirstMessageSpec>,
    },
    /// OAuth2 client credentials; the token becomes `Authorization: Bearer`.
    Oauth2ClientCredentials {
        token_url: String,
        client_id: String,
        client_secret: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
    /// Mutual TLS: PEM certificate chain and private key (paths relative to the collection file).
    ClientCertificate { cert: String, key: String },
}

/// A first message inside another pattern (a ticket placed into it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirstMessageSpec {
    pub message: String,
    pub ack: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// Where a ticket is found in the ticket endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TicketExtract {
    /// A JSON pointer into the JSON body (`/ticket`).
    Pointer(String),
    /// A response header.
    Header(String),
    /// A regex over the body: its first capture group, or the whole match.
    Regex(String),
}

impl Default for TicketExtract {
    fn default() -> Self {
        TicketExtract::Pointer("/ticket".into())
    }
}

/// One string field of an auth block, as [`Auth::map_fields`] shows it.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// `auth.token`, `auth.headers 'Authorization'`, ...
    pub name: &'a str,
    pub value: &'a str,
    /// Carries a credential: never exported unless a `{{variable}}`.
    pub secret: bool,
}

impl Auth {
    pub fn is_none(&self) -> bool {
        matches!(self, Auth::None)
    }

    /// The `type` as written in files.
    pub fn type_name(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Bearer { .. } => "bearer",
            Auth::Basic { .. } => "basic",
            Auth::ApiKey { .. } => "api_key",
            Auth::QueryToken { .. } => "query_token",
            Auth::SubprotocolToken { .. } => "subprotocol_token",
            Auth::FirstMessage { .. } => "first_message",
            Auth::CookieLogin { .. } => "cookie_login",
            Auth::Ticket { .. } => "ticket",
            Auth::Oauth2ClientCredentials { .. } => "oauth2_client_credentials",
            Auth::ClientCertificate { .. } => "client_certificate",
        }
    }

    /// A copy with every string field replaced by `f(field)`; the first error stops it.
    pub fn map_fields<E>(
        &self,
        mut f: impl FnMut(Field<'_>) -> Result<String, E>,
    ) -> Result<Auth, E> {
        let mut g = |name: &str, value: &str, secret: bool| {
            f(Field {
                name,
                value,
                secret,
            })
        };
        Ok(match self {
            Auth::None => Auth::None,
            Auth::Bearer { token } => Auth::Bearer {
                token: g("auth.token", token, true)?,
            },
            Auth::Basic { username, password } => Auth::Basic {
                username: g("auth.username", username, false)?,
                password: g("auth.password", password, true)?,
            },
            Auth::ApiKey {
                name,
                value,
                location,
            } => Auth::ApiKey {
                name: g("auth.name", name, false)?,
                value: g("auth.value", value, true)?,
                location: location.clone(),
            },
            Auth::QueryToken { name, token } => Auth::QueryToken {
                name: g("auth.name", name, false)?,
                token: g("auth.token", token, true)?,
            },
            Auth::SubprotocolToken { token } => Auth::SubprotocolToken {
                token: g("auth.token", token, true)?,
            },
            Auth::FirstMessage {
                message,
                ack,
                timeout_ms,
            } => Auth::FirstMessage {
                message: g("auth.message", message, true)?,
                ack: g("auth.ack", ack, false)?,
                timeout_ms: *timeout_ms,
            },
            Auth::CookieLogin {
                method,
                url,
                headers,
                body,
                body_secret,
            } => Auth::CookieLogin {
                method: g("auth.method", method, false)?,
                url: g("auth.url", url, false)?,
                headers: map_headers(headers, &mut g)?,
                body: match body {
                    Some(b) => Some(g("auth.body", b, *body_secret)?),
                    None => None,
                },
                body_secret: *body_secret,
            },
            Auth::Ticket {
                method,
                url,
                headers,
                body,
                body_secret,
                extract,
                into,
                first_message,
            } => Auth::Ticket {
                method: g("auth.method", method, false)?,
                url: g("auth.url", url, false)?,
                headers: map_headers(headers, &mut g)?,
                body: match body {
                    Some(b) => Some(g("auth.body", b, *body_secret)?),
                    None => None,
                },
                body_secret: *body_secret,
                extract: extract.clone(),
                into: g("auth.into", into, false)?,
                first_message: match first_message {
                    Some(m) => Some(FirstMessageSpec {
                        message: g("auth.first_message.message", &m.message, true)?,
                        ack: g("auth.first_message.ack", &m.ack, false)?,
                        timeout_ms: m.timeout_ms,
                    }),
                    None => None,
                },
            },
            Auth::Oauth2ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scope,
            } => Auth::Oauth2ClientCredentials {
                token_url: g("auth.token_url", token_url, false)?,
                client_id: g("auth.client_id", client_id, false)?,
                client_secret: g("auth.client_secret", client_secret, true)?,
                scope: match scope {
                    Some(s) => Some(g("auth.scope", s, false)?),
                    None => None,
                },
            },
            Auth::ClientCertificate { cert, key } => Auth::ClientCertificate {
                cert: g("auth.cert", cert, false)?,
                key: g("auth.key", key, false)?,
            },
        })
    }

    /// Every field with its name and secrecy, in order.
    pub fn fields(&self) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        let _ = self.map_fields(|f| {
            out.push((f.name.to_string(), f.value.to_string(), f.secret));
            Ok::<_, ()>(f.value.to_string())
        });
        out
    }
}

fn map_headers<E>(
    headers: &[KeyValue],
    g: &mut impl FnMut(&str, &str, bool) -> Result<String, E>,
) -> Result<Vec<KeyValue>, E> {
    headers
        .iter()
        .map(|h| {
            let place = format!("auth.headers '{}'", h.name);
            Ok(KeyValue {
                name: g(&place, &h.name, false)?,
                value: g(&place, &h.value, is_credential_header(&h.name))?,
                enabled: h.enabled,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_marked() {
        let a = Auth::Ticket {
            method: "POST".into(),
            url: "http://h/api/ws-ticket".into(),
            headers: vec![
                KeyValue::new("Authorization", "Bearer x"),
                KeyValue::new("Accept", "application/json"),
            ],
            body: Some("{}".into()),
            body_secret: false,
            extract: TicketExtract::default(),
            into: "message".into(),
            first_message: Some(FirstMessageSpec {
                message: r#"{"ticket":"{{ticket}}"}"#.into(),
                ack: "/ok=true".into(),
                timeout_ms: None,
            }),
        };
        let secret: Vec<String> = a
            .fields()
            .into_iter()
            .filter(|f| f.2)
            .map(|f| f.1)
            .collect();
        assert_eq!(
            secret,
            vec!["Bearer x".to_string(), r#"{"ticket":"{{ticket}}"}"#.into()]
        );
        let json = serde_json::to_string(&a).unwrap();
        assert!(
            json.contains(r#""extract":{"pointer":"/ticket"}"#),
            "{json}"
        );
        assert!(!json.contains("method"), "{json}");
        let back: Auth = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
}
