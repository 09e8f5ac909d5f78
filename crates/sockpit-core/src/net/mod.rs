//! The network layer under every protocol: TLS options and the rustls configuration, proxies, and the
//! byte stream (DNS + TCP, HTTP CONNECT or SOCKS5, TLS).
//!
//! It sits below `ws`, `sse` and `auth` and imports none of them (the `tidy` test checks): `auth`'s
//! HTTP steps and SSE use the same TLS options and proxy settings as a WebSocket.

mod error;
pub mod proxy;
pub mod tls;
pub mod transport;

pub use error::NetError;
pub use proxy::{ProxyConfig, ProxyKind};
pub use tls::{ClientCert, TlsConfigError, TlsOptions};
