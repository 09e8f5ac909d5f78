//! The command line, declared with clap: `sockpit connect`, `sockpit serve`, ...

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "sockpit",
    version,
    about = "A WebSocket and SSE workbench: connect, inspect, mock and test sockets"
)]
pub struct Cli {
    /// Where the database and settings live (default: the OS data directory).
    #[arg(long, global = true, env = "SOCKPIT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log what the engine does on stderr: -v info, -vv debug, -vvv trace. Give it before the
    /// command (`sockpit -vv run ...`); RUST_LOG, when set, wins.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open a WebSocket, send messages (arguments, then lines on stdin) and print what arrives.
    #[command(after_help = CONNECT_AFTER_HELP)]
    Connect(Box<ConnectArgs>),
    /// Run GraphQL operations over WebSocket (graphql-transport-ws or the legacy graphql-ws).
    #[command(
        after_help = crate::graphql_cmd::GRAPHQL_AFTER_HELP,
        mut_arg("count", |a| a.help("End with a clean close after N results (`next`/`data`) or operation errors")),
        mut_arg("verbose", |a| a.help("Print protocol notes (ack, pings, keepalives) on stderr"))
    )]
    Graphql(Box<crate::graphql_cmd::GraphqlArgs>),
    /// Speak Socket.IO (v2-v4): connect namespaces, emit events with acks, print what arrives.
    #[command(after_help = crate::socketio_cmd::SOCKETIO_AFTER_HELP)]
    Socketio(Box<crate::socketio_cmd::SocketIoArgs>),
    /// Speak STOMP 1.0-1.2 over WebSocket: subscribe, send, ack, transactions, receipts.
    ///
    /// (`--header` is a STOMP header on SEND frames here, `-H`/`--ws-header` an upgrade header;
    /// `--heartbeat` is STOMP heart-beating, `--ws-heartbeat` the application heartbeat text.)
    #[command(
        after_help = crate::stomp_cmd::STOMP_AFTER_HELP,
        mut_arg("headers", |a| a.long("ws-header")),
        mut_arg("heartbeat", |a| a.long("ws-heartbeat")),
        mut_arg("count", |a| a.help("End with DISCONNECT after N MESSAGE frames")),
        mut_arg("verbose", |a| a.help("Print protocol notes (connected, receipts, heart-beats) on stderr"))
    )]
    Stomp(Box<crate::stomp_cmd::StompArgs>),
    /// Speak MQTT 3.1.1 or 5.0 over WebSocket: subscribe, publish at QoS 0/1/2, print what arrives.
    #[command(
        after_help = crate::mqtt_cmd::MQTT_AFTER_HELP,
        mut_arg("count", |a| a.help("End with a DISCONNECT after N received PUBLISH packets"))
    )]
    Mqtt(Box<crate::mqtt_cmd::MqttArgs>),
    /// Subscribe to a Server-Sent Events stream and print its events.
    #[command(after_help = crate::sse_cmd::SSE_AFTER_HELP)]
    Sse(Box<crate::sse_cmd::SseArgs>),
    /// Run a WebSocket feed and an SSE feed at once and compare them item by item.
    #[command(after_help = crate::compare_cmd::COMPARE_AFTER_HELP)]
    Compare(Box<crate::compare_cmd::CompareArgs>),
    /// Load-test a WebSocket or SSE server: many virtual users, sends and expects, latency
    /// percentiles, thresholds for CI.
    #[command(after_help = crate::load_cmd::LOAD_AFTER_HELP)]
    Load(Box<crate::load_cmd::LoadArgs>),
    /// Run the built-in mock server: echo, broadcast rooms, feeds, SSE, every auth pattern, chaos
    /// routes; over TLS and mTLS with --tls-cert/--tls-key/--client-ca. Routes are listed below.
    #[command(after_help = sockpit_mock::ROUTES)]
    Serve(ServeArgs),
    /// Protobuf without a socket: list types, decode, encode, skeletons, detect a type.
    Proto(crate::proto_cmd::ProtoArgs),
    /// Run a collection's requests and check their assertions (text, JSON or JUnit report).
    #[command(after_help = crate::run_cmd::RUN_AFTER_HELP)]
    Run(Box<crate::run_cmd::RunArgs>),
    /// Import a collection (Insomnia, Yaak, Bruno, Kreya, HAR, AsyncAPI, Sockpit) into the store.
    Import(crate::import_cmd::ImportArgs),
    /// Export a collection as a .sockpit.json file, a k6 script or wscat/websocat/curl commands.
    Export(crate::import_cmd::ExportArgs),
    /// Secret variables' local values: set, remove, and where they are kept.
    #[command(after_help = crate::secret_cmd::SECRET_AFTER_HELP)]
    Secret(crate::secret_cmd::SecretArgs),
}

