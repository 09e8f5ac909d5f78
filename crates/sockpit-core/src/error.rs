//! `ErrorCode`: the one trait every error enum of the engine implements, so both faces turn any of
//! them into `{code, message}` through a single path (the window's `AppError`, the CLI's error line).

/// An error with a stable, dotted code (`ws.handshake_rejected`, `store.not_found`, ...) that the UI
/// and scripts branch on; the `Display` text is the message shown to people.
pub trait ErrorCode: std::error::Error {
    /// The stable code: `<module>.<what>`.
    fn code(&self) -> &'static str;
}

/// Implements [`ErrorCode`] for error enums that already have an inherent `code()`.
macro_rules! error_codes {
    ($($t:ty),* $(,)?) => {
        $(impl ErrorCode for $t {
            fn code(&self) -> &'static str {
                <$t>::code(self)
            }
        })*
    };
}

error_codes!(
    crate::auth::AuthError,
    crate::collection::CollectionError,
    crate::load::LoadError,
    crate::payload::PayloadError,
    crate::proto::ProtoError,
    crate::proto::InspectError,
    crate::protocol::ProtocolError,
    crate::runner::RunError,
    crate::secrets::SecretError,
    crate::sse::SseClientError,
    crate::sse::parser::SseError,
    crate::store::StoreError,
    crate::template::TemplateError,
    crate::ws::WsError,
    crate::app::AppError,
);
