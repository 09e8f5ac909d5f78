//! Checks a collection before it is stored or run: names, assertion regexes, JSON pointers, auth
//! blocks and the connection settings that are text (proxy URL, deflate parameters).

use super::auth::{Auth, TicketExtract};
use super::error::CollectionError;
use super::model::{Assertion, Collection, Item, Protocol, Request};
use super::share::SECRET_PLACEHOLDER;

/// Largest compiled regex an assertion may use.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Every problem that would make the collection unusable, as the first error found.
pub fn validate(c: &Collection) -> Result<(), CollectionError> {
    if c.name.trim().is_empty() {
        return Err(CollectionError::EmptyName { what: "collection" });
    }
    validate_items(&c.items)
}

fn validate_items(items: &[Item]) -> Result<(), CollectionError> {
    for item in items {
        match item {
            Item::Folder(f) => {
                if f.name.trim().is_empty() {
                    return Err(CollectionError::EmptyName { what: "folder" });
                }
                validate_items(&f.items)?;
            }
            Item::Request(r) => validate_request(r)?,
        }
    }
    Ok(())
}

/// A compiled `matches` regex, or the error naming the request.
pub fn compile_regex(request: &str, pattern: &str) -> Result<regex::Regex, CollectionError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| CollectionError::InvalidRegex {
            request: request.into(),
            pattern: pattern.into(),
            reason: e
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string(),
        })
}

/// RFC 6901: empty, or `/`-separated tokens where `~` is only followed by `0` or `1`.
pub fn pointer_is_valid(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    if !pointer.starts_with('/') {
        return false;
    }
    let b = pointer.as_bytes();
    b.iter()
        .enumerate()
        .all(|(i, &c)| c != b'~' || matches!(b.get(i + 1), Some(b'0' | b'1')))
}

pub fn validate_request(r: &Request) -> Result<(), CollectionError> {
    if r.name.trim().is_empty() {
        return Err(CollectionError::EmptyName { what: "request" });
    }
    for a in &r.assertions {
        match a {
            Assertion::Matches { pattern, .. } => {
                compile_regex(&r.name, pattern)?;
            }
            Assertion::JsonPointer { pointer, .. } if !pointer_is_valid(pointer) => {
                return Err(CollectionError::InvalidPointer {
                    request: r.name.clone(),
                    pointer: pointer.clone(),
                });
            }
            Assertion::CloseCode { .. } if r.protocol == Protocol::Sse => {
                return Err(CollectionError::InvalidRequest {
                    request: r.name.clone(),
                    what: "assertion",
                    reason:
                        "close_code applies to WebSocket requests; an SSE stream has no close code"
                            .into(),
                });
            }
            Assertion::Count { min: 0, .. } => {
                return Err(CollectionError::InvalidRequest {
                    request: r.name.clone(),
                    what: "assertion",
                    reason: "count needs min of 1 or more".into(),
                });
            }
            _ => {}
        }
    }
    validate_auth(r)?;
    validate_settings(r)?;
    super::validate_layers::validate_layers(r)
}

/// `settings.ca_file`, `settings.proxy` and `settings.deflate_params`, parsed the way `sockpit
/// connect` parses `--cacert`, `--proxy` and `--deflate`. Values holding `{{variables}}` are
/// checked when rendered; a proxy that is the share format's secret placeholder is refused by
/// `sockpit run` with its own message.
pub fn validate_settings(r: &Request) -> Result<(), CollectionError> {
    let bad = |reason: String| CollectionError::InvalidRequest {
        request: r.name.clone(),
        what: "settings",
        reason,
    };
    let s = &r.settings;
    if let Some(ca) = &s.ca_file {
        if ca.trim().is_empty() {
            return Err(bad(
                "settings.ca_file is empty: give a PEM file, or leave the field out".into(),
            ));
        }
    }
    if let Some(p) = &s.proxy {
        if !p.contains("{{") && p != SECRET_PLACEHOLDER {
            crate::net::ProxyConfig::parse(p.trim())
                .map_err(|e| bad(format!("settings.proxy: {e}")))?;
        }
    }
    if let Some(d) = &s.deflate_params {
        if !d.contains("{{") {
            crate::ws::deflate_params::parse_deflate_params(d)
                .map_err(|e| bad(format!("settings.deflate_params: {e}")))?;
        }
    }
    Ok(())
}

