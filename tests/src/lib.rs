//! Shared helpers for Sockpit's integration tests: the CLI binary, peer processes and small servers.
//!
//! Everything here runs real sockets on 127.0.0.1 and real processes; nothing is mocked.

pub mod cli;
pub mod collections;
pub mod headless;
pub mod peers;
pub mod rabbitmq;
pub mod servers;
pub mod tidy;

pub use cli::{sockpit, sockpit_bin, CliOutput};
pub use peers::Peer;
