//! Sockpit's built-in mock server: the peer behind `sockpit serve`, the first-run demo and the tests.
//!
//! Every route is listed by [`ROUTES`] (printed by `sockpit serve --help` and served at `/`).

pub mod auth;
mod auth_sse;
pub mod chaos;
pub mod graphql;
pub mod mqtt;
pub mod proto;
mod rooms;
mod routes;
pub mod socketio;
pub mod sse;
pub mod stomp;
mod tls;

pub use tls::TlsSettings;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex};

use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, oneshot};

/// The routes, one line each: path, parameters, behaviour.
pub const ROUTES: &str = r#"/echo[?protocols=a,b]          echoes every text and binary message; selects the first offered protocol from the list
/broadcast                     rooms: {"action":"join"|"leave","room":R} answer {"type":"joined"|"left",
                               "room":R,"id":ID,"members":N}; {"action":"message","room":R,"data":X}
                               reaches every member (sender too) as {"type":"message","room":R,
                               "from":ID,"data":X}; a bad action answers {"type":"error","error":..};
                               any other message goes to every other connected client
/flood?n=&size=&binary=        sends n messages of size bytes as fast as possible, then closes with 1000
/close?code=&reason=           closes at once with the given code (default 1000) and reason
/drop[?ms=&times=&key=]        resets the TCP connection (no close frame) after ms; with key, only the first
                               `times` connections for that key drop, later ones echo
/slow?ms=                      waits ms before answering the upgrade, then echoes
/fragment?parts=&size=&binary=&ping=  one message of size bytes (default 1024, a-z repeated) split into
                               parts frames (default 4: text/binary, then continuations), a ping
                               between the first two with ping=1, then closes with 1000
/pings?n=&interval=            a ping storm: n pings (default 10) every interval ms (default 10), then
                               reports {"pings":n,"pongs":K} (the pongs it got back) and closes 1000
/oversize?size=&binary=        one message of size bytes (default 16 MiB), then echoes: try a client's
                               max message size (sockpit connect --max-message-size closes with 1009)
/headers                       first message: JSON with the request's headers and query; then echoes
/reject?status=&body=          refuses the upgrade with that HTTP status (default 401) and body
/sse?n=&interval=&eol=&...     Server-Sent Events feed (any method): n items (default 10, 0 endless) every
                               interval ms (default 100) with ids, types, multi-line data, comments and
                               retry (ms, default 1000); eol=lf|crlf|cr, chunk=BYTES[&chunk_delay=ms]
                               splits writes, bom=1, drop_after=K cuts each connection mid-event after
                               K events, resumes after Last-Event-ID, done=1 answers 204 to a resume
                               once the feed is over, echo=1 first sends the request as an event
/feed?n=&interval=&last_event_id=  the /sse items as JSON text messages (id, type, data), then 1000
/proto?n=&interval=&framing=   n binary protobuf sockpit.demo.Envelope messages (default 10, 0 endless) every
                               interval ms (default 100), schema collections/protos/sockpit_demo.proto;
                               framing=none|varint|grpc; echoes what it is sent
/socket.io/                    Socket.IO v4 (Engine.IO 4: polling then upgrade, or websocket only; pings every
                               5 s). Namespaces / and /chat: "echo" emits "echo" back with the same args
                               (binary stays binary) and acks with them when asked; "ack-me" acks with its
                               args; "chat" emits "chat" with its args to the whole namespace, sender too;
                               "bin" emits "bin" ["pic", <binary 01 02 03>]. /chat needs auth
                               {"token":"demo-token"} (connect_error "not authorized: ..." otherwise) and
                               greets with "joined" ["/chat"]
/graphql                       GraphQL over WebSocket, graphql-transport-ws or legacy graphql-ws (the first
                               the client offers), and over HTTP POST. Query { hello(name: String): String!,
                               boom: String (always an error) }, Mutation { add(a: Int!, b: Int!): Int!,
                               echo(text: String!): String! }, Subscription { count(to: Int!,
                               intervalMs: Int! = 100): Int! } (1..to, then complete)