/// The auth block's settings that can be checked before running: acks, ticket places and
/// extraction, timeouts. Fields holding `{{variables}}` are checked when rendered.
pub fn validate_auth(r: &Request) -> Result<(), CollectionError> {
    let bad = |reason: String| CollectionError::InvalidRequest {
        request: r.name.clone(),
        what: "auth",
        reason,
    };
    let check_ack = |field: &str, ack: &str| -> Result<(), CollectionError> {
        if ack.contains("{{") {
            return Ok(());
        }
        crate::auth::AckMatch::parse(ack).map(|_| ()).map_err(|e| {
            // A regex error spans lines (the pattern, a caret, the reason): keep the first and last.
            let mut lines = e.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines.next().unwrap_or_default();
            let last = lines
                .next_back()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            bad(format!("{field}: {first}{last}"))
        })
    };
    match &r.auth {
        Auth::ApiKey { location, .. } if location != "header" && location != "query" => {
            return Err(bad(format!("auth.in is '{location}': use header or query")))
        }
        Auth::FirstMessage { ack, .. } => check_ack("auth.ack", ack)?,
        Auth::Ticket {
            extract,
            into,
            first_message,
            ..
        } => {
            match extract {
                TicketExtract::Pointer(p) if !p.starts_with('/') || !pointer_is_valid(p) => {
                    return Err(bad(format!(
                        "auth.extract.pointer '{p}' is not a JSON pointer (like /ticket)"
                    )))
                }
                TicketExtract::Regex(re) => {
                    compile_regex(&r.name, re)
                        .map_err(|e| bad(format!("auth.extract.regex: {e}")))?;
                }
                TicketExtract::Header(h) if h.trim().is_empty() => {
                    return Err(bad("auth.extract.header is empty".into()))
                }
                _ => {}
            }
            if !into.contains("{{") {
                let place = crate::auth::TicketInto::parse(into)
                    .map_err(|e| bad(format!("auth.into: {e}")))?;
                if place == crate::auth::TicketInto::Message && first_message.is_none() {
                    return Err(bad(
                        "auth.into is 'message' but there is no auth.first_message \
                         (the message with {{ticket}} and its ack)"
                            .into(),
                    ));
                }
            }
            if let Some(m) = first_message {
                check_ack("auth.first_message.ack", &m.ack)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers() {
        for ok in ["", "/", "/a/0", "/a~0b/c~1d"] {
            assert!(pointer_is_valid(ok), "{ok}");
        }
        for bad in ["a", "/a~2", "/a~", "data/0"] {
            assert!(!pointer_is_valid(bad), "{bad}");
        }
    }

    fn with_settings(settings: super::super::model::Settings) -> Request {
        Request {
            name: "Feed".into(),
            url: "wss://example.com/".into(),
            settings,
            ..Request::default()
        }
    }

    #[test]
    fn settings_with_bad_text_name_the_request_and_field() {
        use super::super::model::Settings;
        let e = validate_request(&with_settings(Settings {
            proxy: Some("ftp://x".into()),
            ..Settings::default()
        }))
        .unwrap_err();
        assert_eq!(e.code(), "collection.invalid_request");
        let msg = e.to_string();
        assert!(msg.contains("request 'Feed'"), "{msg}");
        assert!(msg.contains("settings.proxy"), "{msg}");
        assert!(msg.contains("unsupported proxy scheme 'ftp'"), "{msg}");

        let e = validate_request(&with_settings(Settings {
            deflate_params: Some("server_max_window_bits=99".into()),
            ..Settings::default()
        }))
        .unwrap_err()
        .to_string();
        assert!(e.contains("request 'Feed'"), "{e}");
        assert!(e.contains("settings.deflate_params"), "{e}");
        assert!(e.contains("8 to 15"), "{e}");

        let e = validate_request(&with_settings(Settings {
            ca_file: Some("  ".into()),
            ..Settings::default()
        }))
        .unwrap_err()
        .to_string();
        assert!(e.contains("settings.ca_file"), "{e}");
    }

    #[test]
    fn good_and_templated_settings_pass() {
        use super::super::model::Settings;
        for proxy in [
            "http://127.0.0.1:3128",
            "socks5://u:p@proxy:1080",
            "socks5h://proxy",
            "{{proxy}}",
            SECRET_PLACEHOLDER,
        ] {
            let r = with_settings(Settings {
                ca_file: Some("certs/ca.pem".into()),
                insecure: Some(true),
                proxy: Some(proxy.into()),
                deflate_params: Some("client_no_context_takeover; {{bits}}".into()),
                ..Settings::default()
            });
            assert!(validate_request(&r).is_ok(), "{proxy}");
        }
    }

    #[test]
    fn regexes() {
        assert!(compile_regex("r", "^he(l+)o$").is_ok());
        let e = compile_regex("r", "he(llo").unwrap_err();
        assert_eq!(e.code(), "assertion.invalid_regex");
        assert!(e.to_string().contains("/he(llo/"), "{e}");
    }
}
