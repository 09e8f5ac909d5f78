//! The share format: one pretty-printed JSON file per collection, `NAME.sockpit.json`.
//!
//! Keys come in the model's field order (`sockpit` version first), two-space indents, a final
//! newline, no ids and no timestamps, so exporting the same collection twice gives the same bytes
//! and a change shows as a small git diff. Secrets are never written: a secret variable's value is
//! replaced by a `placeholder` saying where the value comes from; literal credentials in auth
//! fields and in credential headers (`Authorization`, `Cookie`, API keys) become [`SECRET_PLACEHOLDER`]
//! unless they are built from `{{variables}}` with nothing credential-like around them
//! ([`secret_field_is_plain`]); so do a proxy URL with a literal password, a STOMP passcode and an
//! MQTT password. Export → import → export is byte-identical. The JSON Schema is
//! `collections/schema.json` in the repository.

use serde::Serialize;

use super::auth::is_credential_header;
use super::error::CollectionError;
use super::model::{secret_env_name, Collection, Item, Variable};

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

/// Stands for one `{{…}}` reference while a secret field is checked (a private-use character).
const REF: char = '\u{E000}';
/// Words allowed beside references in a secret text field: HTTP auth schemes.
const AUTH_SCHEMES: &[&str] = &[
    "bearer",
    "basic",
    "token",
    "bot",
    "digest",
    "negotiate",
    "apikey",
];
/// Separators allowed beside references in a secret text field.
const SEPARATORS: &str = ":;,.=&/?'\"()[]{}<>-_|";
/// Keys under which a literal JSON (or form) value in a secret field is kept: they name the kind
/// of message or the user, never a credential.
const PLAIN_KEYS: &[&str] = &[
    "type",
    "kind",
    "action",
    "op",
    "event",
    "method",
    "command",
    "cmd",
    "id",
    "jsonrpc",
    "version",
    "channel",
    "topic",
    "user",
    "username",
    "login",
    "email",
    "grant_type",
    "scope",
    "client_id",
];

/// `v` with each `{{…}}` replaced by [`REF`]: as text, and for JSON (quoted when the reference
/// stands outside a JSON string, as in `"at":{{$timestamp}}`). `None` without a reference.
fn mark_refs(v: &str) -> Option<(String, String)> {
    let (mut text, mut json) = (String::new(), String::new());
    let (mut in_str, mut escaped, mut found) = (false, false, false);
    let mut rest = v;
    loop {
        if let Some(after) = rest.strip_prefix("{{") {
            if let Some(end) = after.find("}}") {
                text.push(REF);
                if in_str {
                    json.push(REF);
                } else {
                    json.extend(['"', REF, '"']);
                }
                rest = &after[end + 2..];
                found = true;
                escaped = false;
                continue;
            }
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        text.push(c);
        json.push(c);
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        }
    }
    found.then_some((text, json))
}

/// Literal words are only auth schemes, references and separators (`Bearer {{token}}`,
/// `{{user}}:{{pass}}`), never anything that could be a credential.
fn plain_text(marked: &str) -> bool {
    marked.split_whitespace().all(|word| {
        AUTH_SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s))
            || word.chars().all(|c| c == REF || SEPARATORS.contains(c))
    })
}

fn plain_key(key: Option<&str>) -> bool {
    key.is_some_and(|k| PLAIN_KEYS.iter().any(|p| k.eq_ignore_ascii_case(p)))
}

/// Keys are free; a string or number is a reference (plain text around it), or sits under one of
/// [`PLAIN_KEYS`].
fn plain_json(v: &serde_json::Value, key: Option<&str>) -> bool {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(_) => true,
        Value::Number(_) => plain_key(key),
        Value::String(s) => plain_key(key) || (s.contains(REF) && plain_text(s)),
        Value::Array(a) => a.iter().all(|x| plain_json(x, key)),
        Value::Object(m) => m.iter().all(|(k, x)| plain_json(x, Some(k))),
    }
}

/// A form body or a cookie list (`username=demo&password={{pw}}`, `sid={{sid}}; theme=dark` is
/// not: `theme` is no plain key) by the same rule as JSON: keys free, values references or under
/// [`PLAIN_KEYS`]. Not percent-decoded, so an encoded value is never taken for a plain one.
fn plain_form(marked: &str) -> bool {
    marked.contains('=')
        && marked.split(['&', ';']).all(|pair| {
            let pair = pair.trim();
            if pair.is_empty() {
                return true;
            }
            match pair.split_once('=') {
                Some((k, v)) => {
                    !k.contains(char::is_whitespace)
                        && (v.is_empty()
                            || plain_key(Some(k))
                            || (v.contains(REF) && plain_text(v)))
                }
                None => false,
            }
        })
}

