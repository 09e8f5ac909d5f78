//! Auth flags shared by `sockpit connect` and `sockpit sse` (flattened into both), and their
//! translation into `sockpit_core::auth::AuthConfig`.

use std::time::Duration;

use clap::Args;
use sockpit_core::auth::{
    AckMatch, AuthConfig, FirstMessage, HttpStep, LoginConfig, OAuth2Config, Secret, TicketConfig,
    TicketExtract, TicketInto,
};

#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Authentication")]
pub struct AuthArgs {
    /// Authorization: Bearer TOKEN on the request.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SOCKPIT_BEARER",
        hide_env_values = true
    )]
    pub bearer: Option<String>,
    /// HTTP Basic credentials USER:PASS.
    #[arg(long, value_name = "USER:PASS")]
    pub basic: Option<String>,
    /// API key header, 'Name: value'.
    #[arg(long = "api-key", value_name = "'NAME: VALUE'")]
    pub api_key: Option<String>,
    /// Token as a query parameter NAME=VALUE (note: URLs land in server and proxy logs).
    #[arg(long = "query-token", value_name = "NAME=VALUE")]
    pub query_token: Option<String>,
    /// Offer TOKEN as one more subprotocol in Sec-WebSocket-Protocol (after -p ones).
    #[arg(long = "subprotocol-token", value_name = "TOKEN")]
    pub subprotocol_token: Option<String>,
    /// First-message auth: send TEXT on open ({{ticket}} and {{access_token}} are filled in);
    /// other sends wait for the acknowledgement.
    #[arg(
        long = "auth-first-message",
        value_name = "TEXT",
        requires = "auth_ack"
    )]
    pub auth_first_message: Option<String>,
    /// The acknowledgement: a regex, or /json/pointer=value.
    #[arg(
        long = "auth-ack",
        value_name = "REGEX|/POINTER=VALUE",
        requires = "auth_first_message"
    )]
    pub auth_ack: Option<String>,
    /// How long to wait for the acknowledgement.
    #[arg(long = "auth-ack-timeout", value_name = "SECS", default_value_t = 10.0)]
    pub auth_ack_timeout: f64,
    /// Cookie login: request this URL before each connection; its cookies go on the request.
    #[arg(long = "login-url", value_name = "URL")]
    pub login_url: Option<String>,
    #[arg(long = "login-method", value_name = "METHOD", default_value = "POST")]
    pub login_method: String,
    /// Login request body (JSON or form; the content type follows).
    #[arg(long = "login-body", value_name = "BODY")]
    pub login_body: Option<String>,
    /// Login request header 'Name: value' (repeatable).
    #[arg(long = "login-header", value_name = "'NAME: VALUE'")]
    pub login_header: Vec<String>,
    /// Ticket: request this URL before each connection and take the ticket from its JSON.
    #[arg(long = "ticket-url", value_name = "URL")]
    pub ticket_url: Option<String>,
    #[arg(long = "ticket-method", value_name = "METHOD", default_value = "POST")]
    pub ticket_method: String,
    /// Ticket request header 'Name: value' (repeatable).
    #[arg(long = "ticket-header", value_name = "'NAME: VALUE'")]
    pub ticket_header: Vec<String>,
    /// JSON pointer to the ticket in the answer (the default: /ticket).
    #[arg(long = "ticket-pointer", value_name = "/PTR")]
    pub ticket_pointer: Option<String>,
    /// Take the ticket from this response header of the ticket answer instead of its JSON.
    #[arg(long = "ticket-response-header", value_name = "NAME")]
    pub ticket_response_header: Option<String>,
    /// Take the ticket from the ticket answer's body with this regex (its first capture group,
    /// or the whole match when it has none) instead of a JSON pointer.
    #[arg(long = "ticket-regex", value_name = "REGEX")]
    pub ticket_regex: Option<String>,
    /// Where the ticket goes: query:NAME, header:NAME or message ({{ticket}} in --auth-first-message).
    #[arg(
        long = "ticket-into",
        value_name = "PLACE",
        default_value = "query:ticket"
    )]
    pub ticket_into: String,
    /// OAuth2 client credentials: token endpoint (the token becomes Authorization: Bearer).
    #[arg(long = "oauth2-token-url", value_name = "URL", requires_all = ["client_id", "client_secret"])]
    pub oauth2_token_url: Option<String>,
    #[arg(long = "client-id", value_name = "ID", requires = "oauth2_token_url")]
    pub client_id: Option<String>,
    #[arg(
        long = "client-secret",
        value_name = "SECRET",
        env = "SOCKPIT_CLIENT_SECRET",
        hide_env_values = true,
        requires = "oauth2_token_url"
    )]
    pub client_secret: Option<String>,
    /// OAuth2 scope.
    #[arg(long, value_name = "SCOPE", requires = "oauth2_token_url")]
    pub scope: Option<String>,
}

