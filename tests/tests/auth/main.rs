//! Auth patterns end to end: upgrade-request auth, HTTP steps (login, ticket, OAuth2), first message, mTLS, SSE auth, stored auth.
//!
//! One test binary per area (each module was once its own binary): core is linked once here, not
//! once per file. `cargo test -p sockpit-tests --test auth MODULE::` runs one module.

mod first_message;
mod http_steps;
mod mtls;
mod patterns;
mod proxy;
mod sse;
mod sse_patterns;
mod stored;
mod stored_run;
mod ticket_extract;
mod tls_options;
