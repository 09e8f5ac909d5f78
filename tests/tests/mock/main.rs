//! The built-in mock server seen by real clients: chaos routes, rooms, the STOMP and MQTT brokers, and its route documentation.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test mock MODULE::` runs one module.

mod brokers;
mod chaos;
mod docs;
mod protocols;
mod rooms;
