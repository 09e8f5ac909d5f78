//! Auth-protected routes, one per pattern Sockpit supports, with fixed demo credentials
//! ([`DEMO_TOKEN`], [`DEMO_USER`]/[`DEMO_PASSWORD`], [`DEMO_CLIENT_ID`]/[`DEMO_CLIENT_SECRET`]).
//!
//! Every accepted connection first receives `{"authenticated":true,"via":..}` (first-message auth:
//! `{"type":"auth_ok"}`), then echoes.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use base64::Engine;

use crate::routes::echo_loop;

pub const DEMO_TOKEN: &str = "demo-token";
pub const DEMO_USER: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-pass";
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// How long `/auth/first-message` waits for the auth message.
const FIRST_MESSAGE_WAIT: Duration = Duration::from_secs(5);
const TICKET_TTL: Duration = Duration::from_secs(60);

type Params = Query<HashMap<String, String>>;

/// Sessions, tickets and tokens issued so far.
#[derive(Clone, Default)]
pub(crate) struct AuthState {
    next: Arc<AtomicU64>,
    sessions: Arc<Mutex<HashSet<String>>>,
    tickets: Arc<Mutex<HashMap<String, Instant>>>,
    tokens: Arc<Mutex<HashMap<String, Instant>>>,
}

impl AuthState {
    fn fresh_id(&self, prefix: &str) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        format!("{prefix}-{n}-{nanos:08x}")
    }
}

pub(crate) fn router() -> Router {
    Router::new()
        .route("/auth/query", get(query))
        .route("/auth/header", get(header_auth))
        .route("/auth/subprotocol", get(subprotocol))
        .route("/auth/first-message", get(first_message))
        .route("/login", any(login))
        .route("/auth/cookie", get(cookie))
        .route("/api/ws-ticket", any(ws_ticket))
        .route("/auth/ticket", get(ticket))
        .route("/oauth/token", any(oauth_token))
        .route("/auth/mtls", get(crate::tls::mtls_route))
        .merge(crate::auth_sse::routes())
        .with_state(AuthState::default())
}

pub(crate) fn unauthorized(why: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        format!("{why}\n"),
    )
        .into_response()
}

pub(crate) fn welcome(ws: WebSocketUpgrade, via: &'static str) -> Response {
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let hello = format!(r#"{{"authenticated":true,"via":"{via}"}}"#);
        if socket.send(Message::text(hello)).await.is_ok() {
            echo_loop(socket).await;
        }
    })
}

async fn query(ws: WebSocketUpgrade, Query(q): Params) -> Response {
    if q.get("token").map(String::as_str) != Some(DEMO_TOKEN) {
        return unauthorized("missing or wrong ?token= query parameter");
    }
    welcome(ws, "query")
}

pub(crate) fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

pub(crate) fn valid_token(st: &AuthState, token: &str) -> bool {
    let tokens = match st.tokens.lock() {
        Ok(t) => t,
        Err(p) => p.into_inner(),
    };
    tokens.get(token).is_some_and(|exp| *exp > Instant::now())
}

/// Which header credential a request carries (`bearer`, `oauth2`, `basic`, `api_key`), or None.
pub(crate) fn header_credential(st: &AuthState, h: &HeaderMap) -> Option<&'static str> {
    let authz = header_str(h, header::AUTHORIZATION);
    let basic_ok =
        base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_USER}:{DEMO_PASSWORD}"));
    if authz == format!("Bearer {DEMO_TOKEN}") {
        Some("bearer")
    } else if authz
        .strip_prefix("Bearer ")
        .is_some_and(|t| valid_token(st, t))
    {
        Some("oauth2")
    } else if authz == format!("Basic {basic_ok}") {
        Some("basic")
    } else if header_str(h, "x-api-key") == DEMO_TOKEN {
        Some("api_key")
    } else {
        None
    }
}

/// The answer to a request without valid header credentials.
pub(crate) const HEADER_CREDENTIALS_MISSING: &str =
    "missing or wrong credentials: send Authorization: Bearer, Basic, or X-API-Key";