/stomp                         a STOMP 1.0-1.2 broker (v12.stomp, v11.stomp, v10.stomp): SUBSCRIBE/UNSUBSCRIBE,
                               SEND to every subscription of exactly that destination (sender too) as MESSAGE,
                               BEGIN/COMMIT/ABORT, ACK/NACK, a RECEIPT for every receipt header, heart-beats
                               (offers 1000,1000), DISCONNECT; login demo with a passcode other than demo-pass
                               is refused (ERROR "bad credentials for user 'demo'"), any other login is accepted
/mqtt                          an MQTT 3.1.1/5 broker (subprotocol mqtt): QoS 0/1/2 both ways, + and # filters,
                               retained messages (an empty payload clears one) sent to later subscribers,
                               PINGREQ; user demo with a password other than demo-pass is refused (CONNACK 4
                               "bad user name or password", v5 0x86), anyone else is accepted
Auth routes (demo credentials: token demo-token, user demo / demo-pass, client demo-client / demo-secret);
each accepted connection first gets {"authenticated":true,"via":..}, then echoes:
/auth/query?token=             token in the query string (401 without it)
/auth/header                   Authorization: Bearer demo-token, Basic demo:demo-pass, an OAuth2 token
                               from /oauth/token, or X-API-Key: demo-token (401 otherwise)
/auth/subprotocol              token offered in Sec-WebSocket-Protocol; selects the first other protocol
/auth/first-message[?close_after=MS]  expects {"type":"auth","token":"demo-token"} (or "ticket": a fresh
                               ticket from /api/ws-ticket) first, answers {"type":"auth_ok"} (then
                               echoes, or closes with 1012 after MS ms);
                               closes 4001 'Invalid credentials' on a bad one, 4002 'Authentication
                               timeout' after 5 s without one
/login                         POST {"username":"demo","password":"demo-pass"} (JSON or form): sets the
                               sockpit_session cookie; 401 on wrong credentials
/auth/cookie                   needs the session cookie from /login (401 at the handshake without it)
/api/ws-ticket[?shape=text|empty]  with Bearer demo-token or the session cookie: {"ticket":..,"expires_in":60}
                               and the X-Ticket header, single use, 60 s; shape=text answers
                               `ticket VALUE` (for a regex), shape=empty JSON and no header without it
/auth/ticket?ticket=[&close_after=MS]  needs a fresh ticket (query or X-Ticket header; 401 when reused
                               or expired); close_after closes with 1012 MS ms after the greeting
/oauth/token[?expires_in=S]    OAuth2 client credentials (HTTP Basic or form client_id/client_secret):
                               {"access_token":..,"expires_in":S}; 401 invalid_client, 400 bad grant
/auth/mtls                     accepted when the TLS handshake verified a client certificate (serve with
                               --tls-cert, --tls-key and --client-ca: then every route needs one)
SSE auth routes (any method; n events, default 3, each {"authenticated":true,"via":..,"n":I}; 401 otherwise):
/auth/sse/query?token=         token in the query string
/auth/sse/bearer               Authorization: Bearer demo-token or an OAuth2 token, Basic, or X-API-Key
/auth/sse/cookie               the session cookie from /login
/auth/sse/ticket?ticket=       a fresh ticket (query or X-Ticket header), single use
Over TLS (--tls-cert/--tls-key) every route is also served as wss:// and https://.
"#;

/// State shared by all routes.
#[derive(Clone)]
pub(crate) struct AppState {
    pub broadcast: broadcast::Sender<(u64, axum::extract::ws::Message)>,
    pub next_client: Arc<std::sync::atomic::AtomicU64>,
    /// Raw socket of each accepted connection by peer address, so `/drop` can reset it.
    pub sockets: Arc<Mutex<HashMap<SocketAddr, RawFd>>>,
    /// Connections dropped so far per `/drop?key=`.
    pub drops: Arc<Mutex<HashMap<String, u32>>>,
    /// `/broadcast` rooms and their members.
    pub rooms: rooms::Rooms,
}

