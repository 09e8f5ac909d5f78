//! Auth-protected Server-Sent Events routes (`/auth/sse/*`): the auth patterns that work over plain
//! HTTP, each answering 401 without valid credentials and otherwise a short event stream whose
//! every event says how the request was authenticated.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use crate::auth::{
    has_session, header_credential, header_str, take_ticket, unauthorized, AuthState, DEMO_TOKEN,
    HEADER_CREDENTIALS_MISSING,
};

type Params = Query<HashMap<String, String>>;

pub(crate) fn routes() -> Router<AuthState> {
    Router::new()
        .route("/auth/sse/query", any(query))
        .route("/auth/sse/bearer", any(bearer))
        .route("/auth/sse/cookie", any(cookie))
        .route("/auth/sse/ticket", any(ticket))
}

/// `n` events (default 3): `id: i`, `event: auth`, `data: {"authenticated":true,"via":..,"n":i}`;
/// then the stream ends.
fn stream(via: &str, q: &HashMap<String, String>) -> Response {
    let n: u64 = q.get("n").and_then(|v| v.parse().ok()).unwrap_or(3);
    let mut body = String::new();
    for i in 1..=n {
        body.push_str(&format!(
            "id: {i}\nevent: auth\ndata: {{\"authenticated\":true,\"via\":\"{via}\",\"n\":{i}}}\n\n"
        ));
    }
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn query(Query(q): Params) -> Response {
    if q.get("token").map(String::as_str) != Some(DEMO_TOKEN) {
        return unauthorized("missing or wrong ?token= query parameter");
    }
    stream("query", &q)
}

async fn bearer(State(st): State<AuthState>, Query(q): Params, h: HeaderMap) -> Response {
    match header_credential(&st, &h) {
        Some(via) => stream(via, &q),
        None => unauthorized(HEADER_CREDENTIALS_MISSING),
    }
}

async fn cookie(State(st): State<AuthState>, Query(q): Params, h: HeaderMap) -> Response {
    if !has_session(&st, &h) {
        return unauthorized("no valid sockpit_session cookie: log in with POST /login first");
    }
    stream("cookie", &q)
}

async fn ticket(State(st): State<AuthState>, Query(q): Params, h: HeaderMap) -> Response {
    let given = q
        .get("ticket")
        .map(String::as_str)
        .unwrap_or_else(|| header_str(&h, "x-ticket"));
    if !take_ticket(&st, given) {
        return unauthorized(
            "ticket unknown, already used or expired: fetch a new one from /api/ws-ticket",
        );
    }
    stream("ticket", &q)
}
