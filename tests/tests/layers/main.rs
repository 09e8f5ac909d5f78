//! Protocol layers over WebSocket against servers no one here wrote: Socket.IO (`sockpit socketio`) and GraphQL (`sockpit graphql`).
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test layers MODULE::` runs one module.

mod graphql;
mod socketio;
