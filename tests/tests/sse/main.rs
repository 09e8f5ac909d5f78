//! Server-Sent Events: the engine and `sockpit sse` against real servers and the mock, TLS and proxies, compare, bad input.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test sse MODULE::` runs one module.

mod bad_input;
mod compare;
mod mock;
mod peers;
mod tls_proxy;
mod window_scripts;
