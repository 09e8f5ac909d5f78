//! Protobuf: `sockpit proto`, protobuf on connections and the mock, protoc as the oracle, bad input, the decode benchmark's client.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test proto MODULE::` runs one module.

mod bad_input;
mod bench;
mod cli;
mod connect;
mod mock;
mod oracle;
