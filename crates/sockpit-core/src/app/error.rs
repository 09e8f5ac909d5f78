//! `AppError`: every failure of the application API, each with the stable code of the module that
//! failed (`store.not_found`, `secret.store_unavailable`, ...) or an `app.*` code of its own.

use crate::collection::CollectionError;
use crate::payload::PayloadError;
use crate::proto::ProtoError;
use crate::runner::RunError;
use crate::script::ScriptError;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::template::TemplateError;

/// Wrapped errors are boxed so the `Result`s of the API stay small.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(Box<SecretError>),
    #[error(transparent)]
    Collection(Box<CollectionError>),
    #[error(transparent)]
    Template(Box<TemplateError>),
    #[error(transparent)]
    Run(Box<RunError>),
    #[error(transparent)]
    Payload(Box<PayloadError>),
    #[error(transparent)]
    Proto(Box<ProtoError>),
    #[error(transparent)]
    Script(Box<ScriptError>),
    /// Input the API refuses, with what to do: `app.empty_name`, `app.invalid_kind`, ...
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// A file the API was asked to write or read.
    #[error("cannot write {path}: {reason}")]
    Io { path: String, reason: String },
}

impl From<SecretError> for AppError {
    fn from(e: SecretError) -> AppError {
        AppError::Secret(Box::new(e))
    }
}

impl From<CollectionError> for AppError {
    fn from(e: CollectionError) -> AppError {
        AppError::Collection(Box::new(e))
    }
}

impl From<TemplateError> for AppError {
    fn from(e: TemplateError) -> AppError {
        AppError::Template(Box::new(e))
    }
}

impl From<RunError> for AppError {
    fn from(e: RunError) -> AppError {
        AppError::Run(Box::new(e))
    }
}

impl From<PayloadError> for AppError {
    fn from(e: PayloadError) -> AppError {
        AppError::Payload(Box::new(e))
    }
}

impl From<ProtoError> for AppError {
    fn from(e: ProtoError) -> AppError {
        AppError::Proto(Box::new(e))
    }
}

impl From<ScriptError> for AppError {
    fn from(e: ScriptError) -> AppError {
        AppError::Script(Box::new(e))
    }
}

impl AppError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Store(e) => e.code(),
            AppError::Secret(e) => e.code(),
            AppError::Collection(e) => e.code(),
            AppError::Template(e) => e.code(),
            AppError::Run(e) => e.code(),
            AppError::Payload(e) => e.code(),
            AppError::Proto(e) => e.code(),
            AppError::Script(e) => e.code(),
            AppError::Invalid { code, .. } => code,
            AppError::Io { .. } => "app.io",
        }
    }
}
