//! A rendered request's stored [`Auth`] as the engine's [`AuthConfig`] (and, for a client
//! certificate, the TLS options), refusing placeholders that stand in for unexported secrets.

use std::path::Path;
use std::time::Duration;

use super::prepare::ms;
use super::RunError;
use crate::auth::{
    AckMatch, AuthConfig, FirstMessage, HttpStep, LoginConfig, OAuth2Config, Secret, TicketConfig,
    TicketExtract as EngineExtract, TicketInto,
};
use crate::collection::auth::{Auth, FirstMessageSpec, TicketExtract};
use crate::collection::model::{KeyValue, Request};
use crate::collection::share::SECRET_PLACEHOLDER;
use crate::net::ClientCert;

/// How long first-message auth waits for its acknowledgement when the request does not say.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// What a stored auth block asks of the engine.
#[derive(Debug, Default)]
pub struct StoredAuth {
    pub config: Option<AuthConfig>,
    pub client_cert: Option<ClientCert>,
}

fn invalid(r: &Request, reason: String) -> RunError {
    RunError::Request {
        request: r.name.clone(),
        code: "run.invalid_auth",
        message: format!("auth ({}): {reason}", r.auth.type_name()),
    }
}

/// Fails when a secret field (or an enabled header, or the proxy) still holds the export
/// placeholder.
pub fn check_placeholders(r: &Request) -> Result<(), RunError> {
    let placeholder = r
        .auth
        .fields()
        .into_iter()
        .any(|(_, v, secret)| secret && v == SECRET_PLACEHOLDER)
        || r.headers
            .iter()
            .any(|h| h.enabled && h.value == SECRET_PLACEHOLDER)
        || r.settings.proxy.as_deref() == Some(SECRET_PLACEHOLDER);
    if placeholder {
        return Err(RunError::SecretPlaceholder {
            request: r.name.clone(),
        });
    }
    Ok(())
}

fn headers(list: &[KeyValue]) -> Vec<(String, Secret)> {
    list.iter()
        .filter(|h| h.enabled)
        .map(|h| (h.name.clone(), Secret::new(h.value.clone())))
        .collect()
}

fn first_message(r: &Request, field: &str, m: &FirstMessageSpec) -> Result<FirstMessage, RunError> {
    Ok(FirstMessage {
        text: Secret::new(m.message.clone()),
        ack: AckMatch::parse(&m.ack).map_err(|e| invalid(r, format!("{field}.ack: {e}")))?,
        timeout: m.timeout_ms.map(ms).unwrap_or(DEFAULT_ACK_TIMEOUT),
    })
}

/// The engine configuration for a rendered request's auth; `base_dir` resolves certificate paths.
pub fn stored_auth(r: &Request, base_dir: &Path) -> Result<StoredAuth, RunError> {
    check_placeholders(r)?;
    let mut c = AuthConfig::default();
    let mut client_cert = None;
    match &r.auth {
        Auth::None => {}
        Auth::Bearer { token } => c.bearer = Some(Secret::new(token.clone())),
        Auth::Basic { username, password } => {
            c.basic = Some((username.clone(), Secret::new(password.clone())))
        }
        Auth::ApiKey {
            name,
            value,
            location,
        } => {
            let pair = (name.clone(), Secret::new(value.clone()));
            if location == "query" {
                c.query_token = Some(pair);
            } else {
                c.api_key = Some(pair);
            }
        }
        Auth::QueryToken { name, token } => {
            c.query_token = Some((name.clone(), Secret::new(token.clone())))
        }
        Auth::SubprotocolToken { token } => c.subprotocol_token = Some(Secret::new(token.clone())),
        Auth::FirstMessage {
            message,
            ack,
            timeout_ms,
        } => {
            let spec = FirstMessageSpec {
                message: message.clone(),
                ack: ack.clone(),
                timeout_ms: *timeout_ms,
            };
            c.first_message = Some(first_message(r, "auth", &spec)?);
        }
        Auth::CookieLogin {
            method,
            url,
            headers: h,
            body,
            ..
        } => {
            c.login = Some(LoginConfig {
                request: HttpStep {
                    method: method.clone(),
                    url: url.clone(),
                    headers: headers(h),
                    body: body.clone().map(Secret::new),
                },
            })
        }
        Auth::Ticket {
            method,
            url,
            headers: h,
            body,
            extract,
            into,
            first_message: fm,
            ..
        } => {
            let extract = match extract {
                TicketExtract::Pointer(p) => EngineExtract::Pointer(p.clone()),
                TicketExtract::Header(h) => EngineExtract::Header(h.clone()),
                TicketExtract::Regex(re) => EngineExtract::regex(re)
                    .map_err(|e| invalid(r, format!("auth.extract.regex: {e}")))?,
            };
            c.ticket = Some(TicketConfig {
                request: HttpStep {
                    method: method.clone(),
                    url: url.clone(),
                    headers: headers(h),
                    body: body.clone().map(Secret::new),
                },
                extract,
                into: TicketInto::parse(into).map_err(|e| invalid(r, format!("auth.into: {e}")))?,
            });
            if let Some(m) = fm {
                c.first_message = Some(first_message(r, "auth.first_message", m)?);
            }
        }
        Auth::Oauth2ClientCredentials {
            token_url,
            client_id,
            client_secret,
            scope,
        } => {
            c.oauth2 = Some(OAuth2Config {
                token_url: token_url.clone(),
                client_id: client_id.clone(),
                client_secret: Secret::new(client_secret.clone()),
                scope: scope.clone().filter(|s| !s.is_empty()),
            })
        }
        Auth::ClientCertificate { cert, key } => {
            let resolve = |p: &str| {
                let p = Path::new(p.trim());
                if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    base_dir.join(p)
                }
            };
            client_cert = Some(ClientCert {
                cert_file: resolve(cert),
                key_file: resolve(key),
            });
        }
    }
    Ok(StoredAuth {
        config: (!c.is_empty()).then_some(c),
        client_cert,
    })
}
