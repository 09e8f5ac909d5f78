//! `sockpit secret set|rm|status`: local values of secret variables, kept in the OS credential
//! store (or, without one, in the local database, with a warning).
//!
//! Like Postman's and Insomnia's "current value" of a secret variable: the collection file says a
//! variable is secret; each machine gives it a value, which never leaves that machine. A value set
//! for a scope where the variable is not declared is still used there as a secret variable.

use std::io::{IsTerminal, Read};
use std::path::Path;

use clap::{Args, Subcommand};
use sockpit_core::secrets::{SecretError, SecretScope, SecretStore};
use sockpit_core::store::resolve_data_dir;

use crate::exit;

pub const SECRET_AFTER_HELP: &str = "\
Scopes: without --collection a secret is global (every collection sees it); with --collection C
it belongs to collection C's variables; with --env E too, to its environment E (looked up first).
A secret variable's value is looked up in this order: $SOCKPIT_VAR_<NAME>, then the value set here.
Values go to the OS credential store (Secret Service, Keychain, Credential Manager); where there is
none, to the local database, with a warning. They never appear in exports, reports or --json.";

#[derive(Debug, Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    pub command: SecretCommand,
}

#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// The collection whose variable this is (default: a global variable).
    #[arg(short, long, value_name = "NAME")]
    pub collection: Option<String>,
    /// The environment of --collection whose variable this is.
    #[arg(short, long = "env", value_name = "NAME", requires = "collection")]
    pub env: Option<String>,
}

impl ScopeArgs {
    fn scope(&self) -> SecretScope {
        match (&self.collection, &self.env) {
            (Some(c), Some(e)) => SecretScope::environment(c, e),
            (Some(c), None) => SecretScope::collection(c),
            _ => SecretScope::globals(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Set a secret variable's value on this machine (read from stdin unless --value is given).
    Set {
        /// The variable's name, as in {{NAME}}.
        name: String,
        #[command(flatten)]
        scope: ScopeArgs,
        /// The value (visible in shell history and `ps`; prefer stdin).
        #[arg(long, value_name = "VALUE")]
        value: Option<String>,
    },
    /// Remove a secret variable's value from this machine.
    Rm {
        name: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Where secrets are kept here, and which secrets have a value (names only).
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn fail(code: i32, msg: impl std::fmt::Display) -> i32 {
    eprintln!("sockpit: error: {msg}");
    code
}

/// Prints the fallback warning (once per process).
pub fn warn_once(secrets: &mut SecretStore) {
    if let Some(w) = secrets.take_warning() {
        eprintln!("sockpit: warning: {w}");
    }
}

fn read_value(given: Option<String>) -> Result<String, SecretError> {
    let mut value = match given {
        Some(v) => v,
        None => {
            let mut s = String::new();
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                // Typed by hand: one line, after a prompt on stderr.
                eprint!("value (one line, then Enter): ");
                stdin
                    .read_line(&mut s)
                    .map_err(|_| SecretError::EmptyValue)?;
            } else {
                stdin
                    .lock()
                    .read_to_string(&mut s)
                    .map_err(|_| SecretError::EmptyValue)?;
            }
            s
        }
    };
    // One trailing line end is the terminal's or `echo`'s, not the secret's.
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        return Err(SecretError::EmptyValue);
    }
    Ok(value)
}

pub fn run(a: SecretArgs, data_dir: Option<&Path>) -> i32 {
    let dir = match resolve_data_dir(data_dir) {
        Ok(d) => d,
        Err(e) => return fail(exit::FAILURE, e),
    };
    let mut secrets = SecretStore::new(&dir);
    match a.command {
        SecretCommand::Set { name, scope, value } => {
            let value = match read_value(value) {
                Ok(v) => v,
                Err(e) => return fail(exit::USAGE, e),
            };
            let scope = scope.scope();
            let result = secrets.set(&scope, &name, &value);
            warn_once(&mut secrets);
            match result {
                Ok(backend) => {
                    let place = match backend {
                        sockpit_core::secrets::Backend::Keyring => {
                            format!("the OS credential store ({})", SecretStore::os_store_name())
                        }
                        sockpit_core::secrets::Backend::Database => {
                            "the local database".to_string()
                        }
                    };
                    println!("secret '{name}' ({}) saved in {place}", scope.describe());
                    exit::OK
                }
                Err(e) => fail(exit::FAILURE, e),
            }
        }
        SecretCommand::Rm { name, scope } => {
            let scope = scope.scope();
            match secrets.remove(&scope, &name) {
                Ok(true) => {
                    println!("secret '{name}' ({}) removed", scope.describe());
                    exit::OK
                }
                Ok(false) => fail(
                    exit::USAGE,
                    format!(
                        "secret '{name}' has no value here ({}); `sockpit secret status` lists them",
                        scope.describe()
                    ),
                ),
                Err(e) => fail(exit::FAILURE, e),
            }
        }
        SecretCommand::Status { json } => {
            let status = secrets.status();
            let list = match secrets.list() {
                Ok(l) => l,
                Err(e) => return fail(exit::FAILURE, e),
            };
            if json {
                let v = serde_json::json!({ "status": status, "secrets": list });
                println!("{v}");
                if let Some(w) = secrets.take_warning() {
                    eprintln!("sockpit: warning: {w}");
                }
                return exit::OK;
            }
            warn_once(&mut secrets);
            match status.backend {
                sockpit_core::secrets::Backend::Keyring => println!(
                    "backend: keyring (the OS credential store: {})",
                    status.os_store
                ),
                sockpit_core::secrets::Backend::Database => {
                    println!("backend: database ({})", status.database)
                }
            }
            if list.is_empty() {
                println!("no secrets set");
            }
            for s in list {
                println!(
                    "{}  {}  [{}]",
                    s.name,
                    SecretScope::from_key(&s.scope).describe(),
                    s.backend.as_str()
                );
            }
            exit::OK
        }
    }
}
