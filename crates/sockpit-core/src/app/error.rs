//! `AppError`: every failure of the application API, each with the stable code of the module that
//! failed (`store.not_found`, `secret.store_unavailable`, ...) or an `app.*` code of its own.

use crate::collection::CollectionError;
use crate::payload::PayloadError;
use crate::proto::ProtoError;
use crate::runner::RunError;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Payload(#[from] PayloadError),
    #[error(transparent)]
    Proto(#[from] ProtoError),
    /// Input the API refuses, with what to do: `app.empty_name`, `app.invalid_kind`, ...
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// A file the API was asked to write or read.
    #[error("cannot write {path}: {reason}")]
    Io { path: String, reason: String },
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
            AppError::Invalid { code, .. } => code,
            AppError::Io { .. } => "app.io",
        }
    }
}
