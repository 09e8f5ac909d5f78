//! The WebSocket engine: one task per session owning its socket, with reconnects and keepalives.

pub mod config;
mod connection;
pub mod deflate_params;
pub mod error;
pub mod event;
pub mod handshake;
pub mod reconnect;
pub mod session;
pub mod stream;
pub mod wire;

pub use config::{ConnectConfig, HeartbeatPolicy, PingPolicy};
pub use error::{ErrorDto, WsError};
pub use event::{
    close_code_is_sendable, close_code_name, Closer, DataKind, Direction, Nanos, Outgoing,
    SessionCommand, SessionEvent, UpgradeReport,
};
pub use reconnect::ReconnectPolicy;
pub use session::{SessionControl, SessionHandle, WeakSessionControl};
pub use wire::deflate::{DeflateConfig, DeflateParams};
pub use wire::frame::Opcode;
pub use wire::FrameRecord;

// TLS and proxy settings live in `crate::net`; re-exported here for the faces' `ws::` imports.
pub use crate::net::{ClientCert, ProxyConfig, ProxyKind, TlsOptions};