const CONNECT_AFTER_HELP: &str = concat!(
    "\
Output: received text one message per line, binary as hex; with --json one JSON event per line.
Exit status: 0 clean finish, 1 connection/handshake/protocol error, 2 usage error, 3 timeout,
130/143 interrupted.",
    signals_help!()
);

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// ws:// or wss:// URL.
    pub url: String,
    /// Offer a subprotocol (repeatable, in order of preference).
    #[arg(short = 'p', long = "protocol", value_name = "PROTOCOL")]
    pub protocols: Vec<String>,
    /// Send a text message after connecting (repeatable; all --send* flags keep their order).
    #[arg(long = "send", value_name = "TEXT")]
    pub send: Vec<String>,
    /// Send a binary message given as hex.
    #[arg(long = "send-hex", value_name = "HEX")]
    pub send_hex: Vec<String>,
    /// Send a binary message given as base64.
    #[arg(long = "send-base64", value_name = "B64")]
    pub send_base64: Vec<String>,
    /// Send a file's contents as a binary message.
    #[arg(long = "send-file", value_name = "PATH")]
    pub send_file: Vec<PathBuf>,
    /// End with a clean close after N received data messages.
    #[arg(short = 'n', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// Bound the whole run (exit status 3 when it runs out).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Print JSON Lines events on stdout and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Send every received data message back unchanged.
    #[arg(long)]
    pub echo: bool,
    /// Print open, close, ping and pong notes on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print no data messages (they are still counted for --count); for load checks.
    #[arg(long)]
    pub quiet: bool,
    /// Show every frame on the wire (FIN, RSV1-3, opcode, mask, length); JSON `frame` events with
    /// --json, lines on stderr otherwise.
    #[arg(long)]
    pub frames: bool,
    /// Protobuf schema, a .proto file or a descriptor set (.binpb, .desc, .pb) (repeatable).
    #[arg(long = "schema", value_name = "FILE")]
    pub schema: Vec<PathBuf>,
    /// Import path for --schema .proto files (repeatable).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub include: Vec<PathBuf>,
    /// Encode each --send TEXT (and stdin line) as JSON of this protobuf type; send binary.
    #[arg(long, value_name = "TYPE")]
    pub send_type: Option<String>,
    /// Decode binary messages received as this protobuf type (shown as JSON).
    #[arg(long, value_name = "TYPE")]
    pub recv_type: Option<String>,
    /// Protobuf framing: none, varint, grpc, or type-byte:1=pkg.A,2=pkg.B.
    #[arg(long, value_name = "FRAMING", default_value = "none")]
    pub framing: String,
    /// Extra query parameter NAME=VALUE (repeatable).
    #[arg(short = 'q', long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// Run a JavaScript hook file: it defines any of onOpen(sp), onMessage(sp), onClose(sp),
    /// beforeConnect(sp) and after(sp); its test() results decide the exit status.
    #[arg(long, value_name = "FILE.js")]
    pub script: Option<PathBuf>,
    /// Close the session on the first uncaught script error (by default it goes on).
    #[arg(long, requires = "script")]
    pub script_stop_on_error: bool,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

/// The connection flags `connect` and `graphql` share: headers, TLS, proxy, auth, reconnect,
/// keepalive, limits.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Request header on the upgrade, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// Offer no permessage-deflate (it is offered by default, as browsers do).
    #[arg(long, conflicts_with = "deflate")]
    pub no_deflate: bool,
    /// permessage-deflate parameters to offer, e.g.
    /// 'client_no_context_takeover; server_max_window_bits=10'.
    #[arg(long, value_name = "PARAMS")]
    pub deflate: Option<String>,
    /// Accept any TLS certificate (insecure).
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Trust this PEM CA certificate besides the OS roots (repeatable).
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Client certificate chain (PEM) for mutual TLS; needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) for --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Proxy URL: http://host:port (CONNECT), socks5://host:port or socks5h://host:port.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Reconnect after abnormal closes, with exponential backoff and jitter.
    #[arg(long)]
    pub reconnect: bool,
    /// Reconnect attempts after one loss before giving up (implies --reconnect).
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// First reconnect delay.
    #[arg(long, value_name = "SECS", default_value_t = 0.5)]
    pub backoff_base: f64,
    /// Longest reconnect delay.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub backoff_max: f64,
    /// Sends held while reconnecting, flushed in order on reopen. When N are waiting, a new send
    /// is refused (the newest is dropped, with a `ws.queue_full` error); the queued ones are kept.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub send_queue: usize,
    /// Send a protocol ping every SECS.
    #[arg(long, value_name = "SECS")]
    pub ping_interval: Option<f64>,
    /// Count the connection as lost when no pong arrives within SECS of a ping.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub ping_timeout: f64,
    /// Application heartbeat: send this text every --heartbeat-interval.
    #[arg(long, value_name = "TEXT")]
    pub heartbeat: Option<String>,
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub heartbeat_interval: f64,
    /// Count the connection as lost when no reply arrives within SECS of a heartbeat.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub heartbeat_timeout: f64,
    /// Only a received message containing TEXT answers the heartbeat.
    #[arg(long, value_name = "TEXT")]
    pub heartbeat_expect: Option<String>,
    /// Bound on connect + TLS + upgrade for each attempt.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub handshake_timeout: f64,
    /// Largest message accepted (bytes); larger ones close with 1009.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_message_size: usize,
    /// Largest frame accepted (bytes).
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_frame_size: usize,
    #[command(flatten)]
    pub auth: crate::auth_args::AuthArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Serve over TLS (wss://, https://) with this PEM certificate chain; needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require a client certificate signed by this PEM CA on every connection (mTLS); needs
    /// --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,
}
