//! Moving literal credentials out of a collection before it is stored: each literal secret auth
//! field (and credential header) becomes a `{{variable}}` reference to a new secret collection
//! variable, and its value is handed back for the [`super::SecretStore`]. So a token pasted into an
//! imported file ends up in the OS credential store, not in the database's request rows.

use crate::collection::auth::is_credential_header;
use crate::collection::model::{Collection, Item, Variable};
use crate::collection::share::{secret_field_is_plain, SECRET_PLACEHOLDER};

/// `auth_<request>_<field>` in lowercase ASCII letters, digits and `_`.
fn var_name(request: &str, field: &str) -> String {
    let mut out = String::from("auth");
    for part in [request, field] {
        out.push('_');
        let mut last_sep = true;
        for c in part.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
                last_sep = false;
            } else if !last_sep {
                out.push('_');
                last_sep = true;
            }
        }
        while out.ends_with('_') {
            out.pop();
        }
    }
    out
}

/// A secret field that would be exported as the placeholder (see
/// [`crate::collection::share::secret_field_is_plain`]): a literal, or a literal beside
/// references (`Bearer abc123 {{x}}`). The whole field moves to the variable, references and all
/// (variable values render recursively). Fields with `{{ticket}}`/`{{access_token}}` stay, since
/// the auth step fills those in, not variables.
fn is_literal(v: &str) -> bool {
    !v.is_empty()
        && v != SECRET_PLACEHOLDER
        && !secret_field_is_plain(v)
        && !v.contains("{{ticket}}")
        && !v.contains("{{access_token}}")
}

/// Replaces every literal secret in requests' auth, credential headers, STOMP passcode and MQTT
/// password with a reference to a
/// new secret collection variable; returns `(variable, value)` for each, in order.
pub fn extract_literal_secrets(c: &mut Collection) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    fn walk(items: &mut [Item], taken: &[String], found: &mut Vec<(String, String)>) {
        for item in items {
            match item {
                Item::Folder(f) => walk(&mut f.items, taken, found),
                Item::Request(r) => {
                    let mut take = |field: &str, value: &str| -> String {
                        let base = var_name(&r.name, field);
                        let mut name = base.clone();
                        let mut n = 2;
                        while taken.contains(&name) || found.iter().any(|(f, _)| *f == name) {
                            name = format!("{base}_{n}");
                            n += 1;
                        }
                        found.push((name.clone(), value.to_string()));
                        format!("{{{{{name}}}}}")
                    };
                    let auth = r.auth.map_fields(|f| {
                        Ok::<_, ()>(if f.secret && is_literal(f.value) {
                            let short = f.name.trim_start_matches("auth.");
                            take(short, f.value)
                        } else {
                            f.value.to_string()
                        })
                    });
                    if let Ok(a) = auth {
                        r.auth = a;
                    }
                    for h in &mut r.headers {
                        if is_credential_header(&h.name) && is_literal(&h.value) {
                            h.value = take(&format!("header {}", h.name), &h.value);
                        }
                    }
                    let broker = [
                        (
                            "passcode",
                            r.settings.stomp.as_mut().and_then(|s| s.passcode.as_mut()),
                        ),
                        (
                            "password",
                            r.settings.mqtt.as_mut().and_then(|m| m.password.as_mut()),
                        ),
                    ];
                    for (field, value) in broker {
                        if let Some(v) = value.filter(|v| is_literal(v)) {
                            *v = take(field, v);
                        }
                    }
                }
            }
        }
    }
    let taken: Vec<String> = c
        .variables
        .iter()
        .chain(c.environments.iter().flat_map(|e| e.variables.iter()))
        .map(|v| v.name.clone())
        .collect();
    walk(&mut c.items, &taken, &mut found);
    for (name, _) in &found {
        c.variables.push(Variable {
            name: name.clone(),
            value: None,
            secret: true,
            placeholder: None,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::auth::Auth;
    use crate::collection::model::{KeyValue, Request};

    #[test]
    fn literals_become_secret_variables() {
        let mut c = Collection {
            name: "C".into(),
            variables: vec![Variable::plain("auth_join_room_token", "taken")],
            items: vec![Item::Request(Box::new(Request {
                name: "Join room!".into(),
                headers: vec![
                    KeyValue::new("Authorization", "Bearer lit-h"),
                    KeyValue::new("X-Plain", "stays"),
                    KeyValue::new("Cookie", "sid={{sid}}"),
                    KeyValue::new("X-API-Key", "lit-k {{x}}"),
                ],
                auth: Auth::Bearer {
                    token: "lit-t".into(),
                },
                ..Default::default()
            }))],
            ..Default::default()
        };
        let found = extract_literal_secrets(&mut c);
        assert_eq!(
            found,
            vec![
                ("auth_join_room_token_2".to_string(), "lit-t".to_string()),
                (
                    "auth_join_room_header_authorization".to_string(),
                    "Bearer lit-h".to_string()
                ),
                (
                    "auth_join_room_header_x_api_key".to_string(),
                    "lit-k {{x}}".to_string()
                ),
            ]
        );
        let Item::Request(r) = &c.items[0] else {
            panic!()
        };
        assert_eq!(
            r.auth,
            Auth::Bearer {
                token: "{{auth_join_room_token_2}}".into()
            }
        );
        assert_eq!(
            r.headers[0].value,
            "{{auth_join_room_header_authorization}}"
        );
        assert_eq!(r.headers[1].value, "stays");
        assert_eq!(r.headers[2].value, "sid={{sid}}");
        assert_eq!(r.headers[3].value, "{{auth_join_room_header_x_api_key}}");
        assert!(c.variables[1].secret && c.variables[1].value.is_none());
        // Nothing literal left: a second pass finds nothing.
        assert!(extract_literal_secrets(&mut c).is_empty());
    }
}