/// Whether a secret field may be written as it is. Only fields built from `{{variable}}`
/// references are, and the literal text around them must not be able to hold a credential: auth
/// scheme words and separators (`Bearer {{token}}`); in a JSON message or body, keys and the
/// values of [`PLAIN_KEYS`] (`{"type":"auth","token":"{{token}}"}`); the same in a form body.
/// Anything else (a literal token, `Bearer abc123 {{x}}`, `{"token":"abc123","user":"{{u}}"}`)
/// becomes the placeholder.
pub fn secret_field_is_plain(v: &str) -> bool {
    let Some((text, json)) = mark_refs(v) else {
        return false;
    };
    let t = json.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            return plain_json(&value, None);
        }
    }
    plain_text(&text) || plain_form(&text)
}

fn redact_value(v: &str) -> String {
    if v.is_empty() || v == SECRET_PLACEHOLDER || secret_field_is_plain(v) {
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

/// Whether a proxy URL (`http://user:pass@host:port`) has a password that is not built from
/// `{{variables}}`: such a URL is a credential and is not written to a shared file.
pub fn proxy_has_literal_password(proxy: &str) -> bool {
    let rest = proxy.split_once("://").map_or(proxy, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    match userinfo.split_once(':') {
        Some((_, pass)) => !pass.is_empty() && !secret_field_is_plain(pass),
        None => false,
    }
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
                    if r.settings
                        .proxy
                        .as_deref()
                        .is_some_and(proxy_has_literal_password)
                    {
                        r.settings.proxy = Some(SECRET_PLACEHOLDER.to_string());
                    }
                    // The STOMP passcode and the MQTT password are credentials too.
                    for p in [
                        r.settings.stomp.as_mut().and_then(|s| s.passcode.as_mut()),
                        r.settings.mqtt.as_mut().and_then(|m| m.password.as_mut()),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        *p = redact_value(p);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{Request, Settings};

    fn collection(settings: Settings) -> Collection {
        Collection {
            name: "C".into(),
            items: vec![Item::Request(Box::new(Request {
                name: "Through proxy".into(),
                url: "wss://example.com/".into(),
                settings,
                ..Request::default()
            }))],
            ..Collection::default()
        }
    }

    fn settings_of(c: &Collection) -> &Settings {
        match &c.items[0] {
            Item::Request(r) => &r.settings,
            Item::Folder(_) => unreachable!(),
        }
    }

    #[test]
    fn transport_settings_are_kept_in_the_share_file() {
        let c = collection(Settings {
            ca_file: Some("ca.pem".into()),
            insecure: Some(true),
            proxy: Some("http://proxy.local:3128".into()),
            deflate_params: Some("server_max_window_bits=10".into()),
            ..Settings::default()
        });
        let text = to_share_json(&c);
        assert!(text.contains("\"ca_file\": \"ca.pem\""), "{text}");
        assert!(text.contains("\"insecure\": true"), "{text}");
        let back = parse_share(&text, "c.sockpit.json").unwrap();
        assert_eq!(back, c);
        assert_eq!(to_share_json(&back), text);
    }

    #[test]
    fn a_literal_proxy_password_is_not_exported() {
        assert!(proxy_has_literal_password("http://me:hunter2@proxy:3128"));
        assert!(proxy_has_literal_password("socks5://me:{{pw}}x@proxy"));
        assert!(!proxy_has_literal_password(
            "http://me:{{proxy_pw}}@proxy:3128"
        ));
        assert!(!proxy_has_literal_password("http://me@proxy:3128"));
        assert!(!proxy_has_literal_password("http://proxy:3128/a@b"));
        assert!(!proxy_has_literal_password("{{proxy}}"));

        let text = to_share_json(&collection(Settings {
            proxy: Some("http://me:hunter2@proxy:3128".into()),
            ..Settings::default()
        }));
        assert!(!text.contains("hunter2"), "{text}");
        let back = parse_share(&text, "c.sockpit.json").unwrap();
        assert_eq!(
            settings_of(&back).proxy.as_deref(),
            Some(SECRET_PLACEHOLDER)
        );

        let kept = Settings {
            proxy: Some("http://me:{{proxy_pw}}@proxy:3128".into()),
            ..Settings::default()
        };
        let back = parse_share(&to_share_json(&collection(kept.clone())), "c").unwrap();
        assert_eq!(settings_of(&back), &kept);
    }

    #[test]
    fn a_bad_proxy_or_deflate_parameter_is_refused_naming_request_and_field() {
        let file = |settings: &str| {
            format!(
                r#"{{"sockpit":1,"name":"C","items":[{{"type":"request","name":"Through proxy",
                "protocol":"websocket","url":"ws://h/","settings":{settings}}}]}}"#
            )
        };
        let e = parse_share(&file(r#"{"proxy":"ftp://x"}"#), "c.sockpit.json").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("request 'Through proxy'"), "{msg}");
        assert!(msg.contains("settings.proxy"), "{msg}");
        assert!(msg.contains("'ftp'"), "{msg}");
        let e = parse_share(&file(r#"{"deflate_params":"fast"}"#), "c").unwrap_err();
        assert!(e.to_string().contains("settings.deflate_params"), "{e}");
        assert!(e.to_string().contains("'fast'"), "{e}");
    }
}