/// A running mock server; dropping it (or [`MockServer::shutdown`]) stops it.
pub struct MockServer {
    addr: SocketAddr,
    tls: bool,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl MockServer {
    /// Binds `host:port` (port 0 picks a free one) and serves on the current runtime.
    pub async fn start(host: &str, port: u16) -> std::io::Result<MockServer> {
        MockServer::start_with(host, port, None).await
    }

    /// [`MockServer::start`] over TLS (`wss://`, `https://`); with a client CA in `tls`, every
    /// connection must present a client certificate signed by it (mTLS). Bad PEM input is an
    /// `InvalidInput` error naming the setting.
    pub async fn start_tls(host: &str, port: u16, tls: TlsSettings) -> std::io::Result<MockServer> {
        MockServer::start_with(host, port, Some(tls)).await
    }

    async fn start_with(
        host: &str,
        port: u16,
        tls: Option<TlsSettings>,
    ) -> std::io::Result<MockServer> {
        let tls_config = tls.as_ref().map(tls::server_config).transpose()?;
        let listener = TcpListener::bind((host, port)).await?;
        let addr = listener.local_addr()?;
        let state = AppState {
            broadcast: broadcast::channel(1024).0,
            next_client: Arc::new(0.into()),
            sockets: Arc::new(Mutex::new(HashMap::new())),
            drops: Arc::new(Mutex::new(HashMap::new())),
            rooms: Arc::new(Mutex::new(HashMap::new())),
        };
        let sockets = state.sockets.clone();
        let on_accept = move |tcp: &tokio::net::TcpStream| {
            use std::os::fd::AsRawFd;
            let _ = tcp.set_nodelay(true);
            if let (Ok(peer), Ok(mut map)) = (tcp.peer_addr(), sockets.lock()) {
                if map.len() > 10_000 {
                    map.clear();
                }
                map.insert(peer, tcp.as_raw_fd());
            }
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = match tls_config {
            Some(config) => tokio::spawn(tls::serve(
                listener,
                config,
                router(state),
                on_accept,
                stopped,
            )),
            None => {
                let listener = listener.tap_io(move |tcp| on_accept(tcp));
                let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
                tokio::spawn(async move {
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await
                })
            }
        };
        Ok(MockServer {
            addr,
            tls: tls.is_some(),
            stop: Some(stop),
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://127.0.0.1:PORT` (`wss://` over TLS; no trailing slash).
    pub fn ws_url(&self) -> String {
        let s = if self.tls { "s" } else { "" };
        format!("ws{s}://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT` (`https://` over TLS).
    pub fn http_url(&self) -> String {
        let s = if self.tls { "s" } else { "" };
        format!("http{s}://{}", self.addr)
    }

    /// Serves until the task ends (for `sockpit serve`).
    pub async fn wait(mut self) -> std::io::Result<()> {
        // Holding the stop sender keeps the server up until the task ends.
        let _stop = self.stop.take();
        (&mut self.task)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
    }

    pub fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { ROUTES }))
        .route("/echo", get(routes::echo))
        .route("/broadcast", get(rooms::broadcast))
        .route("/flood", get(routes::flood))
        .route("/close", get(routes::close))
        .route("/drop", get(chaos::drop_connection))
        .route("/fragment", get(chaos::fragment))
        .route("/pings", get(chaos::pings))
        .route("/oversize", get(chaos::oversize))
        .route("/slow", get(routes::slow))
        .route("/headers", get(routes::headers))
        .route("/reject", get(routes::reject))
        .route("/sse", axum::routing::any(sse::sse))
        .route("/feed", get(sse::feed))
        .route("/proto", get(proto::proto_feed))
        .with_state(state)
        .merge(auth::router())
        .merge(graphql::router())
        .merge(stomp::router())
        .merge(mqtt::router())
        // Last, so it sees every request: it answers those under /socket.io/ itself.
        .layer(socketio::layer())
}
