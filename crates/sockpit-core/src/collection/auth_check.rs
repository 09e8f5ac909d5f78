//! Checks the shape of an `auth` block read from a file before serde sees it, so that a damaged or
//! hand-edited block fails with a message naming the request and the field (serde's own message
//! for an internally tagged enum names neither).

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Bool,
    Ms,
    Headers,
    Extract,
    FirstMessage,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Bool => "true or false",
            Kind::Ms => "a whole number of milliseconds",
            Kind::Headers => "a list of {\"name\": .., \"value\": ..} objects",
            Kind::Extract => {
                "one of {\"pointer\": \"/ticket\"}, {\"header\": \"NAME\"} or {\"regex\": \"..\"}"
            }
            Kind::FirstMessage => "an object with \"message\", \"ack\" and optional \"timeout_ms\"",
        }
    }
}

/// `(field, kind, required)` for each auth type.
fn fields(kind: &str) -> Option<&'static [(&'static str, Kind, bool)]> {
    use Kind::*;
    Some(match kind {
        "none" => &[],
        "bearer" => &[("token", Str, true)],
        "basic" => &[("username", Str, true), ("password", Str, true)],
        "api_key" => &[
            ("name", Str, true),
            ("value", Str, true),
            ("in", Str, false),
        ],
        "query_token" => &[("name", Str, true), ("token", Str, true)],
        "subprotocol_token" => &[("token", Str, true)],
        "first_message" => &[
            ("message", Str, true),
            ("ack", Str, true),
            ("timeout_ms", Ms, false),
        ],
        "cookie_login" => &[
            ("method", Str, false),
            ("url", Str, true),
            ("headers", Headers, false),
            ("body", Str, false),
            ("body_secret", Bool, false),
        ],
        "ticket" => &[
            ("method", Str, false),
            ("url", Str, true),
            ("headers", Headers, false),
            ("body", Str, false),
            ("body_secret", Bool, false),
            ("extract", Extract, false),
            ("into", Str, false),
            ("first_message", FirstMessage, false),
        ],
        "oauth2_client_credentials" => &[
            ("token_url", Str, true),
            ("client_id", Str, true),
            ("client_secret", Str, true),
            ("scope", Str, false),
        ],
        "client_certificate" => &[("cert", Str, true), ("key", Str, true)],
        _ => return None,
    })
}

const TYPES: &str = "none, bearer, basic, api_key, query_token, subprotocol_token, first_message, \
                     cookie_login, ticket, oauth2_client_credentials, client_certificate";

fn fits(kind: Kind, v: &Value) -> bool {
    match kind {
        Kind::Str => v.is_string(),
        Kind::Bool => v.is_boolean(),
        Kind::Ms => v.is_u64(),
        Kind::Headers => v.as_array().is_some_and(|a| {
            a.iter().all(|h| {
                h.as_object().is_some_and(|o| {
                    o.get("name").is_some_and(Value::is_string)
                        && o.get("value").is_none_or(Value::is_string)
                        && o.get("enabled").is_none_or(Value::is_boolean)
                        && o.keys()
                            .all(|k| matches!(k.as_str(), "name" | "value" | "enabled"))
                })
            })
        }),
        Kind::Extract => v.as_object().is_some_and(|o| {
            o.len() == 1
                && o.iter().all(|(k, v)| {
                    matches!(k.as_str(), "pointer" | "header" | "regex") && v.is_string()
                })
        }),
        Kind::FirstMessage => v.as_object().is_some_and(|o| {
            o.get("message").is_some_and(Value::is_string)
                && o.get("ack").is_some_and(Value::is_string)
                && o.get("timeout_ms").is_none_or(Value::is_u64)
                && o.keys()
                    .all(|k| matches!(k.as_str(), "message" | "ack" | "timeout_ms"))
        }),
    }
}

/// `Ok` when `auth` has a known `type`, only that type's fields, each of the right kind, and
/// every required one; else a message naming the field (`auth.token must be a string`).
pub fn check(auth: &Value) -> Result<(), String> {
    let Some(obj) = auth.as_object() else {
        return Err("auth must be an object with a \"type\"".into());
    };
    let Some(kind) = obj.get("type").and_then(Value::as_str) else {
        return Err(format!(
            "auth.type is missing or not a string (one of: {TYPES})"
        ));
    };
    let Some(spec) = fields(kind) else {
        return Err(format!("auth.type '{kind}' is unknown (one of: {TYPES})"));
    };
    for (key, value) in obj {
        if key == "type" {
            continue;
        }
        let Some((_, k, _)) = spec.iter().find(|(f, _, _)| f == key) else {
            let known: Vec<&str> = spec.iter().map(|(f, _, _)| *f).collect();
            return Err(format!(
                "auth.{key} is not a field of auth type '{kind}' (its fields: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        };
        if !fits(*k, value) {
            return Err(format!(
                "auth.{key} of auth type '{kind}' must be {}, found {}",
                k.describe(),
                short(value)
            ));
        }
    }
    for (f, _, required) in spec {
        if *required && !obj.contains_key(*f) {
            return Err(format!("auth.{f} is missing (auth type '{kind}' needs it)"));
        }
    }
    Ok(())
}

fn short(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_name_the_field() {
        assert!(check(&json!({"type": "bearer", "token": "{{t}}"})).is_ok());
        let e = check(&json!({"type": "bearer", "tokn": "x"})).unwrap_err();
        assert!(e.contains("auth.tokn") && e.contains("token"), "{e}");
        let e =
            check(&json!({"type": "first_message", "message": "m", "ack": "a", "timeout_ms": "5"}))
                .unwrap_err();
        assert!(
            e.contains("auth.timeout_ms") && e.contains("milliseconds"),
            "{e}"
        );
        let e = check(&json!({"type": "ticket"})).unwrap_err();
        assert!(e.contains("auth.url is missing"), "{e}");
        let e =
            check(&json!({"type": "ticket", "url": "u", "extract": {"xpath": "/a"}})).unwrap_err();
        assert!(e.contains("auth.extract"), "{e}");
        let e = check(&json!({"type": "kerberos"})).unwrap_err();
        assert!(e.contains("'kerberos' is unknown"), "{e}");
        // Every type the model writes passes the check.
        for t in TYPES.split(", ") {
            let spec = fields(t).unwrap();
            let mut o = serde_json::Map::new();
            o.insert("type".into(), json!(t));
            for (f, k, req) in spec {
                if *req {
                    assert_eq!(*k, Kind::Str);
                    o.insert(f.to_string(), json!("x"));
                }
            }
            let v = Value::Object(o);
            check(&v).unwrap();
            serde_json::from_value::<super::super::auth::Auth>(v).unwrap();
        }
    }
}