fn name_value(flag: &str, s: &str, sep: char) -> Result<(String, String), String> {
    match s.split_once(sep) {
        Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_string(), v.trim().to_string())),
        _ => Err(format!(
            "--{flag}: expected {}, got something else",
            if sep == ':' {
                "'Name: value'"
            } else {
                "NAME=VALUE"
            }
        )),
    }
}

fn headers(flag: &str, list: &[String]) -> Result<Vec<(String, Secret)>, String> {
    list.iter()
        .map(|h| name_value(flag, h, ':').map(|(n, v)| (n, Secret::new(v))))
        .collect()
}

impl AuthArgs {
    /// Where the ticket is in the answer: one of --ticket-pointer, --ticket-response-header,
    /// --ticket-regex (the pointer /ticket when none is given).
    fn ticket_extract(&self) -> Result<TicketExtract, String> {
        let given: Vec<&str> = [
            self.ticket_pointer.as_ref().map(|_| "--ticket-pointer"),
            self.ticket_response_header
                .as_ref()
                .map(|_| "--ticket-response-header"),
            self.ticket_regex.as_ref().map(|_| "--ticket-regex"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            return Err(format!(
                "{} say two different places for the ticket: give only one of --ticket-pointer, \
                 --ticket-response-header and --ticket-regex",
                given.join(" and ")
            ));
        }
        if let Some(h) = &self.ticket_response_header {
            if h.trim().is_empty() || h.contains(':') {
                return Err(format!(
                    "--ticket-response-header: '{h}' is not a header name (give the name only, e.g. X-Ticket)"
                ));
            }
            return Ok(TicketExtract::Header(h.trim().to_string()));
        }
        if let Some(r) = &self.ticket_regex {
            return TicketExtract::regex(r).map_err(|e| format!("--ticket-regex: {e}"));
        }
        let p = self.ticket_pointer.as_deref().unwrap_or("/ticket");
        if !p.starts_with('/') {
            return Err(format!(
                "--ticket-pointer: '{p}' is not a JSON pointer; start it with '/', e.g. /ticket"
            ));
        }
        Ok(TicketExtract::Pointer(p.to_string()))
    }

    /// The auth configuration, `None` when no auth flag was given. Errors are usage errors.
    pub fn config(&self) -> Result<Option<AuthConfig>, String> {
        let mut c = AuthConfig {
            bearer: self.bearer.clone().map(Secret::new),
            subprotocol_token: self.subprotocol_token.clone().map(Secret::new),
            ..AuthConfig::default()
        };
        if let Some(b) = &self.basic {
            let (user, pass) = b
                .split_once(':')
                .ok_or("--basic: expected USER:PASS (the ':' is missing)")?;
            c.basic = Some((user.to_string(), Secret::new(pass)));
        }
        if let Some(k) = &self.api_key {
            let (n, v) = name_value("api-key", k, ':')?;
            c.api_key = Some((n, Secret::new(v)));
        }
        if let Some(q) = &self.query_token {
            let (n, v) = name_value("query-token", q, '=')?;
            c.query_token = Some((n, Secret::new(v)));
        }
        if let Some(url) = &self.login_url {
            c.login = Some(LoginConfig {
                request: HttpStep {
                    method: self.login_method.clone(),
                    url: url.clone(),
                    headers: headers("login-header", &self.login_header)?,
                    body: self.login_body.clone().map(Secret::new),
                },
            });
        }
        if self.ticket_url.is_none()
            && (self.ticket_pointer.is_some()
                || self.ticket_response_header.is_some()
                || self.ticket_regex.is_some())
        {
            return Err(
                "--ticket-pointer, --ticket-response-header and --ticket-regex need --ticket-url"
                    .into(),
            );
        }
        if let Some(url) = &self.ticket_url {
            c.ticket = Some(TicketConfig {
                request: HttpStep {
                    method: self.ticket_method.clone(),
                    url: url.clone(),
                    headers: headers("ticket-header", &self.ticket_header)?,
                    body: None,
                },
                extract: self.ticket_extract()?,
                into: TicketInto::parse(&self.ticket_into)
                    .map_err(|e| format!("--ticket-into: {e}"))?,
            });
        }
        if let (Some(url), Some(id), Some(secret)) =
            (&self.oauth2_token_url, &self.client_id, &self.client_secret)
        {
            c.oauth2 = Some(OAuth2Config {
                token_url: url.clone(),
                client_id: id.clone(),
                client_secret: Secret::new(secret.clone()),
                scope: self.scope.clone(),
            });
        }
        if let (Some(text), Some(ack)) = (&self.auth_first_message, &self.auth_ack) {
            let timeout = Duration::try_from_secs_f64(self.auth_ack_timeout)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or("--auth-ack-timeout must be a positive number of seconds")?;
            c.first_message = Some(FirstMessage {
                text: Secret::new(text.clone()),
                ack: AckMatch::parse(ack).map_err(|e| format!("--auth-ack: {e}"))?,
                timeout,
            });
        }
        Ok((!c.is_empty()).then_some(c))
    }
}
