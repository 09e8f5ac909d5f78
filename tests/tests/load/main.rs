//! `sockpit load`: runs against the mock and a counting Node `ws` echo server, thresholds, drops,
//! refused upgrades, and bad input.
//!
//! One test binary for the area: `cargo test -p sockpit-tests --test load MODULE::` runs one module.

mod bad_input;
mod mock;
mod node;
mod saved;
mod spike;
mod sse;
