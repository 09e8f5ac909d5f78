//! `NetError`: a failure to open the byte stream (DNS, TCP, proxy, TLS handshake). Each protocol
//! turns it into its own error (`WsError`, ...) with the same message.

/// Why the stream to a host could not be opened.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum NetError {
    #[error("could not resolve host '{host}': {reason}")]
    Dns { host: String, reason: String },
    #[error("connection refused by {addr}: is a server listening on that port?")]
    ConnectionRefused { addr: String },
    #[error("could not connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("TLS handshake with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("proxy {proxy}: {reason}")]
    Proxy { proxy: String, reason: String },
}

impl NetError {
    /// A stable identifier; protocols map each variant to their own code (`ws.dns`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            NetError::Dns { .. } => "net.dns",
            NetError::ConnectionRefused { .. } => "net.connection_refused",
            NetError::Connect { .. } => "net.connect_failed",
            NetError::Tls { .. } => "net.tls",
            NetError::Proxy { .. } => "net.proxy",
        }
    }
}
