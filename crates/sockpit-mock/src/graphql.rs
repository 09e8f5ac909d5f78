//! `/graphql`: GraphQL over WebSocket (graphql-transport-ws and the legacy
//! subscriptions-transport-ws, subprotocol `graphql-ws`) and over HTTP POST, on async-graphql.
//!
//! The schema (SDL):
//! ```graphql
//! type Query { hello(name: String): String!  boom: String }
//! type Mutation { add(a: Int!, b: Int!): Int!  echo(text: String!): String! }
//! type Subscription { count(to: Int!, intervalMs: Int! = 100): Int! }
//! ```
//! `hello` answers `hello NAME` (`hello world`); `boom` always fails (a field error in `errors`,
//! `data.boom` null); `add` fails on overflow; `count` yields 1..=to every intervalMs ms, then
//! completes (to at most 1,000,000, intervalMs 0..=60,000).

use std::time::Duration;

use async_graphql::{Object, Schema, Subscription};
use async_graphql_axum::{GraphQL, GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::Stream;

/// The mock's schema.
pub type MockSchema = Schema<Query, Mutation, Subscriptions>;

/// Largest `count(to:)` and `intervalMs` accepted.
const MAX_COUNT: i32 = 1_000_000;
const MAX_INTERVAL_MS: i32 = 60_000;

pub struct Query;

#[Object]
impl Query {
    /// `hello NAME`, or `hello world` without a name.
    async fn hello(&self, name: Option<String>) -> String {
        format!("hello {}", name.as_deref().unwrap_or("world"))
    }

    /// Always fails: shows a field error in `errors`.
    async fn boom(&self) -> async_graphql::Result<Option<String>> {
        Err("boom: this field always fails".into())
    }
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// `a + b`; an error when it overflows an Int.
    async fn add(&self, a: i32, b: i32) -> async_graphql::Result<i32> {
        a.checked_add(b)
            .ok_or_else(|| format!("add: {a} + {b} overflows Int").into())
    }

    /// The text, unchanged.
    async fn echo(&self, text: String) -> String {
        text
    }
}

pub struct Subscriptions;

#[Subscription]
impl Subscriptions {
    /// 1, 2, .. `to`, one every `intervalMs` ms (the first after one interval), then complete.
    async fn count(
        &self,
        to: i32,
        #[graphql(default = 100)] interval_ms: i32,
    ) -> async_graphql::Result<impl Stream<Item = i32>> {
        if !(0..=MAX_COUNT).contains(&to) {
            return Err(format!("count: `to` must be 0..={MAX_COUNT}, got {to}").into());
        }
        if !(0..=MAX_INTERVAL_MS).contains(&interval_ms) {
            return Err(format!(
                "count: `intervalMs` must be 0..={MAX_INTERVAL_MS}, got {interval_ms}"
            )
            .into());
        }
        let every = Duration::from_millis(u64::from(interval_ms.unsigned_abs()));
        Ok(futures_util::stream::unfold(0, move |i| async move {
            if i >= to {
                return None;
            }
            if every.is_zero() {
                // Without a pause, still give the connection's other work a turn now and then.
                if i % 64 == 63 {
                    tokio::task::yield_now().await;
                }
            } else {
                tokio::time::sleep(every).await;
            }
            Some((i + 1, i + 1))
        }))
    }
}

pub fn schema() -> MockSchema {
    Schema::build(Query, Mutation, Subscriptions).finish()
}

/// `GET /graphql` upgrades to GraphQL over WebSocket; `POST /graphql` answers a GraphQL request.
pub(crate) fn router() -> Router {
    let schema = schema();
    Router::new()
        .route(
            "/graphql",
            get(upgrade).post_service(GraphQL::new(schema.clone())),
        )
        .with_state(schema)
}

/// The first subprotocol the client offered that we speak: the same rule as async-graphql's
/// `GraphQLProtocol` extractor, so the selected header and the spoken protocol agree (its own
/// `GraphQLSubscription` selects in the server's order instead, which can disagree).
fn offered_protocol(headers: &HeaderMap) -> Option<&'static str> {
    let offered = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?;
    offered.split(',').find_map(|p| {
        let p = p.trim();
        ["graphql-transport-ws", "graphql-ws"]
            .into_iter()
            .find(|known| p.eq_ignore_ascii_case(known))
    })
}

/// Upgrades with the protocol the client offered first (400 when it offered neither).
async fn upgrade(
    State(schema): State<MockSchema>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let selected = offered_protocol(&headers).unwrap_or("graphql-transport-ws");
    ws.protocols([selected])
        .on_upgrade(move |socket| GraphQLWebSocket::new(socket, schema, protocol).serve())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_documented_schema_answers_and_fails_as_documented() {
        let sdl = schema().sdl();
        for field in [
            "hello(name: String): String!",
            "boom: String",
            "add(a: Int!, b: Int!): Int!",
            "echo(text: String!): String!",
            "count(to: Int!, intervalMs: Int! = 100): Int!",
        ] {
            assert!(sdl.contains(field), "{field} missing from\n{sdl}");
        }
        let ok = schema()
            .execute(r#"{ hello(name: "x") } "#)
            .await
            .into_result()
            .unwrap();
        assert_eq!(ok.data.to_string(), r#"{hello: "hello x"}"#);
        let overflow = schema()
            .execute("mutation { add(a: 2147483647, b: 1) }")
            .await;
        assert!(overflow.errors[0].message.contains("overflows"));
    }
}
