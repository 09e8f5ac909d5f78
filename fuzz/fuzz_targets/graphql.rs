//! Fuzz target: the GraphQL-over-WebSocket server message decoder (`protocol::graphql`), for
//! `graphql-transport-ws` and the legacy `graphql-ws`, and the error helpers a decoded payload
//! goes through. Property: bad input is an `Err`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::protocol::graphql::{
    decode, first_message, result_errors, ServerMsg, Subprotocol,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for proto in [Subprotocol::TransportWs, Subprotocol::LegacyWs] {
        if let Ok(msg) = decode(proto, text) {
            let _ = format!("{msg:?}");
            match &msg {
                ServerMsg::Next {
                    payload, errors, ..
                } => {
                    // A kept payload always parses (its nesting was checked).
                    let tree = payload.to_value();
                    assert!(tree.is_object(), "{payload:?}");
                    assert_eq!(result_errors(&tree), errors.as_ref());
                    if let Some(errors) = errors {
                        let _ = first_message(errors);
                    }
                }
                ServerMsg::Error { errors, .. } => {
                    let _ = first_message(errors);
                }
                _ => {}
            }
        }
    }
});