async fn header_auth(ws: WebSocketUpgrade, State(st): State<AuthState>, h: HeaderMap) -> Response {
    match header_credential(&st, &h) {
        Some(via) => welcome(ws, via),
        None => unauthorized(HEADER_CREDENTIALS_MISSING),
    }
}

async fn subprotocol(ws: WebSocketUpgrade, h: HeaderMap) -> Response {
    let offered: Vec<String> = header_str(&h, header::SEC_WEBSOCKET_PROTOCOL)
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if !offered.iter().any(|p| p == DEMO_TOKEN) {
        return unauthorized("no token among the offered subprotocols");
    }
    // Select the first real protocol offered, or the token itself when it is the only one.
    let selected = offered
        .iter()
        .find(|p| *p != DEMO_TOKEN)
        .cloned()
        .unwrap_or_else(|| DEMO_TOKEN.to_string());
    welcome(ws.protocols([selected]), "subprotocol")
}

async fn close_with(mut socket: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if socket.send(Message::Close(Some(frame))).await.is_ok() {
        // Read until the client's close reply so that the close handshake completes.
        while let Some(Ok(_)) = socket.recv().await {}
    }
}

/// Takes a ticket out of the table: `true` when it was issued, unused and not expired.
pub(crate) fn take_ticket(st: &AuthState, ticket: &str) -> bool {
    match st.tickets.lock() {
        Ok(mut t) => t.remove(ticket).is_some_and(|exp| exp > Instant::now()),
        Err(_) => false,
    }
}

async fn first_message(
    ws: WebSocketUpgrade,
    State(st): State<AuthState>,
    Query(q): Params,
) -> Response {
    let close_after = q.get("close_after").and_then(|v| v.parse::<u64>().ok());
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let first = tokio::time::timeout(FIRST_MESSAGE_WAIT, async {
            loop {
                match socket.recv().await {
                    Some(Ok(Message::Text(t))) => return Some(t.as_str().to_string()),
                    Some(Ok(Message::Binary(_))) => return Some(String::new()),
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        })
        .await;
        let text = match first {
            Err(_) => return close_with(socket, 4002, "Authentication timeout").await,
            Ok(None) => return,
            Ok(Some(t)) => t,
        };
        // A token, or a ticket from /api/ws-ticket (single use, like /auth/ticket).
        let ok = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| {
            v["type"] == "auth"
                && (v["token"] == DEMO_TOKEN
                    || v["ticket"].as_str().is_some_and(|t| take_ticket(&st, t)))
        });
        if !ok {
            return close_with(socket, 4001, "Invalid credentials").await;
        }
        if socket
            .send(Message::text(r#"{"type":"auth_ok"}"#))
            .await
            .is_err()
        {
            return;
        }
        match close_after {
            Some(ms) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                close_with(socket, 1012, "service restart").await;
            }
            None => echo_loop(socket).await,
        }
    })
}

fn credentials(body: &[u8]) -> Option<(String, String)> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        return Some((
            v["username"].as_str()?.to_string(),
            v["password"].as_str()?.to_string(),
        ));
    }
    let text = std::str::from_utf8(body).ok()?;
    let mut user = None;
    let mut pass = None;
    for pair in text.split('&') {
        match pair.split_once('=') {
            Some(("username", v)) => user = Some(v.to_string()),
            Some(("password", v)) => pass = Some(v.to_string()),
            _ => {}
        }
    }
    Some((user?, pass?))
}

async fn login(State(st): State<AuthState>, body: Bytes) -> Response {
    if credentials(&body) != Some((DEMO_USER.into(), DEMO_PASSWORD.into())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"invalid credentials"}"#,
        )
            .into_response();
    }
    let id = st.fresh_id("sess");
    if let Ok(mut s) = st.sessions.lock() {
        s.insert(id.clone());
    }
    let cookie = format!("sockpit_session={id}; Path=/; HttpOnly; SameSite=Lax");
    (
        [
            (header::SET_COOKIE, cookie),
            (header::CONTENT_TYPE, "application/json".to_string()),
        ],
        r#"{"ok":true}"#,
    )
        .into_response()
}

