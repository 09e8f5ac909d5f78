//! The one-line assertion forms of the command line (`contains:TEXT`, `equals:TEXT`,
//! `matches:REGEX`, `json:/pointer=VALUE`) parsed into the collection model's [`Assertion`].

use super::model::Assertion;

/// What the forms look like, for error messages.
pub const ASSERTION_FORMS: &str =
    "contains:TEXT, equals:TEXT, matches:REGEX or json:/pointer=VALUE";

/// Parses one assertion written on the command line. A `json:` VALUE is JSON when it parses as
/// JSON (`json:/ok=true`, `json:/n=3`, `json:/s="x"`), else the string as written
/// (`json:/type=pong`). The error says what was wrong and which forms exist.
pub fn parse_assertion(spec: &str) -> Result<Assertion, String> {
    let Some((kind, rest)) = spec.split_once(':') else {
        return Err(format!(
            "assertion '{spec}' has no kind: write one of {ASSERTION_FORMS}"
        ));
    };
    let value = rest.to_string();
    match kind {
        "contains" => Ok(Assertion::Contains { value, event: None }),
        "equals" => Ok(Assertion::Equals { value, event: None }),
        "matches" => Ok(Assertion::Matches {
            pattern: value,
            event: None,
        }),
        "json" => {
            let Some((pointer, want)) = rest.split_once('=') else {
                return Err(format!(
                    "assertion '{spec}' has no '=': write json:/pointer=VALUE, e.g. json:/type=pong"
                ));
            };
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(format!(
                    "assertion '{spec}': the JSON pointer '{pointer}' must start with '/' (RFC 6901), e.g. json:/type=pong"
                ));
            }
            let equals = serde_json::from_str(want)
                .unwrap_or_else(|_| serde_json::Value::String(want.to_string()));
            Ok(Assertion::JsonPointer {
                pointer: pointer.to_string(),
                equals,
                event: None,
            })
        }
        other => Err(format!(
            "assertion '{spec}' has an unknown kind '{other}': write one of {ASSERTION_FORMS}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            parse_assertion("contains:a:b").unwrap(),
            Assertion::Contains {
                value: "a:b".into(),
                event: None
            }
        );
        assert_eq!(
            parse_assertion("equals:").unwrap(),
            Assertion::Equals {
                value: "".into(),
                event: None
            }
        );
        assert!(matches!(
            parse_assertion("matches:^h.*o$").unwrap(),
            Assertion::Matches { pattern, .. } if pattern == "^h.*o$"
        ));
        assert_eq!(
            parse_assertion("json:/n=3").unwrap(),
            Assertion::JsonPointer {
                pointer: "/n".into(),
                equals: serde_json::json!(3),
                event: None
            }
        );
        assert!(matches!(
            parse_assertion("json:/type=pong").unwrap(),
            Assertion::JsonPointer { equals, .. } if equals == serde_json::json!("pong")
        ));
    }

    #[test]
    fn bad_forms_name_the_problem() {
        assert!(parse_assertion("hello")
            .unwrap_err()
            .contains("has no kind"));
        assert!(parse_assertion("regex:x")
            .unwrap_err()
            .contains("unknown kind 'regex'"));
        assert!(parse_assertion("json:/a").unwrap_err().contains("no '='"));
        assert!(parse_assertion("json:a=1")
            .unwrap_err()
            .contains("must start with '/'"));
    }
}
