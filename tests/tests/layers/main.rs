//! Protocol layers over WebSocket against servers and brokers no one here wrote: Socket.IO,
//! GraphQL, STOMP (RabbitMQ Web-STOMP, stomp-broker-js) and MQTT (aedes, amqtt, a raw v5 peer).
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test layers MODULE::` runs one module.

mod graphql;
mod mqtt;
mod scripts;
mod socketio;
mod stomp;
