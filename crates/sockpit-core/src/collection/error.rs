//! `CollectionError`: bad collection files and bad collection content, each with a stable `code()`.

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CollectionError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path} is not valid {syntax} ({reason}); the file may be truncated or damaged — nothing was imported")]
    Corrupt {
        path: String,
        syntax: &'static str,
        reason: String,
    },
    #[error("{path}: unknown format ({hint}); pass --format with one of: sockpit, insomnia, yaak, bruno, kreya, har, asyncapi")]
    UnknownFormat { path: String, hint: String },
    #[error("{path} uses {format} version {found}, newer than this Sockpit reads (up to {supported}); update Sockpit — nothing was imported")]
    NewerVersion {
        path: String,
        format: &'static str,
        found: String,
        supported: String,
    },
    #[error("{path} is not a valid {format} file: {reason} — nothing was imported")]
    Invalid {
        path: String,
        format: &'static str,
        reason: String,
    },
    #[error("{path} has no WebSocket or SSE requests to import ({skipped})")]
    NothingToImport { path: String, skipped: String },
    #[error("invalid regex /{pattern}/ in an assertion of request '{request}': {reason}")]
    InvalidRegex {
        request: String,
        pattern: String,
        reason: String,
    },
    #[error("invalid JSON pointer '{pointer}' in an assertion of request '{request}': a pointer is empty or starts with '/', like /data/0/id")]
    InvalidPointer { request: String, pointer: String },
    #[error("invalid {what} in request '{request}': {reason}")]
    InvalidRequest {
        request: String,
        what: &'static str,
        reason: String,
    },
    #[error("a {what} has an empty name; every collection, folder and request needs one")]
    EmptyName { what: &'static str },
}

impl CollectionError {
    pub fn code(&self) -> &'static str {
        match self {
            CollectionError::Unreadable { .. } => "import.unreadable",
            CollectionError::Corrupt { .. } => "import.corrupt",
            CollectionError::UnknownFormat { .. } => "import.unknown_format",
            CollectionError::NewerVersion { .. } => "import.newer_version",
            CollectionError::Invalid { .. } => "import.invalid",
            CollectionError::NothingToImport { .. } => "import.nothing_to_import",
            CollectionError::InvalidRegex { .. } => "assertion.invalid_regex",
            CollectionError::InvalidPointer { .. } => "assertion.invalid_pointer",
            CollectionError::InvalidRequest { .. } => "collection.invalid_request",
            CollectionError::EmptyName { .. } => "collection.empty_name",
        }
    }
}
