//! The share format: one pretty-printed JSON file per collection, `NAME.sockpit.json`.
//!
//! Keys come in the model's field order (`sockpit` version first), two-space indents, a final
//! newline, no ids and no timestamps, so exporting the same collection twice gives the same bytes
//! and a change shows as a small git diff. Secrets are never written: a secret variable's value is
//! replaced by a `placeholder` saying where the value comes from; literal credentials in auth
//! fields and in credential headers (`Authorization`, `Cookie`, API keys) become [`SECRET_PLACEHOLDER`]
//! unless they are `{{variables}}`. Export → import → export is byte-identical. The JSON Schema is
//! `collections/schema.json` in the repository.

use serde::Serialize;

use super::auth::is_credential_header;
use super::error::CollectionError;
use super::model::{Collection, Item, Variable};
use crate::template::secret_env_name;

/// The `sockpit` version this build writes and the highest it reads.
pub const FORMAT_VERSION: u64 = 1;
/// File name suffix of the share format.
pub const EXTENSION: &str = ".sockpit.json";
/// What a literal credential is replaced with in a shared file.
pub const SECRET_PLACEHOLDER: &str =
    "<secret not exported: keep it in a secret variable and use that variable here>";

#[derive(Serialize)]
struct ShareFile<'a> {
    sockpit: u64,
    #[serde(flatten)]
    collection: &'a Collection,
}

/// The collection as a shared file, secrets replaced.
pub fn to_share_json(c: &Collection) -> String {
    let redacted = redact(c);
    let file = ShareFile {
        sockpit: FORMAT_VERSION,
        collection: &redacted,
    };
    let mut out = serde_json::to_string_pretty(&file).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

/// A file name for a collection: `NAME.sockpit.json` with path-unsafe characters replaced.
pub fn file_name(collection_name: &str) -> String {
    let safe: String = collection_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim().trim_start_matches('.');
    format!(
        "{}{EXTENSION}",
        if safe.is_empty() { "collection" } else { safe }
    )
}

fn is_template(v: &str) -> bool {
    v.contains("{{")
}

fn redact_value(v: &str) -> String {
    if v.is_empty() || is_template(v) || v == SECRET_PLACEHOLDER {
        v.to_string()
    } else {
        SECRET_PLACEHOLDER.to_string()
    }
}

fn redact_vars(vars: &[Variable], owner: &str) -> Vec<Variable> {
    vars.iter()
        .map(|v| {
            if v.secret {
                Variable {
                    name: v.name.clone(),
                    value: None,
                    secret: true,
                    placeholder: Some(format!(
                        "secret, not exported: Sockpit keeps its value on each machine ({owner}); in CI set ${}",
                        secret_env_name(&v.name)
                    )),
                }
            } else {
                Variable {
                    placeholder: None,
                    ..v.clone()
                }
            }
        })
        .collect()
}

/// A copy with every secret replaced by its placeholder.
pub fn redact(c: &Collection) -> Collection {
    let mut out = c.clone();
    out.variables = redact_vars(&c.variables, "the collection's variables");
    for env in &mut out.environments {
        let owner = format!("environment '{}'", env.name);
        env.variables = redact_vars(&env.variables, &owner);
    }
    fn walk(items: &mut [Item]) {
        for item in items {
            match item {
                Item::Folder(f) => walk(&mut f.items),
                Item::Request(r) => {
                    r.auth = match r.auth.map_fields(|f| {
                        Ok::<_, ()>(if f.secret {
                            redact_value(f.value)
                        } else {
                            f.value.to_string()
                        })
                    }) {
                        Ok(a) => a,
                        Err(()) => r.auth.clone(),
                    };
                    for h in &mut r.headers {
                        if is_credential_header(&h.name) {
                            h.value = redact_value(&h.value);
                        }
                    }
                }
            }
        }
    }
    walk(&mut out.items);
    out
}

/// Line and column of a JSON error, for messages.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    format!("line {}, column {}: {e}", e.line(), e.column())
}

/// Reads a shared file's text. `path` is only used in messages.
pub fn parse_share(text: &str, path: &str) -> Result<Collection, CollectionError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| CollectionError::Corrupt {
            path: path.into(),
            syntax: "JSON",
            reason: json_error(&e),
        })?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(CollectionError::Invalid {
            path: path.into(),
            format: "Sockpit collection",
            reason: "the top level is not an object".into(),
        });
    };
    let version = map.remove("sockpit");
    let Some(version) = version.as_ref().and_then(|v| v.as_u64()) else {
        return Err(CollectionError::Invalid {
            path: path.into(),
            format: "Sockpit collection",
            reason: "\"sockpit\" (the format version, a whole number) is missing".into(),
        });
    };
    if version > FORMAT_VERSION {
        return Err(CollectionError::NewerVersion {
            path: path.into(),
            format: "the Sockpit collection format",
            found: version.to_string(),
            supported: FORMAT_VERSION.to_string(),
        });
    }
    map.remove("$schema");
    if let Some(items) = map.get("items") {
        check_auth_blocks(items).map_err(|reason| CollectionError::Invalid {
            path: path.into(),
            format: "Sockpit collection",
            reason,
        })?;
    }
    let mut c: Collection =
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
            CollectionError::Invalid {
                path: path.into(),
                format: "Sockpit collection",
                reason: e.to_string(),
            }
        })?;
    // Placeholders describe secrets elsewhere; they are not values.
    for v in c.variables.iter_mut().chain(
        c.environments
            .iter_mut()
            .flat_map(|e| e.variables.iter_mut()),
    ) {
        v.placeholder = None;
    }
    super::validate::validate(&c)?;
    Ok(c)
}

/// Every request's `auth` block checked for shape, naming the request and field on error.
fn check_auth_blocks(items: &serde_json::Value) -> Result<(), String> {
    for item in items.as_array().map(Vec::as_slice).unwrap_or_default() {
        if let Some(children) = item.get("items") {
            check_auth_blocks(children)?;
        }
        if let Some(auth) = item.get("auth") {
            let name = item.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            super::auth_check::check(auth).map_err(|e| format!("request '{name}': {e}"))?;
        }
    }
    Ok(())
}
