//! `SecretError`: what can go wrong keeping a local secret, each with a stable `code()`. Messages
//! name the secret and its scope, never its value.

use crate::store::StoreError;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("secret '{name}' ({scope}) is kept in the OS credential store ({store}), which is unavailable now: {reason}; start or unlock it, or set the secret again with `sockpit secret set {name}` (it then goes to the local database)")]
    Unavailable {
        name: String,
        scope: String,
        store: &'static str,
        reason: String,
    },
    #[error("secret '{name}' ({scope}) was not removed: its entry in the OS credential store ({store}) cannot be deleted now ({reason}); start or unlock the store and remove it again (the local record is kept until then, so the entry is not left behind)")]
    RemoveUnavailable {
        name: String,
        scope: String,
        store: &'static str,
        reason: String,
    },
    #[error("{0}")]
    NotMoved(Box<NotMoved>),
    #[error("the OS credential store failed to {op} secret '{name}' ({scope}): {reason}")]
    Backend {
        op: &'static str,
        name: String,
        scope: String,
        reason: String,
    },
    #[error("a secret needs a name")]
    EmptyName,
    #[error("the secret's value is empty (give it with --value or on stdin)")]
    EmptyValue,
    #[error("no database for local secrets")]
    NoDatabase,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SecretError {
    pub fn code(&self) -> &'static str {
        match self {
            SecretError::Unavailable { .. } | SecretError::RemoveUnavailable { .. } => {
                "secret.store_unavailable"
            }
            SecretError::NotMoved(n) => n.code,
            SecretError::Backend { .. } => "secret.store_failed",
            SecretError::EmptyName => "secret.empty_name",
            SecretError::EmptyValue => "secret.empty_value",
            SecretError::NoDatabase => "secret.no_database",
            SecretError::Store(e) => e.code(),
        }
    }
}

/// A rename refused because one of its secrets could not be moved in the OS credential store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotMoved {
    /// `secret.store_unavailable` or `secret.store_failed`.
    pub code: &'static str,
    /// What was to be renamed (`collection 'C'`, `environment 'dev' of collection 'C'`).
    pub target: String,
    pub name: String,
    pub scope: String,
    pub store: &'static str,
    /// `is unavailable now (...)` or `failed (...)`.
    pub problem: String,
    /// The `sockpit secret set ...` command for the secret under its current name.
    pub fix: String,
}

impl std::fmt::Display for NotMoved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let NotMoved {
            target,
            name,
            scope,
            store,
            problem,
            fix,
            ..
        } = self;
        write!(
            f,
            "{target} was not renamed: secret '{name}' ({scope}) could not be moved to the new name because the OS credential store ({store}) {problem}; nothing was changed. Start or unlock the store and rename again; if it stays unavailable, `{fix}` keeps the value in the local database instead, and the rename then takes it along"
        )
    }
}