pub(crate) fn has_session(st: &AuthState, h: &HeaderMap) -> bool {
    let sessions = match st.sessions.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("sockpit_session="))
        .any(|id| sessions.contains(id))
}

async fn cookie(ws: WebSocketUpgrade, State(st): State<AuthState>, h: HeaderMap) -> Response {
    if !has_session(&st, &h) {
        return unauthorized("no valid sockpit_session cookie: log in with POST /login first");
    }
    welcome(ws, "cookie")
}

pub(crate) async fn ws_ticket(
    State(st): State<AuthState>,
    Query(q): Params,
    h: HeaderMap,
) -> Response {
    let authz = header_str(&h, header::AUTHORIZATION);
    if authz != format!("Bearer {DEMO_TOKEN}") && !has_session(&st, &h) {
        return unauthorized("ticket endpoint: send Authorization: Bearer or a session cookie");
    }
    let ticket = st.fresh_id("tkt");
    if let Ok(mut t) = st.tickets.lock() {
        let now = Instant::now();
        t.retain(|_, exp| *exp > now);
        t.insert(ticket.clone(), now + TICKET_TTL);
    }
    // The ticket is also in the X-Ticket response header (except for shape=empty), so clients
    // can take it from a header, the JSON or (shape=text) the text with a regex.
    let header = [("x-ticket", ticket.clone())];
    match q.get("shape").map(String::as_str) {
        Some("text") => (header, format!("ticket {ticket}\n")).into_response(),
        Some("empty") => axum::Json(serde_json::json!({"data":{}})).into_response(),
        _ => (
            header,
            axum::Json(serde_json::json!({"ticket": ticket, "expires_in": TICKET_TTL.as_secs()})),
        )
            .into_response(),
    }
}

async fn ticket(
    ws: WebSocketUpgrade,
    State(st): State<AuthState>,
    Query(q): Params,
    h: HeaderMap,
) -> Response {
    let given = q
        .get("ticket")
        .map(String::as_str)
        .unwrap_or_else(|| header_str(&h, "x-ticket"));
    // Single use: taking it out of the table is what makes a second use fail.
    if !take_ticket(&st, given) {
        return unauthorized(
            "ticket unknown, already used or expired: fetch a new one from /api/ws-ticket",
        );
    }
    if let Some(ms) = q.get("close_after").and_then(|v| v.parse::<u64>().ok()) {
        return ws.on_upgrade(move |mut socket: WebSocket| async move {
            let hello = r#"{"authenticated":true,"via":"ticket"}"#;
            if socket.send(Message::text(hello)).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                close_with(socket, 1012, "service restart").await;
            }
        });
    }
    welcome(ws, "ticket")
}

async fn oauth_token(
    State(st): State<AuthState>,
    Query(q): Params,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = url_pairs(&body);
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"));
    let client_ok = header_str(&h, header::AUTHORIZATION) == format!("Basic {basic}")
        || (form.get("client_id").map(String::as_str) == Some(DEMO_CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(DEMO_CLIENT_SECRET));
    let error = |status: StatusCode, code: &str| {
        (status, axum::Json(serde_json::json!({ "error": code }))).into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    if !client_ok {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let expires_in: u64 = q
        .get("expires_in")
        .and_then(|v| v.parse().ok())
        .unwrap_or(3600);
    let token = st.fresh_id("oat");
    if let Ok(mut t) = st.tokens.lock() {
        t.insert(
            token.clone(),
            Instant::now() + Duration::from_secs(expires_in),
        );
    }
    axum::Json(serde_json::json!({
        "access_token": token, "token_type": "Bearer", "expires_in": expires_in
    }))
    .into_response()
}

fn url_pairs(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// Minimal `application/x-www-form-urlencoded` decoding (`+` and `%XX`).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match (b, escaped) {
            (_, Some(e)) => {
                out.push(e);
                i += 2;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
