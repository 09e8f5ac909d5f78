//! WebSocket: the engine, `sockpit connect`, deflate and the inspector, TLS and proxies, bad input, against real peers and the mock.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test ws MODULE::` runs one module.

mod bad_input;
mod deflate;
mod engine;
mod hostile;
mod mock;
mod peers;
mod scripts;
mod signals;
mod tls_proxy;
mod window_scripts;
